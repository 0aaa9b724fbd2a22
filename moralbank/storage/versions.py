"""The schema version a database records, and the refusal of a file at any other version than the program's."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from moralbank import __version__
from moralbank.domain.clock import stamp
from moralbank.errors import MoralBankError
from moralbank.storage.db import SchemaMismatch, refuse_missing_file, sqlite_file, sqlstate, translated
from moralbank.storage.migrations import FIRST_RELEASE, program_version
from moralbank.storage.refusals import FRESH as FRESH
from moralbank.storage.refusals import SchemaOutOfDate as SchemaOutOfDate  # re-exported: raised from here before
from moralbank.storage.refusals import SchemaTooNew as SchemaTooNew
from moralbank.storage.refusals import check_version as check_version

_INSUFFICIENT_PRIVILEGE = "42501"


class SchemaNotReadable(MoralBankError):
    """PostgreSQL: the connected role may not read the schema version (grants not renewed after an upgrade)."""

    key = "schema.not_readable"


def shown_engine(engine: Engine) -> str:
    """How to name an engine's database in a message when the caller did not say (no password)."""
    path = sqlite_file(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def database_version(connection: Connection) -> int:
    """The schema version of the connected database: FRESH, 1 for release 0.1.0, else MAX(version).

    Release 0.1.0 had no version table: a database with ``entry`` but no ``schema_version`` is
    version 1.
    """
    tables = inspect(connection)
    if not tables.has_table("schema_version"):
        return FIRST_RELEASE if tables.has_table("entry") else FRESH
    try:
        found = connection.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    except DBAPIError as exc:
        if sqlstate(exc) == _INSUFFICIENT_PRIVILEGE:
            raise SchemaNotReadable() from exc
        raise
    if found is None:  # the table is made and its first row written in one transaction
        raise SchemaMismatch(reason="schema_version has no rows")
    return int(found)


def require_current(engine: Engine, shown: str) -> None:
    """Refuse a database that is not at this program's schema version, naming what to run.

    Called before every command but ``init``, ``upgrade``, ``backup`` and the demo. A missing
    SQLite file is refused as not initialised without being created. Cheap: two catalogue
    probes and one MAX over a handful of rows.
    """
    refuse_missing_file(engine)
    with translated(), engine.connect() as connection:
        found = database_version(connection)
    check_version(found, shown=shown, program=program_version())


def record_version(connection: Connection, version: int, name: str) -> None:
    """Record one applied step (inside the transaction that applied it)."""
    connection.execute(
        text("INSERT INTO schema_version (version, name, applied_at, moralbank) VALUES (:v, :n, :at, :mb)"),
        {"v": version, "n": name, "at": stamp(), "mb": __version__},
    )
