"""Dates and months: ISO parsing with clear errors, month bounds via relativedelta."""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import relativedelta

from moralbank.errors import InputError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


def parse_date(value: str | date, field: str) -> date:
    """An ISO ``YYYY-MM-DD`` date, or an InputError naming the field."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _DATE_RE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError("date.invalid", field=field, value=text)


def parse_month(value: str, field: str = "month") -> str:
    """A ``YYYY-MM`` month, checked, returned as text."""
    text = value.strip()
    if _MONTH_RE.match(text) and 1 <= int(text[5:]) <= 12:
        return text
    raise InputError("month.invalid", field=field, value=text)


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
