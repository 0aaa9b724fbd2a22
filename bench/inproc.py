"""Time a moralbank command inside one warm process: the query and rendering, without startup."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def batch(path: Path) -> None:
    """Invoke every command listed in a JSON file (a list of argument lists), each on its own."""
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    for args in json.loads(path.read_text(encoding="utf-8")):
        result = runner.invoke(app, args)
        if result.exit_code != 0:
            sys.exit(f"{args}: exit {result.exit_code}: {result.output[-500:]} {result.exception!r}")
    print("ok")


def statements(args: list[str]) -> None:
    """Print, as JSON, every statement one run of the command sent to SQLite, its parameters bound.

    Transaction control is left out. The benchmark gives these to the ``sqlite3`` shell: the
    command's own SQL, without Python, beside the floor's query (bench/README.md).
    """
    import sqlite3

    from typer.testing import CliRunner

    from cli import app

    sent: list[str] = []
    connect = sqlite3.connect

    def traced(*a: object, **k: object) -> sqlite3.Connection:
        connection = connect(*a, **k)  # type: ignore[arg-type]
        connection.set_trace_callback(sent.append)
        return connection

    sqlite3.connect = traced  # type: ignore[assignment]
    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        sys.exit(f"{args}: exit {result.exit_code}: {result.output[-500:]} {result.exception!r}")
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
    print(json.dumps([sql for sql in sent if not sql.lstrip().upper().startswith(control)], ensure_ascii=False))


def main() -> None:
    """``inproc.py time RUNS -- ARGS...`` prints the seconds of each run as JSON; ``inproc.py batch FILE``.

    ``inproc.py sql -- ARGS...`` prints the statements one run sends to SQLite (``statements``).

    The first timed invocation (which imports the command's modules) is not counted. Each run
    opens its own engine and connection, as a fresh process would.
    """
    if sys.argv[1] == "batch":
        batch(Path(sys.argv[2]))
        return
    if sys.argv[1] == "sql":
        statements(sys.argv[sys.argv.index("--") + 1 :])
        return
    runs = int(sys.argv[2])
    args = sys.argv[sys.argv.index("--") + 1 :]
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    first = runner.invoke(app, args)
    if first.exit_code != 0:
        sys.exit(f"{args}: exit {first.exit_code}: {first.output[-500:]} {first.exception!r}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = runner.invoke(app, args)
        times.append(time.perf_counter() - start)
        assert result.exit_code == 0, result.output
    print(json.dumps({"times": times, "median": statistics.median(times)}))


if __name__ == "__main__":
    main()
