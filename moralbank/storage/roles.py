"""PostgreSQL privileges of the application role: read and append, never rewrite history."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from moralbank.errors import InputError, MoralBankError
from moralbank.storage.db import is_postgresql
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


# What only the township role may write: resolutions and standards (what points are worth), the
# operator register, household moves between villages, and the villages with their settings. A village's settings (notice days,
# maker-checker, the supermarket's rules) are the one thing ever updated in place, and only by
# the township: every other table is read and appended to, never rewritten, by any login.
TOWNSHIP_INSERT = ("resolution", "standard", "operator", "village", "village_policy", "household_move")
TOWNSHIP_UPDATE = ("village", "village_policy")


def grant_statements(role: str, schema: str = "public", *, township: bool = False) -> list[str]:
    """The statements that give ``role`` exactly what the application needs, and nothing more.

    Every table: SELECT. INSERT: every table but those in TOWNSHIP_INSERT, which only a
    ``township`` role may insert into; UPDATE only for a township role, on a village's settings
    (TOWNSHIP_UPDATE). No role: DELETE or TRUNCATE, nor UPDATE on anything else. Sequences: USAGE.
    """
    check_role(role)
    every = tables()
    insertable = [name for name in every if township or name not in TOWNSHIP_INSERT]
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        # Start clean, so running this again also takes back anything granted by hand since.
        f"REVOKE ALL ON {', '.join(every)} FROM {role}",
        f"GRANT SELECT ON {', '.join(every)} TO {role}",
        f"GRANT INSERT ON {', '.join(insertable)} TO {role}",
    ]
    if views := _VIEW.findall(schema_sections()["postgresql"]):  # read-only views (household_current)
        statements.append(f"GRANT SELECT ON {', '.join(views)} TO {role}")
    if township:
        statements.append(f"GRANT UPDATE ON {', '.join(TOWNSHIP_UPDATE)} TO {role}")
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    return statements


def grant_script(role: str, *, township: bool = False) -> str:
    """The grants as a script to run as the tables' owner (``psql -f``)."""
    kind = "township role" if township else "application role"
    head = [
        f"-- moralbank: privileges of the {kind} {role}; run as the owner of the tables.",
        f"-- Create the role first if needed: CREATE ROLE {role} NOLOGIN; then each operator's login:",
        f"-- CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE {role};",
        "BEGIN;",
    ]
    return "\n".join([*head, *(s + ";" for s in grant_statements(role, township=township)), "COMMIT;", ""])


def apply_grants(engine: Engine, role: str, *, township: bool = False) -> None:
    """Grant ``role`` the application's (or the township's) privileges; refuses a missing role or the tables' owner."""
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
        for statement in grant_statements(role, schema, township=township):
            connection.execute(text(statement))


def connected_login(session: Session | Connection) -> str | None:
    """The PostgreSQL login a write runs as, or None when the operator is named as on SQLite.

    None on SQLite, and for a superuser or the owner of the tables: they can rewrite anything
    (as the owner of a SQLite file can), so the login proves nothing more than ``--operator``.
    """
    if not is_postgresql(session):
        return None
    row = session.execute(
        text(
            "SELECT current_user, r.rolsuper OR current_user = t.tableowner"
            " FROM pg_roles r LEFT JOIN pg_tables t ON t.schemaname = current_schema() AND t.tablename = 'entry'"
            " WHERE r.rolname = current_user"
        )
    ).one()
    return None if row[1] else str(row[0])


def login_exists(session: Session, name: str) -> bool:
    """Whether PostgreSQL has a role that may log in under ``name`` (always True on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    found = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n AND rolcanlogin"), {"n": name}).first()
    return found is not None
