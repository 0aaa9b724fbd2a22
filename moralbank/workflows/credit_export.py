"""The signed credit export: rows → file → manifest → signature → file in place → export log.

This workflow composes the bank rows (reports) and the list writer (exports) with the export
log, so the command only parses its options and renders the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from moralbank.domain.credit_policy import CreditPolicy
from moralbank.errors import InputError
from moralbank.render import bank_export as bx
from moralbank.reports.credit import bank_rows
from moralbank.services.export_log import record_export
from moralbank.services.ledger import chain_heads
from moralbank.services.register import now_utc
from moralbank.services.signing import key_id, load_private_key, sign
from moralbank.storage.db import reading, retrying


@dataclass(frozen=True)
class ExportResult:
    """A signed export in place and logged: its log number, rows, file and signature."""

    id: int
    rows: int
    path: Path
    signature: Path
    file_format: str
    bank: str
    full_id: bool


def export_signed(
    *,
    engine: Engine,
    policy: CreditPolicy,
    as_of: date,
    bank: str,
    out: Path,
    file_format: str,
    signing_key: Path,
    operator: str,
    full_id: bool = False,
    lang: str = "zh",
) -> ExportResult:
    """Write the credit list for ``bank`` to ``out``, sign it beside it and record it in the export log.

    CSV and xlsx are headed in ``lang``. The rows and the checkpoints are read in one transaction, so the signature vouches for one
    state of the ledger. The file and its signature appear together (the signature first); if
    the log cannot record the export, both are removed again: no list leaves the office unlogged.
    """
    if not bank.strip():
        raise InputError("credit.bank_required")
    key, bank = load_private_key(signing_key), bank.strip()
    header = bx.Header(bank, as_of.isoformat(), policy.hash, full_id, lang)
    with reading(engine) as session:
        marks = [asdict(mark) for mark in chain_heads(session)]
        written = bx.write_export(
            bank_rows(session, policy, as_of=as_of, full_id=full_id, bank=bank), out, file_format, header
        )
    manifest = bx.manifest_for(written, out, file_format, header, marks, key_id=key_id(key.public_key()), at=now_utc())
    bx.place(written, out, sign(manifest, key))
    try:
        number = retrying(engine, lambda session: record_export(session, manifest=manifest, operator=operator))
    except BaseException:
        bx.withdraw(out)  # an export the log does not know of must not leave the office
        raise
    return ExportResult(number, written.rows, out, bx.signature_path(out), file_format, bank, full_id)
