"""The public-notice list (公示): proposed points waiting out their objection period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from moralbank.domain.boards import shown_name
from moralbank.services.consent import BOARD, Recipient, in_force
from moralbank.services.proposals import last_day, pending
from moralbank.services.register import get_village
from moralbank.storage.models import CurrentHousehold


@dataclass(frozen=True)
class NoticeRow:
    """One proposal as posted on the notice board; ``id`` is the entry to object to."""

    id: int
    household: str
    name: str
    standard: str
    title: str
    points: int
    event_date: str
    booked_on: str
    last_day: str


@dataclass(frozen=True)
class Notice:
    """A village's notice list: every proposal not yet posted or voided, oldest first.

    ``posted_on`` is the day the list is put up; ``deadline`` the last day for any objection on
    it (the latest row's ``last_day``; None for an empty list). ``committee`` and ``contact``
    are the village's settings, empty when not set.
    """

    village: str
    title: str
    notice_days: int
    posted_on: str
    deadline: str | None
    committee: str
    contact: str
    rows: list[NoticeRow]


def notice(session: Session, *, village: str, posted_on: str) -> Notice:
    """The proposals of a village still waiting to be posted on ``posted_on``, with their last day for objections."""
    place = get_village(session, village)
    waiting = pending(session, village=village)
    codes = sorted({p.entry.household for p in waiting})
    query = select(CurrentHousehold.code, CurrentHousehold.head_name).where(col(CurrentHousehold.code).in_(codes))
    consent = in_force(session, codes, Recipient(BOARD), posted_on)  # posted in public: board consent that day
    names = {code: shown_name(name, consent.get(code, False)) for code, name in session.exec(query).all()}
    rows = []
    for p in waiting:
        entry, std = p.entry, p.standard
        assert entry.id is not None and entry.qty is not None
        rows.append(
            NoticeRow(
                entry.id,
                entry.household,
                names[entry.household],
                std.code,
                std.title,
                std.points * entry.qty,
                entry.event_date,
                entry.booked_on,
                last_day(entry.booked_on, place.notice_days),
            )
        )
    deadline = max((row.last_day for row in rows), default=None)
    return Notice(village, place.name, place.notice_days, posted_on, deadline, place.committee, place.contact, rows)
