"""A bank's table as it comes back: approvals (授信), drawings (用信) or arrears, read and checked cell by cell.

The kind is told by the columns (or ``--kind``); amounts are in 万元 or 元 as the heading says
and are kept in fen; every bad cell of every row is reported at once. Matching the rows to the
households of an export is ``bank_results``' work.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

from dateutil.relativedelta import relativedelta

from moralbank.domain.dates import parse_date, value_problem
from moralbank.domain.identity import check_digit, has_personal_number
from moralbank.errors import InputError, RowProblem
from moralbank.services.sheets import Row, Sheet, header_fields, read_sheet

KINDS = ("approval", "drawing", "arrears")

# The columns a bank's table may carry, by field, with the heading of the usual 整村授信批量审批表.
RESULT_COLUMNS = {
    "household": "户编号",
    "name": "姓名",
    "id_number": "身份证号码",
    "approved_wan": "授信金额（万元）",
    "approved_yuan": "授信金额（元）",
    "term_years": "授信期限（年）",
    "term_months": "授信期限（月）",
    "decision": "审批结果",
    "drawn_wan": "用信金额（万元）",
    "drawn_yuan": "用信金额（元）",
    "overdue_wan": "逾期金额（万元）",
    "overdue_yuan": "逾期金额（元）",
    "overdue_days": "逾期天数",
    "on": "日期",
    "note": "备注",
}
# Other headings banks write for the same things, and the columns of our own list (a bank often
# answers on the list it received): those are read past ("") but for who the row is.
RESULT_ALIASES = {
    "序号": "", "no.": "", "no": "",
    "身份证号": "id_number", "证件号码": "id_number", "id number": "id_number",
    "户主姓名": "name", "户主": "name", "借款人": "name", "head of household": "name",
    "授信额度（万元）": "approved_wan", "authorised (10k yuan)": "approved_wan", "authorised (yuan)": "approved_yuan",
    "term (years)": "term_years", "term (months)": "term_months",
    "结果": "decision", "审批意见": "decision",
    "支用金额（万元）": "drawn_wan", "支用金额（元）": "drawn_yuan",
    "drawn (10k yuan)": "drawn_wan", "drawn (yuan)": "drawn_yuan",
    "overdue (10k yuan)": "overdue_wan", "overdue (yuan)": "overdue_yuan", "days overdue": "overdue_days",
    "审批日期": "on", "授信日期": "on", "用信日期": "on", "放款日期": "on", "统计日期": "on", "date": "on",
    "村编号": "", "村名": "", "信用等级": "", "授信额度（元）": "", "评定日期": "", "有效期至": "",
    "评定办法 sha-256": "", "village code": "", "village": "", "tier": "", "credit line (yuan)": "",
    "rated on": "", "valid until": "", "policy sha-256": "",
}  # fmt: skip
# A heading such as 授信金额（万元） reaches us as Excel and WPS wrap it in a merged cell: a space or a
# line break before the unit. Those are the same column (bankfix).
RESULT_ALIASES |= {
    heading.replace("（", gap + "（"): name
    for heading, name in [*((h, n) for n, h in RESULT_COLUMNS.items()), *RESULT_ALIASES.items()]
    if "（" in heading
    for gap in (" ", "\n", "\r\n", "\u3000")
}

# Which amount columns make which kind, in the order they are looked for.
_AMOUNTS = {"arrears": ("overdue_wan", "overdue_yuan"), "drawing": ("drawn_wan", "drawn_yuan")}
_AMOUNTS["approval"] = ("approved_wan", "approved_yuan")
_FEN = {"wan": 1_000_000, "yuan": 100}
# A household's line above this is taken for a wrong unit (元 in a 万元 column), not a loan.
MAX_AMOUNT_YUAN = 10_000_000
MAX_TERM_MONTHS = 600
MAX_OVERDUE_DAYS = 36_500
_APPROVED = {"同意", "通过", "批准", "核准", "approved", "approve", "yes", "是"}
_REFUSED = {"不同意", "拒绝", "否决", "未通过", "不予授信", "refused", "refuse", "declined", "no", "否"}


@dataclass(frozen=True)
class BankLine:
    """One row of a bank's table, checked: who (code, ID full or masked, name) and what the bank says."""

    row: int
    household: str
    id_number: str  # as the bank wrote it, full or masked: used to match, never stored
    name: str
    on: date
    amount_fen: int
    approved: bool | None  # approvals only
    term_months: int | None
    overdue_days: int | None
    note: str


