"""The ledger: decisions, corrections, spending, and the household passbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    day,
    engine,
    h,
    operator,
    progress_bar,
    read_sheet,
    say,
    settings,
    show,
    today,
)
from moralbank.cli.options import (
    AsOfOpt,
    BookedOpt,
    FormatOpt,
    KeyOpt,
    ReasonOpt,
    SheetOpt,
)
from moralbank.cli.register import import_app
from moralbank.messages import text


@import_app.command("decisions", help=h("help.import_decisions"))
def import_decisions(ctx: typer.Context, file: Path, sheet_name: SheetOpt = None) -> None:
    from moralbank.services.decisions import decisions_from_sheet
    from moralbank.services.ledger import record_decisions
    from moralbank.storage.db import retrying, tune_for_bulk

    who = operator(ctx)
    sheet = read_sheet(file, "decisions", ctx, sheet_name)
    decisions, problems = decisions_from_sheet(sheet, today(ctx))
    label = text("progress.checking", settings(ctx).lang, source=sheet.source)
    with progress_bar(label, len(decisions)) as advance:

        def record(session: Any) -> Any:
            tune_for_bulk(session)
            return record_decisions(
                session,
                decisions=decisions,
                problems=problems,
                operator=who,
                today=today(ctx),
                source=sheet.source,
                progress=advance,
            )

        written = retrying(engine(ctx), record)
    say(ctx, "decisions.imported", count=len(written.ids), repeated=written.repeated)


@app.command(help=h("help.award"))
def award(
    ctx: typer.Context,
    household: str,
    standard: str,
    qty: Annotated[int, typer.Option("--qty", help=h("help.qty"))] = 1,
    on: Annotated[str | None, typer.Option("--on", help=h("help.on"))] = None,
    booked: BookedOpt = None,
    note: Annotated[str, typer.Option("--note", help=h("help.note"))] = "",
    key: KeyOpt = None,
) -> None:
    from moralbank.errors import RowProblem, SheetError
    from moralbank.services import ledger
    from moralbank.services.decisions import Decision
    from moralbank.storage.db import reading, retrying

    who = operator(ctx)
    if qty <= 0:  # named as a sheet names it: "field qty: ..."
        raise SheetError("", [RowProblem(0, "qty", "field.not_positive", {"value": qty})])
    decision = Decision(household, standard, qty, day(on, "--on", ctx), day(booked, "--booked", ctx), note, key)
    entry_id = retrying(
        engine(ctx), lambda session: ledger.award(session, decision=decision, operator=who, today=today(ctx))
    )
    with reading(engine(ctx)) as session:  # a village with a notice period proposes first (拟记)
        proposed = ledger.get_entry(session, entry_id).kind == "proposal"
    say(ctx, "entry.proposed" if proposed else "entry.recorded", id=entry_id)


@app.command(help=h("help.reverse"))
def reverse(
    ctx: typer.Context,
    entry: int,
    reason: ReasonOpt,
    booked: BookedOpt = None,
    key: KeyOpt = None,
) -> None:
    from moralbank.services.shop import reverse_entry
    from moralbank.storage.db import retrying

    who = operator(ctx)
    booked_on = day(booked, "--booked", ctx)
    entry_id = retrying(  # a redemption by item also returns its goods to the stock
        engine(ctx),
        lambda session: reverse_entry(
            session, entry_id=entry, reason=reason, operator=who, booked_on=booked_on, today=today(ctx), key=key
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


@app.command(help=h("help.redeem"))
def redeem(
    ctx: typer.Context,
    household: str,
    coins: int,
    item: Annotated[str, typer.Option("--item", help=h("help.item"))],
    booked: BookedOpt = None,
    key: KeyOpt = None,
) -> None:
    from moralbank.services.shop import redeem_outside_catalogue
    from moralbank.storage.db import retrying

    who = operator(ctx)
    booked_on = day(booked, "--booked", ctx)
    entry_id = retrying(  # goods outside the catalogue: no stock moves (shop redeem for catalogue goods)
        engine(ctx),
        lambda session: redeem_outside_catalogue(
            session,
            household=household,
            coins=coins,
            item=item,
            operator=who,
            booked_on=booked_on,
            today=today(ctx),
            key=key,
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


@app.command(help=h("help.balance"))
def balance(
    ctx: typer.Context,
    household: str,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.passbook import balance as household_balance
    from moralbank.storage.db import reading

    on = day(as_of, "--as-of", ctx) if as_of else None
    with reading(engine(ctx)) as session:
        show(ctx, household_balance(session, household=household, as_of=on), fmt)


@app.command(help=h("help.statement"))
def statement(
    ctx: typer.Context,
    household: str,
    date_from: Annotated[str | None, typer.Option("--from", help=h("help.from"))] = None,
    date_to: Annotated[str | None, typer.Option("--to", help=h("help.to"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.passbook import statement as passbook
    from moralbank.storage.db import reading

    lo = day(date_from, "--from", ctx) if date_from else None
    hi = day(date_to, "--to", ctx) if date_to else None
    with reading(engine(ctx)) as session:
        result = passbook(session, household=household, date_from=lo, date_to=hi)
    show_statement(ctx, result, fmt)


def show_statement(ctx: typer.Context, result: Any, fmt: str) -> None:
    if fmt == "table":
        lang = settings(ctx).lang
        title = text("statement.title", lang, household=result.household, name=result.head_name)
        say(ctx, "statement.opening", coins=result.opening)
        show(ctx, result.lines, fmt, title=title)
        say(ctx, "statement.closing", coins=result.closing)
    elif fmt == "csv":
        show(ctx, result.lines, fmt)
    else:
        show(ctx, result, fmt)
