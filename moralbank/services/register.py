"""The register: villages and households, validated whole before anything is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.identity import id_problem, normalise_id, phone_problem
from moralbank.domain.limits import text_problem
from moralbank.errors import NotFound, Refused, RowProblem, SheetError
from moralbank.storage.models import CurrentHousehold, Household, Village
from moralbank.storage.records import cover

if TYPE_CHECKING:  # the sheet reader and consents are imported by the imports that use them, not by every write
    from moralbank.services.sheets import Row, Sheet

Progress = Callable[[int], None]


def now_utc() -> str:
    """The current time as ISO text in UTC, to the second (the business clock's stamp)."""
    return clock.stamp()


def text_problems(row: Row, names: tuple[str, ...], number: int) -> list[RowProblem]:
    """A problem for each of these text fields that is too long or holds a control character."""
    return [RowProblem(number, name, *found) for name in names if (found := text_problem(name, row.get(name, "")))]


def get_village(session: Session, code: str) -> Village:
    """The village with this code, or NotFound."""
    village = session.get(Village, code)
    if village is None:
        raise NotFound("village.not_found", code=code)
    return village


def get_household(session: Session, code: str) -> CurrentHousehold:
    """The household with this code, with its current details (its latest register change applied), or NotFound."""
    household = session.get(CurrentHousehold, code)
    if household is None:
        raise NotFound("household.not_found", code=code)
    return household


def current_village(session: Session, code: str) -> str | None:
    """A household's village as the database holds it now: a fresh read past the session's cache,
    since a move may have committed since the household was first read (PostgreSQL)."""
    found = session.execute(text("SELECT village FROM household_current WHERE code = :c"), {"c": code}).scalar()
    return None if found is None else str(found)


def latest_move(session: Session, code: str) -> str | None:
    """The date of a household's latest move, or None if it never moved."""
    found = session.execute(text("SELECT MAX(on_date) FROM household_move WHERE household = :c"), {"c": code}).scalar()
    return None if found is None else str(found)


def refuse_before_move(session: Session, code: str, booked_on: str) -> None:
    """Refuse a booking for a household dated before its latest move (its books before then are elsewhere)."""
    if (moved := latest_move(session, code)) is not None and booked_on < moved:
        village = current_village(session, code)
        raise Refused("household.booked_before_move", code=code, village=village, date=moved)


_CODE = re.compile(r"^[\w.-]{1,40}$")


def code_problem(code: str, number: int) -> RowProblem | None:
    """Codes become account names (``households:NL:NL001``): letters, digits, ``-``, ``_``, ``.`` only."""
    return RowProblem(number, "code", "code.invalid", {"value": code}) if code and not _CODE.match(code) else None


def _village_problems(row: Row, number: int, known: set[str]) -> list[RowProblem]:
    problems = [
        RowProblem(number, name, "field.required") for name in ("code", "name", "town", "county") if not row.get(name)
    ]
    if row.get("code") and row.get("code") in known:
        problems.append(RowProblem(number, "code", "village.exists", {"code": row["code"]}))
    if bad := code_problem(row.get("code", ""), number):
        problems.append(bad)
    return problems + text_problems(row, ("name", "town", "county"), number)


def add_villages(session: Session, *, sheet: Sheet) -> int:
    """Add every village of a sheet, or none; returns how many were added."""
    known = set(session.exec(select(Village.code)).all())
    problems: list[RowProblem] = list(sheet.problems)
    for number, row in sheet.rows:
        problems += _village_problems(row, number, known)
        known.add(row.get("code", ""))
    if problems:
        raise SheetError(sheet.source, problems)
    created = clock.stamp()
    for _number, row in sheet.rows:
        session.add(
            Village(code=row["code"], name=row["name"], town=row["town"], county=row["county"], created_at=created)
        )
    return len(sheet.rows)


def add_village(session: Session, *, code: str, name: str, town: str, county: str) -> Village:
    """Add one village."""
    # Trimmed as a sheet's cells are, so a blank typed value is refused as missing.
    row = {"code": code.strip(), "name": name.strip(), "town": town.strip(), "county": county.strip()}
    problems = _village_problems(row, 0, set(session.exec(select(Village.code)).all()))
    if problems:  # typed on the command line: each problem names its field
        raise SheetError("", problems)
    village = Village(
        code=row["code"], name=row["name"], town=row["town"], county=row["county"], created_at=clock.stamp()
    )
    session.add(village)
    return village


def _int_field(row: Row, name: str, number: int, problems: list[RowProblem]) -> int:
    try:
        value = int(row.get(name) or "")
    except ValueError:
        problems.append(RowProblem(number, name, "field.not_integer", {"value": row.get(name, "")}))
        return 0
    if value < 1:
        problems.append(RowProblem(number, name, "field.not_positive", {"value": value}))
    return value


def _bool_field(row: Row, name: str, number: int, problems: list[RowProblem]) -> int:
    from moralbank.services.sheets import parse_bool

    value = parse_bool(row.get(name, ""))
    if value is None:
        problems.append(RowProblem(number, name, "field.not_boolean", {"value": row.get(name, "")}))
        return 0
    return int(value)


# An ID number a spreadsheet took for a number: 3.70702E+17, or 18 digits ending in zeros.
_NUMBER_SHAPED = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def _household_record(
    row: Row, number: int, problems: list[RowProblem], today: str, id_was_number: bool = False
) -> dict[str, object]:
    for name in ("code", "village", "head_name", "id_number"):
        if not row.get(name):
            problems.append(RowProblem(number, name, "field.required"))
    id_number = normalise_id(row.get("id_number", ""))
    if id_number and (id_was_number or _NUMBER_SHAPED.match(id_number)):
        # Its last digits are lost already (a number keeps 15 of them): a check-digit error would mislead.
        problems.append(RowProblem(number, "id_number", "household.id_as_number"))
    elif id_number and (why := id_problem(id_number)):
        problems.append(RowProblem(number, "id_number", why))
    if why := phone_problem(row.get("phone", "")):
        problems.append(RowProblem(number, "phone", why))
    if bad := code_problem(row.get("code", ""), number):
        problems.append(bad)
    problems += text_problems(row, ("village", "head_name", "grid", "address"), number)
    return {
        "code": row.get("code", ""),
        "village": row.get("village", ""),
        "head_name": row.get("head_name", ""),
        "id_number": id_number,
        "phone": row.get("phone", ""),
        "members": _int_field(row, "members", number, problems),
        "grid": row.get("grid", ""),
        "address": row.get("address", ""),
        "consent_board": _bool_field(row, "consent_board", number, problems),
        "consent_bank": _bool_field(row, "consent_bank", number, problems),
        "registered_on": today,
    }


# The fields of a registration a re-imported sheet is compared on (the consent columns against
# what the register recorded; later consent is changed by ``consent grant/withdraw``).
_COMPARED = (
    "village",
    "head_name",
    "id_number",
    "phone",
    "members",
    "grid",
    "address",
    "consent_board",
    "consent_bank",
)


@dataclass(frozen=True)
class Registered:
    """What a households sheet did: households added, and households already registered as the sheet says."""

    added: int
    unchanged: int


def register_households(
    session: Session,
    *,
    sheet: Sheet,
    today: str,
    progress: Progress | None = None,
    operator: str = "",
    again_allowed: bool = False,
) -> Registered:
    """Add every new household of a sheet, or none; every bad row is reported.

    With ``again_allowed`` (a households sheet imported again) a household already registered
    exactly as its row says is counted unchanged; one whose row differs is refused, naming the
    fields, since the register changes only by ``household set`` (with a reason) or consent records.
    """
    villages = set(session.exec(select(Village.code)).all())
    current = {h.code: h for h in session.exec(select(CurrentHousehold)).all()}
    ids = {h.id_number: h.code for h in current.values()}
    problems: list[RowProblem] = list(sheet.problems)
    records, unchanged, seen = [], 0, set()
    for number, row in sheet.rows:
        if progress:
            progress(1)
        record = _household_record(row, number, problems, today, (number, "id_number") in sheet.numeric)
        code = str(record["code"])
        if record["village"] and record["village"] not in villages:
            problems.append(RowProblem(number, "village", "village.not_found", {"code": record["village"]}))
        if code and (code in seen or (code in current and not again_allowed)):
            problems.append(RowProblem(number, "code", "household.exists", {"code": code}))
        elif code in current:
            if changed := [name for name in _COMPARED if getattr(current[code], name) != record[name]]:
                fields = ", ".join(changed)
                params = {"code": code, "fields": fields}
                if "village" in changed:  # moved, or a sheet of the wrong village: only a move changes it
                    key, params = "household.moved_on_sheet", params | {"village": current[code].village}
                else:
                    key = "household.changed_on_sheet"
                problems.append(RowProblem(number, changed[0], key, params))
            else:
                unchanged += 1
            seen.add(code)
            continue
        if record["id_number"] and ids.get(str(record["id_number"]), code) != code:
            problems.append(RowProblem(number, "id_number", "household.id_taken"))
        seen.add(code)
        ids[str(record["id_number"])] = code
        records.append(record)
    if problems:
        raise SheetError(sheet.source, problems)
    if records:
        session.execute(insert(Household), records)
        cover(session, "household", [r["code"] for r in records])
        from moralbank.services.consent import register_consents

        register_consents(session, records, operator or "register")
    return Registered(len(records), unchanged)


def add_households(
    session: Session, *, sheet: Sheet, today: str, progress: Progress | None = None, operator: str = ""
) -> int:
    """Add every household of a sheet, or none (a household already registered is refused); how many."""
    return register_households(session, sheet=sheet, today=today, progress=progress, operator=operator).added


def households_of(session: Session, village: str | None) -> list[CurrentHousehold]:
    """Households in code order, of one village or all, with their current details."""
    query = select(CurrentHousehold).order_by(col(CurrentHousehold.code))
    if village:
        get_village(session, village)
        query = query.where(CurrentHousehold.village == village)
    return list(session.exec(query).all())


def add_household(session: Session, *, row: Row, today: str, operator: str = "") -> None:
    """Add one household typed on the command line (reported as row 0: fields only)."""
    trimmed = {name: value.strip() for name, value in row.items()}  # as a sheet's cells are
    from moralbank.services.sheets import Sheet

    add_households(session, sheet=Sheet("", [(0, trimmed)]), today=today, operator=operator)
