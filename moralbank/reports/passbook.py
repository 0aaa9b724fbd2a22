"""A household's passbook: its balance and every entry with a running balance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from moralbank.errors import InputError
from moralbank.services.ledger import holdings
from moralbank.services.register import get_household


@dataclass(frozen=True)
class Balance:
    """Spendable coins and earned points of one household as of a date."""

    household: str
    village: str
    head_name: str
    coins: int
    earned: int
    as_of: str | None


@dataclass(frozen=True)
class StatementLine:
    """One entry as the household sees it."""

    id: int
    seq: int
    booked_on: str
    event_date: str
    kind: str
    standard: str
    title: str
    qty: int | None
    coins: int
    balance: int
    earned: int
    operator: str
    note: str
    reverses: int | None
    reversed_by: int | None


@dataclass(frozen=True)
class Statement:
    """A passbook between two dates: the opening balance, the lines, the closing balance."""

    household: str
    village: str
    head_name: str
    date_from: str | None
    date_to: str | None
    opening: int
    closing: int
    lines: list[StatementLine]


def balance(session: Session, *, household: str, as_of: str | None = None) -> Balance:
    """Coins and earned points, counting entries booked on or before ``as_of``."""
    owner = get_household(session, household)
    coins, earned = holdings(session, household=household, through=as_of or None)
    return Balance(household, owner.village, owner.head_name, int(coins), int(earned), as_of)


_LINES = """
SELECT e.id, e.seq, e.booked_on, e.event_date, e.kind, COALESCE(s.code, ''), COALESCE(s.title, ''),
       e.qty, e.coins, e.earned, e.operator, e.note, o.id, r.id
FROM entry e
LEFT JOIN standard s ON s.id = e.standard_id
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
LEFT JOIN entry r ON r.village = e.village AND r.ref_seq = e.seq
WHERE e.household = :h AND e.booked_on >= :lo AND e.booked_on <= :hi
ORDER BY e.booked_on, e.village, e.seq
"""


def statement(
    session: Session, *, household: str, date_from: str | None = None, date_to: str | None = None
) -> Statement:
    """Every entry of a household between two booking dates, with the running coin balance."""
    if date_from and date_to and date_from > date_to:
        raise InputError("date.range_reversed", date_from=date_from, date_to=date_to)
    owner = get_household(session, household)
    opening = holdings(session, household=household, before=date_from)[0] if date_from else 0
    params = {"h": household, "lo": date_from or "", "hi": date_to or "9999-12-31"}
    running = opening
    lines = []
    for row in session.execute(text(_LINES), params):
        (entry_id, seq, booked, event, kind, code, title, qty, coins, earned, who, note, reverses, by) = row
        running += coins
        lines.append(
            StatementLine(
                entry_id, seq, booked, event, kind, code, title, qty, coins, running, earned, who, note, reverses, by
            )
        )
    return Statement(household, owner.village, owner.head_name, date_from, date_to, opening, running, lines)
