"""The supermarket's catalogue: items of a village or of the county, versioned like standards, never edited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlmodel import Session, col, select

from moralbank.domain.identity import has_personal_number
from moralbank.domain.limits import MAX_PRICE, MAX_STOCK, check_bound, check_text
from moralbank.domain.shop import COUNTY, ItemVersion, in_force, item_id, valid_item_code
from moralbank.errors import InputError, NotFound, Refused
from moralbank.services.register import get_village, now_utc
from moralbank.storage.models import ShopItem


def _version(row: ShopItem) -> ItemVersion:
    return ItemVersion(
        row.scope,
        row.code,
        row.version,
        row.name,
        row.unit,
        row.price,
        row.low_stock,
        row.effective_from,
        bool(row.retired),
    )


def versions(session: Session, *, scope: str | None = None, code: str | None = None) -> list[ItemVersion]:
    """Item versions, of one scope and code or of all, in (scope, code, version) order."""
    query = select(ShopItem)
    if scope is not None:
        query = query.where(ShopItem.scope == scope)
    if code is not None:
        query = query.where(ShopItem.code == code)
    rows = session.exec(query.order_by(col(ShopItem.scope), col(ShopItem.code), col(ShopItem.version))).all()
    return [_version(row) for row in rows]


def item_for_village(session: Session, *, code: str, village: str) -> list[ItemVersion]:
    """The versions of the item a village's supermarket knows by ``code``: its own, else the county's.

    Refused when only another village's catalogue has it.
    """
    for scope in (village, COUNTY):
        if found := versions(session, scope=scope, code=code):
            return found
    if versions(session, code=code):
        raise Refused("item.other_village", code=code, village=village)
    raise NotFound("item.not_found", code=code)


def _scope(session: Session, code: str, village: str | None) -> str:
    if village is not None:
        get_village(session, village)
        if not versions(session, scope=village, code=code):
            raise NotFound("item.not_found", code=code)
        return village
    scopes = sorted({v.scope for v in versions(session, code=code)})
    if not scopes:
        raise NotFound("item.not_found", code=code)
    if len(scopes) > 1:
        raise InputError("item.ambiguous", code=code, scopes=", ".join(scopes))
    return scopes[0]


def _check_price(price: int) -> None:
    if price <= 0:
        raise InputError("item.bad_price", value=price)
    check_bound("--price", price, MAX_PRICE)


def _check_date(effective_from: str, today: date) -> None:
    if effective_from > today.isoformat():
        raise InputError("date.future_field", field="--from", value=effective_from)


def _store(session: Session, version: ItemVersion, operator: str) -> ItemVersion:
    row = ShopItem(
        id=item_id(version.scope, version.code, version.version),
        scope=version.scope,
        code=version.code,
        version=version.version,
        name=version.name,
        unit=version.unit,
        price=version.price,
        low_stock=version.low_stock,
        effective_from=version.effective_from,
        retired=int(version.retired),
        operator=operator,
        recorded_at=now_utc(),
    )
    session.add(row)
    session.flush()
    return version


def add_item(
    session: Session,
    *,
    code: str,
    name: str,
    price: int,
    operator: str,
    effective_from: str,
    today: date,
    unit: str = "",
    village: str | None = None,
    low_stock: int = 0,
) -> ItemVersion:
    """Put a new item in a village's catalogue (or the county's when ``village`` is None)."""
    if not valid_item_code(code):
        raise InputError("item.bad_code", value=code)
    if not name.strip():
        raise InputError("item.no_name")
    if has_personal_number(name) or has_personal_number(unit):
        raise InputError("text.personal_number_field", field="--name")
    check_text("name", name.strip())  # at most 50 characters, no control characters
    check_text("unit", unit.strip())
    _check_price(price)
    if low_stock < 0:
        raise InputError("item.bad_low_stock", value=low_stock)
    check_bound("--low-stock", low_stock, MAX_STOCK)
    _check_date(effective_from, today)
    scope = COUNTY if village is None else get_village(session, village).code
    if versions(session, scope=scope, code=code):
        raise Refused("item.exists", code=code, scope=scope)
    version = ItemVersion(scope, code, 1, name.strip(), unit.strip(), price, low_stock, effective_from, False)
    return _store(session, version, operator)


_LAST_REDEEMED = "SELECT MAX(booked_on) FROM stock_movement WHERE item = :code AND kind = 'redemption' {village}"


def _last_redeemed(session: Session, scope: str, code: str) -> str | None:
    where = "" if scope == COUNTY else "AND village = :v"
    value = session.execute(text(_LAST_REDEEMED.format(village=where)), {"code": code, "v": scope}).scalar()
    return str(value) if value else None


def _next_version(
    session: Session, code: str, village: str | None, effective_from: str, today: date
) -> tuple[ItemVersion, ItemVersion]:
    """The version in force from ``effective_from`` and the latest one, checked for a new version."""
    _check_date(effective_from, today)
    scope = _scope(session, code, village)
    found = versions(session, scope=scope, code=code)
    latest = found[-1]
    if any(v.retired for v in found if v.effective_from <= effective_from) or latest.retired:
        raise Refused("item.retired", code=code)
    current = in_force(found, effective_from)
    if current is None:
        raise Refused("item.not_in_force", code=code, date=effective_from)
    last = _last_redeemed(session, scope, code)
    if last is not None and effective_from <= last:
        raise Refused("item.redeemed_since", code=code, date=effective_from, last=last)
    return current, latest


def change_price(
    session: Session, *, code: str, price: int, effective_from: str, operator: str, today: date, village: str | None
) -> ItemVersion:
    """A new price for an item from a date; redemptions before that date keep the old price."""
    _check_price(price)
    current, latest = _next_version(session, code, village, effective_from, today)
    version = ItemVersion(
        current.scope,
        code,
        latest.version + 1,
        current.name,
        current.unit,
        price,
        current.low_stock,
        effective_from,
        False,
    )
    return _store(session, version, operator)


def retire_item(
    session: Session, *, code: str, effective_from: str, operator: str, today: date, village: str | None
) -> ItemVersion:
    """Take an item out of the catalogue from a date: no more receipts or redemptions of it."""
    current, latest = _next_version(session, code, village, effective_from, today)
    version = ItemVersion(
        current.scope,
        code,
        latest.version + 1,
        current.name,
        current.unit,
        current.price,
        current.low_stock,
        effective_from,
        True,
    )
    return _store(session, version, operator)
