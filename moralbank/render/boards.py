"""Boards for people: rich tables, CSV, Markdown and a printable A4 HTML page."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from moralbank.config import DEFAULT_TZ
from moralbank.domain.boards import Board
from moralbank.domain.chain import Checkpoint
from moralbank.domain.clock import local_time
from moralbank.domain.limits import inert
from moralbank.messages import text
from moralbank.reports.boards import PublishedRow

BOARD_FORMATS = ("table", "json", "csv", "md", "html")

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
    table = Table(title=title)
    for _name, heading, numeric in columns:
        table.add_column(text(heading, lang), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_cell(getattr(row, name), lang) for name, _h, _n in columns))
    return table


def board_renderables(board: Board, lang: str, tz: str = DEFAULT_TZ) -> list[RenderableType]:
    """The board as rich tables with its footer lines, for a terminal."""
    parts: list[RenderableType] = [Text(board_title(board, lang), style="bold red")]
    parts.append(_rich(board.rows, _red_columns(board), lang, text("board.red", lang)))
    if board.black_list is not None:
        parts.append(_rich(board.black_list, _black_columns(board), lang, text("board.black", lang)))
    parts += [Text(line) for line in board_footer(board, lang, tz)]
    return parts


# --- CSV --------------------------------------------------------------------------------------

BOARD_CSV = ("list", "rank", "household", "name", "village", "points", "count", "items")


def board_csv(board: Board, lang: str = "zh") -> str:
    """One row per line of the board; ``list`` is ``red`` or ``black`` (black rows have no rank).

    A black row's items are joined in ``lang``, as the printed board joins them.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BOARD_CSV)
    for r in board.rows:
        writer.writerow(["red", r.rank, r.household, r.name, r.village, r.points, "", ""])
    for b in board.black_list or []:
        writer.writerow(["black", "", b.household, b.name, b.village, b.points, b.count, joined(b.items, lang)])
    return out.getvalue()


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


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 14mm 16mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 178mm; color: #222; font-size: 11pt; line-height: 1.45;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
    "PingFang SC", "SimHei", sans-serif; }
header { text-align: center; border-bottom: 3px double #b71c1c; padding-bottom: 3mm; margin-bottom: 4mm; }
h1 { color: #b71c1c; font-size: 21pt; margin: 0 0 1.5mm; letter-spacing: 0.08em; }
.sub { margin: 0; color: #555; }
h2 { font-size: 14pt; margin: 5mm 0 2mm; padding-left: 2.5mm; border-left: 5px solid currentColor; }
section.red h2 { color: #b71c1c; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #999; padding: 0.5mm 2.5mm; text-align: left; white-space: nowrap; }
td.text { white-space: normal; }
th { background: #fbe9e7; }
section.black th { background: #e8e8e8; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.first td { font-weight: bold; }
.draft { color: #b71c1c; border: 1px dashed #b71c1c; padding: 1.5mm; text-align: center; margin: 3mm 0; }
.empty { color: #666; }
footer { margin-top: 6mm; border-top: 1px solid #999; padding-top: 2mm; font-size: 8.5pt; color: #444; }
footer p { margin: 1mm 0; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
@media screen { body { padding: 8mm 4mm; } }
"""


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
    # Numbers align right; titles and items may wrap; codes, names and dates stay on one line.
    return ' class="num"' if numeric else ' class="text"' if name in _WRAPPING else ""


_WRAPPING = frozenset({"title", "items"})


def _page(title: str, lang: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _footer_html(board: Board, lang: str, tz: str) -> str:
    lines = board_footer(board, lang, tz)[0 if board.published else 1 :]  # a draft says so at the top
    hashes = {m.hash for m in _marks(board)} | ({board.published.snapshot_hash} if board.published else set())
    shown = []
    for line in lines:
        escaped = _e(line)
        for value in hashes:  # hashes in a monospace font that may break anywhere
            escaped = escaped.replace(value, f"<code>{value}</code>")
        shown.append(f"<p>{escaped}</p>")
    return "<footer>\n" + "\n".join(shown) + "\n</footer>"


def board_html(board: Board, lang: str, tz: str = DEFAULT_TZ) -> str:
    """One self-contained page, printable on A4: title, red list, black list if enabled, checkpoint."""
    title = board_title(board, lang)
    parts = [f'<header><h1>{_e(title)}</h1><p class="sub">{_e(text("board.ranked_by", lang))}</p></header>']
    if board.published is None:
        parts.append(f'<p class="draft">{_e(text("board.draft", lang))}</p>')
    red = _html_table(board.rows, _red_columns(board), lang, podium=True)
    parts.append(f'<section class="red"><h2>{_e(text("board.red", lang))}</h2>\n{red}\n</section>')
    if board.black_list is not None:
        black = _html_table(board.black_list, _black_columns(board), lang)
        parts.append(f'<section class="black"><h2>{_e(text("board.black", lang))}</h2>\n{black}\n</section>')
    parts.append(_footer_html(board, lang, tz))
    return _page(title, lang, "\n".join(parts))
