"""The ledger through the command: idempotent keys, atomic sheets, reversals, redemptions, the passbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import Result

from moralbank.errors import InputError
from moralbank.messages import text as say
from moralbank.services.ledger import differing_field, free_text, get_entry, holdings, inverse_fields
from moralbank.services.sheets import DECISION_COLUMNS
from moralbank.storage.db import reading
from moralbank.storage.predicates import standing_deduction
from tests.clock import freeze_today
from tests.database import entry_count
from tests.runner import Run, failed, ok
from tests.town import HOUSEHOLD_CODES, TODAY, book, build_register, write_csv

HEADER = list(DECISION_COLUMNS)


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    return run


def recorded(result: Result) -> int:
    out = ok(result).splitlines()[-1]  # a reversal shows the entry it takes back first
    assert out.startswith("Recorded as entry ") or out.startswith("已记账，记录号 "), out
    return int(out.split()[-1])


def balance(run: Run, household: str, *args: str) -> tuple[int, int]:
    shown = json.loads(ok(run("balance", household, *args, "-f", "json")))
    return shown["coins"], shown["earned"]


AWARD = ["award", "NL001", "ZY01", "--qty", "2", "--on", "2026-10-05", "--booked", "2026-10-25", "--note", "扫雪"]


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_key_twice_is_one_entry(town: Run, engine: Engine) -> None:
    first = ok(town(*AWARD, "--key", "会-2026-10-01"))
    assert first == "Recorded as entry 1\n"
    assert ok(town(*AWARD, "--key", "会-2026-10-01")) == (
        "key 会-2026-10-01 was used before: a repeat of entry 1; nothing new was written\n"
    )
    assert ok(town(*AWARD, "--key", "会-2026-10-01", lang="zh")) == (
        "幂等键 会-2026-10-01 已用过：这是第 1 号记录的重复提交，未重复记账\n"
    )
    assert entry_count(engine) == 1
    assert balance(town, "NL001") == (8, 8)


def test_the_same_key_with_a_different_body_is_refused_naming_the_field(town: Run, engine: Engine) -> None:
    recorded(town(*AWARD, "--key", "k1"))
    for changed, field in [
        ([*AWARD, "--qty", "3"], "qty"),
        ([*AWARD, "--note", "扫雪除冰"], "note"),
        ([*AWARD, "--on", "2026-10-06"], "event_date"),
        ([*AWARD, "--booked", "2026-10-26"], "booked_on"),
        (["award", "NL002", *AWARD[2:]], "household"),
        (["award", "NL001", "XL01", *AWARD[3:]], "standard"),
    ]:
        assert failed(town(*changed, "--key", "k1")) == (
            f"Error: field {field}: key k1 was already used for a different decision\n"
        )
        assert (
            failed(town(*changed, "--key", "k1", lang="zh"))
            == f"错误：字段 {say('field.name.' + field, 'zh')}：幂等键 k1 已用于内容不同的记录\n"
        )
    assert entry_count(engine) == 1


def test_reverse_and_redeem_retries(town: Run, engine: Engine) -> None:
    award = recorded(town(*AWARD))
    reverse = ["reverse", str(award), "--reason", "记错了户", "--booked", "2026-10-26", "--key", "r1"]
    reversal = recorded(town(*reverse))
    assert recorded(town(*reverse)) == reversal  # a retry, not a second reversal
    assert failed(town(*reverse[:3], "另一个原因", *reverse[4:])) == (
        "Error: key r1 was already used for a different entry: note differs\n"
    )
    recorded(town(*AWARD))
    redeem = ["redeem", "NL001", "5", "--item", "香皂", "--booked", "2026-10-27", "--key", "x1"]
    spent = recorded(town(*redeem))
    assert recorded(town(*redeem)) == spent
    assert failed(town("redeem", "NL001", "6", *redeem[3:])) == (
        "Error: key x1 was already used for a different entry: coins differs\n"
    )
    assert failed(town("redeem", "NL001", "6", *redeem[3:], lang="zh")) == (
        "错误：幂等键 x1 已用于另一条记录，字段 道德币 不同\n"
    )
    assert entry_count(engine) == 4
    assert balance(town, "NL001") == (3, 8)


# --- sheets: all rows or none ---------------------------------------------------------------------


def big_sheet(path: Path, rows: int = 500) -> list[list[str]]:
    """A meeting's sheet: ZY01 (no cap) for every household in turn, distinct keys."""
    return [
        [HOUSEHOLD_CODES[n % 6], "ZY01", str(1 + n % 3), "2026-10-05", "2026-10-25", f"第{n}次", f"2026-10-{n:04d}"]
        for n in range(rows)
    ]


