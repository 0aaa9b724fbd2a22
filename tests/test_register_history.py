"""The register keeps its history (issue 10): changes are recorded inserts, shown masked; sheets never overwrite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.clock import freeze_today
from tests.runner import Run, failed, invoke, ok, one_line
from tests.town import HOUSEHOLD_CODES, TODAY, book, build_register, household_rows, write_csv

HEADER = (
    "code",
    "village",
    "head_name",
    "id_number",
    "phone",
    "members",
    "grid",
    "address",
    "consent_board",
    "consent_bank",
)


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """The core town, booked, with its household rows as registered."""
    freeze_today(monkeypatch, TODAY)
    rows = build_register(engine)
    book(engine, [("NL001", "ZY01", 1, "k1"), ("NL002", "ZY01", 1, "k2")])
    return rows


def test_household_set_records_who_when_why_and_the_history_shows_it_masked(
    town: list[dict[str, str]], run: Run
) -> None:
    old_phone, new_phone = town[0]["phone"], "13912345678"
    ok(run("operator", "add", "王会计", "--role", "clerk"))
    assert (
        ok(
            run(
                "household",
                "set",
                "NL001",
                "--members",
                "6",
                "--phone",
                new_phone,
                "--reason",
                "添丁",
                operator="王会计",
            )
        )
        == "The change to household NL001 is recorded.\n"
    )
    assert ok(run("household", "set", "NL001", "--head-name", "王小明", "--reason", "户主过世")).endswith("recorded.\n")
    history = json.loads(ok(run("household", "history", "NL001", "--format", "json")))
    at = "2026-11-29T04:00:00+00:00"  # the frozen clock
    assert history == [
        {
            "at": "2026-01-01",
            "event": "registered",
            "field": "",
            "before": "",
            "after": town[0]["head_name"],
            "why": "",
            "operator": "",
        },
        {
            "at": at,
            "event": "changed",
            "field": "members",
            "before": town[0]["members"],
            "after": "6",
            "why": "添丁",
            "operator": "王会计",
        },
        {
            "at": at,
            "event": "changed",
            "field": "phone",
            "before": old_phone[:3] + "****" + old_phone[-4:],
            "after": "139****5678",
            "why": "添丁",
            "operator": "王会计",
        },
        {
            "at": at,
            "event": "changed",
            "field": "head_name",
            "before": town[0]["head_name"],
            "after": "王小明",
            "why": "户主过世",
            "operator": "tester",
        },
    ]
    table = ok(run("household", "history", "NL001"))
    assert new_phone not in table and old_phone not in table and "139****5678" in table
    # The current details are the latest change: the register, the passbook and the boards show them.
    shown = json.loads(ok(run("household", "show", "NL001", "--format", "json")))
    assert (shown["head_name"], shown["members"], shown["phone"]) == ("王小明", 6, "139****5678")
    assert "王小明" in ok(run("statement", "NL001"))
    assert ok(run("verify")).startswith("Ledger intact")


def test_household_set_refuses_nothing_to_change_no_reason_and_bad_values(town: list[dict[str, str]], run: Run) -> None:
    assert "nothing to change" in failed(run("household", "set", "NL001", "--reason", "x"))
    same = failed(run("household", "set", "NL001", "--members", town[0]["members"], "--reason", "x"))
    assert "household NL001 is registered like this already" in one_line(same)
    assert "reason" in failed(run("household", "set", "NL001", "--members", "3", "--reason", " "))
    assert "members" in failed(run("household", "set", "NL001", "--members", "0", "--reason", "x"))
    leaked = failed(run("household", "set", "NL001", "--address", "见 370702195107298378", "--reason", "x"))
    assert "370702195107298378" not in leaked and "address" in leaked
    assert "no household NL404" in failed(run("household", "set", "NL404", "--members", "3", "--reason", "x"))
    assert json.loads(ok(run("household", "history", "NL001", "--format", "json")))[1:] == []


def test_a_household_never_changes_village_by_an_edit(town: list[dict[str, str]], run: Run, tmp_path: Path) -> None:
    # Only ``household move`` changes a village (tests/test_household_moves.py): no edit has it.
    assert "--village" in failed_usage(run("household", "set", "NL001", "--village", "BG", "--reason", "迁居"))
    moved = [dict(r) for r in town]
    moved[0]["village"] = "BG"
    sheet = write_csv(tmp_path / "moved.csv", HEADER, [[r[name] for name in HEADER] for r in moved])
    said = one_line(failed(run("import", "households", str(sheet))))
    assert "household NL001 is registered in village NL, and the sheet differs in: village;" in said
    assert "household move" in said
    assert json.loads(ok(run("household", "show", "NL001", "--format", "json")))["village"] == "NL"


def failed_usage(result: Any) -> str:
    """The message of a command refused as typed (exit 2, usage error)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    return str(result.output)


def test_the_household_table_takes_no_update(town: list[dict[str, str]], engine: Engine) -> None:
    for statement in (
        "UPDATE household SET village = 'BG' WHERE code = 'NL001'",
        "UPDATE household SET consent_bank = 1, id_number = 'x'",
        "DELETE FROM household WHERE code = 'BG002'",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_reimporting_a_sheet_adds_new_reports_unchanged_and_refuses_changed(
    town: list[dict[str, str]], run: Run, tmp_path: Path
) -> None:
    fresh = household_rows(("NL005",), seed=99)[0]
    sheet = write_csv(tmp_path / "again.csv", HEADER, [[r[name] for name in HEADER] for r in [*town, fresh]])
    assert ok(run("import", "households", str(sheet))) == (
        "1 household imported.\n6 households already registered as the sheet says: left as they are.\n"
    )
    changed = [dict(r) for r in town]
    changed[1] |= {"members": "9", "grid": "第九网格"}
    changed[2] |= {"consent_bank": "是" if changed[2]["consent_bank"] == "否" else "否"}
    bad = write_csv(tmp_path / "changed.csv", HEADER, [[r[name] for name in HEADER] for r in changed])
    refused = one_line(failed(run("import", "households", str(bad))))
    assert "household NL002 is registered already and the sheet differs in: members, grid" in refused
    assert "household NL003 is registered already and the sheet differs in: consent_bank" in refused
    assert "household set" in refused
    assert json.loads(ok(run("household", "show", "NL002", "--format", "json")))["members"] == int(town[1]["members"])


def test_two_households_with_one_id_number_are_refused_by_the_index(town: list[dict[str, str]], engine: Engine) -> None:
    columns = (
        "code, village, head_name, id_number, phone, members, grid, address, consent_board, consent_bank, registered_on"
    )
    copy = f"SELECT 'NL777', village, head_name, id_number, phone, members, grid, address, 0, 0, registered_on FROM household WHERE code = '{HOUSEHOLD_CODES[0]}'"
    with pytest.raises(DBAPIError, match=r"(?i)unique|REPLACE refused"), engine.begin() as conn:
        conn.execute(text(f"INSERT INTO household ({columns}) {copy}"))


def test_household_list_reads_back_as_the_sheet_after_a_change(
    town: list[dict[str, str]], run: Run, tmp_path: Path
) -> None:
    invoke(run, "household", "set", "NL002", "--grid", "第二网格", "--reason", "网格调整")
    listed = json.loads(ok(run("household", "list", "--format", "json", "--village", "NL")))
    assert [r["grid"] for r in listed] == ["第一网格", "第二网格", "第一网格", "第一网格"]
