"""Register changes: a household's details change only by a recorded change (who, when, why, before, after)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.identity import has_personal_number, mask_phone, phone_problem
from moralbank.domain.limits import text_problem
from moralbank.errors import InputError, Refused, RowProblem, SheetError
from moralbank.services.register import get_household
from moralbank.storage.models import CurrentHousehold, Household, HouseholdChange
from moralbank.storage.records import cover

DETAILS = ("head_name", "members", "phone", "grid", "address")  # what ``household set`` may change


def _checked(changes: dict[str, Any], reason: str) -> tuple[dict[str, Any], str]:
    problems: list[RowProblem] = []
    wanted: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name == "members":
            try:
                number = int(str(value).strip())
            except ValueError:
                problems.append(RowProblem(0, name, "field.not_integer", {"value": str(value)[:20]}))
                continue
            if number < 1:
                problems.append(RowProblem(0, name, "field.not_positive", {"value": number}))
            wanted[name] = number
            continue
        text = str(value).strip()
        if name == "head_name" and not text:
            problems.append(RowProblem(0, name, "field.required"))
        elif found := text_problem(name, text):
            problems.append(RowProblem(0, name, *found))
        elif name == "phone" and (why := phone_problem(text)):
            problems.append(RowProblem(0, name, why))
        elif name != "phone" and has_personal_number(text):
            problems.append(RowProblem(0, name, "text.personal_number"))
        wanted[name] = text
    why = reason.strip()
    if not why:
        problems.append(RowProblem(0, "reason", "field.required"))
    elif found := text_problem("reason", why):
        problems.append(RowProblem(0, "reason", *found))
    elif has_personal_number(why):
        problems.append(RowProblem(0, "reason", "text.personal_number"))
    if problems:
        raise SheetError("", problems)
    return wanted, why


def change_household(session: Session, *, code: str, changes: dict[str, Any], reason: str, operator: str) -> int:
    """Record a change of a household's details (only the fields given); refused if nothing would change."""
    if not any(value is not None for value in changes.values()):
        raise InputError("household.nothing_to_set")
    current = get_household(session, code)
    wanted, why = _checked(changes, reason)
    after = {name: getattr(current, name) for name in DETAILS} | wanted
    if all(after[name] == getattr(current, name) for name in DETAILS):
        raise Refused("household.unchanged", code=code)
    row = HouseholdChange(household=code, **after, reason=why, operator=operator, changed_at=clock.stamp())
    session.add(row)
    session.flush()
    assert row.id is not None
    cover(session, "household_change", [row.id])
    return row.id


@dataclass(frozen=True)
class HistoryRow:
    """One event in a household's register history; phone numbers masked by the renderer's row."""

    at: str  # UTC, when it was recorded
    event: str  # "registered" or "changed"
    field: str  # the detail changed ("" for the registration)
    before: str
    after: str
    why: str  # the reason given
    operator: str


def _shown(name: str, value: object) -> str:
    return mask_phone(str(value)) if name == "phone" else str(value)


def history(session: Session, *, code: str) -> list[HistoryRow]:
    """A household's registration and every change since, one row per field changed, oldest first."""
    get_household(session, code)
    first = session.get(Household, code)
    assert first is not None
    rows = [HistoryRow(first.registered_on, "registered", "", "", first.head_name, "", "")]
    state = {name: getattr(first, name) for name in DETAILS}
    query = select(HouseholdChange).where(HouseholdChange.household == code).order_by(col(HouseholdChange.id))
    for change in session.exec(query).all():
        for name in DETAILS:
            value = getattr(change, name)
            if value != state[name]:
                rows.append(
                    HistoryRow(
                        change.changed_at,
                        "changed",
                        name,
                        _shown(name, state[name]),
                        _shown(name, value),
                        change.reason,
                        change.operator,
                    )
                )
                state[name] = value
    return rows


def refuse_move(session: Session, *, code: str, to: str) -> None:
    """A household never changes village by an edit; moving between villages is not supported (yet)."""
    current: CurrentHousehold = get_household(session, code)
    raise Refused("household.move_unsupported", code=code, village=current.village, to=to)
