"""A small synthetic town for the publication tests: two villages, ten households, five standards."""

from __future__ import annotations

import random
import re
import tomllib
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.services import ledger, register, standards
from moralbank.services.decisions import Decision
from moralbank.services.sheets import Sheet
from moralbank.storage.db import writing

TODAY = date(2026, 11, 29)
OPERATOR = "张会计"

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
HOUSEHOLDS = [
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


def build_town(engine: Engine, *, black_list_in: tuple[str, ...] = ("DZ",)) -> None:
    """Register the villages and households and adopt the standards."""
    rng = random.Random(2026)
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
                "id_number": synthetic_id(rng),
                "phone": synthetic_phone(rng),
                "members": "3",
                "consent_board": "是" if consent else "否",
                "consent_bank": "否",
            },
        )
        for n, (code, village, head, consent) in enumerate(HOUSEHOLDS, start=1)
    ]
    with writing(engine) as session:
        register.add_households(session, sheet=Sheet("households", rows), today=TODAY.isoformat())
        standards.adopt(session, data=tomllib.loads(STANDARDS), source="standards", operator=OPERATOR, today=TODAY)
    with writing(engine) as session:
        for code in black_list_in:
            session.execute(text("UPDATE village SET black_list = 1 WHERE code = :c"), {"c": code})


def book(engine: Engine, decisions: list[tuple[str, str, int]], booked_on: str, *, operator: str = OPERATOR) -> None:
    """Record decisions booked on one day (events on the same day)."""
    batch = [(n, Decision(h, s, q, booked_on, booked_on)) for n, (h, s, q) in enumerate(decisions, start=1)]
    with writing(engine) as session:
        ledger.record_decisions(session, decisions=batch, operator=operator, today=TODAY, source="test")


def normalised(output: str) -> str:
    """Output with what changes run to run (hashes, times, temporary paths) replaced by placeholders."""
    output = re.sub(r"\b[0-9a-f]{64}\b", "<hash>", output)
    return re.sub(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\+00:00|Z)?| \d{2}:\d{2})", "<time>", output)


def invoke(run: Any, *args: str, **kwargs: Any) -> Any:
    """Run the CLI and fail with its output when it does not succeed."""
    result = run(*args, **kwargs)
    assert result.exit_code == 0, result.output
    return result
