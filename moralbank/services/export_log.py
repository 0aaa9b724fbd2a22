"""The export log: every signed credit list handed to a bank, recorded once, never changed."""

from __future__ import annotations

from sqlmodel import Session

from moralbank.services.register import now_utc
from moralbank.services.signing import Manifest
from moralbank.storage.models import ExportLog


def record_export(session: Session, *, manifest: Manifest, operator: str, replaced: bool = False) -> int:
    """Append one export to the log, in the caller's transaction; returns its number.

    The one place an export is logged: whatever else must be recorded with an export (the
    households it carried) belongs in this call, so it commits with the row or not at all.
    ``replaced``: the export took the name of a file already there (``--replace``).
    """
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
        replaced=int(replaced),
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    return record.id
