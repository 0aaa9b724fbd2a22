"""``backup``: a consistent, verified copy of a live SQLite ledger; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from moralbank.domain.chain import Checkpoint
from moralbank.errors import InputError, IntegrityError, Refused
from moralbank.reports.heads import checkpoints
from moralbank.reports.integrity import verify
from moralbank.services.backup import BackupOnPostgreSQL, backup
from moralbank.storage.db import MissingFile, open_engine, reading
from moralbank.storage.upgrade import upgrade
from moralbank.storage.versions import SchemaOutOfDate

RELEASE_DB = Path(__file__).parent / "data" / "release-0.1.0.db"
TODAY = date(2026, 12, 1)


def first_problem(session: Any, saved: list[Checkpoint]) -> tuple[str, int | None] | None:
    """The check the CLI passes (as for ``copy``): verify, first problem only."""
    report = verify(session, saved=saved)
    return None if report.ok else (report.problems[0].village, report.problems[0].seq)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A current SQLite ledger with three villages' chains: the release-0.1.0 file, upgraded."""
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    engine = open_engine(str(path))
    upgrade(engine, str(path))
    engine.dispose()
    return path


def _chains(path: Path) -> dict[str, list[tuple[int, str]]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT village, seq, hash FROM entry ORDER BY village, seq").fetchall()
    chains: dict[str, list[tuple[int, str]]] = {}
    for village, seq, hash_ in rows:
        chains.setdefault(village, []).append((seq, hash_))
    return chains


def test_a_backup_is_a_verified_single_file_with_the_checkpoints(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "copies" / "village-20261201.db"
    out.parent.mkdir()
    done = backup(str(ledger), out, check=first_problem, today=TODAY)
    assert done.path == out and done.entries == 579
    with reading(open_engine(str(ledger))) as session:
        assert done.checkpoints == checkpoints(session)
    assert [(c.village, c.seq) for c in done.checkpoints] == [("*", 0), ("BG", 158), ("NL", 203), ("XY", 218)]
    assert sorted(p.name for p in out.parent.iterdir()) == ["village-20261201.db"]  # no -wal or -shm beside it
    assert _chains(out) == _chains(ledger)
    with sqlite3.connect(out) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT COUNT(*) FROM board").fetchone() == (2,)


def test_a_backup_never_overwrites_and_needs_its_folder(ledger: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"an older backup")
    with pytest.raises(Refused) as exists:
        backup(str(ledger), taken, check=first_problem, today=TODAY)
    assert exists.value.message("en") == f"{taken} already exists and is never overwritten: choose a new file name"
    assert taken.read_bytes() == b"an older backup"
    with pytest.raises(Refused) as same:
        backup(str(ledger), ledger, check=first_problem, today=TODAY)
    assert "already exists" in same.value.message("en")
    nowhere = tmp_path / "no" / "copy.db"
    with pytest.raises(InputError) as folder:
        backup(str(ledger), nowhere, check=first_problem, today=TODAY)
    assert folder.value.message("en") == f"The backup's folder does not exist: {tmp_path / 'no'}"


def test_a_backup_of_a_missing_or_old_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(MissingFile):
        backup(str(missing), tmp_path / "copy.db", check=first_problem, today=TODAY)
    assert not missing.exists() and not (tmp_path / "copy.db").exists()
    old = tmp_path / "old.db"
    shutil.copyfile(RELEASE_DB, old)
    with pytest.raises(SchemaOutOfDate):  # upgrade makes its own backup first
        backup(str(old), tmp_path / "copy.db", check=first_problem, today=TODAY)
    assert not (tmp_path / "copy.db").exists()


def test_a_broken_ledger_gives_a_copy_that_says_so(ledger: Path, tmp_path: Path) -> None:
    with sqlite3.connect(ledger) as connection:
        connection.execute("DROP TRIGGER entry_no_update")
        connection.execute("UPDATE entry SET amount = amount + 1, coins = coins + 1 WHERE village = 'NL' AND seq = 5")
    out = tmp_path / "copy.db"
    with pytest.raises(IntegrityError) as broken:
        backup(str(ledger), out, check=first_problem, today=TODAY)
    assert broken.value.message("en") == (
        f"The backup {out} does not verify (village NL, seq 5). The database has the same problem: run "
        "`moralbank verify` to see every problem. The copy is kept as evidence."
    )
    assert out.is_file()


def test_postgresql_is_pointed_to_pg_dump_without_the_password() -> None:
    url = "postgresql://clerk:s3cret-pw@db.example:5432/county"
    with pytest.raises(BackupOnPostgreSQL) as refused:
        backup(url, Path("unused.db"), check=first_problem, today=TODAY)
    message = refused.value.message("en")
    assert "s3cret-pw" not in message and "s3cret-pw" not in refused.value.message("zh")
    assert message == (
        "Back up a PostgreSQL database with its own tools (give the password when asked): "
        "pg_dump --format=custom --file=moralbank-20261201.dump postgresql://clerk@db.example:5432/county\n"
        "Restore into an empty database with: pg_restore --dbname=<empty database URL> --no-owner moralbank-20261201.dump"
    )


# --- while another process writes -------------------------------------------------------------------


def _write_awards(db: str, stop: Any, written: Any) -> None:
    """A terminal recording decisions one by one, until told to stop."""
    from moralbank.services import ledger
    from moralbank.services.decisions import Decision
    from moralbank.storage.db import retrying

    engine = open_engine(db)
    n = 0
    while not stop.is_set():
        n += 1
        household = f"NL{n % 9 + 1:03d}"
        decision = Decision(
            household=household, standard="XL03", qty=1, event_date="2026-12-01", booked_on="2026-12-01"
        )
        retrying(engine, lambda s, d=decision: ledger.award(s, decision=d, operator="clerk", today=TODAY, repeat=True))
        written.value = n


def test_a_backup_taken_while_another_process_writes_is_a_consistent_prefix(ledger: Path, tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    stop, written = context.Event(), context.Value("i", 0)
    writer = context.Process(target=_write_awards, args=(str(ledger), stop, written))
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while written.value < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert written.value >= 5, "the writer did not start"
        copies = []
        for n in range(4):
            copies.append(backup(str(ledger), tmp_path / f"copy{n}.db", check=first_problem, today=TODAY))
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(60)
    assert writer.exitcode == 0
    final = _chains(ledger)
    counts = [copy.entries for copy in copies]
    assert counts == sorted(counts) and 579 < counts[0] < counts[-1] <= sum(len(chain) for chain in final.values())
    for copy in copies:  # each copy verified (backup checks it) and is the source's chains cut at one moment
        for village, chain in _chains(copy.path).items():
            assert chain == final[village][: len(chain)], village
        nl = next(point for point in copy.checkpoints if point.village == "NL")
        assert (nl.seq, nl.hash) == final["NL"][nl.seq - 1]