@dataclass(frozen=True)
class BankTable:
    """A bank's table read whole: its kind, the field matched on, its lines and its bad rows."""

    kind: str
    source: str
    identity: str  # "household" or "id_number"
    lines: list[BankLine]
    problems: list[RowProblem]
    sheet: Sheet | None = None  # as read: the worksheet and the title and footer rows read past


def detect_kind(fields: frozenset[str]) -> str | None:
    """The kind of table the headings name: arrears, drawing or approval; None when none."""
    for kind in ("arrears", "drawing", "approval"):
        if any(name in fields for name in _AMOUNTS[kind]) or (kind == "arrears" and "overdue_days" in fields):
            return kind
    return "approval" if "decision" in fields else None


def read_bank_table(path: Path, *, kind: str | None, on: date | None, today: date) -> BankTable:
    """Read a bank's table: the kind from ``kind`` or the headings, each row checked.

    A row's date is its date column, else ``on``; a table with neither is refused.
    """
    fields = header_fields(path, RESULT_COLUMNS, info=RESULT_ALIASES)
    found = detect_kind(fields)
    kind = kind or found
    if kind is None:
        raise InputError("bank_results.unknown_kind", path=path.name)
    if kind not in KINDS:
        raise InputError("bank_results.bad_kind", kind=kind, kinds=", ".join(KINDS))
    identity = "household" if "household" in fields else "id_number"
    amounts = [name for name in _AMOUNTS[kind] if name in fields]
    if len(amounts) > 1:
        raise InputError("bank_results.two_units", path=path.name)
    required = (identity, *amounts[:1]) if amounts else (identity, _AMOUNTS[kind][0])
    if kind == "arrears":
        required += ("overdue_days",)
    sheet = read_sheet(path, RESULT_COLUMNS, required, info=RESULT_ALIASES)
    if on is None and "on" not in fields:
        raise InputError("bank_results.date_required", path=path.name)
    if not sheet.rows and not sheet.problems:  # a heading and nothing under it: not an answer to log
        raise InputError("bank_results.no_rows", path=path.name)
    return _checked(sheet, kind, identity, amounts[0] if amounts else "", on, today)


def _checked(sheet: Sheet, kind: str, identity: str, amount: str, on: date | None, today: date) -> BankTable:
    lines: list[BankLine] = []
    problems = list(sheet.problems)
    for number, row in sheet.rows:
        # A row with a bad cell is still matched, so that all its problems are told at once; the
        # table is refused whole when any row has one.
        lines.append(_line(number, row, kind, amount, on, today, problems, (number, "id_number") in sheet.numeric))
    return BankTable(kind, sheet.source, identity, lines, problems, sheet)


