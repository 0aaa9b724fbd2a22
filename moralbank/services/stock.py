"""The goods ledger: receipts and stocktakes, each a movement in the village's own stock chain."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from moralbank.domain.chain import GENESIS, Checkpoint, Head
from moralbank.domain.identity import has_personal_number
from moralbank.domain.limits import MAX_STOCK, check_bound, check_text
from moralbank.domain.records import COUNTY
from moralbank.domain.shop import MOVEMENT_FIELDS, in_force, lowest_from, movement_hash
from moralbank.errors import InputError, Refused
from moralbank.services.catalogue import item_for_village
from moralbank.services.ledger import chain_heads, check_user_key
from moralbank.services.register import get_village, now_utc
from moralbank.storage.db import lock_village
from moralbank.storage.models import StockMovement
from moralbank.storage.records import record_heads


def stock_head(session: Session, village: str) -> tuple[int, str]:
    """The (seq, hash) of a village's last stock movement; (0, genesis) when it has none."""
    query = select(StockMovement.seq, StockMovement.hash).where(StockMovement.village == village)
    row = session.exec(query.order_by(col(StockMovement.seq).desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


_STOCK_HEADS = (
    "SELECT m.village, m.seq, m.hash FROM stock_movement m "
    "WHERE m.seq = (SELECT MAX(seq) FROM stock_movement WHERE village = m.village)"
)


def heads(session: Session, villages: list[str] | None = None) -> list[Head]:
    """Every village's ledger and stock chain heads, in village order: villages with neither are left out.

    With ``villages``, exactly those, in that order (seq 0 and the genesis hash for an empty chain).
    """
    ledger = {point.village: point for point in chain_heads(session)}
    goods = {village: (seq, digest) for village, seq, digest in session.execute(text(_STOCK_HEADS))}
    records = record_heads(session.connection())
    codes = villages if villages is not None else sorted(set(ledger) | set(goods) | set(records))
    if villages is not None and COUNTY in records and COUNTY not in codes:
        codes = [COUNTY, *codes]  # the county-wide records belong to every saved set of heads (first, as sorted)
    empty = Checkpoint("", 0, GENESIS)
    return [
        Head(
            code,
            ledger.get(code, empty).seq,
            ledger.get(code, empty).hash,
            *goods.get(code, (0, GENESIS)),
            *records.get(code, (0, GENESIS)),
        )
        for code in codes
    ]


class StockChain:
    """Appends movements to village stock chains inside the caller's transaction."""

    def __init__(self, session: Session, operator: str) -> None:
        self.session = session
        self.operator = operator
        self.recorded_at = now_utc()
        self._heads: dict[str, tuple[int, str]] = {}

    def head(self, village: str) -> tuple[int, str]:
        """The village's stock chain head; locks the village first (the same lock as its entries)."""
        if village not in self._heads:
            lock_village(self.session, village)
            self._heads[village] = stock_head(self.session, village)
        return self._heads[village]

    def write(self, fields: dict[str, Any]) -> int:
        """Append one movement and return its id."""
        check_user_key(fields.get("idem_key"))
        seq, prev = self.head(fields["village"])
        row = {"value_fen": None, "entry_seq": None, "household": None, "note": "", "idem_key": None} | fields
        row |= {"seq": seq + 1, "operator": self.operator, "recorded_at": self.recorded_at, "prev_hash": prev}
        row["hash"] = movement_hash(prev, [row[name] for name in MOVEMENT_FIELDS])
        self._heads[fields["village"]] = (seq + 1, row["hash"])
        movement = StockMovement(**row)
        self.session.add(movement)
        self.session.flush()
        assert movement.id is not None
        return movement.id


def stock_levels(session: Session, village: str, *, as_of: str | None = None) -> dict[str, int]:
    """Every item's stock in a village (the sum of its movements), as of a booking date if given."""
    query = "SELECT item, SUM(qty) FROM stock_movement WHERE village = :v" + (" AND booked_on <= :d" if as_of else "")
    rows = session.execute(text(query + " GROUP BY item"), {"v": village, "d": as_of})
    return {item: int(qty) for item, qty in rows}


def stock_of(session: Session, village: str, item: str) -> int:
    """One item's stock in a village now."""
    query = select(func.coalesce(func.sum(StockMovement.qty), 0)).where(
        StockMovement.village == village, StockMovement.item == item
    )
    return int(session.exec(query).one())


def daily_moves(session: Session, village: str, item: str) -> dict[str, int]:
    """One item's net movement in a village per booking day."""
    query = "SELECT booked_on, SUM(qty) FROM stock_movement WHERE village = :v AND item = :i GROUP BY booked_on"
    return {str(day): int(qty) for day, qty in session.execute(text(query), {"v": village, "i": item})}


def _text(value: str, field: str, missing: str) -> str:
    if has_personal_number(value):
        raise InputError("text.personal_number_field", field=field)
    if not value.strip():
        raise InputError(missing)
    check_text(field, value.strip())  # at most 200 characters, no control characters
    return value.strip()


def _booking(booked_on: str, today: date) -> None:
    if booked_on > today.isoformat():
        raise InputError("date.future_field", field="--booked", value=booked_on)


def _retried(session: Session, key: str | None, wanted: dict[str, Any]) -> int | None:
    if not key:
        return None
    check_user_key(key)
    earlier = session.exec(select(StockMovement).where(StockMovement.idem_key == key)).first()
    if earlier is None:
        return None
    for name, value in wanted.items():
        if getattr(earlier, name) != value:
            raise Refused("key.conflict_field", key=key, field=name)
    assert earlier.id is not None
    return earlier.id


def receive(
    session: Session,
    *,
    village: str,
    item: str,
    qty: int,
    source: str,
    operator: str,
    booked_on: str,
    today: date,
    value_fen: int | None = None,
    key: str | None = None,
) -> int:
    """Goods received (bought or donated) into a village's stock; returns the movement id."""
    if qty <= 0:
        raise InputError("stock.not_positive", value=qty)
    check_bound("qty", qty, MAX_STOCK)
    note = _text(source, "--source", "stock.no_source")
    wanted = {"village": village, "item": item, "kind": "receipt", "qty": qty, "value_fen": value_fen, "note": note}
    if (again := _retried(session, key, wanted | {"booked_on": booked_on})) is not None:
        return again
    _booking(booked_on, today)
    get_village(session, village)
    current = in_force(item_for_village(session, code=item, village=village), booked_on)
    if current is None:
        raise Refused("item.not_in_force", code=item, date=booked_on)
    if current.retired:
        raise Refused("item.retired", code=item)
    return StockChain(session, operator).write(wanted | {"booked_on": booked_on, "idem_key": key})


def stocktake(
    session: Session,
    *,
    village: str,
    item: str,
    counted: int,
    reason: str,
    operator: str,
    booked_on: str,
    today: date,
) -> tuple[int, int]:
    """Record a count: the difference from the stock on record becomes an adjustment with its reason.

    Returns the movement id and the difference (0 when the count matched: the count is still recorded).
    """
    if counted < 0:
        raise InputError("stock.negative_count", value=counted)
    check_bound("counted", counted, MAX_STOCK)
    note = _text(reason, "--reason", "stock.no_reason")
    _booking(booked_on, today)
    get_village(session, village)
    item_for_village(session, code=item, village=village)
    chain = StockChain(session, operator)
    chain.head(village)  # lock before reading the stock the count is compared with
    daily = daily_moves(session, village, item)
    # The count is the stock on its booking day; goods that left later must still have been there.
    held = sum(qty for day, qty in daily.items() if day <= booked_on)
    difference = counted - held
    if difference < 0 and (lowest := lowest_from(daily, booked_on)) + difference < 0:
        raise Refused("stock.count_before_later", code=item, date=booked_on, counted=counted, taken=held - lowest)
    fields = {"village": village, "item": item, "kind": "stocktake", "qty": difference, "booked_on": booked_on}
    return chain.write(fields | {"note": note}), difference
