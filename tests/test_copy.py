"""`moralbank copy`: a village's SQLite ledger moved to another database (the county server), exactly."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import Result

import cli
from moralbank.reports.heads import checkpoints
from moralbank.reports.integrity import verify
from moralbank.reports.passbook import balance
from moralbank.reports.registry import household_rows
from moralbank.services import copy
from moralbank.services.demo import load_demo
from moralbank.storage.db import open_engine, reading, writing
from moralbank.storage.records import cover
from moralbank.storage.roles import tables
from moralbank.storage.schema import apply_schema
from tests.clock import freeze_today
from tests.database import TEST_OPERATOR, register_staff
from tests.runner import run_on

TODAY = date(2026, 11, 29)
EXPORT_COLUMNS = (
    "exported_at, operator, bank, as_of, format, row_count, full_id, file_name, file_sha256, policy_hash, key_id"
)


def county(db: str, *args: str) -> Result:
    """The CLI on any database, in English, run by the county's operator (registered on both sides)."""
    run_on(db, operator=TEST_OPERATOR)("operator", "add", "county", "--role", "township")  # harmless once done
    return run_on(db, operator="county")(*args)


@pytest.fixture
def village_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A terminal's SQLite ledger: the demo villages, corrections, and two months' boards published."""
    freeze_today(monkeypatch, TODAY)
    path = tmp_path / "village.db"
    engine = open_engine(str(path))
    apply_schema(engine)
    load_demo(engine, operator="会计", today=TODAY)
    register_staff(engine, {"county": "township"})
    engine.dispose()
    for village in ("BG", "NL", "XY"):
        for month in ("2026-09", "2026-10"):
            published = county(str(path), "board", "publish", "--village", village, "--month", month)
            assert published.exit_code == 0, published.output
    with sqlite3.connect(path) as conn:  # two credit lists were handed to banks from this terminal
        for n, bank in enumerate(("高密农商银行", "邮储银行")):
            row = (f"2026-11-0{n + 1}T08:00:00+00:00", "会计", bank, "2026-10-31", "csv", 40 + n, 0)
            conn.execute(
                f"INSERT INTO export_log ({EXPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, f"credit-{n}.csv", f"{n:064x}", "ab" * 32, "key-1"),
            )
    engine = open_engine(str(path))
    with writing(engine) as session:  # recorded as the export log's writer records them
        cover(session, "export_log", [1, 2])
    engine.dispose()
    return path


def snapshot(db: str) -> dict[str, Any]:
    """What must be identical on both sides: balances, boards, checkpoints."""
    engine = open_engine(db)
    with reading(engine) as session:
        households = [row.code for row in household_rows(session)]
        balances = {code: (b.coins, b.earned) for code in households if (b := balance(session, household=code))}
        boards = session.execute(
            text(
                "SELECT village, month, seq, head_hash, snapshot, snapshot_hash, operator, published_at "
                "FROM board ORDER BY village, month"
            )
        ).all()
        heads = checkpoints(session)
        exports = session.execute(text(f"SELECT {EXPORT_COLUMNS} FROM export_log ORDER BY exported_at")).all()
        stock = session.execute(text("SELECT village, seq, item, qty, hash FROM stock_movement ORDER BY village, seq"))
        goods = [tuple(row) for row in stock]
        items = [tuple(row) for row in session.execute(text("SELECT id, price FROM shop_item ORDER BY id"))]
        policies = [tuple(row) for row in session.execute(text("SELECT * FROM village_policy ORDER BY village"))]
    engine.dispose()
    return {
        "balances": balances,
        "boards": [tuple(b) for b in boards],
        "checkpoints": heads,
        "exports": [tuple(e) for e in exports],
        "supermarket": (goods, items, policies),
    }


def copied(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def test_copy_round_trip_is_exact_and_idempotent(village_file: Path, db_url: str) -> None:
    first = copied(county(db_url, "copy", "--from", str(village_file), "--to", db_url))
    assert "3 village(s), 165 household(s), 2 resolution(s), 25 standard(s), 585 entries, 6 board(s), 2 export" in first
    source, target = snapshot(str(village_file)), snapshot(db_url)
    assert source == target
    assert len(source["boards"]) == 6 and len(source["exports"]) == 2
    assert [len(part) for part in source["supermarket"]] == [9, 3, 1]  # the demo's stock chain, items, policy
    assert sum(c for c, _ in source["balances"].values()) > 0
    # The boards' embedded checkpoints still verify against the copied chains.
    assert county(db_url, "verify").exit_code == 0
    saved = village_file.parent / "checkpoint.json"
    saved.write_text(copied(county(str(village_file), "checkpoint", "--format", "json")), encoding="utf-8")
    assert county(db_url, "verify", "--checkpoint", str(saved)).exit_code == 0

    again = copied(county(db_url, "copy", "--from", str(village_file), "--to", db_url))
    assert "0 village(s), 0 household(s), 0 resolution(s), 0 standard(s), 0 entries, 0 board(s), 0 export" in again
    assert snapshot(db_url) == source


def test_copy_brings_only_what_is_new_and_accepts_a_target_that_moved_on(village_file: Path, db_url: str) -> None:
    copied(county(db_url, "copy", "--from", str(village_file), "--to", db_url))
    award = ["award", "NL001", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-27", "--key", "late-1"]
    assert county(str(village_file), *award).exit_code == 0
    assert "0 household(s), 0 resolution(s), 0 standard(s), 1 entries, 0 board(s)" in copied(
        county(db_url, "copy", "--from", str(village_file), "--to", db_url)
    )
    assert snapshot(db_url) == snapshot(str(village_file))

    # The county server goes on booking for the village; the terminal's older file is then behind.
    later = ["award", "NL002", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-27", "--key", "county-1"]
    assert county(db_url, *later).exit_code == 0
    assert " 0 entries" in copied(county(db_url, "copy", "--from", str(village_file), "--to", db_url))
    assert county(db_url, "verify").exit_code == 0


def test_copy_refuses_a_diverged_chain_and_copies_nothing(village_file: Path, db_url: str, tmp_path: Path) -> None:
    copied(county(db_url, "copy", "--from", str(village_file), "--to", db_url))
    before = snapshot(db_url)
    # Another terminal booked NL's next entry differently: the two histories fork at that entry.
    fork = tmp_path / "fork.db"
    fork.write_bytes(village_file.read_bytes())
    nl_head = next(c for c in before["checkpoints"] if c.village == "NL")
    award = ["award", "NL003", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-27"]
    assert county(str(fork), *award, "--key", "fork-a").exit_code == 0
    assert county(db_url, *award, "--key", "fork-b").exit_code == 0
    refused = county(db_url, "copy", "--from", str(fork), "--to", db_url)
    assert refused.exit_code == 1
    assert f"Village NL: the target's chain differs from the source's at seq {nl_head.seq + 1}" in refused.output
    assert snapshot(db_url)["checkpoints"] != snapshot(str(fork))["checkpoints"]


def test_copy_refuses_a_tampered_source(village_file: Path, db_url: str) -> None:
    with sqlite3.connect(village_file) as conn:  # someone edits the file behind the ledger's back
        conn.execute("DROP TRIGGER entry_no_update")
        conn.execute("UPDATE entry SET amount = 500, coins = 500, earned = 500 WHERE village = 'XY' AND seq = 7")
    refused = county(db_url, "copy", "--from", str(village_file), "--to", db_url)
    assert refused.exit_code == 1
    assert "source ledger fails verification (village XY, seq 7); nothing was copied" in refused.output
    with reading(open_engine(db_url)) as session:
        assert verify(session).entries == 0


def test_copy_refuses_a_key_another_village_already_used(village_file: Path, db_url: str) -> None:
    engine = open_engine(str(village_file))
    with reading(engine) as session:
        key, village = session.execute(
            text("SELECT idem_key, village FROM entry WHERE idem_key IS NOT NULL AND village = 'XY' LIMIT 1")
        ).one()
    county(db_url, "village", "add", "QQ", "--name", "其他村", "--town", "镇", "--county", "县")
    county(db_url, "household", "add", "QQ001", "--village", "QQ", "--head-name", "户主", "--id-number", _an_id())
    county(db_url, "standard", "adopt", str(Path(cli.__file__).parent / "fixtures" / "standards.toml"))
    qq = county(db_url, "award", "QQ001", "ZY01", "--on", "2026-11-20", "--booked", "2026-11-21", "--key", key)
    assert qq.exit_code == 0, qq.output
    refused = county(db_url, "copy", "--from", str(village_file), "--to", db_url)
    assert refused.exit_code == 1
    assert f"Key “{key}” of village {village} is already used on the target by village QQ" in refused.output
    with reading(open_engine(db_url)) as session:
        assert [c.village for c in checkpoints(session) if c.seq] == ["QQ"]  # "*" holds county records only


def test_copy_explains_bad_arguments(tmp_path: Path, db_url: str, village_file: Path) -> None:
    missing = county(db_url, "copy", "--from", str(tmp_path / "none.db"), "--to", db_url)
    assert missing.exit_code == 1 and "File not found" in missing.output
    same = county(db_url, "copy", "--from", str(village_file), "--to", str(village_file.parent / "." / "village.db"))
    assert same.exit_code == 1 and "the same database" in same.output
    assert json.loads(county(str(village_file), "verify", "--format", "json").output)["ok"]


def test_copy_knows_every_table() -> None:
    # A new table must be given a place in `moralbank copy` (or a reason to stay behind).
    # schema_version stays behind: each database records its own schema's history; so does the
    # operator register: who may write to a database is that database's own decision.
    assert copy.STAYS_BEHIND == ("schema_version", "operator")
    assert set(copy.TABLES) | set(copy.STAYS_BEHIND) == set(tables())


def _an_id() -> str:
    import random

    from moralbank.domain.identity import synthetic_id

    return synthetic_id(random.Random(99))
