"""A Hypothesis state machine drives the supermarket (receipts, redemptions, stocktakes, prices) against a model."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import text

from moralbank.errors import MoralBankError
from moralbank.reports.integrity import verify
from moralbank.services import catalogue, ledger, shop, stock
from moralbank.storage.db import open_engine, reading, writing
from moralbank.storage.schema import apply_schema
from tests.shop_town import AWARDS
from tests.town import OPERATOR, TODAY, book, build_register

HOUSEHOLDS = {"NL001": "NL", "NL002": "NL", "BG001": "BG"}
VILLAGES = ("NL", "BG")
# SOAP is county-wide; LIQ is NL's own: BG's supermarket does not sell it.
ITEMS = {"SOAP": None, "LIQ": "NL"}
START = "2026-10-01"
days = st.integers(min_value=1, max_value=TODAY.day).map(lambda d: date(2026, 11, d).isoformat())


@dataclass
class Model:
    """What the supermarket should hold."""

    coins: dict[str, int] = field(default_factory=lambda: {"NL001": 40, "NL002": 8, "BG001": 20})
    # Each (village, item)'s movements as (booking day, qty): stock is a function of the date.
    moves: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    prices: dict[str, list[tuple[str, int, int]]] = field(
        default_factory=lambda: {"SOAP": [(START, 1, 5)], "LIQ": [(START, 1, 20)]}
    )
    last_redeemed: dict[tuple[str, str], str] = field(default_factory=dict)  # (village, item) -> day
    taken: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # coins into each redemption account
    moved: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # goods out, per village

    def price(self, item: str, day: str) -> int:
        return max((v for v in self.prices[item] if v[0] <= day), key=lambda v: (v[0], v[1]))[2]

    def stock_on(self, place: tuple[str, str], day: str) -> int:
        """The stock at the end of ``day``."""
        return sum(qty for booked, qty in self.moves[place] if booked <= day)

    def room_from(self, place: tuple[str, str], day: str) -> int:
        """The most that can leave on ``day``: the lowest end-of-day stock on it and every later day."""
        later = {booked for booked, _ in self.moves[place] if booked > day}
        return min(self.stock_on(place, d) for d in {day} | later)

    def total(self, place: tuple[str, str]) -> int:
        return sum(qty for _, qty in self.moves[place])

    def sells(self, village: str, item: str) -> bool:
        return ITEMS[item] in (None, village)


_TEMPLATE: dict[str, Path] = {}


def template() -> Path:
    """The core register, October's awards and the two items, built once and copied for each example."""
    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="moralbank-shop-model-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = open_engine(str(folder / "template.db"))
        apply_schema(engine)
        build_register(engine)
        book(engine, AWARDS)
        with writing(engine) as session:
            for code, village in ITEMS.items():
                price = 5 if code == "SOAP" else 20
                catalogue.add_item(
                    session, code=code, name=code, price=price, operator=OPERATOR, effective_from=START,
                    today=TODAY, village=village,
                )  # fmt: skip
        engine.dispose()
        _TEMPLATE["db"] = folder / "template.db"
    return _TEMPLATE["db"]


