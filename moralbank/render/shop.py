"""The supermarket's month report as a table, CSV, xlsx and a printable HTML page."""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

from rich.table import Table

from moralbank.domain.shop import fen_text
from moralbank.messages import text
from moralbank.render.formats import CsvWriter
from moralbank.reports.shop import ShopMonth

SHOP_REPORT_FORMATS = ("table", "json", "csv", "xlsx", "html")
MONTH_COLUMNS = (
    "code",
    "name",
    "unit",
    "price",
    "redeemed",
    "households",
    "coins",
    "received",
    "received_value",
    "adjusted",
    "stock_end",
)


NO_VALUE = "—"  # a receipt whose value nobody knows is not one worth 0.00


def month_rows(report: ShopMonth) -> list[list[Any]]:
    """One list of values per item, in MONTH_COLUMNS order (the value received as yuan text)."""
    return [
        [
            *(i.code, i.name, i.unit, i.price, i.redeemed, i.households, i.coins, i.received),
            *(fen_text(i.received_value_fen) or NO_VALUE, i.adjusted, i.stock_end),
        ]
        for i in report.items
    ]


def _totals(report: ShopMonth, lang: str) -> str:
    return text(
        "shop.report_totals",
        lang,
        households=report.households,
        coins=report.coins,
        value=fen_text(report.received_value_fen) or NO_VALUE,
        outside_count=report.outside_count,
        outside_coins=report.outside_coins,
    )


def month_renderables(report: ShopMonth, lang: str) -> list[Any]:
    """The month as a rich table and its totals line."""
    table = Table(
        title=text("shop.report_title", lang, name=report.village_name, village=report.village, month=report.month)
    )
    for name in MONTH_COLUMNS:
        table.add_column(text(f"col.{name}", lang), justify="left" if name in ("code", "name", "unit") else "right")
    for row in month_rows(report):
        table.add_row(*(str(v) for v in row))
    return [table, _totals(report, lang)]


def month_csv(report: ShopMonth) -> str:
    """CSV with English headings, one row per item."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(MONTH_COLUMNS)
    writer.writerows(month_rows(report))
    return out.getvalue()


def month_xlsx(report: ShopMonth, path: Path, lang: str) -> None:
    """A workbook: headings in the user's language, one row per item, the totals below."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = report.month
    sheet.append([text(f"col.{name}", lang) for name in MONTH_COLUMNS])
    for row in month_rows(report):
        sheet.append(row)
    sheet.append([])
    sheet.append([_totals(report, lang)])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with "=" stays text, never a formula
    book.save(path)


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #444; padding: 4px 6px; }}
td.n {{ text-align: right; }}
</style></head>
<body><h1>{title}</h1>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
<p>{totals}</p>
</body></html>
"""


def month_html(report: ShopMonth, lang: str) -> str:
    """A printable page (A4) of the month, every value escaped."""
    head = "".join(f"<th>{html.escape(text(f'col.{name}', lang))}</th>" for name in MONTH_COLUMNS)
    lines = []
    for row in month_rows(report):
        cells = "".join(
            f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{html.escape(str(v))}</td>" for v in row
        )
        lines.append(f"<tr>{cells}</tr>")
    title = text("shop.report_title", lang, name=report.village_name, village=report.village, month=report.month)
    return _PAGE.format(
        lang="zh-CN" if lang == "zh" else "en",
        title=html.escape(title),
        head=head,
        body="\n".join(lines),
        totals=html.escape(_totals(report, lang)),
    )
