"""Dates and months: ISO parsing with clear errors, bounded to 1949-10-01..2099-12-31, month bounds."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from moralbank.errors import InputError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")

# Every date typed or read lies in this range: nothing a village records predates the People's
# Republic, and a bound far from year 9999 keeps month arithmetic (a month on, a year back) safe.
EARLIEST = date(1949, 10, 1)
LATEST = date(2099, 12, 31)
EARLIEST_MONTH = f"{EARLIEST:%Y-%m}"
LATEST_MONTH = f"{LATEST:%Y-%m}"


def in_range(day: date) -> bool:
    """Whether a date lies between EARLIEST and LATEST."""
    return EARLIEST <= day <= LATEST


def parse_date(value: str | date, field: str) -> date:
    """An ISO ``YYYY-MM-DD`` date between 1949-10-01 and 2099-12-31, or an InputError naming the field."""
    if isinstance(value, date):
        day: date | None = value
        text = value.isoformat()
    else:
        text = str(value).strip()
        day = _iso_date(text)
    if day is None:
        raise InputError("date.invalid", field=field, value=text[:40])
    if not in_range(day):
        raise InputError(
            "date.out_of_range", field=field, value=text, earliest=EARLIEST.isoformat(), latest=LATEST.isoformat()
        )
    return day


def _iso_date(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def value_problem(error: InputError) -> tuple[str, dict[str, Any]]:
    """A parse_date error as the reason of a sheet row's problem (the row already names the field)."""
    params = {name: value for name, value in error.params.items() if name != "field"}
    return ("date.out_of_range_value" if error.key == "date.out_of_range" else "date.invalid_value"), params


def parse_month(value: str, field: str = "month") -> str:
    """A ``YYYY-MM`` month between 1949-10 and 2099-12, checked, returned as text."""
    text = value.strip()
    if not (_MONTH_RE.match(text) and 1 <= int(text[5:]) <= 12):
        raise InputError("month.invalid", field=field, value=text[:40])
    if not EARLIEST_MONTH <= text <= LATEST_MONTH:
        raise InputError("month.out_of_range", field=field, value=text, earliest=EARLIEST_MONTH, latest=LATEST_MONTH)
    return text


def month_of(day: date) -> str:
    """The ``YYYY-MM`` month a date falls in."""
    return f"{day:%Y-%m}"


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of a ``YYYY-MM`` month."""
    first = date.fromisoformat(month + "-01")
    return first, first + relativedelta(months=1, days=-1)


def months_back(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    last = date.fromisoformat(month + "-01")
    return [month_of(last - relativedelta(months=n)) for n in range(count - 1, -1, -1)]
