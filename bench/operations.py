"""The operations of issue 6, each timed beside its floor, with the target it must meet."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from measure import Figure, repeat, run

from moralbank.domain.clock import today as business_today

if TYPE_CHECKING:
    from run import Bench

Op = dict[str, Any]
NOT_AVAILABLE = "not available in this build"
# Issue 16's targets (issue 6's where issue 16 sets none: award, reverse, redeem under 1 s).
HELP_LIMIT, TERMINAL_LIMIT, BOARD_QUERY_LIMIT, CREDIT_LIMIT = 0.15, 1.0, 0.050, 10.0
IMPORT_RATIO, READ_RATIO, VERIFY_RATE, EXPORT_MB = 2.5, 3.0, 400_000, 150
READ_LIMIT = 0.35  # balance, statement, household show, village board, report trend, end to end
CREDIT_RATIO, VERIFY_RATIO, JOURNAL_RATIO = 2.0, 1.5, 1.5


def op(key: str, operation: str, target: str, figure: Figure | None = None, **extra: Any) -> Op:
    """One row of the results table."""
    row: Op = {"id": key, "operation": operation, "target": target}
    if figure is not None:
        row |= {"wall": figure.wall, "peak_mb": figure.peak_mb, "runs": figure.runs, "cpu": figure.cpu}
    return row | extra


def verdict(ok: bool) -> str:
    """pass or miss."""
    return "pass" if ok else "miss"


def sqlite_cli(bench: Bench, sql: str, *, sink: bool = False) -> Figure | None:
    """The raw ``sqlite3`` CLI running one query on the same database file (None when absent)."""
    if shutil.which("sqlite3") is None:
        return None
    return repeat(["sqlite3", str(bench.db), sql], bench.runs, warm=True, sink=sink)


def entry_point(bench: Bench) -> list[str]:
    """The installed ``moralbank`` script beside this Python, else ``python -m cli``."""
    script = Path(bench.python).parent / "moralbank"
    return [str(script)] if script.is_file() else bench.mb()


def quick(bench: Bench) -> list[Op]:
    """``--help`` and ``--version`` of the installed command, beside a bare interpreter start."""
    floor = repeat([bench.python, "-c", "pass"], bench.runs, warm=True)
    rows = []
    for flag in ("--help", "--version"):
        figure = repeat([*entry_point(bench), flag], bench.runs, warm=True, env=bench.env, cwd=bench.home)
        rows.append(
            op(
                flag.strip("-"),
                f"`moralbank {flag}`",
                f"under {HELP_LIMIT} s",
                figure,
                floor="`python -c pass`",
                floor_wall=floor.wall,
                ratio=figure.wall / floor.wall,
                verdict=verdict(figure.wall < HELP_LIMIT),
            )
        )
    return rows


def imports(built: dict[str, Any]) -> Op:
    """The monthly decision imports of the build, beside executemany-with-chain of the same rows."""
    months = built["months"]
    rates = [m["rows"] / m["wall"] for m in months]
    floor_rates = [m["rows"] / m["floor_wall"] for m in months]
    ratios = [m["wall"] / m["floor_wall"] for m in months]
    last = months[-3:]
    ratio_last = statistics.median(m["wall"] / m["floor_wall"] for m in last)
    return op(
        "import",
        "import decisions sheets (one month, whole county)",
        f"within {IMPORT_RATIO}× of the floor",
        wall=statistics.median(m["wall"] for m in months),
        peak_mb=max(m["peak_mb"] for m in months),
        rate=statistics.median(rates),
        rows=statistics.median(m["rows"] for m in months),
        floor="`sqlite3.executemany` + SHA-256 chain, one transaction, same schema and rows",
        floor_wall=statistics.median(m["floor_wall"] for m in months),
        floor_rate=statistics.median(floor_rates),
        ratio=statistics.median(ratios),
        ratio_last=ratio_last,
        rate_last=statistics.median(m["rows"] / m["wall"] for m in last),
        sheets=len(months),
        cpu_ratio=statistics.median(m.get("cpu", 0) / max(m.get("floor_cpu", 0), 1e-9) for m in months),
        verdict=verdict(statistics.median(ratios) <= IMPORT_RATIO),
    )


BIG_IMPORT_MB = 400


def big_imports(built: dict[str, Any]) -> list[Op]:
    """The whole history as one file, its first million rows as one CSV, and all months together."""
    rows = []
    months = built["months"]
    total, floor_total = sum(m["wall"] for m in months), sum(m["floor_wall"] for m in months)
    rows.append(
        op(
            "import_months",
            f"import, {len(months)} monthly sheets one after another ({sum(m['rows'] for m in months):,} rows)",
            f"within {IMPORT_RATIO}× of the floor",
            wall=total,
            peak_mb=max(m["peak_mb"] for m in months),
            floor="the same sheets appended by the floor, one after another",
            floor_wall=floor_total,
            ratio=total / floor_total,
            verdict=verdict(total / floor_total <= IMPORT_RATIO),
        )
    )
    for key, label in (("whole", "the whole history in one file"), ("million", "a 1,000,000-row CSV")):
        if key not in built.get("big", {}):
            continue
        big = built["big"][key]
        ratio = big["wall"] / big["floor_wall"]
        rows.append(
            op(
                f"import_{key}",
                f"import, {label} ({big['rows']:,} rows, into the bare register)",
                f"within {IMPORT_RATIO}× of the floor, peak memory under {BIG_IMPORT_MB} MB",
                wall=big["wall"],
                peak_mb=big["peak_mb"],
                cpu=big["cpu"],
                floor=f"executemany + SHA-256 chain of the same rows, {big['floor_peak_mb']:.0f} MB",
                floor_wall=big["floor_wall"],
                ratio=ratio,
                verdict=verdict(ratio <= IMPORT_RATIO and big["peak_mb"] < BIG_IMPORT_MB),
            )
        )
    return rows


def award(bench: Bench) -> list[Op]:
    """One award end to end, beside one hash-chained insert committed by raw sqlite3."""
    household = bench.query("SELECT code FROM household ORDER BY code DESC LIMIT 1")[0][0]
    stamp = time.strftime("%Y%m%d%H%M%S")
    figure, floor = Figure(), Figure()
    for n in range(bench.runs):
        key = f"bench-award-{stamp}-{n}"
        # Last month's behaviour recorded at this month's meeting: the cap check reads the busiest month.
        on, booked = f"{bench.size.months[-1]}-20", business_today().isoformat()  # never the host's date
        args = ["award", household, "ZY01", "--on", on, "--booked", booked, "--key", key]
        figure.add(bench.run_mb(*args))
        floor.add(run(bench.floor("append-one", str(bench.floor_db), household, "*:ZY01:1", "5", key)))
    row = op(
        "award",
        "`award` one decision, end to end",
        f"under {TERMINAL_LIMIT} s, flat from S to L",
        figure,
        floor="one chained INSERT + COMMIT, raw Python sqlite3 (whole process)",
        floor_wall=floor.wall,
        ratio=figure.wall / floor.wall,
        verdict=verdict(figure.wall < TERMINAL_LIMIT),
    )
    return [row, *corrections(bench)]


def corrections(bench: Bench) -> list[Op]:
    """The reversals and redemptions timed as whole processes while building (informational)."""
    timed = bench.built["corrections"]["timed"]
    rows = []
    for name, label in (("reverse", "`reverse` one entry"), ("redeem", "`redeem` coins")):
        if timed.get(name):
            figure = Figure(runs=timed[name], peaks=[0.0])
            rows.append(op(name, label, f"(as `award`) under {TERMINAL_LIMIT} s", figure, peak_mb=None))
            rows[-1]["verdict"] = verdict(figure.wall < TERMINAL_LIMIT)
    return rows


_BALANCE = "SELECT COALESCE(SUM(coins), 0), COALESCE(SUM(earned), 0) FROM entry WHERE household = '{h}'"
_LINES = """SELECT e.id, e.seq, e.booked_on, e.event_date, e.kind, COALESCE(s.code, ''), COALESCE(s.title, ''),
e.qty, e.coins, e.earned, e.operator, e.note, o.id, r.id FROM entry e
LEFT JOIN standard s ON s.id = e.standard_id
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
LEFT JOIN entry r ON r.village = e.village AND r.ref_seq = e.seq
WHERE e.household = '{h}' ORDER BY e.booked_on, e.village, e.seq"""


def terminal_read(bench: Bench, key: str, args: list[str], sql: str, label: str) -> Op:
    """A read a committee types: whole process, query part in a warm process, raw sqlite3 floor."""
    figure = repeat(bench.mb(*args), bench.runs, warm=True, env=bench.env, cwd=bench.repo)
    query = json.loads(bench.inproc("time", str(max(bench.runs, 5)), "--", *args).splitlines()[-1])
    floor = sqlite_cli(bench, sql)
    row = op(
        key,
        label,
        f"under {READ_LIMIT} s end to end; query part flat from S to L",
        figure,
        query=query["median"],
        verdict=verdict(figure.wall < READ_LIMIT),
    )
    if floor is not None:
        row |= {"floor": "`sqlite3` CLI, same query", "floor_wall": floor.wall, "ratio": query["median"] / floor.wall}
    return row


def passbook(bench: Bench) -> list[Op]:
    """``balance`` and ``statement`` of the household with the most entries."""
    household, entries = bench.query(
        "SELECT household, COUNT(*) FROM entry GROUP BY household ORDER BY 2 DESC, 1 LIMIT 1"
    )[0]
    label = f" of one household ({entries} entries)"
    village = bench.query("SELECT MIN(code) FROM village")[0][0]
    last = bench.size.months[-1]
    first = bench.size.months[-min(12, len(bench.size.months))]
    trend = _TREND.format(v=village, lo=f"{first}-01", hi=f"{last}-31")
    return [
        terminal_read(bench, "balance", ["balance", household], _BALANCE.format(h=household), "`balance`" + label),
        terminal_read(bench, "statement", ["statement", household], _LINES.format(h=household), "`statement`" + label),
        terminal_read(
            bench,
            "household_show",
            ["household", "show", household],
            _HOUSEHOLD.format(h=household),
            "`household show` of the same household",
        ),
        terminal_read(
            bench,
            "trend",
            ["report", "trend", "--village", village, "--until", last],
            trend,
            f"`report trend` of one village, 12 months (`--village {village} --until {last}`)",
        ),
    ]


_HOUSEHOLD = (
    "SELECT h.*, (SELECT COALESCE(SUM(coins), 0) FROM entry WHERE household = h.code) FROM household h "
    "WHERE h.code = '{h}'"
)
_TREND = (
    "SELECT substr(booked_on, 1, 7), SUM(earned) FROM entry WHERE village = '{v}' "
    "AND booked_on >= '{lo}' AND booked_on <= '{hi}' GROUP BY 1"
)
# The journal's text, printed by the sqlite3 shell itself (bench/README.md).
JOURNAL_SQL = (
    "SELECT printf('%s (%s-%d) %s %s%s%s' || char(10) || '    %s  %d coins' || char(10) || '    %s  -%d coins' "
    "|| char(10), e.booked_on, e.village, e.seq, e.kind, e.household, "
    "CASE WHEN s.code IS NULL THEN '' ELSE ' ' || s.code || ' ' || s.title END, "
    "CASE WHEN e.note = '' THEN '' ELSE '  ; ' || e.note END, e.credit, e.amount, e.debit, e.amount) "
    "FROM entry e LEFT JOIN standard s ON s.id = e.standard_id WHERE e.amount > 0 ORDER BY e.booked_on, e.village, e.seq;"
)


def journal(bench: Bench) -> Op:
    """``export journal`` of the whole ledger to a file, beside the sqlite3 shell printing the same text."""
    out = bench.home / "journal.txt"
    figure = repeat(
        bench.mb("export", "journal", "--out", str(out)), bench.runs, warm=True, env=bench.env, cwd=bench.repo
    )
    floor = sqlite_cli(bench, JOURNAL_SQL, sink=True)
    row = op(
        "journal", "`export journal` of the whole ledger (to a file)", f"within {JOURNAL_RATIO}× of the floor", figure
    )
    if floor is not None:
        ratio = figure.wall / floor.wall
        row |= {"floor": "`sqlite3` CLI printing the same text", "floor_wall": floor.wall, "ratio": ratio}
        row["verdict"] = verdict(ratio <= JOURNAL_RATIO)
        # The floor prints to /dev/null; the command writes a file of the same text. The shell
        # writing that file too is shown beside it (not the verdict's floor).
        to_file = repeat(["sqlite3", str(bench.db), f".output {out}.floor", JOURNAL_SQL], bench.runs, warm=True)
        row["file_floor_wall"] = to_file.wall
        Path(f"{out}.floor").unlink(missing_ok=True)
    return row


_SCAN = "SELECT * FROM entry ORDER BY village, seq"


def verify(bench: Bench) -> Op:
    """``verify`` of the whole ledger, beside a raw scan and a raw Python re-check of the chains."""
    figure = repeat(bench.mb("verify", "--format", "json"), bench.runs, warm=True, env=bench.env, cwd=bench.repo)
    report = json.loads(bench.run_mb("verify", "--format", "json").stdout)
    recheck = repeat(bench.floor("recheck", str(bench.db)), bench.runs, warm=False)
    scan = sqlite_cli(bench, _SCAN, sink=True)
    rate = report["entries"] / figure.wall
    row = op(
        "verify",
        f"`verify` of the whole ledger ({report['entries']:,} entries)",
        f"at least {VERIFY_RATE:,} entries/s, or within {VERIFY_RATIO}× of the re-check",
        figure,
        entries=report["entries"],
        rate=rate,
        cpu_rate=report["entries"] / max(figure.cpu, 1e-9),
        floor="Python sqlite3 re-check of every chain (whole process)",
        floor_wall=recheck.wall,
        ratio=figure.wall / recheck.wall,
        verdict=verdict((rate >= VERIFY_RATE or figure.wall / recheck.wall <= VERIFY_RATIO) and report["ok"]),
    )
    if scan is not None:
        row |= {"scan_wall": scan.wall}
    return row


def command_exists(bench: Bench, *words: str) -> bool:
    """Whether this build has the command (its ``--help`` exits 0)."""
    try:
        run(bench.mb(*words, "--help"), env=bench.env, cwd=bench.repo)
    except RuntimeError:
        return False
    return True


def measure_all(bench: Bench, built: dict[str, Any], *, smoke: bool) -> list[Op]:
    """Every operation of the issue's table, in its order."""
    from county_reads import boards_and_credit

    bench.built = built
    steps: list[Callable[[], list[Op]]] = [
        lambda: quick(bench),
        lambda: [imports(built)],
        lambda: big_imports(built),
        lambda: award(bench),
        lambda: passbook(bench),
        lambda: boards_and_credit(bench),
        lambda: [verify(bench)],
        lambda: [journal(bench)],
    ]
    rows: list[Op] = []
    for step in steps:
        done = step()
        bench.log("  " + "; ".join(f"{r['id']} {_short(r)}" for r in done))
        rows += done
    del smoke  # the smoke run measures the same operations, once each
    return rows


def _short(row: Op) -> str:
    if "wall" not in row:
        return str(row.get("verdict", ""))
    return f"{row['wall']:.3f} s {row.get('verdict', '')}"


def smoke_checks(result: dict[str, Any]) -> None:
    """What the CI smoke run insists on: every step ran, the chains re-check independently."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from floor import CHAIN_FIELDS

    from moralbank.domain.chain import CHAIN_FIELDS as CORE_FIELDS

    assert CHAIN_FIELDS == CORE_FIELDS, "bench/floor.py hashes different fields from the ledger"
    rows = {r["id"]: r for r in result["operations"]}
    build = result["build"]
    decisions = sum(m["rows"] for m in build["months"])
    fixes = build["corrections"]["reversals"] + build["corrections"]["redemptions"]
    expected = decisions + fixes + result["runs"]  # plus one award per run
    assert rows["verify"]["entries"] == expected, f"verify saw {rows['verify']['entries']}, expected {expected}"
    for key in ("help", "version", "import", "award", "balance", "statement", "verify"):
        assert rows[key].get("wall", 0) > 0, f"{key} was not measured"
