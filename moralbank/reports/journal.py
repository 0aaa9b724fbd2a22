"""The whole ledger as plain transactions, streamed in booking order, for a journal export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

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


def clean_text(value: str) -> str:
    """Free text on one journal line: a newline would end it and ";" starts a comment."""
    return " ".join(value.replace(";", ",").split())


# The journal's text of each transfer as SQLite prints it, as UTF-8 bytes, in the form
# render/journal.py gives it (tests/test_county_reads.py holds the two byte for byte): building a
# Transfer and its text per entry in Python was most of a county's journal (bench/RESULTS.md).
# A transfer whose note or standard title would be cleaned is rendered by Python instead; an
# untidy title is flagged by giving its entries the note "\n", which cleaning always changes.
_TITLE = "CASE WHEN COALESCE(s.code, '') = '' THEN '' ELSE ' ' || s.code || ' ' || s.title END"
_TEXT = (
    "printf('%s (%s-%d) %s %s%s%s' || char(10) || '    %s  %d coins' || char(10) || '    %s  -%d coins' "
    "|| char(10) || char(10), e.booked_on, e.village, e.seq, e.kind, e.household, " + _TITLE + ", "
    "CASE WHEN e.note = '' THEN '' ELSE '  ; ' || e.note END, e.credit, e.amount, e.debit, e.amount)"
)
_TRANSFER_TEXTS = f"""
SELECT CAST({_TEXT} AS BLOB), CASE WHEN e.standard_id IN ({{untidy}}) THEN char(10) ELSE e.note END, e.id
FROM entry e LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.amount > 0
ORDER BY e.booked_on, e.village, e.seq
"""
_BY_ID = _TRANSFERS.replace("WHERE e.amount > 0", "WHERE e.id IN ({ids})").replace(
    "ORDER BY e.booked_on, e.village, e.seq", ""
)
# Notes remembered as tidy or not (a county repeats a few phrases millions of times); past this
# many, a new note is looked at on its own each time.
_NOTES_REMEMBERED = 100_000
_BLOCK = 5000  # transfers fetched and written at a time


def transfer_texts(session: Session) -> Iterator[list[bytes | Transfer]] | None:
    """Every transfer, oldest booking first, in blocks: its journal text, or the Transfer where it needs cleaning.

    None where SQLite does not print it (PostgreSQL keeps ``transfers``).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    standards = cursor.execute("SELECT id, title FROM standard").fetchall()
    untidy = [sid for sid, title in standards if clean_text(title) != title]
    # Standard ids are the database's own text; bound, not spliced (NULL: none is untidy).
    marks = ", ".join("?" * len(untidy)) or "NULL"
    cursor.execute(_TRANSFER_TEXTS.format(untidy=marks), untidy)
    return _blocks(connection.connection.driver_connection, cursor)


def _blocks(driver: Any, cursor: Any) -> Iterator[list[bytes | Transfer]]:
    tidy: set[str] = {""}
    untidy: set[str] = set()
    while block := cursor.fetchmany(_BLOCK):
        lines, notes, _ids = zip(*block, strict=True)  # C-level: no Python work per entry below
        seen = set(notes)
        for note in seen - tidy - untidy:
            if len(tidy) + len(untidy) < _NOTES_REMEMBERED:
                (tidy if clean_text(note) == note else untidy).add(note)
        if seen <= tidy:
            yield list(lines)
        else:
            yield _redone(driver, block, tidy)


def _redone(driver: Any, block: list[tuple[Any, ...]], tidy: set[str]) -> list[bytes | Transfer]:
    """A block where some transfers need cleaning: those are read again as Transfers."""
    out: list[Any] = []
    redo: dict[int, int] = {}  # entry id -> its place in the block
    for line, note, entry in block:
        if note in tidy or clean_text(note) == note:
            out.append(line)
        else:
            redo[entry] = len(out)
            out.append(entry)
    for row in driver.execute(_BY_ID.format(ids=", ".join("?" * len(redo))), list(redo)).fetchall():
        out[redo[row[0]]] = Transfer._make(row)
    return out


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
