"""The signed credit export: rows → temporary file → manifest → signature → export log → names.

This workflow composes the bank rows (reports) and the list writer (exports) with the export
log, so the command only parses its options and renders the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from moralbank.domain import clock
from moralbank.domain.credit_policy import CreditPolicy
from moralbank.domain.limits import check_text
from moralbank.errors import InputError
from moralbank.render import bank_export as bx
from moralbank.reports.credit import BankRow, bank_rows
from moralbank.services.export_log import Listed, record_export
from moralbank.services.signing import Manifest, key_id, load_private_key, sign
from moralbank.storage.reads import Access, chain_heads


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
    manifest: Manifest


def export_signed(
    *,
    database: Access,
    policy: CreditPolicy,
    as_of: date,
    bank: str,
    out: Path,
    file_format: str,
    signing_key: Path,
    operator: str,
    full_id: bool = False,
    lang: str = "zh",
    replace: bool = False,
) -> ExportResult:
    """Write the credit list for ``bank`` to ``out``, sign it beside it and record it in the export log.

    CSV and xlsx are headed in ``lang``. The rows and the checkpoints are read in one transaction,
    so the signature vouches for one state of the ledger. The list and its signature are written
    under temporary names in ``out``'s folder; the export-log row commits; only then do they take
    their names. A crash or a refused log at any point leaves at most ``.partial`` files: no list
    the log does not know ever carries the requested name. An existing ``out`` is refused unless
    ``replace`` (and the log records that this export replaced a file). ``database`` reads and
    writes plain SQL: on a SQLite file the driver's own, so an export imports no SQLAlchemy
    (about 0.3 s of a county's export at L, bench/RESULTS.md).
    """
    if not bank.strip():
        raise InputError("credit.bank_required")
    replacing = out.exists()
    if replacing and not replace:
        raise InputError("export.out_exists", path=str(out))
    check_text("bank", bank.strip())  # printed in the list's signature and the log: no control character, ID or phone
    key, bank = load_private_key(signing_key), bank.strip()
    header = bx.Header(bank, as_of.isoformat(), policy.hash, full_id, lang)
    listed: list[Listed] = []  # who is in the list, logged with it (the bank's answer is matched on them)
    with database.reading() as db:
        marks = [asdict(mark) for mark in chain_heads(db)]
        rows = bank_rows(db, policy, as_of=as_of, full_id=full_id, bank=bank)
        written = bx.write_export(_noting(rows, listed), out, file_format, header)
    manifest = bx.manifest_for(
        written,
        out,
        file_format,
        header,
        marks,
        key_id=key_id(key.public_key()),
        at=clock.stamp(),
        valid_until=policy.valid_until(as_of).isoformat(),
    )
    staged: Path | None = None
    try:
        staged = bx.stage_signature(out, sign(manifest, key))
        number = database.written(
            lambda db: record_export(db, manifest=manifest, operator=operator, replaced=replacing, listed=listed)
        )
    except BaseException:
        bx.discard(written, staged)  # an export the log does not know of must not leave the office
        raise
    bx.place(written, out, staged)
    return ExportResult(number, written.rows, out, bx.signature_path(out), file_format, bank, full_id, manifest)


def _noting(rows: Iterable[BankRow], listed: list[Listed]) -> Iterator[BankRow]:
    """The rows as they are written, each noted (household, ID as shown, name) on the way."""
    for row in rows:
        listed.append((row.household, row.id_number, row.head_name))
        yield row
