"""Points earned month by month: per village, for every village, or for one household."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moralbank.domain.dates import month_bounds, months_back
from moralbank.storage.predicates import not_base_score
from moralbank.storage.reads import Rows, rows_of
from moralbank.storage.reads import household as household_record
from moralbank.storage.reads import village as village_record

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class TrendPoint:
    """Points earned (booked) in one month."""

    month: str
    points: int


@dataclass(frozen=True)
class Trend:
    """One series: a village's or a household's points over consecutive months."""

    village: str
    household: str | None
    months: list[TrendPoint]
    name: str = ""  # the village's name (its title on printed pages)


_MONTHLY = """
SELECT {group} substr(booked_on, 1, 7) AS month, SUM(earned) FROM entry
WHERE {where} booked_on >= :lo AND booked_on <= :hi AND {not_base}
GROUP BY {group} substr(booked_on, 1, 7)
"""


def _series(found: dict[str, int], months: list[str]) -> list[TrendPoint]:
    return [TrendPoint(m, found.get(m, 0)) for m in months]


def trend(
    session: Session | Rows,
    *,
    until: str,
    months: int = 12,
    village: str | None = None,
    household: str | None = None,
) -> list[Trend]:
    """Monthly points for ``months`` months ending with ``until``; one series per village if none is given.

    Months without entries show 0, so the series are complete and comparable.
    """
    db = rows_of(session)
    span = months_back(until, months)
    params: dict[str, Any] = {"lo": month_bounds(span[0])[0].isoformat(), "hi": month_bounds(span[-1])[1].isoformat()}
    if household is not None:
        owner = household_record(db, household)
        place = village_record(db, owner.village).name
        params["h"] = household
        rows = db.rows(_MONTHLY.format(group="", where="household = :h AND", not_base=not_base_score()), params)
        return [Trend(owner.village, household, _series({m: int(p) for m, p in rows}, span), place)]
    if village is not None:
        place = village_record(db, village).name
        params["v"] = village
        rows = db.rows(_MONTHLY.format(group="", where="village = :v AND", not_base=not_base_score()), params)
        return [Trend(village, None, _series({m: int(p) for m, p in rows}, span), place)]
    found: dict[str, dict[str, int]] = {}
    for code, month, points in db.rows(_MONTHLY.format(group="village,", where="", not_base=not_base_score()), params):
        found.setdefault(code, {})[month] = int(points)
    places = db.rows("SELECT code, name FROM village ORDER BY code")
    return [Trend(code, None, _series(found.get(code, {}), span), name) for code, name in places]
