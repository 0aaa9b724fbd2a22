"""Proposed points (拟记) in their public-notice period: what is pending, and what it reserves.

A proposal is a ledger entry of kind ``proposal`` that moves nothing (amount, coins and earned
are 0) but carries the standard, quantity, dates and the direction of the eventual transfer.
It is resolved exactly once by a later entry whose ``ref_seq`` points at it: a posting (an
``award`` or ``deduction``) when its notice period ends without objection, or a ``void``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from moralbank.storage.models import Entry, Standard, Village
from moralbank.storage.predicates import unresolved

PROPOSAL = "proposal"
VOID = "void"


@dataclass(frozen=True)
class Pending:
    """A proposal not yet posted or voided."""

    entry: Entry
    standard: Standard


def last_day(booked_on: str, notice_days: int) -> str:
    """The last day on which a proposal booked on ``booked_on`` can be objected to."""
    return (date.fromisoformat(booked_on) + timedelta(days=notice_days)).isoformat()


def noticed_villages(session: Session) -> set[str]:
    """Villages whose decisions are first proposed and publicly noticed (notice_days > 0)."""
    return set(session.exec(select(Village.code).where(col(Village.notice_days) > 0)).all())


def as_proposal(fields: dict[str, Any]) -> dict[str, Any]:
    """A decision's entry fields turned into a proposal: same standard, dates and direction, no coins."""
    return fields | {"kind": PROPOSAL, "amount": 0, "coins": 0, "earned": 0}


def pending(
    session: Session, *, village: str, booked_before: str | None = None, month: tuple[str, str] | None = None
) -> list[Pending]:
    """A village's pending proposals in booking order, optionally booked before a date or in a month."""
    query = (
        select(Entry, Standard)
        .join(Standard, col(Standard.id) == Entry.standard_id)
        .where(Entry.village == village, Entry.kind == PROPOSAL, unresolved())
    )
    if booked_before:
        query = query.where(col(Entry.booked_on) < booked_before)
    if month:
        query = query.where(col(Entry.booked_on) >= month[0], col(Entry.booked_on) <= month[1])
    rows = session.exec(query.order_by(col(Entry.booked_on), col(Entry.seq))).all()
    return [Pending(entry, standard) for entry, standard in rows]


def count_pending(session: Session, village: str | None = None, *, household: str | None = None) -> int:
    """How many proposals of a village (or of one household) are still in their notice period (or awaiting settlement)."""
    query = select(func.count()).select_from(Entry).where(Entry.kind == PROPOSAL)
    if village is not None:
        query = query.where(Entry.village == village)
    if household is not None:
        query = query.where(Entry.household == household)
    return int(session.exec(query.where(unresolved())).one())


def pending_points_since(session: Session, low: str) -> list[tuple[str, str, str, int]]:
    """(household, standard id, event date, qty) of pending proposals booked on or after ``low``.

    Monthly caps count these as if posted, so proposals cannot together exceed a cap.
    """
    # Village by village (village IN ...): one probe each of the small entry_proposal index,
    # where a range on booked_on alone reads every entry booked since ``low`` (issue 16).
    query = select(Entry.household, Entry.standard_id, Entry.event_date, Entry.qty).where(
        Entry.kind == PROPOSAL, col(Entry.village).in_(select(Village.code)), col(Entry.booked_on) >= low, unresolved()
    )
    return [(h, s or "", e, q or 0) for h, s, e, q in session.exec(query).all()]


def reserved_coins(session: Session, household: str) -> int:
    """Coins that the household's pending deductions will take: they cannot be redeemed meanwhile."""
    query = (
        select(func.coalesce(func.sum(-col(Standard.points) * col(Entry.qty)), 0))
        .select_from(Entry)
        .join(Standard, col(Standard.id) == Entry.standard_id)
        .where(Entry.household == household, Entry.kind == PROPOSAL, col(Standard.points) < 0, unresolved())
    )
    return int(session.exec(query).one())
