"""One engine and session factory; every dialect specific lives here and nowhere else."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from moralbank.config import default_lock_wait
from moralbank.errors import MoralBankError
from moralbank.storage.reads import (
    Rows,
    SessionRows,
    Writes,
    begin_immediate,
    insert_statement,
    locked,
    sqlite_pragmas,
)
from moralbank.storage.refusals import Busy as Busy  # these four were defined here first
from moralbank.storage.refusals import MissingFile as MissingFile
from moralbank.storage.refusals import NotInitialised as NotInitialised
from moralbank.storage.refusals import SchemaMismatch as SchemaMismatch

_WRITE = "moralbank_write"
T = TypeVar("T")

# SQLSTATEs after which a write operation may simply run again: a serialization failure, a
# deadlock, and a unique key taken by a concurrent writer (the re-run then sees its entry and
# answers as for a retried key). The failed attempt was rolled back whole.
RETRYABLE = frozenset({"40001", "40P01", "23505"})
ATTEMPTS = 8


# SQLSTATEs of a statement naming a table or a column the database does not have: the file's
# schema is not this program's (matched by code: PostgreSQL's text depends on its locale).
_UNDEFINED_TABLE = "42P01"
_UNDEFINED_COLUMN = "42703"
_NOT_PERMITTED = "42501"  # insufficient_privilege: a grant, an append-only guard, a write under another's name
_SCHEMA_LOCK = "moralbank:schema"


class Contention(MoralBankError):
    """Another writer got in the way; the transaction was rolled back and may run again."""

    key = "db.contention"


def database_url(db: str) -> str:
    """A SQLAlchemy URL for ``--db``: a SQLite path, or a postgresql:// URL (psycopg 3)."""
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def shown_db(db: str) -> str:
    """``--db`` as it may be printed: a URL's password is hidden."""
    if "://" not in db:
        return db
    return make_url(db).render_as_string(hide_password=True)


def _sqlite_events(engine: Engine, limit: float, on_wait: Callable[[], None] | None) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        sqlite_pragmas(dbapi_connection, limit)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Writers take the write lock up front, so two appenders never both read the same head.
        if connection.get_execution_options().get(_WRITE):
            begin_immediate(connection.exec_driver_sql, OperationalError, limit, on_wait)
        else:
            connection.exec_driver_sql("BEGIN")


def open_engine(db: str, *, lock_wait: float | None = None, on_wait: Callable[[], None] | None = None) -> Engine:
    """An engine for ``--db``; refuses a SQLite path whose folder does not exist.

    A SQLite write that finds the file locked by another write waits up to ``lock_wait``
    seconds (default ``MORALBANK_LOCK_WAIT``, else 60), calling ``on_wait`` once after a few
    seconds so the person waiting is told why, then refuses with ``Busy``.
    """
    url = database_url(db)
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        if not folder.is_dir():
            raise MoralBankError("db.no_folder", path=str(folder))
        # hide_parameters: an error report never carries the values bound to a statement (IDs, names).
        limit = default_lock_wait() if lock_wait is None else lock_wait
        engine = create_engine(url, connect_args={"timeout": limit}, hide_parameters=True)
        _sqlite_events(engine, limit, on_wait)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except (ArgumentError, NoSuchModuleError) as exc:  # a scheme SQLAlchemy has no driver for
        raise MoralBankError("db.bad_url") from exc


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite engine (None for PostgreSQL or an in-memory database)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(str(engine.url.database))


def refuse_missing_file(engine: Engine) -> None:
    """Refuse a SQLite path with no file there, before anything connects (which would create it)."""
    path = sqlite_file(engine)
    if path is not None and not path.is_file():
        raise MissingFile(path)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=60)


def open_sqlite_copy(path: Path) -> Engine:
    """A read-only engine on a SQLite file that leaves the file as it is (no WAL switch, no side files)."""
    return create_engine("sqlite://", creator=lambda: _read_only(path))


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy a live SQLite database into a new file with SQLite's online backup API.

    The copy is one consistent snapshot (the whole copy runs as one step, under one read
    transaction), taken while other connections go on writing: WAL readers never block writers.
    The copy is left in rollback-journal mode, so it is one self-contained file. ``target``
    must not exist yet (the callers choose a new name or refuse).
    """
    try:
        reader = _read_only(source)
        try:
            copy = sqlite3.connect(target)
            try:
                reader.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            reader.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)  # no half-written copy left to be mistaken for a backup
        raise MoralBankError("backup.write_failed", path=str(target), reason=exc) from exc


def driver_blocks(
    session: Session | Connection, sql: str, params: dict[str, Any], size: int = 5000
) -> Iterator[list[Any]]:
    """A read query's rows as plain tuples, streamed in blocks of ``size``; ``:name`` parameters.

    On SQLite the driver's own cursor: SQLAlchemy's row objects cost more than SQLite's work on
    a county's rows (bench/RESULTS.md). PostgreSQL streams from a server-side cursor. The
    driver's errors are wrapped as SQLAlchemy's, so ``translated`` words them as it does any other.
    """
    connection = SessionRows(session).connection()
    if connection.dialect.name != "sqlite":
        # Per statement: Connection.execution_options would leave the session's connection
        # streaming, and a later INSERT cannot run in a server-side cursor.
        streamed = {"stream_results": True}
        for part in connection.execute(text(sql), params, execution_options=streamed).partitions(size):
            yield [tuple(row) for row in part]
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(size):
            yield block
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


def driver_rows(session: Session | Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """Every row of a query as a plain tuple (``driver_blocks`` in one list on SQLite)."""
    connection = SessionRows(session).connection()
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in connection.execute(text(sql), params)]
    return [row for block in driver_blocks(connection, sql, params, 20_000) for row in block]


def insert_rows(
    session: Session | Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append rows (tuples in ``columns``' order) in one statement through the driver's executemany.

    The ORM's bulk insert costs more than the database's own work per row, mostly building its
    parameter sets (bench/RESULTS.md): ledger entries, records and the export log's rows go this way.
    """
    if not rows:
        return
    connection = SessionRows(session).connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(insert_statement(table, columns, mark), list(rows))


