"""One engine and session factory; every dialect specific lives here and nowhere else."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from moralbank.errors import MoralBankError

_WRITE = "moralbank_write"
T = TypeVar("T")

# SQLSTATEs after which a write operation may simply run again: a serialization failure, a
# deadlock, and a unique key taken by a concurrent writer (the re-run then sees its entry and
# answers as for a retried key). The failed attempt was rolled back whole.
RETRYABLE = frozenset({"40001", "40P01", "23505"})
ATTEMPTS = 8


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


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A committed decision must survive a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Writers take the write lock up front, so two appenders never both read the same head.
        writing = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def open_engine(db: str) -> Engine:
    """An engine for ``--db``; refuses a SQLite path whose folder does not exist."""
    url = database_url(db)
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        if not folder.is_dir():
            raise MoralBankError("db.no_folder", path=str(folder))
        engine = create_engine(url, connect_args={"timeout": 60})
        _sqlite_events(engine)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:  # a scheme SQLAlchemy has no driver for
        raise MoralBankError("db.bad_url") from exc


def is_postgresql(session: Session) -> bool:
    """Whether this session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def translated() -> Iterator[None]:
    """Turn the database's own complaints that a user can act on into messages; the rest propagate."""
    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig)
        if sqlstate(exc) in RETRYABLE:
            raise Contention(reason=reason.splitlines()[0]) from exc
        if "no such table" in reason or ("does not exist" in reason and "relation" in reason):
            raise MoralBankError("db.not_initialised") from exc
        if isinstance(exc, OperationalError):
            raise MoralBankError("db.unreachable", reason=reason.splitlines()[0]) from exc
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


def lock_village(session: Session, village: str) -> None:
    """Serialize appends to one village's chain (PostgreSQL: a transaction-scoped advisory lock).

    SQLite already holds the database write lock from ``BEGIN IMMEDIATE``.
    """
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:v))"), {"v": village})


def tune_for_bulk(session: Session) -> None:
    """Let a large import keep its index pages in memory (SQLite's default cache is 2 MB)."""
    if not is_postgresql(session):
        session.execute(text("PRAGMA cache_size=-262144"))
