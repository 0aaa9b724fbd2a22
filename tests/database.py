"""Reading test databases directly: a fresh SQLite file, and row counts that bypass the services."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text

from moralbank.storage.db import open_engine, reading
from moralbank.storage.schema import apply_schema


def fresh_sqlite(folder: Path) -> str:
    """A fresh, initialised SQLite ledger file in ``folder``."""
    path = str(folder / "ledger.db")
    engine = open_engine(path)
    apply_schema(engine)
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