def is_postgresql(session: Session | Connection) -> bool:
    """Whether this session (or connection) talks to PostgreSQL."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name == "postgresql"


@contextmanager
def translated() -> Iterator[None]:
    """Turn the database's own complaints that a user can act on into messages; the rest propagate."""
    try:
        yield
    except DBAPIError as exc:
        reason, code = str(exc.orig), sqlstate(exc)
        if code in RETRYABLE:
            raise Contention(reason=reason.splitlines()[0]) from exc
        # Schema problems by SQLSTATE on PostgreSQL, by the driver's own words on SQLite; never
        # "cannot open the database" (SQLite reports both as OperationalError).
        if code == _NOT_PERMITTED and not reason.startswith("moralbank:"):  # a grant, not our guards' own words
            raise MoralBankError("db.not_permitted", reason=reason.splitlines()[0]) from exc
        if code == _UNDEFINED_TABLE or reason.startswith("no such table"):  # SQLite's own words
            raise NotInitialised() from exc
        if code == _UNDEFINED_COLUMN or reason.startswith("no such column") or " has no column named " in reason:
            raise SchemaMismatch(reason=reason.splitlines()[0]) from exc
        if locked(exc):  # a lock met after the write began (e.g. a WAL checkpoint): never "cannot open"
            raise Busy(seconds=f"{default_lock_wait():g}") from exc
        if isinstance(exc, OperationalError):
            raise MoralBankError("db.unreachable", reason=exc.orig) from exc
        if "file is not a database" in reason:  # SQLite, when --db names some other file
            raise MoralBankError("db.not_sqlite") from exc
        raise


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session over one consistent snapshot."""
    with translated(), Session(engine) as session, session.begin():
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One write operation: one transaction, committed once at the end or not at all."""
    bound = engine.execution_options(**{_WRITE: True})
    with translated(), Session(bound) as session, session.begin():
        yield session


@contextmanager
def changing_schema(engine: Engine) -> Iterator[Connection]:
    """One transaction for a schema change, committed whole or not at all.

    DDL is transactional on both databases. SQLite takes the write lock up front (``BEGIN
    IMMEDIATE``); PostgreSQL a transaction-scoped advisory lock, so two upgrades never interleave
    (the second waits, then finds the schema current).
    """
    bound = engine.execution_options(**{_WRITE: True})
    with translated(), bound.connect() as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _SCHEMA_LOCK})
        yield connection


def run_script(connection: Connection, script: str) -> None:
    """Run a DDL script inside the connection's open transaction.

    sqlite3's ``executescript`` would commit first, so SQLite gets the script one complete
    statement at a time (a trigger's BEGIN ... END counts as one); PostgreSQL runs it whole.
    """
    if connection.dialect.name != "sqlite":
        # The driver's own cursor, with no parameters: psycopg then leaves the "%" of plpgsql alone.
        # Its errors are wrapped as SQLAlchemy's would be, so callers and translated() see one kind.
        dbapi_error = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.cursor()
        try:
            cursor.execute(script)
        except dbapi_error as exc:
            raise DBAPIError.instance(None, None, exc, dbapi_error) from exc
        finally:
            cursor.close()
        return
    for statement in sqlite_statements(script):
        connection.exec_driver_sql(statement)


def sqlite_statements(script: str) -> list[str]:
    """The complete SQL statements of a script, comments and blank lines between them dropped."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())  # an unterminated last statement: let SQLite say why
    return statements


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (PostgreSQL reports one; SQLite does not)."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code if isinstance(code, str) else None


def retrying(engine: Engine, operation: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run one write operation in its own transaction, running it again after contention.

    A serialization failure, a deadlock or a lost race for a unique key rolls the attempt back
    whole; the next attempt runs with the same arguments (the same idempotency keys), so it finds
    what the other writer committed and never writes twice.
    """
    for attempt in range(1, attempts + 1):
        try:
            with writing(engine) as session:
                return operation(session)
        except Contention:
            if attempt == attempts:
                raise
            # Back off a little, at random, so the writers that collided do not collide again.
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class EngineAccess:
    """``reads.Access`` through an engine: a read session, and ``retrying``'s writes."""

    engine: Engine

    @contextmanager
    def _reading(self) -> Iterator[Rows]:
        with reading(self.engine) as session:
            yield SessionRows(session)

    def reading(self) -> AbstractContextManager[Rows]:
        """A read session's ``Rows``."""
        return self._reading()

    def written(self, operation: Callable[[Writes], T]) -> T:
        """``retrying`` the operation over the session's ``Writes``."""
        return retrying(self.engine, lambda session: operation(SessionRows(session)))


def lock_village(session: Session, village: str) -> None:
    """Serialize appends to one village's chain (PostgreSQL: a transaction-scoped advisory lock).

    SQLite already holds the database write lock from ``BEGIN IMMEDIATE``.
    """
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:v))"), {"v": village})


def tune_for_bulk(session: Session) -> None:
    """Let a large import keep its index pages in memory (SQLite's default cache is 2 MB).

    160 MB: with a streamed import's chunk and the interpreter, an import of any size stays
    under 400 MB (issue 16); 256 MB held a 1.94-million-row import at 428 MB (bench/RESULTS.md).
    """
    if not is_postgresql(session):
        session.execute(text("PRAGMA cache_size=-163840"))
