"""Input sheets: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and .xlsx, with bilingual headers."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zipfile import BadZipFile

from moralbank.domain.limits import text_problem
from moralbank.errors import InputError, RowProblem, SheetError

Row = dict[str, str]

VILLAGE_COLUMNS = {"code": "村编号", "name": "村名", "town": "镇街", "county": "县市区"}
HOUSEHOLD_COLUMNS = {
    "code": "户编号",
    "village": "村编号",
    "head_name": "户主姓名",
    "id_number": "身份证号",
    "phone": "电话",
    "members": "人口",
    "grid": "网格",
    "address": "地址",
    "consent_board": "同意公示",
    "consent_bank": "同意报送银行",
}
DECISION_COLUMNS = {
    "household": "户编号",
    "standard": "标准编号",
    "qty": "数量",
    "event_date": "发生日期",
    "booked_on": "记账日期",
    "note": "备注",
    "key": "幂等键",
}

# The sheets a committee imports: their columns and which must be present in the header. A
# household's consents are never defaulted: sharing with a bank needs the household's own yes.
SHEETS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "villages": (VILLAGE_COLUMNS, ("code", "name", "town", "county")),
    "households": (
        HOUSEHOLD_COLUMNS,
        ("code", "village", "head_name", "id_number", "members", "consent_board", "consent_bank"),
    ),
    "decisions": (DECISION_COLUMNS, ("household", "standard")),
}

_TRUE = {"yes", "y", "true", "t", "1", "是", "同意"}
_FALSE = {"no", "n", "false", "f", "0", "否", "不同意"}


@dataclass(frozen=True)
class Sheet:
    """The rows of one input file; ``number`` is the row as a spreadsheet shows it (header = 1)."""

    source: str
    rows: list[tuple[int, Row]]
    # Rows refused while reading (an overlong cell, a control character): not in ``rows``, and
    # every consumer reports them with the problems it finds in the other rows.
    problems: list[RowProblem] = dataclasses.field(default_factory=list)


def parse_bool(value: str) -> bool | None:
    """yes/no, true/false, 1/0, 是/否; None when it is none of those."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes strictly, else GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # a UnicodeDecodeError here is reported by the caller


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook  # only when a workbook is read: it is slow to import
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, InvalidFileException, KeyError) as exc:
            raise InputError("sheet.not_workbook", path=path.name) from exc
        try:
            for values in book.active.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            book.close()
        return
    try:
        content = decode_csv(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InputError("sheet.bad_encoding", path=path.name) from exc
    # Every cell is read whole, however long, so that an overlong one is reported as a problem of
    # its row and field (text_problem) rather than as csv's "field larger than field limit".
    csv.field_size_limit(max(csv.field_size_limit(), len(content) + 1))
    yield from csv.reader(io.StringIO(content, newline=""))


def _header_map(header: list[str], columns: Mapping[str, str], source: str) -> list[str | None]:
    aliases = {name: name for name in columns} | {zh: name for name, zh in columns.items()}
    mapped: list[str | None] = []
    problems = []
    for position, title in enumerate(header, start=1):
        title = title.strip().lstrip("\ufeff")
        if not title:
            mapped.append(None)
        elif title.lower() in aliases or title in aliases:
            mapped.append(aliases.get(title.lower(), aliases.get(title)))
        else:
            problems.append(RowProblem(1, title, "sheet.unknown_column", {"column": position}))
            mapped.append(None)
    if problems:
        raise SheetError(source, problems)
    return mapped


def read_kind(path: Path, kind: str) -> Sheet:
    """A villages, households or decisions sheet, with that kind's columns checked."""
    columns, required = SHEETS[kind]
    return read_sheet(path, columns, required)


def read_sheet(path: Path, columns: Mapping[str, str], required: tuple[str, ...]) -> Sheet:
    """Every row of a sheet keyed by English field name; refuses unknown or missing columns."""
    if not path.is_file():
        raise InputError("file.not_found", path=str(path))
    if path.suffix.lower() not in (".csv", ".xlsx", ".txt"):
        raise InputError("sheet.bad_type", path=str(path))
    source = path.name
    raw = _raw_rows(path)
    header = next(raw, [])
    mapped = _header_map(header, columns, source)
    missing = [name for name in required if name not in mapped]
    if missing:
        raise SheetError(source, [RowProblem(1, name, "sheet.missing_column") for name in missing])
    rows, problems = [], []
    for number, values in enumerate(raw, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {name: "" for name in columns}
        unreadable = []
        for name, value in zip(mapped, values, strict=False):
            if name:
                row[name] = value.strip()
                if found := text_problem(name, row[name]):
                    unreadable.append(RowProblem(number, name, *found))
        if unreadable:  # reported with the other rows' problems; its other fields are not checked
            problems += unreadable
        else:
            rows.append((number, row))
    return Sheet(source, rows, problems)
