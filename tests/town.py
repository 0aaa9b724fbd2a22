"""The synthetic towns the tests build: the core town, the publication town and the credit town.

Every ID number and phone is synthetic (valid check digits, nobody's real numbers) and seeded, so
the balances, ranks, ratings and golden files the tests assert stay put.

- The **core town** (南伦村 NL, 北宫村 BG; six households, four standards and a revision) serves
  the ledger, register, standards, integrity and journal tests.
- The **publication town** (东庄村 DZ, 西庄村 XZ; ten households, some not named on boards, five
  standards, October 2026 booked by the tests) serves the boards, notice and publication tests.
- The **credit town** (东庄村 DZ, 西庄村 XZ; fourteen households placed at the credit policy's
  thresholds) serves the credit and bank-export tests; its table is below, at ``CREDIT_DECISIONS``.

The core town is the default: its names carry no prefix (``build_register``, ``book``,
``RESOLUTION``); the other two towns' names say which town they belong to (``build_credit_town``,
``book_publication``, ``CREDIT_HOUSEHOLDS``).
"""

from __future__ import annotations

import csv
import random
import tomllib
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.services import ledger, register, standards
from moralbank.services.decisions import Decision
from moralbank.services.sheets import Sheet
from moralbank.storage.db import reading, writing
from moralbank.storage.models import Entry

TODAY = date(2026, 11, 29)
OPERATOR = "李会计"  # books the core and the credit town
PUBLICATION_OPERATOR = "张会计"

Row = dict[str, str]


# --- building blocks shared by the towns ---------------------------------------------------------


def _register(engine: Engine, villages: Sequence[Row], households: Sequence[Row], *, registered: str) -> None:
    """Villages and households, written through the register as their sheets would be."""
    with writing(engine) as session:
        register.add_villages(session, sheet=Sheet("villages", list(enumerate(villages, start=2))))
        register.add_households(
            session, sheet=Sheet("households", list(enumerate(households, start=2))), today=registered
        )


def _adopt(engine: Engine, sources: Iterable[str], *, source: str, operator: str) -> None:
    """Adopt each resolution (TOML text), one operation each."""
    for body in sources:
        with writing(engine) as session:
            standards.adopt(session, data=tomllib.loads(body), source=source, operator=operator, today=TODAY)


def _record(engine: Engine, decisions: Sequence[Decision], *, operator: str, first_row: int = 1) -> list[int]:
    """Record the decisions as one batch; returns the entry ids (a town may hold the same decision twice)."""
    batch = list(enumerate(decisions, start=first_row))
    with writing(engine) as session:
        written = ledger.record_decisions(
            session, decisions=batch, operator=operator, today=TODAY, source="test", repeat=True
        )
    return written.ids


def _first_entry(session: Session, household: str, standard: str) -> int:
    query = select(Entry.id).where(Entry.household == household, Entry.standard_id == f"*:{standard}:1")
    found = session.exec(query.order_by(col(Entry.seq))).first()
    assert found is not None, (household, standard)
    return found


def entry_id(engine: Engine, household: str, standard: str) -> int:
    """The id of a household's first entry under a standard code (version 1)."""
    with reading(engine) as session:
        return _first_entry(session, household, standard)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> Path:
    """A CSV file in the given encoding (``utf-8-sig`` for a BOM, ``gb18030`` as WPS writes)."""
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


_WEIFANG = {"town": "于河街道", "county": "潍坊市潍城区"}
EAST_AND_WEST = [{"code": "DZ", "name": "东庄村", **_WEIFANG}, {"code": "XZ", "name": "西庄村", **_WEIFANG}]


# --- the core town -------------------------------------------------------------------------------

VILLAGES = [{"code": "NL", "name": "南伦村", **_WEIFANG}, {"code": "BG", "name": "北宫村", **_WEIFANG}]
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


def household_rows(codes: Iterable[str] = HOUSEHOLD_CODES, seed: int = 7) -> list[Row]:
    """Core-town household sheet rows (the ``tests/golden`` IDs and phones come from this seed)."""
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