def test_a_500_row_sheet_with_one_bad_row_writes_nothing(town: Run, engine: Engine, tmp_path: Path) -> None:
    rows = big_sheet(tmp_path)
    rows[316][2] = "两"  # spreadsheet row 318
    sheet = write_csv(tmp_path / "十月.csv", HEADER, rows)
    assert failed(town("import", "decisions", str(sheet))) == (
        "Error: 十月.csv: 1 problem found; nothing was written.\n  row 318, field qty: “两” is not a whole number\n"
    )
    assert failed(town("import", "decisions", str(sheet), lang="zh")) == (
        "错误：十月.csv：发现 1 处问题，未写入任何数据。\n  第 318 行，字段 数量：“两”不是整数\n"
    )
    assert entry_count(engine) == 0
    rows[316][2] = "2"
    write_csv(sheet, HEADER, rows)
    assert ok(town("import", "decisions", str(sheet))).splitlines()[0] == (
        "500 entries recorded (0 repeated rows were already recorded)."
    )
    total = sum(4 * (1 + n % 3) for n in range(500))
    coins = [balance(town, code)[0] for code in HOUSEHOLD_CODES]
    assert sum(coins) == total == 3996  # 999 units of 4 points
    assert coins[0] == sum(4 * (1 + n % 3) for n in range(0, 500, 6))
    again = ok(town("import", "decisions", str(sheet), "--again", lang="zh")).splitlines()[0]
    assert again == "已记账 0 条（重复提交 500 条未重复记账）。"
    assert entry_count(engine) == 500


def test_every_bad_row_is_listed(town: Run, engine: Engine, tmp_path: Path) -> None:
    recorded(town(*AWARD, "--key", "old-1"))
    rows = big_sheet(tmp_path, 40)
    rows[3] = ["NL404", "ZY01", "1", "2026-10-05", "2026-10-25", "", "a1"]
    rows[7] = ["NL001", "QQ01", "1", "2026-10-05", "2026-10-25", "", "a2"]
    rows[9] = ["NL002", "ZY01", "0", "2026-10-05", "2026-10-25", "", "a3"]
    rows[12] = ["NL003", "XL01", "1", "2026-12-05", "2026-10-25", "", "a4"]
    rows[15] = ["NL004", "XL01", "3", "2026-10-05", "2026-10-25", "", "a5"]
    rows[18] = ["", "ZY01", "1", "05/10/2026", "", "", "a6"]
    rows[21] = ["NL001", "ZY01", "5", "2026-10-05", "2026-10-25", "扫雪", "old-1"]
    rows[24] = ["BG001", "XL01", "1", "2026-01-05", "2026-10-25", "", "a7"]
    rows[30] = ["NL002", "ZY01", "1", "2026-10-05", "2026-10-25", "", rows[29][6]]  # a key twice in the sheet
    sheet = write_csv(tmp_path / "d.csv", HEADER, rows)
    assert failed(town("import", "decisions", str(sheet))).splitlines() == [
        "Error: d.csv: 10 problems found; nothing was written.",
        "  row 5, field household: no household NL404; did you mean NL004, NL003, NL002?",
        "  row 9, field standard: no standard QQ01",
        "  row 11, field qty: 0 must be a positive whole number",
        "  row 14, field event_date: the date 2026-12-05 is in the future",
        "  row 17, field qty: exceeds the monthly cap of 10 (already 0 this month, this one 15)",
        "  row 20, field household: is required",
        "  row 20, field event_date: “05/10/2026” is not a date we can read; write the year first in four digits, e.g. 2026-11-03, 2026/11/3 or 2026年11月3日",
        "  row 23, field qty: key old-1 was already used for a different decision",
        "  row 26, field standard: standard XL01 is not in force on 2026-01-05",
        "  row 32, field household: key 2026-10-0029 was already used for a different decision",
    ]
    assert entry_count(engine) == 1


