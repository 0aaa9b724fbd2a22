"""A village's supermarket and year policy: minimum balance, redemption days, clearing, base score, titles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from moralbank.domain.limits import MAX_MIN_BALANCE, MAX_POINTS, check_bound
from moralbank.domain.year import parse_days, parse_titles
from moralbank.errors import InputError
from moralbank.services.register import get_village
from moralbank.storage.models import VillagePolicy


@dataclass(frozen=True)
class Policy:
    """A village's policy as the shop and the year read it (the defaults when none was set)."""

    village: str
    min_balance: int
    redemption_days: tuple[int, ...]
    year_end_clearing: bool
    base_score: int
    star_titles: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class PolicyRow:
    """A village's policy as shown after ``village set``."""

    code: str
    min_balance: int
    redemption_days: str
    year_end_clearing: bool
    base_score: int
    star_titles: str


def _stored(session: Session, village: str) -> VillagePolicy:
    return session.get(VillagePolicy, village) or VillagePolicy(village=village)


def policy_of(session: Session, village: str) -> Policy:
    """The policy of a village; a village that set none has no minimum, any day, no clearing, no base score."""
    row = _stored(session, village)
    return Policy(
        village,
        row.min_balance,
        parse_days(row.redemption_days) or (),
        bool(row.year_end_clearing),
        row.base_score,
        parse_titles(row.star_titles) or (),
    )


def policy_row(row: VillagePolicy) -> PolicyRow:
    """The stored policy as a row to show."""
    return PolicyRow(
        row.village, row.min_balance, row.redemption_days, bool(row.year_end_clearing), row.base_score, row.star_titles
    )


def _checked_text(days: str | None, titles: str | None) -> tuple[str | None, str | None]:
    if days is not None:
        parsed = parse_days(days)
        if parsed is None:
            raise InputError("policy.bad_days", value=days)
        days = ",".join(str(d) for d in parsed)
    if titles is not None:
        found = parse_titles(titles)
        if found is None:
            raise InputError("policy.bad_titles", value=titles)
        titles = ",".join(f"{months}:{title}" for months, title in found)
    return days, titles


def set_policy(
    session: Session,
    *,
    code: str,
    min_balance: int | None = None,
    redemption_days: str | None = None,
    year_end_clearing: bool | None = None,
    base_score: int | None = None,
    star_titles: str | None = None,
) -> PolicyRow:
    """Change any of a village's policy settings; the others keep their values."""
    get_village(session, code)
    bounds = (("--min-balance", min_balance, MAX_MIN_BALANCE), ("--base-score", base_score, MAX_POINTS))
    for option, number, limit in bounds:
        if number is not None and number < 0:
            raise InputError("policy.negative", option=option, value=number)
        if number is not None:
            check_bound(option, number, limit)
    days, titles = _checked_text(redemption_days, star_titles)
    row = _stored(session, code)
    changes: dict[str, int | str | None] = {
        "min_balance": min_balance,
        "redemption_days": days,
        "year_end_clearing": None if year_end_clearing is None else int(year_end_clearing),
        "base_score": base_score,
        "star_titles": titles,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(row, name, value)
    session.add(row)
    session.flush()
    return policy_row(row)
