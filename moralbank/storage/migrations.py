"""The forward-only schema migrations in ``migrations/`` and the program's schema version.

Why not Alembic: the schema is hand-written SQL with each database's own append-only guards
(SQLite triggers, PostgreSQL trigger functions), and ``schema.sql`` is its one source of truth.
A migration is a file of the same kind, in the same dialect sections, run by the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from moralbank.resources import migrations_dir
from moralbank.storage.sections import dialect_script

FIRST_RELEASE = 1  # release 0.1.0: the schema before any migration, with no version table
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One step: the SQL that takes a database from ``version - 1`` to ``version``."""

    version: int
    name: str  # the file's stem, e.g. "0002_schema_version", recorded in schema_version
    path: Path

    def script(self, dialect: str) -> str:
        """The step's DDL for one dialect (its common section plus the dialect's own)."""
        return dialect_script(self.path.read_text(encoding="utf-8"), dialect)


def migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration in version order; the numbers must run on from 2 without a gap."""
    found = []
    for path in sorted((folder or migrations_dir()).glob("*.sql")):
        match = _FILE.match(path.name)
        if match is None:
            raise ValueError(f"migration file not named NNNN_slug.sql: {path.name}")
        found.append(Migration(int(match[1]), path.stem, path))
    numbers = [step.version for step in found]
    if numbers != list(range(FIRST_RELEASE + 1, FIRST_RELEASE + 1 + len(found))):
        raise ValueError(f"migrations must be numbered 0002, 0003, ... without gaps: {numbers}")
    return found


def program_version(folder: Path | None = None) -> int:
    """The schema version this program writes: the number of the last migration."""
    steps = migrations(folder)
    return steps[-1].version if steps else FIRST_RELEASE
