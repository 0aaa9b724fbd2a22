"""Input sheets as clerks make them: title rows, bilingual headers, informational columns, footers.

CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and workbooks (.xlsx, .xls, .ods) are read by
``workbooks``; here the header row is found, columns are mapped and every cell is checked.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from moralbank.domain.identity import mask_personal_numbers
from moralbank.domain.limits import DEFAULT_TEXT_LENGTH, PERSONAL_CHECKED, TEXT_LENGTHS, inert, text_problem
from moralbank.errors import InputError, RowProblem, SheetError
from moralbank.services.workbooks import TEXT_SUFFIXES, WORKBOOK_SUFFIXES, RawSheet, raw_sheets, streamed_csv

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
# A redemption day's sheet (shop import).
REDEMPTION_COLUMNS = {"household": "户编号", "item": "商品编号", "qty": "数量", "booked_on": "日期", "key": "幂等键"}
REDEMPTION_REQUIRED = ("household", "item")

# Columns a meeting's template carries for the people who read it. They are accepted and not
# stored; a head name or points that disagree with the register or the standard are an error,
# which catches a household code typed into the wrong line. "" marks a column only read past.
_ROW_NUMBER = {"序号": "", "no.": "", "no": "", "编号": ""}
INFO_COLUMNS: dict[str, dict[str, str]] = {
    "villages": _ROW_NUMBER,
    "households": _ROW_NUMBER | {"户主": "head_name", "姓名": "head_name"},
    "decisions": _ROW_NUMBER
    | {"户主": "head_name", "户主姓名": "head_name", "姓名": "head_name", "head_name": "head_name"}
    | {"评议事项": "title", "标准名称": "title", "title": "title", "分值": "points", "points": "points"},
}
# Free text is kept exactly as written; every other cell (codes, numbers, dates, yes/no) is
# NFKC-normalised so that full-width ＤＬ００１ or ２０２６ reads as DL001 or 2026.
FREE_TEXT = frozenset({"name", "town", "county", "head_name", "grid", "address", "note", "title"})
# A footer row starts with one of these: signatures, totals and notes under the data.
FOOTER_WORDS = (
    "制表", "填表", "审核", "复核", "审批", "负责人", "经办人", "记录人", "监督人", "签字", "签名",
    "盖章", "合计", "总计", "小计", "说明", "注：", "注:", "备注：", "备注:", "日期：", "日期:",
)  # fmt: skip
HEADER_SEARCH = 10  # the header is looked for among this many rows at the top

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
class Skipped:
    """A row read past: a title above the header or a footer under the data, with its first text."""

    row: int
    kind: str  # "title" or "footer"
    text: str


@dataclass(frozen=True)
class Sheet:
    """The rows of one input file; ``number`` is the row as a spreadsheet shows it.

    ``worksheet`` names the worksheet read from a workbook; ``skipped`` the title and footer
    rows read past; ``numeric`` the (row number, field) cells that arrived as numbers.
    """

    source: str
    rows: list[tuple[int, Row]]
    # Rows refused while reading (an overlong cell, a control character): not in ``rows``, and
    # every consumer reports them with the problems it finds in the other rows.
    problems: list[RowProblem] = field(default_factory=list)
    worksheet: str | None = None
    skipped: tuple[Skipped, ...] = ()
    numeric: frozenset[tuple[int, str]] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UnknownColumn(RowProblem):
    """An unknown heading, told with the headings the sheet accepts in the reader's language."""

    accepted: tuple[tuple[str, str], ...] = ()  # (English, Chinese) headings

    def message(self, lang: str) -> str:
        """The problem, followed by the accepted headings."""
        names = "、".join(zh for _, zh in self.accepted) if lang == "zh" else ", ".join(en for en, _ in self.accepted)
        return RowProblem(self.row, self.field, self.key, {**self.params, "accepted": names}).message(lang)


