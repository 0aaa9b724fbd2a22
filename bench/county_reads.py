"""Month boards and credit ratings: the county-wide reads, measured once their commands exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from operations import NOT_AVAILABLE, Op, command_exists, op

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


def measure_boards(bench: Bench) -> list[Op]:
    """Filled in once ``board show`` lands."""
    del bench
    return [
        missing("board_village", "`board show` one village, one month", BOARD_TARGET),
        missing("board_county", "`board show --county` one month", COUNTY_TARGET),
    ]


def measure_credit(bench: Bench) -> list[Op]:
    """Filled in once ``credit rate`` lands."""
    del bench
    return [
        missing("credit_rate", "`credit rate` whole county", CREDIT_TARGET),
        missing("credit_summary", "`credit summary` whole county", CREDIT_TARGET),
        missing("credit_export", "`credit export` whole county", EXPORT_TARGET),
    ]
