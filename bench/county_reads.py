"""Month boards and credit ratings: the county-wide reads, measured once their commands exist."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from measure import Figure, repeat, run
from operations import (
    BOARD_QUERY_LIMIT,
    CREDIT_LIMIT,
    CREDIT_RATIO,
    EXPORT_MB,
    NOT_AVAILABLE,
    READ_LIMIT,
    READ_RATIO,
    Op,
    command_exists,
    op,
    sqlite_cli,
    verdict,
)

from moralbank.domain.clock import today as business_today

if TYPE_CHECKING:
    from run import Bench

BOARD_TARGET = "under 0.35 s end to end; query part under 50 ms at L"
COUNTY_TARGET = "within 3× of the raw `sqlite3` query, end to end"
CREDIT_TARGET = "within 2× of the raw queries, peak memory under 150 MB"
EXPORT_TARGET = "within 2× of the raw queries, peak memory under 150 MB (streamed)"


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


def same_sql(bench: Bench, args: list[str], row: Op) -> None:
    """Beside the floor, the command's own statements (traced, parameters bound) in the sqlite3 shell.

    Not the target's floor, which is the issue's raw query: this tells how much of the command's
    time is its SQL (the consent in force, the household's current record) and how much Python.
    """
    sent = json.loads(bench.inproc("sql", "--", *args).splitlines()[-1])
    figure = sqlite_cli(bench, ";\n".join(sent) + ";")
    if figure is not None:
        row["same_sql_wall"] = figure.wall


def _board(bench: Bench, key: str, label: str, target: str, args: list[str], sql: str) -> Op:
    """One board: whole process, the command in a warm process (query part), the raw query."""
    figure = repeat(bench.mb(*args), bench.runs, warm=True, env=bench.env, cwd=bench.repo)
    query = json.loads(bench.inproc("time", str(max(bench.runs, 5)), "--", *args).splitlines()[-1])["median"]
    row = op(key, label, target, figure, query=query)
    floor = sqlite_cli(bench, sql)
    if floor is not None:
        row |= {"floor": "`sqlite3` CLI, the ranking query", "floor_wall": floor.wall, "ratio": query / floor.wall}
        row["ratio_end_to_end"] = figure.wall / floor.wall
        same_sql(bench, args, row)
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
    one["verdict"] = verdict(one["query"] < BOARD_QUERY_LIMIT and one["wall"] < READ_LIMIT)
    county = _board(
        bench,
        "board_county",
        f"`board show --county` one month (`--month {month} --format csv`)",
        COUNTY_TARGET,
        ["board", "show", "--county", "--month", month, "--format", "csv"],
        _STANDINGS.format(where="", lo=lo, hi=hi),
    )
    county["verdict"] = verdict(county.get("ratio_end_to_end", 0) <= READ_RATIO)
    return [one, county]


def _window_start(as_of: date, months: int) -> str:
    """The first day of a policy window of ``months`` ending on ``as_of``."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return date(index // 12, index % 12 + 1, min(as_of.day, 28)).isoformat()


def _rating_sql(as_of: date) -> str:
    """The raw queries a county rating needs: points in the window per household, and vetoes."""
    hi, lo, veto_lo = as_of.isoformat(), _window_start(as_of, 12), _window_start(as_of, 24)
    points = (
        f"SELECT household, SUM(CASE WHEN booked_on >= '{lo}' THEN earned ELSE 0 END) AS points, "
        f"MIN(booked_on) AS first_booked FROM entry WHERE booked_on <= '{hi}' GROUP BY household"
    )
    households = (
        "SELECT h.code, h.village, h.head_name, h.registered_on, h.consent_bank, p.points, p.first_booked "
        f"FROM household h LEFT JOIN ({points}) p ON p.household = h.code ORDER BY h.code;"
    )
    vetoes = (
        "SELECT e.household, e.id FROM entry e JOIN standard s ON s.id = e.standard_id "
        f"WHERE e.kind = 'deduction' AND s.veto = 1 AND e.booked_on >= '{veto_lo}' AND e.booked_on <= '{hi}' "
        "AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.village = e.village AND r.ref_seq = e.seq "
        f"AND r.kind = 'reversal' AND r.booked_on <= '{hi}');"
    )
    return households + vetoes


def measure_credit(bench: Bench) -> list[Op]:
    """``credit rate`` and ``credit summary`` of the whole county, and a signed bank export."""
    as_of = business_today()  # the business timezone's today, as the commands take it
    when = ["--as-of", as_of.isoformat()]
    floor = sqlite_cli(bench, _rating_sql(as_of))
    rows = []
    for key, args in (("credit_rate", ["credit", "rate"]), ("credit_summary", ["credit", "summary"])):
        command = [*args, *when, "--format", "csv"]
        figure = repeat(bench.mb(*command), bench.runs, warm=True, env=bench.env, cwd=bench.repo)
        query = json.loads(bench.inproc("time", str(bench.runs), "--", *command).splitlines()[-1])["median"]
        label = f"`{' '.join(args)}` whole county (`--as-of {as_of} --format csv`)"
        row = op(key, label, CREDIT_TARGET, figure, query=query)
        if floor is not None:
            row |= {"floor": "`sqlite3` CLI: points per household and vetoes", "floor_wall": floor.wall}
            row |= {"ratio": query / floor.wall, "ratio_end_to_end": figure.wall / floor.wall}
            same_sql(bench, command, row)
        ok = row.get("ratio_end_to_end", 0) <= CREDIT_RATIO and figure.peak_mb < EXPORT_MB
        row["verdict"] = verdict(figure.wall < CREDIT_LIMIT and ok)
        rows.append(row)
    rows.append(export(bench, when, rows[0]))
    return rows


def export(bench: Bench, when: list[str], rating: Op) -> Op:
    """A signed export of every consenting credit household for one bank, streamed to a file."""
    keys = bench.home / "keys"
    if not (keys / "moralbank_signing.key").is_file():
        run(bench.mb("keys", "generate", "--out", str(keys)), env=bench.env, cwd=bench.repo)
    figure = Figure()
    for n in range(bench.runs):
        out = bench.home / f"export-{n}.csv"
        for old in bench.home.glob(f"export-{n}.csv*"):
            old.unlink()
        args = ["credit", "export", *when, "--bank", "高密农商银行", "--out", str(out)]
        figure.add(
            run(bench.mb(*args, "--signing-key", str(keys / "moralbank_signing.key")), env=bench.env, cwd=bench.repo)
        )
    raw = rating.get("floor_wall", rating["wall"])
    ratio = figure.wall / raw
    row = op("credit_export", f"`credit export` whole county (`{' '.join(when)}`, signed CSV)", EXPORT_TARGET, figure)
    row |= {"floor": "`sqlite3` CLI: the rating's raw queries", "floor_wall": raw, "ratio": ratio}
    row["verdict"] = verdict(figure.peak_mb < EXPORT_MB and ratio <= CREDIT_RATIO)
    return row
