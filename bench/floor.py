"""The floors moralbank is measured against: raw Python sqlite3 doing the same appends and checks."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sqlite3
import sys
import tomllib
from pathlib import Path
from typing import Any

# The same field order as moralbank.domain.chain.CHAIN_FIELDS (checked by bench/run.py --smoke).
CHAIN_FIELDS = (
    "village",
    "seq",
    "kind",
    "household",
    "debit",
    "credit",
    "amount",
    "coins",
    "earned",
    "standard_id",
    "qty",
    "event_date",
    "booked_on",
    "ref_seq",
    "note",
    "operator",
    "idem_key",
    "recorded_at",
)
COLUMNS = (*CHAIN_FIELDS, "prev_hash", "hash")
INSERT = f"INSERT INTO entry ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
GENESIS = "0" * 64
RECORDED_AT = "2026-11-29T00:00:00+00:00"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def connect(db: Path) -> sqlite3.Connection:
    """A connection with the pragmas moralbank uses for a bulk import, but a 256 MB page cache.

    moralbank's bulk cache is 160 MB since issue 16 (memory under 400 MB at any size); the floor
    keeps 256 MB, which only makes it faster, and so the target stricter.
    """
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "cache_size=-262144"):
        con.execute(f"PRAGMA {pragma}")
    return con


def entry_hash(prev: str, values: list[Any]) -> str:
    """SHA-256 over the previous hash and the entry's compact JSON."""
    digest = hashlib.sha256(prev.encode())
    digest.update(_dumps(values).encode())
    return digest.hexdigest()


def heads(con: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    """Every village's chain head (SQLite returns the row holding the MAX)."""
    rows = con.execute("SELECT village, MAX(seq), hash FROM entry GROUP BY village")
    return {village: (seq, digest) for village, seq, digest in rows}


def entry_values(row: dict[str, str], village: str, std: tuple[str, int]) -> list[Any]:
    """The chain fields of one decision row, before its position in the chain."""
    std_id, points = std
    qty = int(row["qty"] or 1)
    amount = abs(points) * qty
    mine, issuance = f"households:{village}:{row['household']}", f"village:{village}:issuance"
    awarding = points > 0
    signed = amount if awarding else -amount
    return [
        village,
        0,
        "award" if awarding else "deduction",
        row["household"],
        issuance if awarding else mine,
        mine if awarding else issuance,
        amount,
        signed,
        signed,
        std_id,
        qty,
        row["event_date"],
        row["booked_on"],
        None,
        row["note"],
        "bench",
        row["key"] or None,
        RECORDED_AT,
    ]


def sealed(rows: list[list[Any]], head: dict[str, tuple[int, str]]) -> list[list[Any]]:
    """Give each entry its chain position, previous hash and hash, village by village."""
    rows.sort(key=lambda values: values[0])
    for values in rows:
        seq, prev = head.get(values[0], (0, GENESIS))
        values[1] = seq + 1
        digest = entry_hash(prev, values)
        values += [prev, digest]
        head[values[0]] = (seq + 1, digest)
    return rows


def standards(path: Path) -> dict[str, tuple[str, int]]:
    """Standard code -> (id, points) for the benchmark's single county-wide resolution."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {s["code"]: (f"*:{s['code']}:1", int(s["points"])) for s in data["standards"]}


def append(db: Path, sheet: Path, toml: Path) -> int:
    """Read a decisions sheet and append it, hash-chained, in one transaction."""
    con = connect(db)
    book = standards(toml)
    with sheet.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    con.execute("BEGIN IMMEDIATE")
    village_of = dict(con.execute("SELECT code, village FROM household"))
    values = [entry_values(row, village_of[row["household"]], book[row["standard"]]) for row in rows]
    con.executemany(INSERT, sealed(values, heads(con)))
    con.execute("COMMIT")
    return len(values)


def append_one(db: Path, household: str, std_id: str, points: int, key: str) -> int:
    """Append one award with its hash, committed (the floor for ``award``)."""
    con = connect(db)
    con.execute("BEGIN IMMEDIATE")
    (village,) = con.execute("SELECT village FROM household WHERE code = ?", (household,)).fetchone()
    found = con.execute("SELECT seq, hash FROM entry WHERE village = ? ORDER BY seq DESC LIMIT 1", (village,))
    head = {village: tuple(found.fetchone() or (0, GENESIS))}
    row = {"household": household, "qty": "1", "event_date": "2026-11-20", "booked_on": "2026-11-20"}
    values = entry_values(row | {"note": "", "key": key}, village, (std_id, points))
    con.executemany(INSERT, sealed([values], head))
    con.execute("COMMIT")
    return 1


def recheck(db: Path) -> int:
    """Recompute every village's chain in Python (the floor for ``verify``); exits 1 on a bad hash."""
    con = sqlite3.connect(db)
    query = f"SELECT {', '.join(COLUMNS)} FROM entry ORDER BY village, seq"
    village, prev, count = None, GENESIS, 0
    for row in con.execute(query):
        if row[0] != village:
            village, prev = row[0], GENESIS
        if row[-2] != prev or entry_hash(prev, list(row[:-2])) != row[-1]:
            sys.exit(f"bad entry at {row[0]} {row[1]}")
        prev = row[-1]
        count += 1
    return count


def main() -> None:
    """``floor.py append DB SHEET TOML`` | ``append-one DB HOUSEHOLD STD_ID POINTS KEY`` | ``recheck DB``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("task", choices=("append", "append-one", "recheck"))
    parser.add_argument("args", nargs="+")
    args = parser.parse_args()
    db = Path(args.args[0])
    if args.task == "append":
        count = append(db, Path(args.args[1]), Path(args.args[2]))
    elif args.task == "append-one":
        household, std_id, points, key = args.args[1:5]
        count = append_one(db, household, std_id, int(points), key)
    else:
        count = recheck(db)
    print(count)


if __name__ == "__main__":
    main()
