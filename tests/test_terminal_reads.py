"""The terminal reads on a SQLite file, read by the driver's own connection, give what a session gives.

``balance``, ``statement``, ``household show``, a village's ``board show`` and ``report trend``
read a SQLite path through ``storage/reads.py`` without SQLAlchemy (issue 16); ``--db
sqlite:///PATH`` names the same file through SQLAlchemy, and PostgreSQL always goes that way.
Every command, format and language, and every refusal, must read byte for byte the same.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import Result

from moralbank.storage.db import open_engine
from tests.clock import freeze_today
from tests.conftest import fresh_database
from tests.golden_files import normalised
from tests.runner import Run, invoke, run_on
from tests.test_migrations import RELEASE_DB
from tests.town import OCTOBER, TODAY, book_publication, build_publication_town

REPO = Path(__file__).resolve().parent.parent
PRINTED = ("table", "json", "csv", "md", "html")
READS: list[tuple[str, ...]] = [
    *(("statement", "DZ01", "-f", fmt) for fmt in PRINTED),
    ("statement", "DZ01", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "json"),
    ("statement", "DZ01", "--from", "2026-11-10", "-f", "csv"),
    ("statement", "DZ01", "--to", "2026-10-31"),
    *(("balance", code, "-f", fmt) for code in ("DZ01", "XZ01", "dz01") for fmt in ("table", "json", "csv")),
    ("balance", "DZ01", "--as-of", "2026-11-20", "-f", "json"),
    ("balance", "DZ01", "--as-of", "2026-10-01"),
    ("balance", "赵美兰"),  # a head name, after a change of head
    ("balance", "刘志涛", "--village", "DZ"),
    *(("household", "show", code, "-f", fmt) for code in ("DZ01", "XZ01", "DZ05") for fmt in ("table", "json", "csv")),
    *(
        ("board", "show", "--village", v, "--month", m, "-f", fmt)
        for v, m in (("DZ", "2026-10"), ("DZ", "2026-11"), ("XZ", "2026-10"))
        for fmt in PRINTED
    ),
    ("board", "show", "--village", "DZ", "--month", "2026-11", "--top", "2", "-f", "csv"),
    *(
        ("report", "trend", "--village", v, "--until", "2026-11", "-f", fmt)
        for v in ("DZ", "XZ")
        for fmt in ("table", "json")
    ),
    ("report", "trend", "--village", "DZ", "--until", "2026-11", "--months", "3", "-f", "json"),
    ("report", "trend", "--household", "DZ01", "--until", "2026-11", "-f", "json"),
    ("report", "trend", "--until", "2026-11", "-f", "json"),
]
REFUSALS: list[tuple[str, ...]] = [
    ("balance", "NOPE01"),
    ("balance", "DZ001"),  # a code with a zero too many
    ("balance", "刘志涛"),  # a head name in two villages
    ("statement", "NOPE01"),
    ("statement", "DZ01", "--from", "2026-11-30", "--to", "2026-11-01"),
    ("statement", "DZ01", "--from", "2026-13-01"),
    ("statement", "DZ01", "-f", "pdf"),
    ("household", "show", "NOPE01"),
    ("household", "show", "dz01"),
    ("board", "show", "--village", "NOPE", "--month", "2026-11"),
    ("board", "show", "--village", "DZ", "--month", "2026-13"),
    ("board", "show", "--village", "DZ", "--month", "November"),
    ("board", "show", "--village", "DZ", "--month", "2026-11", "--top", "0"),
    ("report", "trend", "--village", "NOPE", "--until", "2026-11"),
    ("report", "trend", "--village", "DZ", "--until", "2026-13"),
    ("report", "trend", "--household", "NOPE01", "--until", "2026-11"),
    ("report", "trend", "--village", "DZ", "--months", "0"),
    ("report", "trend", "--village", "DZ", "--months", "many"),
]


def _scenario(run: Run, engine: Engine) -> None:
    """DZ and XZ: October booked and DZ's October board published; in November a posted proposal,
    a voided one, a reversed award, a redemption and a change of head."""
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10", "--yes")
    invoke(run, "village", "set", "DZ", "--notice-days", "20")
    posted = invoke(run, "award", "DZ01", "ZY01", "--on", "2026-11-05", "--booked", "2026-11-05").stdout
    voided = invoke(run, "award", "DZ01", "ZY01", "--on", "2026-11-12", "--booked", "2026-11-12").stdout
    assert posted
    invoke(run, "object", voided.split()[3].rstrip(":"), "--reason", "当天不在村")
    invoke(run, "settle", "--village", "DZ")
    invoke(run, "village", "set", "DZ", "--notice-days", "0")
    wrong = invoke(run, "award", "DZ01", "HJ01", "--on", "2026-11-21", "--booked", "2026-11-21").stdout
    assert wrong
    invoke(run, "award", "XZ01", "HJ01", "--on", "2026-11-21", "--booked", "2026-11-21")
    invoke(run, "household", "set", "XZ01", "--head-name", "赵美兰", "--reason", "户主变更")
    invoke(run, "household", "set", "XZ02", "--head-name", "刘志涛", "--reason", "户主变更")
    lines = invoke(run, "statement", "DZ01", "-f", "json").stdout
    last = lines.rsplit('"id": ', 1)[1].split(",", 1)[0]
    invoke(run, "reverse", last, "--reason", "录入错误", "--booked", "2026-11-22")
    invoke(run, "redeem", "DZ01", "2", "--item", "香皂", "--booked", "2026-11-23")


def _said(result: Result) -> tuple[int, str, str]:
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@contextmanager
def twin(folder: Path, build: Callable[[Run, Engine], None]) -> Iterator[str]:
    """A second ledger, a SQLite file, built by the same steps (``build``) as the test's own."""
    folder.mkdir()
    with fresh_database("sqlite", folder) as path:
        engine = open_engine(path)
        build(run_on(path), engine)
        engine.dispose()
        yield path


