"""Build a synthetic county through the real commands, time every operation, write RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import SIZES, Size, generate  # noqa: E402
from measure import Sample, machine, run  # noqa: E402

REVERSAL_REASON = "评议有误，予以冲正"
ITEMS = ("洗衣粉一袋", "食用油一桶", "大米十斤", "毛巾两条", "香皂一盒")
TIMED_CORRECTIONS = 3  # reversals and redemptions timed as whole processes; the rest run in one
Log = Callable[[str], None]


@dataclass
class Bench:
    """One size's data, databases and environment."""

    size: Size
    runs: int
    home: Path
    log: Log
    python: str = sys.executable
    repo: Path = ROOT
    built: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        """The generated sheets."""
        return self.home / "data"

    @property
    def db(self) -> Path:
        """The moralbank database built through the commands."""
        return self.home / "moralbank.db"

    @property
    def floor_db(self) -> Path:
        """The floor's database: the same schema and register, appended to by raw sqlite3."""
        return self.home / "floor.db"

    @property
    def register_db(self) -> Path:
        """The register alone (villages, households, standards; no entries): where big sheets start."""
        return self.home / "register.db"

    @property
    def env(self) -> dict[str, str]:
        """The environment of every moralbank process."""
        return os.environ | {
            "MORALBANK_DB": str(self.db),
            "MORALBANK_OPERATOR": "bench",
            "MORALBANK_LANG": "en",
            "COLUMNS": "200",
        }

    def mb(self, *args: str) -> list[str]:
        """The moralbank command, run from the repository's own cli.py."""
        return [self.python, "-m", "cli", *args]

    def run_mb(self, *args: str) -> Sample:
        """Run one moralbank command as a whole process."""
        return run(self.mb(*args), env=self.env, cwd=ROOT)

    def floor(self, *args: str) -> list[str]:
        """The floor script (raw Python sqlite3)."""
        return [self.python, str(BENCH / "floor.py"), *args]

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the benchmark database directly (to choose targets, never to time anything)."""
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def inproc(self, *args: str) -> str:
        """Run bench/inproc.py (commands inside one warm process) and return what it printed."""
        return run([self.python, str(BENCH / "inproc.py"), *args], env=self.env, cwd=ROOT).stdout


# --- building a county through the real commands -----------------------------------------------


def fresh_databases(bench: Bench) -> None:
    """Remove the previous databases of this size."""
    for db in (bench.db, bench.floor_db, bench.register_db, bench.home / "big.db", bench.home / "big-floor.db"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def register(bench: Bench) -> dict[str, Any]:
    """init, import villages and households, adopt the standards; copy the result for the floor."""
    bench.run_mb("init")
    bench.run_mb("import", "villages", str(bench.data / "villages.csv"))
    households = bench.run_mb("import", "households", str(bench.data / "households.csv"))
    bench.run_mb("standard", "adopt", str(bench.data / "standards.toml"))
    for copy in (bench.floor_db, bench.register_db):
        source, target = sqlite3.connect(bench.db), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
    bench.log(f"  {bench.size.households} households imported in {households.wall:.2f} s")
    return {"wall": households.wall, "peak_mb": households.peak_mb, "rows": bench.size.households}


def import_sheets(bench: Bench, sheets: list[str]) -> list[dict[str, Any]]:
    """Import each month's sheet with the real command, then append the same rows as the floor."""
    toml = str(bench.data / "standards.toml")
    months = []
    for sheet in sheets:
        path = bench.data / sheet
        with path.open(encoding="utf-8") as stream:
            rows = sum(1 for _ in stream) - 1
        ours = bench.run_mb("import", "decisions", str(path))
        floor = run(bench.floor("append", str(bench.floor_db), str(path), toml))
        months.append(
            {
                "sheet": sheet,
                "rows": rows,
                "wall": ours.wall,
                "cpu": ours.cpu,
                "peak_mb": ours.peak_mb,
                "floor_wall": floor.wall,
                "floor_cpu": floor.cpu,
                "floor_peak_mb": floor.peak_mb,
            }
        )
        bench.log(f"  {sheet}: {rows} rows in {ours.wall:.2f} s (floor {floor.wall:.2f} s)")
    return months


ONE_MILLION = 1_000_000


