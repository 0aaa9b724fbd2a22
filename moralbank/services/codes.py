"""Codes as people type them: matched regardless of case, and the nearest codes when one is unknown."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from sqlmodel import Session, col, func, select

from moralbank.errors import RowProblem
from moralbank.storage.models import CurrentHousehold, Household
from moralbank.storage.reads import household_named

_DIGITS = re.compile(r"\d+")


def by_case(typed: Iterable[str], known: Iterable[str]) -> dict[str, str]:
    """Each typed code that is not a known code but matches exactly one of them regardless of case."""
    upper: dict[str, list[str]] = {}
    for code in known:
        upper.setdefault(code.upper(), []).append(code)
    found = {}
    for code in typed:
        matches = upper.get(code.upper(), [])
        if code not in matches and len(matches) == 1:
            found[code] = matches[0]
    return found


def household_codes_by_case(session: Session, typed: set[str]) -> dict[str, str]:
    """Typed household codes that are registered in another case (``dl019`` for ``DL019``).

    Codes found as typed are settled by the primary key first: only the rest need the
    case-blind scan, so a sheet of correct codes costs one indexed lookup.
    """
    codes = sorted(typed)
    exact: set[str] = set()
    for start in range(0, len(codes), 500):
        exact.update(
            session.exec(select(Household.code).where(col(Household.code).in_(codes[start : start + 500]))).all()
        )
    wanted = sorted({code.upper() for code in typed - exact})
    found: list[str] = []
    for start in range(0, len(wanted), 500):
        query = select(Household.code).where(func.upper(Household.code).in_(wanted[start : start + 500]))
        found += session.exec(query).all()
    return by_case(typed, found)


def _unpadded(code: str) -> str:
    return _DIGITS.sub(lambda run: str(int(run.group())), code.upper())


def nearest(typed: str, known: Iterable[str], count: int = 3) -> list[str]:
    """The known codes nearest to a typed one: the same with zeros put back first, then the most alike."""
    codes = sorted(set(known))
    padded = [code for code in codes if _unpadded(code) == _unpadded(typed) and code != typed]
    if padded:
        return padded[:count]
    upper = {code.upper(): code for code in codes}
    return [upper[match] for match in difflib.get_close_matches(typed.upper(), list(upper), n=count, cutoff=0.6)]


def unknown_code(number: int, field: str, typed: str, known: Iterable[str], what: str) -> RowProblem:
    """The problem for an unknown household or standard code, with the nearest codes as suggestions.

    A code of digits only that is a registered code without its leading zeros lost them in a
    spreadsheet that took it for a number: the message says to set the column to text.
    """
    found = nearest(typed, known)
    if typed.isdigit() and found and _unpadded(found[0]) == _unpadded(typed):
        return RowProblem(number, field, "code.lost_zeros", {"code": typed, "suggestion": found[0]})
    if what == "standard":
        if found:
            return RowProblem(
                number, field, "standard.not_found_near", {"code": typed, "suggestions": ", ".join(found)}
            )
        return RowProblem(number, field, "standard.not_found", {"code": typed})
    if found:
        return RowProblem(number, field, "household.not_found_near", {"code": typed, "suggestions": ", ".join(found)})
    return RowProblem(number, field, "household.not_found", {"code": typed})


def all_household_codes(session: Session) -> list[str]:
    """Every registered household code (read only when a typed code is unknown)."""
    return list(session.exec(select(Household.code).order_by(col(Household.code))).all())


def find_households(session: Session, wanted: str, village: str | None = None) -> list[CurrentHousehold]:
    """CurrentHouseholds whose code, head name, grid or address contains ``wanted`` (codes regardless of case)."""
    needle = wanted.strip()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(CurrentHousehold).where(
        func.upper(CurrentHousehold.code).like(pattern.upper(), escape="\\")
        | col(CurrentHousehold.head_name).like(pattern, escape="\\")
        | col(CurrentHousehold.grid).like(pattern, escape="\\")
        | col(CurrentHousehold.address).like(pattern, escape="\\")
    )
    if village:
        query = query.where(CurrentHousehold.village == village)
    return list(session.exec(query.order_by(col(CurrentHousehold.code))).all())


def household_code(session: Session, wanted: str, village: str | None = None) -> str:
    """The household ``wanted`` names: a registered code (in any case), or a head name unique in ``village``.

    A head name shared by several households is refused with their codes; so is a name given
    without ``--village`` when it is not unique across the county. (One home, shared with the
    SQLite reads: ``storage.reads.household_named``.)
    """
    return household_named(session, wanted, village)