def _as_is(said: str) -> str:
    return said


def test_every_terminal_read_is_the_same_through_either_driver(
    run: Run, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    _scenario(run, engine)
    with ExitStack() as stack:
        if "://" in db_url:  # PostgreSQL, through a session: the same words as a SQLite file's own read
            general, fast, same = run, run_on(stack.enter_context(twin(tmp_path / "twin", _scenario))), normalised
        else:
            general, fast, same = run_on(f"sqlite:///{db_url}"), run, _as_is
        _compare(fast, general, same)


def _compare(fast: Run, general: Run, same: Callable[[str], str]) -> None:
    for args in READS + REFUSALS:
        for lang in ("zh", "en"):
            code, out, err = _said(fast(*args, lang=lang))
            expected = _said(general(*args, lang=lang))
            assert (code, same(out), same(err)) == (expected[0], same(expected[1]), same(expected[2])), (args, lang)
            assert (code == 0) == (args in READS), (args, lang, err)


def test_an_old_a_newer_a_missing_and_a_foreign_file_are_refused_in_the_same_words(tmp_path: Path) -> None:
    old = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, old)
    newer = tmp_path / "newer.db"
    shutil.copyfile(RELEASE_DB, newer)
    upgraded = run_on(str(newer))
    invoke(upgraded, "upgrade")
    with sqlite3.connect(newer) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, name, applied_at, moralbank) VALUES (999, 'x', '2099-01-01', '9')"
        )
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a database\n" * 100, encoding="utf-8")
    for path in (old, newer, tmp_path / "typo.db", tmp_path, foreign, tmp_path / "no" / "such.db"):
        for args in (("balance", "BG001"), ("statement", "BG001"), ("household", "show", "BG001")):
            for lang in ("zh", "en"):
                fast = _said(run_on(str(path))(*args, lang=lang))
                general = _said(run_on(f"sqlite:///{path}")(*args, lang=lang))
                shown = str(path)
                assert fast[0] == general[0] != 0, (path, args)
                assert fast[2] == general[2].replace(f"sqlite:///{shown}", shown), (path, args, lang)
    assert not (tmp_path / "typo.db").exists()


def test_the_read_commands_import_neither_sqlalchemy_nor_pydantic(db_url: str, engine: Engine) -> None:
    if "://" in db_url:
        pytest.skip("PostgreSQL is read through SQLAlchemy")
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    probe = (
        "import sys, cli\n"
        "for args in sys.argv[1:]:\n"
        "    sys.argv = ['moralbank', '--db', DB, *args.split()]\n"
        "    try:\n"
        "        cli.main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules))\n"
    )
    reads = ["balance DZ01", "statement DZ01", "household show DZ01", "report trend --village DZ --until 2026-10"]
    reads += ["board show --village DZ --month 2026-10 -f csv", "board show --village DZ --month 2026-10"]
    found = subprocess.run(
        [sys.executable, "-c", f"DB = {db_url!r}\n" + probe, *reads],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert found.stdout.strip().splitlines()[-1] == "[]", found.stderr
