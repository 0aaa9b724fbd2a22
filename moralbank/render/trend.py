"""Monthly points as terminal bars."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from moralbank.messages import text
from moralbank.reports.trend import Trend

BAR_WIDTH = 40
TREND_FORMATS = ("table", "json")


def bar(points: int, largest: int, width: int = BAR_WIDTH) -> Text:
    """A bar proportional to ``points``; green for gains, red for a net loss; a sliver for any non-zero."""
    if points == 0 or largest == 0:
        return Text("")
    length = max(1, round(abs(points) * width / largest))
    return Text("█" * length, style="green" if points > 0 else "red")


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
            lead = [s.village if number == 0 else ""] if many else []
            table.add_row(*lead, point.month, str(point.points), bar(point.points, largest))
        if many:
            table.add_section()
    return table


def _title(series: list[Trend], lang: str) -> str:
    if len(series) == 1 and series[0].household:
        return text("trend.title_household", lang, household=series[0].household)
    if len(series) == 1:
        return text("trend.title_village", lang, village=series[0].village)
    return text("trend.title_all", lang)
