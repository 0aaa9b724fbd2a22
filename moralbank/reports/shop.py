"""The points supermarket's reports: the catalogue with prices and stock, and a village's month."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from moralbank.domain.dates import month_bounds
from moralbank.domain.shop import COUNTY, ItemVersion, in_force
from moralbank.services.catalogue import versions
from moralbank.services.register import get_village


@dataclass(frozen=True)
class ShopRow:
    """One catalogue item as listed: its price in force, its stock, and whether stock is low."""

    code: str
    name: str
    unit: str
    price: int
    stock: int
    low: bool
    scope: str
    effective_from: str


_LEVELS = "SELECT village, item, SUM(qty) FROM stock_movement WHERE booked_on <= :d GROUP BY village, item"


def _by_item(session: Session) -> dict[str, list[ItemVersion]]:
    grouped: dict[str, list[ItemVersion]] = defaultdict(list)
    for version in versions(session):
        grouped[f"{version.scope}\t{version.code}"].append(version)
    return grouped


def _stock(
    levels: dict[tuple[str, str], int], item: ItemVersion, village: str | None, own: set[tuple[str, str]]
) -> int:
    if village is not None:
        return levels.get((village, item.code), 0)
    if item.scope != COUNTY:
        return levels.get((item.scope, item.code), 0)
    # The county's item is stocked by every village that has no item of its own by that code.
    return sum(qty for (place, code), qty in levels.items() if code == item.code and (place, code) not in own)


def catalogue(session: Session, *, as_of: str, village: str | None = None) -> list[ShopRow]:
    """Items in force and not retired on ``as_of``, with their stock at the end of that day.

    A village's own items and the county's, or every scope's.
    """
    if village is not None:
        get_village(session, village)
    levels = {(place, item): int(qty) for place, item, qty in session.execute(text(_LEVELS), {"d": as_of})}
    grouped = _by_item(session)
    own = {(v[0].scope, v[0].code) for v in grouped.values() if v[0].scope != COUNTY}
    rows = []
    for found in grouped.values():
        scope, code = found[0].scope, found[0].code
        if village is not None and (scope not in (village, COUNTY) or (scope == COUNTY and (village, code) in own)):
            continue
        current = in_force(found, as_of)
        if current is None or current.retired:
            continue
        stock = _stock(levels, current, village, own)
        rows.append(
            ShopRow(
                code,
                current.name,
                current.unit,
                current.price,
                stock,
                stock <= current.low_stock,
                scope,
                current.effective_from,
            )
        )
    return sorted(rows, key=lambda r: (r.code, r.scope))


@dataclass(frozen=True)
class ShopMonthItem:
    """One item's month in a village's supermarket."""

    code: str
    name: str
    unit: str
    price: int
    redeemed: int
    households: int
    coins: int
    received: int
    received_value_fen: int | None  # None when no receipt of the month had a value
    adjusted: int
    stock_end: int


@dataclass(frozen=True)
class ShopMonth:
    """A village supermarket's month: goods out and in, coins taken in, stock at month end.

    Coins and quantities are net of reversals booked in the month; ``outside_*`` count
    free-text redemptions of goods outside the catalogue.
    """

    village: str
    month: str
    items: list[ShopMonthItem]
    households: int
    coins: int
    received_value_fen: int | None
    outside_count: int
    outside_coins: int
    village_name: str = ""


_MONTH_MOVES = """
SELECT m.item, m.kind, m.qty, m.value_fen, m.household, COALESCE(e.amount, 0)
FROM stock_movement m LEFT JOIN entry e ON e.village = m.village AND e.seq = m.entry_seq
WHERE m.village = :v AND m.booked_on >= :lo AND m.booked_on <= :hi
ORDER BY m.seq
"""
_STOCK_END = "SELECT item, SUM(qty) FROM stock_movement WHERE village = :v AND booked_on <= :hi GROUP BY item"
# Redemptions without goods (free text: no qty in the hashed entry), and their reversals, booked in the month.
_OUTSIDE = """
SELECT e.kind, e.amount FROM entry e
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
WHERE e.village = :v AND e.booked_on >= :lo AND e.booked_on <= :hi AND e.qty IS NULL
  AND (e.kind = 'redemption' OR (e.kind = 'reversal' AND o.kind = 'redemption'))
"""


class _Tally:
    def __init__(self) -> None:
        self.redeemed = self.coins = self.received = self.adjusted = 0
        self.value: int | None = None  # unknown until a receipt says its value
        self.households: set[str] = set()

    def add(self, kind: str, qty: int, value: int | None, household: str | None, amount: int) -> None:
        if kind == "redemption":
            self.redeemed, self.coins = self.redeemed - qty, self.coins + amount
            self.households.add(household or "")
        elif kind == "return":
            self.redeemed, self.coins = self.redeemed - qty, self.coins - amount
        elif kind == "receipt":
            self.received = self.received + qty
            if value is not None:
                self.value = (self.value or 0) + value
        else:
            self.adjusted += qty


def _name(session: Session, village: str, code: str, day: str) -> ItemVersion | None:
    for scope in (village, COUNTY):
        if found := versions(session, scope=scope, code=code):
            return in_force(found, day) or found[0]
    return None


def shop_month(session: Session, *, village: str, month: str) -> ShopMonth:
    """What a village's supermarket gave out, took in and held in a month."""
    place = get_village(session, village)
    first, last = month_bounds(month)
    params = {"v": village, "lo": first.isoformat(), "hi": last.isoformat()}
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for item, kind, qty, value, household, amount in session.execute(text(_MONTH_MOVES), params):
        tallies[item].add(kind, int(qty), value, household, int(amount))
    ends = {item: int(qty) for item, qty in session.execute(text(_STOCK_END), params)}
    items = []
    for code in sorted(set(tallies) | {c for c, q in ends.items() if q}):
        t, version = tallies[code], _name(session, village, code, last.isoformat())
        name, unit, price = (version.name, version.unit, version.price) if version else (code, "", 0)
        items.append(
            ShopMonthItem(
                code,
                name,
                unit,
                price,
                t.redeemed,
                len(t.households),
                t.coins,
                t.received,
                t.value,
                t.adjusted,
                ends.get(code, 0),
            )
        )
    outside = list(session.execute(text(_OUTSIDE), params))
    served = set().union(*(t.households for t in tallies.values())) if tallies else set()
    return ShopMonth(
        village,
        month,
        items,
        len(served),
        sum(i.coins for i in items),
        _known_sum([i.received_value_fen for i in items]),
        sum(1 if kind == "redemption" else -1 for kind, _ in outside),
        sum(int(a) if kind == "redemption" else -int(a) for kind, a in outside),
        place.name,
    )


def _known_sum(values: list[int | None]) -> int | None:
    """The sum of the values that are known; None when none is."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None
