"""A consistent, verified copy of a live SQLite ledger (``moralbank backup``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import URL, func, make_url, text
from sqlmodel import Session, select

from moralbank.domain.chain import Head
from moralbank.errors import InputError, IntegrityError, MoralBankError, Refused
from moralbank.services.copy import ChainCheck
from moralbank.services.stock import heads
from moralbank.storage.db import open_engine, open_sqlite_copy, reading, shown_db, sqlite_backup, sqlite_file
from moralbank.storage.models import Entry, Village
from moralbank.storage.versions import require_current


class BackupOnPostgreSQL(MoralBankError):
    """A PostgreSQL database is backed up by its own tools: the message gives the commands."""

    key = "backup.postgresql"

    def __init__(self, db: str, today: date) -> None:
        given = make_url(db)
        url = URL.create(
            given.drivername, given.username, None, given.host, given.port, given.database, given.query
        ).render_as_string(hide_password=False)
        dump = f"moralbank-{today:%Y%m%d}.dump"
        super().__init__(
            dump=f"pg_dump --format=custom --file={dump} {url}",
            restore=f"pg_restore --dbname=<empty database URL> --no-owner {dump}",
        )


@dataclass(frozen=True)
class BackupResult:
    """The verified copy: where it is, how many entries it holds, and each village's chain head in it."""

    path: Path
    entries: int
    checkpoints: list[Head]


def backup(db: str, out: Path, *, check: ChainCheck, today: date) -> BackupResult:
    """Copy the SQLite ledger ``db`` into the new file ``out`` while others may write, then verify the copy.

    The copy is one consistent snapshot (SQLite's online backup). It is checked with ``PRAGMA
    integrity_check`` and ``check`` (every chain and the zero sum; the CLI passes verify), and
    its checkpoints are returned. A file at another schema version is refused (``upgrade``
    makes its own backup first); so is PostgreSQL, with the ``pg_dump`` command to use instead.
    """
    engine = open_engine(db)
    source = sqlite_file(engine)
    if source is None:
        raise BackupOnPostgreSQL(db, today)
    require_current(engine, shown_db(db))
    engine.dispose()
    out = out.expanduser()
    if out.exists():
        raise Refused("backup.exists", path=str(out))
    if not out.parent.is_dir():
        raise InputError("backup.no_folder", path=str(out.parent))
    sqlite_backup(source, out)
    return _verified(out, check)


def _verified(path: Path, check: ChainCheck) -> BackupResult:
    copy = open_sqlite_copy(path)
    try:
        with reading(copy) as session:
            found = session.execute(text("PRAGMA integrity_check")).scalars().first()
            if found != "ok":
                raise IntegrityError("backup.damaged", path=str(path), reason=str(found))
            if (problem := check(session, [])) is not None:
                raise IntegrityError(
                    "backup.chain_broken", path=str(path), village=problem[0] or "-", seq=problem[1] or "-"
                )
            return BackupResult(path, _entry_count(session), _checkpoints(session))
    finally:
        copy.dispose()


def _entry_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Entry)).one())


def _checkpoints(session: Session) -> list[Head]:
    """Every village's ledger and stock chain heads, in village order (seq 0 for an empty chain)."""
    villages = session.exec(select(Village.code).order_by(Village.code)).all()
    return heads(session, list(villages))
