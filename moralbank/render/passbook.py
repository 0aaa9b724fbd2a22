"""The passbook (存折) for people: a terminal table, a sheet, Markdown and printable A4 pages."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from moralbank.messages import text
from moralbank.render.printed import e, long_date, page, sign_lines
from moralbank.render.spreadsheet import SheetTable, sheet_of
from moralbank.reports.passbook import Statement, StatementLine

STATEMENT_FORMATS = ("table", "json", "csv", "xlsx", "md", "html")
LINE_COLUMNS = ["id", "booked_on", "event_date", "kind", "standard", "title", "qty", "coins", "balance", "earned",
                "posted_on", "reverses", "reversed_by", "note"]  # fmt: skip
SHORT_CODE = 12  # hex digits of the chain head a reader compares by eye


def summary(line: StatementLine, lang: str) -> str:
    """What the line is about, in words: the standard, the goods, or the line a reversal undoes."""
    if line.kind == "reversal":
        return text("passbook.reverses", lang, id=line.reverses, reason=line.note)
    what = line.title or line.note
    if line.reversed_by is not None:
        what += text("passbook.reversed_by", lang, id=line.reversed_by)
    return what


def _signed(coins: int) -> str:
    return f"{coins:+d}" if coins else "0"


def kind_word(line: StatementLine, lang: str) -> str:
    """加分, 扣分, 兑换, 冲正, 拟记, 已作废 … as the household reads it."""
    return text(f"value.kind.{line.kind}", lang)


def period(statement: Statement, lang: str) -> str:
    """The dates the passbook covers, in words."""
    if statement.date_from is None and statement.date_to is None:
        return text("passbook.all_time", lang)
    lo = long_date(statement.date_from, lang) if statement.date_from else text("passbook.first_day", lang)
    hi = long_date(statement.date_to, lang) if statement.date_to else text("passbook.today", lang)
    return text("passbook.period", lang, lo=lo, hi=hi)


def verification(statement: Statement, lang: str) -> str:
    """The line a household or an auditor checks against ``moralbank verify``: the village's chain head."""
    mark = statement.checkpoint
    return text("passbook.verify", lang, village=mark.village, seq=mark.seq, code=mark.hash[:SHORT_CODE])


# --- terminal, sheets, Markdown -----------------------------------------------------------------

_TABLE = ["id", "booked_on", "kind", "summary", "coins", "balance"]


def statement_renderables(statement: Statement, lang: str) -> list[RenderableType]:
    """The passbook for a terminal: who, the opening balance, the lines, the closing figures."""
    title = text("statement.title", lang, household=statement.household, name=statement.head_name)
    table = Table(title=title)
    for name in _TABLE:
        table.add_column(text(f"col.{name}", lang), justify="right" if name in ("id", "coins", "balance") else "left")
    for line in statement.lines:
        table.add_row(str(line.id), line.booked_on, kind_word(line, lang), summary(line, lang),
                      _signed(line.coins), str(line.balance))  # fmt: skip
    return [
        Text(text("statement.opening", lang, coins=statement.opening)),
        table,
        Text(text("statement.closing", lang, coins=statement.closing)),
        Text(text("passbook.earned", lang, points=statement.earned)),
    ]


def statement_sheet(statement: Statement, lang: str) -> SheetTable:
    """The lines as one sheet named after the household."""
    return sheet_of(statement.lines, lang, name=f"{statement.household} {statement.head_name}", columns=LINE_COLUMNS)


def statement_sheets(statements: Sequence[Statement], lang: str) -> list[SheetTable]:
    """One sheet per household."""
    return [statement_sheet(s, lang) for s in statements]


