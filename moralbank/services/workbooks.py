"""The raw cells of an input file: CSV in the encodings Chinese spreadsheets write, or a workbook.

Workbooks (.xlsx, .xls, .ods) are read with python-calamine, which also reads .xls and .ods: it
imports in about 1 ms where openpyxl takes about 190 ms, and read a 5,000-row decisions sheet in
0.2 s where openpyxl (read-only mode) took 1.4 s, on the project's 2-core machine (issue 11).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
    try:
        content = decode_csv(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InputError("sheet.bad_encoding", path=path.name) from exc
    # Every cell is read whole, however long, so that an overlong one is reported as a problem of
    # its row and field (text_problem) rather than as csv's "field larger than field limit".
    csv.field_size_limit(max(csv.field_size_limit(), len(content) + 1))
    return RawSheet(None, [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(content, newline=""))])


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
        for row in csv.reader(stream):
            yield [cell.strip() for cell in row]


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

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors and plain ones for a damaged file
        raise InputError("sheet.not_a_workbook", path=path.name) from exc


def _read_worksheet(path: Path, book: Any, name: str) -> RawSheet:
    try:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
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
