"""Bounds on what may be typed or read: quantities, points, and the length and characters of text."""

from __future__ import annotations

import re
from typing import Any

from moralbank.domain.identity import has_personal_number

MAX_QTY = 10_000
MAX_POINTS = 10_000  # points per unit, and a monthly cap, in magnitude
# The points supermarket: a unit price in coins; goods in one receipt, one count or a low-stock
# mark; a village's minimum balance to redeem (its base score is points: MAX_POINTS).
MAX_PRICE = 10_000
MAX_STOCK = 1_000_000
MAX_MIN_BALANCE = 1_000_000

# A sheet read whole: at most 50 MB of content (a CSV's size; what a workbook expands to, checked
# before it is expanded) and 500,000 rows. A county's whole register is about 125,000 households
# in 232 villages, and a bank's answer to a county list as many rows. A decisions CSV is streamed
# in bounded memory (issue 16), so it has no such limit; a decisions workbook has.
MAX_SHEET_BYTES = 50_000_000
MAX_SHEET_ROWS = 500_000

# Characters per text field; any other free text gets DEFAULT_TEXT_LENGTH.
TEXT_LENGTHS = {"name": 50, "head_name": 50, "title": 200, "note": 200, "reason": 200, "address": 100}
DEFAULT_TEXT_LENGTH = 200

# What a problem with a text value is: a catalogue key and its parameters.
TextProblem = tuple[str, dict[str, Any]]


# The control characters (Unicode category Cc: C0, DEL and C1), tab and newline included: none
# belongs in a name, a note or a code, and each can break a spreadsheet or a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# The text fields that are chained or printed (names, addresses, grids, notes, titles, minutes,
# new codes, keys, bank names, operators): none may hold something shaped like an ID or mobile
# number. Not the register's own id_number and phone (kept whole, always shown masked), nor a
# village's contact for objections (the office's public number); references to a household,
# standard or village are looked up (an unknown one is named, masked), and dates and numbers
# have their own checks, whose messages say what is wrong with them.
PERSONAL_CHECKED = frozenset(
    {
        "name", "head_name", "town", "county", "grid", "address", "note", "reason", "title", "minutes",
        "body", "category", "unit", "item", "committee", "bank", "operator", "key", "code",
    }
)  # fmt: skip


def text_problem(field: str, value: str) -> TextProblem | None:
    """Why a typed or read text value is unacceptable, or None.

    Too long, a control character, or (in PERSONAL_CHECKED) something shaped like an ID or
    mobile number: those fields are chained or printed somewhere (a passbook, a board, an
    export, a journal), so such text is refused when written rather than masked afterwards.
    """
    # str.isprintable is False for every control character: only then is the pattern searched.
    if not value.isprintable() and (found := _CONTROL.search(value)):
        return "text.control_char", {"position": found.start() + 1, "code": f"U+{ord(found[0]):04X}"}
    limit = TEXT_LENGTHS.get(field, DEFAULT_TEXT_LENGTH)
    if len(value) > limit:
        return "text.too_long", {"limit": limit, "length": len(value)}
    if field in PERSONAL_CHECKED and has_personal_number(value):
        return "text.personal_number", {}
    return None


def qty_problem(qty: int) -> TextProblem | None:
    """Why a quantity is out of bounds (1..MAX_QTY), or None."""
    if qty < 1:
        return "field.not_positive", {"value": qty}
    if qty > MAX_QTY:
        return "field.too_large", {"value": qty, "limit": MAX_QTY}
    return None


def qty_field(value: str, number: int, problems: list[Any]) -> int:
    """A sheet's quantity cell ('' is 1), adding a RowProblem to ``problems`` when malformed or out of bounds."""
    from moralbank.errors import RowProblem  # errors imports this module for inert()

    if not value:
        return 1
    try:
        qty = int(value)
    except ValueError:
        problems.append(RowProblem(number, "qty", "field.not_integer", {"value": value}))
        return 1
    if found := qty_problem(qty):
        problems.append(RowProblem(number, "qty", *found))
        return 1
    return qty


def check_bound(field: str, value: int, limit: int) -> None:
    """Refuse a typed number above ``limit`` (its lower bound is the caller's): ``field reason: ...``."""
    from moralbank.errors import RowProblem, SheetError

    if value > limit:
        raise SheetError("", [RowProblem(0, field, "field.too_large", {"value": value, "limit": limit})])


def points_problem(points: int) -> TextProblem | None:
    """Why points per unit or a monthly cap are out of bounds (magnitude at most MAX_POINTS), or None."""
    if abs(points) > MAX_POINTS:
        return "points.too_large", {"value": points, "limit": MAX_POINTS}
    return None


def inert(value: str) -> str:
    """Text safe for a spreadsheet cell or a terminal: each control character becomes U+FFFD."""
    # str.isprintable is False for every control character: a printable value is already inert,
    # and most are (a county's CSV passes millions of cells through here; bench/RESULTS.md).
    return value if value.isprintable() else _CONTROL.sub("\ufffd", value)


def check_text(field: str, value: str) -> None:
    """Refuse a typed text value that is too long or holds a control character: ``field reason: ...``."""
    from moralbank.errors import RowProblem, SheetError  # errors imports this module for inert()

    if found := text_problem(field, value):
        raise SheetError("", [RowProblem(0, field, *found)])
