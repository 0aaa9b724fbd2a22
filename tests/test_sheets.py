"""Input sheets: UTF-8, UTF-8 with BOM, GB18030 with Chinese headers, .xlsx; unknown columns, booleans."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from moralbank.errors import InputError, SheetError
from moralbank.messages import text
from moralbank.services.sheets import DECISION_COLUMNS, HOUSEHOLD_COLUMNS, VILLAGE_COLUMNS, parse_bool, read_sheet
from tests.clock import freeze_today
from tests.database import fresh_sqlite
from tests.runner import Run, failed, ok
from tests.town import TODAY, household_rows, write_csv

ENGLISH = list(HOUSEHOLD_COLUMNS)
CHINESE = list(HOUSEHOLD_COLUMNS.values())
REQUIRED = ("code", "village", "head_name", "id_number")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Reading sheets happens above the database: SQLite only (the ledger tests run on both)."""
    return fresh_sqlite(tmp_path)


def households_csv(path: Path, encoding: str, header: list[str]) -> Path:
    return write_csv(path, header, [list(row.values()) for row in household_rows()], encoding)


@pytest.mark.parametrize(
    ("encoding", "header"),
    [("utf-8", ENGLISH), ("utf-8-sig", ENGLISH), ("utf-8-sig", CHINESE), ("gb18030", CHINESE), ("gbk", ENGLISH)],
)
def test_csv_encodings_and_headers_read_the_same(tmp_path: Path, encoding: str, header: list[str]) -> None:
    path = households_csv(tmp_path / "households.csv", encoding, header)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = read_sheet(path, HOUSEHOLD_COLUMNS, REQUIRED)
    assert sheet.source == "households.csv"
    assert [number for number, _ in sheet.rows] == [2, 3, 4, 5, 6, 7]
    assert [row for _, row in sheet.rows] == household_rows()
    assert sheet.rows[0][1]["head_name"] == "刘秀英" and sheet.rows[0][1]["address"] == "NL村前街1号"


def test_gb18030_file_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    path = households_csv(tmp_path / "h.csv", "gb18030", CHINESE)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    rows = [row for _, row in read_sheet(path, HOUSEHOLD_COLUMNS, REQUIRED).rows]
    assert rows[2]["head_name"] == "赵桂兰" and rows[2]["grid"] == "第一网格"


def test_xlsx_with_typed_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["户编号", "标准编号", "数量", "发生日期", "记账日期", "备注", "幂等键", None])
    sheet.append(["NL001", "XL01", 2, datetime(2026, 10, 3), date(2026, 10, 25), "  照顾老人 ", "k-1", None])
    sheet.append([None, None, None, None, None, None, None, None])  # a blank row is skipped
    sheet.append(["NL002", "ZY01", 1.0, "2026-10-04", "2026-10-25", None, "k-2"])
    book.save(tmp_path / "decisions.xlsx")
    read = read_sheet(tmp_path / "decisions.xlsx", DECISION_COLUMNS, ("household", "standard"))
    assert read.rows == [
        (
            2,
            {"household": "NL001", "standard": "XL01", "qty": "2", "event_date": "2026-10-03",
             "booked_on": "2026-10-25", "note": "照顾老人", "key": "k-1"},
        ),
        (
            4,
            {"household": "NL002", "standard": "ZY01", "qty": "1", "event_date": "2026-10-04",
             "booked_on": "2026-10-25", "note": "", "key": "k-2"},
        ),
    ]  # fmt: skip


def test_unknown_column_is_named_with_its_position(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "v.csv", ["code", "name", "镇", "county", "notes"], [["NL", "南伦村", "于河", "潍城区", ""]]
    )
    with pytest.raises(SheetError) as raised:
        read_sheet(path, VILLAGE_COLUMNS, ("code", "name", "town", "county"))
    assert raised.value.message("en").splitlines() == [
        "v.csv: 2 problems found; nothing was written.",
        "  row 1, field 镇: column 3 has an unknown heading; the accepted headings are: code, name, town, county",
        "  row 1, field notes: column 5 has an unknown heading",
    ]
    assert raised.value.message("zh").splitlines()[1] == (
        "  第 1 行，字段 镇：第 3 列的列名无法识别；可用的列名：村编号、村名、镇街、县市区"
    )


def test_missing_required_columns_are_all_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", ["code", "head_name", "phone"], [["NL001", "王建国", ""]])
    with pytest.raises(SheetError) as raised:
        read_sheet(path, HOUSEHOLD_COLUMNS, REQUIRED)
    assert raised.value.message("en").splitlines()[1:] == [
        "  row 1, field village: a required column is missing",
        "  row 1, field id_number: a required column is missing",
    ]


