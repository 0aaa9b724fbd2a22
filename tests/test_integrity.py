"""Append-only and tamper-evident: raw SQL cannot rewrite entries, and `verify` names every kind of tampering."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.messages import text
from tests.clock import freeze_today
from tests.database import fresh_sqlite
from tests.runner import Run, failed, ok
from tests.town import TODAY, book, build_register

ENTRY_TRIGGERS = ("entry_no_update", "entry_no_delete", "entry_no_replace")
# BG gets entry #1 (BG seq 1); NL gets entries #2..#6 as NL seq 1..5 (a batch is sealed village by village).
DECISIONS = [
    ("NL001", "ZY01", 1, "k1"),
    ("NL002", "ZY01", 2, "k2"),
    ("BG001", "ZY01", 1, "k3"),
    ("NL003", "LL03", 1, "k4"),
    ("NL001", "XL01", 1, "k5"),
    ("NL004", "ZY01", 1, "marker-Q7"),
]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """This module works on the SQLite file itself (raw sqlite3, hex edits): SQLite only, on every run."""
    return fresh_sqlite(tmp_path)


@pytest.fixture
def ledger_file(run: Run, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite ledger with six entries in two villages; the engine is closed so raw access is alone."""
    path = db_url
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    assert book(engine, DECISIONS) == [1, 2, 3, 4, 5, 6]
    engine.dispose()
    return path


