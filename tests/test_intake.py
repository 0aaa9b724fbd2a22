"""Nothing twice by accident, checked before writing, and undone whole: the import log, likely
duplicates, the dry run, import list and reverse --import, reverse showing what it takes back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.clock import freeze_today
from tests.database import entry_count
from tests.runner import Run, failed, ok
from tests.town import TODAY, build_register, write_csv

HEADER = ["户编号", "标准编号", "数量", "发生日期", "记账日期"]
ROWS = [
    ["NL001", "ZY01", "1", "2026-11-03", "2026-11-25"],
    ["NL002", "XL01", "1", "2026-11-03", "2026-11-25"],
    ["BG001", "LL03", "1", "2026-11-04", "2026-11-25"],
]


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    return run


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "十一月评议.csv", HEADER, ROWS, "gbk")


def balances(run: Run) -> dict[str, int]:
    return {code: json.loads(ok(run("balance", code, "-f", "json")))["coins"] for code in ("NL001", "NL002", "BG001")}


def test_the_same_file_twice_is_refused_naming_the_first_import(town: Run, engine: Engine, sheet: Path) -> None:
    assert ok(town("import", "decisions", str(sheet))).splitlines() == [
        "3 entries recorded (0 repeated rows were already recorded).",
        "Logged as import #1 (to undo it: moralbank reverse --import 1 --reason TEXT)",
    ]
    copy = shutil.copy(sheet, sheet.with_name("copy.csv"))
    assert failed(town("import", "decisions", str(copy))) == (
        "Error: copy.csv was already imported on 2026-11-29 12:00 by tester (import #1, as 十一月评议.csv); "
        "nothing was written. To import it again anyway, add --again\n"
    )
    zh = failed(town("import", "decisions", str(copy), lang="zh"))
    assert zh == (
        "错误：copy.csv 已于 2026-11-29 12:00 由 tester 导入过（第 1 号导入，文件名 十一月评议.csv），未再写入；"
        "确需再次导入请加 --again\n"
    )
    assert entry_count(engine) == 3
    # --again passes the file check; every row is then a likely duplicate of what it wrote.
    again = failed(town("import", "decisions", str(copy), "--again")).splitlines()
    assert again[1] == (
        "  row 2, field household: the same as entry 2 already recorded (household, standard, event date and "
        "quantity): a likely duplicate; if it really happened twice, add --repeat"
    )
    assert len(again) == 4
    ok(town("import", "decisions", str(copy), "--again", "--repeat"))
    assert balances(town) == {"NL001": 8, "NL002": 10, "BG001": -20}
    listed = json.loads(ok(town("import", "list", "-f", "json")))
    assert [(i["id"], i["kind"], i["file"], i["rows"], i["entries"], i["operator"]) for i in listed] == [
        (1, "decisions", "十一月评议.csv", 3, 3, "tester"),
        (2, "decisions", "copy.csv", 3, 3, "tester"),
    ]
    assert listed[0]["sha256"] == listed[1]["sha256"] and len(listed[0]["sha256"]) == 64


def test_a_register_sheet_twice_is_refused_too(town: Run, tmp_path: Path) -> None:
    villages = write_csv(
        tmp_path / "v.csv", ["code", "name", "town", "county"], [["DL", "东岭村", "于河街道", "潍城区"]]
    )
    ok(town("import", "villages", str(villages)))
    again = failed(town("import", "villages", str(villages)))
    assert again.startswith("Error: v.csv was already imported on 2026-11-29 12:00 by tester (import #1, as v.csv)")


def test_the_same_decision_typed_twice_is_a_likely_duplicate(town: Run, engine: Engine) -> None:
    award = ["award", "NL001", "ZY01", "--on", "2026-11-20", "--booked", "2026-11-21"]
    assert ok(town(*award)) == "Recorded as entry 1\n"
    assert failed(town(*award)) == (
        "Error: field household: the same as entry 1 already recorded (household, standard, event date and "
        "quantity): a likely duplicate; if it really happened twice, add --repeat\n"
    )
    assert failed(town(*award, lang="zh")) == (
        "错误：字段 户编号：与已记账的第 1 号记录相同（同一户、标准、发生日期和数量），疑似重复；"
        "确实发生了两次请加 --repeat\n"
    )
    assert ok(town(*award, "--repeat")) == "Recorded as entry 2\n"  # the second shift that day
    ok(town("award", "NL001", "ZY01", "--on", "2026-11-20", "--qty", "2"))  # another quantity is another decision
    ok(town("reverse", "1", "--reason", "记重了", "--yes"))
    ok(town("reverse", "2", "--reason", "记重了", "--yes"))
    assert ok(town(*award)).splitlines()[-1] == "Recorded as entry 6"  # only standing entries count
    assert entry_count(engine) == 6


def test_a_redemption_typed_twice_is_a_likely_duplicate(town: Run) -> None:
    ok(town("award", "NL001", "XL01", "--qty", "2", "--on", "2026-11-20"))
    ok(town("redeem", "NL001", "3", "--item", "肥皂"))
    assert failed(town("redeem", "NL001", "3", "--item", "肥皂")) == (
        "Error: NL001 already redeemed 3 coins for “肥皂” that day (entry 2): a likely duplicate; "
        "if it really happened twice, add --repeat\n"
    )
    ok(town("redeem", "NL001", "3", "--item", "肥皂", "--repeat"))
    ok(town("redeem", "NL001", "2", "--item", "肥皂"))
    assert balances(town)["NL001"] == 2


def test_the_same_row_twice_in_one_sheet_is_named(town: Run, tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1], ROWS[0]]
    sheet = write_csv(tmp_path / "d.csv", HEADER, rows)
    assert failed(town("import", "decisions", str(sheet))).splitlines()[1:] == [
        "  row 4, field household: the same as row 2 (household, standard, event date and quantity): a likely "
        "duplicate; if it really happened twice, add --repeat"
    ]


def test_a_dry_run_shows_what_would_be_written_and_writes_nothing(town: Run, engine: Engine, sheet: Path) -> None:
    ok(town("village", "set", "BG", "--notice-days", "7"))
    out = ok(town("import", "decisions", str(sheet), "--dry-run"))
    assert out.splitlines() == [
        "Dry run: nothing was written. The import would write 3 entries (0 rows already recorded):",
        "  village BG: 1 entries (1 proposals on notice, 0 postings), 0 points awarded, 10 deducted, 1 households",
        "  village NL: 2 entries (0 proposals on notice, 2 postings), 9 points awarded, 0 deducted, 2 households",
    ]
    assert entry_count(engine) == 0 and json.loads(ok(town("import", "list", "-f", "json"))) == []
    bad = write_csv(sheet.with_name("bad.csv"), HEADER, [*ROWS, ["NL404", "ZY01", "1", "2026-11-03", ""]])
    refused = town("import", "decisions", str(bad), "--dry-run")
    assert refused.exit_code == 1 and "row 5, field household: no household NL404" in refused.output
    # The real import says how many are proposals on notice, and until when.
    assert ok(town("import", "decisions", str(sheet))).splitlines() == [
        "2 entries recorded and 1 proposals put on notice (0 repeated rows were already recorded).",
        "village BG: 1 proposal on notice until 2026-12-02; settle posts it after that if unopposed",
        "Logged as import #1 (to undo it: moralbank reverse --import 1 --reason TEXT)",
    ]


def test_reverse_import_undoes_a_whole_sheet_in_one_go(town: Run, engine: Engine, sheet: Path) -> None:
    ok(town("village", "set", "BG", "--notice-days", "7"))
    ok(town("import", "decisions", str(sheet)))
    ok(town("reverse", "2", "--reason", "已单独冲正", "--yes"))  # NL001's award
    done = ok(town("reverse", "--import", "1", "--reason", "整表录错，撤销", "--yes"))
    assert done == "import #1: 1 entries reversed, 1 proposals voided, 1 already reversed or voided\n"
    assert balances(town) == {"NL001": 0, "NL002": 0, "BG001": 0}
    notice = json.loads(ok(town("notice", "show", "--village", "BG", "-f", "json")))
    assert notice["rows"] == [] if "rows" in notice else True
    again = ok(town("reverse", "--import", "1", "--reason", "再来一次", "--yes"))
    assert again == "import #1: 0 entries reversed, 0 proposals voided, 3 already reversed or voided\n"
    assert failed(town("reverse", "--import", "9", "--reason", "x")) == "Error: there is no import #9\n"
    assert failed(town("reverse", "--reason", "x")) == (
        "Error: Name the entry to reverse, or an import with --import (one of the two)\n"
    )


def test_reverse_shows_the_entry_and_asks_on_a_terminal(
    town: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moralbank.cli import common

    ok(town("award", "NL002", "XL01", "--qty", "2", "--on", "2026-11-03", "--booked", "2026-11-05"))
    monkeypatch.setattr(common, "interactive", lambda: True)
    declined = town("reverse", "1", "--reason", "记错了户", input="n\n")
    assert declined.exit_code == 1
    lines = declined.stdout.splitlines()
    assert lines[0] == (
        "entry 1 (award): NL002 张学勇, XL01 孝敬赡养父母, +10 points, event 2026-11-03, booked 2026-11-05"
    )
    assert lines[-1] == "Cancelled; nothing was written."
    assert entry_count(engine) == 1
    zh = town("reverse", "1", "--reason", "记错了户", input="y\n", lang="zh")
    assert zh.stdout.splitlines()[0] == (
        "第 1 号记录（加分）：NL002 张学勇，XL01 孝敬赡养父母，+10 分，发生 2026-11-03，记账 2026-11-05"
    )
    assert zh.stdout.splitlines()[-1] == "已记账，记录号 2"


def test_a_row_with_its_own_key_is_told_apart_by_it_not_taken_for_a_likely_duplicate(
    town: Run, engine: Engine, tmp_path: Path, sheet: Path
) -> None:
    ok(town("import", "decisions", str(sheet)))
    # The same decisions again, each with a key of its own: the key says they are new, so they are
    # recorded (the clerk's system vouches for them); without keys they are likely duplicates.
    keyed = write_csv(tmp_path / "keyed.csv", [*HEADER, "幂等键"], [[*row, f"K{n}"] for n, row in enumerate(ROWS)])
    assert ok(town("import", "decisions", str(keyed))).splitlines()[0] == (
        "3 entries recorded (0 repeated rows were already recorded)."
    )
    unkeyed = write_csv(tmp_path / "unkeyed.csv", HEADER, ROWS[:1])
    assert "a likely duplicate" in failed(town("import", "decisions", str(unkeyed)))
    mixed = write_csv(tmp_path / "mixed.csv", [*HEADER, "幂等键"], [[*ROWS[1], "K9"], [*ROWS[0], ""]])
    refused = failed(town("import", "decisions", str(mixed)))
    assert "row 3, field household" in refused and "a likely duplicate" in refused
    assert "row 2, field household" not in refused  # the keyed row is no likely duplicate
    assert entry_count(engine) == 6
