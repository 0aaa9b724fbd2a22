"""PostgreSQL privileges of the application role: read and append, never rewrite history."""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from moralbank.errors import InputError, MoralBankError
from moralbank.storage.schema import schema_sections

_TABLE = re.compile(r"^CREATE TABLE IF NOT EXISTS (\w+)", re.MULTILINE | re.IGNORECASE)
_GUARDED = re.compile(
    r"BEFORE UPDATE OR DELETE ON (\w+)\s+FOR EACH ROW EXECUTE FUNCTION moralbank_append_only", re.IGNORECASE
)
_TRUNCATE_GUARDED = re.compile(r"BEFORE TRUNCATE ON (\w+)", re.IGNORECASE)
_VIEW = re.compile(r"^CREATE OR REPLACE VIEW (\w+)", re.MULTILINE | re.IGNORECASE)
# Lower case only: PostgreSQL folds unquoted names, so "App" would silently become "app".
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def tables() -> list[str]:
    """Every table schema.sql creates, in the order it creates them."""
    sections = schema_sections()
    return [name for body in sections.values() for name in _TABLE.findall(body)]


def append_only_tables() -> list[str]:
    """Tables whose rows PostgreSQL's triggers refuse to UPDATE or DELETE."""
    guarded = set(_GUARDED.findall(schema_sections()["postgresql"]))
    return [name for name in tables() if name in guarded]


def truncate_guarded_tables() -> list[str]:
    """Tables with a TRUNCATE guard on PostgreSQL."""
    guarded = set(_TRUNCATE_GUARDED.findall(schema_sections()["postgresql"]))
    return [name for name in tables() if name in guarded]


def check_role(role: str) -> str:
    """The role name, or an error saying what a role name may contain."""
    if not _ROLE.match(role):
        raise InputError("role.invalid", role=role)
    return role


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The statements that give ``role`` exactly what the application needs, and nothing more.

    Append-only tables: SELECT and INSERT. The register's tables (villages and their settings,
    households): SELECT, INSERT and UPDATE. No table: DELETE or TRUNCATE. Sequences: USAGE.
    """
    check_role(role)
    append_only = append_only_tables()
    mutable = [name for name in tables() if name not in append_only]
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        # Start clean, so running this again also takes back anything granted by hand since.
        f"REVOKE ALL ON {', '.join(tables())} FROM {role}",
        f"GRANT SELECT, INSERT ON {', '.join(append_only)} TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    if views := _VIEW.findall(schema_sections()["postgresql"]):  # read-only views (household_current)
        statements.append(f"GRANT SELECT ON {', '.join(views)} TO {role}")
    if mutable:
        statements.insert(3, f"GRANT SELECT, INSERT, UPDATE ON {', '.join(mutable)} TO {role}")
    return statements


def grant_script(role: str) -> str:
    """The grants as a script to run as the tables' owner (``psql -f``)."""
    head = [
        f"-- moralbank: privileges of the application role {role}; run as the owner of the tables.",
        f"-- Create the role first if needed: CREATE ROLE {role} LOGIN PASSWORD '...';",
        "BEGIN;",
    ]
    return "\n".join([*head, *(s + ";" for s in grant_statements(role)), "COMMIT;", ""])


def apply_grants(engine: Engine, role: str) -> None:
    """Grant ``role`` the application's privileges; refuses a missing role or the tables' owner."""
    if engine.dialect.name != "postgresql":
        raise MoralBankError("role.postgresql_only")
    check_role(role)
    with engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is None:
            raise MoralBankError("role.missing", role=role)
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        owners = connection.execute(
            text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = ANY(:t)"),
            {"s": schema, "t": tables()},
        )
        if role in owners.scalars().all():
            raise MoralBankError("role.owns_tables", role=role)
        for statement in grant_statements(role, schema):
            connection.execute(text(statement))
