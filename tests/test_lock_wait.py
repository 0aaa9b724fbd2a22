"""Waiting for a lock is not an error: a write that finds the SQLite file busy waits, says so, then says plainly."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from moralbank.storage import reads
from tests.database import fresh_sqlite
from tests.runner import failed, ok, one_line, run_on

ADD = ("village", "add", "DZ", "--name", "东庄村", "--town", "于河街道", "--county", "潍城区")


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite ledger; a write says it is waiting after 0.3 s instead of a few seconds."""
    path = Path(fresh_sqlite(tmp_path))
    monkeypatch.setattr(reads, "NOTICE_AFTER", 0.3)
    return path


def hold(path: Path) -> sqlite3.Connection:
    """Another writer in the middle of its transaction: it holds the write lock."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_write_waits_for_the_lock_and_then_succeeds(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORALBANK_LOCK_WAIT", "20")
    other = hold(ledger)
    threading.Timer(1.5, other.rollback).start()
    started = time.monotonic()
    result = run_on(str(ledger))(*ADD)
    assert ok(result)
    assert time.monotonic() - started >= 1.4
    assert result.stderr.strip() == "Another write is running, waiting…"
    names = sqlite3.connect(ledger).execute("SELECT code FROM village").fetchall()
    assert names == [("DZ",)]


def test_a_write_that_waits_past_the_limit_says_so_and_writes_nothing(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MORALBANK_LOCK_WAIT", "1.5")
    other = hold(ledger)
    try:
        started = time.monotonic()
        message = one_line(failed(run_on(str(ledger))(*ADD)))
        assert time.monotonic() - started >= 1.4
        assert message == (
            "Another write is running, waiting… Error: Another write has held the database for more than 1.5 s; "
            "nothing was written. Try again when it has finished (MORALBANK_LOCK_WAIT sets how many seconds to wait)"
        )
        assert "Cannot open the database" not in message
        zh = one_line(failed(run_on(str(ledger))(*ADD, lang="zh")))
        assert zh.startswith("另一项写入正在进行，等待中…… 错误：另一项写入占用数据库已超过 1.5 秒，本次未写入任何内容")
    finally:
        other.rollback()
    assert sqlite3.connect(ledger).execute("SELECT count(*) FROM village").fetchone() == (0,)
