"""Input that once ended in a traceback: each is refused with row, field and reason, and nothing is written."""

from __future__ import annotations

import io
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.domain.dates import parse_date, parse_month
from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.errors import InputError, SheetError
from moralbank.messages import text as say
from moralbank.services import standards
from moralbank.services.decisions import Decision
from moralbank.services.sheets import read_kind
from moralbank.storage.db import writing
from tests.database import entry_count, row_count
from tests.runner import failed, ok, one_line
from tests.town import RESOLUTION, TODAY, build_register, write_csv

RANGE = {"earliest": "1949-10-01", "latest": "2099-12-31"}
MONTHS = {"earliest": "1949-10", "latest": "2099-12"}


def error(key: str, **params: Any) -> str:
    return say("error.prefix", "en") + say(key, "en", **params)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("award", "NL001", "XL01", "--on", "9999-12-31"),
            ("date.out_of_range", {"field": "--on", "value": "9999-12-31"}),
        ),
        (
            ("award", "NL001", "XL01", "--on", "1949-09-30"),
            ("date.out_of_range", {"field": "--on", "value": "1949-09-30"}),
        ),
        (
            ("credit", "rate", "--as-of", "0001-01-01"),
            ("date.out_of_range", {"field": "--as-of", "value": "0001-01-01"}),
        ),
    ],
)
def test_a_date_outside_1949_to_2099_is_refused(run: Any, engine: Engine, args: tuple[str, ...], expected: Any) -> None:
    build_register(engine)
    key, params = expected
    assert one_line(failed(run(*args))) == error(key, **params, **RANGE)
    assert entry_count(engine) == 0


@pytest.mark.parametrize(
    "args",
    [("board", "show", "--village", "NL", "--month", "9999-12"), ("report", "trend", "--until", "0001-01")],
)
def test_a_month_outside_the_range_is_refused(run: Any, engine: Engine, args: tuple[str, ...]) -> None:
    build_register(engine)
    field, value = args[-2], args[-1]
    assert one_line(failed(run(*args))) == error("month.out_of_range", field=field, value=value, **MONTHS)


def test_a_huge_quantity_is_refused_by_field(run: Any, engine: Engine) -> None:
    build_register(engine)
    result = run(
        "award", "NL001", "LL03", "--qty", "100000000000000000000", "--on", "2026-10-05", "--booked", "2026-10-05"
    )
    reason = say("field.too_large", "en", value=10**20, limit=10_000)
    assert one_line(failed(result)) == error("sheet.field_problem", field="qty", reason=reason)
    assert entry_count(engine) == 0


def test_the_largest_quantity_is_accepted(run: Any, engine: Engine) -> None:
    build_register(engine)
    ok(run("award", "NL001", "LL03", "--qty", "10000", "--on", "2026-10-05", "--booked", "2026-10-05"))
    assert entry_count(engine) == 1


def test_a_decision_out_of_bounds_cannot_be_built() -> None:
    with pytest.raises(SheetError) as caught:
        Decision("NL001", "XL01", 10_001, "2026-10-05", "2026-10-05", "x" * 201)
    assert [p.message("en") for p in caught.value.problems] == [
        "field qty: 10001 is more than the limit of 10000",
        "field note: is 201 characters long; at most 200 are allowed",
    ]


def test_a_200_kb_csv_cell_is_a_row_problem(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "note"], [["NL001", "XL01", "x" * 200_000]])
    read = read_kind(sheet, "decisions")
    assert read.rows == []
    assert [p.message("en") for p in read.problems] == [
        "row 2, field note: is 200000 characters long; at most 200 are allowed"
    ]


def test_an_overlong_cell_does_not_hide_the_other_bad_rows(run: Any, engine: Engine, tmp_path: Path) -> None:
    build_register(engine)
    rows = [["NL001", "ZY01", "2026-10-05", "x" * 200_000], ["NL002", "ZY01", "2026-10-05", "ok"]]
    rows += [["ZZ999", "ZY01", "2026-10-05", "ok"], ["NL003", "ZY01", "2026-13-05", "ok"]]
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "event_date", "note"], rows)
    out = failed(run("import", "decisions", str(sheet)))
    assert out.splitlines() == [
        "Error: d.csv: 3 problems found; nothing was written.",
        "  row 2, field note: is 200000 characters long; at most 200 are allowed",
        "  row 4, field household: no household ZZ999",
        "  row 5, field event_date: “2026-13-05” is not a valid date (YYYY-MM-DD)",
    ]
    assert entry_count(engine) == 0


def test_an_overlong_cell_imported_writes_nothing(run: Any, engine: Engine, tmp_path: Path) -> None:
    build_register(engine)
    rows = [["NL001", "ZY01", "2026-10-05", "ok"], ["NL002", "ZY01", "2026-10-05", "x" * 200_000]]
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "event_date", "note"], rows)
    out = failed(run("import", "decisions", str(sheet)))
    assert "row 3, field note: is 200000 characters long; at most 200 are allowed" in one_line(out)
    assert entry_count(engine) == 0


def test_a_control_character_in_a_sheet_names_row_and_field(tmp_path: Path) -> None:
    rows = [["NL001", "XL01", "fine"], ["NL002", "XL01", "bad\x1b[31m"], ["NL003", "X\x00L01", ""]]
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "note"], rows)
    read = read_kind(sheet, "decisions")
    assert [number for number, _row in read.rows] == [2]  # the others are reported, never read further
    assert [p.message("en") for p in read.problems] == [
        "row 3, field note: has a control character (U+001B) at position 4, which is not allowed",
        "row 4, field standard: has a control character (U+0000) at position 2, which is not allowed",
    ]