def all_entries(path: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM entry ORDER BY id").fetchall()


def tamper(path: str, *statements: str) -> None:
    """What an attacker with the file does: drop the guards, then rewrite history."""
    conn = sqlite3.connect(path)
    for trigger in ENTRY_TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def verify_fails(run: Run, *args: str, lang: str = "en") -> list[str]:
    """The problems ``verify`` lists, after checking it failed with exit 1 and a heading that counts them."""
    lines = failed(run("verify", *args, lang=lang)).splitlines()
    count = len(lines) - 1
    assert lines[0] == (
        f"账本校验失败，发现 {count} 处问题："
        if lang == "zh"
        else f"Verification failed with {count} problem{'' if count == 1 else 's'}:"
    )
    return lines[1:]


# --- the database refuses ---------------------------------------------------------------------

REWRITES = [
    "UPDATE entry SET amount = 300, coins = 300, earned = 300 WHERE id = 2",
    "UPDATE entry SET note = 'changed'",
    "UPDATE OR REPLACE entry SET seq = 1 WHERE id = 3",
    "DELETE FROM entry WHERE id = 6",
    "DELETE FROM entry",
    "INSERT OR REPLACE INTO entry SELECT * FROM entry WHERE id = 2",
    "REPLACE INTO entry (id, village, seq, kind, household, debit, credit, amount, coins, earned, event_date, "
    "booked_on, operator, recorded_at, prev_hash, hash) SELECT id, village, seq, kind, household, debit, credit, "
    "99, 99, 99, event_date, booked_on, operator, recorded_at, prev_hash, hash FROM entry WHERE id = 2",
    # the same chain position under a new id: REPLACE would delete the original first
    "INSERT OR REPLACE INTO entry (village, seq, kind, household, debit, credit, amount, coins, earned, "
    "event_date, booked_on, operator, recorded_at, prev_hash, hash) SELECT village, seq, kind, household, debit, "
    "credit, 1, 1, 1, event_date, booked_on, operator, recorded_at, prev_hash, hash FROM entry WHERE id = 4",
    # the same idempotency key
    "INSERT OR REPLACE INTO entry (village, seq, kind, household, debit, credit, amount, coins, earned, "
    "event_date, booked_on, operator, recorded_at, prev_hash, hash, idem_key) SELECT village, 99, kind, household, "
    "debit, credit, 1, 1, 1, event_date, booked_on, operator, recorded_at, prev_hash, hash, idem_key "
    "FROM entry WHERE id = 5",
    # upserts
    "INSERT INTO entry SELECT * FROM entry WHERE id = 2 ON CONFLICT (id) DO UPDATE SET amount = 1000",
    "INSERT INTO entry (village, seq, kind, household, debit, credit, amount, coins, earned, event_date, "
    "booked_on, operator, recorded_at, prev_hash, hash) SELECT village, seq, kind, household, debit, credit, 1, 1, "
    "1, event_date, booked_on, operator, recorded_at, prev_hash, hash FROM entry WHERE id = 3 "
    "ON CONFLICT (village, seq) DO UPDATE SET coins = excluded.coins, amount = excluded.amount",
    "INSERT INTO entry SELECT * FROM entry WHERE id = 2 ON CONFLICT DO UPDATE SET note = 'x'",
]


@pytest.mark.parametrize("statement", REWRITES)
def test_raw_sql_cannot_rewrite_an_entry(ledger_file: str, run: Run, statement: str) -> None:
    before = all_entries(ledger_file)
    conn = sqlite3.connect(ledger_file)
    with pytest.raises(sqlite3.IntegrityError, match="moralbank: entries are append-only"):
        conn.execute(statement)
    conn.commit()
    conn.close()
    assert all_entries(ledger_file) == before
    assert ok(run("verify")).startswith("Ledger intact: 2 village(s), 6 entries")


def test_raw_sql_cannot_rewrite_standards_or_resolutions(ledger_file: str) -> None:
    conn = sqlite3.connect(ledger_file)
    for statement in (
        "UPDATE standard SET points = 50 WHERE code = 'ZY01'",
        "DELETE FROM standard",
        "INSERT OR REPLACE INTO standard SELECT * FROM standard WHERE code = 'XL01'",
        "UPDATE resolution SET in_favour = 30",
        "DELETE FROM resolution",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"moralbank: (standards never change|resolutions are)"):
            conn.execute(statement)
    assert conn.execute("SELECT points FROM standard WHERE code = 'ZY01' ORDER BY version").fetchall() == [(3,), (4,)]
    conn.close()


# --- tampering is detected ----------------------------------------------------------------------


def test_an_intact_ledger_verifies(ledger_file: str, run: Run) -> None:
    assert ok(run("verify")) == (
        "Ledger intact: 2 village(s), 6 entries; chains and checkpoints match; balances sum to zero.\n"
        "22 record(s) (resolutions, standards, the register with its changes and moves, consent, boards, "
        "the export log) match the database.\n"
    )
    assert ok(run("verify", lang="zh")) == (
        "账本完整：2 个村、6 条记录，哈希链与检查点均无误，余额合计为零。\n"
        "记录 22 条（决议、标准、登记及变更和迁移、同意、榜单、导出日志），均与数据库一致。\n"
    )


def test_one_byte_flipped_in_the_file(ledger_file: str, run: Run) -> None:
    with sqlite3.connect(ledger_file) as conn:  # fold the write-ahead log into the file first
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(Path(ledger_file).read_bytes())
    at = data.find(b"note marker-Q7")
    assert at > 0 and data.find(b"note marker-Q7", at + 1) == -1  # the note of NL seq 5 is stored once
    data[at + 12] ^= 0x01  # "Q" -> "P": what a hex editor does
    Path(ledger_file).write_bytes(bytes(data))
    assert verify_fails(run) == [
        "  village NL, seq 5 (entry #6): the entry's content does not match its hash (altered)"
    ]
    assert verify_fails(run, lang="zh") == ["  村 NL，第 5 条（记录 #6）：记录内容与其哈希不符（已被改动）"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE entry SET qty = 3 WHERE id = 3", "village NL, seq 2 (entry #3): the entry's content does not match its hash (altered)"),
        ("UPDATE entry SET operator = '王' WHERE id = 2", "village NL, seq 1 (entry #2): the entry's content does not match its hash (altered)"),
        ("UPDATE entry SET booked_on = '2026-10-26' WHERE id = 1", "village BG, seq 1 (entry #1): the entry's content does not match its hash (altered)"),
        ("UPDATE entry SET coins = -amount, earned = -amount WHERE id = 3", "village NL, seq 2 (entry #3): the entry's content does not match its hash (altered)"),
    ],
)  # fmt: skip
def test_an_altered_field(ledger_file: str, run: Run, statement: str, expected: str) -> None:
    tamper(ledger_file, statement)
    assert verify_fails(run)[0] == "  " + expected


def test_an_entry_rehashed_by_the_attacker_breaks_the_next_link(ledger_file: str, run: Run) -> None:
    # A forger who recomputes the altered entry's own hash still breaks the link from the next one.
    from moralbank.domain.chain import CHAIN_FIELDS, entry_hash

    with sqlite3.connect(ledger_file) as conn:
        row = conn.execute(f"SELECT prev_hash, {', '.join(CHAIN_FIELDS)} FROM entry WHERE id = 3").fetchone()
    values = list(row[1:])
    values[CHAIN_FIELDS.index("amount")] = values[CHAIN_FIELDS.index("coins")] = 60
    values[CHAIN_FIELDS.index("earned")] = 60
    forged = entry_hash(row[0], values)
    tamper(ledger_file, f"UPDATE entry SET amount = 60, coins = 60, earned = 60, hash = '{forged}' WHERE id = 3")
    assert verify_fails(run) == ["  village NL, seq 3 (entry #4): the link to the previous entry's hash is broken"]


def test_a_middle_entry_deleted(ledger_file: str, run: Run) -> None:
    tamper(ledger_file, "DELETE FROM entry WHERE village = 'NL' AND seq = 3")
    assert verify_fails(run) == ["  village NL, seq 4 (entry #5): sequence gap: expected 3, found 4"]
    assert verify_fails(run, lang="zh") == ["  村 NL，第 4 条（记录 #5）：序号断档：应为 3，实为 4"]


def test_two_entries_swapped(ledger_file: str, run: Run) -> None:
    tamper(
        ledger_file,
        "UPDATE entry SET seq = 100 WHERE id = 3",
        "UPDATE entry SET seq = 2 WHERE id = 4",
        "UPDATE entry SET seq = 3 WHERE id = 3",
    )
    assert verify_fails(run) == ["  village NL, seq 2 (entry #4): the link to the previous entry's hash is broken"]


def test_two_entries_contents_swapped_keeping_positions(ledger_file: str, run: Run) -> None:
    # Swap everything but the chain position: each entry keeps its seq but carries the other's record.
    columns = "kind, household, debit, credit, amount, coins, earned, standard_id, qty, note, idem_key, prev_hash, hash"
    tamper(
        ledger_file,
        "CREATE TEMP TABLE saved AS SELECT * FROM entry WHERE id IN (2, 3)",
        "UPDATE entry SET idem_key = NULL WHERE id IN (2, 3)",
        *(
            f"UPDATE entry SET ({columns}) = (SELECT {columns} FROM saved WHERE id = {other}) WHERE id = {mine}"
            for mine, other in ((2, 3), (3, 2))
        ),
    )
    assert verify_fails(run) == ["  village NL, seq 1 (entry #2): the link to the previous entry's hash is broken"]


def test_a_forged_append_is_detected(ledger_file: str, run: Run) -> None:
    # Inserting is allowed (that is how the ledger grows), but a row that is not chained is caught.
    with sqlite3.connect(ledger_file) as conn:
        conn.execute(
            "INSERT INTO entry (village, seq, kind, household, debit, credit, amount, coins, earned, event_date, "
            "booked_on, operator, recorded_at, prev_hash, hash) SELECT village, 6, 'award', 'NL002', debit, credit, "
            "500, 500, 500, event_date, booked_on, operator, recorded_at, hash, 'f00d' FROM entry WHERE id = 6"
        )
    assert verify_fails(run) == [
        "  village NL, seq 6 (entry #7): the entry's content does not match its hash (altered)",
        "  all balances do not sum to zero: 500",  # NL002 gained coins that no account gave
    ]


def test_the_tail_cut_is_caught_against_a_saved_checkpoint(ledger_file: str, run: Run, tmp_path: Path) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(ok(run("checkpoint", "--format", "json")), encoding="utf-8")
    marks = [(c["village"], c["seq"]) for c in json.loads(saved.read_text(encoding="utf-8"))]
    assert marks == [("*", 0), ("BG", 1), ("NL", 5)]  # "*": the county-wide records' head, no entries
    assert ok(run("verify", "--checkpoint", str(saved))).startswith("Ledger intact")
    tamper(ledger_file, "DELETE FROM entry WHERE village = 'NL' AND seq >= 4")
    # What is left is a consistent, shorter chain: only the saved checkpoint shows the cut.
    assert ok(run("verify")).startswith("Ledger intact: 2 village(s), 4 entries")
    assert verify_fails(run, "--checkpoint", str(saved)) == [
        "  village NL, seq 5: tail cut: entry 5 from the checkpoint is missing"
    ]
    assert verify_fails(run, "--checkpoint", str(saved), lang="zh") == [
        "  村 NL，第 5 条：链尾缺失：检查点的第 5 条记录已不存在"
    ]
    report = json.loads(run("verify", "--checkpoint", str(saved), "-f", "json").stdout)
    assert report["ok"] is False
    assert [(p["village"], p["seq"], p["problem"]) for p in report["problems"]] == [("NL", 5, "chain.truncated")]


def test_a_cut_tail_written_again_does_not_match_the_checkpoint(ledger_file: str, run: Run, tmp_path: Path) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(ok(run("checkpoint", "-f", "json")), encoding="utf-8")
    tamper(ledger_file, "DELETE FROM entry WHERE village = 'NL' AND seq = 5")
    ok(run("award", "NL002", "ZY01", "--on", "2026-10-06", "--booked", "2026-10-25"))  # a new NL seq 5
    assert ok(run("verify")).startswith("Ledger intact")
    assert verify_fails(run, "--checkpoint", str(saved)) == [
        "  village NL, seq 5 (entry #6): entry 5 does not match the checkpoint's hash"
    ]


def test_a_bad_checkpoint_file_is_refused(ledger_file: str, run: Run, tmp_path: Path) -> None:
    saved = tmp_path / "cp.json"
    saved.write_text('[{"village": "NL"}]', encoding="utf-8")
    assert failed(run("verify", "--checkpoint", str(saved))).startswith(
        f"Error: The checkpoint file {saved} is not valid: "
    )
    assert failed(run("verify", "--checkpoint", str(tmp_path / "none.json"), lang="zh")).startswith(
        f"错误：检查点文件 {tmp_path / 'none.json'} 无效："
    )


def test_checkpoint_formats(ledger_file: str, run: Run) -> None:
    with sqlite3.connect(ledger_file) as conn:
        heads = conn.execute("SELECT village, seq, hash FROM entry WHERE id IN (1, 6) ORDER BY village").fetchall()
        records = dict(
            conn.execute(
                "SELECT scope, hash FROM record r WHERE seq = (SELECT MAX(seq) FROM record WHERE scope = r.scope)"
            ).fetchall()
        )
        counts = dict(conn.execute("SELECT scope, COUNT(*) FROM record GROUP BY scope").fetchall())
    genesis = "0" * 64  # no stock chains here; the county's records ("*") have no entries
    rows = [("*", 0, genesis), *heads]
    assert [tuple(c.values())[:3] for c in json.loads(ok(run("checkpoint", "-f", "json")))] == rows
    assert ok(run("checkpoint", "-f", "csv")) == "village,seq,hash,stock_seq,stock_hash,records_seq,records_hash\n" + (
        "".join(f"{v},{s},{h},0,{genesis},{counts[v]},{records[v]}\n" for v, s, h in rows)
    )
    table = ok(run("checkpoint", lang="zh"))
    assert "哈希" in table and heads[1][2][:6] in table  # a narrow terminal folds the long hashes


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_verify_refuses_a_format_it_cannot_write(run: Run, fmt: str) -> None:
    assert run("init").exit_code == 0
    result = run("verify", "--format", fmt)
    assert result.exit_code == 1
    assert text("format.invalid", "en", value=fmt, choices="table, json") in result.output
