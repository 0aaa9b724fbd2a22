"""Apply ``schema.sql`` to a database: the common section plus the dialect's own guards."""

from __future__ import annotations

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from moralbank.errors import MoralBankError
from moralbank.resources import schema_path
from moralbank.storage.db import changing_schema, run_script, sqlstate
from moralbank.storage.migrations import program_version
from moralbank.storage.sections import dialect_script, sections
from moralbank.storage.versions import FRESH, check_version, database_version, record_version, shown_engine


def schema_sections() -> dict[str, str]:
    """The sections of schema.sql by name (``common``, ``sqlite``, ``postgresql``)."""
    return sections(schema_path().read_text(encoding="utf-8"))


def schema_script(dialect: str) -> str:
    """The whole DDL script for one dialect."""
    return dialect_script(schema_path().read_text(encoding="utf-8"), dialect)


def apply_schema(engine: Engine, shown: str | None = None) -> None:
    """Create every table, index and guard and record the schema version; safe to run again.

    An empty database gets the full current schema and its version row, in one transaction. A
    database at the current version gets the script again (it only adds what is missing, e.g. a
    dropped guard). One made by an older moralbank is refused with the out-of-date error (it
    needs ``upgrade``, not ``init``), one made by a newer moralbank with the too-new error.
    On PostgreSQL only the tables' owner may: the application role is refused with a message.
    """
    program = program_version()
    with changing_schema(engine) as connection:
        found = database_version(connection)
        if found != FRESH:
            check_version(found, shown=shown or shown_engine(engine), program=program)
        _run_as_owner(connection, schema_script(engine.dialect.name))
        if found == FRESH:
            record_version(connection, program, "schema.sql")


def _run_as_owner(connection: Connection, script: str) -> None:
    try:
        run_script(connection, script)
    except DBAPIError as exc:
        if sqlstate(exc) == "42501":  # insufficient_privilege
            raise MoralBankError("db.not_owner") from exc
        raise
