"""The whole ledger as plain transactions, streamed in booking order, for a journal export."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from moralbank.domain.limits import inert
from moralbank.storage.reads import Rows, SessionRows, SqliteRows, rows_of, sqlite_translated

if TYPE_CHECKING:  # a SQLite file's journal is read through the stdlib's sqlite3 (storage/reads.py)
    from sqlalchemy import Connection
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


def transfers(session: Session | Connection) -> Iterator[Transfer]:
    """Every entry that moves coins, oldest booking first."""
    from sqlalchemy import text

    connection = SessionRows(session).connection()
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
    """Free text on one journal line: a newline would end it, ";" starts a comment, a control character is shown as U+FFFD.

    Input refuses control characters; an old or hand-edited file may still hold one (a NUL, an ESC).
    """
    return inert(" ".join(value.replace(";", ",").split()))


# The journal's text of each transfer as SQLite prints it, as UTF-8 bytes, in the form
# render/journal.py gives it (tests/test_county_reads.py holds the two byte for byte): building a
# Transfer and its text per entry in Python was most of a county's journal (bench/RESULTS.md).
# One column per entry, the text; the id of an entry whose note or standard title cleaning would
# change, which Python renders instead. Fetching the notes to look at them in Python cost more
# than SQLite's printing (bench/RESULTS.md), so SQLite tells: clean_text changes a note exactly
# when it holds ";" or a white space other than " " (_UNTIDY), two spaces, or starts or ends with
# one, or holds a control character (inert() shows it as U+FFFD; a NUL, which printf would end the
# text at, is asked by instr()). Notes seen in a few
# thousand of the latest entries and found tidy are named (:k0...), so that most entries skip the
# pattern.
_TITLE = "CASE WHEN COALESCE(s.code, '') = '' THEN '' ELSE ' ' || s.code || ' ' || s.title END"
_TEXT = (
    "printf('%s (%s-%d) %s %s%s%s' || char(10) || '    %s  %d coins' || char(10) || '    %s  -%d coins' "
    "|| char(10) || char(10), e.booked_on, e.village, e.seq, e.kind, e.household, " + _TITLE + ", "
    "CASE WHEN e.note = '' THEN '' ELSE '  ; ' || e.note END, e.credit, e.amount, e.debit, e.amount)"
)
# Every character str.split() splits at, but " " (tests/test_county_reads.py checks the list).
WHITE_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# With every control character but NUL (bound as text, a pattern cannot hold one: instr() asks).
_UNTIDY = f"*[;{WHITE_SPACE}\x01-\x1f\x7f-\x9f]*"
UNTIDY_NOTE = (
    "(e.note GLOB :untidy OR e.note GLOB ' *' OR e.note GLOB '* ' OR instr(e.note, '  ') > 0 "
    "OR instr(e.note, char(0)) > 0)"
)
_TRANSFER_TEXTS = f"""
SELECT CASE WHEN e.standard_id IN ({{titles}}) OR (e.note NOT IN ({{tidy}}) AND {UNTIDY_NOTE}) THEN e.id
            ELSE CAST({_TEXT} AS BLOB) END
FROM entry e LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.amount > 0
ORDER BY e.booked_on, e.village, e.seq
"""
_BY_ID = _TRANSFERS.replace("WHERE e.amount > 0", "WHERE e.id IN ({ids})").replace(
    "ORDER BY e.booked_on, e.village, e.seq", ""
)
# The latest entries' notes, to name the tidy ones: a county repeats a few phrases millions of times.
_RECENT_NOTES = "SELECT DISTINCT note FROM entry WHERE id > (SELECT MAX(id) FROM entry) - 5000"
_NOTES_NAMED = 200
_BLOCK = 5000  # transfers fetched and written at a time
_text = itemgetter(0)


def transfer_texts(source: Session | Rows) -> Iterator[list[bytes | Transfer]] | None:
    """Every transfer, oldest booking first, in blocks: its journal text, or the Transfer where it needs cleaning.

    None where SQLite does not print it (PostgreSQL keeps ``transfers``).
    """
    driver = _sqlite_connection(source)
    if driver is None:
        return None
    standards = driver.execute("SELECT id, title FROM standard").fetchall()
    untidy = [sid for sid, title in standards if clean_text(title) != title or "\x00" in title]
    recent = [note for (note,) in driver.execute(_RECENT_NOTES)]
    tidy = ["", *(note for note in recent if note and clean_text(note) == note and "\x00" not in note)][:_NOTES_NAMED]
    # Standard ids and notes are the database's own text; bound, not spliced (NULL: no untidy title).
    params: dict[str, Any] = {"untidy": _UNTIDY} | {f"t{n}": sid for n, sid in enumerate(untidy)}
    params |= {f"k{n}": note for n, note in enumerate(tidy)}
    sql = _TRANSFER_TEXTS.format(titles=_marks("t", len(untidy)), tidy=_marks("k", len(tidy)))
    with sqlite_translated():
        cursor = driver.execute(sql, params)
    return _blocks(driver, cursor)


def _marks(prefix: str, count: int) -> str:
    return ", ".join(f":{prefix}{n}" for n in range(count)) or "NULL"


def _sqlite_connection(source: Session | Rows) -> sqlite3.Connection | None:
    """The stdlib sqlite3 connection under ``source``, or None on PostgreSQL."""
    if isinstance(source, SqliteRows):
        return source.connection
    connection = (source if isinstance(source, SessionRows) else SessionRows(source)).connection()  # type: ignore[arg-type]
    if connection.dialect.name != "sqlite":
        return None
    return connection.connection.driver_connection


def _blocks(driver: sqlite3.Connection, cursor: sqlite3.Cursor) -> Iterator[list[bytes | Transfer]]:
    with sqlite_translated():
        while block := cursor.fetchmany(_BLOCK):
            texts = list(map(_text, block))  # C-level: no Python work per entry below
            yield texts if int not in set(map(type, texts)) else _redone(driver, texts)


def _redone(driver: sqlite3.Connection, texts: list[Any]) -> list[bytes | Transfer]:
    """A block where some transfers need cleaning: those (given by id) are read again as Transfers."""
    redo = {entry: place for place, entry in enumerate(texts) if isinstance(entry, int)}
    for row in driver.execute(_BY_ID.format(ids=", ".join("?" * len(redo))), list(redo)).fetchall():
        texts[redo[row[0]]] = Transfer._make(row)
    return texts


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


def goods_moves(source: Session | Rows) -> Iterator[GoodsMove]:
    """Every stock movement that changes a stock, oldest booking first (a few per redemption: read at once)."""
    for row in rows_of(source).rows(_GOODS):
        yield GoodsMove(*row)
