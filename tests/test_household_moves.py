"""Household moves (issue 10): moving out and in are their own recorded events, and nothing else changes.

A household keeps its code, ID number, details, consent and every entry; its coins go with it
(a move_out entry in the old village's chain, a move_in in the new one's); its points stay where
they were earned, so the old village's boards keep their months and a rating counts them all.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.errors import Refused
from moralbank.services import household_changes
from moralbank.storage.db import open_engine, reading, writing
from moralbank.storage.records import cover
from moralbank.storage.upgrade import upgrade
from tests.clock import freeze_today
from tests.runner import Run, failed, invoke, ok, one_line, run_on
from tests.test_copy import county, village_file
from tests.town import AS_OF, TODAY, book, build_credit_town, build_register

__all__ = ["village_file"]  # the copy tests' demo terminal, used here as a fixture

RELEASE_DB = Path(__file__).parent / "data" / "release-0.1.0.db"


@pytest.fixture
def town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The core town (NL, BG), NL001 with 8 coins and NL002 with 4 from October; today 2026-11-29."""
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    book(engine, [("NL001", "ZY01", 2, "k1"), ("NL002", "ZY01", 1, "k2")])
    return engine


def _json(run: Run, *args: str) -> Any:
    return json.loads(invoke(run, *args, "--format", "json").stdout)


def _entries(engine: Engine, household: str) -> list[tuple[Any, ...]]:
    with reading(engine) as session:
        query = text(
            "SELECT village, kind, debit, credit, amount, coins, earned, booked_on, note FROM entry "
            "WHERE household = :h ORDER BY id"
        )
        return [tuple(row) for row in session.execute(query, {"h": household})]


def test_a_move_carries_the_coins_in_two_entries_and_keeps_the_points(town: Engine, run: Run) -> None:
    said = ok(run("household", "move", "NL001", "--to", "BG", "--reason", "举家迁居", "--on", "2026-11-20"))
    assert said == (
        "Household NL001 moved from village NL to village BG on 2026-11-20 (a move-out and a move-in recorded)\n"
        "8 coins went with it from NL to BG; the points it earned before stay on record where they were earned\n"
    )
    assert _entries(town, "NL001")[-2:] == [
        ("NL", "move_out", "households:NL:NL001", "village:NL:moves", 8, -8, 0, "2026-11-20", "举家迁居"),
        ("BG", "move_in", "village:BG:moves", "households:BG:NL001", 8, 8, 0, "2026-11-20", "举家迁居"),
    ]
    assert _json(run, "balance", "NL001") | {"as_of": ""} == {
        "household": "NL001",
        "village": "BG",
        "head_name": _json(run, "household", "show", "NL001")["head_name"],
        "coins": 8,
        "earned": 8,
        "as_of": "",
    }
    assert [h["code"] for h in _json(run, "household", "list", "--village", "BG")][:1] == ["BG001"]
    assert "NL001" in [h["code"] for h in _json(run, "household", "list", "--village", "BG")]
    assert "NL001" not in [h["code"] for h in _json(run, "household", "list", "--village", "NL")]
    history = _json(run, "household", "history", "NL001")
    assert history[-1] == {
        "at": "2026-11-20",
        "event": "moved",
        "field": "village",
        "before": "NL",
        "after": "BG",
        "why": "举家迁居",
        "operator": "tester",
    }
    kinds = [line["kind"] for line in _json(run, "statement", "NL001")["lines"]]
    assert kinds[-2:] == ["move_out", "move_in"]
    assert "迁出" in ok(run("statement", "NL001", lang="zh")) and "迁入" in ok(run("statement", "NL001", lang="zh"))
    assert "Ledger intact" in ok(run("verify"))


