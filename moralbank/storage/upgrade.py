"""Bring a database made by an older moralbank to the current schema, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from moralbank.domain.clock import utc_now
from moralbank.errors import MoralBankError
from moralbank.storage.db import (
    NotInitialised,
    changing_schema,
    refuse_missing_file,
    run_script,
    sqlite_backup,
    sqlite_file,
)
from moralbank.storage.migrations import Migration, migrations, program_version
from moralbank.storage.records import build_records
from moralbank.storage.versions import FRESH, SchemaTooNew, database_version, record_version


class MigrationFailed(MoralBankError):
    """A step failed: the whole upgrade was rolled back and the database is at its old version."""

    key = "upgrade.failed"

    def __init__(self, *, step: str, found: int, reason: str) -> None:
        super().__init__(step=step, found=found, reason=reason)


@dataclass(frozen=True)
class UpgradeResult:
    """What ``upgrade`` did: from and to which version, the steps applied, and the backup made."""

    from_version: int
    to_version: int
    steps: tuple[str, ...]  # the migrations applied, e.g. ("0002_schema_version",); empty when current
    backup: Path | None  # SQLite: the copy of the file as it was before; None on PostgreSQL or when current

    @property
    def changed(self) -> bool:
        """Whether any step was applied (False: the database was already current)."""
        return bool(self.steps)


def upgrade(engine: Engine, shown: str, *, folder: Path | None = None) -> UpgradeResult:
    """Apply every pending migration in one transaction; on SQLite back the file up first.

    The backup is taken while this transaction holds the write lock and before any change, so
    it is exactly the database as it was. A failing step rolls everything back. ``folder``
    replaces the packaged migrations (tests).
    """
    steps, program = migrations(folder), program_version(folder)
    refuse_missing_file(engine)
    with changing_schema(engine) as connection:
        found = database_version(connection)
        if found == FRESH:
            raise NotInitialised()
        if found > program:
            raise SchemaTooNew(db=shown, found=found, program=program)
        pending = [step for step in steps if step.version > found]
        if not pending:
            return UpgradeResult(found, found, (), None)
        path = sqlite_file(engine)
        backup = _backup_beside(path, found) if path is not None else None
        for step in pending:
            _apply(connection, step, found)
    return UpgradeResult(found, program, tuple(step.name for step in pending), backup)


# Steps that also need Python after their SQL, by slug (the number is the lead's to assign):
# the records of what the database already holds need SHA-256, which SQL cannot compute.
_AFTER_SQL = {"records": build_records}


def _apply(connection: Connection, step: Migration, found: int) -> None:
    try:
        run_script(connection, step.script(connection.dialect.name))
        if (after := _AFTER_SQL.get(step.name.split("_", 1)[1])) is not None:
            after(connection)
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0]
        raise MigrationFailed(step=step.name, found=found, reason=reason) from exc
    record_version(connection, step.version, step.name)


def backup_name(path: Path, version: int) -> Path:
    """A new file beside ``path`` named with its version and the time: ``village.v1-backup-20261201T211500Z.db``."""
    moment = utc_now().strftime("%Y%m%dT%H%M%SZ")
    base = f"{path.stem}.v{version}-backup-{moment}"
    candidate, n = path.with_name(base + path.suffix), 1
    while candidate.exists():  # never overwrite an earlier backup
        n += 1
        candidate = path.with_name(f"{base}-{n}{path.suffix}")
    return candidate


def _backup_beside(path: Path, version: int) -> Path:
    target = backup_name(path, version)
    sqlite_backup(path, target)
    return target
