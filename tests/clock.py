"""Freeze the business clock: tests say which day it is in the village, whatever the host's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from moralbank.domain import clock


def freeze_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make ``day`` today in Beijing: the clock reads noon of that day, Beijing time (04:00 UTC)."""
    instant = datetime.combine(day, time(12, 0), tzinfo=UTC) - timedelta(hours=8)
    monkeypatch.setattr(clock, "utc_now", lambda: instant)