def build_register(engine: Engine, *, with_revision: bool = True) -> list[Row]:
    """The core town: villages, households and standards, with no entries; returns the households."""
    rows = household_rows()
    _register(engine, VILLAGES, rows, registered="2026-01-01")
    _adopt(
        engine,
        (RESOLUTION, REVISION) if with_revision else (RESOLUTION,),
        source="test",
        operator=OPERATOR,
    )
    return rows


def book(engine: Engine, rows: Iterable[tuple[str, str, int, str]], *, booked: str = "2026-10-25") -> list[int]:
    """Core town: record (household, standard, qty, key) decisions of 2026-10-05; returns the entry ids."""
    decisions = [
        Decision(household, std, qty, "2026-10-05", booked, f"note {key}", key) for household, std, qty, key in rows
    ]
    return _record(engine, decisions, operator=OPERATOR, first_row=2)


# --- the publication town ------------------------------------------------------------------------

PUBLICATION_STANDARDS = """
[resolution]
date = "2000-01-01"
body = "村民代表会议"
members = 35
present = 31
in_favour = 29
against = 1
abstain = 1

[[standards]]
code = "HJ01"
title = "门前三包、庭院整洁"
category = "环境卫生"
points = 2
monthly_cap = 4

[[standards]]
code = "ZY01"
title = "参加志愿义务劳动"
category = "志愿服务"
points = 5

[[standards]]
code = "ZY02"
title = "参加夜间治安巡逻"
category = "志愿服务"
points = 1

[[standards]]
code = "LL03"
title = "打架斗殴"
category = "邻里和睦"
points = -10

[[standards]]
code = "HJ04"
title = "焚烧秸秆、垃圾"
category = "环境卫生"
points = -5
"""

# code, village, head, consent to be named on boards
PUBLICATION_HOUSEHOLDS = [
    ("DZ01", "DZ", "刘志涛", True),
    ("DZ02", "DZ", "王玉霞", False),
    ("DZ03", "DZ", "张学勇", True),
    ("DZ04", "DZ", "高新华", True),
    ("DZ05", "DZ", "徐光成", False),
    ("DZ06", "DZ", "李秀梅", True),
    ("XZ01", "XZ", "赵庆贵", True),
    ("XZ02", "XZ", "郭永山", False),
    ("XZ03", "XZ", "宫立林", True),
    ("XZ04", "XZ", "韩光华", True),
]

# October 2026 in 东庄 (DZ) and 西庄 (XZ): DZ02 and DZ03 tie at 10, DZ01 and XZ01 tie at 12
# (county), DZ06 only loses points, DZ04 gains 5 and loses 10, XZ04 gets nothing.
OCTOBER = [
    ("DZ01", "ZY01", 2),
    ("DZ01", "HJ01", 1),
    ("DZ02", "ZY01", 2),
    ("DZ03", "ZY01", 1),
    ("DZ03", "ZY02", 5),
    ("DZ04", "ZY01", 1),
    ("DZ04", "LL03", 1),
    ("DZ05", "ZY02", 3),
    ("DZ06", "HJ04", 1),
    ("XZ01", "ZY01", 2),
    ("XZ01", "HJ01", 1),
    ("XZ02", "ZY01", 3),
    ("XZ03", "ZY02", 1),
]


def build_publication_town(engine: Engine, *, black_list_in: tuple[str, ...] = ("DZ",)) -> None:
    """The publication town's villages, households and standards, with no entries."""
    rng = random.Random(2026)
    rows = [
        {
            "code": code,
            "village": village,
            "head_name": head,
            "id_number": synthetic_id(rng),
            "phone": synthetic_phone(rng),
            "members": "3",
            "consent_board": "是" if consent else "否",
            "consent_bank": "否",
        }
        for code, village, head, consent in PUBLICATION_HOUSEHOLDS
    ]
    _register(engine, EAST_AND_WEST, rows, registered=TODAY.isoformat())
    _adopt(engine, (PUBLICATION_STANDARDS,), source="standards", operator=PUBLICATION_OPERATOR)
    with writing(engine) as session:
        for code in black_list_in:
            session.execute(text("UPDATE village SET black_list = 1 WHERE code = :c"), {"c": code})


