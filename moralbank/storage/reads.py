"""Reads over either driver: SQL text run by a session, or by the stdlib's sqlite3 on a SQLite file.

The terminal reads (balance, statement, household show, a village's board, the trend) spend most
of a run importing SQLAlchemy and SQLModel, not reading (bench/RESULTS.md, issue 16). Their
reports run their SQL through ``Rows``: a session on PostgreSQL (or a ``sqlite://`` URL), the
driver's own connection on a SQLite file, with the same statements, parameters and row values
(text SQL gets no type processing from SQLAlchemy). The lookups those reports share live here:
the household (through the view household_current), the village, holdings and the chain head.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from moralbank.config import default_lock_wait
from moralbank.domain.heads import GENESIS, Checkpoint
from moralbank.errors import InputError, MoralBankError, NotFound
from moralbank.storage.refusals import FRESH, Busy, MissingFile, NotInitialised, SchemaMismatch, check_version

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

T = TypeVar("T")


class Rows(Protocol):
    """Runs one SQL statement (``:name`` parameters) and returns its rows as tuples."""

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
        """Every row of ``sql`` run with ``params``."""
        ...


class Writes(Rows, Protocol):
    """``Rows`` inside a write transaction: what the records chain and the export log write with.

    The same statements through a session (PostgreSQL, a ``sqlite://`` URL, every ORM write) and
    through the stdlib's sqlite3 on a SQLite file (``sqlite_writing``), so a write that needs no
    model (a signed export's log) never imports SQLAlchemy (bench/RESULTS.md, round five).
    """

    def named(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[list[str], Iterable[Sequence[Any]]]:
        """The column names of ``sql``'s result and its rows, streamed."""
        ...

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows (tuples in ``columns``' order) through the driver's executemany."""
        ...

    def insert_one(self, table: str, values: Mapping[str, Any]) -> int:
        """Append one row and return its new id."""
        ...

    def flush(self) -> None:
        """Send a session's pending ORM objects first, so SQL sees them (nothing to do on the driver)."""
        ...


class SessionRows:
    """``Rows`` and ``Writes`` over a SQLAlchemy session (or a connection of one), inside its transaction."""

    def __init__(self, session: Session | Connection) -> None:
        self.session = session

    def connection(self) -> Connection:
        """The session's connection (a connection is its own)."""
        from sqlalchemy import Connection

        return self.session if isinstance(self.session, Connection) else self.session.connection()

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
        """Every row as a plain tuple from the driver, fetched in one call (bench/RESULTS.md)."""
        from moralbank.storage.db import driver_rows

        return driver_rows(self.connection(), sql, dict(params or {}))

    def named(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[list[str], Iterable[Sequence[Any]]]:
        """The result's column names and its rows."""
        from sqlalchemy import text

        result = self.connection().execute(text(sql), dict(params or {}))
        return list(result.keys()), result

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """``db.insert_rows`` in this transaction."""
        from moralbank.storage.db import insert_rows

        insert_rows(self.connection(), table, columns, rows)

    def insert_one(self, table: str, values: Mapping[str, Any]) -> int:
        """One row, its id by RETURNING (PostgreSQL) or the driver's last row id (SQLite)."""
        from sqlalchemy import text

        connection = self.connection()
        sql = _insert_sql(table, values)
        if connection.dialect.name == "postgresql":
            return int(connection.execute(text(sql + " RETURNING id"), dict(values)).scalar_one())
        found = connection.execute(text(sql), dict(values)).lastrowid
        return int(found)

    def flush(self) -> None:
        """The session's pending objects, sent."""
        from sqlmodel import Session

        if isinstance(self.session, Session):
            self.session.flush()


def _insert_sql(table: str, values: Mapping[str, Any]) -> str:
    return f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + name for name in values)})"


class SqliteRows:
    """``Rows`` (and, in ``sqlite_writing``'s transaction, ``Writes``) over a stdlib sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
        """Every row, with the database's complaints in the user's words (as ``db.translated`` words them)."""
        with sqlite_translated():
            return self.connection.execute(sql, dict(params or {})).fetchall()

    def named(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[list[str], Iterable[Sequence[Any]]]:
        """The result's column names and its rows."""
        with sqlite_translated():
            cursor = self.connection.execute(sql, dict(params or {}))
        return [column[0] for column in cursor.description], _translated_rows(cursor)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The rows through ``executemany``."""
        if rows:
            with sqlite_translated():
                self.connection.executemany(insert_statement(table, columns, "?"), rows)

    def insert_one(self, table: str, values: Mapping[str, Any]) -> int:
        """One row; its id is the driver's last row id."""
        with sqlite_translated():
            found = self.connection.execute(_insert_sql(table, values), dict(values)).lastrowid
        assert found is not None
        return found

    def flush(self) -> None:
        """Nothing is pending on the driver."""


def insert_statement(table: str, columns: Sequence[str], mark: str) -> str:
    """An executemany INSERT of ``columns`` with the driver's positional ``mark`` (``?`` or ``%s``)."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def _translated_rows(cursor: sqlite3.Cursor) -> Iterator[Sequence[Any]]:
    with sqlite_translated():
        yield from cursor


def is_postgresql(source: Rows) -> bool:
    """Whether these reads go to PostgreSQL (through a session; a SQLite file is read by sqlite3)."""
    if not isinstance(source, SessionRows):
        return False
    from moralbank.storage.db import is_postgresql as session_is_postgresql  # a session has SQLAlchemy already

    return session_is_postgresql(source.session)


def rows_of(source: Session | Connection | Rows) -> Rows:
    """``source`` as ``Rows``: a session (or connection) is wrapped, a ``Rows`` is itself."""
    return writes_of(source)  # type: ignore[arg-type]


def writes_of(source: Session | Connection | Writes) -> Writes:
    """``source`` as ``Writes``: a session (or connection) is wrapped, the driver's is itself."""
    return source if isinstance(source, (SqliteRows, SessionRows)) else SessionRows(source)  # type: ignore[arg-type]


def sqlite_path(db: str) -> Path | None:
    """The SQLite file ``--db`` names, or None for a URL (PostgreSQL, or ``sqlite://`` through SQLAlchemy)."""
    return None if "://" in db else Path(db).expanduser()


@contextmanager
def sqlite_translated() -> Iterator[None]:
    """sqlite3's own complaints that a user can act on as messages, by the rules of ``db.translated``."""
    try:
        yield
    except sqlite3.Error as exc:
        reason = str(exc)
        if reason.startswith("no such table"):
            raise NotInitialised() from exc
        if reason.startswith("no such column") or " has no column named " in reason:
            raise SchemaMismatch(reason=reason.splitlines()[0]) from exc
        if "database is locked" in reason or "database is busy" in reason:
            raise Busy(seconds=f"{default_lock_wait():g}") from exc
        if isinstance(exc, sqlite3.OperationalError):
            raise MoralBankError("db.unreachable", reason=exc) from exc
        if "file is not a database" in reason:
            raise MoralBankError("db.not_sqlite") from exc
        raise


# A write that finds the file locked says so after this long, then goes on waiting.
NOTICE_AFTER = 3.0


def locked(exc: BaseException) -> bool:
    """Whether a database error (the driver's, or SQLAlchemy's wrapping it) says another writer holds the lock."""
    reason = str(getattr(exc, "orig", exc))
    return "database is locked" in reason or "database is busy" in reason


def sqlite_pragmas(connection: sqlite3.Connection, limit: float) -> None:
    """How every connection to a SQLite file is set up, by SQLAlchemy's engine or by the driver alone."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=FULL")  # a committed decision must survive a power cut
    connection.execute(f"PRAGMA busy_timeout={int(limit * 1000)}")


def begin_immediate(
    run: Callable[[str], object], error: type[Exception], limit: float, on_wait: Callable[[], None] | None
) -> None:
    """``BEGIN IMMEDIATE`` (``run`` runs a statement, ``error`` is what it raises), waiting for another
    writer: ``on_wait`` after a few seconds, ``Busy`` at ``limit``."""
    first = min(NOTICE_AFTER, limit)
    run(f"PRAGMA busy_timeout={int(first * 1000)}")
    try:
        try:
            run("BEGIN IMMEDIATE")
            return
        except error as exc:
            if not locked(exc) or limit <= first:
                if locked(exc):
                    raise Busy(seconds=f"{limit:g}") from None
                raise
        if on_wait is not None:
            on_wait()
        run(f"PRAGMA busy_timeout={int((limit - first) * 1000)}")
        try:
            run("BEGIN IMMEDIATE")
        except error as exc:
            if locked(exc):
                raise Busy(seconds=f"{limit:g}") from None
            raise
    finally:
        run(f"PRAGMA busy_timeout={int(limit * 1000)}")


def _refuse_missing(path: Path) -> None:
    if not path.parent.is_dir():
        raise MoralBankError("db.no_folder", path=str(path.parent))
    if not path.is_file():
        raise MissingFile(path)


@contextmanager
def sqlite_reading(path: Path, shown: str, program: int) -> Iterator[SqliteRows]:
    """One consistent read of a SQLite file at schema version ``program``, as ``open_engine``,
    ``require_current`` and ``reading`` would give it: a missing file or folder is refused
    without being created, another version with the message saying what to run; nothing is written.
    """
    _refuse_missing(path)
    with sqlite_translated():
        connection = sqlite3.connect(path, timeout=default_lock_wait(), isolation_level=None)
    try:
        reader = SqliteRows(connection)
        reader.rows("BEGIN")
        check_version(_version(reader), shown=shown, program=program)
        yield reader
    finally:
        connection.close()  # the read transaction ends with it


@contextmanager
def sqlite_writing(
    path: Path, shown: str, program: int, on_wait: Callable[[], None] | None = None
) -> Iterator[SqliteRows]:
    """One write to a SQLite file through the driver, as ``open_engine``, ``checked`` and
    ``db.writing`` give it: the same connection settings, the write lock taken up front (waiting
    for another writer as they wait), the schema version checked; committed once at the end, or
    rolled back whole. A missing file or folder is refused without being created.
    """
    _refuse_missing(path)
    limit = default_lock_wait()
    with sqlite_translated():
        connection = sqlite3.connect(path, timeout=limit, isolation_level=None)
    try:
        with sqlite_translated():
            sqlite_pragmas(connection, limit)
            begin_immediate(connection.execute, sqlite3.OperationalError, limit, on_wait)
        writer = SqliteRows(connection)
        try:
            check_version(_version(writer), shown=shown, program=program)
            yield writer
            writer.rows("COMMIT")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
    finally:
        connection.close()


class Access(Protocol):
    """A database a command reads and writes as plain SQL: a session's, or the driver's on a SQLite file."""

    def reading(self) -> AbstractContextManager[Rows]:
        """One consistent read."""
        ...

    def written(self, operation: Callable[[Writes], T]) -> T:
        """Run one write operation in its own transaction (again after contention), committed whole."""
        ...


@dataclass(frozen=True)
class SqliteAccess:
    """``Access`` to a SQLite file through the driver: ``sqlite_reading`` and ``sqlite_writing``."""

    path: Path
    shown: str
    program: int
    on_wait: Callable[[], None] | None = None

    def reading(self) -> AbstractContextManager[Rows]:
        """``sqlite_reading`` of the file."""
        return sqlite_reading(self.path, self.shown, self.program)

    def written(self, operation: Callable[[Writes], T]) -> T:
        """``operation`` in one ``sqlite_writing`` transaction (the write lock taken up front: no retry)."""
        with sqlite_writing(self.path, self.shown, self.program, self.on_wait) as writer:
            return operation(writer)


def _version(reader: SqliteRows) -> int:
    """The schema version, read as ``versions.database_version`` reads it."""
    tables = {name for (name,) in reader.rows(_TABLES)}
    if "schema_version" not in tables:
        return 1 if "entry" in tables else FRESH  # release 0.1.0 had no version table
    found = reader.rows("SELECT MAX(version) FROM schema_version")[0][0]
    if found is None:
        raise SchemaMismatch(reason="schema_version has no rows")
    return int(found)


_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('schema_version', 'entry')"


# --- the lookups the terminal reports share ---------------------------------------------------


@dataclass(frozen=True)
class HouseholdRecord:
    """A household's current details (its registration with its latest change applied)."""

    code: str
    village: str
    head_name: str
    id_number: str
    phone: str
    members: int
    grid: str
    address: str
    consent_board: int
    consent_bank: int


@dataclass(frozen=True)
class VillageRecord:
    """A village as the reports name it."""

    code: str
    name: str
    county: str
    black_list: int
    committee: str


# Every read of a household's details goes through the view: where a household lives and who
# heads it now are the view's to say (a change, a move), never the household table's.
HOUSEHOLD_SQL = (
    "SELECT code, village, head_name, id_number, phone, members, grid, address, consent_board, consent_bank "
    "FROM household_current WHERE code = :code"
)
HOUSEHOLD_BY_UPPER_SQL = "SELECT code FROM household_current WHERE upper(code) = :upper"
_HEADS_NAMED = "SELECT code FROM household_current WHERE head_name = :name {village} ORDER BY code"
VILLAGE_SQL = "SELECT code, name, county, black_list, committee FROM village WHERE code = :code"
HOLDINGS_SQL = "SELECT COALESCE(SUM(coins), 0), COALESCE(SUM(earned), 0) FROM entry WHERE household = :h {dates}"
CHAIN_HEAD_SQL = "SELECT seq, hash FROM entry WHERE village = :v ORDER BY seq DESC LIMIT 1"


def household(source: Session | Rows, code: str) -> HouseholdRecord:
    """The household with this code, its current details, or NotFound."""
    found = rows_of(source).rows(HOUSEHOLD_SQL, {"code": code})
    if not found:
        raise NotFound("household.not_found", code=code)
    return HouseholdRecord(*found[0])


def village(source: Session | Rows, code: str) -> VillageRecord:
    """The village with this code, or NotFound."""
    found = rows_of(source).rows(VILLAGE_SQL, {"code": code})
    if not found:
        raise NotFound("village.not_found", code=code)
    return VillageRecord(*found[0])


def holdings(
    source: Session | Rows, *, household: str, through: str | None = None, before: str | None = None
) -> tuple[int, int]:
    """A household's coin balance and earned points: over every entry, or those booked through or before a date.

    The one sum behind the passbook, a statement's opening balance and what a redemption may spend.
    """
    dates, params = "", {"h": household}
    if through is not None:
        dates, params["through"] = dates + "AND booked_on <= :through ", through
    if before is not None:
        dates, params["before"] = dates + "AND booked_on < :before ", before
    coins, earned = rows_of(source).rows(HOLDINGS_SQL.format(dates=dates), params)[0]
    return int(coins), int(earned)


def chain_head(source: Session | Rows, village: str) -> Checkpoint:
    """The head of one village's chain now (seq 0 and the genesis hash when it has no entries)."""
    found = rows_of(source).rows(CHAIN_HEAD_SQL, {"v": village})
    return Checkpoint(village, found[0][0], found[0][1]) if found else Checkpoint(village, 0, GENESIS)


def household_named(source: Session | Rows, wanted: str, village: str | None = None) -> str:
    """The household ``wanted`` names: a registered code (in any case), or a head name unique in ``village``.

    A head name shared by several households is refused with their codes; so is a name given
    without ``--village`` when it is not unique across the county. A code that names nothing is
    returned as typed: the report then refuses it by code.
    """
    db = rows_of(source)
    typed = unicodedata.normalize("NFKC", wanted).strip()
    if db.rows(HOUSEHOLD_SQL, {"code": typed}):
        return typed
    same = [code for (code,) in db.rows(HOUSEHOLD_BY_UPPER_SQL, {"upper": typed.upper()})]
    if typed not in same and len(same) == 1:  # registered in another case (dl019 for DL019)
        return str(same[0])
    params = {"name": wanted.strip(), "village": village}
    found = [
        str(code)
        for (code,) in db.rows(_HEADS_NAMED.format(village="AND village = :village" if village else ""), params)
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError("household.name_ambiguous", name=wanted.strip(), codes=", ".join(found))
    return typed


# --- the county-wide reads (issue 16, round three) --------------------------------------------

# One index probe per village on entry_chain (village, seq): a GROUP BY over the whole ledger
# would read every entry.
CHAIN_HEADS_SQL = (
    "SELECT h.village, e.seq, e.hash FROM "
    "(SELECT code AS village, (SELECT MAX(seq) FROM entry WHERE village = code) AS seq FROM village) h "
    "JOIN entry e ON e.village = h.village AND e.seq = h.seq ORDER BY h.village"
)


def chain_heads(source: Session | Rows, villages: list[str] | None = None) -> list[Checkpoint]:
    """Every village's chain head in one statement, in village order: villages without entries are left out.

    With ``villages``, exactly those, in that order; a village without entries has seq 0 and the
    genesis hash, as ``chain_head`` gives it.
    """
    heads = [Checkpoint(v, s, h) for v, s, h in rows_of(source).rows(CHAIN_HEADS_SQL)]
    if villages is None:
        return heads
    by_village = {point.village: point for point in heads}
    return [by_village.get(code, Checkpoint(code, 0, GENESIS)) for code in villages]


VILLAGES_SQL = "SELECT code, name, county, black_list, committee FROM village ORDER BY code"


def villages(source: Session | Rows) -> list[VillageRecord]:
    """Every village, in code order."""
    return [VillageRecord(*row) for row in rows_of(source).rows(VILLAGES_SQL)]


# --- streamed reads (issue 16, round three: the county's credit) -------------------------------


def row_blocks(
    source: Session | Rows, sql: str, params: Mapping[str, Any], size: int = 5000
) -> Iterator[Sequence[Any]]:
    """A read query's rows as plain tuples, in blocks of ``size``: a county's rows are never held whole.

    On a SQLite file the driver's own cursor, its complaints worded as ``SqliteRows.rows`` words
    them; through a session ``db.driver_blocks`` (PostgreSQL streams from a server-side cursor).
    """
    reader = rows_of(source)
    if isinstance(reader, SessionRows):
        from moralbank.storage.db import driver_blocks

        yield from driver_blocks(reader.session, sql, dict(params))
        return
    assert isinstance(reader, SqliteRows), "a Rows of another kind has no cursor to stream from"
    with sqlite_translated():
        cursor = reader.connection.execute(sql, dict(params))
        while block := cursor.fetchmany(size):
            yield block