def parse_bool(value: str) -> bool | None:
    """yes/no, true/false, 1/0, 是/否; None when it is none of those."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _heading(title: str) -> str:
    return unicodedata.normalize("NFKC", title).strip().lstrip("\ufeff").lower()


def _aliases(columns: Mapping[str, str], info: Mapping[str, str]) -> dict[str, str]:
    names = {name: name for name in columns} | {zh: name for name, zh in columns.items()}
    return {_heading(title): name for title, name in {**info, **names}.items()}


def _known(values: list[str], aliases: Mapping[str, str]) -> set[str]:
    return {aliases[_heading(v)] for v in values if v.strip() and _heading(v) in aliases}


def _find_header(raw: RawSheet, aliases: Mapping[str, str], required: tuple[str, ...]) -> int | None:
    """The first of the top rows that names every required column, if any does."""
    for index, values in enumerate(raw.rows[:HEADER_SEARCH]):
        if set(required) <= _known(values, aliases):
            return index
    return None


def _first_text(values: list[str]) -> str:
    first = next((v for v in values if v.strip()), "")
    return inert(mask_personal_numbers(first.strip()[:40]))


def _header_map(
    header: list[str], columns: Mapping[str, str], aliases: Mapping[str, str], number: int
) -> list[str | None]:
    accepted = tuple((name, zh) for name, zh in columns.items())
    mapped: list[str | None] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}  # field → the column that first named it
    for position, title in enumerate(header, start=1):
        if not title.strip():
            mapped.append(None)
        elif _heading(title) in aliases:
            name = aliases[_heading(title)] or None
            if name is not None and name in seen:  # `qty,qty`, or `household` and `户编号`: which one counts?
                first = seen[name]
                problems.append(
                    RowProblem(
                        number,
                        title.strip(),
                        "sheet.duplicate_column",
                        {"column": position, "first": first, "name": name},
                    )
                )
            elif name is not None:
                seen[name] = position
            mapped.append(name)
        elif problems:  # the accepted headings are listed once, with the first unknown one
            problems.append(RowProblem(number, title.strip(), "sheet.unknown_column", {"column": position}))
        else:
            problem = UnknownColumn(
                number, title.strip(), "sheet.unknown_column_of", {"column": position}, accepted=accepted
            )
            problems.append(problem)
            mapped.append(None)
    if problems:
        raise SheetError("", problems)
    return mapped


def _is_footer(values: list[str]) -> bool:
    first = unicodedata.normalize("NFKC", next((v for v in values if v.strip()), "")).strip()
    return first.startswith(FOOTER_WORDS)


@dataclass
class SheetStream:
    """The data rows of one input file, read once, in order, without holding them all.

    What ``Sheet`` holds whole is gathered as the rows go by: ``problems`` (rows refused while
    reading), ``skipped`` (titles from the start, footers once the last row is read) and ``count``
    (data rows yielded so far). The footer is found as in ``Sheet``: only the rows since the
    last one that fills the required columns are held back until a later row or the end decides.
    """

    source: str
    worksheet: str | None
    rows: Iterator[tuple[int, Row]]
    problems: list[RowProblem]
    skipped: list[Skipped]
    numeric: set[tuple[int, str]]
    count: int = 0

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        for found in self.rows:
            self.count += 1
            yield found


@dataclass
class _Body:
    """Turns raw rows under the header into data rows, problems, numeric cells and footers."""

    raw: RawSheet
    columns: Mapping[str, str]
    required: tuple[str, ...]
    header: int
    mapped: list[str | None]
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    numeric: set[tuple[int, str]] = field(default_factory=set)
    numbers: bool = True  # whether cells that arrived as numbers are noted
    template: dict[str, str] = field(init=False)
    # (position, field, free text, length limit) of every mapped column; where each required field may be
    cells: list[tuple[int, str, bool, int]] = field(init=False)
    wanted: list[list[int]] = field(init=False)

    def __post_init__(self) -> None:
        extra = sorted({name for name in self.mapped if name and name not in self.columns})
        self.template = dict.fromkeys([*self.columns, *extra], "")
        self.cells = [
            (position, name, name in FREE_TEXT, TEXT_LENGTHS.get(name, DEFAULT_TEXT_LENGTH))
            for position, name in enumerate(self.mapped)
            if name
        ]
        self.wanted = [[p for p, m in enumerate(self.mapped) if m == name] for name in self.required]

    def filled(self, values: list[str]) -> bool:
        """Whether a row fills every required column (a value in a column mapped to each)."""
        width = len(values)
        return all(any(p < width and values[p].strip() for p in positions) for positions in self.wanted)

    def rows(self) -> Iterator[tuple[int, Row]]:
        body = itertools.chain(self.raw.rows[self.header + 1 :], self.raw.tail)
        pending: list[tuple[int, list[str]]] = []  # rows since the last filled one: body or footer
        for offset, values in enumerate(body):
            if not self.filled(values):
                pending.append((offset, values))
                continue
            for held in pending:
                yield from self._row(*held)
            pending = []
            yield from self._row(offset, values)
        footer = next((n for n, (_, values) in enumerate(pending) if _is_footer(values)), len(pending))
        for held in pending[:footer]:
            yield from self._row(*held)
        self.skipped += [
            Skipped(self.header + 2 + offset, "footer", _first_text(values))
            for offset, values in pending[footer:]
            if any(x.strip() for x in values)
        ]

    def _row(self, offset: int, values: list[str]) -> Iterator[tuple[int, Row]]:
        number = self.header + 2 + offset
        if not "".join(values).strip():
            return
        row = self.template.copy()
        unreadable = []
        width = len(values)
        for position, name, free, limit in self.cells:
            if position >= width:
                break
            value = values[position]
            # Free text is kept as written; other cells are NFKC-normalised, which leaves ASCII as it is.
            value = value.strip() if free or value.isascii() else unicodedata.normalize("NFKC", value).strip()
            row[name] = value
            if self.numbers and (self.header + 1 + offset, position) in self.raw.numeric:
                self.numeric.add((number, name))
            # Printable and within its length, in a field free of the ID/phone check: no problem
            # (text_problem says why otherwise).
            checked = name in PERSONAL_CHECKED and value
            if (checked or not (value.isprintable() and len(value) <= limit)) and (found := text_problem(name, value)):
                unreadable.append(RowProblem(number, name, *found))
        if unreadable:  # reported with the other rows' problems; its other fields are not checked
            self.problems += unreadable
        else:
            yield number, row


def _body(
    source: str,
    raw: RawSheet,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    header: int,
    aliases: Mapping[str, str],
) -> _Body:
    mapped = _header_map(raw.rows[header], columns, aliases, header + 1)
    missing = [name for name in required if name not in mapped]
    if missing:
        raise SheetError(source, [RowProblem(header + 1, name, "sheet.missing_column") for name in missing])
    body = _Body(raw, columns, required, header, mapped)
    body.skipped = [
        Skipped(n + 1, "title", _first_text(v)) for n, v in enumerate(raw.rows[:header]) if any(x.strip() for x in v)
    ]
    return body


def _sheet(
    source: str,
    raw: RawSheet,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    header: int,
    aliases: Mapping[str, str],
) -> Sheet:
    body = _body(source, raw, columns, required, header, aliases)
    rows = list(body.rows())
    return Sheet(source, rows, body.problems, raw.name, tuple(body.skipped), frozenset(body.numeric))


def read_kind(path: Path, kind: str, worksheet: str | None = None) -> Sheet:
    """A villages, households or decisions sheet, with that kind's columns checked."""
    columns, required = SHEETS[kind]
    return read_sheet(path, columns, required, info=INFO_COLUMNS[kind], worksheet=worksheet)


