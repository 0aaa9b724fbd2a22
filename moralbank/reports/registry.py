"""The register as rows to show: villages, households (ID and phone masked), standards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from moralbank.domain.identity import mask_id, mask_phone
from moralbank.services.consent_in_force import BANK, BOARD, EVERY_BANK, Recipient, in_force
from moralbank.storage.reads import HouseholdRecord, Rows
from moralbank.storage.reads import household as household_record

if TYPE_CHECKING:  # ``household show`` reads through Rows: SQLAlchemy only where a session is used
    from sqlmodel import Session

    from moralbank.storage.models import CurrentHousehold


@dataclass(frozen=True)
class VillageRow:
    """A village as listed."""

    code: str
    name: str
    town: str
    county: str
    households: int


@dataclass(frozen=True)
class HouseholdRow:
    """A household as shown anywhere: the ID number and phone are always masked."""

    code: str
    village: str
    head_name: str
    id_number: str
    phone: str
    members: int
    grid: str
    address: str
    consent_board: bool
    consent_bank: bool


@dataclass(frozen=True)
class StandardRow:
    """One standard version."""

    code: str
    version: int
    scope: str
    title: str
    category: str
    points: int
    monthly_cap: int | None
    veto: bool
    effective_from: str
    effective_to: str | None
    resolution: int


def village_rows(session: Session) -> list[VillageRow]:
    """Every village with its household count, in code order."""
    from sqlmodel import col, select

    from moralbank.storage.models import CurrentHousehold, Village

    counts: dict[str, int] = {}
    for village in session.exec(select(CurrentHousehold.village)).all():
        counts[village] = counts.get(village, 0) + 1
    villages = session.exec(select(Village).order_by(col(Village.code))).all()
    return [VillageRow(v.code, v.name, v.town, v.county, counts.get(v.code, 0)) for v in villages]


def household_row(
    household: CurrentHousehold | HouseholdRecord, consent: tuple[bool, bool] | None = None
) -> HouseholdRow:
    """The shown form of a household; ``consent`` (board, every bank) as recorded now, else as registered."""
    board, bank = consent if consent is not None else (bool(household.consent_board), bool(household.consent_bank))
    return HouseholdRow(
        household.code,
        household.village,
        household.head_name,
        mask_id(household.id_number),
        mask_phone(household.phone),
        household.members,
        household.grid,
        household.address,
        board,
        bank,
    )


# The consent columns show the latest consent recorded (any date), as the sheet's columns mean it.
_LATEST_RECORDED = "9999-12-31"


def shown_households(
    session: Session | Rows, households: list[CurrentHousehold] | list[HouseholdRecord]
) -> list[HouseholdRow]:
    """Households as rows, their consent columns from the consent records (board; every bank)."""
    codes = [h.code for h in households]
    board = in_force(session, codes, Recipient(BOARD), _LATEST_RECORDED)
    bank = in_force(session, codes, Recipient(BANK, EVERY_BANK), _LATEST_RECORDED, exact=True)
    return [household_row(h, (board.get(h.code, False), bank.get(h.code, False))) for h in households]


def household_rows(session: Session, *, village: str | None = None) -> list[HouseholdRow]:
    """Households of one village or all, masked, in code order."""
    from moralbank.services.register import households_of

    return shown_households(session, households_of(session, village))


def household_detail(session: Session | Rows, *, code: str) -> HouseholdRow:
    """One household, masked."""
    return shown_households(session, [household_record(session, code)])[0]


def standard_rows(session: Session, *, as_of: str | None = None) -> list[StandardRow]:
    """Standards in force on a date, or every version."""
    from moralbank.services.standards import standards_as_of

    return [
        StandardRow(
            s.code,
            s.version,
            s.scope,
            s.title,
            s.category,
            s.points,
            s.monthly_cap,
            bool(s.veto),
            s.effective_from,
            s.effective_to,
            s.resolution_id,
        )
        for s in standards_as_of(session, as_of)
    ]
