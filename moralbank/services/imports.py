"""The import log: every sheet imported, so the same file is not booked twice and an import can be undone."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.errors import NotFound, Refused
from moralbank.storage.models import Entry, SheetImport


@dataclass(frozen=True)
class SheetFile:
    """An input file as the log knows it: its name, SHA-256 and the kind of sheet it holds."""

    kind: str
    name: str
    sha256: str

    @classmethod
    def of(cls, path: Path, kind: str) -> SheetFile:
        """The file at ``path``, hashed."""
        with path.open("rb") as stream:  # in blocks: a sheet is never held whole to be hashed
            return cls(kind, path.name, hashlib.file_digest(stream, "sha256").hexdigest())


@dataclass(frozen=True)
class ImportRow:
    """One line of ``import list``."""

    id: int
    kind: str
    file: str
    rows: int
    entries: int
    operator: str
    imported_at: str
    sha256: str


def refuse_repeat(session: Session, file: SheetFile) -> None:
    """Refuse a file already imported, naming the earlier import (``--again`` skips this check)."""
    query = select(SheetImport).where(SheetImport.file_sha256 == file.sha256).order_by(col(SheetImport.id))
    if (earlier := session.exec(query).first()) is not None:
        raise Refused(
            "import.same_file",
            path=file.name,
            id=earlier.id,
            name=earlier.file_name,
            at=clock.local_time(earlier.imported_at),
            operator=earlier.operator,
        )


def ranges(entries: list[tuple[str, int]]) -> str:
    """Each village's seqs as ``DZ:12-40``, joined by spaces; a batch's seqs per village are contiguous."""
    seqs: dict[str, list[int]] = defaultdict(list)
    for village, seq in entries:
        seqs[village].append(seq)
    return " ".join(f"{village}:{min(found)}-{max(found)}" for village, found in sorted(seqs.items()))


def record_import(
    session: Session,
    *,
    file: SheetFile,
    rows: int,
    operator: str,
    entries: list[tuple[str, int]] | None = None,
    spans: list[tuple[str, int, int]] | None = None,
) -> int:
    """Log an import in the same transaction as what it wrote; returns the import's number.

    What it wrote is ``entries`` as (village, seq), or ``spans`` as (village, first, last seq).
    """
    written = entries or []
    count, listed = len(written), ranges(written)
    if spans:
        count = sum(high - low + 1 for _, low, high in spans)
        listed = " ".join(f"{village}:{low}-{high}" for village, low, high in sorted(spans))
    record = SheetImport(
        kind=file.kind,
        file_name=file.name,
        file_sha256=file.sha256,
        row_count=rows,
        entry_count=count,
        entries=listed,
        operator=operator,
        imported_at=clock.stamp(),
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    return record.id


def import_list(session: Session) -> list[ImportRow]:
    """Every import, oldest first."""
    found = session.exec(select(SheetImport).order_by(col(SheetImport.id))).all()
    return [
        ImportRow(r.id or 0, r.kind, r.file_name, r.row_count, r.entry_count, r.operator, r.imported_at, r.file_sha256)
        for r in found
    ]


def entries_of(session: Session, import_id: int) -> list[Entry]:
    """The entries an import wrote, in chain order; refused for an import that wrote none."""
    record = session.get(SheetImport, import_id)
    if record is None:
        raise NotFound("import.not_found", id=import_id)
    if not record.entries:
        raise Refused("import.no_entries", id=import_id, kind=record.kind)
    found: list[Entry] = []
    for part in record.entries.split():
        village, _, span = part.rpartition(":")
        low, _, high = span.partition("-")
        query = (
            select(Entry)
            .where(Entry.village == village, col(Entry.seq) >= int(low), col(Entry.seq) <= int(high))
            .order_by(col(Entry.seq))
        )
        found += session.exec(query).all()
    return found
