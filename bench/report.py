"""Write bench/RESULTS.md from the measured figures, keeping its hand-written sections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
FLAT_KEYS = ("award", "balance", "statement")
HEADER = """# moralbank at county scale: benchmark results

Issues 6 and 16. A seeded synthetic county is built through the real commands (`moralbank init`,
`import villages`, `import households`, `standard adopt`, `import decisions` for each month,
`reverse`, `redeem`, `award`) and every operation below is timed as a whole process: the median
of the runs, wall time and peak resident memory (from `wait4`). Beside each figure is the floor
measured in the same run on the same data. How to run it, and what each floor is: `bench/README.md`.
"""


def seconds(value: float) -> str:
    """A duration a reader can compare at a glance."""
    return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value:.2f} s"


def measured(row: dict[str, Any]) -> str:
    """The figure of one operation."""
    if "wall" not in row:
        return "—"
    peak = f", {row['peak_mb']:.0f} MB" if row.get("peak_mb") else ""
    if row.get("cpu"):
        peak += f", CPU {seconds(row['cpu'])}"
    if row["id"] == "import":
        return f"**{row['rate']:,.0f} rows/s** (median sheet {row['rows']:,.0f} rows in {seconds(row['wall'])}){peak}"
    if row["id"] == "verify":
        per_cpu = f"; {row['cpu_rate']:,.0f} per CPU-second" if row.get("cpu_rate") else ""
        return f"**{row['rate']:,.0f} entries/s** ({seconds(row['wall'])}{per_cpu}){peak}"
    if "query" in row:
        return f"**{seconds(row['wall'])}** end to end, query part {seconds(row['query'])}{peak}"
    return f"**{seconds(row['wall'])}**{peak}"


def floor(row: dict[str, Any]) -> str:
    """The floor of one operation."""
    if "floor_wall" not in row:
        return "—"
    if row["id"] == "import":
        return f"{row['floor_rate']:,.0f} rows/s ({row['floor']})"
    text = f"{seconds(row['floor_wall'])} ({row['floor']})"
    if "scan_wall" in row:
        text += f"; `sqlite3` CLI scan of every entry in order: {seconds(row['scan_wall'])}"
    if "file_floor_wall" in row:
        to_file = row["file_floor_wall"]
        text += f"; the same shell writing the text to a file, as the command does: {seconds(to_file)} ({row['wall'] / to_file:.1f}×)"
    if "same_sql_wall" in row:
        same = row["same_sql_wall"]
        text += f"; the command's own SQL in the `sqlite3` CLI: {seconds(same)} ({row['wall'] / same:.1f}× end to end)"
    return text


def ratio(row: dict[str, Any]) -> str:
    """The ratio to the floor; for imports also over the last three (largest) months."""
    if "ratio" not in row:
        return "—"
    text = f"{row['ratio']:.1f}×"
    if row["id"] == "import":
        text += f" (last 3 months: {row['ratio_last']:.1f}×)"
        if row.get("cpu_ratio"):
            text += f"; CPU time {row['cpu_ratio']:.1f}×"
    if "query" in row:
        text += " (query part)"
    if "ratio_end_to_end" in row:
        text += f"; {row['ratio_end_to_end']:.1f}× end to end"
    return text


def table(result: dict[str, Any]) -> list[str]:
    """One size's operations."""
    lines = [
        "| operation | target | measured | floor (same run) | ratio to floor | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["operations"]:
        result_text = row.get("verdict", "")
        if result["size"] != "L" and result_text in ("pass", "miss"):
            result_text = f"({result_text} at {result['size']})"  # the targets are set for L
        cells = (row["operation"], row["target"], measured(row), floor(row), ratio(row), result_text)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def flatness(small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    """Whether the terminal operations stay flat as the ledger grows from S to L."""
    lines = ["| operation | S | L | L / S |", "| --- | --- | --- | --- |"]
    by_id = [{r["id"]: r for r in res["operations"]} for res in (small, large)]
    for key in FLAT_KEYS:
        s_row, l_row = by_id[0].get(key), by_id[1].get(key)
        if not s_row or not l_row or "wall" not in s_row or "wall" not in l_row:
            continue
        field = "query" if "query" in s_row else "wall"
        what = "query part" if field == "query" else "end to end"
        a, b = s_row[field], l_row[field]
        lines.append(f"| {key} ({what}) | {seconds(a)} | {seconds(b)} | {b / a:.2f} |")
    return lines


def build_summary(result: dict[str, Any]) -> list[str]:
    """How long the build took, and the import rate month by month (first, middle, last)."""
    build = result["build"]
    months = build["months"]
    picks = sorted({0, len(months) // 2, len(months) - 1})
    took = f"Build: {build['seconds']:.0f} s in all." if build.get("seconds") else f"Build: {build.get('note', '')}."
    lines = [
        f"{took} Households: {build['households']['rows']:,} imported in "
        f"{seconds(build['households']['wall'])}. Corrections: {build['corrections']['reversals']} reversals, "
        f"{build['corrections']['redemptions']} redemptions.",
        "",
        "| sheet | rows | moralbank | floor | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for m in (months[i] for i in picks):
        lines.append(
            f"| {m['sheet']} | {m['rows']:,} | {seconds(m['wall'])} ({m['rows'] / m['wall']:,.0f}/s) | "
            f"{seconds(m['floor_wall'])} ({m['rows'] / m['floor_wall']:,.0f}/s) | {m['wall'] / m['floor_wall']:.1f}× |"
        )
    return lines


def section(result: dict[str, Any]) -> list[str]:
    """Everything measured at one size."""
    lines = [f"## Size {result['size']} — measured {result['measured_at']}, median of {result['runs']} runs", ""]
    lines += [*table(result), "", *build_summary(result), ""]
    return lines


def machine(result: dict[str, Any]) -> list[str]:
    """The machine a result was measured on."""
    lines = ["| | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in result["machine"].items()]
    return lines


def generated(results: list[dict[str, Any]]) -> str:
    """The generated part of RESULTS.md."""
    lines = [
        BEGIN,
        "",
        "Reproduce: `python bench/run.py --size S --size L --rebuild` (on a quiet 2-core machine about",
        "20 minutes: L builds in about 12 with its big imports and is measured in about 3; S takes about",
        "2). Targets are for L; S is shown for scale.",
        "",
    ]
    for result in results:
        lines += section(result)
    by_size = {r["size"]: r for r in results}
    if "S" in by_size and "L" in by_size:
        lines += ["## Flat from S to L", "", *flatness(by_size["S"], by_size["L"]), ""]
    lines += ["## Machine", "", *machine(results[-1]), "", END]
    return "\n".join(lines) + "\n"


def write_results(path: Path, sources: list[Path]) -> None:
    """Replace the generated part of RESULTS.md; everything after it is kept as written."""
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sources if p.is_file()]
    if not results:
        return
    kept = ""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        kept = old.split(END, 1)[1].lstrip("\n") if END in old else ""
    path.write_text(HEADER + "\n" + generated(results) + ("\n" + kept if kept else ""), encoding="utf-8")
