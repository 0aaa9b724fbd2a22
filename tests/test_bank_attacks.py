"""A bank clerk's real tables and an attacker's crafted ones, through ``credit results import``.

Each test is a table that once went wrong (a misread amount, a row that did not match, personal
data kept, a rounded figure): it must now be read exactly, or refused by row and field with
nothing written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from moralbank.domain.identity import mask_id
from moralbank.services.bank_tables import id_as_listed
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.runner import Run, failed, invoke, ok
from tests.test_bank_results import (
    APPROVAL_HEADER,
    BANK,
    GRANTED,
    IDS,
    NAMES,
    approval_rows,
    county,
    export,
    listed,
    results,
    write_table,
)
from tests.town import AS_OF, TODAY, build_credit_town

ON = ("--on", "2026-11-29")


@pytest.fixture
def office(run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The credit town with one signed list exported to the bank, as in test_bank_results."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    export(run, tmp_path)
    return tmp_path


def recorded(engine: Engine) -> tuple[int, int]:
    """How many bank tables and bank rows are recorded."""
    with reading(engine) as session:
        imports = session.execute(text("SELECT COUNT(*) FROM bank_import")).scalar()
        rows = session.execute(text("SELECT COUNT(*) FROM bank_result")).scalar()
    return int(imports or 0), int(rows or 0)


def authorised_fen(engine: Engine) -> dict[str, int]:
    with reading(engine) as session:
        found = session.execute(text("SELECT household, amount_fen FROM bank_result WHERE kind = 'approval'"))
        return {code: int(fen) for code, fen in found}


def one_amount(office: Path, amount: str, *, unit: str = "wan", name: str = "a.csv") -> Path:
    """An approval table of DZ01 alone, by household code, with ``amount`` as its cell."""
    heading = "授信金额（万元）" if unit == "wan" else "授信金额（元）"
    return write_table(office / name, ["序号", "户编号", "姓名", heading, "授信期限（年）", "备注"], [
        [1, "DZ01", NAMES["DZ01"], amount, 3, ""]
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "unit", "yuan"),
    [
        ("5", "wan", 50_000),
        ("5.0", "wan", 50_000),
        ("５", "wan", 50_000),  # full-width digit
        ("\u3000５\u3000", "wan", 50_000),  # and full-width spaces
        ("5万", "wan", 50_000),  # the unit written after the number, as the heading says
        ("5万元", "wan", 50_000),
        ("5E0", "wan", 50_000),  # scientific notation, as Excel saves it to CSV
        ("5E+04", "yuan", 50_000),
        ("50,000", "yuan", 50_000),  # a thousands separator
        ("５０，０００", "yuan", 50_000),
        ("1,234,567", "yuan", 1_234_567),
        ("50000元", "yuan", 50_000),
        ("8.8888", "wan", 88_888),
    ],
)
def test_an_amount_written_as_clerks_write_it_is_read_exactly(
    run: Run, office: Path, engine: Engine, amount: str, unit: str, yuan: int
) -> None:
    ok(results(run, one_amount(office, amount, unit=unit), *ON))
    assert authorised_fen(engine) == {"DZ01": yuan * 100}


@pytest.mark.parametrize(
    ("amount", "unit", "reason"),
    [
        ("5,5", "wan", "has a comma that does not separate thousands"),  # was read as 55 万元
        ("5,00", "yuan", "has a comma that does not separate thousands"),
        ("1,2345", "yuan", "has a comma that does not separate thousands"),
        ("5元", "wan", "names a unit other than its column's"),  # 5 yuan or 5 万元?
        ("5万", "yuan", "names a unit other than its column's"),
        ("-5", "wan", "must not be negative"),
        ("NaN", "wan", "is not an amount"),
        ("Infinity", "wan", "is not an amount"),
        ("5_000", "yuan", "is not an amount"),  # Python's Decimal reads it; a bank's table does not
        ("0x10", "yuan", "is not an amount"),
        ("5 5", "wan", "is not an amount"),  # not 55
        ("1e9", "wan", "is above 1000"),
        ("1e999999", "yuan", "is not an amount"),
        ("99999999999999999999999999999999", "yuan", "is above 10000000"),
        ("5.00005", "wan", "are whole yuan"),  # 50000.50 yuan authorised: a slip
        ("5.0000000000000000000000000000001", "wan", "finer than a fen"),  # never rounded to 5
    ],
)
def test_an_amount_that_cannot_be_read_exactly_is_refused_by_row_and_field(
    run: Run, office: Path, engine: Engine, amount: str, unit: str, reason: str
) -> None:
    message = failed(results(run, one_amount(office, amount, unit=unit), *ON))
    field = "approved_wan" if unit == "wan" else "approved_yuan"
    assert f"row 2, field {field}" in message and reason in message
    assert recorded(engine) == (0, 0)


def test_ids_with_spaces_and_old_15_digit_ids_match_their_households(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "full", "wan")
    for row in rows:
        whole = str(row[2])
        if whole[6:8] == "19":  # a 15-digit ID of the old kind: no century, no check digit
            row[2] = whole[:6] + whole[8:17]
        else:  # spaces as a clerk groups the digits
            row[2] = f"{whole[:6]} {whole[6:14]}\u3000{whole[14:]}"
    assert any(len(str(r[2])) == 15 for r in rows) and any(" " in str(r[2]) for r in rows)
    ok(results(run, write_table(office / "ids_gbk.csv", header, rows), *ON))
    assert sum(authorised_fen(engine).values()) == sum(GRANTED.values()) * 100


def test_an_id_number_is_read_in_the_registers_form() -> None:
    assert id_as_listed("37070219600227119x") == IDS["DZ06"]  # a lower-case x
    assert id_as_listed(" 370702-19600227-119X ") == IDS["DZ06"]
    assert id_as_listed(IDS["DZ06"][:6] + IDS["DZ06"][8:17]) == IDS["DZ06"]  # 15 digits: 19 and the check digit
    assert id_as_listed("370702＊＊＊＊＊＊＊＊119x") == "370702********119X"


def test_a_masked_id_matches_a_name_written_with_spaces(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "masked", "yuan")
    rows[0][1] = " ".join(str(rows[0][1]))  # 李 志 刚
    rows[1][1] = str(rows[1][1])[0] + "\u3000" + str(rows[1][1])[1:]
    rows[2][2] = f" {str(rows[2][2]).lower()} "
    rows[3][1] = str(rows[3][1])[0] + "\u200b" + str(rows[3][1])[1:]  # a zero-width space pasted along
    ok(results(run, write_table(office / "names.csv", header, rows), *ON))
    assert sum(authorised_fen(engine).values()) == sum(GRANTED.values()) * 100


@pytest.mark.parametrize(
    "heading", ["授信金额\n（万元）", "授信金额 (万元)", "授信金额\r\n(万元)", "授信额度 （万元）"]
)
def test_a_heading_wrapped_in_a_merged_cell_is_the_same_column(
    run: Run, office: Path, engine: Engine, heading: str
) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    header[3] = heading
    ok(results(run, write_table(office / "wrapped.xlsx", header, rows, title="整村授信批量审批表"), *ON))
    assert sum(authorised_fen(engine).values()) == sum(GRANTED.values()) * 100


@pytest.mark.parametrize(
    "note",
    [
        "联系电话 138 1234 5678",
        "电话138-1234-5678",
        "身份证 370702 19760825 5324",
        "3707021976 08255324",
        "老身份证 370702 760825 532",  # 15 digits, the old kind
    ],
)
def test_a_phone_or_id_number_written_with_gaps_is_not_kept_in_a_note(
    run: Run, office: Path, engine: Engine, note: str
) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    refused = next(r for r in rows if r[3] == "0")
    refused[5] = note
    message = failed(results(run, write_table(office / "note.csv", header, rows), *ON))
    assert "field note: the note holds something shaped like an ID or phone number" in message
    assert "1234" not in message and "532" not in message
    assert recorded(engine) == (0, 0)


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066"])
def test_a_note_with_a_direction_override_or_a_hidden_character_is_refused(
    run: Run, office: Path, engine: Engine, hidden: str
) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    refused = next(r for r in rows if r[3] == "0")
    refused[5] = f"征信{hidden}有逾期"
    message = failed(results(run, write_table(office / "note.csv", header, rows), *ON))
    assert f"field note: has a control character (U+{ord(hidden):04X}) at position 3" in message
    assert hidden not in message and recorded(engine) == (0, 0)


def test_a_note_with_dates_and_amounts_is_kept(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    refused = next(r for r in rows if r[3] == "0")
    refused[5] = "2025-03-01 至 2026-02-28 逾期 3 次，金额 12,000 元"
    ok(results(run, write_table(office / "note.csv", header, rows), *ON))
    with reading(engine) as session:
        notes = [n for (n,) in session.execute(text("SELECT note FROM bank_result")) if n]
    assert refused[5] in notes


def test_a_table_with_headings_and_no_rows_is_not_logged(run: Run, office: Path, engine: Engine) -> None:
    path = write_table(office / "empty.xlsx", APPROVAL_HEADER, [["", "", "", "", "", ""]], title="整村授信批量审批表")
    assert "has headings but no rows under them" in failed(results(run, path, *ON))
    assert recorded(engine) == (0, 0)
    header, rows = approval_rows(listed(office), "code", "wan")  # the real answer is then still taken
    ok(results(run, write_table(office / "answer.csv", header, rows), *ON))


@pytest.mark.parametrize(("term", "months"), [("3年", 36), ("1.5 年", 18), ("36个月", 36), ("６月", 6)])
def test_a_term_with_its_unit_written_is_read(run: Run, office: Path, engine: Engine, term: str, months: int) -> None:
    header = ["户编号", "授信金额（万元）", "授信期限（年）", "备注"]
    ok(results(run, write_table(office / "t.csv", header, [["DZ01", "5", term, ""]]), *ON))
    with reading(engine) as session:
        assert session.execute(text("SELECT term_months FROM bank_result")).scalar() == months


def test_an_id_number_kept_as_a_number_in_a_workbook_is_told_as_such(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "full", "wan")
    for row in rows:
        row[2] = int(str(row[2]))  # the column left as 常规: the spreadsheet keeps 15 digits of each
    message = failed(results(run, write_table(office / "ids.xlsx", header, rows), *ON))
    assert message.count("the ID number was kept as a number") == len(rows)
    assert "row 2, field id_number" in message
    assert recorded(engine) == (0, 0)


def test_overdue_fen_are_told_exactly_to_the_bank(run: Run, office: Path) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    ok(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-01"))
    late = [["户编号", "逾期金额（元）", "逾期天数", "统计日期"]]
    late += [["DZ01", "5000.50", "95", "2026-11-20"], ["DZ02", "1,000.25", "10天", "2026-11-20"]]
    late += [["XZ01", "0.01", "3", "2026-11-20"]]
    ok(results(run, write_table(office / "late.csv", late[0], late[1:])))
    answer = json.loads(ok(run("credit", "results", "summary", "--bank", BANK, "--format", "json")))[0]
    assert (answer["in_arrears"], answer["overdue_yuan"]) == (3, "6000.76")  # was 6001, rounded
    table = list(csv.DictReader(io.StringIO(ok(run("credit", "results", "summary", "--bank", BANK, "-f", "csv")))))
    assert table[0]["overdue_yuan"] == "6000.76"
    assert int(table[0]["authorised_yuan"]) == sum(GRANTED.values())


def test_the_summaries_add_up_to_a_hand_sum_of_the_table(run: Run, office: Path, engine: Engine) -> None:
    codes = listed(office)
    header, rows = approval_rows(codes, "code", "yuan")
    ok(results(run, write_table(office / "a.csv", header, rows), *ON))
    drawn = {"DZ01": 33_333, "DZ03": 11_111, "XZ01": 77_777}
    ok(results(run, write_table(office / "d.csv", ["户编号", "用信金额（元）", "用信日期"], [
        [code, f"{amount:,}", "2026-11-29"] for code, amount in drawn.items()
    ])))  # fmt: skip
    by_hand = sum(int(r[3]) for r in rows)
    report = json.loads(ok(run("credit", "summary", "--as-of", AS_OF, "--format", "json")))
    villages = report["villages"]
    assert sum(v["authorised_yuan"] for v in villages) == report["total"]["authorised_yuan"] == by_hand
    assert sum(v["drawn_yuan"] for v in villages) == report["total"]["drawn_yuan"] == sum(drawn.values())
    lines = list(csv.reader(io.StringIO(ok(run("credit", "summary", "--as-of", AS_OF, "--format", "csv")))))
    column = lines[0].index(next(h for h in lines[0] if "authorised" in h.lower() and "yuan" in h.lower()))
    assert sum(int(line[column]) for line in lines[1:-1]) == int(lines[-1][column]) == by_hand
    assert county(engine).total.authorised_yuan == by_hand


def test_nothing_personal_or_live_reaches_a_message(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "masked", "wan")
    rows[0][3] = IDS["DZ06"]  # an ID number pasted into the amount
    rows[1][3] = "电话 13812345678"
    rows[2][1] = f"{NAMES['DZ03']}{IDS['DZ08']}"  # and into a name
    rows[3][4] = '=HYPERLINK("http://x","3")'
    rows[4][3] = "\x1b[2J5"
    message = failed(results(run, write_table(office / "crafted.csv", header, rows), *ON, lang="zh"))
    for whole in (IDS["DZ06"], IDS["DZ08"], "13812345678"):
        assert whole not in message
    assert mask_id(IDS["DZ06"]) in message and "\x1b" not in message
    for row in (2, 3, 4, 5, 6):
        assert f"第 {row} 行" in message
    assert recorded(engine) == (0, 0)


def test_an_answer_from_another_bank_for_this_export_is_refused(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    path = write_table(office / "a.csv", header, rows)
    message = failed(run("credit", "results", "import", str(path), "--bank", "别的银行", *ON, "--export", "1"))
    assert "Export 1 was made for" in message and BANK in message
    renamed = path.with_name("答复（最终版）.csv")
    ok(results(run, path, *ON))
    renamed.write_bytes(path.read_bytes())
    assert "imported already" in failed(results(run, renamed, *ON))
    assert recorded(engine) == (1, len(rows))
