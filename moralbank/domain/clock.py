"""The business clock: today and readable times in the village's timezone, whatever the host's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"  # the business timezone unless MORALBANK_TZ names another


def utc_now() -> datetime:
    """The current instant in UTC (the one place the host clock is read; tests replace it)."""
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name`` (e.g. ``Asia/Shanghai``), or an error naming it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # with sysconfig, ~3 ms a read that asks no date would pay

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        from moralbank.errors import InputError  # here: the root's help reads DEFAULT_TZ, not the errors

        raise InputError("tz.invalid", value=name) from exc


def today(tz: str = DEFAULT_TZ) -> date:
    """Today's date in the business timezone: the bound for event and booking dates."""
    return utc_now().astimezone(zone(tz)).date()


def stamp() -> str:
    """A stored timestamp: ISO 8601 in UTC, to the second."""
    return utc_now().replace(microsecond=0).isoformat()


def local_time(stored: str, tz: str = DEFAULT_TZ) -> str:
    """A stored UTC timestamp as a person reads it in the business timezone: ``2026-12-02 04:03``."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")
