"""The public-notice cycle (公示): object to a proposal, or settle the proposals whose period ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from moralbank.domain.accounts import points_transfer
from moralbank.errors import InputError, Refused
from moralbank.services.ledger import Chain, free_text, get_entry, inverse_fields, resolved_by
from moralbank.services.proposals import PROPOSAL, VOID, Pending, count_pending, last_day, pending
from moralbank.services.register import get_village
from moralbank.storage.models import Entry, Standard


def object_to(
    session: Session, *, entry_id: int, reason: str, operator: str, today: date, received: date | None = None
) -> int:
    """Void a proposal during its notice period; the reason stays in the record. Returns the void's id.

    ``received`` is the day the objection reached the committee, when it is entered later: it
    must lie within the period (and not after today), and is recorded with the reason.
    """
    note = free_text(reason, field="reason", missing="object.no_reason")
    if received is not None:
        if received > today:
            raise InputError("date.future_field", field="--received", value=received.isoformat())
        note = free_text(f"{note}（异议收到日期 {received.isoformat()}）", field="reason", missing="object.no_reason")
    proposal = get_entry(session, entry_id)
    if proposal.kind != PROPOSAL:
        raise Refused("object.not_proposal", id=entry_id, kind=proposal.kind)
    chain = Chain(session, operator)
    chain.head(proposal.village)  # lock the chain before looking for a settlement
    if (by := resolved_by(session, proposal)) is not None:
        raise Refused("object.resolved", id=entry_id, by=by)
    until = last_day(proposal.booked_on, get_village(session, proposal.village).notice_days)
    on = received or today
    if on.isoformat() > until:
        raise Refused("object.too_late", id=entry_id, last_day=until)
    if on.isoformat() < proposal.booked_on:
        raise InputError("object.received_before", id=entry_id, booked_on=proposal.booked_on)
    # A proposal moves nothing, so its inverse moves nothing either.
    return chain.write_one(inverse_fields(proposal) | {"kind": VOID, "booked_on": proposal.booked_on, "note": note})


def posting_fields(proposal: Entry, standard: Standard) -> dict[str, Any]:
    """The award or deduction that posts a proposal: the transfer it announced, linked to it."""
    assert proposal.qty is not None
    return {
        "village": proposal.village,
        "household": proposal.household,
        **points_transfer(proposal.village, proposal.household, standard.points, proposal.qty),
        "standard_id": proposal.standard_id,
        "qty": proposal.qty,
        "event_date": proposal.event_date,
        "booked_on": proposal.booked_on,
        "ref_seq": proposal.seq,
        "note": proposal.note,
    }


@dataclass(frozen=True)
class Settled:
    """What ``settle`` did: the postings' entry ids, and proposals left for another operator."""

    village: str
    as_of: str
    posted: list[int]
    left_to_checker: int
    still_on_notice: int


def settle(session: Session, *, village: str, as_of: date, operator: str, today: date) -> Settled:
    """Post every proposal whose notice period ended before ``as_of`` without objection.

    Postings keep the proposal's booking date, so the points count in the month they were
    decided. With maker-checker on, proposals made by this operator are left for another one.
    """
    if as_of > today:
        raise InputError("date.future_field", field="--as-of", value=as_of.isoformat())
    place = get_village(session, village)
    chain = Chain(session, operator)
    chain.head(village)  # lock the chain: no objection or second settlement can interleave
    cutoff = (as_of - timedelta(days=place.notice_days)).isoformat()
    due: list[Pending] = pending(session, village=village, booked_before=cutoff)
    mine = {p.entry.seq for p in due if place.maker_checker and p.entry.operator == operator}
    if mine and len(mine) == len(due):
        raise Refused("settle.maker_checker", village=village, count=len(mine), operator=operator)
    postings = [chain.seal(posting_fields(p.entry, p.standard)) for p in due if p.entry.seq not in mine]
    waiting = count_pending(session, village) - len(due)
    return Settled(village, as_of.isoformat(), chain.write_many(postings), len(mine), waiting)
