"""Dates and months: the forms people write, parsed with clear errors, bounded to 1949..2099; month bounds."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from moralbank.errors import InputError

# The forms a clerk writes, all with the year first in four digits: 2026-11-03, 2026-11-3,
# 2026/11/3, 2026.11.3, 2026年11月3日, 20261103. A year of two digits, or a day and month
# before the year (11/3/2026: November or March?), is refused rather than guessed.
_DATE_FORMS = (
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$"),
    re.compile(r"^(\d{4})(年)(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})()(\d{2})(\d{2})$"),
)
# An Excel serial day number (a date cell formatted as a number): day 1 is 1900-01-01, and
# Excel's 1900 leap-year bug makes day 0 fall on 1899-12-30 for every date after February 1900.
_SERIAL_RE = re.compile(r"^\d{5}(\.0+)?$")
_SERIAL_EPOCH = date(1899, 12, 30)
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


def parse_date(value: str | date, field: str, *, serial: bool = False) -> date:
    """A date between 1949-10-01 and 2099-12-31 in a form people write, or an InputError naming the field.

    ``2026-11-03``, ``2026-11-3``, ``2026/11/3``, ``2026.11.3``, ``2026年11月3日``, ``20261103``;
    full-width digits too. ``serial`` also takes an Excel serial day number (a sheet's date cell
    shown as a number); a command line never does, so that a mistyped number is not a date.
    """
    if isinstance(value, date):
        day: date | None = value
        text = value.isoformat()
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        day = _written_date(text)
        if day is None and serial and _SERIAL_RE.match(text):
            day = _SERIAL_EPOCH + timedelta(days=int(float(text)))
    if day is None:
        key = "date.invalid" if _iso_shaped(text) else "date.unrecognised"
        raise InputError(key, field=field, value=text[:40])
    if not in_range(day):
        raise InputError(
            "date.out_of_range", field=field, value=text, earliest=EARLIEST.isoformat(), latest=LATEST.isoformat()
        )
    return day


def _written_date(text: str) -> date | None:
    for form in _DATE_FORMS:
        if found := form.match(text):
            year, _, month, day = found.groups()
            try:
                return date(int(year), int(month), int(day))
            except ValueError:  # 2026-02-30: the right shape, no such day
                return None
    return None


def _iso_shaped(text: str) -> bool:
    """Whether a refused date has an accepted shape and only names a day that does not exist."""
    return any(form.match(text) for form in _DATE_FORMS)


_VALUE_KEYS = {
    "date.out_of_range": "date.out_of_range_value",
    "date.invalid": "date.invalid_value",
    "date.unrecognised": "date.unrecognised_value",
}


def value_problem(error: InputError) -> tuple[str, dict[str, Any]]:
    """A parse_date error as the reason of a sheet row's problem (the row already names the field)."""
    params = {name: value for name, value in error.params.items() if name != "field"}
    return _VALUE_KEYS.get(error.key, "date.invalid_value"), params


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
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def months_back(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    from dateutil.relativedelta import relativedelta  # ~2 ms the month's reads need not pay

    last = date.fromisoformat(month + "-01")
    return [month_of(last - relativedelta(months=n)) for n in range(count - 1, -1, -1)]
