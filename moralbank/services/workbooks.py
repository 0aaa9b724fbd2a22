"""The raw cells of an input file: CSV in the encodings Chinese spreadsheets write, or a workbook.

Workbooks (.xlsx, .xls, .ods) are read with python-calamine, which also reads .xls and .ods: it
imports in about 1 ms where openpyxl takes about 190 ms, and read a 5,000-row decisions sheet in
0.2 s where openpyxl (read-only mode) took 1.4 s, on the project's 2-core machine (issue 11).
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from moralbank.domain.limits import MAX_SHEET_BYTES, MAX_SHEET_ROWS
from moralbank.errors import InputError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class RawSheet:
    """One worksheet (or a CSV file) as text cells; ``numeric`` holds (row, column) of cells that were numbers.

    Rows and columns count from 0 here; a spreadsheet shows row ``r`` as ``r + 1``.
    """

    name: str | None
    rows: list[list[str]]
    numeric: set[tuple[int, int]] = field(default_factory=set)
    # A streamed CSV holds only its top rows in ``rows``; the rest follow from ``tail``, read once.
    tail: Iterator[list[str]] = field(default_factory=lambda: iter(()))


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes strictly, else GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # a UnicodeDecodeError here is reported by the caller


def cell_text(value: object) -> str:
    """A cell as text: dates as ISO, whole numbers without ``.0``, everything trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _from_values(name: str | None, values: list[list[Any]]) -> RawSheet:
    rows = [[cell_text(v) for v in row] for row in values]
    numeric = {(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if _is_number(v)}
    return RawSheet(name, rows, numeric)


def _csv_sheet(path: Path) -> RawSheet:
    if path.stat().st_size > MAX_SHEET_BYTES:
        raise InputError("sheet.too_large", path=path.name, limit=MAX_SHEET_BYTES // 1_000_000)
    try:
        content = decode_csv(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InputError("sheet.bad_encoding", path=path.name) from exc
    # Every cell is read whole, however long, so that an overlong one is reported as a problem of
    # its row and field (text_problem) rather than as csv's "field larger than field limit".
    csv.field_size_limit(max(csv.field_size_limit(), len(content) + 1))
    # strict: a quote left open (or text after a closing quote) is refused, never read as one
    # huge cell that swallows the rows after it.
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) > MAX_SHEET_ROWS:
                raise InputError("sheet.too_many_rows", path=path.name, limit=MAX_SHEET_ROWS)
    except csv.Error as exc:
        raise InputError("sheet.bad_quotes", path=path.name, line=reader.line_num) from exc
    return RawSheet(None, rows)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip entry's local header, before its name and extra field
_BLOCK = 1 << 16


def _inflated_size(stream: BinaryIO, entry: zipfile.ZipInfo, limit: int) -> int:
    """How many bytes one entry inflates to, counted from its raw data (stopping past ``limit``).

    The raw deflate stream is inflated here, a block at a time, because a forged entry can state
    a small size while holding far more: Python's zipfile would stop at the stated size, a
    workbook reader might not.
    """
    stream.seek(entry.header_offset)
    header = _LOCAL_HEADER.unpack(stream.read(_LOCAL_HEADER.size))
    stream.seek(entry.header_offset + _LOCAL_HEADER.size + header[9] + header[10])
    if entry.compress_type == zipfile.ZIP_STORED:
        return entry.compress_size
    if entry.compress_type != zipfile.ZIP_DEFLATED:  # Excel, WPS and LibreOffice write only these two
        raise ValueError("compression")
    inflate, total, left = zlib.decompressobj(-zlib.MAX_WBITS), 0, entry.compress_size
    while left > 0 and total <= limit:
        data = stream.read(min(_BLOCK, left))
        if not data:
            break
        left -= len(data)
        while data and total <= limit:  # max_length keeps each step's output to one block
            total += len(inflate.decompress(data, _BLOCK))
            data = inflate.unconsumed_tail
    return total


def _zipped_size(path: Path) -> int | None:
    """What a zip-based workbook (.xlsx, .ods) expands to, counted without keeping it; None if not a zip (.xls).

    The sizes the central directory states are checked first (a zip bomb usually states its
    size); then each entry's raw data is inflated and counted. Stops past MAX_SHEET_BYTES.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > MAX_SHEET_BYTES:
                return sum(entry.file_size for entry in entries)
            total = 0
            with path.open("rb") as stream:
                for entry in entries:
                    total += _inflated_size(stream, entry, MAX_SHEET_BYTES - total)
                    if total > MAX_SHEET_BYTES:
                        break
            return total
    except zipfile.BadZipFile:
        return None
    except (OSError, struct.error, zlib.error, ValueError, zipfile.LargeZipFile) as exc:
        raise InputError("sheet.not_a_workbook", path=path.name) from exc


def _check_size(path: Path) -> None:
    """Refuse a workbook whose content passes MAX_SHEET_BYTES before anything expands it."""
    size = _zipped_size(path)
    if size is None:  # .xls: not compressed, its file size is its content
        size = path.stat().st_size
    if size > MAX_SHEET_BYTES:
        raise InputError("sheet.too_large", path=path.name, limit=MAX_SHEET_BYTES // 1_000_000)


_STREAM_TOP = 10  # rows a streamed CSV holds up front: where its header is looked for (sheets.HEADER_SEARCH)
_BLOCK = 1 << 20


def _encoding(path: Path) -> str:
    """UTF-8 (BOM or not) if the whole file decodes strictly, else GB18030; read in blocks, never whole."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as stream:
                while block := stream.read(_BLOCK):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError("sheet.bad_encoding", path=path.name)


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="") as stream:
        # strict, as in _csv_sheet: a quote left open is refused with its line, never read as one huge cell.
        reader = csv.reader(stream, strict=True)
        try:
            for row in reader:
                yield [cell.strip() for cell in row]
        except csv.Error as exc:
            raise InputError("sheet.bad_quotes", path=path.name, line=reader.line_num) from exc


def streamed_csv(path: Path) -> RawSheet:
    """A CSV sheet read row by row: the same cells as ``raw_sheets`` gives, in bounded memory."""
    encoding = _encoding(path)
    # Every cell is read whole, however long (see _csv_sheet).
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))
    rows = _csv_rows(path, encoding)
    top = [row for _, row in zip(range(_STREAM_TOP), rows, strict=False)]
    return RawSheet(None, top, tail=rows)


