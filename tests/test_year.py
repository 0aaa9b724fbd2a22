"""The village year: year-end clearing exact to the coin, the base score, and `report year`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, text

from moralbank.messages import text as say
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.database import row_count
from tests.runner import failed, ok
from tests.shop_town import Run, build_shop, error, field_error
from tests.town import TODAY

NEW_YEAR = date(2027, 1, 5)


@pytest.fixture
def village_year(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The shop town; NL clears at year end, gives a base score of 100 and stars for months on the red list."""
    freeze_today(monkeypatch, TODAY)
    build_shop(run, engine)
    ok(run("village", "set", "NL", "--year-end-clearing", "yes", "--base-score", "100",
           "--star-titles", "1:一星级文明户,3:二星级文明户"))  # fmt: skip
    ok(run("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28"))  # NL001: 40 - 10 = 30
    return run


def balance(run: Run, household: str) -> tuple[int, int]:
    found = json.loads(ok(run("balance", household, "-f", "json")))
    return found["coins"], found["earned"]


def test_clearing_takes_the_years_coins_exact_to_the_coin(
    village_year: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = village_year
    freeze_today(monkeypatch, NEW_YEAR)
    ok(run("award", "NL001", "ZY01", "--on", "2027-01-03", "--booked", "2027-01-03"))  # +4 in the new year
    ok(run("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2027-01-04"))  # -10, from last year's coins
    assert ok(run("year", "close", "--village", "NL", "--year", "2026")) == (
        say("year.closed", "en", village="NL", year=2026, households=2, coins=28) + "\n"
    )
    assert balance(run, "NL001") == (4, 44)  # only the new year's coins are left; every point earned stays
    assert balance(run, "NL002") == (0, 8)
    assert balance(run, "BG001") == (20, 20)  # another village's coins are its own
    with reading(engine) as session:
        rows = session.execute(
            text("SELECT household, debit, credit, amount, coins, earned, booked_on FROM entry WHERE kind = 'clearing'")
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("NL001", "households:NL:NL001", "village:NL:issuance", 20, -20, 0, "2026-12-31"),
        ("NL002", "households:NL:NL002", "village:NL:issuance", 8, -8, 0, "2026-12-31"),
    ]
    assert ok(run("verify")).startswith(say("verify.ok", "en", villages=2, entries=8))
    assert failed(run("year", "close", "--village", "NL", "--year", "2026")) == error(
        "en", "year.already_closed", village="NL", year=2026
    )
    assert failed(run("reverse", "8", "--reason", "撤销清零")) == error(
        "en", "reverse.not_reversible", id=8, kind="clearing"
    )
    assert row_count(engine, "entry") == 8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_clearing_is_refused_before_the_year_ends_when_off_and_while_proposals_wait(
    village_year: Run, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    run = village_year
    freeze_today(monkeypatch, date(2026, 12, 31))
    assert failed(run("year", "close", "--village", "NL", "--year", "2026", lang=lang)) == error(
        lang, "year.not_ended", year=2026, end="2026-12-31"
    )
    freeze_today(monkeypatch, NEW_YEAR)
    assert failed(run("year", "close", "--village", "BG", "--year", "2026", lang=lang)) == error(
        lang, "year.clearing_off", village="BG"
    )
    ok(run("village", "set", "NL", "--notice-days", "7"))
    ok(run("award", "NL002", "ZY01", "--on", "2027-01-04", "--booked", "2027-01-04"))  # proposed: on notice
    assert failed(run("year", "close", "--village", "NL", "--year", "2026", lang=lang)) == error(
        lang, "year.pending", village="NL", count=1
    )


def test_clearing_leaves_boards_and_ratings_untouched(village_year: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run = village_year
    freeze_today(monkeypatch, NEW_YEAR)
    before = [
        ok(run("board", "show", "--village", "NL", "--month", "2026-10", "-f", "json")),
        ok(run("board", "show", "--village", "NL", "--month", "2026-12", "-f", "json")),
        ok(run("credit", "rate", "--as-of", "2027-01-05", "-f", "json")),
        ok(run("report", "trend", "--village", "NL", "--until", "2026-12", "-f", "json")),
    ]
    ok(run("year", "close", "--village", "NL", "--year", "2026"))
    after = [
        ok(run("board", "show", "--village", "NL", "--month", "2026-10", "-f", "json")),
        ok(run("board", "show", "--village", "NL", "--month", "2026-12", "-f", "json")),
        ok(run("credit", "rate", "--as-of", "2027-01-05", "-f", "json")),
        ok(run("report", "trend", "--village", "NL", "--until", "2026-12", "-f", "json")),
    ]
    strip = [json.loads(b) for b in before], [json.loads(a) for a in after]
    for board in (strip[0][0], strip[0][1], strip[1][0], strip[1][1]):
        board.pop("checkpoint")  # the chain head moves: the figures do not
    assert strip[0] == strip[1]
    assert json.loads(after[1])["rows"] == []


def test_the_base_score_gives_earned_points_once_a_year(village_year: Run, engine: Engine) -> None:
    run = village_year
    assert ok(run("year", "open", "--village", "NL", "--year", "2026")) == (
        say("year.opened", "en", village="NL", year=2026, households=4, points=100) + "\n"
    )
    assert balance(run, "NL001") == (30, 140)  # points, not coins: nothing more to spend
    assert balance(run, "BG001") == (20, 20)
    january = json.loads(ok(run("board", "show", "--village", "NL", "--month", "2026-01", "-f", "json")))
    assert january["rows"] == []  # a starting score is not the month's behaviour
    ratings = {r["household"]: r["points"] for r in json.loads(ok(run("credit", "rate", "--as-of", "2026-11-29",
                                                                      "-f", "json")))["ratings"]}  # fmt: skip
    assert (ratings["NL001"], ratings["BG001"]) == (140, 20)
    assert failed(run("year", "open", "--village", "NL", "--year", "2026")) == error(
        "en", "year.base_already", village="NL", year=2026
    )
    assert failed(run("year", "open", "--village", "NL", "--year", "2027")) == error(
        "en", "date.future_field", field="booked_on", value="2027-01-01"
    )
    assert failed(run("year", "open", "--village", "BG", "--year", "2026")) == error(
        "en", "year.no_base_score", village="BG"
    )
    with reading(engine) as session:
        kinds = session.execute(text("SELECT DISTINCT kind, amount, coins, booked_on FROM entry WHERE earned = 100"))
        assert [tuple(k) for k in kinds] == [("base_score", 0, 0, "2026-01-01")]
    assert ok(run("verify")).startswith(say("verify.ok", "en", villages=2, entries=8))


def test_report_year(village_year: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run = village_year
    ok(run("year", "open", "--village", "NL", "--year", "2026"))
    ok(run("award", "NL002", "LL03", "--on", "2026-11-10", "--booked", "2026-11-10"))  # a deduction: -10
    freeze_today(monkeypatch, NEW_YEAR)
    ok(run("year", "close", "--village", "NL", "--year", "2026"))
    report = json.loads(ok(run("report", "year", "--village", "NL", "--year", "2026", "-f", "json")))
    assert report["village"] == "NL" and report["year"] == 2026 and report["categories"] == ["志愿服务", "邻里和睦"]
    assert report["households"][:2] == [
        {"household": "NL001", "head_name": report["households"][0]["head_name"], "earned": 140, "base_score": 100,
         "by_category": {"志愿服务": 40, "邻里和睦": 0}, "coins_issued": 40, "coins_spent": 10, "coins_cleared": 30,
         "red_months": 1, "black_months": 0, "star_title": "一星级文明户"},
        {"household": "NL002", "head_name": report["households"][1]["head_name"], "earned": 98, "base_score": 100,
         "by_category": {"志愿服务": 8, "邻里和睦": -10}, "coins_issued": -2, "coins_spent": 0, "coins_cleared": 0,
         "red_months": 1, "black_months": 0, "star_title": "一星级文明户"},
    ]  # fmt: skip
    csv_out = ok(run("report", "year", "--village", "NL", "--year", "2026", "-f", "csv")).splitlines()
    assert csv_out[0] == (
        "household,head_name,earned,base_score,coins_issued,coins_spent,coins_cleared,red_months,black_months,"
        "star_title,category:志愿服务,category:邻里和睦"
    )
    assert csv_out[1].startswith("NL001,") and csv_out[1].endswith(",140,100,40,10,30,1,0,一星级文明户,40,0")
    table = ok(run("report", "year", "--village", "NL", "--year", "2026"))
    assert "NL001" in table and say("year.title", "en", name="南伦村", village="NL", year=2026) in table
    assert report["village_name"] == "南伦村"


def test_a_closed_year_takes_no_more_bookings(
    village_year: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = village_year
    freeze_today(monkeypatch, NEW_YEAR)
    ok(run("year", "close", "--village", "NL", "--year", "2026"))
    closed = {"village": "NL", "year": 2026}
    assert failed(run("award", "NL001", "ZY01", "--on", "2026-12-20", "--booked", "2026-12-20")) == field_error(
        "en", "booked_on", "year.booking_closed", **closed, date="2026-12-20"
    )
    # The cleared household has no coins either: both reasons are named.
    assert say("year.booking_closed", "en", **closed, date="2026-12-30") in failed(
        run("shop", "redeem", "NL002", "SOAP", "--booked", "2026-12-30")
    )
    ok(run("award", "NL002", "ZY01", "--on", "2027-01-02", "--booked", "2027-01-02"))  # 4 coins of the new year
    assert failed(run("redeem", "NL002", "1", "--item", "火柴", "--booked", "2026-12-30")) == error(
        "en", "year.booking_closed", **closed, date="2026-12-30"
    )
    assert failed(run("reverse", "4", "--reason", "退货", "--booked", "2026-12-31", lang="zh")) == error(
        "zh", "year.booking_closed", **closed, date="2026-12-31"
    )
    ok(run("redeem", "BG001", "1", "--item", "火柴", "--booked", "2026-12-30"))  # BG's year is its own
    ok(run("reverse", "4", "--reason", "退货", "--booked", "2027-01-05"))  # the new year is open
    assert row_count(engine, "entry") == 6 + 3  # four, two clearings, then the three accepted here


def test_a_year_with_no_coins_left_is_closed_too(
    village_year: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = village_year
    freeze_today(monkeypatch, NEW_YEAR)
    ok(run("year", "close", "--village", "NL", "--year", "2025"))  # nothing was booked in 2025
    with reading(engine) as session:
        rows = session.execute(text("SELECT household, amount, booked_on FROM entry WHERE kind = 'clearing'")).all()
    assert [tuple(r) for r in rows] == [("NL001", 0, "2025-12-31")]  # the year's mark, of no coins
    assert failed(run("year", "close", "--village", "NL", "--year", "2025")) == error(
        "en", "year.already_closed", village="NL", year=2025
    )
    assert failed(run("redeem", "NL002", "1", "--item", "火柴", "--booked", "2025-06-30")) == error(
        "en", "year.booking_closed", village="NL", year=2025, date="2025-06-30"
    )


def test_the_systems_keys_are_not_a_users(village_year: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    run = village_year
    for key, prefix in (("clearing:NL:2026:x", "clearing:"), ("base:NL:2026:NL003", "base:")):
        assert failed(run("award", "NL003", "ZY01", "--on", "2026-11-10", "--key", key)) == field_error(
            "en", "key", "key.reserved", prefix=prefix
        )
        assert failed(run("shop", "redeem", "NL001", "SOAP", "--key", key)) == field_error(
            "en", "key", "key.reserved", prefix=prefix
        )
        assert failed(run("redeem", "NL001", "1", "--item", "火柴", "--key", key)) == error(
            "en", "key.reserved", prefix=prefix
        )
    ok(run("award", "NL003", "ZY01", "--on", "2026-11-10", "--key", "base_NL_2026_NL004"))  # "_" is no wildcard
    assert ok(run("year", "open", "--village", "NL", "--year", "2026")) == (
        say("year.opened", "en", village="NL", year=2026, households=4, points=100) + "\n"
    )
    freeze_today(monkeypatch, NEW_YEAR)
    assert ok(run("year", "close", "--village", "NL", "--year", "2026")).startswith(
        say("year.closed", "en", village="NL", year=2026, households=3, coins=42)
    )
