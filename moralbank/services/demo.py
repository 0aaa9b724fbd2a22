"""Load the demo village fixtures through the same services a committee uses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import func, select

from moralbank.resources import fixtures_dir
from moralbank.services import ledger, register, standards
from moralbank.services.decisions import decisions_from_sheet
from moralbank.services.sheets import read_kind
from moralbank.storage.db import reading, writing
from moralbank.storage.models import Entry

DECISION_SHEETS = ("decisions_2026-09.csv", "decisions_2026-10.csv", "decisions_2026-11.xlsx")
HOUSEHOLD_SHEETS = ("households.csv", "households_gbk.csv")
RESOLUTIONS = ("standards.toml", "standards_revision.toml")


@dataclass(frozen=True)
class DemoLoaded:
    """What the demo loaded, and a household worth showing (one with a reversal)."""

    households: int
    entries: int
    featured: str
    board_village: str = ""  # the featured household's village and the latest month booked,
    board_month: str = ""  # whose ranking board the demo shows


def _register(engine: Engine, folder: Path, today: date) -> int:
    with writing(engine) as session:
        register.add_villages(session, sheet=read_kind(folder / "villages.csv", "villages"))
    count = 0
    for name in HOUSEHOLD_SHEETS:
        sheet = read_kind(folder / name, "households")
        with writing(engine) as session:
            count += register.add_households(session, sheet=sheet, today=today.isoformat())
    return count


def _decisions(engine: Engine, folder: Path, operator: str, today: date) -> int:
    for name in RESOLUTIONS:
        with writing(engine) as session:
            data = standards.load_resolution_file(folder / name)
            standards.adopt(session, data=data, source=name, operator=operator, today=today)
    count = 0
    for name in DECISION_SHEETS:
        sheet = read_kind(folder / name, "decisions")
        decisions, problems = decisions_from_sheet(sheet, today)
        with writing(engine) as session:
            written = ledger.record_decisions(
                session, decisions=decisions, problems=problems, operator=operator, today=today, source=name
            )
        count += len(written.ids)
    return count


def _corrections(engine: Engine, folder: Path, operator: str, today: date) -> str:
    plan = tomllib.loads((folder / "corrections.toml").read_text(encoding="utf-8"))
    featured = ""
    for item in plan.get("reversals", []):
        with writing(engine) as session:
            original = session.exec(select(Entry).where(Entry.idem_key == item["key"])).one()
            assert original.id is not None
            booked = item.get("booked_on", original.booked_on)
            ledger.reverse(
                session, entry_id=original.id, reason=item["reason"], operator=operator, booked_on=booked, today=today
            )
            featured = featured or original.household
    for item in plan.get("redemptions", []):
        with writing(engine) as session:
            ledger.redeem(
                session,
                household=item["household"],
                coins=item["coins"],
                item=item["item"],
                operator=operator,
                booked_on=item["booked_on"],
                today=today,
            )
    return featured


def load_demo(engine: Engine, *, operator: str, today: date) -> DemoLoaded:
    """Register the demo villages, adopt their standards, book three months, then correct."""
    folder = fixtures_dir()
    households = _register(engine, folder, today)
    entries = _decisions(engine, folder, operator, today)
    featured = _corrections(engine, folder, operator, today)
    with reading(engine) as session:
        village = register.get_household(session, featured).village
        latest = session.exec(select(func.max(Entry.booked_on))).one() or ""
    return DemoLoaded(households, entries, featured, village, latest[:7])
