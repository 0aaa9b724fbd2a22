"""A small synthetic town for the credit tests: households placed exactly at the policy's thresholds.

Rated as of 2026-11-29 under the packaged policy (window 2025-11-30..2026-11-29, veto window
from 2024-11-30, tiers A 30 / AA 60 / AAA 100 + 10,000 per 10 points up to 300,000):

=======  ======  ==========================================================  =============
village  code    ledger                                                      rating
=======  ======  ==========================================================  =============
DZ       DZ01    100 points                                                  AAA 100,000
DZ       DZ02    99                                                          AA 80,000
DZ       DZ03    60                                                          AA 80,000
DZ       DZ04    59                                                          A 50,000
DZ       DZ05    30 (one entry)                                              A 50,000
DZ       DZ06    29                                                          below minimum
DZ       DZ07    95, then a gambling deduction (veto) -50 on 2026-03-10      veto
DZ       DZ08    110, no consent to share with banks                         AAA 110,000
DZ       DZ09    40 booked 2025-11-29 (one day before the window) + 31       A 50,000
DZ       DZ10    nothing                                                     (not listed)
XZ       XZ01    310                                                         AAA 300,000
XZ       XZ02    35, then redeems 20 coins                                   A 50,000
XZ       XZ03    50; a veto deduction on 2026-05-10 reversed on 2026-06-01   A 50,000
XZ       XZ04    a veto deduction on 2024-11-29 (one day before the window)  A 50,000
                 then 35 points
=======  ======  ==========================================================  =============

DZ: 7 of 10 rated (70%: a credit village, exactly). XZ: 4 of 4, none vetoed, one AAA of four:
a benchmark village (a model village needs half at AA or better).
"""

from __future__ import annotations

import random
import tomllib
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.services import ledger, register, standards
from moralbank.services.decisions import Decision
from moralbank.services.sheets import Sheet
from moralbank.storage.db import reading, writing
from moralbank.storage.models import Entry

TODAY = date(2026, 11, 29)
AS_OF = "2026-11-29"
OPERATOR = "李会计"
REGISTERED = "2024-01-01"

STANDARDS = """
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
HOUSEHOLDS = [
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
DECISIONS = [
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

EXPECTED = {
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


def id_numbers() -> dict[str, str]:
    """The synthetic ID number of each household (seeded, so golden files stay put)."""
    rng = random.Random(44)
    return {code: synthetic_id(rng) for code, *_ in HOUSEHOLDS}


def register_town(engine: Engine) -> None:
    """The villages, households (registered 2024-01-01) and standards, with no entries."""
    rng, ids = random.Random(45), id_numbers()
    with writing(engine) as session:
        register.add_village(session, code="DZ", name="东庄村", town="于河街道", county="潍坊市潍城区")
        register.add_village(session, code="XZ", name="西庄村", town="于河街道", county="潍坊市潍城区")
    rows = [
        (
            n,
            {
                "code": code,
                "village": village,
                "head_name": head,
                "id_number": ids[code],
                "phone": synthetic_phone(rng),
                "members": "3",
                "consent_board": "是",
                "consent_bank": "是" if consent else "否",
            },
        )
        for n, (code, village, head, consent) in enumerate(HOUSEHOLDS, start=1)
    ]
    with writing(engine) as session:
        register.add_households(session, sheet=Sheet("households", rows), today=REGISTERED)
        standards.adopt(session, data=tomllib.loads(STANDARDS), source="standards", operator=OPERATOR, today=TODAY)


def book(engine: Engine, decisions: list[tuple[str, str, int, str]]) -> None:
    """Record decisions, each booked (and happening) on its own day."""
    batch = [(n, Decision(h, s, q, day, day)) for n, (h, s, q, day) in enumerate(decisions, start=1)]
    with writing(engine) as session:
        ledger.record_decisions(session, decisions=batch, operator=OPERATOR, today=TODAY, source="test")


def entry_id(engine: Engine, household: str, standard: str) -> int:
    """The id of a household's first entry under a standard code."""
    with reading(engine) as session:
        return _id(session, household, standard)


def build_town(engine: Engine) -> None:
    """The whole town as the table above describes it."""
    register_town(engine)
    book(engine, DECISIONS)
    with writing(engine) as session:
        ledger.reverse(
            session,
            entry_id=_id(session, "XZ03", "ZF03"),
            reason="复核：举报不实",
            operator=OPERATOR,
            booked_on="2026-06-01",
            today=TODAY,
        )
        ledger.redeem(
            session, household="XZ02", coins=20, item="洗衣液", operator=OPERATOR, booked_on="2026-11-02", today=TODAY
        )


def _id(session: Session, household: str, standard: str) -> int:
    query = select(Entry.id).where(Entry.household == household, Entry.standard_id == f"*:{standard}:1")
    found = session.exec(query.order_by(col(Entry.seq))).first()
    assert found is not None
    return found
