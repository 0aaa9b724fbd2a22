"""A decisions sheet is read, checked and appended a chunk at a time (issue 16): the outcome must be
the one a whole-sheet check gives, to the byte, whatever the chunk size; any bad row anywhere
still means every bad row reported and nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.errors import SheetError
from moralbank.services import ledger
from moralbank.services.imports import SheetFile
from moralbank.services.intake import DryRun, Intake, take_decisions
from moralbank.services.sheets import read_kind, stream_kind
from moralbank.storage.db import reading, writing
from tests.clock import freeze_today
from tests.database import entry_count
from tests.runner import Run, failed, ok
from tests.town import TODAY, build_register, write_csv

HEADER = ["household", "standard", "qty", "event_date", "booked_on", "note", "key"]
# XL01 is 5 points, capped at 10 a month; ZY01 4 points from June; LL03 a 10-point deduction.
GOOD = [
    ["NL001", "XL01", "1", "2026-11-02", "2026-11-25", "", "k1"],
    ["BG001", "ZY01", "1", "2026-11-02", "2026-11-25", "巡逻", ""],
    ["NL002", "XL01", "2", "2026-11-03", "2026-11-25", "", "k2"],
    ["NL001", "XL01", "1", "2026-11-04", "2026-11-25", "", "k3"],  # NL001 now at its cap of 10
    ["BG002", "LL03", "1", "2026-11-04", "2026-11-25", "", ""],
    ["NL001", "XL01", "1", "2026-11-02", "2026-11-25", "", "k1"],  # a retry of row 2: not written again
    ["NL003", "ZY01", "3", "2026-11-05", "2026-11-26", "", ""],
    ["BG001", "ZY01", "1", "2026-11-06", "2026-11-26", "", "k4"],
    ["NL004", "XL01", "1", "2026-10-30", "2026-11-26", "", ""],
    ["BG002", "ZY01", "2", "2026-11-07", "2026-11-27", "", "k5"],
    ["NL002", "ZY01", "1", "2026-11-07", "2026-11-27", "", ""],
    ["BG001", "XL01", "2", "2026-11-08", "2026-11-27", "", ""],
]
SIZES = [1, 2, 3, 5, 1000]  # 1000: the whole sheet is one chunk, as a whole-sheet check takes it


@pytest.fixture
def town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    freeze_today(monkeypatch, TODAY)
    # One recording time, so that runs with different chunk sizes can be compared hash for hash.
    monkeypatch.setattr(ledger, "now_utc", lambda: "2026-11-29T04:00:00+00:00")
    build_register(engine)
    return engine


def _import(engine: Engine, path: Path, chunk: int, **options: Any) -> Intake:
    with writing(engine) as session:
        sheet = stream_kind(path, "decisions")
        file = SheetFile.of(path, "decisions")
        return take_decisions(session, file=file, sheet=sheet, operator="李会计", today=TODAY, chunk=chunk, **options)


_LEDGER = (
    "SELECT village, seq, kind, household, debit, credit, amount, coins, earned, standard_id, qty, "
    "event_date, booked_on, note, idem_key, ref_seq, operator, recorded_at, prev_hash, hash "
    "FROM entry ORDER BY village, seq"
)  # every entry as written, in chain order, without its id (ids are assigned in write order)
_LOG = "SELECT row_count, entry_count, entries FROM sheet_import"


class _Undo(Exception):
    """Rolls a measured import back, so the next chunk size starts from the same ledger."""

    def __init__(self, outcome: tuple[Any, ...]) -> None:
        super().__init__("undo")
        self.outcome = outcome


def _outcome(engine: Engine, path: Path, chunk: int) -> tuple[Any, ...]:
    """What an import wrote and said, seen inside its own transaction, which is then rolled back."""
    with pytest.raises(_Undo) as undone, writing(engine) as session:
        sheet, file = stream_kind(path, "decisions"), SheetFile.of(path, "decisions")
        done = take_decisions(session, file=file, sheet=sheet, operator="李会计", today=TODAY, chunk=chunk)
        entries = [tuple(row) for row in session.execute(text(_LEDGER))]
        log = [tuple(row) for row in session.execute(text(_LOG))]
        raise _Undo((done.count, done.repeated, done.tallies, entries, log))
    return undone.value.outcome


def _import_log(engine: Engine) -> list[tuple[Any, ...]]:
    with reading(engine) as session:
        return [tuple(r) for r in session.execute(text(_LOG))]


def test_every_chunk_size_writes_the_same_ledger_hash_for_hash(town: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "十一月.csv", HEADER, GOOD)
    outcomes = {size: _outcome(town, path, size) for size in SIZES}
    whole = outcomes[1000]
    assert whole[0] == 11 and whole[1] == 1  # 12 rows, one of them a retry
    assert [t.entries for t in whole[2]] == [5, 6]  # BG, NL
    balances = {}
    for household, coins in ((r[3], r[7]) for r in whole[3]):
        balances[household] = balances.get(household, 0) + coins
    assert balances == {"NL001": 10, "BG001": 18, "NL002": 14, "BG002": -2, "NL003": 12, "NL004": 5}
    assert whole[4] == [(12, 11, "BG:1-5 NL:1-6")]
    for size in SIZES:
        assert outcomes[size] == whole, size


def _problems(engine: Engine, path: Path, chunk: int) -> list[tuple[int, str, str, dict[str, Any]]]:
    with pytest.raises(SheetError) as raised:
        _import(engine, path, chunk)
    return [(p.row, p.field, p.key, p.params) for p in raised.value.problems]


def test_every_bad_row_in_any_chunk_is_reported_and_nothing_is_written(town: Engine, tmp_path: Path) -> None:
    rows = [
        *GOOD,
        ["NL001", "XL01", "1", "2026-11-20", "2026-11-28", "", ""],  # row 14: over NL001's cap (rows 2 and 5)
        ["NL002", "XL01", "1", "2026-11-03", "2026-11-25", "", "k2"],  # row 15: k2 (row 4) with another qty
        ["BG002", "LL03", "1", "2026-11-04", "2026-11-25", "", ""],  # row 16: the same as row 6, no key
        ["XX999", "ZY01", "1", "2026-11-04", "2026-11-25", "", ""],  # row 17: no such household
        ["NL003", "ZY01", "x", "2026-11-04", "2026-11-25", "", ""],  # row 18: not a quantity
    ]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    whole = _problems(town, path, 1000)
    assert [(row, field, key) for row, field, key, _ in whole] == [
        (14, "qty", "decision.over_cap"),
        (15, "qty", "key.conflict"),
        (16, "household", "decision.duplicate_row"),
        (17, "household", "household.not_found"),
        (18, "qty", "field.not_integer"),
    ]
    assert whole[0][3] == {"cap": 10, "used": 10, "points": 5}
    assert whole[2][3] == {"row": 6}
    for size in SIZES:
        assert _problems(town, path, size) == whole, size
    assert entry_count(town) == 0
    assert _import_log(town) == []


def test_a_duplicate_of_an_entry_recorded_before_the_import_names_that_entry(town: Engine, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", HEADER, GOOD[:3])
    _import(town, first, 1000)
    again = write_csv(tmp_path / "b.csv", HEADER, [GOOD[3], GOOD[1]])  # row 3 repeats a recorded entry
    found = _problems(town, again, 1)
    with reading(town) as session:
        (recorded,) = session.execute(text("SELECT id FROM entry WHERE household = 'BG001'")).one()
    assert [(row, key, params) for row, _, key, params in found] == [(3, "decision.likely_duplicate", {"id": recorded})]
    assert entry_count(town) == 3


def test_a_dry_run_checks_every_chunk_and_leaves_nothing(town: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dry.csv", HEADER, GOOD)
    with pytest.raises(DryRun) as raised:
        _import(town, path, 2, dry_run=True)
    assert raised.value.intake.import_id is None and raised.value.intake.count == 11
    assert entry_count(town) == 0


def test_a_streamed_sheet_reads_as_a_whole_sheet_does(tmp_path: Path) -> None:
    rows = [
        ["NL001", "XL01", "1", "2026-11-02", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["NL002", "", "1", "", "", "", ""],  # missing its standard: data, reported later
        ["NL003", "ZY01", "1", "", "", "a\x07b", ""],  # a control character: refused while reading
        ["ＮＬ００４", "ZY01", "2", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["NL003", "", "", "", "", "", ""],
        ["制表：王会计", "", "", "", "", "", ""],
        ["审核：", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "s.csv", ["2026年11月评议"], [HEADER, *rows])
    whole = read_kind(path, "decisions")
    stream = stream_kind(path, "decisions")
    assert list(stream) == whole.rows
    assert stream.count == len(whole.rows) == 4
    assert stream.problems == whole.problems and len(whole.problems) == 1
    assert tuple(stream.skipped) == whole.skipped and [s.kind for s in whole.skipped] == ["title", "footer", "footer"]


def test_the_command_streams_and_still_reports_every_row(
    run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    monkeypatch.setattr(ledger, "CHUNK", 2)
    bad = write_csv(tmp_path / "bad.csv", HEADER, [*GOOD, ["XX999", "ZY01", "1", "", "", "", ""]])
    assert "row 14, field household" in failed(run("import", "decisions", str(bad)))
    assert entry_count(engine) == 0
    good = write_csv(tmp_path / "good.csv", HEADER, GOOD)
    assert ok(run("import", "decisions", str(good))).splitlines()[0] == (
        "11 entries recorded (1 repeated rows were already recorded)."
    )
    assert entry_count(engine) == 11
