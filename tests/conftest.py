"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when a server is given)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.storage.db import open_engine
from moralbank.storage.schema import apply_schema
from tests.database import register_staff
from tests.runner import Run, run_on

# Set MORALBANK_TEST_PG to a PostgreSQL URL (a role that may create databases) to run every
# database test on PostgreSQL as well as SQLite.
PG_URL = os.environ.get("MORALBANK_TEST_PG", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _fresh_pg_database() -> tuple[str, object]:
    import psycopg

    name = "mbtest_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def _drop_pg_database(name: object) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, initialised database for as long as the block runs: a SQLite file in ``folder``, or a URL."""
    if backend == "sqlite":
        url = str(folder / "test.db")
        engine = open_engine(url)
        apply_schema(engine)
        register_staff(engine)
        engine.dispose()
        yield url
        return
    url, name = _fresh_pg_database()
    engine = open_engine(url)
    apply_schema(engine)
    register_staff(engine)
    engine.dispose()
    try:
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, initialised database: a SQLite file path, or a postgresql:// URL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the fresh database."""
    eng = open_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def run(db_url: str) -> Run:
    """Run the CLI on the fresh database: ``run("award", "NL001", "XL01", lang="zh")``."""
    return run_on(db_url)