def book_publication(
    engine: Engine, decisions: list[tuple[str, str, int]], booked_on: str, *, operator: str = PUBLICATION_OPERATOR
) -> None:
    """Publication town: record (household, standard, qty) decisions booked, and happening, on one day."""
    _record(engine, [Decision(h, s, q, booked_on, booked_on) for h, s, q in decisions], operator=operator)


# --- the credit town -----------------------------------------------------------------------------
#
# Rated as of 2026-11-29 under the packaged policy (window 2025-11-30..2026-11-29, veto window
# from 2024-11-30, tiers A 30 / AA 60 / AAA 100 + 10,000 per 10 points up to 300,000):
#
# village  code  ledger                                                       rating
# DZ       DZ01  100 points                                                   AAA 100,000
# DZ       DZ02  99                                                           AA 80,000
# DZ       DZ03  60                                                           AA 80,000
# DZ       DZ04  59                                                           A 50,000
# DZ       DZ05  30 (one entry)                                               A 50,000
# DZ       DZ06  29                                                           below minimum
# DZ       DZ07  95, then a gambling deduction (veto) -50 on 2026-03-10       veto
# DZ       DZ08  110, no consent to share with banks                          AAA 110,000
# DZ       DZ09  40 booked 2025-11-29 (one day before the window) + 31        A 50,000
# DZ       DZ10  nothing                                                      (not listed)
# XZ       XZ01  310                                                          AAA 300,000
# XZ       XZ02  35, then redeems 20 coins                                    A 50,000
# XZ       XZ03  50; a veto deduction on 2026-05-10 reversed on 2026-06-01    A 50,000
# XZ       XZ04  a veto deduction on 2024-11-29 (one day before the window),  A 50,000
#                then 35 points
#
# DZ: 7 of 10 rated (70%: a credit village, exactly). XZ: 4 of 4, none vetoed, one AAA of four:
# a benchmark village (a model village needs half at AA or better).

AS_OF = "2026-11-29"
CREDIT_REGISTERED = "2024-01-01"

CREDIT_STANDARDS = """
[resolution]
date = "2000-01-01"
body = "村民代表会议"
members = 35
present = 31
in_favour = 29
against = 1
abstain = 1

[[standards]]
code = "ZY01"
title = "参加志愿义务劳动"
category = "志愿服务"
points = 5

[[standards]]
code = "ZY02"
title = "参加夜间治安巡逻"
category = "志愿服务"
points = 1

[[standards]]
code = "HJ04"
title = "焚烧秸秆、垃圾"
category = "环境卫生"
points = -5

[[standards]]
code = "ZF03"
title = "赌博"
category = "遵纪守法"
points = -50
veto = true
"""

# code, village, head, consent to share with banks
CREDIT_HOUSEHOLDS = [
    ("DZ01", "DZ", "刘志涛", True),
    ("DZ02", "DZ", "王玉霞", True),
    ("DZ03", "DZ", "张学勇", True),
    ("DZ04", "DZ", "高新华", True),
    ("DZ05", "DZ", "徐光成", True),
    ("DZ06", "DZ", "李秀梅", True),
    ("DZ07", "DZ", "赵庆贵", True),
    ("DZ08", "DZ", "郭永山", False),
    ("DZ09", "DZ", "宫立林", True),
    ("DZ10", "DZ", "韩光华", True),
    ("XZ01", "XZ", "孙明涛", True),
    ("XZ02", "XZ", "董桂云", True),
    ("XZ03", "XZ", "曹海刚", True),
    ("XZ04", "XZ", "马建峰", True),
]