def first_rows(whole: Path, out: Path, count: int) -> int:
    """The header and the first ``count`` rows of a sheet, written to ``out``; how many rows it holds."""
    written = 0
    with whole.open(encoding="utf-8", newline="") as source, out.open("w", encoding="utf-8", newline="") as target:
        target.write(source.readline())
        for line in source:
            if written == count:
                break
            target.write(line)
            written += 1
    return written


def big_import(bench: Bench, sheet: Path, rows: int) -> dict[str, Any]:
    """One big sheet imported into the bare register, beside the floor appending it to another copy."""
    toml = str(bench.data / "standards.toml")
    big, big_floor = bench.home / "big.db", bench.home / "big-floor.db"
    for copy in (big, big_floor):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        source, target = sqlite3.connect(bench.register_db), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
    ours = run(bench.mb("import", "decisions", str(sheet)), env=bench.env | {"MORALBANK_DB": str(big)}, cwd=ROOT)
    floor = run(bench.floor("append", str(big_floor), str(sheet), toml))
    (entries,) = sqlite3.connect(big).execute("SELECT COUNT(*) FROM entry").fetchone()
    if entries != rows:
        raise SystemExit(f"{sheet.name}: {entries} entries for {rows} rows")
    for copy in (big, big_floor):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    bench.log(f"  {sheet.name}: {rows} rows in {ours.wall:.2f} s, {ours.peak_mb:.0f} MB (floor {floor.wall:.2f} s)")
    return {
        "sheet": sheet.name,
        "rows": rows,
        "wall": ours.wall,
        "cpu": ours.cpu,
        "peak_mb": ours.peak_mb,
        "floor_wall": floor.wall,
        "floor_cpu": floor.cpu,
        "floor_peak_mb": floor.peak_mb,
    }


def big_imports(bench: Bench, manifest: dict[str, Any]) -> dict[str, Any]:
    """The whole history in one file and, where the county has more, its first million rows as one CSV."""
    whole = bench.data / manifest["whole"]
    with whole.open(encoding="utf-8") as stream:
        rows = sum(1 for _ in stream) - 1
    found = {"whole": big_import(bench, whole, rows)}
    if rows > ONE_MILLION:
        million = bench.data / "decisions-1m.csv"
        found["million"] = big_import(bench, million, first_rows(whole, million, ONE_MILLION))
    return found


def corrections(bench: Bench, rng: random.Random) -> dict[str, Any]:
    """Reversals and redemptions through the real commands: a few timed, the rest in one process."""
    (top,) = bench.query("SELECT MAX(id) FROM entry")[0]
    targets = sorted(rng.sample(range(1, top + 1), bench.size.reversals))
    reversals = [["reverse", str(i), "--reason", REVERSAL_REASON, "--key", f"bench-rev-{i}"] for i in targets]
    rich = bench.query("SELECT household FROM entry GROUP BY household HAVING SUM(coins) >= 40 ORDER BY household")
    chosen = rng.sample([h for (h,) in rich], min(bench.size.redemptions, len(rich)))
    redemptions = [
        ["redeem", h, str(rng.randint(5, 40)), "--item", rng.choice(ITEMS), "--key", f"bench-redeem-{h}"]
        for h in chosen
    ]
    timed: dict[str, list[float]] = {"reverse": [], "redeem": []}
    rest: list[list[str]] = []
    for name, commands in (("reverse", reversals), ("redeem", redemptions)):
        for args in commands[:TIMED_CORRECTIONS]:
            timed[name].append(bench.run_mb(*args).wall)
        rest += commands[TIMED_CORRECTIONS:]
    if rest:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as listing:
            json.dump(rest, listing, ensure_ascii=False)
        bench.inproc("batch", listing.name)
        Path(listing.name).unlink()
    bench.log(f"  {len(reversals)} reversals, {len(redemptions)} redemptions")
    return {"reversals": len(reversals), "redemptions": len(redemptions), "timed": timed}


