"""A village's year report as a table and CSV: fixed columns, then one column per standard category."""

from __future__ import annotations

import io
from typing import Any

from rich.table import Table

from moralbank.messages import text
from moralbank.render.formats import CsvWriter
from moralbank.reports.year import YearReport

YEAR_FORMATS = ("table", "json", "csv")


YEAR_COLUMNS = (
    "household",
    "head_name",
    "earned",
    "base_score",
    "coins_issued",
    "coins_spent",
    "coins_cleared",
    "red_months",
    "black_months",
    "star_title",
)


def _year_values(report: YearReport) -> list[list[Any]]:
    return [
        [getattr(h, name) for name in YEAR_COLUMNS] + [h.by_category[c] for c in report.categories]
        for h in report.households
    ]


def year_table(report: YearReport, lang: str) -> Table:
    """The year as a rich table: the fixed columns, then one column per category."""
    table = Table(title=text("year.title", lang, name=report.village_name, village=report.village, year=report.year))
    for name in YEAR_COLUMNS:
        table.add_column(
            text(f"col.{name}", lang), justify="left" if name in ("household", "head_name", "star_title") else "right"
        )
    for category in report.categories:
        table.add_column(category, justify="right")
    for row in _year_values(report):
        table.add_row(*(str(v) for v in row))
    return table


def year_csv(report: YearReport) -> str:
    """CSV: the fixed columns, then one column per category (named ``category:<name>``)."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow([*YEAR_COLUMNS, *(f"category:{c}" for c in report.categories)])
    writer.writerows(_year_values(report))
    return out.getvalue()
