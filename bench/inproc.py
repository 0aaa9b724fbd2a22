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


def main() -> None:
    """``inproc.py time RUNS -- ARGS...`` prints the seconds of each run as JSON; ``inproc.py batch FILE``.

    The first timed invocation (which imports the command's modules) is not counted. Each run
    opens its own engine and connection, as a fresh process would.
    """
    if sys.argv[1] == "batch":
        batch(Path(sys.argv[2]))
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
