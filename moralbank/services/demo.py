"""Load the demo village fixtures through the same services a committee uses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import func, select

from moralbank.resources import fixtures_dir
from moralbank.services import catalogue, ledger, operators, policy, register, shop, standards, stock, year
from moralbank.services.decisions import decisions_from_sheet
from moralbank.services.sheets import read_kind
from moralbank.services.year import YearWritten
from moralbank.storage.db import reading, writing
from moralbank.storage.models import Entry, Operator

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
    shop_village: str = ""  # the village whose points supermarket the demo stocks and reports on
    shop_month: str = ""
    closed: YearWritten | None = None  # the last ended year, closed in that village


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


SHOP_VILLAGE = "NL"
SHOP_ITEMS = (  # the county's catalogue: code, name, unit, price in coins
    ("XZ01", "香皂", "块", 5),
    ("XYY1", "洗衣液", "瓶", 20),
    ("XYF1", "洗衣粉", "袋", 100),
)
SHOP_RECEIPTS = (("XZ01", 30, "镇商会捐赠", None), ("XYY1", 12, "村集体采购", 33600), ("XYF1", 3, "村集体采购", 9000))
SHOP_DAY = "2026-11-26"


def _stock_supermarket(engine: Engine, operator: str, today: date) -> None:
    with writing(engine) as session:
        for code, name, unit, price in SHOP_ITEMS:
            catalogue.add_item(
                session, code=code, name=name, unit=unit, price=price, low_stock=3, operator=operator,
                effective_from="2026-09-01", today=today,
            )  # fmt: skip
        for code, qty, source, fen in SHOP_RECEIPTS:
            stock.receive(
                session, village=SHOP_VILLAGE, item=code, qty=qty, source=source, value_fen=fen, operator=operator,
                booked_on="2026-11-20", today=today,
            )  # fmt: skip
        policy.set_policy(session, code=SHOP_VILLAGE, min_balance=10, year_end_clearing=True)


def _redemption_day(engine: Engine, operator: str, today: date) -> None:
    """The village's redemption day: the five households with the most coins each take what they can afford."""
    with reading(engine) as session:
        rows = session.execute(
            text("SELECT household, SUM(coins) FROM entry WHERE village = :v GROUP BY household "
                 "ORDER BY SUM(coins) DESC, household LIMIT 5"),
            {"v": SHOP_VILLAGE},
        ).all()  # fmt: skip
    wanted: list[tuple[int, shop.Redemption]] = []
    for household, coins in rows:
        item = next((code for code, _, _, price in reversed(SHOP_ITEMS) if price <= coins), None)
        if item:
            wanted.append((len(wanted) + 2, shop.Redemption(household, item, 1, SHOP_DAY)))
    with writing(engine) as session:
        shop.redeem_items(session, redemptions=wanted, operator=operator, today=today, source="demo")
        stock.stocktake(
            session, village=SHOP_VILLAGE, item="XZ01", counted=28, reason="盘点：两块受潮报损", operator=operator,
            booked_on="2026-11-28", today=today,
        )  # fmt: skip


def _close_last_year(engine: Engine, operator: str, today: date) -> YearWritten:
    with writing(engine) as session:
        return year.close_year(session, village=SHOP_VILLAGE, year=today.year - 1, operator=operator, today=today)


# The demo village's own staff, so maker-checker can be tried: ``--operator 村文书`` proposes,
# ``--operator 村监委`` settles; whoever runs the demo is registered as township.
DEMO_STAFF = (("村文书", operators.CLERK), ("村监委", operators.CHECKER))


def _staff(engine: Engine, operator: str) -> None:
    with writing(engine) as session:
        if operators.role_of(session, operator) != operators.TOWNSHIP:
            # The demo's own database: whoever runs it is its township officer, even on a rerun.
            name = operators.check_name(operator)
            session.add(Operator(name=name, role=operators.TOWNSHIP, added_by=name, recorded_at=register.now_utc()))
            session.flush()
        for name, role in DEMO_STAFF:
            if name != operator:
                operators.register(session, name=name, role=role, by=operator)


def load_demo(engine: Engine, *, operator: str, today: date) -> DemoLoaded:
    """Register the demo villages, adopt their standards, book three months, correct, then run the supermarket.

    The supermarket is stocked, has a redemption day, and the last year that has ended is closed.
    """
    folder = fixtures_dir()
    _staff(engine, operator)
    households = _register(engine, folder, today)
    entries = _decisions(engine, folder, operator, today)
    featured = _corrections(engine, folder, operator, today)
    _stock_supermarket(engine, operator, today)
    _redemption_day(engine, operator, today)
    with reading(engine) as session:
        village = register.get_household(session, featured).village
        latest = session.exec(select(func.max(Entry.booked_on))).one() or ""
    closed = _close_last_year(engine, operator, today)
    return DemoLoaded(households, entries, featured, village, latest[:7], SHOP_VILLAGE, SHOP_DAY[:7], closed)