def read_sheet(
    path: Path,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    *,
    info: Mapping[str, str] | None = None,
    worksheet: str | None = None,
) -> Sheet:
    """Every data row of a sheet keyed by English field name; refuses unknown or missing columns.

    The header is the first of the top rows that names every required column (title rows above
    it are skipped); footer rows under the data are skipped. From a workbook, ``worksheet`` is
    read, or else the first worksheet that has such a header.
    """
    if not path.is_file():
        raise InputError("file.not_found", path=str(path))
    if path.suffix.lower() not in (*TEXT_SUFFIXES, *WORKBOOK_SUFFIXES):
        raise InputError("sheet.unsupported_type", path=str(path))
    aliases = _aliases(columns, info or {})
    first: RawSheet | None = None
    names = []
    for raw in raw_sheets(path, worksheet):
        first = first or raw
        names.append(raw.name or "")
        if (header := _find_header(raw, aliases, required)) is not None:
            return _with_source(path.name, raw, columns, required, header, aliases)
    if first is None or (len(names) > 1 and worksheet is None):
        wanted = "、".join(columns[name] for name in required) + " / " + ", ".join(required)
        raise InputError("sheet.no_header", path=path.name, names="、".join(names), columns=wanted)
    # No header: the first non-empty row is taken as one, so that its headings are reported.
    header = next((n for n, v in enumerate(first.rows) if any(x.strip() for x in v)), 0)
    if not first.rows:
        first = RawSheet(first.name, [[]])
    return _with_source(path.name, first, columns, required, header, aliases)