def test_a_sheet_with_defaults_and_chinese_headers(town: Run, tmp_path: Path) -> None:
    header = [DECISION_COLUMNS[name] for name in ("household", "standard", "qty", "note")]
    sheet = write_csv(
        tmp_path / "今天.csv", header, [["NL001", "ZY01", "", "按默认"], ["BG002", "LL03", "", ""]], "gb18030"
    )
    assert ok(town("import", "decisions", str(sheet), lang="zh")).splitlines() == [
        "已记账 2 条（重复提交 0 条未重复记账）。",
        "本次为第 1 号导入（撤销：moralbank reverse --import 1 --reason 原因）",
    ]
    lines = json.loads(ok(town("statement", "BG002", "-f", "json")))["lines"]
    assert [(x["booked_on"], x["event_date"], x["qty"], x["coins"]) for x in lines] == [
        ("2026-11-29", "2026-11-29", 1, -10)  # dates default to today, qty to 1
    ]


# --- reversals and redemptions -------------------------------------------------------------------


def test_a_reversal_nets_to_zero_and_happens_once(town: Run, engine: Engine) -> None:
    award = recorded(town(*AWARD))
    deduction = recorded(town("award", "NL001", "LL03", "--on", "2026-10-07", "--booked", "2026-10-25"))
    assert balance(town, "NL001") == (-2, -2)
    first = recorded(town("reverse", str(deduction), "--reason", "查无此事", "--booked", "2026-10-28"))
    assert balance(town, "NL001") == (8, 8)
    assert failed(town("reverse", str(deduction), "--reason", "again")) == (
        f"Error: entry #{deduction} was already reversed by entry #{first}\n"
    )
    assert failed(town("reverse", str(deduction), "--reason", "again", lang="zh")) == (
        f"错误：记录 #{deduction} 已被记录 #{first} 冲正，不能再次冲正\n"
    )
    assert failed(town("reverse", str(first), "--reason", "undo")) == (
        f"Error: entry #{first} (reversal) cannot be reversed\n"
    )
    assert failed(town("reverse", "99", "--reason", "x")) == "Error: no entry #99\n"
    assert failed(town("reverse", str(award), "--reason", "  ")) == "Error: a reversal needs a reason (--reason)\n"
    assert failed(town("reverse", str(award), "--reason", "x", "--booked", "2026-12-01")) == (
        "Error: booked_on: the date 2026-12-01 is in the future\n"
    )
    assert entry_count(engine) == 3


def test_redemption_never_goes_below_zero(town: Run, engine: Engine) -> None:
    recorded(town(*AWARD))  # 8 coins
    assert failed(town("redeem", "NL001", "9", "--item", "洗衣粉")) == (
        "Error: NL001 has 8 coins, not enough to redeem 9\n"
    )
    assert (
        failed(town("redeem", "NL001", "9", "--item", "洗衣粉", lang="zh")) == "错误：NL001 余额 8 币，不足兑换 9 币\n"
    )
    spent = recorded(town("redeem", "NL001", "8", "--item", "洗衣粉", "--booked", "2026-11-02"))
    assert balance(town, "NL001") == (0, 8)  # spending does not lower earned points
    assert (
        failed(town("redeem", "NL001", "1", "--item", "香皂")) == "Error: NL001 has 0 coins, not enough to redeem 1\n"
    )
    recorded(town("reverse", str(spent), "--reason", "退货"))
    assert balance(town, "NL001") == (8, 8)
    assert failed(town("redeem", "NL001", "0", "--item", "香皂")) == (
        "Error: coins to redeem must be a positive whole number: 0\n"
    )
    assert failed(town("redeem", "NL001", "1", "--item", " ")) == "Error: a redemption needs an item (--item)\n"
    assert failed(town("redeem", "NL404", "1", "--item", "香皂")) == "Error: no household NL404\n"
    assert entry_count(engine) == 3


