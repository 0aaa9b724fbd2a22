"""The register: villages and households, one at a time or by sheet, all rows or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.services.sheets import HOUSEHOLD_COLUMNS
from tests.clock import freeze_today
from tests.runner import Run, failed, ok
from tests.town import TODAY, household_rows, write_csv

VILLAGE_HEADER = ["code", "name", "town", "county"]


@pytest.fixture
def town(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Two villages imported from a sheet."""
    freeze_today(monkeypatch, TODAY)
    rows = [["NL", "南伦村", "于河街道", "潍城区"], ["BG", "北宫村", "于河街道", "潍城区"]]
    assert ok(run("import", "villages", str(write_csv(tmp_path / "v.csv", VILLAGE_HEADER, rows)))) == (
        "2 villages imported.\n"
    )
    return run


def households_sheet(tmp_path: Path, rows: list[dict[str, str]], name: str = "h.csv") -> str:
    return str(write_csv(tmp_path / name, list(HOUSEHOLD_COLUMNS), [list(r.values()) for r in rows]))


def test_village_add_and_list(run: Run) -> None:
    assert ok(run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")) == (
        "Village NL added.\n"
    )
    out = ok(run("village", "add", "BG", "--name", "北宫村", "--town", "于河街道", "--county", "潍城区", lang="zh"))
    assert out == "已添加村 BG。\n"
    assert json.loads(ok(run("village", "list", "--format", "json"))) == [
        {"code": "BG", "name": "北宫村", "town": "于河街道", "county": "潍城区", "households": 0},
        {"code": "NL", "name": "南伦村", "town": "于河街道", "county": "潍城区", "households": 0},
    ]
    assert ok(run("village", "list", "-f", "csv")) == (
        "code,name,town,county,households\nBG,北宫村,于河街道,潍城区,0\nNL,南伦村,于河街道,潍城区,0\n"
    )
    table = ok(run("village", "list", lang="zh"))
    assert "编号" in table and "户数" in table and "南伦村" in table


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Error: field code: village NL already exists\n"),
        ("zh", "错误：字段 编号：村编号 NL 已存在\n"),
    ],
)
def test_village_twice_is_refused(town: Run, lang: str, expected: str) -> None:
    assert failed(town("village", "add", "NL", "--name", "x", "--town", "y", "--county", "z", lang=lang)) == expected


def test_village_with_empty_fields_names_each_field(run: Run) -> None:
    err = failed(run("village", "add", "NL", "--name", " ", "--town", "", "--county", "潍城区"))
    assert err == "Error: field name: is required\nfield town: is required\n"
    assert ok(run("village", "list", "-f", "json")) == "[]\n"


def test_village_sheet_with_bad_rows_writes_none(town: Run, tmp_path: Path) -> None:
    rows = [["XY", "西小营村", "于河街道", "潍城区"], ["NL", "重复", "于河街道", "潍城区"], ["XZ", "", "于河街道", ""]]
    err = failed(town("import", "villages", str(write_csv(tmp_path / "v2.csv", VILLAGE_HEADER, rows))))
    assert err.splitlines() == [
        "Error: v2.csv: 3 problems found; nothing was written.",
        "  row 3, field code: village NL already exists",
        "  row 4, field name: is required",
        "  row 4, field county: is required",
    ]
    assert [v["code"] for v in json.loads(ok(town("village", "list", "-f", "json")))] == ["BG", "NL"]


def test_household_add_list_show(town: Run) -> None:
    row = household_rows(["NL001"])[0]
    args = ["--village", "NL", "--head-name", "王建国", "--id-number", row["id_number"], "--phone", row["phone"]]
    more = ["--members", "4", "--grid", "第二网格", "--address", "南伦村后街5号", "--consent-board", "否"]
    assert ok(town("household", "add", "NL001", *args, *more, "--consent-bank", "是", lang="zh")) == (
        "已添加农户 NL001。\n"
    )
    expected = {
        "code": "NL001",
        "village": "NL",
        "head_name": "王建国",
        "id_number": row["id_number"][:6] + "********" + row["id_number"][-4:],
        "phone": row["phone"][:3] + "****" + row["phone"][-4:],
        "members": 4,
        "grid": "第二网格",
        "address": "南伦村后街5号",
        "consent_board": False,
        "consent_bank": True,
    }
    assert json.loads(ok(town("household", "show", "NL001", "-f", "json"))) == expected
    assert json.loads(ok(town("household", "list", "--village", "NL", "-f", "json"))) == [expected]
    assert ok(town("household", "list", "--village", "BG", "-f", "json")) == "[]\n"
    shown = ok(town("household", "show", "NL001", lang="zh"))
    assert "王建国" in shown and expected["id_number"] in shown and "否" in shown
    csv_out = ok(town("household", "show", "NL001", "-f", "csv")).splitlines()
    assert csv_out[0] == ",".join(HOUSEHOLD_COLUMNS)
    assert csv_out[1].startswith(f"NL001,NL,王建国,{expected['id_number']},{expected['phone']},4,")


def test_register_lookups_that_fail(town: Run) -> None:
    for args, expected_en, expected_zh in [
        (["household", "show", "NL404"], "Error: no household NL404\n", "错误：找不到农户 NL404\n"),
        (["household", "list", "--village", "ZZ"], "Error: no village ZZ\n", "错误：找不到村 ZZ\n"),
        (["village", "list", "-f", "xml"], "Error: Unsupported format xml; choose one of: table, json, csv\n",
         "错误：不支持的输出格式 xml；可选：table, json, csv\n"),
    ]:  # fmt: skip
        assert failed(town(*args)) == expected_en
        assert failed(town(*args, lang="zh")) == expected_zh


