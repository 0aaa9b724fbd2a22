"""The village year's pure rules: redemption days, 星级文明户 titles for months on the red list."""

from __future__ import annotations

from datetime import date

from moralbank.domain.dates import EARLIEST, LATEST


def parse_days(value: str) -> tuple[int, ...] | None:
    """Days of the month ("10,25") as sorted numbers; () for any day; None when malformed."""
    parts = [p.strip() for p in value.replace("，", ",").split(",") if p.strip()]
    if not all(p.isdigit() and 1 <= int(p) <= 31 for p in parts):
        return None
    return tuple(sorted({int(p) for p in parts}))


def parse_titles(value: str) -> tuple[tuple[int, str], ...] | None:
    """Titles by months on the red list ("6:二星级文明户,10:三星级文明户"), fewest months first; None when malformed."""
    found: dict[int, str] = {}
    for part in value.replace("，", ",").split(","):
        if not part.strip():
            continue
        months, sep, title = part.replace("：", ":").partition(":")
        if not sep or not months.strip().isdigit() or not 1 <= int(months) <= 12 or not title.strip():
            return None
        found[int(months)] = title.strip()
    return tuple(sorted(found.items()))


def title_for(red_months: int, titles: tuple[tuple[int, str], ...]) -> str:
    """The highest title whose threshold the months on the red list reach, or ""."""
    earned = [title for months, title in titles if red_months >= months]
    return earned[-1] if earned else ""


def year_end(year: int) -> date:
    """31 December of ``year``: the booking day of its clearing."""
    return date(year, 12, 31)


def year_start(year: int) -> date:
    """1 January of ``year``: the booking day of its base score."""
    return date(year, 1, 1)


# Keys the system gives its own entries (year-end clearing, the base score): a user's key may not
# begin so, or it could pass for one of them.
RESERVED_KEY_PREFIXES = ("clearing:", "base:")
SYSTEM_KINDS = frozenset({"clearing", "base_score"})


def reserved_prefix(key: str | None) -> str | None:
    """The reserved prefix ``key`` begins with, or None."""
    if not key or not key.startswith(RESERVED_KEY_PREFIXES):  # one C-level test for the usual key
        return None
    return next(p for p in RESERVED_KEY_PREFIXES if key.startswith(p))


def year_problem(year: int) -> tuple[str, dict[str, int]] | None:
    """Why ``year`` cannot be a village year (outside the years dates may have), or None."""
    if not EARLIEST.year <= year <= LATEST.year:
        return "year.out_of_range", {"value": year, "low": EARLIEST.year, "high": LATEST.year}
    return None