def test_missing_file_and_wrong_type(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_sheet(tmp_path / "nope.csv", VILLAGE_COLUMNS, ())
    assert raised.value.key == "file.not_found"
    (tmp_path / "v.pdf").write_bytes(b"x")
    with pytest.raises(InputError) as raised:
        read_sheet(tmp_path / "v.pdf", VILLAGE_COLUMNS, ())
    assert raised.value.message("en") == f"Unsupported sheet type: {tmp_path / 'v.pdf'} (use .csv, .xlsx, .xls or .ods)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("YES", True), ("y", True), ("true", True), ("True", True), ("1", True), ("是", True),
     (" 是 ", True), ("no", False), ("No", False), ("false", False), ("FALSE", False), ("0", False),
     ("否", False), ("", None), ("maybe", None), ("2", None), ("对", None)],
)  # fmt: skip
def test_booleans(value: str, expected: bool | None) -> None:
    assert parse_bool(value) is expected


# --- through the command ------------------------------------------------------------------------


@pytest.fixture
def villages(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    sheet = write_csv(
        tmp_path / "村.csv", list(VILLAGE_COLUMNS.values()), [["NL", "南伦村", "于河街道", "潍城区"]], "gb18030"
    )
    assert ok(run("import", "villages", str(sheet))) == "1 village imported.\n"
    return run


def test_imported_booleans_are_stored(villages: Run, tmp_path: Path) -> None:
    spellings = [("yes", "no"), ("true", "false"), ("1", "0"), ("是", "否"), ("否", "是"), ("No", "TRUE")]
    rows = [
        dict(row, consent_board=board, consent_bank=bank)
        for row, (board, bank) in zip(household_rows([f"NL00{n}" for n in range(1, 7)]), spellings, strict=True)
    ]
    sheet = write_csv(tmp_path / "h.csv", ENGLISH, [list(r.values()) for r in rows], "gb18030")
    assert ok(villages("import", "households", str(sheet), lang="zh")) == "已导入 6 户。\n"
    listed = json.loads(ok(villages("household", "list", "-f", "json")))
    stored = {h["code"]: (h["consent_board"], h["consent_bank"]) for h in listed}
    expected = [(True, False)] * 4 + [(False, True)] * 2
    assert [stored[row["code"]] for row in rows] == expected


def test_import_households_from_xlsx_with_chinese_headers(villages: Run, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(CHINESE)
    for row in household_rows(["NL001", "NL002", "NL003"]):
        book.active.append([int(row["members"]) if name == "members" else row[name] for name in ENGLISH])
    book.save(tmp_path / "农户.xlsx")
    assert ok(villages("import", "households", str(tmp_path / "农户.xlsx"))) == (
        "reading worksheet “Sheet”\n3 households imported.\n"
    )
    shown = json.loads(ok(villages("household", "show", "NL002", "-f", "json")))
    expected = household_rows(["NL001", "NL002", "NL003"])[1]
    assert (shown["head_name"], shown["members"], shown["address"]) == ("张学勇", 3, expected["address"])
    assert shown["id_number"] == expected["id_number"][:6] + "********" + expected["id_number"][-4:]


def test_bad_boolean_and_unknown_column_through_the_command(villages: Run, tmp_path: Path) -> None:
    rows = [dict(row, consent_bank="maybe") for row in household_rows(["NL001"])]
    sheet = write_csv(tmp_path / "h.csv", ENGLISH, [list(r.values()) for r in rows])
    err = failed(villages("import", "households", str(sheet)))
    assert err.splitlines() == [
        "Error: h.csv: 1 problem found; nothing was written.",
        "  row 2, field consent_bank: “maybe” is not yes/no (use yes/no, true/false, 1/0, 是/否)",
    ]
    odd = write_csv(tmp_path / "odd.csv", [*ENGLISH, "备注"], [[*rows[0].values(), "x"]])
    err = failed(villages("import", "households", str(odd), lang="zh"))
    assert err.splitlines()[1] == (
        "  第 1 行，字段 备注：第 11 列的列名无法识别；可用的列名："
        "户编号、村编号、户主姓名、身份证号、电话、人口、网格、地址、同意公示、同意报送银行"
    )
    assert ok(villages("household", "list", "-f", "json")) == "[]\n"


# --- files that are no sheet at all --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_named_xlsx_that_is_no_workbook_is_refused_by_name(run: Run, tmp_path: Path, lang: str) -> None:
    sheet = tmp_path / "决定.xlsx"
    sheet.write_bytes(b"\x00\x01 not a zip archive")
    result = run("import", "decisions", str(sheet), lang=lang)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text("sheet.not_a_workbook", lang, path="决定.xlsx") in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_csv_in_no_known_encoding_is_refused_by_name(run: Run, tmp_path: Path, lang: str) -> None:
    sheet = tmp_path / "decisions.csv"
    sheet.write_bytes("户编号,标准\n".encode("utf-16"))  # Excel's "Unicode text": neither UTF-8 nor GB18030
    result = run("import", "decisions", str(sheet), lang=lang)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text("sheet.bad_encoding", lang, path="decisions.csv") in result.output
