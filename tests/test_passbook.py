"""The passbook (存折): a household's statement in plain words, in every format, printed for the handout."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from tests.clock import freeze_today
from tests.golden_files import assert_golden, normalised
from tests.printing import has_cjk_font, needs_chromium, print_page, screenshot
from tests.runner import Run, invoke
from tests.town import OCTOBER, TODAY, book_publication, build_publication_town, build_register


def test_a_statement_range_that_ends_before_it_starts_is_refused(run: Run, engine: Engine) -> None:
    build_register(engine)
    result = run("statement", "NL001", "--from", "2026-11-30", "--to", "2026-10-01")
    assert result.exit_code == 1
    assert "--from 2026-11-30 is after --to 2026-10-01" in result.output


def _proposed(run: Run, household: str, booked: str) -> int:
    said = invoke(run, "award", household, "ZY01", "--on", booked, "--booked", booked).stdout
    return int(said.split()[3].rstrip(":"))


@pytest.fixture
def month(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """DZ in November: a posted proposal, a voided one, a reversed award, a redemption."""
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    invoke(run, "village", "set", "DZ", "--notice-days", "20")
    posted = _proposed(run, "DZ01", "2026-11-05")
    voided = _proposed(run, "DZ01", "2026-11-12")
    invoke(run, "object", str(voided), "--reason", "当天不在村")
    invoke(run, "settle", "--village", "DZ")
    invoke(run, "village", "set", "DZ", "--notice-days", "0")
    invoke(run, "award", "DZ01", "HJ01", "--on", "2026-11-21", "--booked", "2026-11-21")
    wrong = json.loads(invoke(run, "statement", "DZ01", "-f", "json").stdout)["lines"][-1]["id"]
    invoke(run, "reverse", str(wrong), "--reason", "录入错误", "--booked", "2026-11-22")
    invoke(run, "redeem", "DZ01", "2", "--item", "香皂", "--booked", "2026-11-23")
    return {"posted": posted, "voided": voided, "wrong": wrong}


def _november(run: Run, fmt: str, *extra: str, lang: str = "zh") -> str:
    args = ("statement", "DZ01", "--from", "2026-11-01", "--to", "2026-11-30", "-f", fmt, *extra)
    return invoke(run, *args, lang=lang).stdout


def test_a_proposal_and_its_posting_are_one_line_and_a_reversal_names_what_it_undoes(
    run: Run, month: dict[str, int]
) -> None:
    data = json.loads(_november(run, "json"))
    lines = [
        (x["kind"], x["booked_on"], x["coins"], x["balance"], x["reverses"], x["reversed_by"]) for x in data["lines"]
    ]
    wrong = month["wrong"]
    assert lines == [
        ("award", "2026-11-05", 5, 17, None, None),  # one line for the proposal and its posting
        ("voided", "2026-11-12", 0, 17, None, None),
        ("award", "2026-11-21", 2, 19, None, wrong + 1),
        ("reversal", "2026-11-22", -2, 17, wrong, None),
        ("redemption", "2026-11-23", -2, 15, None, None),
    ]
    assert data["lines"][0]["posted_on"] == "2026-11-05" and data["lines"][0]["proposal"] == month["posted"]
    assert (data["opening"], data["closing"], data["earned"]) == (12, 15, 17)
    assert data["village_name"] == "东庄村" and len(data["checkpoint"]["hash"]) == 64
    table = _november(run, "table", lang="en")
    assert f"Reverses no. {wrong}: 录入错误" in table and "proposal voided" in table
    assert "被冲正于" not in _november(run, "md") and "冲正记录" not in _november(run, "md")


def test_the_passbook_sheet_is_in_chinese_with_a_bom_and_real_cells(
    run: Run, month: dict[str, int], tmp_path: Path
) -> None:
    raw = _november(run, "csv")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.encode("utf-8").decode("utf-8-sig"))))
    assert rows[0][:6] == ["记录号", "记账日期", "发生日期", "类型", "标准编号", "标准"]
    assert [r[3] for r in rows[1:]] == ["加分", "拟记已作废", "加分", "冲正", "兑换"]
    english = list(csv.reader(io.StringIO(_november(run, "csv", lang="en").lstrip("\ufeff"))))
    assert english[0][:4] == ["Entry", "Booked", "Event", "Kind"] and english[1][3] == "award"
    book = tmp_path / "DZ01.xlsx"
    _november(run, "xlsx", "--out", str(book))
    sheet = load_workbook(book).worksheets[0]
    assert sheet.title == "DZ01 刘志涛"
    first = [c.value for c in sheet[2]]
    assert first[0] == month["posted"] + 3 and first[3] == "加分"
    assert sheet["B2"].is_date and sheet["B2"].value.date().isoformat() == "2026-11-05"
    assert sheet["H2"].data_type == "n" and sheet["H2"].value == 5


def test_xlsx_needs_an_output_file(run: Run, month: dict[str, int]) -> None:
    result = run("statement", "DZ01", "-f", "xlsx")
    assert result.exit_code == 1 and "The xlsx format needs an output file: pass --out." in result.output


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_golden_passbook(run: Run, month: dict[str, int], fmt: str) -> None:
    assert_golden(f"passbook_dz01.{fmt}", normalised(_november(run, fmt)))


@needs_chromium
def test_every_household_s_passbook_prints_one_a4_page_each(run: Run, month: dict[str, int], tmp_path: Path) -> None:
    page = tmp_path / "passbooks.html"
    said = invoke(run, "passbook", "--village", "DZ", "--month", "2026-11", "--out", str(page), lang="zh").stdout
    assert said == f"已写入 6 户的存折：{page}\n"
    printed = print_page(page)
    assert len(printed.pages) == 6 and has_cjk_font(printed)
    for number, (code, name) in enumerate([("DZ01", "刘志涛"), ("DZ02", "王玉霞"), ("DZ06", "李秀梅")]):
        wanted = [p for p in printed.pages if code in p]
        assert len(wanted) == 1 and name in wanted[0] and "东庄村道德银行存折" in wanted[0], number
    dz01 = next(p for p in printed.pages if "DZ01" in p)
    for words in (
        "冲正第",
        "香皂",
        "拟记已作废",
        "期初余额：12 币",
        "期末余额：15 币",
        "累计积分：17 分",
        "核对码",
        "第 1 页，共 6 页",
    ):
        assert words in dz01, words
    screenshot(page, "passbook.png")


def test_the_passbook_command_needs_one_period(run: Run, month: dict[str, int], tmp_path: Path) -> None:
    out = str(tmp_path / "p.html")
    for args in ((), ("--month", "2026-11", "--from", "2026-11-01")):
        result = run("passbook", "--village", "DZ", "--out", out, *args)
        assert result.exit_code == 1 and "--month or with --from/--to (not both)" in result.output