# --- the passbook ----------------------------------------------------------------------------------


def test_balance_as_of_and_statement_between_dates(town: Run) -> None:
    recorded(town("award", "NL003", "XL01", "--on", "2026-09-03", "--booked", "2026-09-25"))  # 1: +5
    recorded(town("award", "NL003", "ZY01", "--qty", "2", "--on", "2026-10-03", "--booked", "2026-10-25"))  # 2: +8
    recorded(town("award", "NL003", "LL03", "--on", "2026-10-04", "--booked", "2026-10-25"))  # 3: -10
    recorded(town("reverse", "3", "--reason", "调解后撤销", "--booked", "2026-11-05"))  # 4: +10
    recorded(town("redeem", "NL003", "6", "--item", "食用油", "--booked", "2026-11-20"))  # 5: -6
    recorded(town("award", "NL004", "ZY01", "--on", "2026-10-03", "--booked", "2026-10-25"))  # another household
    assert balance(town, "NL003") == (7, 13)
    assert balance(town, "NL003", "--as-of", "2026-10-24") == (5, 5)
    assert balance(town, "NL003", "--as-of", "2026-10-25") == (3, 3)
    assert json.loads(ok(town("balance", "NL003", "--as-of", "2026-11-05", "-f", "json"))) == {
        "household": "NL003",
        "village": "NL",
        "head_name": "赵桂兰",
        "coins": 13,
        "earned": 13,
        "as_of": "2026-11-05",
    }
    assert (
        ok(town("balance", "NL003", "-f", "csv"))
        == "household,village,head_name,coins,earned,as_of\nNL003,NL,赵桂兰,7,13,2026-11-29\n"  # the date it used
    )
    shown = json.loads(ok(town("statement", "NL003", "--from", "2026-10-01", "--to", "2026-11-10", "-f", "json")))
    assert (shown["opening"], shown["closing"], shown["date_from"], shown["date_to"]) == (
        5,
        13,
        "2026-10-01",
        "2026-11-10",
    )
    assert [
        (x["id"], x["kind"], x["standard"], x["coins"], x["balance"], x["earned"], x["reverses"], x["reversed_by"])
        for x in shown["lines"]
    ] == [
        (2, "award", "ZY01", 8, 13, 8, None, None),
        (3, "deduction", "LL03", -10, 3, -10, None, 4),
        (4, "reversal", "LL03", 10, 13, 10, 3, None),
    ]
    assert shown["lines"][2]["note"] == "调解后撤销" and shown["lines"][1]["title"] == "打架斗殴"
    assert {x["operator"] for x in shown["lines"]} == {"tester"}
    csv_lines = ok(town("statement", "NL003", "-f", "csv", lang="zh")).splitlines()
    assert csv_lines[0].startswith("\ufeff记录号,记账日期,发生日期,类型,标准编号,标准,数量,道德币,余额,积分")
    assert [line.split(",")[8] for line in csv_lines[1:]] == ["5", "13", "3", "13", "7"]
    assert [line.split(",")[3] for line in csv_lines[1:]] == ["加分", "加分", "扣分", "冲正", "兑换"]
    table = ok(town("statement", "NL003", lang="zh"))
    assert table.startswith("期初余额：0 币\n") and table.endswith("期末余额：7 币\n累计积分：13 分\n")
    assert "冲正" in table and "兑换" in table and "食用油" in table


def test_a_retry_after_the_month_closed_returns_the_original(town: Run, engine: Engine, tmp_path: Path) -> None:
    rows = [[code, "ZY01", "1", "2026-10-05", "2026-10-25", "", f"oct-{code}"] for code in HOUSEHOLD_CODES]
    sheet = write_csv(tmp_path / "十月.csv", HEADER, rows)
    ok(town("import", "decisions", str(sheet)))
    first = recorded(town(*AWARD, "--key", "late-retry"))
    ok(town("board", "publish", "--village", "NL", "--month", "2026-10"))
    assert ok(town(*AWARD, "--key", "late-retry")) == (
        f"key late-retry was used before: a repeat of entry {first}; nothing new was written\n"
    )
    again = ok(town("import", "decisions", str(sheet), "--again")).splitlines()[0]
    assert again == "0 entries recorded (6 repeated rows were already recorded)."
    assert failed(town(*AWARD, "--key", "new-key")) == (
        "Error: field booked_on: 2026-10 is closed: its board is published; book into an open month\n"
    )
    assert failed(town(*AWARD, "--qty", "1", "--key", "late-retry")) == (
        "Error: field qty: key late-retry was already used for a different decision\n"
    )
    assert entry_count(engine) == 7


