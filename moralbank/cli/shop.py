"""The points supermarket (积分超市) and the village year: catalogue, stock, redemption, clearing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    check_format,
    day,
    emit,
    engine,
    group,
    h,
    operator,
    say,
    settings,
    show,
    today,
)
from moralbank.cli.options import (
    BookedOpt,
    FormatOpt,
    KeyOpt,
    MonthOpt,
    OutOpt,
    ReasonOpt,
    VillageFilterOpt,
    VillageOpt,
)
from moralbank.errors import InputError

shop_app = group("help.shop")
item_app = group("help.shop_item")
year_app = group("help.year")
app.add_typer(shop_app, name="shop")
shop_app.add_typer(item_app, name="item")
app.add_typer(year_app, name="year")

ItemVillageOpt = Annotated[str | None, typer.Option("--village", help=h("help.item_village"))]
FromOpt = Annotated[str | None, typer.Option("--from", help=h("help.item_from"))]
YearOpt = Annotated[int, typer.Option("--year", help=h("help.year_opt"))]


@item_app.command("add", help=h("help.shop_item_add"))
def item_add(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option("--name", help=h("help.item_name"))],
    price: Annotated[int, typer.Option("--price", help=h("help.item_price"))],
    unit: Annotated[str, typer.Option("--unit", help=h("help.item_unit"))] = "",
    village: ItemVillageOpt = None,
    low_stock: Annotated[int, typer.Option("--low-stock", help=h("help.low_stock"))] = 0,
    start: FromOpt = None,
) -> None:
    from moralbank.services.catalogue import add_item
    from moralbank.storage.db import retrying

    who, since = operator(ctx), day(start, "--from", ctx)
    retrying(
        engine(ctx),
        lambda session: add_item(
            session,
            code=code,
            name=name,
            price=price,
            unit=unit,
            village=village,
            low_stock=low_stock,
            effective_from=since,
            operator=who,
            today=today(ctx),
        ),
    )
    say(ctx, "shop.item_added", code=code, price=price)


@item_app.command("price", help=h("help.shop_item_price"))
def item_price(
    ctx: typer.Context, code: str, coins: int, start: FromOpt = None, village: ItemVillageOpt = None
) -> None:
    from moralbank.services.catalogue import change_price
    from moralbank.storage.db import retrying

    who, since = operator(ctx), day(start, "--from", ctx)
    retrying(
        engine(ctx),
        lambda session: change_price(
            session, code=code, price=coins, effective_from=since, operator=who, today=today(ctx), village=village
        ),
    )
    say(ctx, "shop.price_set", code=code, price=coins, date=since)


@item_app.command("retire", help=h("help.shop_item_retire"))
def item_retire(ctx: typer.Context, code: str, start: FromOpt = None, village: ItemVillageOpt = None) -> None:
    from moralbank.services.catalogue import retire_item
    from moralbank.storage.db import retrying

    who, since = operator(ctx), day(start, "--from", ctx)
    retrying(
        engine(ctx),
        lambda session: retire_item(
            session, code=code, effective_from=since, operator=who, today=today(ctx), village=village
        ),
    )
    say(ctx, "shop.item_retired", code=code, date=since)


@shop_app.command("list", help=h("help.shop_list"))
def shop_list(
    ctx: typer.Context,
    village: VillageFilterOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("help.as_of"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.shop import catalogue
    from moralbank.storage.db import reading

    on = day(as_of, "--as-of", ctx)
    with reading(engine(ctx)) as session:
        show(ctx, catalogue(session, as_of=on, village=village), fmt)


def _fen(value: str | None) -> int | None:
    from moralbank.domain.shop import yuan_to_fen

    if value is None:
        return None
    fen = yuan_to_fen(value)
    if fen is None:
        raise InputError("stock.bad_value", value=value)
    return fen


@shop_app.command("receive", help=h("help.shop_receive"))
def receive(
    ctx: typer.Context,
    code: str,
    qty: int,
    village: VillageOpt,
    source: Annotated[str, typer.Option("--source", help=h("help.source"))],
    value: Annotated[str | None, typer.Option("--value", help=h("help.value"))] = None,
    booked: BookedOpt = None,
    key: KeyOpt = None,
) -> None:
    from moralbank.services.stock import receive as receive_goods
    from moralbank.services.stock import stock_of
    from moralbank.storage.db import reading, retrying

    who, booked_on, fen = operator(ctx), day(booked, "--booked", ctx), _fen(value)
    retrying(
        engine(ctx),
        lambda session: receive_goods(
            session,
            village=village,
            item=code,
            qty=qty,
            source=source,
            value_fen=fen,
            operator=who,
            booked_on=booked_on,
            today=today(ctx),
            key=key,
        ),
    )
    with reading(engine(ctx)) as session:
        stock = stock_of(session, village, code)
    say(ctx, "shop.received", qty=qty, code=code, village=village, stock=stock)


@shop_app.command("stocktake", help=h("help.shop_stocktake"))
def stocktake(
    ctx: typer.Context, code: str, counted: int, village: VillageOpt, reason: ReasonOpt, booked: BookedOpt = None
) -> None:
    from moralbank.services.stock import stocktake as count_stock
    from moralbank.storage.db import retrying

    who, booked_on = operator(ctx), day(booked, "--booked", ctx)
    _, difference = retrying(
        engine(ctx),
        lambda session: count_stock(
            session,
            village=village,
            item=code,
            counted=counted,
            reason=reason,
            operator=who,
            booked_on=booked_on,
            today=today(ctx),
        ),
    )
    say(ctx, "shop.counted", code=code, counted=counted, difference=difference)


@shop_app.command("redeem", help=h("help.shop_redeem"))
def shop_redeem(
    ctx: typer.Context,
    household: str,
    item: str,
    qty: Annotated[int, typer.Option("--qty", help=h("help.qty"))] = 1,
    booked: BookedOpt = None,
    key: KeyOpt = None,
) -> None:
    from moralbank.services import ledger
    from moralbank.services.shop import Redemption, redeem_item
    from moralbank.storage.db import reading, retrying

    who = operator(ctx)
    wanted = Redemption(household, item, qty, day(booked, "--booked", ctx), key)
    entry_id = retrying(
        engine(ctx), lambda session: redeem_item(session, redemption=wanted, operator=who, today=today(ctx))
    )
    with reading(engine(ctx)) as session:
        entry = ledger.get_entry(session, entry_id)
        units, spent = entry.qty, entry.amount
    say(ctx, "shop.redeemed", id=entry_id, qty=units, code=item, coins=spent)


@shop_app.command("import", help=h("help.shop_import"))
def shop_import(
    ctx: typer.Context,
    file: Path,
    sheet_name: Annotated[str | None, typer.Option("--sheet", help=h("help.sheet"))] = None,
    again: Annotated[bool, typer.Option("--again", help=h("help.again"))] = False,
) -> None:
    from moralbank.cli.common import tell_sheet
    from moralbank.services.imports import SheetFile
    from moralbank.services.intake import take_redemptions
    from moralbank.services.sheets import read_sheet
    from moralbank.services.shop import REDEMPTION_COLUMNS, REDEMPTION_REQUIRED, redemptions_from_sheet
    from moralbank.storage.db import retrying

    who = operator(ctx)
    sheet = read_sheet(file, REDEMPTION_COLUMNS, REDEMPTION_REQUIRED, worksheet=sheet_name)
    tell_sheet(ctx, sheet)
    source = SheetFile.of(file, "redemptions")
    rows, problems = redemptions_from_sheet(sheet, today(ctx))
    done, import_id = retrying(
        engine(ctx),
        lambda session: take_redemptions(
            session,
            file=source,
            redemptions=rows,
            problems=problems,
            rows=len(sheet.rows),
            operator=who,
            today=today(ctx),
            again=again,
        ),
    )
    say(ctx, "shop.sheet_redeemed", count=len(done.ids), repeated=done.repeated)
    say(ctx, "import.logged", id=import_id)


@shop_app.command("report", help=h("help.shop_report"))
def shop_report(
    ctx: typer.Context, village: VillageOpt, month: MonthOpt, fmt: FormatOpt = "table", out: OutOpt = None
) -> None:
    from moralbank.cli.common import month_option, print_lang
    from moralbank.render import shop as render
    from moralbank.render.formats import render_json
    from moralbank.reports.shop import shop_month
    from moralbank.storage.db import reading

    check_format(fmt, render.SHOP_REPORT_FORMATS)
    if fmt == "xlsx" and out is None:
        raise InputError("shop.xlsx_needs_out")
    with reading(engine(ctx)) as session:
        report = shop_month(session, village=village, month=month_option(month))
    if fmt == "xlsx":
        assert out is not None
        render.month_xlsx(report, out, settings(ctx).lang)
        say(ctx, "shop.report_written", path=str(out))
        return
    renderers: dict[str, Any] = {
        "table": lambda: render.month_renderables(report, settings(ctx).lang),
        "json": lambda: render_json(report),
        "csv": lambda: render.month_csv(report),
        "html": lambda: render.month_html(report, print_lang(ctx)),
    }
    emit(out, renderers[fmt]())
    if out is not None:
        say(ctx, "shop.report_written", path=str(out))


@year_app.command("open", help=h("help.year_open"))
def year_open(ctx: typer.Context, village: VillageOpt, year: YearOpt) -> None:
    from moralbank.services.year import grant_base_score
    from moralbank.storage.db import retrying

    who = operator(ctx, "township")
    done = retrying(
        engine(ctx),
        lambda session: grant_base_score(session, village=village, year=year, operator=who, today=today(ctx)),
    )
    say(
        ctx,
        "year.opened",
        village=village,
        year=year,
        households=done.households,
        points=done.total // max(done.households, 1),
    )


@year_app.command("close", help=h("help.year_close"))
def year_close(ctx: typer.Context, village: VillageOpt, year: YearOpt) -> None:
    from moralbank.services.year import close_year
    from moralbank.storage.db import retrying

    who = operator(ctx, "township")
    done = retrying(
        engine(ctx), lambda session: close_year(session, village=village, year=year, operator=who, today=today(ctx))
    )
    say(ctx, "year.closed", village=village, year=year, households=done.households, coins=done.total)


def show_year(ctx: typer.Context, report: Any, fmt: str) -> None:
    """The year report in a list format (used by ``report year``)."""
    from moralbank.cli.common import out_console
    from moralbank.render import year as render
    from moralbank.render.formats import render_json

    check_format(fmt, render.YEAR_FORMATS)
    if fmt == "json":
        sys.stdout.write(render_json(report))
    elif fmt == "csv":
        sys.stdout.write(render.year_csv(report))
    else:
        out_console().print(render.year_table(report, settings(ctx).lang))
