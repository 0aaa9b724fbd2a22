"""Reading test databases directly: a fresh SQLite file, and row counts that bypass the services."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text

from moralbank.storage.db import open_engine, reading
from moralbank.storage.schema import apply_schema

# The test office's operator (``run``'s default ``--operator``), registered as township in every
# fresh test database, as ``moralbank --operator tester init`` would.
TEST_OPERATOR = "tester"


def register_staff(engine: Engine, staff: dict[str, str] | None = None) -> None:
    """Register ``staff`` (name → role; default the test office's township operator) in a test database.

    Written directly, as the database's owner could: whoever else is registered already.
    """
    from moralbank.services.register import now_utc
    from moralbank.storage.db import writing
    from moralbank.storage.models import Operator

    wanted = staff or {TEST_OPERATOR: "township"}
    with writing(engine) as session:
        for name, role in wanted.items():
            session.add(Operator(name=name, role=role, added_by=TEST_OPERATOR, recorded_at=now_utc()))


def fresh_sqlite(folder: Path) -> str:
    """A fresh, initialised SQLite ledger file in ``folder``, with the test office's operator registered."""
    path = str(folder / "ledger.db")
    engine = open_engine(path)
    apply_schema(engine)
    register_staff(engine)
    engine.dispose()
    return path


def row_count(engine: Engine, table: str) -> int:
    """How many rows one table holds."""
    with reading(engine) as session:
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def entry_count(engine: Engine) -> int:
    """How many entries the ledger holds."""
    return row_count(engine, "entry")


def table_count(db: str, table: str) -> int:
    """Rows in one table of a SQLite file, read with the sqlite3 module."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
