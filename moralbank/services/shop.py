"""Redemption by item (积分超市): coins from the household and goods from the stock, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from moralbank.domain.dates import parse_date, value_problem
from moralbank.domain.limits import qty_field, qty_problem
from moralbank.domain.shop import in_force, lowest_from
from moralbank.domain.year import reserved_prefix
from moralbank.errors import InputError, MoralBankError, Refused, RowProblem, SheetError
from moralbank.services import ledger
from moralbank.services.catalogue import item_for_village
from moralbank.services.policy import Policy, policy_of
from moralbank.services.proposals import reserved_coins
from moralbank.services.register import get_household
from moralbank.services.sheets import REDEMPTION_COLUMNS, REDEMPTION_REQUIRED, Sheet
from moralbank.services.stock import StockChain, daily_moves
from moralbank.storage.models import CurrentHousehold, Entry, StockMovement

__all__ = ["REDEMPTION_COLUMNS", "REDEMPTION_REQUIRED"]  # the redemption sheet's columns live with the others


@dataclass(frozen=True)
class Redemption:
    """One redemption by item: a household takes ``qty`` units of an item on a day."""

    household: str
    item: str
    qty: int
    booked_on: str
    key: str | None = None


@dataclass(frozen=True)
class Redeemed:
    """What a redemption sheet wrote: the entry ids, and how many rows were earlier retries."""

    ids: list[int]
    repeated: int = 0


@dataclass(frozen=True)
class _Planned:
    village: str
    request: Redemption
    coins: int
    note: str


def redemptions_from_sheet(sheet: Sheet, today: date) -> tuple[list[tuple[int, Redemption]], list[RowProblem]]:
    """The well-formed rows of a redemption day's sheet (户编号, 商品编号, 数量, 日期), and every malformed field."""
    problems: list[RowProblem] = list(sheet.problems)
    found: list[tuple[int, Redemption]] = []
    for number, row in sheet.rows:
        mine = [RowProblem(number, name, "field.required") for name in REDEMPTION_REQUIRED if not row.get(name)]
        qty = qty_field(row.get("qty", ""), number, mine)
        booked = today.isoformat()
        if row.get("booked_on"):
            try:
                booked = parse_date(row["booked_on"], "booked_on", serial=True).isoformat()
            except InputError as exc:
                mine.append(RowProblem(number, "booked_on", *value_problem(exc)))
        problems += mine
        if not mine:
            found.append((number, Redemption(row["household"], row["item"], qty, booked, row.get("key") or None)))
    return found, problems


