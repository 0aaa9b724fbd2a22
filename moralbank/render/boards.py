"""Boards for people: rich tables, CSV, Markdown and a printable A4 HTML page."""

from __future__ import annotations

import dataclasses
import html
import io
from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from moralbank.domain.boards import BlackRow, Board, RedColumns
from moralbank.domain.clock import DEFAULT_TZ, local_time
from moralbank.domain.heads import Checkpoint
from moralbank.domain.limits import inert
from moralbank.messages import text
from moralbank.render.formats import CsvWriter, bare
from moralbank.render.printed import long_date, page
from moralbank.render.spreadsheet import BOM, SheetTable, csv_cell, worded
from moralbank.reports.boards import PublishedRow

if TYPE_CHECKING:  # rich is imported by the terminal's tables only: a CSV board needs none of it
    from rich.console import RenderableType
    from rich.table import Table

BOARD_FORMATS = ("table", "json", "csv", "xlsx", "md", "html")

# A column: (field of the row, catalogue key of its heading, right-aligned).
Column = tuple[str, str, bool]


def _red_columns(board: Board) -> list[Column]:
    place: list[Column] = [("village", "col.village", False)] if board.village is None else []
    return [
        ("rank", "col.rank", True),
        *place,
        ("household", "col.household", False),
        ("name", "col.head_name", False),
        ("points", "col.board_points", True),
    ]


def _black_columns(board: Board) -> list[Column]:
    place: list[Column] = [("village", "col.village", False)] if board.village is None else []
    return [
        *place,
        ("household", "col.household", False),
        ("name", "col.head_name", False),
        ("points", "col.deducted", True),
        ("count", "col.count", True),
        ("items", "col.items", False),
    ]


def board_title(board: Board, lang: str) -> str:
    """``南伦村2026年11月道德积分榜``: the place and the month."""
    year, month = board.month.split("-")
    return text("board.title", lang, name=board.title, year=year, mon=int(month))


def _marks(board: Board) -> list[Checkpoint]:
    return board.checkpoint if isinstance(board.checkpoint, list) else [board.checkpoint]


def board_footer(board: Board, lang: str, tz: str = DEFAULT_TZ) -> list[str]:
    """The lines under a board: publication or draft, the checkpoint(s), and how to verify.

    The publication time is stored in UTC and shown in the business timezone ``tz``.
    """
    lines = []
    if board.published is None:
        lines.append(text("board.draft", lang))
    else:
        p = board.published
        lines.append(
            text(
                "board.published_line",
                lang,
                id=p.id,
                time=local_time(p.published_at, tz),
                tz=tz,
                operator=p.operator,
                hash=p.snapshot_hash,
            )
        )
    lines += [text("board.checkpoint_line", lang, village=m.village, seq=m.seq, hash=m.hash) for m in _marks(board)]
    lines.append(text("board.verify_hint", lang))
    return lines


def joined(items: Sequence[str], lang: str) -> str:
    """A list of titles as one cell: ``A、B`` in Chinese, ``A, B`` in English."""
    return ("、" if lang == "zh" else ", ").join(items)


def listed_for_people(rows: Sequence[PublishedRow], tz: str = DEFAULT_TZ) -> list[PublishedRow]:
    """``board list`` rows for a table: publication times in the business timezone (JSON and CSV keep UTC)."""
    return [dataclasses.replace(row, published_at=local_time(row.published_at, tz)) for row in rows]


def _cell(value: Any, lang: str = "zh") -> str:
    if isinstance(value, tuple | list):
        return inert(joined(value, lang))
    return "" if value is None else inert(str(value))  # a stored control character is shown replaced


# --- rich tables ------------------------------------------------------------------------------


def _rich(rows: Sequence[Any], columns: list[Column], lang: str, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for _name, heading, numeric in columns:
        table.add_column(text(heading, lang), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_cell(getattr(row, name), lang) for name, _h, _n in columns))
    return table


