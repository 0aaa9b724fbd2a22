"""The export log: every signed credit list handed to a bank, recorded once, never changed."""

from __future__ import annotations

from sqlmodel import Session

from moralbank.services.register import now_utc
from moralbank.services.signing import Manifest
from moralbank.storage.models import ExportLog
from moralbank.storage.records import cover


def record_export(session: Session, *, manifest: Manifest, operator: str) -> int:
    """Append one export to the log; returns its number."""
    record = ExportLog(
        exported_at=now_utc(),
        operator=operator,
        bank=manifest.bank,
        as_of=manifest.as_of,
        format=manifest.file_format,
        row_count=manifest.rows,
        full_id=int(manifest.full_id),
        file_name=manifest.file,
        file_sha256=manifest.sha256,
        policy_hash=manifest.policy_hash,
        key_id=manifest.key_id,
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    cover(session, "export_log", [record.id])
    return record.id