class RedemptionBatch:
    """Checks redemptions row by row against coins, stock, catalogue and policy, counting earlier rows."""

    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.chain = ledger.Chain(session, "")
        self.coins: dict[str, int] = {}
        self.stock: dict[tuple[str, str], dict[str, int]] = {}
        self.policies: dict[str, Policy] = {}

    def _household(self, code: str) -> CurrentHousehold | None:
        return self.session.get(CurrentHousehold, code)  # in the village it lives in now

    def _available(self, household: str, village: str) -> int:
        if household not in self.coins:
            self.chain.head(village)  # lock the chain before reading the balance it guards
            balance = ledger.coin_balance(self.session, household)
            self.coins[household] = balance - reserved_coins(self.session, household)
        return self.coins[household]

    def _daily(self, village: str, item: str) -> dict[str, int]:
        """The item's net movement per booking day, this batch's earlier rows included."""
        if (village, item) not in self.stock:
            self.stock[(village, item)] = daily_moves(self.session, village, item)
        return self.stock[(village, item)]

    def _policy(self, village: str) -> Policy:
        if village not in self.policies:
            self.policies[village] = policy_of(self.session, village)
        return self.policies[village]

    def _price(self, request: Redemption, village: str, number: int) -> tuple[int, str] | RowProblem:
        try:
            versions = item_for_village(self.session, code=request.item, village=village)
        except MoralBankError as exc:
            return RowProblem(number, "item", exc.key, exc.params)
        current = in_force(versions, request.booked_on)
        if current is None:
            return RowProblem(number, "item", "item.not_in_force", {"code": request.item, "date": request.booked_on})
        if current.retired:
            return RowProblem(number, "item", "item.retired", {"code": request.item})
        return current.price, f"{current.code} {current.name}"

    def _booking(self, village: str, request: Redemption, number: int) -> list[RowProblem]:
        try:
            ledger.check_booking(self.session, village, request.booked_on, self.today)
            self.chain.head(village)  # lock the chain, then make sure the household still lives there
            ledger.settled_village(self.session, request.household, village, request.booked_on)
        except MoralBankError as exc:
            return [RowProblem(number, "booked_on", exc.key, exc.params)]
        days = self._policy(village).redemption_days
        if days and int(request.booked_on[8:]) not in days:
            shown = ",".join(str(d) for d in days)
            return [
                RowProblem(number, "booked_on", "shop.not_redemption_day", {"date": request.booked_on, "days": shown})
            ]
        return []

    def _funds(self, village: str, request: Redemption, coins: int, number: int) -> list[RowProblem]:
        available = self._available(request.household, village)
        least = self._policy(village).min_balance
        if available < least:
            return [RowProblem(number, "household", "shop.below_minimum", {"balance": available, "minimum": least})]
        if coins > available:
            return [RowProblem(number, "qty", "shop.insufficient", {"coins": coins, "available": available})]
        return []

    def check(self, number: int, request: Redemption) -> tuple[_Planned | None, list[RowProblem]]:
        """The redemption to write, or every reason it cannot be; counts it against coins and stock."""
        owner = self._household(request.household)
        if owner is None:
            return None, [RowProblem(number, "household", "household.not_found", {"code": request.household})]
        priced = self._price(request, owner.village, number)
        if isinstance(priced, RowProblem):
            return None, [priced, *self._booking(owner.village, request, number)]
        price, note = priced
        coins = price * request.qty
        problems = self._booking(owner.village, request, number) + self._funds(owner.village, request, coins, number)
        daily = self._daily(owner.village, request.item)
        # Goods taken on a day must have been there then, and every later day must still cover them.
        held = lowest_from(daily, request.booked_on)
        if request.qty > held:
            problems.append(RowProblem(number, "qty", "shop.out_of_stock", {"code": request.item, "stock": held}))
        if problems:
            return None, problems
        self.coins[request.household] -= coins
        daily[request.booked_on] = daily.get(request.booked_on, 0) - request.qty
        return _Planned(owner.village, request, coins, note), []


def _wanted(plan: _Planned) -> dict[str, Any]:
    request = plan.request
    return {
        "kind": "redemption",
        "household": request.household,
        "amount": plan.coins,
        "qty": request.qty,
        "note": plan.note,
        "booked_on": request.booked_on,
    }


def _write(session: Session, plans: list[_Planned], operator: str) -> list[int]:
    entries = ledger.Chain(session, operator)
    goods = StockChain(session, operator)
    ids = []
    for plan in sorted(plans, key=lambda p: p.village):
        request = plan.request
        entry_id, seq = ledger.write_item_redemption(
            entries,
            village=plan.village,
            household=request.household,
            coins=plan.coins,
            qty=request.qty,
            note=plan.note,
            booked_on=request.booked_on,
            key=request.key,
        )
        movement = {
            "village": plan.village,
            "item": request.item,
            "kind": "redemption",
            "qty": -request.qty,
            "entry_seq": seq,
            "household": request.household,
            "booked_on": request.booked_on,
            "idem_key": request.key,
        }
        goods.write(movement)
        ids.append(entry_id)
    return ids


