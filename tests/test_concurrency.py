"""Processes at the same time: concurrent appenders lose nothing and fork no chain; a killed import leaves all or none."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from moralbank.services.sheets import DECISION_COLUMNS
from moralbank.storage.db import open_engine, reading
from moralbank.storage.schema import apply_schema
from tests.clock import freeze_today
from tests.database import entry_count, register_staff
from tests.runner import Run, ok, run_on
from tests.town import HOUSEHOLD_CODES, TODAY, build_register, write_csv

REPO = Path(__file__).resolve().parent.parent
NL = [code for code in HOUSEHOLD_CODES if code.startswith("NL")]

# Waits for a start signal (a file), so that both processes have imported everything and begin together.
IMPORT_WHEN_TOLD = """
import os, sys, time
import cli
ready, go = sys.argv[1], sys.argv[2]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
sys.argv = ["moralbank", *sys.argv[3:]]
cli.main()
"""

# Fifty awards through the command, one process; keys "<name>-<n>" plus ten shared with the other process.
AWARDS_WHEN_TOLD = """
import os, sys, time
from datetime import date
import typer
import cli
ready, go, db, name = sys.argv[1:5]
cli.today = lambda: date(2026, 11, 29)
command = typer.main.get_command(cli.app)  # built once: typer rebuilds it on every app() call
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
households = ["NL001", "NL002", "NL003", "NL004"]
for n in range(50):
    key = f"shared-{n}" if n < 10 else f"{name}-{n}"
    args = ["--db", db, "--operator", name, "--lang", "en", "award", households[n % 4], "ZY01",
            "--on", "2026-10-05", "--booked", "2026-10-25", "--key", key]
    if command.main(args, prog_name="moralbank", standalone_mode=False):  # an exit code: it was refused
        sys.exit(f"award {n} failed")
print("done")
"""


# The clerks the concurrent processes write as, registered like every operator.
CLERKS = {name: "clerk" for name in ("甲", "乙", "p1", "p2", "会计")}


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "MORALBANK_LANG": "en", "MORALBANK_OPERATOR": ""}


def start_together(scripts: list[list[str]], folder: Path) -> list[subprocess.Popen[str]]:
    """Start processes that each touch a ready file and wait for a shared go file; then say go."""
    go = folder / "go"
    processes = []
    for number, args in enumerate(scripts):
        ready = folder / f"ready-{number}"
        command = [sys.executable, "-c", args[0], str(ready), str(go), *args[1:]]
        processes.append(
            subprocess.Popen(
                command, cwd=REPO, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    while not all((folder / f"ready-{n}").exists() for n in range(len(scripts))):
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.005)
    go.touch()
    return processes


def chain_is_whole(engine: Engine, village: str, count: int) -> None:
    """The village's chain holds exactly ``count`` entries numbered 1..count, each linked to the one before."""
    with reading(engine) as session:
        rows = session.execute(
            text("SELECT seq, prev_hash, hash FROM entry WHERE village = :v ORDER BY seq"), {"v": village}
        ).all()
    assert [row[0] for row in rows] == list(range(1, count + 1))
    assert all(later[1] == earlier[2] for earlier, later in itertools.pairwise(rows))


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    register_staff(engine, CLERKS)
    return run


def sheet_for(path: Path, name: str, rows: int) -> str:
    """A decisions sheet for NL with keys ``<name>-<n>`` and dates in October (ZY01 has no cap)."""
    body = [[NL[n % 4], "ZY01", "1", "2026-10-05", "2026-10-25", name, f"{name}-{n}"] for n in range(rows)]
    return str(write_csv(path, list(DECISION_COLUMNS), body))


def test_two_imports_into_one_village_at_once(town: Run, engine: Engine, db_url: str, tmp_path: Path) -> None:
    scripts = [
        [
            IMPORT_WHEN_TOLD,
            "--db",
            db_url,
            "--operator",
            name,
            "import",
            "decisions",
            sheet_for(tmp_path / f"{name}.csv", name, 300),
        ]
        for name in ("甲", "乙")
    ]
    for process in start_together(scripts, tmp_path):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.splitlines()[0] == "300 entries recorded (0 repeated rows were already recorded)."
    assert entry_count(engine) == 600
    chain_is_whole(engine, "NL", 600)
    with reading(engine) as session:
        keys = session.execute(text("SELECT operator, COUNT(DISTINCT idem_key) FROM entry GROUP BY operator")).all()
    assert sorted(keys) == [("乙", 300), ("甲", 300)]
    assert ok(town("verify")).startswith(
        "Ledger intact: 1 village(s), 600 entries; chains and checkpoints match; balances sum to zero.\n"
    )