def statement_markdown(statement: Statement, lang: str) -> str:
    """The passbook as Markdown, for the group chat."""
    heads = [text(f"col.{name}", lang) for name in _TABLE]
    rows = ["| " + " | ".join(heads) + " |", "|---:|---|---|---|---:|---:|"]
    for line in statement.lines:
        cells = [str(line.id), line.booked_on, kind_word(line, lang), summary(line, lang).replace("|", "\\|"),
                 _signed(line.coins), str(line.balance)]  # fmt: skip
        rows.append("| " + " | ".join(cells) + " |")
    body = rows if statement.lines else [text("passbook.no_lines", lang)]
    return "\n".join([
        f"# {_title(statement, lang)}", "", *_facts(statement, lang), "", *body, "",
        text("statement.closing", lang, coins=statement.closing) + "  ",
        text("passbook.earned", lang, points=statement.earned) + "  ",
        verification(statement, lang),
    ]) + "\n"  # fmt: skip


def _title(statement: Statement, lang: str) -> str:
    return text("passbook.title", lang, village=statement.village_name)


def _facts(statement: Statement, lang: str) -> list[str]:
    return [
        text("passbook.holder", lang, name=statement.head_name, household=statement.household) + "  ",
        text("passbook.covers", lang, period=period(statement, lang)) + "  ",
        text("statement.opening", lang, coins=statement.opening),
    ]


# --- printed pages --------------------------------------------------------------------------------

_CSS = """
section.book { break-after: page; }
section.book:last-child { break-after: auto; }
.facts { display: flex; flex-wrap: wrap; justify-content: space-between; margin: 2mm 0 3mm; }
.facts p { margin: 0.5mm 0; }
.closing { margin-top: 3mm; font-weight: bold; }
.closing p { margin: 0.5mm 0; }
td.plus { color: #1b5e20; }
td.minus { color: #b71c1c; }
"""


def _row_html(line: StatementLine, lang: str) -> str:
    sign = "plus" if line.coins > 0 else "minus" if line.coins < 0 else ""
    return (
        f'<tr><td class="keep">{e(line.booked_on)}</td><td class="keep">{e(kind_word(line, lang))}</td>'
        f'<td class="text">{e(summary(line, lang))}</td><td class="num {sign}">{_signed(line.coins)}</td>'
        f'<td class="num">{line.balance}</td><td class="num">{line.id}</td></tr>'
    )


def _book_html(statement: Statement, lang: str, printed_on: str) -> str:
    heads = "".join(
        f"<th{' class=num' if key in ('coins', 'balance', 'id') else ''}>{e(text(f'col.{key}', lang))}</th>"
        for key in ("booked_on", "kind", "summary", "coins", "balance", "id")
    )
    rows = "\n".join(_row_html(line, lang) for line in statement.lines)
    empty = f'<tr><td colspan="6">{e(text("passbook.no_lines", lang))}</td></tr>'
    facts = "".join(f"<p>{e(fact.rstrip())}</p>" for fact in _facts(statement, lang))
    return (
        f'<section class="book">\n<h1>{e(_title(statement, lang))}</h1>\n<div class="facts">{facts}</div>\n'
        f"<table><thead><tr>{heads}</tr></thead><tbody>\n{rows or empty}\n</tbody></table>\n"
        f'<div class="closing"><p>{e(text("statement.closing", lang, coins=statement.closing))}</p>'
        f"<p>{e(text('passbook.earned', lang, points=statement.earned))}</p></div>\n"
        f'<p class="small">{e(verification(statement, lang))} · '
        f"{e(text('passbook.printed_on', lang, day=long_date(printed_on, lang)))}</p>\n"
        f"{sign_lines(lang, 'passbook.sign_clerk', 'passbook.sign_holder')}\n</section>"
    )


def passbook_html(statements: Sequence[Statement], lang: str, printed_on: str) -> str:
    """Every household's passbook on its own A4 page(s), for the monthly handout."""
    books = [_book_html(s, lang, printed_on) for s in statements]
    first = statements[0] if statements else None
    title = _title(first, lang) if first else text("passbook.title", lang, village="")
    return page(title, lang, "\n".join(books) or e(text("passbook.none", lang)), _CSS)