# (household, standard, qty, booked_on), in booking order.
CREDIT_DECISIONS = [
    ("XZ04", "ZY01", 10, "2024-10-25"),
    ("XZ04", "ZF03", 1, "2024-11-29"),
    ("DZ09", "ZY01", 8, "2025-11-29"),
    ("DZ07", "ZY01", 19, "2026-01-25"),
    ("DZ07", "ZF03", 1, "2026-03-10"),
    ("XZ03", "ZY01", 10, "2026-04-25"),
    ("XZ03", "ZF03", 1, "2026-05-10"),
    ("DZ01", "ZY01", 20, "2026-10-25"),
    ("DZ02", "ZY01", 19, "2026-10-25"),
    ("DZ02", "ZY02", 4, "2026-10-25"),
    ("DZ03", "ZY01", 12, "2026-10-25"),
    ("DZ04", "ZY01", 12, "2026-10-25"),
    ("DZ04", "ZY02", 4, "2026-10-25"),
    ("DZ04", "HJ04", 1, "2026-10-25"),
    ("DZ05", "ZY01", 6, "2026-10-25"),
    ("DZ06", "ZY01", 5, "2026-10-25"),
    ("DZ06", "ZY02", 4, "2026-10-25"),
    ("DZ08", "ZY01", 22, "2026-10-25"),
    ("DZ09", "ZY01", 6, "2026-10-25"),
    ("DZ09", "ZY02", 1, "2026-10-25"),
    ("XZ01", "ZY01", 62, "2026-10-25"),
    ("XZ02", "ZY01", 7, "2026-10-25"),
    ("XZ04", "ZY01", 7, "2026-10-25"),
]

# household: (points, tier, credit line in yuan, why not rated)
RATINGS = {
    "DZ01": (100, "AAA", 100_000, None),
    "DZ02": (99, "AA", 80_000, None),
    "DZ03": (60, "AA", 80_000, None),
    "DZ04": (59, "A", 50_000, None),
    "DZ05": (30, "A", 50_000, None),
    "DZ06": (29, None, 0, "below_minimum"),
    "DZ07": (45, None, 0, "veto"),
    "DZ08": (110, "AAA", 110_000, None),
    "DZ09": (31, "A", 50_000, None),
    "XZ01": (310, "AAA", 300_000, None),
    "XZ02": (35, "A", 50_000, None),
    "XZ03": (50, "A", 50_000, None),
    "XZ04": (35, "A", 50_000, None),
}


def credit_id_numbers() -> dict[str, str]:
    """The synthetic ID number of each credit-town household (seeded, so golden files stay put)."""
    rng = random.Random(44)
    return {code: synthetic_id(rng) for code, *_ in CREDIT_HOUSEHOLDS}


def register_credit_town(engine: Engine) -> None:
    """The credit town's villages, households (registered 2024-01-01) and standards, with no entries."""
    rng, ids = random.Random(45), credit_id_numbers()
    rows = [
        {
            "code": code,
            "village": village,
            "head_name": head,
            "id_number": ids[code],
            "phone": synthetic_phone(rng),
            "members": "3",
            "consent_board": "是",
            "consent_bank": "是" if consent else "否",
        }
        for code, village, head, consent in CREDIT_HOUSEHOLDS
    ]
    _register(engine, EAST_AND_WEST, rows, registered=CREDIT_REGISTERED)
    _adopt(engine, (CREDIT_STANDARDS,), source="standards", operator=OPERATOR)


def book_credit(engine: Engine, decisions: list[tuple[str, str, int, str]]) -> None:
    """Credit town: record (household, standard, qty, day) decisions, each booked (and happening) on its day."""
    _record(engine, [Decision(h, s, q, day, day) for h, s, q, day in decisions], operator=OPERATOR)


def build_credit_town(engine: Engine) -> None:
    """The whole credit town as the table above describes it."""
    register_credit_town(engine)
    book_credit(engine, CREDIT_DECISIONS)
    with writing(engine) as session:
        ledger.reverse(
            session,
            entry_id=_first_entry(session, "XZ03", "ZF03"),
            reason="复核：举报不实",
            operator=OPERATOR,
            booked_on="2026-06-01",
            today=TODAY,
        )
        ledger.redeem(
            session, household="XZ02", coins=20, item="洗衣液", operator=OPERATOR, booked_on="2026-11-02", today=TODAY
        )
