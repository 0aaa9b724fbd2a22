"""Checkpoints leave the database: signed checkpoint files, bank-list signatures, boards, plain JSON.

Each is taken before a forger rewrites an entry and re-hashes the chain from it onwards (so plain
``verify`` passes); ``verify --checkpoint`` with any of them then fails, naming the entry.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.domain.chain import CHAIN_FIELDS, Head, entry_hash
from moralbank.services.checkpoints import head_from
from tests.clock import freeze_today
from tests.database import fresh_sqlite
from tests.runner import Run, failed, invoke, ok, one_line
from tests.town import AS_OF, TODAY, build_credit_town

ENTRY_TRIGGERS = ("entry_no_update", "entry_no_delete", "entry_no_replace")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The forger works on the SQLite file itself: SQLite only."""
    return fresh_sqlite(tmp_path)


@pytest.fixture
def office(run: Run, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The credit town and two key pairs: the office's and someone else's."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    engine.dispose()
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    invoke(run, "keys", "generate", "--out", str(tmp_path / "other"))
    return {
        "db": Path(db_url),
        "key": tmp_path / "keys" / "moralbank_signing.key",
        "pub": tmp_path / "keys" / "moralbank_signing.pub",
        "other_pub": tmp_path / "other" / "moralbank_signing.pub",
        "dir": tmp_path,
    }


def forge_and_rehash(path: Path) -> tuple[str, int]:
    """Raise one entry's points tenfold and re-hash its village's chain from there on; returns (village, seq)."""
    conn = sqlite3.connect(path)
    for trigger in ENTRY_TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    village, seq = conn.execute("SELECT village, seq FROM entry WHERE kind = 'award' ORDER BY id LIMIT 1").fetchone()
    fields = ", ".join(CHAIN_FIELDS)
    rows = conn.execute(
        f"SELECT id, seq, prev_hash, {fields} FROM entry WHERE village = ? ORDER BY seq", (village,)
    ).fetchall()
    prev = None
    for entry_id, at, prev_hash, *values in rows:
        if at == seq:
            for name in ("amount", "coins", "earned"):
                values[CHAIN_FIELDS.index(name)] *= 10
            conn.execute(
                "UPDATE entry SET amount = amount * 10, coins = coins * 10, earned = earned * 10 WHERE id = ?",
                (entry_id,),
            )
        link = prev if prev is not None else prev_hash
        digest = entry_hash(link, values)
        conn.execute("UPDATE entry SET prev_hash = ?, hash = ? WHERE id = ?", (link, digest, entry_id))
        prev = digest
    conn.commit()
    conn.close()
    return village, seq


def mismatch_lines(run: Run, *args: str) -> list[str]:
    lines = failed(run("verify", *args)).splitlines()
    return [line.strip() for line in lines if "does not match the checkpoint" in line]


def signed_checkpoint(run: Run, office: dict[str, Path]) -> Path:
    out = office["dir"] / "2026-11.checkpoint.json"
    done = ok(run("checkpoint", "--sign", "--signing-key", str(office["key"]), "--out", str(out), operator=None))
    assert done == f"Wrote the signed checkpoint of {len(json.loads(out.read_text())['heads'])} chain(s) to {out}\n"
    return out


def test_a_signed_checkpoint_catches_a_fully_rehashed_forgery(run: Run, office: dict[str, Path]) -> None:
    signed = signed_checkpoint(run, office)
    body = json.loads(signed.read_text(encoding="utf-8"))
    assert body["format"] == "moralbank-checkpoint/1" and len(body["signature"]) == 88
    assert [h["village"] for h in body["heads"]] == sorted(h["village"] for h in body["heads"])
    assert set(body["heads"][0]) == {"village", "seq", "hash", "stock_seq", "stock_hash", "records_seq", "records_hash"}
    intact = ok(run("verify", "--checkpoint", str(signed), "--public-key", str(office["pub"])))
    assert intact.startswith(f"The checkpoint file {signed} has a valid signature (key ")
    village, seq = forge_and_rehash(office["db"])
    assert ok(run("verify")).startswith("Ledger intact")  # the forger re-hashed everything after the change
    last = next(h["seq"] for h in body["heads"] if h["village"] == village)
    assert mismatch_lines(run, "--checkpoint", str(signed), "--public-key", str(office["pub"])) == [
        f"village {village}, seq {last} (entry #{_entry_id(office['db'], village, last)}): "
        f"entry {last} does not match the checkpoint's hash"
    ]
    assert seq <= last


def _entry_id(path: Path, village: str, seq: int) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT id FROM entry WHERE village = ? AND seq = ?", (village, seq)).fetchone()[0])


def test_a_signed_checkpoint_is_refused_when_altered_signed_by_another_key_or_given_no_key(
    run: Run, office: dict[str, Path]
) -> None:
    signed = signed_checkpoint(run, office)
    no_key = one_line(failed(run("verify", "--checkpoint", str(signed))))
    assert no_key == (
        f"Error: {signed} is signed: give the signing office's public key with --public-key so its signature is checked"
    )
    other = one_line(failed(run("verify", "--checkpoint", str(signed), "--public-key", str(office["other_pub"]))))
    assert other.startswith(f"Error: {signed} was not signed with this public key's private key (signed by ")
    # A forger who re-hashed the chain writes its new heads into the published file: the signature says no.
    forge_and_rehash(office["db"])
    body = json.loads(signed.read_text(encoding="utf-8"))
    current = {h["village"]: h for h in json.loads(ok(run("checkpoint", "-f", "json")))}
    body["heads"] = [current[h["village"]] for h in body["heads"]]
    signed.write_text(json.dumps(body), encoding="utf-8")
    altered = one_line(failed(run("verify", "--checkpoint", str(signed), "--public-key", str(office["pub"]))))
    assert altered == (
        f"Error: The signature of {signed} does not match its content: the checkpoint was altered and proves nothing"
    )
    zh = failed(run("verify", "--checkpoint", str(signed), "--public-key", str(office["pub"]), lang="zh"))
    assert "签名与内容不符" in zh


def test_a_bank_lists_signature_catches_the_forgery(run: Run, office: dict[str, Path]) -> None:
    out = office["dir"] / "list.csv"
    args = ["credit", "export", "--as-of", AS_OF, "--bank", "高密农商银行", "--out", str(out)]
    ok(run(*args, "--signing-key", str(office["key"])))
    sig = office["dir"] / "list.csv.sig"
    assert ok(run("verify", "--checkpoint", str(sig), "--public-key", str(office["pub"]))).startswith(
        f"The checkpoint file {sig} has a valid signature"
    )
    forge_and_rehash(office["db"])
    assert ok(run("verify")).startswith("Ledger intact")
    assert len(mismatch_lines(run, "--checkpoint", str(sig), "--public-key", str(office["pub"]))) == 1
    assert "is signed: give the signing office's public key" in failed(run("verify", "--checkpoint", str(sig)))


def test_a_published_boards_json_and_the_plain_checkpoint_catch_the_forgery(run: Run, office: dict[str, Path]) -> None:
    plain = office["dir"] / "plain.json"
    plain.write_text(ok(run("checkpoint", "-f", "json")), encoding="utf-8")
    with sqlite3.connect(office["db"]) as conn:
        village, month = conn.execute(
            "SELECT village, substr(MIN(booked_on), 1, 7) FROM entry WHERE kind = 'award' GROUP BY village "
            "ORDER BY village LIMIT 1"
        ).fetchone()
    ok(run("board", "publish", "--village", village, "--month", month))
    board = office["dir"] / "board.json"
    board.write_text(ok(run("board", "show", "--village", village, "--month", month, "-f", "json")), encoding="utf-8")
    assert json.loads(board.read_text())["checkpoint"]["village"] == village
    forge_and_rehash(office["db"])
    assert len(mismatch_lines(run, "--checkpoint", str(plain))) == 1
    board_lines = [
        line for line in failed(run("verify", "--checkpoint", str(board))).splitlines() if "checkpoint" in line
    ]
    assert any("does not match the checkpoint's hash" in line for line in board_lines), board_lines


def test_a_head_loads_from_a_file_without_newer_fields_and_ignores_unknown_ones() -> None:
    old = head_from({"village": "NL", "seq": "5", "hash": "a" * 64})
    assert old == Head("NL", 5, "a" * 64)  # a file saved before the stock chains: empty stock chain
    newer = head_from({"village": "NL", "seq": 5, "hash": "a" * 64, "stock_seq": 2, "stock_hash": "b" * 64, "x": 1})
    assert (newer.stock_seq, newer.stock_hash) == (2, "b" * 64)
    with pytest.raises(ValueError, match="missing field 'hash'"):
        head_from({"village": "NL", "seq": 5})


def test_a_signed_checkpoint_needs_a_key_and_a_file(run: Run, office: dict[str, Path]) -> None:
    alone = one_line(failed(run("checkpoint", "--sign", "--out", str(office["dir"] / "cp.json"))))
    assert alone == "Error: A signed checkpoint needs both --signing-key and --out"
    assert "--signing-key 和 --out" in failed(
        run("checkpoint", "--sign", "--signing-key", str(office["key"]), lang="zh")
    )
    office["key"].chmod(0o644)
    opened = failed(run("checkpoint", "--sign", "--signing-key", str(office["key"]), "--out", "cp.json"))
    assert "has mode 644, readable by its group or others" in one_line(opened)
    assert not (office["dir"] / "cp.json").exists()
