"""The export log: every signed credit list handed to a bank, recorded once, never changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from moralbank.domain import clock
from moralbank.domain.identity import mask_id
from moralbank.services.signing import Manifest
from moralbank.storage.reads import Writes, writes_of
from moralbank.storage.records import cover

if TYPE_CHECKING:
    from sqlmodel import Session

# (household, ID number as the list showed it, head's name), in the list's order.
Listed = tuple[str, str, str]


def record_export(
    session: Session | Writes,
    *,
    manifest: Manifest,
    operator: str,
    replaced: bool = False,
    listed: Sequence[Listed] = (),
) -> int:
    """Append one export to the log, with who was in it, in the caller's transaction; returns its number.

    The one place an export is logged: whatever else must be recorded with an export (the
    households it carried) belongs in this call, so it commits with the row or not at all.
    ``replaced``: the export took the name of a file already there (``--replace``). The rows keep
    what a bank's answer is matched on; the ID number is stored masked even when the list carried
    it whole (the register holds the full number, and matching uses that).
    """
    db = writes_of(session)  # plain SQL: on a SQLite file, the export never imports SQLAlchemy (bench/RESULTS.md)
    number = db.insert_one(
        "export_log",
        {
            "exported_at": clock.stamp(),
            "operator": operator,
            "bank": manifest.bank,
            "as_of": manifest.as_of,
            "format": manifest.file_format,
            "row_count": manifest.rows,
            "full_id": int(manifest.full_id),
            "file_name": manifest.file,
            "file_sha256": manifest.sha256,
            "policy_hash": manifest.policy_hash,
            "key_id": manifest.key_id,
            "replaced": int(replaced),
        },
    )
    # The rows as tuples to the driver's executemany: through SQLAlchemy's bulk insert a county's
    # 32,000 took 0.23 s at L (bench/RESULTS.md, round four). No index on household: nothing reads by it.
    columns = ("export_id", "row_no", "household", "id_masked", "head_name")
    listing = [
        (number, n, code, mask_id(number_shown), name) for n, (code, number_shown, name) in enumerate(listed, start=1)
    ]
    db.insert("export_row", columns, listing)
    cover(db, "export_log", [number])
    return number
