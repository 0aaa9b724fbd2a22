"""A village's year per household: earned points by category, coins issued, spent and cleared, listings, titles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, col, select

from moralbank.domain.year import title_for, year_end, year_start
from moralbank.reports.boards import black_list, standings
from moralbank.services.policy import policy_of
from moralbank.services.register import get_village
from moralbank.services.year import check_year
from moralbank.storage.models import CurrentHousehold


@dataclass(frozen=True)
class YearHousehold:
    """One household's year. ``earned`` includes the base score; coins are whole coins."""

    household: str
    head_name: str
    earned: int
    base_score: int
    by_category: dict[str, int]
    coins_issued: int
    coins_spent: int
    coins_cleared: int
    red_months: int
    black_months: int
    star_title: str


@dataclass(frozen=True)
class YearReport:
    """Every household of a village for one calendar year, in household-code order."""

    village: str
    year: int
    categories: list[str]
    households: list[YearHousehold] = field(default_factory=list)
    village_name: str = ""


# Each entry of the year with its standard's category, and for a reversal the kind it reverses.
_ENTRIES = """
SELECT e.household, e.kind, e.coins, e.earned, COALESCE(s.category, ''), o.kind
FROM entry e
LEFT JOIN standard s ON s.id = e.standard_id
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
WHERE e.village = :v AND e.booked_on >= :lo AND e.booked_on <= :hi
"""


class _Sums:
    def __init__(self) -> None:
        self.earned = self.base = self.issued = self.spent = self.cleared = 0
        self.categories: dict[str, int] = defaultdict(int)

    def add(self, kind: str, coins: int, earned: int, category: str) -> None:
        self.earned += earned
        if kind == "base_score":
            self.base += earned
        elif kind == "redemption":
            self.spent -= coins
        elif kind == "clearing":
            self.cleared -= coins
        elif kind in ("award", "deduction"):
            self.issued += coins
            self.categories[category] += earned


def _listed(session: Session, village: str, year: int, black: bool) -> tuple[dict[str, int], dict[str, int]]:
    red: dict[str, int] = defaultdict(int)
    listed: dict[str, int] = defaultdict(int)
    for number in range(1, 13):
        month = f"{year}-{number:02d}"
        for standing in standings(session, month=month, village=village):
            red[standing.household] += 1
        for row in black_list(session, month=month, villages=[village]) if black else []:
            listed[row.household] += 1
    return red, listed


def year_report(session: Session, *, village: str, year: int) -> YearReport:
    """The year of every household of a village; months on the black list only if the village keeps one."""
    check_year(year)
    place = get_village(session, village)
    params = {"v": village, "lo": year_start(year).isoformat(), "hi": year_end(year).isoformat()}
    sums: dict[str, _Sums] = defaultdict(_Sums)
    for household, kind, coins, earned, category, original in session.execute(text(_ENTRIES), params):
        sums[household].add(original if kind == "reversal" else kind, int(coins), int(earned), category)
    red, black = _listed(session, village, year, bool(place.black_list))
    titles = policy_of(session, village).star_titles
    categories = sorted({c for s in sums.values() for c, points in s.categories.items() if c})
    rows = []
    query = select(CurrentHousehold.code, CurrentHousehold.head_name).where(CurrentHousehold.village == village)
    for code, name in session.exec(query.order_by(col(CurrentHousehold.code))).all():
        s = sums[code]
        by_category = {c: s.categories.get(c, 0) for c in categories}
        rows.append(
            YearHousehold(
                code,
                name,
                s.earned,
                s.base,
                by_category,
                s.issued,
                s.spent,
                s.cleared,
                red[code],
                black[code],
                title_for(red[code], titles),
            )
        )
    return YearReport(village, year, categories, rows, place.name)
