"""Point decisions as typed or read from a meeting's sheet, parsed with every problem reported."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from moralbank.domain.dates import parse_date, value_problem
from moralbank.domain.limits import qty_field, qty_problem, text_problem
from moralbank.errors import InputError, RowProblem, SheetError

if TYPE_CHECKING:  # a single decision (award) never reads a sheet
    from moralbank.services.sheets import Row, Sheet


@dataclass(frozen=True)
class Decision:
    """One point decision: a household, a standard, how many units, when, and an optional key.

    A Decision is always within bounds (qty 1..10,000, a note of at most 200 characters without
    control characters): one built from typed options that is not raises a SheetError naming
    each field, so nothing out of bounds reaches the ledger.
    """

    household: str
    standard: str
    qty: int
    event_date: str
    booked_on: str
    note: str = ""
    key: str | None = None
    # What an informational column of the sheet claims, checked against the register and the
    # standard (never stored): a disagreement catches a code typed into the wrong line.
    head_name: str = field(default="", compare=False)
    points: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if problems := bound_problems(self, 0):
            raise SheetError("", problems)


def bound_problems(decision: Decision, number: int) -> list[RowProblem]:
    """What in a decision is out of bounds: its quantity, and the length and characters of its texts."""
    problems = []
    if found := qty_problem(decision.qty):
        problems.append(RowProblem(number, "qty", *found))
    for name in ("household", "standard", "note", "key"):
        if found := text_problem(name, getattr(decision, name) or ""):
            problems.append(RowProblem(number, name, *found))
    return problems


def _points(value: str, number: int, problems: list[RowProblem]) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(RowProblem(number, "points", "field.not_integer", {"value": value}))
        return None


# Dates as written, read before: a sheet names a few hundred days in a million rows. Only dates
# that parse are kept, and the map is emptied when it grows past _DAYS_KEPT.
_DAYS: dict[str, str] = {}
_DAYS_KEPT = 10_000


def _day(value: str, name: str, default: date, number: int, problems: list[RowProblem]) -> str:
    if not value:
        return default.isoformat()
    if (known := _DAYS.get(value)) is not None:
        return known
    try:
        day = parse_date(value, name, serial=True).isoformat()
    except InputError as exc:
        problems.append(RowProblem(number, name, *value_problem(exc)))
        return default.isoformat()
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    _DAYS[value] = day
    return day


def _text(row: Row, name: str, number: int, problems: list[RowProblem]) -> str:
    value = row.get(name, "")
    # A sheet's reader has checked every cell already (sheets._Body): printable text within its
    # length needs no second look.
    if not (value.isprintable() and len(value) <= 50) and (found := text_problem(name, value)):
        problems.append(RowProblem(number, name, *found))
        return ""
    return value


def decision_from_row(row: Row, number: int, today: date, problems: list[RowProblem]) -> Decision:
    """A Decision from one sheet row; problems are appended, never raised."""
    for name in ("household", "standard"):
        if not row.get(name):
            problems.append(RowProblem(number, name, "field.required"))
    event = _day(row.get("event_date", ""), "event_date", today, number, problems)
    return Decision(
        household=_text(row, "household", number, problems),
        standard=_text(row, "standard", number, problems),
        qty=qty_field(row.get("qty", ""), number, problems),
        event_date=event,
        booked_on=_day(row.get("booked_on", ""), "booked_on", today, number, problems),
        note=_text(row, "note", number, problems),
        key=_text(row, "key", number, problems) or None,
        head_name=row.get("head_name", ""),
        points=_points(row.get("points", ""), number, problems),
    )


def decisions_from_rows(
    rows: Iterable[tuple[int, Row]], today: date, problems: list[RowProblem]
) -> Iterator[tuple[int, Decision]]:
    """The well-formed decisions of a sheet's rows as they are read; a problem for every malformed field."""
    for number, row in rows:
        found: list[RowProblem] = []
        decision = decision_from_row(row, number, today, found)
        if found:
            problems += found
        else:
            yield number, decision


def decisions_from_sheet(sheet: Sheet, today: date) -> tuple[list[tuple[int, Decision]], list[RowProblem]]:
    """The well-formed decisions of a sheet, and a problem for every malformed field."""
    problems: list[RowProblem] = list(sheet.problems)
    decisions = []
    for number, row in sheet.rows:
        found: list[RowProblem] = []
        decision = decision_from_row(row, number, today, found)
        if found:
            problems += found
        else:
            decisions.append((number, decision))
    return decisions, problems
