"""The village's own clock: today in the business timezone, stored UTC shown as local time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from moralbank.domain import clock
from moralbank.domain.boards import Board, Publication
from moralbank.domain.chain import Checkpoint
from moralbank.domain.dates import month_bounds
from moralbank.render.boards import board_footer, listed_for_people
from moralbank.reports.boards import PublishedRow
from moralbank.services import register
from tests.database import entry_count
from tests.runner import ok
from tests.town import build_register

# 00:30 on 2 December in Beijing, 16:30 on 1 December in UTC.
BEIJING_AFTER_MIDNIGHT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


@pytest.fixture
def host_in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A county server whose own clock zone is UTC, at 00:30 Beijing time on 2 December."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(clock, "utc_now", lambda: BEIJING_AFTER_MIDNIGHT)
    yield
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_date_in_the_business_timezone(host_in_utc: None) -> None:
    assert clock.today("Asia/Shanghai") == date(2026, 12, 2)
    assert clock.today("UTC") == date(2026, 12, 1)


def test_stored_timestamps_are_utc_from_the_one_clock(host_in_utc: None) -> None:
    assert clock.stamp() == "2026-12-01T16:30:00+00:00"
    assert register.now_utc() == "2026-12-01T16:30:00+00:00"


def test_a_stored_time_is_shown_in_the_business_timezone() -> None:
    assert clock.local_time("2026-12-01T20:03:41+00:00", "Asia/Shanghai") == "2026-12-02 04:03"
    assert clock.local_time("2026-12-01T20:03:41+00:00", "UTC") == "2026-12-01 20:03"


def test_a_board_footer_shows_the_publication_in_local_time() -> None:
    published = Publication(3, "2026-12-01T20:03:41+00:00", "王会计", "ab" * 32)
    board = Board("NL", "南伦村", "2026-11", Checkpoint("NL", 5, "cd" * 32), [], None, published)
    assert board_footer(board, "en", "Asia/Shanghai")[0] == (
        f"Board #3, published 2026-12-02 04:03 (Asia/Shanghai) by 王会计; snapshot hash {'ab' * 32}"
    )


def test_board_list_rows_for_people_are_local_and_machines_keep_utc() -> None:
    row = PublishedRow(1, "NL", "2026-11", 4, 5, "h", "s", "op", "2026-12-01T20:03:41+00:00")
    assert listed_for_people([row], "Asia/Shanghai")[0].published_at == "2026-12-02 04:03"
    assert row.published_at == "2026-12-01T20:03:41+00:00"


def test_an_award_dated_today_in_beijing_is_accepted_on_a_utc_host(host_in_utc: None, run: Any, engine: Engine) -> None:
    build_register(engine)
    ok(run("award", "NL001", "ZY01", "--on", "2026-12-02", "--booked", "2026-12-02"))
    assert entry_count(engine) == 1


def test_the_business_timezone_is_a_setting(
    host_in_utc: None, run: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_register(engine)
    monkeypatch.setenv("MORALBANK_TZ", "UTC")  # a county that keeps its books in UTC: still 1 December
    result = run("award", "NL001", "ZY01", "--on", "2026-12-02", "--booked", "2026-12-02")
    assert result.exit_code == 1 and "future" in result.stderr
    assert entry_count(engine) == 0
    monkeypatch.setenv("MORALBANK_TZ", "Mars/Olympus")
    result = run("award", "NL001", "ZY01")
    assert result.exit_code == 1 and "Unknown timezone: Mars/Olympus" in result.stderr


@given(st.integers(min_value=1, max_value=9998), st.integers(min_value=1, max_value=12))
def test_a_months_bounds_are_its_first_day_and_the_day_before_the_next_month(year: int, month: int) -> None:
    first, last = month_bounds(f"{year:04d}-{month:02d}")
    assert first == date(year, month, 1)
    assert last == first + relativedelta(months=1, days=-1)  # the calendar's own answer
