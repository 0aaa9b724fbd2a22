"""Point decisions as typed or read from a meeting's sheet, parsed with every problem reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from moralbank.domain.dates import parse_date
from moralbank.errors import InputError, RowProblem
from moralbank.services.sheets import Row, Sheet


@dataclass(frozen=True)
class Decision:
    """One point decision: a household, a standard, how many units, when, and an optional key."""

    household: str
    standard: str
    qty: int
    event_date: str
    booked_on: str
    note: str = ""
    key: str | None = None


def _qty(value: str, number: int, problems: list[RowProblem]) -> int:
    if not value:
        return 1
    try:
        qty = int(value)
    except ValueError:
        problems.append(RowProblem(number, "qty", "field.not_integer", {"value": value}))
        return 1
    if qty <= 0:
        problems.append(RowProblem(number, "qty", "field.not_positive", {"value": qty}))
    return qty


def _day(value: str, name: str, default: date, number: int, problems: list[RowProblem]) -> str:
    if not value:
        return default.isoformat()
    try:
        return parse_date(value, name).isoformat()
    except InputError:
        problems.append(RowProblem(number, name, "date.invalid_value", {"value": value}))
        return default.isoformat()


def decision_from_row(row: Row, number: int, today: date, problems: list[RowProblem]) -> Decision:
    """A Decision from one sheet row; problems are appended, never raised."""
    for name in ("household", "standard"):
        if not row.get(name):
            problems.append(RowProblem(number, name, "field.required"))
    event = _day(row.get("event_date", ""), "event_date", today, number, problems)
    return Decision(
        household=row.get("household", ""),
        standard=row.get("standard", ""),
        qty=_qty(row.get("qty", ""), number, problems),
        event_date=event,
        booked_on=_day(row.get("booked_on", ""), "booked_on", today, number, problems),
        note=row.get("note", ""),
        key=row.get("key") or None,
    )


def decisions_from_sheet(sheet: Sheet, today: date) -> tuple[list[tuple[int, Decision]], list[RowProblem]]:
    """The well-formed decisions of a sheet, and a problem for every malformed field."""
    problems: list[RowProblem] = []
    decisions = []
    for number, row in sheet.rows:
        found: list[RowProblem] = []
        decision = decision_from_row(row, number, today, found)
        if found:
            problems += found
        else:
            decisions.append((number, decision))
    return decisions, problems
