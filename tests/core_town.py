"""A small synthetic register for the ledger-core tests: two villages, six households, four standards."""

from __future__ import annotations

import csv
import random
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from typer.testing import Result

from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.services import register, standards
from moralbank.services.sheets import Sheet
from moralbank.storage.db import reading, writing

TODAY = date(2026, 11, 29)
OPERATOR = "李会计"

VILLAGES = [
    {"code": "NL", "name": "南伦村", "town": "于河街道", "county": "潍坊市潍城区"},
    {"code": "BG", "name": "北宫村", "town": "于河街道", "county": "潍坊市潍城区"},
]
HOUSEHOLD_CODES = ("NL001", "NL002", "NL003", "NL004", "BG001", "BG002")

# County-wide, adopted 2026-01-10 (30 members, 25 present, 20 in favour).
RESOLUTION = """
[resolution]
date = "2026-01-10"
body = "村民代表会议"
members = 30
present = 25
in_favour = 20
against = 3
abstain = 2
minutes = "通过道德银行积分标准"

[[standards]]
code = "XL01"
title = "孝敬赡养父母"
category = "孝老爱亲"
points = 5
monthly_cap = 10

[[standards]]
code = "ZY01"
title = "参加志愿义务劳动"
category = "志愿服务"
points = 3

[[standards]]
code = "LL03"
title = "打架斗殴"
category = "邻里和睦"
points = -10

[[standards]]
code = "ZF03"
title = "参与赌博"
category = "遵纪守法"
points = -20
veto = true
"""

# ZY01 raised from 3 to 4 points from 2026-06-01, by a resolution of 2026-05-20.
REVISION = """
[resolution]
date = "2026-05-20"
body = "村民代表会议"
members = 30
present = 21
in_favour = 11
against = 5
abstain = 5

[[standards]]
code = "ZY01"
title = "参加志愿义务劳动（修订）"
category = "志愿服务"
points = 4
effective_from = "2026-06-01"
"""


def household_rows(codes: Iterable[str] = HOUSEHOLD_CODES, seed: int = 7) -> list[dict[str, str]]:
    """Households with synthetic IDs and phones (valid check digits, nobody's real numbers)."""
    rng = random.Random(seed)
    rows = []
    for number, code in enumerate(codes, start=1):
        rows.append(
            {
                "code": code,
                "village": code[:2],
                "head_name": ["王建国", "刘秀英", "张学勇", "赵桂兰", "孙立新", "周红梅"][number % 6],
                "id_number": synthetic_id(rng),
                "phone": synthetic_phone(rng),
                "members": str(1 + number % 5),
                "grid": "第一网格",
                "address": f"{code[:2]}村前街{number}号",
                "consent_board": "是",
                "consent_bank": "否" if number % 2 else "是",
            }
        )
    return rows


def build_register(engine: Engine, *, with_revision: bool = True) -> list[dict[str, str]]:
    """Villages, households and standards, written through the services; returns the households."""
    import tomllib

    rows = household_rows()
    with writing(engine) as session:
        register.add_villages(session, sheet=Sheet("villages", list(enumerate(VILLAGES, start=2))))
        register.add_households(session, sheet=Sheet("households", list(enumerate(rows, start=2))), today="2026-01-01")
    for source in (RESOLUTION, REVISION) if with_revision else (RESOLUTION,):
        with writing(engine) as session:
            standards.adopt(session, data=tomllib.loads(source), source="test", operator=OPERATOR, today=TODAY)
    return rows


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> Path:
    """A CSV file in the given encoding (``utf-8-sig`` for a BOM, ``gb18030`` as WPS writes)."""
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def fresh_sqlite(folder: Path) -> str:
    """A fresh, initialised SQLite ledger file in ``folder``."""
    from moralbank.storage.db import open_engine
    from moralbank.storage.schema import apply_schema

    path = str(folder / "ledger.db")
    engine = open_engine(path)
    apply_schema(engine)
    engine.dispose()
    return path


def row_count(engine: Engine, table: str) -> int:
    """How many rows one table holds."""
    with reading(engine) as session:
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def entry_count(engine: Engine) -> int:
    """How many entries the ledger holds."""
    return row_count(engine, "entry")


def table_count(db: str, table: str) -> int:
    """Rows in one table of a SQLite file, read with the sqlite3 module."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def failed(result: Result) -> str:
    """The stderr of a refused command, after checking it exited 1 without a traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.stderr


def ok(result: Result) -> str:
    """The stdout of a command that succeeded."""
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def one_line(message: str) -> str:
    """A message as printed: rich may wrap long lines on a narrow terminal."""
    return " ".join(message.split())


def book(engine: Engine, rows: Iterable[tuple[str, str, int, str]], *, booked: str = "2026-10-25") -> list[int]:
    """Record (household, standard, qty, key) decisions dated in October 2026; returns the entry ids."""
    from moralbank.services.decisions import Decision
    from moralbank.services.ledger import record_decisions

    decisions = [
        (number, Decision(household, std, qty, "2026-10-05", booked, f"note {key}", key))
        for number, (household, std, qty, key) in enumerate(rows, start=2)
    ]
    with writing(engine) as session:
        written = record_decisions(session, decisions=decisions, operator=OPERATOR, today=TODAY, source="test")
    return written.ids