def _line(
    number: int,
    row: Row,
    kind: str,
    amount: str,
    on: date | None,
    today: date,
    problems: list[RowProblem],
    id_was_number: bool = False,
) -> BankLine:
    def fail(field: str, key: str, **params: object) -> None:
        problems.append(RowProblem(number, field, key, dict(params)))

    code = unicodedata.normalize("NFKC", row.get("household", "")).strip().upper()
    id_number = id_as_listed(row.get("id_number", ""))
    if not code and not id_number:
        fail("household" if "household" in row else "id_number", "field.required")
    elif id_was_number and not code and len(row.get("id_number", "").strip()) > 15:
        # A spreadsheet keeps 15 digits of a number: an 18-digit ID number in a number cell has lost
        # its last ones (even when the check digit happens to hold), so it is never matched on.
        fail("id_number", "bank_results.id_as_number")
        id_number = ""
    day = _date(row.get("on", ""), on, today, number, problems)
    fen = read_amount(row.get(amount, ""), amount, number, problems, blank_is_zero=kind == "approval")
    if fen and kind != "arrears" and fen % 100:
        # Credit is authorised and drawn in whole yuan; a 角 or 分 there is a slip (a wrong unit, a
        # computed cell), and whole yuan keep every village's and the county's sums exact.
        fail(amount, "bank_results.whole_yuan", value=row.get(amount, "")[:40])
        fen = None
    note = row.get("note", "")
    if hidden := next((n for n, c in enumerate(note, 1) if unicodedata.category(c) == "Cf"), None):
        # A direction override or zero-width character: kept, it could make the note read otherwise.
        fail("note", "text.control_char", position=hidden, code=f"U+{ord(note[hidden - 1]):04X}")
    if has_personal_number(note) or _PERSONAL_WITH_GAPS.search(_DIGIT_GAPS.sub("", note)):
        fail("note", "bank_results.note_personal")
    term = _term(row, number, problems) if kind == "approval" else None
    said_days = unicodedata.normalize("NFKC", row.get("overdue_days", "")).strip().removesuffix("天").strip()
    days = _whole(said_days, "overdue_days", MAX_OVERDUE_DAYS, number, problems)
    approved: bool | None = None
    if kind == "approval":
        approved = _decision(row.get("decision", ""), fen, note, number, problems)
    if kind == "arrears" and days and fen == 0:
        fail("overdue_days", "bank_results.days_without_amount", days=days)
    elif kind == "arrears" and fen and not row.get("overdue_days"):
        fail("overdue_days", "field.required")
    days = days if kind == "arrears" else None
    name = row.get("name", "")
    return BankLine(number, code, id_number, name, day or today, fen or 0, approved, term, days, note)


# Spaces and dashes between digits, as a phone or ID number is often written ("138 1234 5678").
_DIGIT_GAPS = re.compile(r"(?<=\d)[\s\-‐–—]+(?=\d)")
_OLD_ID = re.compile(r"^\d{15}$")
# Once the gaps are closed: an ID number (18 digits, or 15 of the old kind) or a mobile number.
_PERSONAL_WITH_GAPS = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])|1[3-9]\d{9}")


def id_as_listed(value: str) -> str:
    """An ID number as the bank wrote it, in the register's form: no spaces, upper-case X, 18 digits.

    A 15-digit ID number of the old kind is read as its 18-digit form (19 before the year, the
    check digit after), as the register holds it; a masked one is kept masked.
    """
    cleaned = "".join(unicodedata.normalize("NFKC", value).split()).replace("-", "").upper()
    if _OLD_ID.match(cleaned):
        first17 = cleaned[:6] + "19" + cleaned[6:]
        return first17 + check_digit(first17)
    return cleaned


def _date(value: str, on: date | None, today: date, number: int, problems: list[RowProblem]) -> date | None:
    if not value:
        if on is None:
            problems.append(RowProblem(number, "on", "field.required"))
        return on
    try:
        day = parse_date(value, "on", serial=True)
    except InputError as exc:
        key, params = value_problem(exc)
        problems.append(RowProblem(number, "on", key, params))
        return None
    if day > today:
        problems.append(RowProblem(number, "on", "bank_results.future_date", {"value": day.isoformat()}))
        return None
    return day


# A number as a bank's table writes it: 5, 5.0, 50,000 (commas only between groups of three, so
# that 5,5 is never read as 55), .5 or 5E+04 as Excel saves a large number to CSV.
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:e[+-]?\d{1,4})?$", re.IGNORECASE)
_UNIT_WORDS = (("万元", "wan"), ("万", "wan"), ("元", "yuan"))