def redeem_items(
    session: Session,
    *,
    redemptions: list[tuple[int, Redemption]],
    operator: str,
    today: date,
    source: str,
    problems: list[RowProblem] | None = None,
) -> Redeemed:
    """Redeem every row of a redemption day's sheet, or none: every bad row is reported.

    Rows are counted in order: two rows of one household share its coins, two rows of one item its stock.
    """
    batch = RedemptionBatch(session, today)
    found = list(problems or [])
    plans: list[_Planned] = []
    repeated = 0
    for number, request in redemptions:
        if prefix := reserved_prefix(request.key):
            found.append(RowProblem(number, "key", "key.reserved", {"prefix": prefix}))
            continue
        if request.key and (owner := session.get(CurrentHousehold, request.household)) is not None:
            earlier = session.exec(select(Entry).where(Entry.idem_key == request.key)).first()
            if earlier is not None:
                plan = _Planned(owner.village, request, earlier.amount, earlier.note)
                if (field := ledger.differing_field(earlier, _wanted(plan))) is not None:
                    found.append(RowProblem(number, field, "key.conflict", {"key": request.key}))
                repeated += 1
                continue
        plan_or_none, mine = batch.check(number, request)
        found += mine
        if plan_or_none is not None:
            plans.append(plan_or_none)
    if found:
        raise SheetError(source, sorted(found, key=lambda p: p.row))
    return Redeemed(_write(session, plans, operator), repeated)


def redeem_item(session: Session, *, redemption: Redemption, operator: str, today: date) -> int:
    """Redeem one item; returns the entry id (the original's for a retried key)."""
    if found := qty_problem(redemption.qty):
        raise SheetError("", [RowProblem(0, "qty", *found)])
    written = redeem_items(session, redemptions=[(0, redemption)], operator=operator, today=today, source="")
    if written.ids:
        return written.ids[0]
    earlier = session.exec(select(Entry.id).where(Entry.idem_key == redemption.key)).one()  # a retried key
    assert earlier is not None
    return earlier


def redeem_outside_catalogue(
    session: Session,
    *,
    household: str,
    coins: int,
    item: str,
    operator: str,
    booked_on: str,
    today: date,
    key: str | None,
    repeat: bool = False,
) -> int:
    """A free-text redemption of goods outside the catalogue, under the village's policy.

    It moves no goods: the shop report counts it as outside the catalogue (no stock movement, no qty).
    """
    owner = get_household(session, household)
    policy = policy_of(session, owner.village)
    if policy.redemption_days and int(booked_on[8:10]) not in policy.redemption_days:
        shown = ",".join(str(d) for d in policy.redemption_days)
        raise Refused("shop.not_redemption_day", date=booked_on, days=shown)
    if policy.min_balance and (balance := ledger.coin_balance(session, household)) < policy.min_balance:
        raise Refused("shop.below_minimum", balance=balance, minimum=policy.min_balance)
    return ledger.redeem(
        session,
        household=household,
        coins=coins,
        item=item,
        operator=operator,
        booked_on=booked_on,
        today=today,
        key=key,
        repeat=repeat,
    )


def reverse_entry(
    session: Session, *, entry_id: int, reason: str, operator: str, booked_on: str, today: date, key: str | None = None
) -> int:
    """Reverse an entry; reversing a redemption by item also returns its goods to the stock."""
    reversal_id = ledger.reverse(
        session, entry_id=entry_id, reason=reason, operator=operator, booked_on=booked_on, today=today, key=key
    )
    original, reversal = ledger.get_entry(session, entry_id), ledger.get_entry(session, reversal_id)
    query = select(StockMovement).where(
        StockMovement.village == original.village, col(StockMovement.entry_seq).in_([original.seq, reversal.seq])
    )
    moved = {m.entry_seq: m for m in session.exec(query).all()}
    taken = moved.get(original.seq)
    if taken is None or reversal.seq in moved:  # not goods, or a retried reversal already returned them
        return reversal_id
    returned = {
        "village": original.village,
        "item": taken.item,
        "kind": "return",
        "qty": -taken.qty,
        "entry_seq": reversal.seq,
        "household": original.household,
        "booked_on": reversal.booked_on,
        "note": reason.strip(),
    }
    StockChain(session, operator).write(returned)
    return reversal_id
