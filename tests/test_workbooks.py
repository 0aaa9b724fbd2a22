"""Sheets as WPS and Excel write them: title rows, footers, informational columns, date cells and
serial days, numbers where codes belong, a first sheet of instructions, .ods, every date form."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from moralbank.services.sheets import HOUSEHOLD_COLUMNS
from tests.clock import freeze_today
from tests.runner import Run, failed, ok
from tests.town import TODAY, build_register, household_rows, write_csv

TITLE = "南伦村2026年11月道德积分评议表"
HEADER = ["序号", "户编号", "户主", "标准编号", "评议事项", "分值", "数量", "发生日期", "记账日期", "备注"]
FOOTER = [["制表人：王会计", None, None, "审核人：李主任"], ["填表日期：2026年11月28日"]]
NOT_A_DATE = (
    "is not a date we can read; write the year first in four digits, e.g. 2026-11-03, 2026/11/3 or 2026年11月3日"
)


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    return run


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An .xlsx as Excel and WPS save it: cells keep their types (numbers, dates)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def ods(path: Path, name: str, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice and WPS can save one."""

    def cell(value: Any) -> str:
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="{name}">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def meeting_sheet(*rows: list[Any]) -> dict[str, list[list[Any]]]:
    """A meeting's workbook: a sheet of instructions first, then the sheet with title, header, rows, footer."""
    instructions = [["填表说明"], ["本表用于每月评议会后录入道德积分，户编号须与登记一致。"]]
    return {"填表说明": instructions, "评议表": [[TITLE], HEADER, *rows, [], *FOOTER]}


def lines(run: Run, household: str) -> list[tuple[str, str, int]]:
    shown = json.loads(ok(run("statement", household, "-f", "json")))["lines"]
    return [(line["event_date"], line["booked_on"], line["coins"]) for line in shown]


def test_a_wps_meeting_workbook_imports_as_it_is(town: Run, tmp_path: Path) -> None:
    sheet = workbook(
        tmp_path / "评议表.xlsx",
        meeting_sheet(
            [1, "NL001", "刘秀英", "ZY01", "参加志愿义务劳动", 4, 1, date(2026, 11, 3), datetime(2026, 11, 25), "扫雪"],
            [2, "NL002", "张学勇", "XL01", "孝敬赡养父母", 10, 2, 46332, 46351, None],  # serial days
            [3, "ｎｌ００３", "赵桂兰", "zy01", None, None, None, "2026年11月3日", "2026/11/25", None],
        ),
    )
    out = ok(town("import", "decisions", str(sheet)))
    assert out.splitlines() == [
        "reading worksheet “评议表”",
        f"skipped row 1 (a title): {TITLE}",
        "skipped row 7 (a footer): 制表人：王会计",
        "skipped row 8 (a footer): 填表日期：2026年11月28日",
        "3 entries recorded (0 repeated rows were already recorded).",
        "Logged as import #1 (to undo it: moralbank reverse --import 1 --reason TEXT)",
    ]
    assert lines(town, "NL001") == [("2026-11-03", "2026-11-25", 4)]
    assert lines(town, "NL002") == [("2026-11-06", "2026-11-25", 10)]
    assert lines(town, "NL003") == [("2026-11-03", "2026-11-25", 4)]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", [
            "Error: 评议表.xlsx: 2 problems found; nothing was written.",
            "  row 2, field head_name: the head name “刘秀英” is not that of NL002 in the register (“张学勇”); "
            "is the household code wrong?",
            "  row 3, field points: the points 5 do not match standard ZY01 (4 per unit, 8 for this row)",
        ]),
        ("zh", [
            "错误：评议表.xlsx：发现 2 处问题，未写入任何数据。",
            "  第 2 行，字段 户主姓名：户主姓名“刘秀英”与登记的 NL002 户主“张学勇”不符（户编号是否填错？）",
            "  第 3 行，字段 分值：分值 5 与标准 ZY01 不符（每次 4 分，本行共 8 分）",
        ]),
    ],
)  # fmt: skip
def test_a_head_name_or_points_that_disagree_are_named(
    town: Run, tmp_path: Path, lang: str, expected: list[str]
) -> None:
    sheet = workbook(
        tmp_path / "评议表.xlsx",
        {"评议表": [HEADER, [1, "NL002", "刘秀英", "ZY01", "", 4, 1, "2026-11-03", "2026-11-25"],
                   [2, "NL003", "赵桂兰", "ZY01", "", 5, 2, "2026-11-03", "2026-11-25"]]},
    )  # fmt: skip
    assert failed(town("import", "decisions", str(sheet), lang=lang)).splitlines() == expected
    assert lines(town, "NL002") == []