# --- the ledger's single homes --------------------------------------------------------------------


def test_free_text_is_stripped_and_refused_empty_or_with_a_personal_number() -> None:
    assert free_text("  重复录入 ", field="reason", missing="reverse.no_reason") == "重复录入"
    with pytest.raises(InputError) as empty:
        free_text("   ", field="reason", missing="reverse.no_reason")
    assert empty.value.key == "reverse.no_reason"
    with pytest.raises(InputError) as personal:
        free_text("联系 13912345678", field="item", missing="redeem.no_item")
    assert (personal.value.key, personal.value.params) == ("text.personal_number_field", {"field": "item"})


def test_inverse_fields_undo_the_transfer_and_link_to_it(town: Run, engine: Engine) -> None:
    (entry_id,) = book(engine, [("NL001", "ZY01", 2, "k1")])
    with reading(engine) as session:
        original = get_entry(session, entry_id)
        undo = inverse_fields(original)
        expected = (original.credit, original.debit, original.standard_id, original.seq)
    assert (undo["debit"], undo["credit"], undo["standard_id"], undo["ref_seq"]) == expected
    assert (undo["amount"], undo["coins"], undo["earned"]) == (8, -8, -8)  # ZY01 is worth 4 in October
    assert (undo["household"], undo["qty"], undo["event_date"]) == ("NL001", 2, "2026-10-05")
    assert "kind" not in undo and "booked_on" not in undo  # the caller says what kind of undoing it is


def test_differing_field_reads_a_stored_entry_and_a_batch_row_alike(town: Run, engine: Engine) -> None:
    (entry_id,) = book(engine, [("NL001", "ZY01", 2, "k1")])
    with reading(engine) as session:
        stored = get_entry(session, entry_id)
        row = {name: getattr(stored, name) for name in ("household", "standard_id", "qty", "note", "amount")}
        assert differing_field(stored, row) is None and differing_field(row, dict(row)) is None
        assert differing_field(stored, row | {"qty": 3}) == differing_field(row, row | {"qty": 3}) == "qty"
        assert differing_field(stored, row | {"amount": 9}) == "coins"  # named as the user knows it
        assert differing_field(stored, {"kind": "reversal"}) == "kind"  # only the fields a retry names


def test_holdings_through_and_before_a_date(town: Run, engine: Engine) -> None:
    book(engine, [("NL001", "ZY01", 2, "a")], booked="2026-10-10")
    book(engine, [("NL001", "LL03", 1, "b")], booked="2026-10-20")
    with reading(engine) as session:
        assert holdings(session, household="NL001") == (-2, -2)
        assert holdings(session, household="NL001", through="2026-10-10") == (8, 8)
        assert holdings(session, household="NL001", before="2026-10-10") == (0, 0)
        assert holdings(session, household="NL001", before="2026-10-21") == (-2, -2)
        assert holdings(session, household="NL002") == (0, 0)


def test_a_deduction_stands_until_the_day_its_reversal_is_booked(town: Run, engine: Engine) -> None:
    (deduction,) = book(engine, [("NL001", "LL03", 1, "d")], booked="2026-10-20")
    ok(town("reverse", str(deduction), "--reason", "误记", "--booked", "2026-11-03"))
    query = text(f"SELECT e.id FROM entry e WHERE {standing_deduction('e', ':by')}")
    with reading(engine) as session:
        standing = {by: [i for (i,) in session.execute(query, {"by": by})] for by in ("2026-10-31", "2026-11-03")}
    assert standing == {"2026-10-31": [deduction], "2026-11-03": []}
