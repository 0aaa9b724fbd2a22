"""Lists for spreadsheets: CSV (UTF-8 with BOM) and xlsx, headed and worded in the reader's language.

Excel and WPS open a CSV as Unicode only when it starts with a byte-order mark, so every CSV a
person may open carries one. In an xlsx, numbers are numbers and ISO dates are date cells, so a
township can sort and sum them; text cells are always text (a name starting with "=" is never a
formula), and a stored control character is shown replaced.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from moralbank.domain.limits import inert
from moralbank.messages import MESSAGES, text
from moralbank.render.formats import CsvWriter

BOM = "\ufeff"
Cell = str | int | date | None


@dataclass(frozen=True)
class SheetTable:
    """One sheet: its name, its header and its rows of cells (text, whole numbers, dates or empty)."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def _fields(rows: Sequence[Any], columns: Sequence[str] | None) -> list[str]:
    if columns:
        return list(columns)
    return [f.name for f in dataclasses.fields(rows[0])] if rows else []


def heading(name: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """A column's heading: a given Chinese label (an import sheet's own header), else ``col.<name>``."""
    if labels and name in labels and lang == "zh":
        return labels[name]
    return text(f"col.{name}", lang) if f"col.{name}" in MESSAGES else name


def worded(name: str, value: Any, lang: str) -> Cell:
    """A value as a reader sees it: 是/否, a coded kind in words, an ISO date as a date, lists joined."""
    if value is None:
        return None
    if isinstance(value, bool):
        return text("value.yes" if value else "value.no", lang)
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        return inert(("、" if lang == "zh" else ", ").join(str(v) for v in value))
    if isinstance(value, str) and f"value.{name}.{value}" in MESSAGES:
        return text(f"value.{name}.{value}", lang)
    if isinstance(value, str) and _is_iso_date(value):
        return date.fromisoformat(value)
    return inert(str(value))


def _is_iso_date(value: str) -> bool:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def sheet_of(
    rows: Sequence[Any],
    lang: str,
    *,
    name: str,
    columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> SheetTable:
    """Report rows (dataclasses) as one sheet in ``lang``."""
    names = _fields(rows, columns)
    header = [heading(n, lang, labels) for n in names]
    return SheetTable(name, header, [[worded(n, getattr(row, n), lang) for n in names] for row in rows])


def csv_cell(value: Cell) -> str | int:
    """A cell as CSV writes it: dates in ISO form, empty for None (CsvWriter makes text inert)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_text(table: SheetTable) -> str:
    """The sheet as CSV: a BOM, the header, CRLF line ends (what Excel and WPS expect)."""
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([[csv_cell(c) for c in row] for row in table.rows])
    return BOM + out.getvalue()


def _sheet_name(name: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"


def write_xlsx(tables: Sequence[SheetTable], path: Path) -> None:
    """A workbook with one sheet per table; dates as date cells, numbers as numbers, text as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.name))
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for index, title in enumerate(table.header, start=1):
            widest = max([_width(title), *(_width(r[index - 1]) for r in table.rows)])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, widest + 2)
        sheet.freeze_panes = "A2"
    book.save(path)


def _width(value: Cell) -> int:
    if value is None:
        return 0
    shown = value.isoformat() if isinstance(value, date) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in shown)  # a CJK character is two columns wide