def test_two_processes_awarding_at_once_with_shared_retries(
    town: Run, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    scripts = [[AWARDS_WHEN_TOLD, db_url, name] for name in ("p1", "p2")]
    for process in start_together(scripts, tmp_path):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.splitlines()[-1] == "done" and len(out.splitlines()) == 51, out
    # 40 own awards each, and the 10 shared keys written once by whichever process came first.
    assert entry_count(engine) == 90
    chain_is_whole(engine, "NL", 90)
    coins = [int(ok(town("balance", code, "-f", "csv")).splitlines()[1].split(",")[3]) for code in NL]
    assert coins == [4 * n for n in (23, 23, 22, 22)]  # 90 awards of 4 points over four households
    assert ok(town("verify")).startswith("Ledger intact: 1 village(s), 90 entries")


# --- killed in the middle ------------------------------------------------------------------------

BIG = 50_000


def write_lock_held(path: str) -> bool:
    """Whether another process holds the database's write lock (it is inside its write transaction)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


def wal_frames_written(path: str) -> bool:
    """Whether the write-ahead log has grown past its header: the commit is being written."""
    wal = Path(path + "-wal")
    return wal.exists() and wal.stat().st_size > 64 * 1024


def kill_during_import(path: str, sheet: str, moment: Callable[[str], bool], grace: float) -> int:
    """Run the import in its own process, SIGKILL it ``grace`` seconds after ``moment`` holds; the exit code."""
    command = [
        sys.executable,
        "-c",
        "import cli; cli.main()",
        "--db",
        path,
        "--operator",
        "会计",
        "import",
        "decisions",
        sheet,
    ]
    process = subprocess.Popen(command, cwd=REPO, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while process.poll() is None and not moment(path):
        time.sleep(0.001)
    time.sleep(grace)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode


@pytest.fixture
def sqlite_town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Engine, Run]:
    """The core town in a SQLite file (whatever backends the suite runs): its path, an engine, a CLI on it."""
    freeze_today(monkeypatch, TODAY)
    path = str(tmp_path / "village.db")
    engine = open_engine(path)
    apply_schema(engine)
    register_staff(engine)
    register_staff(engine, CLERKS)
    build_register(engine)
    engine.dispose()  # the import process is alone with the file
    return path, engine, run_on(path, operator="会计")


@pytest.mark.parametrize(
    ("moment", "grace"),
    [(write_lock_held, 0.5), (wal_frames_written, 0.0)],
    ids=["inside-the-transaction", "while-committing"],
)
def test_an_import_killed_midway_leaves_all_or_nothing(
    sqlite_town: tuple[str, Engine, Run], tmp_path: Path, moment: Callable[[str], bool], grace: float
) -> None:
    path, engine, run = sqlite_town
    body = [[HOUSEHOLD_CODES[n % 6], "ZY01", "1", "2026-10-05", "2026-10-25", "", f"big-{n}"] for n in range(BIG)]
    sheet = str(write_csv(tmp_path / "big.csv", list(DECISION_COLUMNS), body))
    code = kill_during_import(path, sheet, moment, grace)
    count = entry_count(engine)
    engine.dispose()
    # Killed (-9) before it could finish, or it had finished already: either way all rows or none.
    assert (code, count) in {(-signal.SIGKILL, 0), (-signal.SIGKILL, BIG), (0, BIG)}
    assert ok(run("verify")).startswith(f"Ledger intact: {2 if count else 0} village(s), {count} entries")
    # The ledger goes on from where it stands.
    assert ok(run("award", "NL001", "XL01", "--on", "2026-10-06", "--booked", "2026-10-25")) == (
        f"Recorded as entry {count + 1}\n"
    )
    chain_is_whole(engine, "NL", sum(1 for n in range(count) if HOUSEHOLD_CODES[n % 6] in NL) + 1)
    engine.dispose()