def stream_kind(path: Path, kind: str, worksheet: str | None = None) -> SheetStream:
    """A sheet of one kind read row by row: a CSV in bounded memory, a workbook as ``read_kind`` reads it.

    The rows, problems and skipped rows are those ``read_kind`` gives, in the same order (tests
    compare the two); cells that arrived as numbers are not noted (only households need them).
    """
    if path.suffix.lower() in WORKBOOK_SUFFIXES or not path.is_file():
        sheet = read_kind(path, kind, worksheet)
        numeric = set(sheet.numeric)
        found = SheetStream(sheet.source, sheet.worksheet, iter(sheet.rows), sheet.problems, [*sheet.skipped], numeric)
        return found
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise InputError("sheet.unsupported_type", path=str(path))
    if worksheet is not None:
        raise InputError("sheet.no_worksheets_in_csv", path=path.name)
    columns, required = SHEETS[kind]
    aliases = _aliases(columns, INFO_COLUMNS[kind])
    raw = streamed_csv(path)
    header = _find_header(raw, aliases, required)
    if header is None:  # refused, exactly as a whole read refuses it
        read_kind(path, kind)
        raise AssertionError("a sheet without a header is refused")  # pragma: no cover
    try:
        body = _body(path.name, raw, columns, required, header, aliases)
    except SheetError as exc:
        raise SheetError(path.name, exc.problems) from None
    body.numbers = False
    return SheetStream(path.name, None, body.rows(), body.problems, body.skipped, body.numeric)


def _with_source(
    source: str,
    raw: RawSheet,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    header: int,
    aliases: Mapping[str, str],
) -> Sheet:
    try:
        return _sheet(source, raw, columns, required, header, aliases)
    except SheetError as exc:
        raise SheetError(source, exc.problems) from None


def header_fields(
    path: Path, columns: Mapping[str, str], *, info: Mapping[str, str] | None = None, worksheet: str | None = None
) -> frozenset[str]:
    """The fields named by a sheet's header: of the top rows, the one naming the most known columns.

    For a sheet whose kind is told by its columns (a bank's approvals, drawings or arrears); the
    sheet is then read with ``read_sheet`` and that kind's required columns.
    """
    if not path.is_file():
        raise InputError("file.not_found", path=str(path))
    if path.suffix.lower() not in (*TEXT_SUFFIXES, *WORKBOOK_SUFFIXES):
        raise InputError("sheet.unsupported_type", path=str(path))
    aliases = _aliases(columns, info or {})
    for raw in raw_sheets(path, worksheet):
        found = max((_known(values, aliases) - {""} for values in raw.rows[:HEADER_SEARCH]), key=len, default=set())
        if len(found) >= 2:
            return frozenset(found)
    return frozenset()
