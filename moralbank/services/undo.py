"""Undo that shows what it does: the entry a reversal takes back, and a whole import reversed at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from moralbank.services import ledger
from moralbank.services.imports import entries_of
from moralbank.services.proposals import PROPOSAL, VOID
from moralbank.services.shop import reverse_entry
from moralbank.storage.models import CurrentHousehold, Entry, Standard


@dataclass(frozen=True)
class EntryView:
    """An entry as a clerk checks it before taking it back: whose, what, how many points, when."""

    id: int
    kind: str
    household: str
    head_name: str
    standard: str
    title: str
    points: int  # earned points, signed; for a redemption, the coins spent (negative)
    event_date: str
    booked_on: str
    note: str


def entry_view(session: Session, entry_id: int) -> EntryView:
    """The entry ``entry_id`` with its household's head name and its standard's title."""
    entry = ledger.get_entry(session, entry_id)
    household = session.get(CurrentHousehold, entry.household)
    std = session.get(Standard, entry.standard_id) if entry.standard_id else None
    points = entry.earned if entry.earned else entry.coins
    if entry.kind == PROPOSAL and std is not None and entry.qty:  # moves nothing yet: what it would
        points = std.points * entry.qty
    return EntryView(
        id=entry_id,
        kind=entry.kind,
        household=entry.household,
        head_name=household.head_name if household else "",
        standard=std.code if std else "",
        title=std.title if std else "",
        points=points,
        event_date=entry.event_date,
        booked_on=entry.booked_on,
        note=entry.note,
    )


@dataclass(frozen=True)
class ImportUndone:
    """What reversing an import did: reversals written, proposals voided, entries already undone."""

    import_id: int
    reversed: list[int]
    voided: list[int]
    skipped: int


def _void(session: Session, proposal: Entry, reason: str, operator: str) -> int:
    # As an objection voids it: same booking date (its month cannot have closed while it waits).
    fields = ledger.inverse_fields(proposal) | {"kind": VOID, "booked_on": proposal.booked_on, "note": reason}
    return ledger.Chain(session, operator).write_one(fields)


def reverse_import(
    session: Session, *, import_id: int, reason: str, operator: str, booked_on: str, today: date
) -> ImportUndone:
    """Reverse every entry an import wrote, in one transaction; proposals still on notice are voided.

    A proposal already posted has its posting reversed; an entry already reversed or voided is
    left as it is and counted as skipped.
    """
    note = ledger.free_text(reason, field="reason", missing="reverse.no_reason")
    reversed_ids: list[int] = []
    voided: list[int] = []
    skipped = 0
    for entry in entries_of(session, import_id):
        assert entry.id is not None
        target = entry
        if (by := ledger.resolved_by(session, entry)) is not None:
            follow = ledger.get_entry(session, by)
            if entry.kind != PROPOSAL or follow.kind == VOID or ledger.resolved_by(session, follow) is not None:
                skipped += 1
                continue
            target = follow  # the posting of a proposal settled since
        elif entry.kind == PROPOSAL:
            voided.append(_void(session, entry, note, operator))
            continue
        assert target.id is not None
        reversed_ids.append(  # a redemption by item also returns its goods to the stock
            reverse_entry(session, entry_id=target.id, reason=note, operator=operator, booked_on=booked_on, today=today)
        )
    return ImportUndone(import_id, reversed_ids, voided, skipped)
