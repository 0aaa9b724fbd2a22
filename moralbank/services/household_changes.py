"""Register changes: a household's details change only by a recorded change (who, when, why, before, after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.identity import has_personal_number, mask_phone, phone_problem
from moralbank.domain.limits import text_problem
from moralbank.errors import InputError, Refused, RowProblem, SheetError
from moralbank.services import ledger
from moralbank.services.policy import policy_of
from moralbank.services.proposals import count_pending
from moralbank.services.register import current_village, get_household, get_village, latest_move
from moralbank.storage.db import lock_village
from moralbank.storage.models import Household, HouseholdChange, HouseholdMove
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
    event: str  # "registered", "changed" or "moved"
    field: str  # the detail changed ("" for the registration)
    before: str
    after: str
    why: str  # the reason given
    operator: str


def _shown(name: str, value: object) -> str:
    return mask_phone(str(value)) if name == "phone" else str(value)


def history(session: Session, *, code: str) -> list[HistoryRow]:
    """A household's registration, every change since (one row per field changed) and every move, oldest first."""
    get_household(session, code)
    first = session.get(Household, code)
    assert first is not None
    rows = [HistoryRow(first.registered_on, "registered", "", "", first.head_name, "", "")]
    state = {name: getattr(first, name) for name in DETAILS}
    events: list[tuple[str, list[HistoryRow]]] = []  # (recorded at, rows) in recording order
    query = select(HouseholdChange).where(HouseholdChange.household == code).order_by(col(HouseholdChange.id))
    for change in session.exec(query).all():
        changed = []
        for name in DETAILS:
            value = getattr(change, name)
            if value != state[name]:
                before, after = _shown(name, state[name]), _shown(name, value)
                changed.append(
                    HistoryRow(change.changed_at, "changed", name, before, after, change.reason, change.operator)
                )
                state[name] = value
        events.append((change.changed_at, changed))
    for move in moves_of(session, code):  # shown on the date it took effect
        row = HistoryRow(
            move.on_date, "moved", "village", move.from_village, move.to_village, move.reason, move.operator
        )
        events.append((move.recorded_at, [row]))
    for _, found in sorted(events, key=lambda event: event[0]):
        rows += found
    return rows


@dataclass(frozen=True)
class Moved:
    """A household's recorded move: from, to, on which date, and the coins its two entries carried."""

    household: str
    from_village: str
    to_village: str
    on_date: str
    coins: int


_HELD_THROUGH = text("SELECT 1 FROM entry WHERE household = :h AND village = :v AND booked_on <= :end LIMIT 1")
_LAST_BOOKED = text("SELECT MAX(booked_on) FROM entry WHERE household = :h")


def move_household(session: Session, *, code: str, to: str, on: str, reason: str, operator: str, today: date) -> Moved:
    """Record a household's move out of its village and into another village, on a date.

    The household keeps its code, ID number, details, consent and every entry; from the move on
    its village is the new one (the view household_current), where its coins go with it (a
    move_out entry in the old village's chain, a move_in in the new one's). Points stay where they
    were earned: the old village's boards keep its past months, and a rating counts them all.
    Refused: the same village, an unknown one, a date before its registration, its last move or
    its last booking, a closed month in either village, and pending proposals (post or void them
    first, so that no coins arrive in the old village after the household has left it).
    """
    _, why = _checked({}, reason)
    current = get_household(session, code)
    get_village(session, to)
    old = current.village
    if to == old:
        raise Refused("household.move_same", code=code, village=old)
    first = session.get(Household, code)
    assert first is not None
    # One order for every writer (no deadlock): both villages' chains and the records' scope.
    for village in sorted({old, to, first.village}):
        lock_village(session, village)
    if current_village(session, code) != old:  # moved by someone else meanwhile (PostgreSQL)
        raise Refused("household.move_raced", code=code)
    _check_move_date(session, code=code, on=on, registered=first.registered_on, villages=(old, to), today=today)
    if pending := count_pending(session, household=code):
        raise Refused("household.move_pending", code=code, count=pending)
    chain = ledger.Chain(session, operator)
    coins, out_seq, in_seq = ledger.write_move(chain, household=code, old=old, new=to, on=on, note=why)
    row = HouseholdMove(
        household=code,
        from_village=old,
        to_village=to,
        on_date=on,
        out_seq=out_seq,
        in_seq=in_seq,
        reason=why,
        operator=operator,
        recorded_at=clock.stamp(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    cover(session, "household_move", [row.id])
    return Moved(code, old, to, on, coins)


def _check_move_date(
    session: Session, *, code: str, on: str, registered: str, villages: tuple[str, str], today: date
) -> None:
    if on > today.isoformat():
        raise InputError("date.future_field", field="move_on", value=on)
    if on < registered:
        raise Refused("household.move_before_registered", code=code, date=on, registered=registered)
    if (last_move := latest_move(session, code)) is not None and on < last_move:
        raise Refused("household.move_before_last", code=code, date=on, last=last_move)
    last_booked = session.execute(_LAST_BOOKED, {"h": code}).one()[0]
    if last_booked is not None and on < str(last_booked):
        raise Refused("household.move_before_booked", code=code, date=on, booked=str(last_booked))
    for village in villages:  # a month or year closed in either village
        ledger.check_booking(session, village, on, today)
    _refuse_leaving_an_open_year(session, code=code, village=villages[0], on=on)


def _refuse_leaving_an_open_year(session: Session, *, code: str, village: str, on: str) -> None:
    """A village that clears coins at year end must close last year before a household leaves with them.

    Otherwise the move would carry last year's coins past the clearing (the old village's books
    no longer hold them, and the new village's year had not begun with them).
    """
    year = int(on[:4]) - 1
    if not policy_of(session, village).year_end_clearing or (village, year) in ledger.closed_years(session, village):
        return
    held = session.execute(_HELD_THROUGH, {"h": code, "v": village, "end": f"{year}-12-31"}).scalar()
    if held:
        raise Refused("household.move_open_year", code=code, village=village, year=year)


def moves_of(session: Session, code: str) -> list[HouseholdMove]:
    """A household's moves, oldest first."""
    query = select(HouseholdMove).where(HouseholdMove.household == code).order_by(col(HouseholdMove.id))
    return list(session.exec(query).all())