def test_a_date_out_of_range_in_a_sheet_names_row_and_field(run: Any, engine: Engine, tmp_path: Path) -> None:
    build_register(engine)
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "event_date"], [["NL001", "ZY01", "9999-12-31"]])
    out = one_line(failed(run("import", "decisions", str(sheet))))
    assert "row 2, field event_date: the date 9999-12-31 is outside 1949-10-01 to 2099-12-31" in out
    assert entry_count(engine) == 0


def test_a_household_name_over_50_characters_is_refused(run: Any, engine: Engine) -> None:
    build_register(engine)
    rng = random.Random(3)
    result = run(
        "household", "add", "NL009", "--village", "NL", "--head-name", "张" * 51, "--id-number", synthetic_id(rng),
        "--phone", synthetic_phone(rng), "--members", "3",
    )  # fmt: skip
    reason = say("text.too_long", "en", length=51, limit=50)
    assert one_line(failed(result)) == error("sheet.field_problem", field="head_name", reason=reason)
    assert row_count(engine, "household") == 6


def _resolution(**changes: str) -> dict[str, Any]:
    source = RESOLUTION.replace('date = "2026-01-10"', 'date = "2026-11-01"')
    for old, new in changes.items():
        source = source.replace(old, new)
    return tomllib.loads(source)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("points = 5", "points = 100000000000000000000", "item 1, field points: 100000000000000000000 is beyond the limit of ±10000"),
        ("points = -10", "points = -10001", "item 3, field points: -10001 is beyond the limit of ±10000"),
        ("monthly_cap = 10", "monthly_cap = 10001", "item 1, field monthly_cap: 10001 is beyond the limit of ±10000"),
        ("members = 30", "members = 100000000000000000000", "field members: 100000000000000000000 is more than the limit of 100000"),
        ('title = "孝敬赡养父母"', 'title = "孝敬\\u001b赡养"', "item 1, field title: has a control character (U+001B) at position 3, which is not allowed"),
    ],
)  # fmt: skip
def test_a_resolution_out_of_bounds_adopts_nothing(engine: Engine, old: str, new: str, problem: str) -> None:
    build_register(engine, with_revision=False)
    before = row_count(engine, "standard")
    with pytest.raises(SheetError) as caught, writing(engine) as session:
        standards.adopt(session, data=_resolution(**{old: new}), source="r.toml", operator="t", today=TODAY)
    assert [p.message("en") for p in caught.value.problems] == [problem]
    assert row_count(engine, "standard") == before


def test_dates_and_months_at_the_bounds_are_accepted() -> None:
    assert parse_date("1949-10-01", "d").isoformat() == "1949-10-01"
    assert parse_date("2099-12-31", "d").isoformat() == "2099-12-31"
    assert parse_month("1949-10") == "1949-10" and parse_month("2099-12") == "2099-12"
    with pytest.raises(InputError):
        parse_month("2100-01")


def _junk_board(engine: Engine) -> None:
    with writing(engine) as session:
        session.execute(
            text(
                "INSERT INTO board (id, village, month, seq, head_hash, snapshot, snapshot_hash, operator, published_at)"
                " VALUES (99, 'NL', '2026-10', 0, 'x', 'garbage', 'y', 'op', '2026-11-01T00:00:00+00:00')"
            )
        )


def test_a_junk_board_row_is_named_not_a_crash(run: Any, engine: Engine) -> None:
    build_register(engine)
    _junk_board(engine)
    expected = error("board.unreadable", id=99, village="NL", month="2026-10")
    assert one_line(failed(run("board", "get", "99"))) == expected
    listed = ok(run("board", "list", "--format", "json"))
    assert '"households": null' in listed and '"board": 99' in listed
    verified = run("verify")
    assert verified.exit_code == 1 and "Traceback" not in verified.output
    reason = say("board.snapshot_unreadable", "en")
    assert say("verify.problem_board", "en", board=99, village="NL", month="2026-10", reason=reason) in one_line(
        verified.output
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_control_character_in_a_stored_name_never_breaks_an_export(tmp_path: Path, fmt: str) -> None:
    from moralbank.render.bank_export import Header, write_export
    from moralbank.reports.credit import BankRow

    row = BankRow(
        "NL001", "NL", "南伦村", "张\x1b三", "370702********1234", "AA", 50_000, "2026-11-29", "2027-11-28", "p"
    )
    written = write_export([row], tmp_path / f"list.{fmt}", fmt, Header("bank", "2026-11-29", "p", False))
    assert written.rows == 1
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(written.partial.read_bytes()))  # named .partial until placed
        cells = [c for r in book.active.iter_rows(values_only=True) for c in r]
    else:
        cells = written.partial.read_text(encoding="utf-8-sig").replace("\r\n", ",").split(",")
    assert "张\ufffd三" in cells and not any("\x1b" in str(c) for c in cells)


def test_a_control_character_in_stored_data_is_replaced_in_tables_and_csv() -> None:
    from moralbank.render.formats import render_csv, rich_table
    from moralbank.reports.boards import PublishedRow

    row = PublishedRow(1, "NL", "2026-11", 4, 5, "h", "s", "op\x1b[2J", "2026-12-01T20:03:41+00:00")
    assert "op\ufffd[2J" in render_csv([row]) and "\x1b" not in render_csv([row])
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(rich_table([row], "en"))
    shown = console.export_text()
    assert "\x1b" not in shown and "op\ufffd[2J" in shown


def test_check_text_names_the_field_typed() -> None:
    from moralbank.domain.limits import check_text

    check_text("reason", "经核实未参加，冲正")
    with pytest.raises(SheetError) as caught:
        check_text("reason", "x" * 201)
    assert caught.value.message("en") == "field reason: is 201 characters long; at most 200 are allowed"
