"""Regressions for review findings: personal numbers in free text, household sheet columns, date ranges."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moralbank.domain.identity import synthetic_id, synthetic_phone

Run = Callable[..., Any]
RNG = random.Random(4242)
ID_A, ID_B = synthetic_id(RNG), synthetic_id(RNG)
PHONE = synthetic_phone(RNG)

RESOLUTION = """
[resolution]
date = "2026-08-20"
body = "村民代表会议"
members = 30
present = 25
in_favour = 20
against = 3
abstain = 2
[[standards]]
code = "ZY01"
title = "参加志愿义务劳动"
category = "志愿服务"
points = 5
"""


def _village(run: Run, tmp_path: Path) -> None:
    run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")
    run("household", "add", "NL001", "--village", "NL", "--head-name", "张建国", "--id-number", ID_A)
    (tmp_path / "s.toml").write_text(RESOLUTION, encoding="utf-8")
    assert run("standard", "adopt", str(tmp_path / "s.toml")).exit_code == 0


def _count(run: Run) -> int:
    return len(run("statement", "NL001", "--format", "json").stdout.split('"id":')) - 1


def test_free_text_with_an_id_or_phone_is_refused_and_nothing_is_written(run: Run, tmp_path: Path) -> None:
    _village(run, tmp_path)
    note = run("award", "NL001", "ZY01", "--on", "2026-09-02", "--booked", "2026-09-25", "--note", f"电话{PHONE}")
    assert note.exit_code == 1
    assert "field note: must not contain an ID or mobile number" in note.output
    assert PHONE not in note.output
    assert _count(run) == 0
    sheet = tmp_path / "d.csv"
    sheet.write_text(
        f"household,standard,event_date,booked_on,note\nNL001,ZY01,2026-09-02,2026-09-25,身份证{ID_B}\n",
        encoding="utf-8",
    )
    rows = run("import", "decisions", str(sheet), lang="zh")
    assert rows.exit_code == 1
    assert "第 2 行，字段 note：不得含身份证号或手机号" in rows.output
    ok = run("award", "NL001", "ZY01", "--on", "2026-09-02", "--booked", "2026-09-25")
    entry = ok.stdout.split()[-1]
    reason = run("reverse", entry, "--reason", f"联系{PHONE}")
    assert reason.exit_code == 1 and "reason must not contain" in reason.output
    item = run("redeem", "NL001", "5", "--item", f"肥皂 {ID_B}")
    assert item.exit_code == 1 and "item must not contain" in item.output
    assert _count(run) == 1


def test_a_households_sheet_must_carry_members_and_both_consents(run: Run, tmp_path: Path) -> None:
    run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")
    sheet = tmp_path / "h.csv"
    sheet.write_text(f"code,village,head_name,id_number\nNL002,NL,王秀英,{ID_B}\n", encoding="utf-8")
    result = run("import", "households", str(sheet))
    assert result.exit_code == 1
    for column in ("members", "consent_board", "consent_bank"):
        assert f"row 1, field {column}: a required column is missing" in result.output
    assert run("household", "list", "--format", "json").stdout.strip() == "[]"


def test_a_statement_range_that_ends_before_it_starts_is_refused(run: Run, tmp_path: Path) -> None:
    _village(run, tmp_path)
    result = run("statement", "NL001", "--from", "2026-11-30", "--to", "2026-10-01")
    assert result.exit_code == 1
    assert "--from 2026-11-30 is after --to 2026-10-01" in result.output
