"""Credit-household lists for banks (CSV, JSON, xlsx), written row by row, and their verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

from moralbank.domain.limits import inert
from moralbank.errors import MoralBankError
from moralbank.messages import text
from moralbank.render.formats import CsvWriter
from moralbank.reports.credit import BANK_COLUMNS, BankRow
from moralbank.services.signing import (
    Manifest,
    SignatureProblem,
    check_signature,
    load_public_key,
    read_signature,
)

EXPORT_FORMATS = ("csv", "json", "xlsx")
LIST_FORMAT = "moralbank-credit-list/1"
_RATED_ON, _POLICY = BANK_COLUMNS.index("rated_on"), BANK_COLUMNS.index("policy_hash")


@dataclass(frozen=True)
class Header:
    """What a JSON export states about itself (CSV and xlsx carry only the rows).

    ``lang`` is the language of the CSV and xlsx headings (JSON keys are always the field names).
    """

    bank: str
    as_of: str
    policy_hash: str
    full_id: bool
    lang: str = "zh"


_DATES = frozenset({"rated_on", "valid_until"})


def bank_headings(lang: str) -> tuple[str, ...]:
    """The list's headings as a bank clerk reads them (户编号, 村名 … or Household, Village name …)."""
    return tuple(text(f"bank.col.{name}", lang) for name in BANK_COLUMNS)


def _known_header(found: tuple[Any, ...]) -> bool:
    # A list is read back whatever language headed it; lists made before headings were translated too.
    return found in (BANK_COLUMNS, bank_headings("zh"), bank_headings("en"))


@dataclass(frozen=True)
class Written:
    """A finished export file (not yet in place): where it is, its rows and its SHA-256."""

    partial: Path
    rows: int
    sha256: str


# A row's values in column order, as astuple() gives them (they are text and whole numbers),
# without its deep copy per value, which was most of a county's export (bench/RESULTS.md).
_values = attrgetter(*BANK_COLUMNS)


def _inert_row(row: BankRow) -> list[Any]:
    # A name stored before text was checked may hold a control character: shown replaced, never a crash.
    return [inert(value) if isinstance(value, str) else value for value in _values(row)]


def _csv(rows: Iterable[BankRow], stream: IO[str], lang: str) -> int:
    # UTF-8 with a BOM and CRLF: what Excel and WPS open as Unicode without an import dialog.
    writer = CsvWriter(stream, lineterminator="\r\n")
    writer.writerow(bank_headings(lang))
    # A block of rows at a time: a county's 32,000 rows at L took 0.16 s written one by one;
    # CsvWriter replaces a control character as _inert_row does.
    return writer.writerows(map(_values, rows))