def test_a_gbk_sheet_with_every_accepted_date_form(town: Run, tmp_path: Path) -> None:
    forms = ["2026-11-03", "2026/11/3", "2026-11-3", "2026.11.3", "2026年11月3日", "20261103", "２０２６－１１－０３"]
    rows = [["NL001", "ZY01", "1", form, form] for form in forms]
    sheet = write_csv(tmp_path / "日期.csv", ["户编号", "标准编号", "数量", "发生日期", "记账日期"], rows, "gbk")
    refused = failed(town("import", "decisions", str(sheet))).splitlines()  # seven times the same decision
    assert len(refused) == 7 and refused[1].startswith("  row 3, field household: the same as row 2")
    imported = ok(town("import", "decisions", str(sheet), "--repeat")).splitlines()[0]
    assert imported == "7 entries recorded (0 repeated rows were already recorded)."
    assert lines(town, "NL001") == [("2026-11-03", "2026-11-03", 4)] * 7
    award = ok(town("award", "NL002", "ZY01", "--on", "2026年11月4日", "--booked", "2026/11/5"))
    assert award.startswith("Recorded as entry ")
    assert lines(town, "NL002") == [("2026-11-04", "2026-11-05", 4)]


@pytest.mark.parametrize("written", ["26/11/3", "11/3/2026", "3.11.2026", "26-11-03", "46332"])
def test_two_digit_years_and_day_first_dates_are_refused_with_an_example(town: Run, written: str) -> None:
    assert failed(town("award", "NL001", "ZY01", "--on", written)) == f"Error: --on: “{written}” {NOT_A_DATE}\n"
    zh = failed(town("award", "NL001", "ZY01", "--on", written, lang="zh"))
    assert (
        zh
        == f"错误：--on 的日期“{written}”无法识别：年份须写四位并放在前面，如 2026-11-03、2026/11/3 或 2026年11月3日\n"
    )


def test_a_code_that_lost_its_zeros_in_excel_is_named_with_the_fix(town: Run, tmp_path: Path) -> None:
    padded = dict(household_rows(["NL009"], seed=99)[0], code="007", village="NL")
    register = write_csv(tmp_path / "h.csv", list(HOUSEHOLD_COLUMNS), [list(padded.values())])
    ok(town("import", "households", str(register)))
    sheet = workbook(
        tmp_path / "d.xlsx", {"评议表": [HEADER, [1, 7, "", "ZY01", "", "", 1, "2026-11-03", "2026-11-25"]]}
    )
    assert failed(town("import", "decisions", str(sheet))).splitlines()[1] == (
        "  row 2, field household: 7 — did you mean 007? The spreadsheet took the code for a number and "
        "dropped its leading zeros; set the column to text"
    )
    zh = failed(town("import", "decisions", str(sheet), lang="zh")).splitlines()[1]
    assert (
        zh
        == "  第 2 行，字段 户编号：找不到 7——是否为 007？表格把编号当成了数字，去掉了前面的 0；请把该列设为“文本”格式"
    )
    typo = failed(town("award", "NL01", "ZY1", "--on", "2026-11-03"))
    assert typo == "Error: field household: no household NL01; did you mean NL001?\n"
    typo = failed(town("award", "NL001", "ZY1", "--on", "2026-11-03"))
    assert typo == "Error: field standard: no standard ZY1; did you mean ZY01?\n"


