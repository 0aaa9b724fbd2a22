"""The points supermarket's pure rules: item versions in force, money in fen, stock-chain bytes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from moralbank.domain.chain import entry_hash

COUNTY = "*"

# The order of fields in a stock movement's canonical form; changing it breaks every stock chain.
MOVEMENT_FIELDS = (
    "village",
    "seq",
    "item",
    "kind",
    "qty",
    "value_fen",
    "entry_seq",
    "household",
    "booked_on",
    "note",
    "operator",
    "idem_key",
    "recorded_at",
)

# Item codes become journal commodities and account names: letters, digits, "-" and "_".
_ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_YUAN = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


@dataclass(frozen=True)
class ItemVersion:
    """One version of a catalogue item as the rules read it."""

    scope: str
    code: str
    version: int
    name: str
    unit: str
    price: int
    low_stock: int
    effective_from: str
    retired: bool


def item_id(scope: str, code: str, version: int) -> str:
    """The natural key of an item version: ``scope:code:version``."""
    return f"{scope}:{code}:{version}"


def valid_item_code(code: str) -> bool:
    """Whether ``code`` may name an item."""
    return bool(_ITEM_CODE.match(code))


def in_force(versions: Iterable[ItemVersion], day: str) -> ItemVersion | None:
    """The version in force on ``day``: the latest effective on or before it (a later version wins a tie)."""
    started = [v for v in versions if v.effective_from <= day]
    return max(started, key=lambda v: (v.effective_from, v.version), default=None)


def yuan_to_fen(value: str) -> int | None:
    """A non-negative amount in yuan with at most two decimals ("12.5") as whole fen; None if malformed."""
    text = value.strip()
    if not _YUAN.match(text):
        return None
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def fen_text(fen: int | None) -> str:
    """Fen as yuan text with two decimals ("12.50"), or "" when unknown."""
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def movement_hash(prev_hash: str, values: Sequence[object]) -> str:
    """A stock movement's hash: the ledger's hash function over MOVEMENT_FIELDS' values."""
    return entry_hash(prev_hash, values)


def lowest_from(daily: Mapping[str, int], day: str) -> int:
    """The lowest end-of-day stock from ``day`` on, given each booking day's net movement.

    A movement booked on ``day`` changes the stock of that day and of every later one, so it
    may take at most this much: less than the stock on its own day when later days took more.
    """
    running = sum(qty for booked, qty in daily.items() if booked <= day)
    lowest = running
    for booked in sorted(b for b in daily if b > day):
        running += daily[booked]
        lowest = min(lowest, running)
    return lowest
