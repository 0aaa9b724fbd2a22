"""Month boards and credit ratings: the county-wide reads, measured once their commands exist."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from measure import repeat
from operations import (
    BOARD_QUERY_LIMIT,
    NOT_AVAILABLE,
    READ_RATIO,
    Op,
    command_exists,
    op,
    sqlite_cli,
    verdict,
)

if TYPE_CHECKING:
    from run import Bench

BOARD_TARGET = "query part under 50 ms at L"
COUNTY_TARGET = "within 3× of the raw `sqlite3` query"
CREDIT_TARGET = "under 10 s, within 3× of the raw query"
EXPORT_TARGET = "peak memory under 300 MB; time within 3× of the rating"


def missing(key: str, operation: str, target: str) -> Op:
    """A row for a command this build does not have."""
    return op(key, operation, target, verdict=NOT_AVAILABLE)


def boards_and_credit(bench: Bench) -> list[Op]:
    """Board and credit rows: measured where the command exists, marked absent otherwise."""
    rows = []
    if command_exists(bench, "board", "show"):
        rows += measure_boards(bench)
    else:
        rows.append(missing("board_village", "`board show` one village, one month", BOARD_TARGET))
        rows.append(missing("board_county", "`board show --county` one month", COUNTY_TARGET))
    if command_exists(bench, "credit", "rate"):
        rows += measure_credit(bench)
    else:
        rows.append(missing("credit_rate", "`credit rate` whole county", CREDIT_TARGET))
        rows.append(missing("credit_summary", "`credit summary` whole county", CREDIT_TARGET))
        rows.append(missing("credit_export", "`credit export` whole county", EXPORT_TARGET))
    return rows


_STANDINGS = """SELECT m.household, h.head_name, h.consent_board, h.village, m.points
FROM (SELECT household, SUM(earned) AS points FROM entry
      WHERE {where} booked_on >= '{lo}' AND booked_on <= '{hi}' AND earned <> 0
      GROUP BY household HAVING SUM(earned) > 0) m
JOIN household h ON h.code = m.household ORDER BY m.points DESC, m.household"""


def _board(bench: Bench, key: str, label: str, target: str, args: list[str], sql: str) -> Op:
    """One board: whole process, the command in a warm process (query part), the raw query."""
    figure = repeat(bench.mb(*args), bench.runs, warm=True, env=bench.env, cwd=bench.repo)
    query = json.loads(bench.inproc("time", str(max(bench.runs, 5)), "--", *args).splitlines()[-1])["median"]
    row = op(key, label, target, figure, query=query)
    floor = sqlite_cli(bench, sql)
    if floor is not None:
        row |= {"floor": "`sqlite3` CLI, the ranking query", "floor_wall": floor.wall, "ratio": query / floor.wall}
        row["ratio_end_to_end"] = figure.wall / floor.wall
    return row


def measure_boards(bench: Bench) -> list[Op]:
    """One village's board and the county board for the last month, as CSV."""
    month = bench.size.months[-1]
    lo, hi = f"{month}-01", f"{month}-31"
    village = bench.query("SELECT MIN(code) FROM village")[0][0]
    one = _board(
        bench,
        "board_village",
        f"`board show` one village, one month (`--village {village} --month {month} --format csv`)",
        BOARD_TARGET,
        ["board", "show", "--village", village, "--month", month, "--format", "csv"],
        _STANDINGS.format(where=f"village = '{village}' AND", lo=lo, hi=hi),
    )
    one["verdict"] = verdict(one["query"] < BOARD_QUERY_LIMIT)
    county = _board(
        bench,
        "board_county",
        f"`board show --county` one month (`--month {month} --format csv`)",
        COUNTY_TARGET,
        ["board", "show", "--county", "--month", month, "--format", "csv"],
        _STANDINGS.format(where="", lo=lo, hi=hi),
    )
    county["verdict"] = verdict(county.get("ratio", 0) <= READ_RATIO)
    return [one, county]


def measure_credit(bench: Bench) -> list[Op]:
    """Filled in once ``credit rate`` lands."""
    del bench
    return [
        missing("credit_rate", "`credit rate` whole county", CREDIT_TARGET),
        missing("credit_summary", "`credit summary` whole county", CREDIT_TARGET),
        missing("credit_export", "`credit export` whole county", EXPORT_TARGET),
    ]