def test_an_id_number_stored_as_an_excel_number_is_named_as_such(town: Run, tmp_path: Path) -> None:
    row = dict(household_rows(["NL009"], seed=99)[0])
    cells: list[Any] = list(row.values())
    cells[3] = int(row["id_number"][:17] + "0") if row["id_number"][-1] != "X" else 370702198001010000
    sheet = workbook(tmp_path / "农户.xlsx", {"农户": [list(HOUSEHOLD_COLUMNS.values()), cells]})
    assert failed(town("import", "households", str(sheet))).splitlines()[1:] == [
        "  row 2, field id_number: the ID number arrived as a number (a spreadsheet keeps only 15 digits of it); "
        "set the column to text and type it again"
    ]
    written = list(row.values())
    written[3] = "3.70702E+17"  # as a CSV saved from that sheet carries it
    csv = write_csv(tmp_path / "农户.csv", list(HOUSEHOLD_COLUMNS), [written])
    assert "the ID number arrived as a number" in failed(town("import", "households", str(csv)))


def test_an_unknown_column_lists_the_accepted_ones_and_the_sheet_can_be_chosen(town: Run, tmp_path: Path) -> None:
    sheet = workbook(
        tmp_path / "两表.xlsx",
        {"十月": [HEADER, [1, "NL001", "", "ZY01", "", "", 1, "2026-10-03", "2026-10-25"]],
         "十一月": [[*HEADER, "评分人"], [1, "NL001", "", "ZY01", "", "", 1, "2026-11-03", "2026-11-25", "王"]]},
    )  # fmt: skip
    refused = failed(town("import", "decisions", str(sheet), "--sheet", "十一月")).splitlines()
    assert refused[1] == (
        "  row 1, field 评分人: column 11 has an unknown heading; the accepted headings are: "
        "household, standard, qty, event_date, booked_on, note, key"
    )
    zh = failed(town("import", "decisions", str(sheet), "--sheet", "十一月", lang="zh")).splitlines()[1]
    assert (
        zh
        == "  第 1 行，字段 评分人：第 11 列的列名无法识别；可用的列名：户编号、标准编号、数量、发生日期、记账日期、备注、幂等键"
    )
    missing = failed(town("import", "decisions", str(sheet), "--sheet", "12月"))
    assert missing == "Error: 两表.xlsx has no worksheet named “12月”; it has: 十月、十一月\n"
    first = ok(town("import", "decisions", str(sheet)))
    assert first.splitlines()[0] == "reading worksheet “十月”"
    assert lines(town, "NL001") == [("2026-10-03", "2026-10-25", 4)]


def test_a_workbook_without_a_header_row_says_what_it_looked_for(town: Run, tmp_path: Path) -> None:
    sheet = workbook(tmp_path / "说明.xlsx", {"填表说明": [["本表用于…"]], "备注": [["无"]]})
    assert failed(town("import", "decisions", str(sheet))) == (
        "Error: no worksheet of 说明.xlsx (填表说明、备注) has a header row; it must name these columns: "
        "户编号、标准编号 / household, standard\n"
    )


def test_an_ods_sheet_is_read_too(town: Run, tmp_path: Path) -> None:
    sheet = ods(
        tmp_path / "评议.ods", "评议表", [[TITLE], ["户编号", "标准编号", "发生日期"], ["NL004", "ZY01", "2026-11-02"]]
    )
    assert ok(town("import", "decisions", str(sheet), lang="zh")).splitlines() == [
        "读取工作表“评议表”",
        f"已跳过第 1 行（标题）：{TITLE}",
        "已记账 1 条（重复提交 0 条未重复记账）。",
        "本次为第 1 号导入（撤销：moralbank reverse --import 1 --reason 原因）",
    ]
    assert lines(town, "NL004") == [("2026-11-02", "2026-11-29", 4)]


def test_an_xls_workbook_as_old_wps_saves_it_is_read_too(town: Run) -> None:
    # tests/data/meeting_wps.xls: a first sheet of instructions, then a title row, the header with
    # informational columns (序号, 户主), real date cells and a signature footer; written once by xlwt.
    sheet = Path(__file__).parent / "data" / "meeting_wps.xls"
    out = ok(town("import", "decisions", str(sheet), lang="zh")).splitlines()
    assert out[0] == "读取工作表“评议表”"
    assert f"已跳过第 1 行（标题）：{TITLE}" in out
    assert "已跳过第 5 行（表尾）：制表人：王会计    审核人：李主任" in out
    assert "已记账 2 条（重复提交 0 条未重复记账）。" in out
    assert lines(town, "NL004") == [("2026-11-02", "2026-11-29", 4)]
    assert lines(town, "NL003") == [("2026-11-03", "2026-11-29", 8)]
