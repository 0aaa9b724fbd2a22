"""The village year: the annual base score on 1 January and year-end clearing (年底清零) on 31 December."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, select

from moralbank.domain.year import year_end, year_problem, year_start
from moralbank.errors import InputError, Refused
from moralbank.services import ledger
from moralbank.services.policy import policy_of
from moralbank.services.proposals import count_pending
from moralbank.services.register import get_village
from moralbank.storage.db import lock_village
from moralbank.storage.models import CurrentHousehold, Entry


@dataclass(frozen=True)
class YearWritten:
    """What a year operation wrote: the village, the year, how many households and how many coins or points."""

    village: str
    year: int
    households: int
    total: int


_BALANCES = """
SELECT household,
       SUM(CASE WHEN booked_on <= :end THEN coins ELSE 0 END),
       SUM(CASE WHEN booked_on > :end AND coins < 0 THEN -coins ELSE 0 END)
FROM entry WHERE village = :v GROUP BY household
"""


def remaining_coins(session: Session, village: str, year: int) -> dict[str, int]:
    """Each household's coins left from the year: its balance on 31 December, less what left it since.

    Coins that left after the year end (spent or deducted) are taken from the oldest coins first,
    so a clearing never takes coins earned in the new year and never leaves a balance below zero.
    """
    params = {"v": village, "end": year_end(year).isoformat()}
    rows = session.execute(text(_BALANCES), params)
    return {household: max(0, int(at_end) - int(out)) for household, at_end, out in rows}


def _with_base_score(session: Session, year: int) -> set[str]:
    """The households that have the base score of ``year``: by kind and date, not by key.

    In any village: a household that moved in during the year had its base score where it lived
    on 1 January, and gets no second one.
    """
    query = select(Entry.household).where(Entry.kind == "base_score", Entry.booked_on == year_start(year).isoformat())
    return set(session.exec(query).all())


def check_year(year: int) -> None:
    """Refuse a year outside 1949..2099, the years a date may have."""
    if found := year_problem(year):
        raise InputError(found[0], **found[1])


def close_year(session: Session, *, village: str, year: int, operator: str, today: date) -> YearWritten:
    """Clear every household's remaining coins of ``year`` back to the village's issuance account.

    Refused unless the village's policy clears at year end, before the year has ended, a second
    time, and while proposals wait (a pending deduction still holds coins). Earned points,
    boards and ratings are untouched: clearing entries earn nothing.
    """
    check_year(year)
    get_village(session, village)
    if not policy_of(session, village).year_end_clearing:
        raise Refused("year.clearing_off", village=village)
    if today <= year_end(year):
        raise Refused("year.not_ended", year=year, end=year_end(year).isoformat())
    lock_village(session, village)
    if (village, year) in ledger.closed_years(session, village):
        raise Refused("year.already_closed", village=village, year=year)
    if waiting := count_pending(session, village):
        raise Refused("year.pending", village=village, count=waiting)
    codes = session.exec(select(CurrentHousehold.code).where(CurrentHousehold.village == village)).all()
    remaining = dict.fromkeys(codes, 0) | remaining_coins(session, village, year)
    ledger.write_clearings(session, village=village, year=year, remaining=remaining, operator=operator)
    cleared = [c for c in remaining.values() if c > 0]
    return YearWritten(village, year, len(cleared), sum(cleared))


def grant_base_score(session: Session, *, village: str, year: int, operator: str, today: date) -> YearWritten:
    """The policy's base score for every household of the village that has none for ``year`` yet.

    Booked on 1 January as earned points (no coins). Refused when the policy gives none, before
    the year has begun, in a closed January, and when every household already has it.
    """
    check_year(year)
    get_village(session, village)
    points = policy_of(session, village).base_score
    if points <= 0:
        raise Refused("year.no_base_score", village=village)
    ledger.check_booking(session, village, year_start(year).isoformat(), today)
    lock_village(session, village)
    done = _with_base_score(session, year)
    codes = session.exec(select(CurrentHousehold.code).where(CurrentHousehold.village == village)).all()
    fresh = [code for code in codes if code not in done]
    if not fresh:
        raise Refused("year.base_already", village=village, year=year)
    ids = ledger.write_base_scores(
        session, village=village, year=year, households=fresh, operator=operator, points=points
    )
    return YearWritten(village, year, len(ids), points * len(ids))