def build(bench: Bench) -> dict[str, Any]:
    """Generate the county (once) and build it from scratch; returns the build's timings."""
    manifest_path = bench.data / "manifest.json"
    if not manifest_path.is_file():
        bench.log(f"generating {bench.size.name} ...")
        generate(bench.size, bench.data)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    fresh_databases(bench)
    bench.log(f"building {bench.size.name} ...")
    started = time.perf_counter()
    households = register(bench)
    months = import_sheets(bench, manifest["sheets"])
    fixes = corrections(bench, random.Random(f"corrections:{bench.size.name}"))
    big = big_imports(bench, manifest) if "whole" in manifest else {}
    return {
        "households": households,
        "months": months,
        "big": big,
        "corrections": fixes,
        "seconds": time.perf_counter() - started,
    }


# --- the command line ---------------------------------------------------------------------------


def results_path(size: str) -> Path:
    """Where one size's measured figures are kept between runs (not committed)."""
    return BENCH / "out" / size / "results.json"


def bench_size(
    size: Size, *, runs: int, rebuild: bool, smoke: bool, log: Log, build_only: bool = False
) -> dict[str, Any]:
    """Build (or reuse) one size and measure every operation on it."""
    from operations import measure_all

    home = BENCH / "out" / size.name
    home.mkdir(parents=True, exist_ok=True)
    bench = Bench(size, runs, home, log)
    saved = results_path(size.name)
    previous = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else {}
    if rebuild or smoke or "build" not in previous or not bench.db.is_file():
        built = build(bench)
    else:
        log(f"reusing the {size.name} build of {previous['measured_at']} (--rebuild to rebuild)")
        built = previous["build"]
        bench.run_mb("upgrade")  # a build made before this program's last migration is brought to it
        for copy in bench.db.parent.glob(f"{bench.db.stem}.v*-backup-*.db"):
            copy.unlink()  # the upgrade's backup of a build the benchmark can make again (1.1 GB at L)
        bench.run_mb("init")  # tables added since the build (init is idempotent)
    host = machine()
    operations = [] if build_only else measure_all(bench, built, smoke=smoke)
    host["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result = {
        "size": size.name,
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": host,
        "runs": runs,
        "build": built,
        "operations": operations,
    }
    saved.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


def compile_sources(log: Log) -> None:
    """Compile moralbank to bytecode once, as ``pip install .`` does, so no timed run compiles it.

    A process started with ``PYTHONDONTWRITEBYTECODE`` (this machine sets it) or from a tree
    without ``__pycache__`` compiles every module it imports from source: 44 modules, about 64 ms
    of each ``award``. An installed moralbank has its bytecode; the benchmark times that.
    """
    import compileall

    ok = compileall.compile_dir(ROOT / "moralbank", quiet=1) and compileall.compile_file(ROOT / "cli.py", quiet=1)
    if not ok:
        raise SystemExit("bench: moralbank did not compile")
    # The same for the message catalogues: a source tree parses both .po files on every run (zh
    # 14 ms, en 10 ms at L's load), an installed moralbank reads the .mo files its wheel was
    # built with (2 ms and 6 ms). Compiled beside the .po (ignored by git); a .po edited later
    # is newer than its .mo and is read again (moralbank.messages.catalogue).
    sys.path.insert(0, str(ROOT / "tools"))
    from catalogue import compile_all

    compile_all()
    log("compiled moralbank to bytecode and its catalogues to .mo (as an installed copy has them)")


def main() -> None:
    """``python bench/run.py --size S [--size L] [--runs 3] [--rebuild]``; ``--smoke`` for CI."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="repeatable; default S")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per operation (median)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if a build exists")
    parser.add_argument("--smoke", action="store_true", help="tiny size, one run, checks only, no RESULTS.md")
    parser.add_argument("--build-only", action="store_true", help="build and keep the build; measure nothing")
    args = parser.parse_args()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    if args.smoke:
        from operations import smoke_checks

        result = bench_size(SIZES["tiny"], runs=1, rebuild=True, smoke=True, log=log)
        smoke_checks(result)
        log("smoke test passed")
        return
    from report import write_results

    compile_sources(log)
    for name in args.size or ["S"]:
        bench_size(
            SIZES[name], runs=max(args.runs, 1), rebuild=args.rebuild, smoke=False, log=log, build_only=args.build_only
        )
    if args.build_only:
        return
    write_results(BENCH / "RESULTS.md", [results_path(n) for n in ("S", "L")])
    log(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