class ShopMachine(RuleBasedStateMachine):
    """Receipts, redemptions, stocktakes and price changes, each checked against the model."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="moralbank-shop-example-"))
        shutil.copy(template(), self.folder / "ledger.db")
        self.engine = open_engine(str(self.folder / "ledger.db"))
        self.model = Model()

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    @rule(village=st.sampled_from(VILLAGES), item=st.sampled_from(sorted(ITEMS)), qty=st.integers(1, 5), day=days)
    def receive(self, village: str, item: str, qty: int, day: str) -> None:
        try:
            with writing(self.engine) as session:
                stock.receive(
                    session, village=village, item=item, qty=qty, source="采购", operator=OPERATOR, booked_on=day,
                    today=TODAY, value_fen=qty * 150,
                )  # fmt: skip
        except MoralBankError as exc:
            assert not self.model.sells(village, item), exc.key
            assert exc.key == "item.other_village"
            return
        assert self.model.sells(village, item)
        self.model.moves[(village, item)].append((day, qty))

    @rule(
        household=st.sampled_from(sorted(HOUSEHOLDS)),
        item=st.sampled_from(sorted(ITEMS)),
        qty=st.integers(1, 4),
        day=days,
    )
    def redeem(self, household: str, item: str, qty: int, day: str) -> None:
        village = HOUSEHOLDS[household]
        wanted = shop.Redemption(household, item, qty, day)
        try:
            with writing(self.engine) as session:
                shop.redeem_item(session, redemption=wanted, operator=OPERATOR, today=TODAY)
        except MoralBankError:
            sells = self.model.sells(village, item)
            price = self.model.price(item, day)
            enough = self.model.coins[household] >= price * qty and self.model.room_from((village, item), day) >= qty
            assert not (sells and enough)
            return
        price = self.model.price(item, day)
        assert self.model.sells(village, item)
        assert self.model.coins[household] >= price * qty and self.model.room_from((village, item), day) >= qty
        self.model.coins[household] -= price * qty
        self.model.moves[(village, item)].append((day, -qty))
        self.model.taken[village] += price * qty
        self.model.moved[(village, item)] += qty
        last = self.model.last_redeemed.get((village, item), "")
        self.model.last_redeemed[(village, item)] = max(last, day)

    @rule(village=st.sampled_from(VILLAGES), item=st.sampled_from(sorted(ITEMS)), counted=st.integers(0, 6), day=days)
    def stocktake(self, village: str, item: str, counted: int, day: str) -> None:
        try:
            with writing(self.engine) as session:
                _, difference = stock.stocktake(
                    session, village=village, item=item, counted=counted, reason="盘点", operator=OPERATOR,
                    booked_on=day, today=TODAY,
                )  # fmt: skip
        except MoralBankError as exc:
            if exc.key == "stock.count_before_later":  # goods that left later were not counted that day
                short = counted - self.model.stock_on((village, item), day)
                assert short < 0 and self.model.room_from((village, item), day) + short < 0
                return
            assert exc.key == "item.other_village" and not self.model.sells(village, item)
            return
        place = (village, item)
        assert difference == counted - self.model.stock_on(place, day)
        assert difference >= 0 or self.model.room_from(place, day) + difference >= 0
        self.model.moves[place].append((day, difference))

    @rule(item=st.sampled_from(sorted(ITEMS)), price=st.integers(1, 30), day=days)
    def change_price(self, item: str, price: int, day: str) -> None:
        scope_villages = [ITEMS[item]] if ITEMS[item] else list(VILLAGES)
        last = max((self.model.last_redeemed.get((v, item), "") for v in scope_villages), default="")
        try:
            with writing(self.engine) as session:
                catalogue.change_price(
                    session,
                    code=item,
                    price=price,
                    effective_from=day,
                    operator=OPERATOR,
                    today=TODAY,
                    village=ITEMS[item],
                )
        except MoralBankError as exc:
            assert exc.key == "item.redeemed_since" and day <= last
            return
        assert not (last and day <= last)
        versions = self.model.prices[item]
        versions.append((day, len(versions) + 1, price))

    @invariant()
    def stock_and_coins_match_the_model(self) -> None:
        with reading(self.engine) as session:
            for village in VILLAGES:
                levels = stock.stock_levels(session, village)
                for item in ITEMS:
                    place = (village, item)
                    assert levels.get(item, 0) == self.model.total(place)
                    assert all(self.model.stock_on(place, day) >= 0 for day, _ in self.model.moves[place])
            for household in HOUSEHOLDS:
                assert ledger.coin_balance(session, household) == self.model.coins[household] >= 0
            taken = dict(
                session.execute(
                    text("SELECT credit, SUM(amount) FROM entry WHERE kind = 'redemption' GROUP BY credit")
                ).all()
            )
            for village in VILLAGES:
                assert taken.get(f"village:{village}:redemption", 0) == self.model.taken[village]
            goods = session.execute(
                text(
                    "SELECT village, item, -SUM(qty) FROM stock_movement WHERE kind = 'redemption' GROUP BY village, item"
                )
            ).all()
            assert {(v, i): int(q) for v, i, q in goods} == {k: q for k, q in self.model.moved.items() if q}

    @invariant()
    def the_chains_verify(self) -> None:
        with reading(self.engine) as session:
            report = verify(session)
        assert report.ok, report.problems


ShopMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_shop_against_the_model = ShopMachine.TestCase
