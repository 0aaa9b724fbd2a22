"""One engine and session factory; every dialect specific lives here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from moralbank.errors import MoralBankError

_WRITE = "moralbank_write"


def database_url(db: str) -> str:
    """A SQLAlchemy URL for ``--db``: a SQLite path, or a postgresql:// URL (psycopg 3)."""
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


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
    return create_engine(url, pool_pre_ping=True)


def is_postgresql(session: Session) -> bool:
    """Whether this session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def _translated() -> Iterator[None]:
    # The database's own complaints that a user can act on become messages; the rest propagate.
    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig)
        if "no such table" in reason or ("does not exist" in reason and "relation" in reason):
            raise MoralBankError("db.not_initialised") from exc
        if isinstance(exc, OperationalError):
            raise MoralBankError("db.unreachable", reason=reason.splitlines()[0]) from exc
        raise


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session over one consistent snapshot."""
    with _translated(), Session(engine) as session, session.begin():
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One write operation: one transaction, committed once at the end or not at all."""
    bound = engine.execution_options(**{_WRITE: True})
    with _translated(), Session(bound) as session, session.begin():
        yield session


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