def _workbook(path: Path) -> Any:
    from python_calamine import CalamineWorkbook  # only when a workbook is read

    _check_size(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors and plain ones for a damaged file
        raise InputError("sheet.not_a_workbook", path=path.name) from exc


def _read_worksheet(path: Path, book: Any, name: str) -> RawSheet:
    try:
        sheet = book.get_sheet_by_name(name)
    except Exception as exc:
        raise InputError("sheet.not_a_workbook", path=path.name) from exc
    if sheet.height > MAX_SHEET_ROWS:  # counted from the sheet's extent, before its cells become Python values
        raise InputError("sheet.too_many_rows", path=path.name, limit=MAX_SHEET_ROWS)
    try:
        values = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise InputError("sheet.not_a_workbook", path=path.name) from exc
    return _from_values(name, values)


def worksheet_names(path: Path) -> list[str]:
    """The visible worksheets of a workbook, in order."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    book = _workbook(path)
    try:
        return [
            meta.name
            for meta in book.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
        ]
    finally:
        book.close()


def raw_sheets(path: Path, wanted: str | None = None) -> Iterator[RawSheet]:
    """The file's one sheet (CSV), the worksheet ``wanted``, or every visible worksheet in order."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        if wanted is not None:
            raise InputError("sheet.no_worksheets_in_csv", path=path.name)
        yield _csv_sheet(path)
        return
    names = worksheet_names(path)
    if wanted is not None and wanted not in names:
        raise InputError("sheet.no_such_worksheet", path=path.name, name=wanted, names="、".join(names))
    book = _workbook(path)
    try:
        for name in [wanted] if wanted is not None else names:
            yield _read_worksheet(path, book, name)
    finally:
        book.close()