def board_renderables(board: Board, lang: str, tz: str = DEFAULT_TZ) -> list[RenderableType]:
    """The board as rich tables with its footer lines, for a terminal."""
    from rich.text import Text

    parts: list[RenderableType] = [Text(board_title(board, lang), style="bold red")]
    parts.append(_rich(board.rows, _red_columns(board), lang, text("board.red", lang)))
    if board.black_list is not None:
        parts.append(_rich(board.black_list, _black_columns(board), lang, text("board.black", lang)))
    parts += [Text(line) for line in board_footer(board, lang, tz)]
    return parts


# --- CSV --------------------------------------------------------------------------------------


def _list_sheet(name: str, rows: Sequence[Any], columns: list[Column], lang: str) -> SheetTable:
    header = [text(heading, lang) for _n, heading, _r in columns]
    cells = [[worded(n, getattr(row, n), lang) for n, _h, _r in columns] for row in rows]
    return SheetTable(name, header, cells)


def board_sheets(board: Board, lang: str = "zh") -> list[SheetTable]:
    """The red list and (when kept) the black list as sheets, headed in ``lang``, items joined in it."""
    sheets = [_list_sheet(text("board.red_sheet", lang), board.rows, _red_columns(board), lang)]
    if board.black_list is not None:
        sheets.append(_list_sheet(text("board.black_sheet", lang), board.black_list, _black_columns(board), lang))
    return sheets


def board_csv(board: Board, lang: str = "zh") -> str:
    """One row per line of the board, the list it is on first (红榜/黑榜; black rows have no rank)."""
    return red_csv(RedColumns.of(board.rows), board.black_list, lang)


def red_csv(red: RedColumns, black_list: Sequence[BlackRow] | None, lang: str = "zh") -> str:
    """``board_csv`` of a board's red list as columns: a county's CSV has no BoardRow per line."""
    columns: list[Column] = [
        ("rank", "col.rank", True),
        ("household", "col.household", False),
        ("name", "col.head_name", False),
        ("village", "col.village", False),
        ("points", "col.board_points", True),
        ("count", "col.count", True),
        ("items", "col.items", False),
    ]
    header = [text("col.list", lang), *(text(heading, lang) for _n, heading, _r in columns)]
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\r\n")
    writer.writerow(header)
    # A red line is codes, a name and whole numbers, which worded() and csv_cell() give back as
    # they are, for a county's month has ~55,000 lines (bench/RESULTS.md; tests/test_county_reads.py
    # holds both ways to csv_text's bytes).
    listed = text("board.red_sheet", lang)
    if all(map(bare, ([listed], red.households, red.names, red.villages))):
        out.write(_bare_red_lines(listed, red))
    else:  # as columns, of which CsvWriter checks the codes, names and villages
        empty = repeat("")
        writer.writecolumns(
            [repeat(listed), red.ranks, red.households, red.names, red.villages, red.points, empty, empty], (2, 3, 4)
        )
    black = text("board.black_sheet", lang)
    for line in black_list or []:
        writer.writerow([black, *(csv_cell(worded(n, getattr(line, n, None), lang)) for n, _h, _r in columns)])
    return BOM + out.getvalue()


def _bare_red_lines(listed: str, red: RedColumns) -> str:
    """The red list's CSV lines joined by hand, for texts that ``bare`` says CSV writes as they stand.

    The bytes ``CsvWriter.writecolumns`` writes (tests/test_county_reads.py), in 11 ms against its
    33 for a county's 55,000 lines (bench/RESULTS.md; 15 ms formatting the whole numbers on each
    line). A month's points take few values, and so do the ranks: what comes before a line's code
    (the list and the rank) and after its village (the points, two empty cells) is written once a value.
    """
    heads = {rank: f"{listed},{rank}," for rank in set(red.ranks)}
    tails = {points: f",{points},,\r\n" for points in set(red.points)}
    texts = (red.households, red.names, red.villages)
    lines = zip(map(heads.__getitem__, red.ranks), *texts, map(tails.__getitem__, red.points), strict=True)
    return "".join([f"{head}{code},{name},{place}{tail}" for head, code, name, place, tail in lines])


