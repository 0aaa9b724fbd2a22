"""Lists a person opens in Excel or WPS: xlsx read back with openpyxl, CSV with the utf-8-sig codec."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from moralbank.render.spreadsheet import BOM, SheetTable, csv_text, write_xlsx
from moralbank.services.sheets import HOUSEHOLD_COLUMNS, read_kind
from tests.clock import freeze_today
from tests.runner import Run, invoke
from tests.town import (
    AS_OF,
    OCTOBER,
    TODAY,
    book_publication,
    build_credit_town,
    build_publication_town,
    build_register,
)


def _book(run: Run, tmp_path: Path, *args: str, lang: str = "zh") -> Any:
    path = tmp_path / "out.xlsx"
    invoke(run, *args, "-f", "xlsx", "--out", str(path), lang=lang)
    return load_workbook(path)


def _csv(run: Run, *args: str, lang: str = "zh") -> list[list[str]]:
    raw = invoke(run, *args, "-f", "csv", lang=lang).stdout.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel and WPS read it as Unicode
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def publication(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    return run


def test_the_board_opens_in_excel_with_a_sheet_per_list(publication: Run, tmp_path: Path) -> None:
    for args in (("board", "get", "1"), ("board", "show", "--village", "DZ", "--month", "2026-10")):
        book = _book(publication, tmp_path, *args)
        assert book.sheetnames == ["红榜", "黑榜"]
        red, black = book["红榜"], book["黑榜"]
        assert [c.value for c in red[1]] == ["名次", "户编号", "户主", "积分"]
        assert [c.value for c in red[2]] == [1, "DZ01", "刘志涛", 12] and red["D2"].data_type == "n"
        assert [c.value for c in black[3]] == ["DZ06", "李秀梅", -5, 1, "焚烧秸秆、垃圾"]
    english = _book(publication, tmp_path, "board", "get", "1", lang="en")
    assert english.sheetnames == ["Red list", "Black list"] and english["Red list"]["A1"].value == "Rank"
    rows = _csv(publication, "board", "get", "1")
    assert rows[0] == ["榜单", "名次", "户编号", "户主", "村", "积分", "次数", "扣分事项"]
    assert rows[1] == ["红榜", "1", "DZ01", "刘志涛", "DZ", "12", "", ""]


def test_the_notice_opens_in_excel_with_a_note_column(publication: Run, tmp_path: Path) -> None:
    invoke(publication, "village", "set", "XZ", "--notice-days", "7")
    invoke(publication, "award", "XZ04", "ZY01", "--on", "2026-11-25", "--booked", "2026-11-25")
    sheet = _book(publication, tmp_path, "notice", "show", "--village", "XZ").worksheets[0]
    assert sheet.title == "西庄村2026年11月拟记积分公示"
    assert [c.value for c in sheet[1]][-3:] == ["记账日期", "异议截止", "备注"]
    assert sheet["F2"].is_date and sheet["F2"].value == datetime(2026, 11, 25) and sheet["E2"].value == 5


def test_the_household_list_in_chinese_reads_back_as_a_households_sheet(
    run: Run, engine: Engine, tmp_path: Path
) -> None:
    build_register(engine)
    rows = _csv(run, "household", "list", "--village", "NL")
    assert rows[0] == list(HOUSEHOLD_COLUMNS.values())  # the import sheet's own headings
    assert {v for r in rows[1:] for v in r[8:]} == {"是", "否"}  # consents in words
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"households.{fmt}"
        invoke(run, "household", "list", "--village", "NL", "-f", fmt, "--out", str(path), lang="zh")
        sheet = read_kind(path, "households")  # no unknown or missing column, every value as listed
        assert [list(row.values()) for _n, row in sheet.rows] == rows[1:]
    book = load_workbook(tmp_path / "households.xlsx")
    assert book.sheetnames == ["户籍名单"] and book.active["F2"].data_type == "n"


def test_the_standard_list_opens_in_excel(run: Run, engine: Engine, tmp_path: Path) -> None:
    build_register(engine)
    sheet = _book(run, tmp_path, "standard", "list").worksheets[0]
    assert sheet.title == "行为标准" and sheet["A1"].value == "编号" and sheet["J1"].value == "失效日期"
    assert sheet["I2"].is_date and sheet["F2"].data_type == "n" and sheet["H2"].value in ("是", "否")


@pytest.fixture
def credit(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    return run


def test_ratings_and_the_village_summary_open_in_excel(credit: Run, tmp_path: Path) -> None:
    rated = _book(credit, tmp_path, "credit", "rate", "--as-of", AS_OF).worksheets[0]
    assert rated.title == "文明信用户评定" and rated["A1"].value == "户编号"
    assert [c.value for c in rated[2]][:6] == ["DZ01", "DZ", "刘志涛", 100, "AAA", 100000]
    assert rated["L2"].is_date and rated["L2"].value == datetime(2026, 11, 29)
    summary = _book(credit, tmp_path, "credit", "summary", "--as-of", AS_OF).worksheets[0]
    assert summary.title == "整村授信汇总"
    last = [c.value for c in summary[summary.max_row]]
    assert last[:4] == ["合计", None, 14, 11] and last[8] == 970000 and summary.cell(summary.max_row, 12).is_date


def test_a_value_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    write_xlsx([SheetTable("x", ["a"], [["=HYPERLINK(1)"]])], path)
    cell = load_workbook(path).active["A2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_a_csv_cell_that_looks_like_a_formula_is_quoted() -> None:
    table = SheetTable("x", ["名"], [["=1+1"], ["-2+3"], ["@SUM(1)"], [-5], ["a=b"]])
    rows = list(csv.reader(io.StringIO(csv_text(table).removeprefix(BOM))))
    assert rows == [["名"], ["'=1+1"], ["'-2+3"], ["'@SUM(1)"], ["-5"], ["a=b"]]