def test_household_in_an_unknown_village_or_with_bad_members(town: Run) -> None:
    row = household_rows(["ZZ001"])[0]
    err = failed(
        town("household", "add", "ZZ001", "--village", "ZZ", "--head-name", "王", "--id-number", row["id_number"],
             "--members", "0")
    )  # fmt: skip
    assert err == "Error: field members: 0 must be a positive whole number\nfield village: no village ZZ\n"


def test_household_sheet_lists_every_bad_row_and_writes_none(town: Run, tmp_path: Path) -> None:
    rows = household_rows(["NL001", "NL002", "BG001", "BG002", "NL003", "NL004"])
    rows[1] = dict(rows[1], id_number=rows[1]["id_number"][:17] + ("0" if rows[1]["id_number"][17] != "0" else "1"))
    rows[2] = dict(rows[2], village="XY", members="三")
    rows[4] = dict(rows[4], code="NL001")  # a code used twice in one sheet
    rows[5] = dict(rows[5], id_number=rows[0]["id_number"], head_name="", consent_board="")
    err = failed(town("import", "households", households_sheet(tmp_path, rows)))
    assert err.splitlines() == [
        "Error: h.csv: 7 problems found; nothing was written.",
        "  row 3, field id_number: the ID number's check digit is wrong",
        "  row 4, field members: “三” is not a whole number",
        "  row 4, field village: no village XY",
        "  row 6, field code: household NL001 already exists",
        "  row 7, field head_name: is required",
        "  row 7, field consent_board: “” is not yes/no (use yes/no, true/false, 1/0, 是/否)",
        "  row 7, field id_number: this ID number is already registered to another household",
    ]
    assert ok(town("household", "list", "-f", "json")) == "[]\n"


def test_missing_codes_and_ids_are_reported_once_each(town: Run, tmp_path: Path) -> None:
    rows = [dict(row, code="", id_number="") for row in household_rows(["NL001", "NL002"])]
    villages = write_csv(
        tmp_path / "v.csv", VILLAGE_HEADER, [["", "甲村", "于河街道", "潍城区"], ["", "乙村", "于河街道", "潍城区"]]
    )
    assert failed(town("import", "villages", str(villages))).splitlines()[1:] == [
        "  row 2, field code: is required",
        "  row 3, field code: is required",
    ]
    assert failed(town("import", "households", households_sheet(tmp_path, rows))).splitlines()[1:] == [
        "  row 2, field code: is required",
        "  row 2, field id_number: is required",
        "  row 3, field code: is required",
        "  row 3, field id_number: is required",
    ]


def test_household_sheet_imports_and_counts(town: Run, tmp_path: Path, engine: Engine) -> None:
    rows = household_rows()
    assert ok(town("import", "households", households_sheet(tmp_path, rows), lang="zh")) == "已导入 6 户。\n"
    villages = json.loads(ok(town("village", "list", "-f", "json")))
    assert [(v["code"], v["households"]) for v in villages] == [("BG", 2), ("NL", 4)]
    listed = json.loads(ok(town("household", "list", "--village", "BG", "-f", "json")))
    assert [(h["code"], h["village"]) for h in listed] == [("BG001", "BG"), ("BG002", "BG")]
    # A sheet imported again reports the households it already registered as they are (issue 10).
    again = ok(town("import", "households", households_sheet(tmp_path, rows[:2], "again.csv")))
    assert again == "0 households imported.\n2 households already registered as the sheet says: left as they are.\n"
    taken = rows[0] | {"code": "NL009"}
    refused = failed(town("import", "households", households_sheet(tmp_path, [taken], "taken.csv")))
    assert refused.splitlines()[1:] == [
        "  row 2, field id_number: this ID number is already registered to another household",
    ]


def test_writes_need_an_operator(town: Run, tmp_path: Path) -> None:
    row = household_rows(["NL001"])[0]
    args = ["household", "add", "NL001", "--village", "NL", "--head-name", "王", "--id-number", row["id_number"]]
    assert failed(town(*args, operator=None)) == (
        "Error: A write needs an operator: pass --operator or set MORALBANK_OPERATOR.\n"
    )
    assert failed(town(*args, operator=None, lang="zh")) == (
        "错误：写入操作须注明经办人：使用 --operator 或设置 MORALBANK_OPERATOR。\n"
    )
    assert ok(town("household", "list", "-f", "json")) == "[]\n"


def test_codes_that_would_break_account_names_are_refused(run: Run) -> None:
    """A household code becomes part of a ledger account name: no spaces or colons."""
    result = run("village", "add", "N L", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")
    assert result.exit_code == 1
    assert "field code: code “N L” may hold only letters" in result.output
    assert run("village", "list", "--format", "json").output.strip() == "[]"
    run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")
    bad = run(
        "household",
        "add",
        "NL:001",
        "--village",
        "NL",
        "--head-name",
        "张三",
        "--id-number",
        "370702196209033332",
        lang="zh",
    )
    assert bad.exit_code == 1
    assert "字段 编号：编号“NL:001”只能由字母" in bad.output


def test_a_households_sheet_must_carry_members_and_both_consents(run: Run, tmp_path: Path) -> None:
    run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区")
    sheet = tmp_path / "h.csv"
    sheet.write_text(
        f"code,village,head_name,id_number\nNL002,NL,王秀英,{household_rows()[1]['id_number']}\n", encoding="utf-8"
    )
    result = run("import", "households", str(sheet))
    assert result.exit_code == 1
    for column in ("members", "consent_board", "consent_bank"):
        assert f"row 1, field {column}: a required column is missing" in result.output
    assert run("household", "list", "--format", "json").stdout.strip() == "[]"
