"""The register as rows to show: villages, households (ID and phone masked), standards."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from moralbank.domain.identity import mask_id, mask_phone
from moralbank.services.register import get_household, households_of
from moralbank.services.standards import standards_as_of
from moralbank.storage.models import Household, Village


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
    counts: dict[str, int] = {}
    for village in session.exec(select(Household.village)).all():
        counts[village] = counts.get(village, 0) + 1
    villages = session.exec(select(Village).order_by(col(Village.code))).all()
    return [VillageRow(v.code, v.name, v.town, v.county, counts.get(v.code, 0)) for v in villages]


def household_row(household: Household) -> HouseholdRow:
    """The shown form of a household."""
    return HouseholdRow(
        household.code,
        household.village,
        household.head_name,
        mask_id(household.id_number),
        mask_phone(household.phone),
        household.members,
        household.grid,
        household.address,
        bool(household.consent_board),
        bool(household.consent_bank),
    )


def household_rows(session: Session, *, village: str | None = None) -> list[HouseholdRow]:
    """Households of one village or all, masked, in code order."""
    return [household_row(h) for h in households_of(session, village)]


def household_detail(session: Session, *, code: str) -> HouseholdRow:
    """One household, masked."""
    return household_row(get_household(session, code))


def standard_rows(session: Session, *, as_of: str | None = None) -> list[StandardRow]:
    """Standards in force on a date, or every version."""
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
