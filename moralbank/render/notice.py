"""The public notice (公示) for people: a terminal table, a sheet, Markdown and a page for the wall.

The wall page is A4 portrait: the title names the village and the month; the posting date, the
deadline for objections, the committee and its contact head the list; a blank note column
takes handwritten remarks; the header repeats on every page, pages are numbered, and the page
ends with the lines the committee signs and stamps. Codes, names, points and dates never wrap;
the standard's title takes the rest of the width and wraps only between words.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from moralbank.messages import text
from moralbank.render.printed import e, long_date, page, sign_lines
from moralbank.render.spreadsheet import SheetTable, sheet_of
from moralbank.reports.notice import Notice, NoticeRow

NOTICE_FORMATS = ("table", "json", "csv", "xlsx", "md", "html")
COLUMNS = ["id", "household", "name", "title", "points", "event_date", "booked_on", "last_day"]
_HEADS = {"name": "col.head_name"}


def committee(notice: Notice, lang: str) -> str:
    """The committee's name as set, else the village's name with 村民委员会."""
    return notice.committee or text("notice.default_committee", lang, name=notice.title)


def notice_title(notice: Notice, lang: str) -> str:
    """``东庄村2026年11月拟记积分公示``: the village and the month it is posted in."""
    year, month = notice.posted_on[:4], int(notice.posted_on[5:7])
    return text("notice.wall_title", lang, name=notice.title, year=year, mon=month)


def notice_facts(notice: Notice, lang: str) -> list[str]:
    """The lines under the title: posted, the deadline, whom to object to."""
    lines = [text("notice.posted", lang, day=long_date(notice.posted_on, lang))]
    if notice.deadline:
        lines.append(text("notice.deadline", lang, day=long_date(notice.deadline, lang)))
    lines.append(text("notice.how", lang, days=notice.notice_days))
    who = committee(notice, lang)
    key = "notice.contact" if notice.contact else "notice.contact_committee"
    lines.append(text(key, lang, committee=who, contact=notice.contact))
    return lines


def _heading(name: str, lang: str) -> str:
    return text(_HEADS.get(name, f"col.{name}"), lang)


# --- terminal, sheet, Markdown ------------------------------------------------------------------


def notice_renderables(notice: Notice, lang: str) -> list[RenderableType]:
    """The notice as a rich table with what heads and explains it."""
    table = Table(title=notice_title(notice, lang))
    for name in COLUMNS:
        table.add_column(_heading(name, lang), justify="right" if name in ("id", "points") else "left")
    for row in notice.rows:
        table.add_row(*(e_plain(getattr(row, name)) for name in COLUMNS))
    return [table, *(Text(line) for line in notice_facts(notice, lang))]


def e_plain(value: object) -> str:
    """A cell for the terminal (stored control characters shown replaced)."""
    from moralbank.domain.limits import inert

    return inert(str(value))


def notice_sheet(notice: Notice, lang: str) -> SheetTable:
    """The notice's rows as one sheet (with a blank note column to fill in)."""
    table = sheet_of(notice.rows, lang, name=notice_title(notice, lang), columns=COLUMNS, labels=None)
    header = [_heading(name, lang) for name in COLUMNS] + [text("col.note", lang)]
    return SheetTable(table.name, header, [[*row, None] for row in table.rows])


def notice_markdown(notice: Notice, lang: str) -> str:
    """The notice as Markdown, for the group chat."""
    lines = [f"# {notice_title(notice, lang)}", "", *(f"{line}  " for line in notice_facts(notice, lang)), ""]
    if not notice.rows:
        return "\n".join([*lines, text("notice.empty", lang)]) + "\n"
    lines.append("| " + " | ".join(_heading(n, lang) for n in COLUMNS) + " |")
    lines.append("|" + "|".join("---:" if n in ("id", "points") else "---" for n in COLUMNS) + "|")
    for row in notice.rows:
        lines.append("| " + " | ".join(e_plain(getattr(row, n)).replace("|", "\\|") for n in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


# --- the page for the wall ----------------------------------------------------------------------

# Widths in millimetres of the 180 mm line; the title column takes what is left.
_WIDTHS = {"no": 10, "id": 14, "household": 17, "name": 17, "points": 11, "event_date": 23, "last_day": 23, "note": 22}
_CSS = """
.facts { margin: 1mm 0 3mm; font-size: 10.5pt; }
.facts p { margin: 0.4mm 0; }
.facts .when { display: flex; justify-content: space-between; font-weight: bold; }
table.notice { table-layout: fixed; font-size: 10pt; }
table.notice td { padding: 0.6mm 1.5mm; line-height: 1.35; }
table.notice td.title { word-break: keep-all; overflow-wrap: anywhere; }
"""


def _row_html(number: int, row: NoticeRow) -> str:
    cells = [
        f'<td class="num">{number}</td>',
        f'<td class="num">{row.id}</td>',
        f'<td class="keep">{e(row.household)}</td>',
        f'<td class="keep">{e(row.name)}</td>',
        f'<td class="title">{e(row.title)}</td>',
        f'<td class="num">{row.points:+d}</td>',
        f'<td class="keep">{e(row.event_date)}</td>',
        f'<td class="keep">{e(row.last_day)}</td>',
        "<td></td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _table_html(notice: Notice, lang: str) -> str:
    names = ["no", "id", "household", "name", "title", "points", "event_date", "last_day", "note"]
    cols = "".join(f'<col style="width:{_WIDTHS[n]}mm">' if n in _WIDTHS else "<col>" for n in names)
    heads = [
        text("col.row_no", lang),
        *(_heading(n, lang) for n in COLUMNS if n != "booked_on"),
        text("col.note", lang),
    ]
    head = "".join(f"<th>{e(h)}</th>" for h in heads)
    body = "\n".join(_row_html(number, row) for number, row in enumerate(notice.rows, start=1))
    return f'<table class="notice"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def notice_html(notice: Notice, lang: str) -> str:
    """The notice as a page to pin on the wall (A4 portrait, numbered pages, signature and stamp lines)."""
    title = notice_title(notice, lang)
    facts = notice_facts(notice, lang)
    when = "".join(f"<span>{e(line)}</span>" for line in facts[:-2])
    rest = "".join(f"<p>{e(line)}</p>" for line in facts[-2:])
    table = _table_html(notice, lang) if notice.rows else f"<p>{e(text('notice.empty', lang))}</p>"
    stamp = text("notice.stamp", lang, committee=committee(notice, lang))
    signs = sign_lines(lang, "notice.sign_poster", "notice.sign_checker")
    body = (
        f'<h1>{e(title)}</h1>\n<div class="facts"><p class="when">{when}</p>{rest}</div>\n{table}\n{signs}\n'
        f'<p class="stamp">{e(stamp)}</p>\n<p class="stamp">{e(long_date(notice.posted_on, lang))}</p>'
    )
    return page(title, lang, body, _CSS)
