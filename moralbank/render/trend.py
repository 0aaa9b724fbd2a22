"""Monthly points as terminal bars."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from moralbank.messages import text
from moralbank.reports.trend import Trend

BAR_WIDTH = 40
AXIS = "┆"  # not the table's own rule "│"
TREND_FORMATS = ("table", "json")


def bar(points: int, largest: int, width: int = BAR_WIDTH) -> Text:
    """A signed bar about an axis (``┆``): a loss grows left of it in red, a gain right of it in green.

    Each side has ``width // 2`` cells, scaled to the largest month shown; any non-zero month
    gets at least a sliver, so the sign reads without colour too.
    """
    half = width // 2
    length = 0 if points == 0 or largest == 0 else max(1, round(abs(points) * half / largest))
    shown = Text(" " * (half - length) if points < 0 else " " * half)
    if points < 0:
        shown.append("█" * length, style="red")
    shown.append(AXIS)
    if points > 0:
        shown.append("█" * length, style="green")
    return shown


def trend_table(series: list[Trend], lang: str) -> Table:
    """One row per series and month, with a bar scaled to the largest month shown."""
    largest = max((abs(p.points) for s in series for p in s.months), default=0)
    many = len(series) > 1
    table = Table(title=_title(series, lang))
    if many:
        table.add_column(text("col.village", lang))
    table.add_column(text("col.month", lang))
    table.add_column(text("col.board_points", lang), justify="right")
    table.add_column("")
    for s in series:
        for number, point in enumerate(s.months):
            lead = [f"{s.village} {s.name}" if number == 0 else ""] if many else []
            table.add_row(*lead, point.month, str(point.points), bar(point.points, largest))
        if many:
            table.add_section()
    return table


def _title(series: list[Trend], lang: str) -> str:
    if len(series) == 1 and series[0].household:
        return text("trend.household_in", lang, household=series[0].household, name=series[0].name)
    if len(series) == 1:
        return text("trend.village_named", lang, village=series[0].village, name=series[0].name)
    return text("trend.title_all", lang)
