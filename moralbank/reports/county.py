"""The county picture: points per month and by category, and each village's credit, as figures for charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from moralbank.domain.credit_policy import CreditPolicy
from moralbank.domain.dates import month_bounds, month_of, months_back
from moralbank.reports.credit import CreditSummary, VillageSummary, summary

MONTHS = 12


@dataclass(frozen=True)
class MonthPoints:
    """Points awarded (net of their reversals) and deducted (negative) in one month, county-wide."""

    month: str
    awarded: int
    deducted: int


@dataclass(frozen=True)
class CategoryPoints:
    """Points awarded and deducted under one category of standards over the months shown."""

    category: str
    awarded: int
    deducted: int


@dataclass(frozen=True)
class NearThreshold:
    """A village short of a designation by ``missing`` rated households (its other conditions aside)."""

    village: str
    name: str
    designation: str
    designation_name: str
    rated: int
    households: int
    missing: int
    held: str | None


@dataclass(frozen=True)
class CountyPicture:
    """Everything the county page draws, as of one date."""

    as_of: str
    months: list[MonthPoints]
    categories: list[CategoryPoints]
    credit: CreditSummary
    near: list[NearThreshold]


# Each award or deduction, and each reversal counted with the kind it reverses: a reversed award
# lowers the month's awards, it is not a deduction.
_KINDS = """
SELECT substr(e.booked_on, 1, 7), COALESCE(o.kind, e.kind), COALESCE(s.category, ''), SUM(e.earned)
FROM entry e
LEFT JOIN entry o ON e.kind = 'reversal' AND o.village = e.village AND o.seq = e.ref_seq
LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.booked_on >= :lo AND e.booked_on <= :hi AND COALESCE(o.kind, e.kind) IN ('award', 'deduction')
GROUP BY substr(e.booked_on, 1, 7), COALESCE(o.kind, e.kind), COALESCE(s.category, '')
"""


def county_picture(session: Session, policy: CreditPolicy, *, as_of: date, near_percent: int = 10) -> CountyPicture:
    """The last ``MONTHS`` months' points and the credit figures as of ``as_of``.

    A village is *near* a designation it does not hold (above the one it holds) when the rated
    households it lacks for the designation's share are at most ``near_percent`` of its households.
    """
    span = months_back(month_of(as_of), MONTHS)
    params = {"lo": month_bounds(span[0])[0].isoformat(), "hi": as_of.isoformat()}
    per_month = {m: [0, 0] for m in span}
    per_category: dict[str, list[int]] = {}
    for month, kind, category, earned in session.execute(text(_KINDS), params):
        side = 0 if kind == "award" else 1
        per_month[month][side] += int(earned)
        per_category.setdefault(category, [0, 0])[side] += int(earned)
    credit = summary(session, policy, as_of=as_of)
    return CountyPicture(
        as_of.isoformat(),
        [MonthPoints(m, a, d) for m, (a, d) in per_month.items()],
        [
            CategoryPoints(c, a, d)
            for c, (a, d) in sorted(per_category.items(), key=lambda kv: (kv[1][1] - kv[1][0], kv[0]))
        ],
        credit,
        near_thresholds(policy, credit.villages, near_percent),
    )


def near_thresholds(policy: CreditPolicy, villages: list[VillageSummary], near_percent: int) -> list[NearThreshold]:
    """Villages a few rated households short of a designation above the one they hold, closest first."""
    order = [d.code for d in policy.designations]  # highest first
    found = []
    for place in villages:
        held = order.index(place.designation) if place.designation in order else len(order)
        for wanted in policy.designations[:held]:
            needed = -(-wanted.min_rated_percent * place.households // 100)  # rounded up
            missing = needed - place.rated
            if place.households and missing > 0 and 100 * missing <= near_percent * place.households:
                found.append(
                    NearThreshold(
                        place.village, place.name, wanted.code, wanted.name, place.rated, place.households, missing,
                        place.designation,
                    )
                )  # fmt: skip
    return sorted(found, key=lambda n: (order.index(n.designation), n.missing, n.village))