# --- Markdown ---------------------------------------------------------------------------------


def _md_table(rows: Sequence[Any], columns: list[Column], lang: str) -> list[str]:
    lines = ["| " + " | ".join(text(h, lang) for _n, h, _r in columns) + " |"]
    lines.append("|" + "|".join("---:" if numeric else "---" for _n, _h, numeric in columns) + "|")
    for row in rows:
        cells = (_cell(getattr(row, name), lang).replace("|", "\\|") for name, _h, _r in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md_section(title: str, rows: Sequence[Any], columns: list[Column], lang: str) -> list[str]:
    body = _md_table(rows, columns, lang) if rows else [text("board.empty", lang)]
    return ["", f"## {title}", "", *body]


def board_markdown(board: Board, lang: str, tz: str = DEFAULT_TZ) -> str:
    """The board as Markdown, for the group chat or a wiki."""
    lines = [f"# {board_title(board, lang)}", "", text("board.ranked_by", lang)]
    lines += _md_section(text("board.red", lang), board.rows, _red_columns(board), lang)
    if board.black_list is not None:
        lines += _md_section(text("board.black", lang), board.black_list, _black_columns(board), lang)
    lines += ["", "---", ""] + [f"{line}  " for line in board_footer(board, lang, tz)]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML: the board for the wall ----------------------------------------------------------------

_CSS = """
header { text-align: center; border-bottom: 3px double #b71c1c; padding-bottom: 2.5mm; margin-bottom: 3mm; }
.sub { margin: 0; color: #555; font-size: 10pt; }
h2 { font-size: 14pt; margin: 4mm 0 2mm; padding-left: 2.5mm; border-left: 5px solid currentColor; }
section.red h2 { color: #b71c1c; }
th, td { white-space: nowrap; }
td.text { white-space: normal; word-break: keep-all; overflow-wrap: anywhere; }
section.black th { background: #e8e8e8; }
tr.first td { font-weight: bold; }
body.roomy table { font-size: 15pt; } body.roomy td, body.roomy th { padding: 2.6mm 3mm; }
body.comfy table { font-size: 12.5pt; } body.comfy td, body.comfy th { padding: 1.4mm 2.5mm; }
.draft { color: #b71c1c; border: 1px dashed #b71c1c; padding: 1.5mm; text-align: center; margin: 3mm 0; }
.empty { color: #666; }
.issued { display: flex; justify-content: space-between; align-items: flex-end; margin-top: 6mm; break-inside: avoid; }
.issued p { margin: 1mm 0; }
.stampline { text-align: right; font-size: 12pt; }
footer { display: flex; gap: 4mm; align-items: flex-start; margin-top: 5mm; border-top: 1px solid #999;
  padding-top: 2mm; break-inside: avoid; }
footer .marks { flex: 1; font-size: 7.5pt; color: #444; }
footer .marks p { margin: 0.6mm 0; }
footer .code { font-size: 11pt; color: #222; font-weight: bold; }
footer .code span { font-family: "DejaVu Sans Mono", monospace; letter-spacing: 0.08em; }
footer svg { width: 28mm; height: 28mm; flex: none; }
"""

QR_LIMIT = 3  # checkpoints a QR code carries; a county board's many villages go in small print only


def _e(value: Any, lang: str = "zh") -> str:
    return html.escape(_cell(value, lang))


def _html_table(rows: Sequence[Any], columns: list[Column], lang: str, *, podium: bool = False) -> str:
    if not rows:
        return f'<p class="empty">{_e(text("board.empty", lang))}</p>'
    head = "".join(
        f'<th class="num">{_e(text(h, lang))}</th>' if r else f"<th>{_e(text(h, lang))}</th>" for _n, h, r in columns
    )
    body = []
    for row in rows:
        cells = "".join(f"<td{_cell_class(n, r)}>{_e(getattr(row, n), lang)}</td>" for n, _h, r in columns)
        first = podium and getattr(row, "rank", 0) <= 3
        body.append(f'<tr class="first">{cells}</tr>' if first else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"


def _cell_class(name: str, numeric: bool) -> str:
    # Numbers align right; titles and items may wrap between words; codes, names and dates stay on one line.
    return ' class="num"' if numeric else ' class="text"' if name in _WRAPPING else ""


_WRAPPING = frozenset({"title", "items"})


def short_code(board: Board) -> str:
    """The code a reader compares by eye: the first 12 hex digits of the (first) chain head."""
    return _marks(board)[0].hash[:12]


def checkpoint_json(board: Board) -> str:
    """The board's checkpoints as ``moralbank checkpoint -f json`` writes them (what the QR code holds)."""
    marks = [{"village": m.village, "seq": m.seq, "hash": m.hash} for m in _marks(board)]
    import json  # here: a CSV board has no QR code (bench/RESULTS.md, round five)

    return json.dumps(marks, ensure_ascii=False, separators=(",", ":"))


def _qr_svg(payload: str) -> str:
    import segno  # only printing a board needs it

    return str(segno.make(payload, error="m").svg_inline(scale=2, border=2, omitsize=True))


def _density(board: Board) -> str:
    # Few rows would leave half the page empty: larger type and taller rows fill it.
    lines = len(board.rows) + len(board.black_list or [])
    return "roomy" if lines <= 12 else "comfy" if lines <= 24 else ""


def _issued_html(board: Board, lang: str, tz: str, committee: str) -> str:
    if board.published is None:
        return ""
    day = local_time(board.published.published_at, tz)[:10]
    who = committee or text("notice.default_committee", lang, name=board.title)
    left = f"<p>{_e(text('board.published_on', lang, day=long_date(day, lang)))}</p>"
    right = f'<p class="stampline">{_e(text("notice.stamp", lang, committee=who))}</p>'
    sign = f"<p>{_e(text('board.sign_head', lang))}</p>"
    return f'<div class="issued"><div>{left}{sign}</div><div>{right}</div></div>'


def _footer_html(board: Board, lang: str, tz: str) -> str:
    lines = board_footer(board, lang, tz)[0 if board.published else 1 :]  # a draft says so at the top
    hashes = {m.hash for m in _marks(board)} | ({board.published.snapshot_hash} if board.published else set())
    shown = [f'<p class="code">{_e(text("board.short_code", lang))}<span>{short_code(board)}</span></p>']
    for line in lines:
        escaped = _e(line)
        for value in hashes:  # hashes in a monospace font that may break anywhere
            escaped = escaped.replace(value, f"<code>{value}</code>")
        shown.append(f"<p>{escaped}</p>")
    qr = _qr_svg(checkpoint_json(board)) if len(_marks(board)) <= QR_LIMIT else ""
    return '<footer><div class="marks">\n' + "\n".join(shown) + f"\n</div>{qr}</footer>"


def board_html(board: Board, lang: str, tz: str = DEFAULT_TZ, committee: str = "") -> str:
    """One self-contained A4 page: title, red list, black list if enabled, the date, stamp and checkpoint.

    ``committee`` is the village's committee as set (the village's name with 村民委员会 when empty).
    """
    title = board_title(board, lang)
    parts = [f'<header><h1>{_e(title)}</h1><p class="sub">{_e(text("board.ranked_by", lang))}</p></header>']
    if board.published is None:
        parts.append(f'<p class="draft">{_e(text("board.draft", lang))}</p>')
    red = _html_table(board.rows, _red_columns(board), lang, podium=True)
    parts.append(f'<section class="red"><h2>{_e(text("board.red", lang))}</h2>\n{red}\n</section>')
    if board.black_list is not None:
        black = _html_table(board.black_list, _black_columns(board), lang)
        parts.append(f'<section class="black"><h2>{_e(text("board.black", lang))}</h2>\n{black}\n</section>')
    parts.append(_issued_html(board, lang, tz, committee))
    parts.append(_footer_html(board, lang, tz))
    body = "\n".join(part for part in parts if part)
    return page(title, lang, body, _CSS).replace("<body>", f'<body class="{_density(board)}">', 1)