def _number(value: str) -> Decimal | None:
    cleaned = unicodedata.normalize("NFKC", value).strip()  # "5 5" is not 55, as "5,5" is not
    if not _NUMBER.match(cleaned) or not re.search(r"\d", re.split("[eE]", cleaned)[0]):
        return None
    try:
        found = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def _unit_said(value: str) -> tuple[str, str | None]:
    """The amount without a unit written after it (5万, 50000元), and that unit."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    for word, unit in _UNIT_WORDS:
        if cleaned.endswith(word):
            return cleaned.removesuffix(word).strip(), unit
    return cleaned, None


def read_amount(value: str, field: str, number: int, problems: list[RowProblem], *, blank_is_zero: bool) -> int | None:
    """An amount in the column's unit as fen, or None with the problem noted."""
    if not value:
        if blank_is_zero:
            return 0
        problems.append(RowProblem(number, field, "field.required"))
        return None
    unit = "wan" if field.endswith("_wan") else "yuan"
    bare, said = _unit_said(value)
    if said is not None and said != unit:  # 5元 in a 万元 column: which one was meant?
        problems.append(RowProblem(number, field, "bank_results.unit_differs", {"value": value[:40]}))
        return None
    found = _number(bare)
    if found is None and "," in unicodedata.normalize("NFKC", bare):
        problems.append(RowProblem(number, field, "bank_results.comma_amount", {"value": value[:40]}))
        return None
    if found is None:
        problems.append(RowProblem(number, field, "bank_results.not_amount", {"value": value[:40]}))
        return None
    with localcontext() as exact:  # never rounded: 5.000…01 万元 is finer than a fen, not 5 万元
        exact.prec = 60
        fen = found * _FEN[unit]
    if found < 0 or fen != fen.to_integral_value():
        problems.append(RowProblem(number, field, "bank_results.bad_amount", {"value": value[:40]}))
        return None
    if fen > MAX_AMOUNT_YUAN * 100:
        limit = MAX_AMOUNT_YUAN // 10_000 if unit == "wan" else MAX_AMOUNT_YUAN
        problems.append(
            RowProblem(number, field, "bank_results.amount_too_large", {"value": value[:40], "limit": limit})
        )
        return None
    return int(fen)


def _whole(value: str, field: str, limit: int, number: int, problems: list[RowProblem]) -> int | None:
    if not value:
        return None
    found = _number(value)
    if found is None or found != found.to_integral_value() or not 0 <= found <= limit:
        problems.append(RowProblem(number, field, "bank_results.bad_whole", {"value": value[:40], "limit": limit}))
        return None
    return int(found)


def _term(row: Row, number: int, problems: list[RowProblem]) -> int | None:
    """The term in months, from a column in years (1, 1.5, 3年) or in months (36, 36个月)."""
    field = "term_months" if row.get("term_months") else "term_years"
    value, said = _term_said(row.get(field, ""))
    if not value:
        return None
    if (said or field.removeprefix("term_")) == "months":
        months = _whole(value, field, MAX_TERM_MONTHS, number, problems)
    else:
        years = _number(value)
        if years is None or years * 12 != (years * 12).to_integral_value() or not 0 < years * 12 <= MAX_TERM_MONTHS:
            problems.append(RowProblem(number, field, "bank_results.bad_term", {"value": row[field][:40]}))
            return None
        months = int(years * 12)
    if months == 0:
        problems.append(RowProblem(number, field, "bank_results.bad_term", {"value": row[field][:40]}))
        return None
    return months


def _term_said(value: str) -> tuple[str, str | None]:
    """A term without the unit written after it (3年, 36个月), and that unit."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    for word, unit in (("个月", "months"), ("月", "months"), ("年", "years")):
        if cleaned.endswith(word):
            return cleaned.removesuffix(word).strip(), unit
    return cleaned, None


def _decision(value: str, fen: int | None, note: str, number: int, problems: list[RowProblem]) -> bool | None:
    """Approved or refused: the decision column when there is one, else an amount above 0 approves.

    A refusal is written as an amount of 0 (or blank), or 不同意/拒绝 in 审批结果, with its reason in 备注.
    """
    said = unicodedata.normalize("NFKC", value).strip().lower()
    if said and said not in _APPROVED | _REFUSED:
        problems.append(RowProblem(number, "decision", "bank_results.bad_decision", {"value": value[:40]}))
        return None
    if fen is None:
        return None
    approved = said in _APPROVED if said else fen > 0
    if approved and fen == 0:
        problems.append(RowProblem(number, "decision", "bank_results.approved_without_amount"))
    elif not approved and fen > 0:
        problems.append(RowProblem(number, "decision", "bank_results.refused_with_amount"))
    elif not approved and not note:
        problems.append(RowProblem(number, "note", "bank_results.refusal_reason"))
    return approved


def expires(on: str, term_months: int | None) -> str | None:
    """The first day an approval of ``term_months`` from ``on`` no longer holds (None: no term given)."""
    if term_months is None:
        return None
    return (date.fromisoformat(on) + relativedelta(months=term_months)).isoformat()