def _json(rows: Iterable[BankRow], stream: IO[str], header: Header) -> int:
    stated = {k: v for k, v in asdict(header).items() if k != "lang"}  # JSON keys are field names in any language
    head = {"format": LIST_FORMAT, **stated, "columns": list(BANK_COLUMNS)}
    stream.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "rows": [')
    count = 0
    for row in rows:
        stream.write(
            ("," if count else "")
            + "\n    "
            + json.dumps(dict(zip(BANK_COLUMNS, _values(row), strict=True)), ensure_ascii=False)
        )
        count += 1
    stream.write("\n  ]\n}\n")
    return count


def _xlsx(rows: Iterable[BankRow], path: Path, lang: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)  # rows go straight to the file, a county fits in little memory
    sheet = book.create_sheet(text("sheet.bank_list", lang))
    sheet.append(list(bank_headings(lang)))
    count = 0
    for row in rows:
        cells = []
        for name, value in zip(BANK_COLUMNS, _inert_row(row), strict=True):
            cell = WriteOnlyCell(sheet, value=date.fromisoformat(value) if name in _DATES else value)
            if name in _DATES:
                cell.number_format = "yyyy-mm-dd"  # a real date cell a bank can sort and filter
            elif isinstance(value, str):
                cell.data_type = "s"  # a name starting with "=" stays text
            cells.append(cell)
        sheet.append(cells)  # openpyxl refuses a control character: _inert_row replaced them
        count += 1
    book.save(path)
    return count


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _create(partial: Path, private: bool) -> None:
    # A full-ID list is created readable by its owner only (0600), before a byte is written; a
    # partial file left by a crash is emptied and its mode set again.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    try:
        if private and os.name == "posix":
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def write_export(rows: Iterable[BankRow], path: Path, fmt: str, header: Header) -> Written:
    """Write the list beside ``path`` under a temporary name; ``place`` puts it where it belongs.

    A full-ID list is created 0600: it never exists readable by others, even for a moment.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        _create(partial, header.full_id)
        if fmt == "xlsx":
            count = _xlsx(rows, partial, header.lang)
        else:
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            with partial.open("w", encoding=encoding, newline="") as stream:
                count = _csv(rows, stream, header.lang) if fmt == "csv" else _json(rows, stream, header)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise MoralBankError("file.write_failed", path=str(path), reason=exc) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Written(partial, count, file_sha256(partial))


def manifest_for(
    written: Written,
    path: Path,
    fmt: str,
    header: Header,
    checkpoints: list[dict[str, Any]],
    *,
    key_id: str,
    at: str,
    valid_until: str | None = None,
) -> Manifest:
    """What the signature over a finished export vouches for."""
    return Manifest(
        file=path.name,
        file_format=fmt,
        sha256=written.sha256,
        rows=written.rows,
        as_of=header.as_of,
        bank=header.bank,
        full_id=header.full_id,
        policy_hash=header.policy_hash,
        checkpoints=checkpoints,
        signed_at=at,
        key_id=key_id,
        valid_until=valid_until,
    )


def signature_path(path: Path) -> Path:
    """Where the detached signature of an export lives: beside it, with ``.sig`` added."""
    return path.with_name(path.name + ".sig")


def stage_signature(path: Path, signature: str) -> Path:
    """The signature written beside the export under a temporary name (``place`` renames it)."""
    staged = signature_path(path).with_name(signature_path(path).name + ".partial")
    try:
        staged.write_text(signature, encoding="utf-8")
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise MoralBankError("file.write_failed", path=str(path), reason=exc) from exc
    return staged


def place(written: Written, path: Path, staged_signature: Path) -> None:
    """Give the export and its signature their names (the signature first: a list never lacks one).

    Called once the export log holds the export: a file the log does not know never appears
    under the requested name; a crash before this leaves only ``.partial`` files.
    """
    try:
        os.replace(staged_signature, signature_path(path))
        os.replace(written.partial, path)
    except OSError as exc:
        discard(written, staged_signature)
        raise MoralBankError("file.write_failed", path=str(path), reason=exc) from exc


def discard(written: Written, staged_signature: Path | None = None) -> None:
    """Remove an export's temporary files (the export log could not record it)."""
    written.partial.unlink(missing_ok=True)
    if staged_signature is not None:
        staged_signature.unlink(missing_ok=True)


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What an export file holds, as far as verification needs: rows, dates and policies named."""

    rows: int
    as_of: set[str]
    policies: set[str]


def _csv_content(data: bytes) -> Content:
    records = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) if r]
    if not records or not _known_header(tuple(records[0])) or any(len(r) != len(BANK_COLUMNS) for r in records):
        raise ValueError("not a credit list")
    body = records[1:]
    return Content(len(body), {r[_RATED_ON] for r in body}, {r[_POLICY] for r in body})


def _json_content(data: bytes) -> Content:
    doc = json.loads(data.decode("utf-8"))
    rows = doc["rows"]
    return Content(len(rows), {str(doc["as_of"])}, {str(doc["policy_hash"])})


def _xlsx_content(data: bytes) -> Content:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    records = [r for r in book.active.iter_rows(values_only=True) if any(v is not None for v in r)]
    if not records or not _known_header(tuple(records[0])):
        raise ValueError("not a credit list")
    body = records[1:]
    return Content(len(body), {_day(r[_RATED_ON]) for r in body}, {str(r[_POLICY]) for r in body})


def _day(value: Any) -> str:
    """A date cell (read back as a datetime) or a text date, in ISO form."""
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


def read_content(data: bytes, fmt: str) -> Content | None:
    """The rows of an export file, or None when it cannot be read as a credit list of ``fmt``."""
    readers = {"csv": _csv_content, "json": _json_content, "xlsx": _xlsx_content}
    try:
        return readers[fmt](data)
    except Exception:  # whatever a damaged file makes the parser raise, it is not a readable list
        return None


def _diagnose(data: bytes, manifest: Manifest) -> SignatureProblem:
    """Say how a file whose hash differs from the signed one differs."""
    content = read_content(data, manifest.file_format)
    if content is None:
        return SignatureProblem("credit_verify.unreadable", format=manifest.file_format)
    if content.as_of - {manifest.as_of} or content.policies - {manifest.policy_hash}:
        found = ", ".join(sorted(content.as_of)) or "?"
        return SignatureProblem("credit_verify.other_export", found=found, signed=manifest.as_of)
    if content.rows != manifest.rows:
        return SignatureProblem("credit_verify.row_count", found=content.rows, signed=manifest.rows)
    return SignatureProblem("credit_verify.changed")


def verify_export(path: Path, signature: Path, public_key: Path) -> Manifest:
    """The signed manifest when the file, its signature and the public key all agree.

    Otherwise a SignatureProblem naming the first thing wrong: the key, the signature, the rows,
    another export in place of this one, or changed bytes.
    """
    manifest, raw = read_signature(signature)
    check_signature(manifest, raw, load_public_key(public_key))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MoralBankError("file.not_found", path=str(path)) from exc
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        raise _diagnose(data, manifest)
    return manifest
