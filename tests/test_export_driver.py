"""A signed export of a SQLite file is read and logged through the driver: the same list, log and records as a session's.

``credit export`` on a SQLite file never imports SQLAlchemy (issue 16, round five): its reads,
the operator check and the export log's write run as plain SQL on the stdlib's sqlite3
(``storage.reads.SqliteAccess``). These tests hold that path to the session's (``sqlite:///``
URL, ``storage.db.EngineAccess``) byte for byte, and check that it locks, refuses and verifies
as every other write does.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.storage import reads
from tests.clock import freeze_today
from tests.runner import Run, invoke, ok, run_on
from tests.test_county_reads import ORM, imported_after
from tests.test_lock_wait import hold
from tests.town import AS_OF, TODAY, build_credit_town

BANK = "高密农商银行"
# What the log keeps of an export and its rows, without the moment it was made.
_LOG = "SELECT id, operator, bank, as_of, format, row_count, full_id, file_name, file_sha256, policy_hash, key_id, replaced FROM export_log ORDER BY id"
_ROWS = "SELECT export_id, row_no, household, id_masked, head_name FROM export_row ORDER BY export_id, row_no"
_RECORDS = (
    "SELECT scope, seq, kind, ref, prev_hash <> '', hash <> '' FROM record WHERE kind = 'export_log' ORDER BY seq"
)


@pytest.fixture
def sqlite_file(db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The credit town on a SQLite file, with a signing key beside it."""
    if "://" in db_url:
        pytest.skip("the driver's own path is a SQLite file's")
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run_on(db_url), "keys", "generate", "--out", str(tmp_path / "keys"))
    return Path(db_url)


def _export(run: Run, folder: Path, name: str, *more: str, key: Path | None = None) -> tuple[int, str]:
    """``credit export`` into ``folder``, signed with the key generated in it (or ``key``)."""
    key = key or folder / "keys" / "moralbank_signing.key"
    args = ["credit", "export", "--as-of", AS_OF, "--bank", BANK, "--out", str(folder / name)]
    result = run(*args, "--signing-key", str(key), *more)
    return result.exit_code, result.output


def _logged(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    with sqlite3.connect(path) as connection:
        return tuple(connection.execute(query).fetchall() for query in (_LOG, _ROWS, _RECORDS))


def test_the_driver_and_a_session_write_the_same_list_log_and_records(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = tmp_path / "twin.db"
    with sqlite3.connect(sqlite_file) as source, sqlite3.connect(twin) as copy:
        source.backup(copy)
    driver, session = run_on(str(sqlite_file)), run_on(f"sqlite:///{twin}")
    key = tmp_path / "keys" / "moralbank_signing.key"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for name, more in (("list.csv", ()), ("list.json", ("-f", "json")), ("full.csv", ("--full-id",))):
        found, expected = (
            _export(driver, tmp_path / "a", name, *more, key=key),
            _export(session, tmp_path / "b", name, *more, key=key),
        )
        assert found == (0, expected[1].replace(f"{tmp_path / 'b'}", f"{tmp_path / 'a'}")), name
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    found, expected = _logged(sqlite_file), _logged(twin)
    assert found == expected
    assert [row[0] for row in found[0]] == [1, 2, 3] and len(found[1]) > 0 and len(found[2]) == 3
    assert all("*" in masked for _, _, _, masked, _ in found[1])  # the log masks a full-ID list's numbers too
    for run in (driver, session):
        said = ok(run("verify"))
        assert "record(s)" in said and "match the database" in said


def test_a_signed_export_of_a_sqlite_file_imports_neither_sqlalchemy_nor_pydantic(
    sqlite_file: Path, tmp_path: Path
) -> None:
    key = tmp_path / "keys" / "moralbank_signing.key"
    exports = [
        f"--operator tester credit export --as-of {AS_OF} --bank {BANK} --out {tmp_path / name} --signing-key {key}"
        for name in ("one.csv", "two.xlsx")
    ]
    assert imported_after(str(sqlite_file), exports, ORM) == []
    assert (tmp_path / "one.csv").is_file() and (tmp_path / "two.xlsx").is_file()
    assert [row[5] > 0 for row in _logged(sqlite_file)[0]] == [True, True]


def test_an_unregistered_or_clerk_operator_is_refused_and_nothing_is_written(sqlite_file: Path, tmp_path: Path) -> None:
    invoke(run_on(str(sqlite_file)), "operator", "add", "clerk", "--role", "clerk")
    before = _logged(sqlite_file)
    for operator, reason in (("nobody", "is not registered"), ("clerk", "needs the role township")):
        code, said = _export(run_on(str(sqlite_file), operator=operator), tmp_path, "list.csv")
        assert code != 0 and reason in said and "Traceback" not in said
        assert not list(tmp_path.glob("list.csv*"))
    assert _logged(sqlite_file) == before


def test_the_export_waits_for_another_write_then_logs(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "NOTICE_AFTER", 0.3)
    monkeypatch.setenv("MORALBANK_LOCK_WAIT", "20")
    other = hold(sqlite_file)
    threading.Timer(1.5, other.rollback).start()
    started = time.monotonic()
    code, said = _export(run_on(str(sqlite_file)), tmp_path, "list.csv")
    assert code == 0, said
    assert time.monotonic() - started >= 1.4
    assert "Another write is running, waiting…" in said
    assert len(_logged(sqlite_file)[0]) == 1 and (tmp_path / "list.csv").is_file()


def test_an_export_that_waits_past_the_limit_says_so_and_leaves_no_list(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "NOTICE_AFTER", 0.3)
    monkeypatch.setenv("MORALBANK_LOCK_WAIT", "1")
    other = hold(sqlite_file)
    try:
        code, said = _export(run_on(str(sqlite_file)), tmp_path, "list.csv")
        message = " ".join(said.split())
        assert code != 0 and "Traceback" not in said
        assert "Another write has held the database for more than 1 s; nothing was written" in message
    finally:
        other.rollback()
    assert list(tmp_path.glob("list.csv*")) == []  # neither the list, its signature nor a partial file
    assert _logged(sqlite_file)[0] == []


def test_a_file_at_another_schema_version_is_refused_before_anything_is_written(
    sqlite_file: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(sqlite_file) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, name, applied_at, moralbank) VALUES (999, 'x', '', '')"
        )
    code, said = _export(run_on(str(sqlite_file)), tmp_path, "list.csv")
    assert code != 0 and "Traceback" not in said and "newer" in said
    assert list(tmp_path.glob("list.csv*")) == []
