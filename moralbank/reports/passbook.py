"""A household's passbook (存折): its balance and every entry in plain words with a running balance."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from moralbank.domain.heads import Checkpoint
from moralbank.errors import InputError
from moralbank.storage.reads import Rows, chain_head, holdings, rows_of, village
from moralbank.storage.reads import household as household_record

if TYPE_CHECKING:
    from sqlmodel import Session

PROPOSAL, VOID, REVERSAL = "proposal", "void", "reversal"
POSTINGS = frozenset({"award", "deduction"})


@dataclass(frozen=True)
class Balance:
    """Spendable coins and earned points of one household as of a date (None: every entry)."""

    household: str
    village: str
    head_name: str
    coins: int
    earned: int
    as_of: str | None


@dataclass(frozen=True)
class StatementLine:
    """One line of the passbook as the household reads it.

    A proposal (拟记) and its posting are one line with the proposal's dates (``posted_on`` is the
    day the coins moved, ``proposal`` the proposal's entry); a voided proposal is one line of kind
    ``voided``; a proposal still on notice is kind ``proposal`` and moves nothing. ``reverses``
    names the line a reversal undoes, ``reversed_by`` the reversal of this line.
    """

    id: int
    booked_on: str
    event_date: str
    kind: str
    standard: str
    title: str
    qty: int | None
    coins: int
    balance: int
    earned: int
    posted_on: str | None
    proposal: int | None
    reverses: int | None
    reversed_by: int | None
    note: str
    operator: str


@dataclass(frozen=True)
class Statement:
    """A passbook between two dates: the opening balance, the lines, the closing coins and points."""

    household: str
    village: str
    village_name: str
    head_name: str
    date_from: str | None
    date_to: str | None
    opening: int
    closing: int
    earned: int
    checkpoint: Checkpoint
    lines: list[StatementLine]


def balance(session: Session | Rows, *, household: str, as_of: str | None = None) -> Balance:
    """Coins and earned points, counting entries booked on or before ``as_of``."""
    db = rows_of(session)
    owner = household_record(db, household)
    coins, earned = holdings(db, household=household, through=as_of)
    return Balance(household, owner.village, owner.head_name, int(coins), int(earned), as_of)


# Each entry with the entry it points at (o: the proposal it posts or voids, the entry it
# reverses) and the entry that points at it (r: its posting, void or reversal).
_LINES = """
SELECT e.id, e.booked_on, e.event_date, e.kind, COALESCE(s.code, ''), COALESCE(s.title, ''),
       e.qty, e.coins, e.earned, e.note, e.operator,
       o.id, o.kind, o.booked_on, o.event_date, r.id, r.kind, r.booked_on
FROM entry e
LEFT JOIN standard s ON s.id = e.standard_id
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
LEFT JOIN entry r ON r.village = e.village AND r.ref_seq = e.seq
WHERE e.household = :h AND e.booked_on >= :lo AND e.booked_on <= :hi
ORDER BY e.booked_on, e.village, e.seq
"""


def statement(
    session: Session | Rows, *, household: str, date_from: str | None = None, date_to: str | None = None
) -> Statement:
    """Every entry of a household between two booking dates, in plain words, with the running coin balance."""
    if date_from and date_to and date_from > date_to:
        raise InputError("date.range_reversed", date_from=date_from, date_to=date_to)
    db = rows_of(session)
    owner = household_record(db, household)
    opening = holdings(db, household=household, before=date_from)[0] if date_from else 0
    hi = date_to or "9999-12-31"
    found = [_line(tuple(row), hi) for row in db.rows(_LINES, {"h": household, "lo": date_from or "", "hi": hi})]
    # In the order the household reads them: a posted proposal stands at its own date.
    running, lines = opening, []
    for line in sorted((x for x in found if x is not None), key=lambda x: (x.booked_on, x.id)):
        running += line.coins
        lines.append(replace(line, balance=running))
    earned = holdings(db, household=household, through=date_to)[1]
    place = village(db, owner.village)
    mark = chain_head(db, owner.village)
    return Statement(
        household, owner.village, place.name, owner.head_name, date_from, date_to, opening, running, earned, mark, lines
    )


def _line(row: tuple[Any, ...], hi: str) -> StatementLine | None:
    """The passbook line of one entry, or None when another line already tells it."""
    (entry_id, booked, event, kind, code, title, qty, coins, earned, note, who) = row[:11]
    (o_id, o_kind, o_booked, o_event, r_id, r_kind, r_booked) = row[11:]
    resolved_here = r_id is not None and r_booked <= hi
    if kind == VOID or (kind == PROPOSAL and resolved_here and r_kind in POSTINGS):
        return None  # the void shows on its proposal's line; a posting shows as its proposal's line
    shown = kind
    if kind == PROPOSAL and resolved_here and r_kind == VOID:
        shown = "voided"
    posting = kind in POSTINGS and o_kind == PROPOSAL
    reverses = o_id if kind == REVERSAL else None
    reversed_by = r_id if r_kind == REVERSAL and resolved_here else None
    return StatementLine(
        id=int(entry_id),
        booked_on=o_booked if posting else booked,
        event_date=o_event if posting else event,
        kind=shown,
        standard=code,
        title=title,
        qty=qty,
        coins=int(coins),
        balance=0,
        earned=int(earned),
        posted_on=booked if posting else None,
        proposal=int(o_id) if posting else None,
        reverses=int(reverses) if reverses is not None else None,
        reversed_by=int(reversed_by) if reversed_by is not None else None,
        note=note,
        operator=who,
    )


def village_passbooks(
    session: Session, *, village: str, date_from: str | None = None, date_to: str | None = None
) -> list[Statement]:
    """Every household's passbook in a village over one period, in household-code order."""
    from sqlmodel import col, select

    from moralbank.services.register import get_village
    from moralbank.storage.models import CurrentHousehold

    get_village(session, village)
    query = select(CurrentHousehold.code).where(CurrentHousehold.village == village)
    codes = session.exec(query.order_by(col(CurrentHousehold.code)))
    return [statement(session, household=code, date_from=date_from, date_to=date_to) for code in codes.all()]