def test_after_the_move_the_new_village_books_spends_and_clears_it(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居"))
    ok(run("award", "NL001", "ZY01", "--on", "2026-11-28", "--key", "after-move"))
    ok(run("redeem", "NL001", "10", "--item", "毛巾"))
    last = _entries(town, "NL001")[-2:]
    assert [(village, kind, coins) for village, kind, _, _, _, coins, *_ in last] == [
        ("BG", "award", 4),
        ("BG", "redemption", -10),
    ]
    assert (_json(run, "balance", "NL001")["coins"], _json(run, "balance", "NL001")["earned"]) == (2, 12)
    assert "Ledger intact" in ok(run("verify"))  # every village's books still sum to zero


def test_boards_keep_each_month_where_it_was_earned(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    october = {"--month": "2026-10"}
    nl = _json(run, "board", "show", "--village", "NL", *october.keys(), *october.values())
    bg = _json(run, "board", "show", "--village", "BG", "--month", "2026-10")
    assert [(r["household"], r["points"]) for r in nl["rows"]] == [("NL001", 8), ("NL002", 4)]
    assert [r["household"] for r in bg["rows"]] == []
    county_rows = _json(run, "board", "show", "--county", "--month", "2026-10")["rows"]
    assert [(r["household"], r["village"]) for r in county_rows] == [("NL001", "NL"), ("NL002", "NL")]


def test_a_move_dated_in_the_month_shows_on_the_county_board_under_the_new_village(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-10-28"))
    county_rows = _json(run, "board", "show", "--county", "--month", "2026-10")["rows"]
    first = county_rows[0]
    assert (first["household"], first["village"], first["points"]) == ("NL001", "BG", 8)


@pytest.mark.parametrize(
    ("args", "operator", "message"),
    [
        (("--to", "NL"), "tester", "household NL001 is in village NL already: nothing to move"),
        (("--to", "XX"), "tester", "no village XX"),
        (
            ("--to", "BG", "--on", "2026-10-20"),
            "tester",
            "the move date 2026-10-20 is before household NL001's latest booking (2026-10-25): "
            "a move cannot come before what is booked already",
        ),
        (
            ("--to", "BG", "--on", "2025-12-31"),
            "tester",
            "the move date 2025-12-31 is before household NL001 was registered (2026-01-01)",
        ),
        (("--to", "BG", "--on", "2026-11-30"), "tester", "move date: the date 2026-11-30 is in the future"),
        (("--to", "BG"), "王文书", "The operator 王文书 is a clerk; this needs the role township (or above)"),
    ],
)
def test_a_move_is_refused_and_nothing_is_written(
    town: Engine, run: Run, args: tuple[str, ...], operator: str, message: str
) -> None:
    ok(run("operator", "add", "王文书", "--role", "clerk"))
    before = _entries(town, "NL001")
    said = one_line(failed(run("household", "move", "NL001", *args, "--reason", "迁居", operator=operator)))
    assert message in said
    assert _entries(town, "NL001") == before
    assert _json(run, "household", "show", "NL001")["village"] == "NL"
    assert [row["event"] for row in _json(run, "household", "history", "NL001")] == ["registered"]


def test_a_move_into_a_closed_month_is_refused(town: Engine, run: Run) -> None:
    ok(run("board", "publish", "--village", "BG", "--month", "2026-10"))
    said = one_line(failed(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-10-28")))
    assert "2026-10" in said
    assert _json(run, "household", "show", "NL001")["village"] == "NL"


def test_moving_back_and_again_is_one_history(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "外出务工", "--on", "2026-11-01"))
    ok(run("household", "move", "NL001", "--to", "NL", "--reason", "返乡", "--on", "2026-11-20"))
    said = one_line(failed(run("household", "move", "NL001", "--to", "BG", "--reason", "x", "--on", "2026-11-10")))
    assert said.endswith("the move date 2026-11-10 is before household NL001's last move (2026-11-20)")
    moved = [(r["before"], r["after"], r["at"]) for r in _json(run, "household", "history", "NL001")[1:]]
    assert moved == [("NL", "BG", "2026-11-01"), ("BG", "NL", "2026-11-20")]
    assert _json(run, "balance", "NL001")["coins"] == 8
    with reading(town) as session:  # the household's account in BG's books is empty again
        held = session.execute(text("SELECT village, SUM(coins) FROM entry WHERE household = 'NL001' GROUP BY 1"))
        assert dict(held.all()) == {"NL": 8, "BG": 0}
    assert "Ledger intact" in ok(run("verify"))


def test_a_rating_counts_the_points_earned_in_both_villages(engine: Engine, run: Run, monkeypatch: Any) -> None:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    before = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", AS_OF, "--village", "DZ")["ratings"]}
    ok(run("household", "move", "DZ01", "--to", "XZ", "--reason", "迁居", "--on", "2026-11-01"))
    west = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", AS_OF, "--village", "XZ")["ratings"]}
    east = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", AS_OF, "--village", "DZ")["ratings"]}
    assert "DZ01" not in east
    assert (west["DZ01"]["village"], west["DZ01"]["points"], west["DZ01"]["tier"]) == ("XZ", 100, "AAA")
    assert west["DZ01"] | {"village": "DZ"} == before["DZ01"]


def _forge(engine: Engine, sql: str) -> None:
    """Rewrite the database as its owner could, with the guards dropped (SQLite) or disabled (PostgreSQL)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE household_move DISABLE TRIGGER USER"))
            connection.execute(text(sql))
            connection.execute(text("ALTER TABLE household_move ENABLE TRIGGER USER"))
            return
        for trigger in ("household_move_no_update", "household_move_no_delete"):
            connection.execute(text(f"DROP TRIGGER {trigger}"))
        connection.execute(text(sql))


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("DELETE FROM household_move", "no household move records"),
        ("UPDATE household_move SET to_village = 'NL', from_village = 'BG'", "household move 1"),
        ("UPDATE household_move SET on_date = '2026-11-02'", "household move 1"),
    ],
)
def test_a_rewritten_or_deleted_move_fails_verify(town: Engine, run: Run, sql: str, named: str) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    _forge(town, sql)
    said = failed(run("verify"))
    assert named in said


def test_a_move_entry_inserted_without_its_move_fails_verify(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL002", "--to", "BG", "--reason", "迁居"))
    _forge(town, "DELETE FROM household_move")
    said = failed(run("verify"))
    assert "entry 1 of village BG is a move-out or a move-in that no household move records" in said
    assert "entry 3 of village NL is a move-out or a move-in that no household move records" in said


def test_the_copy_to_the_county_server_brings_the_moves(village_file: Path, db_url: str) -> None:
    moved = county(str(village_file), "household", "move", "NL001", "--to", "XY", "--reason", "迁居")
    assert moved.exit_code == 0, moved.output
    done = county(db_url, "copy", "--from", str(village_file), "--to", db_url)
    assert done.exit_code == 0, done.output
    there = run_on(db_url)
    assert json.loads(ok(there("household", "show", "NL001", "--format", "json")))["village"] == "XY"
    history = json.loads(ok(there("household", "history", "NL001", "--format", "json")))
    assert [(r["event"], r["before"], r["after"]) for r in history][-1] == ("moved", "NL", "XY")
    assert "Ledger intact" in ok(there("verify"))


def test_a_file_of_the_first_release_upgrades_and_then_moves(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    engine = open_engine(str(path))
    upgrade(engine, str(path))
    engine.dispose()
    with sqlite3.connect(path) as conn:
        code, village, registered = conn.execute(
            "SELECT code, village, registered_on FROM household ORDER BY code LIMIT 1"
        ).fetchone()
        other = conn.execute("SELECT code FROM village WHERE code <> ? ORDER BY code", (village,)).fetchone()[0]
        last = conn.execute("SELECT MAX(booked_on) FROM entry").fetchone()[0]
    run = run_on(str(path), operator="county")
    ok(run_on(str(path), operator=None)("operator", "add", "county", "--role", "township"))
    day = max(last, registered, TODAY.isoformat())
    freeze_today(monkeypatch, date.fromisoformat(day))
    ok(run("household", "move", code, "--to", other, "--reason", "迁居", "--on", day))
    assert json.loads(ok(run("household", "show", code, "--format", "json")))["village"] == other
    assert "Ledger intact" in ok(run("verify"))


def test_a_decision_booked_before_the_move_is_refused_with_its_row(town: Engine, run: Run, tmp_path: Path) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    late = ["award", "NL001", "ZY01", "--on", "2026-11-10", "--booked", "2026-11-15", "--key", "late"]
    said = one_line(failed(run(*late)))
    assert (
        "household NL001 moved to village BG on 2026-11-20: a decision for it cannot be booked before the move" in said
    )
    sheet = tmp_path / "late.csv"
    sheet.write_text(
        "household,standard,qty,event_date,booked_on\nNL002,ZY01,1,2026-11-10,2026-11-15\n"
        "NL001,ZY01,1,2026-11-10,2026-11-15\n",
        encoding="utf-8",
    )
    said = failed(run("import", "decisions", str(sheet)))
    assert "row 3" in said and "NL001 moved to village BG" in said
    assert _entries(town, "NL002")[-1][1] == "award" and len(_entries(town, "NL002")) == 1  # nothing written
    ok(run("award", "NL001", "ZY01", "--on", "2026-11-10", "--booked", "2026-11-21", "--key", "late"))
    assert _entries(town, "NL001")[-1][:2] == ("BG", "award")


def test_a_move_in_january_waits_for_last_years_clearing(town: Engine, run: Run, monkeypatch: Any) -> None:
    ok(run("village", "set", "NL", "--year-end-clearing", "yes"))
    freeze_today(monkeypatch, date(2027, 1, 10))
    move = ("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2027-01-05")
    said = one_line(failed(run(*move)))
    assert said.endswith(
        "village NL clears coins at year end and 2026 is not closed yet: run moralbank year close --village NL "
        "--year 2026 first, then move household NL001"
    )
    ok(run("year", "close", "--village", "NL", "--year", "2026"))
    assert "0 coins went with it" in ok(run(*move))  # last year's 8 coins were cleared in NL's books
    assert _json(run, "balance", "NL001")["coins"] == 0


def test_a_redemption_booked_before_the_move_is_refused(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    said = one_line(failed(run("redeem", "NL001", "3", "--item", "毛巾", "--booked", "2026-11-19")))
    assert "household NL001 moved to village BG on 2026-11-20" in said
    ok(run("redeem", "NL001", "3", "--item", "毛巾", "--booked", "2026-11-20"))
    assert _entries(town, "NL001")[-1][:2] == ("BG", "redemption")


def test_the_supermarket_serves_a_moved_household_in_its_new_village(village_file: Path) -> None:
    assert county(str(village_file), "household", "move", "NL008", "--to", "XY", "--reason", "迁居").exit_code == 0
    county(str(village_file), "shop", "redeem", "NL008", "XZ01")
    with sqlite3.connect(village_file) as conn:
        held = dict(conn.execute("SELECT village, SUM(coins) FROM entry WHERE household = 'NL008' GROUP BY 1"))
    assert held["NL"] == 0  # nothing is ever booked in the village it left


def test_a_forged_move_that_reuses_an_earlier_moves_entries_fails_verify(town: Engine, run: Run) -> None:
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    ok(run("household", "move", "NL001", "--to", "NL", "--reason", "迁回", "--on", "2026-11-25"))
    with town.begin() as connection:  # the owner inserts a third move, and records it as the program would
        connection.execute(
            text(
                "INSERT INTO household_move (household, from_village, to_village, on_date, out_seq, in_seq, reason, "
                "operator, recorded_at) SELECT household, from_village, to_village, on_date, out_seq, in_seq, "
                "reason, operator, recorded_at FROM household_move WHERE id = 1"
            )
        )
    with writing(town) as session:
        cover(session, "household_move", [3])
    assert _json(run, "household", "show", "NL001")["village"] == "BG"
    assert "household move 3 (household NL001) does not match its move-out and move-in entries" in failed(run("verify"))


def test_a_move_that_lost_the_race_is_refused(town: Engine, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # On PostgreSQL two moves can both read the household in NL before either takes the chains'
    # locks; the first commits. The second, holding the locks, must read the village afresh (the
    # session's cached household still says NL) and refuse.
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居"))  # the first, committed
    as_first_read = SimpleNamespace(village="NL")
    monkeypatch.setattr(household_changes, "get_household", lambda session, code: as_first_read)
    with pytest.raises(Refused) as refused, writing(town) as session:
        household_changes.move_household(
            session, code="NL001", to="BG", on="2026-11-29", reason="迁居", operator="tester", today=TODAY
        )
    assert refused.value.key == "household.move_raced"
    assert [r["event"] for r in _json(run, "household", "history", "NL001")] == ["registered", "moved"]
    assert "Ledger intact" in ok(run("verify"))


def test_a_rating_on_a_date_before_the_move_names_the_village_of_that_date(
    engine: Engine, run: Run, monkeypatch: Any
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    ok(run("household", "move", "DZ01", "--to", "XZ", "--reason", "迁居", "--on", "2026-11-20"))
    earlier = "2026-11-10"
    east = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", earlier, "--village", "DZ")["ratings"]}
    west = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", earlier, "--village", "XZ")["ratings"]}
    assert east["DZ01"]["village"] == "DZ" and "DZ01" not in west
    now = {r["household"]: r for r in _json(run, "credit", "rate", "--as-of", AS_OF, "--village", "XZ")["ratings"]}
    assert now["DZ01"]["village"] == "XZ"


def test_a_reversal_after_the_move_corrects_the_old_village_and_its_coins_follow(town: Engine, run: Run) -> None:
    wrong = book(town, [("NL001", "LL03", 1, "wrong")])[0]  # a deduction of 10 in NL, later found wrong
    ok(run("household", "move", "NL001", "--to", "BG", "--reason", "迁居", "--on", "2026-11-20"))
    assert _json(run, "balance", "NL001")["coins"] == -2  # 8 earned, 10 deducted: a debt went with it
    ok(run("reverse", str(wrong), "--reason", "复核不实", "--yes"))
    assert [(v, kind, coins) for v, kind, _, _, _, coins, *_ in _entries(town, "NL001")[-3:]] == [
        ("NL", "reversal", 10),
        ("NL", "carry_out", -10),
        ("BG", "carry_in", 10),
    ]
    assert (_json(run, "balance", "NL001")["coins"], _json(run, "balance", "NL001")["earned"]) == (8, 8)
    with reading(town) as session:  # nothing stays behind in the books of the village it left
        held = session.execute(text("SELECT village, SUM(coins) FROM entry WHERE household = 'NL001' GROUP BY 1"))
        assert dict(held.all()) == {"NL": 0, "BG": 8}
    assert "Ledger intact" in ok(run("verify"))
    assert "转出" in ok(run("statement", "NL001", lang="zh"))
