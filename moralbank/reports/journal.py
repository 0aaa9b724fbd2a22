"""The whole ledger as plain transactions, streamed in booking order, for a journal export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session


class Transfer(NamedTuple):
    """One entry as a transfer between two accounts (a tuple: a journal export makes millions)."""

    id: int
    booked_on: str
    kind: str
    village: str
    seq: int
    household: str
    standard: str
    title: str
    note: str
    debit: str
    credit: str
    amount: int


_TRANSFERS = """
SELECT e.id, e.booked_on, e.kind, e.village, e.seq, e.household, COALESCE(s.code, ''),
       COALESCE(s.title, ''), e.note, e.debit, e.credit, e.amount
FROM entry e LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.amount > 0
ORDER BY e.booked_on, e.village, e.seq
"""


def transfers(session: Session) -> Iterator[Transfer]:
    """Every entry that moves coins, oldest booking first."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # The driver's own cursor, read in blocks: SQLAlchemy's rows cost more than SQLite's work
        # here (bench/RESULTS.md). PostgreSQL keeps a server-side cursor, read as it streams.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(_TRANSFERS)
        while block := cursor.fetchmany(2000):
            yield from map(Transfer._make, block)
        return
    result = connection.execution_options(stream_results=True).execute(text(_TRANSFERS))
    for row in result:
        yield Transfer(*row)


@dataclass(frozen=True)
class GoodsMove:
    """One stock movement of the points supermarket, in units of its item."""

    booked_on: str
    village: str
    seq: int
    item: str
    kind: str
    qty: int
    household: str
    note: str


_GOODS = """
SELECT booked_on, village, seq, item, kind, qty, COALESCE(household, ''), note
FROM stock_movement WHERE qty <> 0
ORDER BY booked_on, village, seq
"""


def goods_moves(session: Session) -> Iterator[GoodsMove]:
    """Every stock movement that changes a stock, oldest booking first."""
    result = session.connection().execution_options(stream_results=True).execute(text(_GOODS))
    for row in result:
        yield GoodsMove(*row)
