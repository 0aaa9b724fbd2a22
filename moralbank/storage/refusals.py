"""What the storage layer refuses, in the user's words: a missing file, a busy one, a schema not this program's.

Kept apart from ``db.py`` and ``versions.py`` (which re-export them) so that the SQLite read path
of the terminal commands (``reads.py``) raises the same errors without importing SQLAlchemy.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from moralbank import __version__
from moralbank.errors import MoralBankError

FRESH = 0  # an empty database: no moralbank table at all


class NotInitialised(MoralBankError):
    """The database has no moralbank tables (or, for SQLite, the file does not exist)."""

    key = "db.not_initialised"


class MissingFile(MoralBankError):
    """``--db`` names a SQLite file that is not there (a typo, or another folder): nothing is created."""

    key = "db.missing_file"

    def __init__(self, path: Path) -> None:
        super().__init__("db.is_folder" if path.is_dir() else self.key, path=str(path))


class SchemaMismatch(MoralBankError):
    """A table or column this program needs is missing: the file's schema is not this program's."""

    key = "schema.mismatch"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)


class Busy(MoralBankError):
    """Another write held the SQLite file for longer than a write waits: nothing was written."""

    key = "db.busy"


class SchemaOutOfDate(MoralBankError):
    """The file was made by an older moralbank: ``moralbank upgrade`` brings it to this version."""

    key = "schema.out_of_date"

    def __init__(self, *, db: str, found: int, program: int) -> None:
        command = f"moralbank --db {shlex.quote(db)} upgrade"
        super().__init__(db=db, found=found, program=program, release=__version__, command=command)


class SchemaTooNew(MoralBankError):
    """The file was made by a newer moralbank; this one must not touch it."""

    key = "schema.too_new"

    def __init__(self, *, db: str, found: int, program: int) -> None:
        super().__init__(db=db, found=found, program=program, release=__version__)


def check_version(found: int, *, shown: str, program: int) -> None:
    """Refuse a database that is not at ``program``: fresh, out of date or too new."""
    if found == FRESH:
        raise NotInitialised()
    if found < program:
        raise SchemaOutOfDate(db=shown, found=found, program=program)
    if found > program:
        raise SchemaTooNew(db=shown, found=found, program=program)
