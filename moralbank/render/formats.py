"""Generic renderers for report rows: rich tables for people, JSON and CSV for machines."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Sequence
from itertools import chain, islice
from operator import attrgetter, itemgetter
from typing import IO, TYPE_CHECKING, Any

from moralbank.domain.limits import inert
from moralbank.messages import MESSAGES, text

if TYPE_CHECKING:  # rich is imported by the terminal's tables only: CSV and JSON need none of it
    from rich.table import Table

FORMATS = ("table", "json", "csv")
# Lists a person opens in Excel or WPS have an xlsx form too (written to --out).
SHEET_FORMATS = ("table", "json", "csv", "xlsx")


# A cell starting with one of these is a formula to Excel and WPS (CSV injection): such text is
# written with a leading apostrophe, which the spreadsheet shows as plain text. A plain signed
# number ("-10") is left as it is: it is a number, not a formula.
_FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def inert_cell(value: Any) -> Any:
    """A value safe for a CSV cell: text has no control character and never starts a formula."""
    if not isinstance(value, str):
        return value
    text = inert(value)
    return "'" + text if text.startswith(_FORMULA_START) and not _NUMBER.match(text) else text


def _all_inert(values: Iterable[Any]) -> bool:
    """Whether ``inert_cell`` leaves every value as it is, asked of the values (a row, or rows) at once.

    Joined, the values are printable only if each is, and a text that starts a formula follows
    the separator (or starts the row); a separator or "-" inside a value only sends the row the
    long way, cell by cell. A county's CSV is hundreds of thousands of rows (bench/RESULTS.md).
    """
    return _joined_inert("|" + "|".join(map(str, values)))


def _joined_inert(joined: str) -> bool:
    # _FORMULA_START after the separator, spelled out: a loop would cost more than the row.
    return joined.isprintable() and not ("|=" in joined or "|+" in joined or "|-" in joined or "|@" in joined)


def bare(values: Iterable[str]) -> bool:
    """Whether CSV writes every text of ``values`` as it stands: inert, and with nothing to quote.

    ``_all_inert``'s test, and neither the separator nor the quote anywhere (a line break is
    not printable): such texts can be joined into a line by hand, as ``CsvWriter.text_of`` would.
    """
    joined = "|" + "|".join(values)
    return _joined_inert(joined) and "," not in joined and '"' not in joined


def _text_inert(column: Iterable[Any]) -> bool:
    """``_all_inert`` of a column, joined as it stands when it is all text (``str`` of each costs a
    county board's column ~3 ms of ~5), a column at a time so that codes stay one byte a character."""
    values = column if isinstance(column, list | tuple) else list(column)
    try:
        joined = "|" + "|".join(values)
    except TypeError:  # a number, or None
        return _all_inert(values)
    return _joined_inert(joined)


_BLOCK_ROWS = 1000  # rows checked at once by writerows


class CsvWriter:
    """``csv.writer`` whose every cell passes through ``inert_cell``: the one way CSV is written."""

    def __init__(self, stream: IO[str], *, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(stream, lineterminator=lineterminator)
        self._scratch = io.StringIO()
        self._cells = csv.writer(self._scratch, lineterminator="")

    def text_of(self, values: Sequence[Any]) -> str:
        """Cells already inert as ``writerow`` writes them, without the line's end: a part of a line.

        Parts join with "," into the line ``writerow`` would write of all their cells, except that
        a lone empty cell is written ``""`` (its line would otherwise be empty): give it beside another.
        """
        self._scratch.seek(0)
        self._scratch.truncate()
        self._cells.writerow(values)
        return self._scratch.getvalue()

    def writerow(self, values: Iterable[Any]) -> None:
        """Write one row."""
        values = tuple(values)
        if _all_inert(values):
            self._writer.writerow(values)
        else:
            self._writer.writerow([inert_cell(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> int:
        """Write every row, and say how many: a block of rows at a time when the whole block is inert as it stands."""
        remaining, count = iter(rows), 0
        while block := list(map(tuple, islice(remaining, _BLOCK_ROWS))):
            count += len(block)
            if _all_inert(chain.from_iterable(block)):
                self._writer.writerows(block)
            else:
                for values in block:
                    self.writerow(values)
        return count

    def writerows_checking(self, rows: Sequence[Sequence[Any]], text_at: Sequence[int]) -> None:
        """``writerows`` for rows whose cells outside the positions ``text_at`` are already inert.

        Those cells are numbers, empty, or text that has been through ``inert_cell`` (which leaves
        its own result as it is): only the cells at ``text_at`` are checked, a block at a time, and
        a block that needs a change goes row by row through ``writerow``. A county's rating list
        repeats its villages, tiers and dates, and a whole number such as "-5" would send every
        block the long way (bench/RESULTS.md, round three).
        """
        pick = itemgetter(*text_at) if len(text_at) > 1 else (lambda row: (row[text_at[0]],))
        for start in range(0, len(rows), _BLOCK_ROWS):
            block = rows[start : start + _BLOCK_ROWS]
            if _all_inert(chain.from_iterable(map(pick, block))):
                self._writer.writerows(block)
            else:
                for values in block:
                    self.writerow(values)

    def writecolumns(self, columns: Sequence[Iterable[Any]], text_at: Sequence[int]) -> None:
        """``writerows_checking`` of the rows ``zip(*columns)``: the columns at ``text_at`` are sequences.

        Those columns are checked whole, at once, and the rows zipped straight into the writer, none
        built in Python: a county's board is ~55,000 rows (bench/RESULTS.md). When a cell needs a
        change, the rows go through ``writerows_checking``.
        """
        if all(_text_inert(columns[at]) for at in text_at):
            self._writer.writerows(zip(*columns, strict=False))  # a column may repeat one value without end
        else:
            self.writerows_checking(list(zip(*columns, strict=False)), text_at)


def plain(value: Any) -> Any:
    """Dataclasses as dicts, recursively, for JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def render_json(value: Any) -> str:
    """Stable, readable JSON (UTF-8 text, keys in field order)."""
    import json  # here: most outputs are tables or CSV (bench/RESULTS.md, round five)

    return json.dumps(plain(value), ensure_ascii=False, indent=2) + "\n"


def _fields(rows: Sequence[Any], columns: Sequence[str] | None) -> list[str]:
    if columns:
        return list(columns)
    return [f.name for f in dataclasses.fields(rows[0])] if rows else []


def _cell(value: Any) -> str:
    # Stored text is shown inert: a control character (an old record's ESC, say) is replaced,
    # so it can neither drive the terminal nor break a spreadsheet that opens the CSV.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return inert(str(value))


def render_csv(rows: Sequence[Any], columns: Sequence[str] | None = None) -> str:
    """CSV with English field names as the header."""
    names = _fields(rows, columns)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(names)
    # Only None and booleans need spelling out; everything else the csv module writes as str().
    fetch = attrgetter(*names) if len(names) > 1 else (lambda row: (getattr(row, names[0]),))
    plain_types = (str, int)
    for row in rows:
        values = fetch(row)
        if all(type(v) in plain_types for v in values):
            writer.writerow(values)
        else:
            writer.writerow([_cell(v) for v in values])
    return out.getvalue()


def _display(name: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return text("value.yes" if value else "value.no", lang)
    # Coded values (an entry's kind, say) have a label in the catalogue: "value.<field>.<code>".
    if isinstance(value, str) and f"value.{name}.{value}" in MESSAGES:
        return text(f"value.{name}.{value}", lang)
    if name == "field" and isinstance(value, str) and f"field.name.{value}" in MESSAGES:  # a register history's field
        return text(f"field.name.{value}", lang)
    return _cell(value)


def rich_table(
    rows: Sequence[Any], lang: str, *, title: str | None = None, columns: Sequence[str] | None = None
) -> Table:
    """A table with headings from the catalogue (``col.<field>``); numbers right-aligned."""
    from rich.table import Table

    names = _fields(rows, columns)
    table = Table(title=title, show_lines=False)
    for name in names:
        values = [getattr(row, name) for row in rows if getattr(row, name) is not None]
        numeric = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        table.add_column(text(f"col.{name}", lang), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_display(name, getattr(row, name), lang) for name in names))
    return table
