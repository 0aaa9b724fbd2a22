"""The ledger: decisions, corrections, spending, and the household passbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    check_format,
    confirm,
    day,
    emit,
    engine,
    h,
    month_option,
    operator,
    print_lang,
    progress_bar,
    reading_rows,
    say,
    settings,
    show,
    tell_sheet,
    today,
    workbook,
)
from moralbank.cli.options import (
    AgainOpt,
    AsOfOpt,
    BookedOpt,
    DryRunOpt,
    FormatOpt,
    KeyOpt,
    OutOpt,
    ReasonOpt,
    RepeatOpt,
    SheetOpt,
    VillageFilterOpt,
    VillageOpt,
    YesOpt,
)
from moralbank.cli.register import import_app
from moralbank.errors import MoralBankError
from moralbank.messages import text


@import_app.command("decisions", help=h("help.import_decisions"))
def import_decisions(
    ctx: typer.Context,
    file: Path,
    sheet_name: SheetOpt = None,
    again: AgainOpt = False,
    repeat: RepeatOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    from moralbank.services.imports import SheetFile
    from moralbank.services.intake import DryRun, take_decisions
    from moralbank.services.sheets import stream_kind
    from moralbank.storage.db import retrying, tune_for_bulk

    who = operator(ctx)
    sheet = stream_kind(file, "decisions", sheet_name)
    source = SheetFile.of(file, "decisions")
    label = text("progress.checking", settings(ctx).lang, source=sheet.source)
    with progress_bar(label, _row_estimate(file)) as advance:

        def record(session: Any) -> Any:
            nonlocal sheet
            if sheet.count:  # a retry after contention reads the sheet again
                sheet = stream_kind(file, "decisions", sheet_name)
            tune_for_bulk(session)
            return take_decisions(
                session,
                file=source,
                sheet=sheet,
                operator=who,
                today=today(ctx),
                again=again,
                repeat=repeat,
                dry_run=dry_run,
                progress=advance,
            )

        try:
            done = retrying(engine(ctx), record)
        except DryRun as run:
            done = run.intake
        finally:
            tell_sheet(ctx, sheet)
    tell_intake(ctx, done)


def _row_estimate(file: Path) -> int | None:
    """About how many rows a sheet has, for the progress bar: a CSV's lines, read in blocks."""
    if file.suffix.lower() not in (".csv", ".txt"):
        return None
    with file.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))


def tell_intake(ctx: typer.Context, done: Any) -> None:
    """What an import wrote, or on a dry run would write, per village; proposals named as such."""
    proposals = sum(t.proposals for t in done.tallies)
    if done.import_id is None:
        say(ctx, "import.dry_run", count=sum(t.entries for t in done.tallies), repeated=done.repeated)
        for t in done.tallies:
            say(
                ctx,
                "import.dry_run_village",
                village=t.village,
                entries=t.entries,
                proposals=t.proposals,
                postings=t.postings,
                awarded=t.awarded,
                deducted=t.deducted,
                households=t.households,
            )
        return
    if proposals:
        say(
            ctx,
            "decisions.imported_on_notice",
            count=done.count - proposals,
            proposals=proposals,
            repeated=done.repeated,
        )
    else:
        say(ctx, "decisions.imported", count=done.count, repeated=done.repeated)
    for t in done.tallies:
        if t.proposals:
            say(ctx, "decisions.on_notice", village=t.village, count=t.proposals, until=t.notice_until)
    say(ctx, "import.logged", id=done.import_id)


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
    repeat: RepeatOpt = False,
) -> None:
    from moralbank.errors import RowProblem, SheetError
    from moralbank.services import ledger
    from moralbank.services.decisions import Decision
    from moralbank.storage.db import reading, retrying

    who = operator(ctx)
    if qty <= 0:  # named as a sheet names it: "field qty: ..."
        raise SheetError("", [RowProblem(0, "qty", "field.not_positive", {"value": qty})])
    decision = Decision(household, standard, qty, day(on, "--on", ctx), day(booked, "--booked", ctx), note, key)
    with reading(engine(ctx)) as session:  # told apart below: a retry writes nothing new
        earlier = ledger.entry_with_key(session, key) if key else None
    entry_id = retrying(
        engine(ctx),
        lambda session: ledger.award(session, decision=decision, operator=who, today=today(ctx), repeat=repeat),
    )
    if earlier is not None and earlier == entry_id:
        say(ctx, "entry.key_repeat", idem=key, id=entry_id)
        return
    with reading(engine(ctx)) as session:  # a village with a notice period proposes first (拟记)
        proposed = ledger.get_entry(session, entry_id).kind == "proposal"
    say(ctx, "entry.proposed" if proposed else "entry.recorded", id=entry_id)


@app.command(help=h("help.reverse"))
def reverse(
    ctx: typer.Context,
    reason: ReasonOpt,
    entry: Annotated[int | None, typer.Argument(help=h("help.reverse_entry"))] = None,
    from_import: Annotated[int | None, typer.Option("--import", help=h("help.reverse_import"))] = None,
    booked: BookedOpt = None,
    key: KeyOpt = None,
    yes: YesOpt = False,
) -> None:
    from moralbank.services.shop import reverse_entry
    from moralbank.storage.db import retrying

    who = operator(ctx)
    booked_on = day(booked, "--booked", ctx)
    if (entry is None) == (from_import is None):
        raise MoralBankError("reverse.entry_or_import")
    if from_import is not None:
        return reverse_whole_import(ctx, who, from_import, reason, booked_on, yes)
    assert entry is not None
    show_entry(ctx, entry)
    confirm(ctx, yes, "reverse.confirm", id=entry)
    entry_id = retrying(  # a redemption by item also returns its goods to the stock
        engine(ctx),
        lambda session: reverse_entry(
            session, entry_id=entry, reason=reason, operator=who, booked_on=booked_on, today=today(ctx), key=key
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


def show_entry(ctx: typer.Context, entry_id: int) -> None:
    """The entry about to be reversed, on one line: whose, what, how many points, when."""
    from moralbank.services.undo import entry_view
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        view = entry_view(session, entry_id)
    say(
        ctx,
        "reverse.shows",
        id=view.id,
        kind=view.kind,  # worded by text() (value.kind.*), or shown as it is
        household=view.household,
        name=view.head_name,
        standard=view.standard or "—",
        title=view.title or view.note or "—",
        points=f"{view.points:+d}",
        event=view.event_date,
        booked=view.booked_on,
    )


def reverse_whole_import(ctx: typer.Context, who: str, import_id: int, reason: str, booked_on: str, yes: bool) -> None:
    """``reverse --import N``: every entry of the import reversed (or voided) in one transaction, written by ``who``."""
    from moralbank.services.undo import reverse_import
    from moralbank.storage.db import retrying

    confirm(ctx, yes, "reverse.confirm_import", id=import_id)
    done = retrying(
        engine(ctx),
        lambda session: reverse_import(
            session, import_id=import_id, reason=reason, operator=who, booked_on=booked_on, today=today(ctx)
        ),
    )
    say(
        ctx,
        "reverse.import_done",
        id=import_id,
        reversed=len(done.reversed),
        voided=len(done.voided),
        skipped=done.skipped,
    )


@app.command(help=h("help.redeem"))
def redeem(
    ctx: typer.Context,
    household: str,
    coins: int,
    item: Annotated[str, typer.Option("--item", help=h("help.item"))],
    booked: BookedOpt = None,
    key: KeyOpt = None,
    repeat: RepeatOpt = False,
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
            repeat=repeat,
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


@app.command(help=h("help.balance"))
def balance(
    ctx: typer.Context,
    household: str,
    as_of: AsOfOpt = None,
    village: VillageFilterOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.passbook import balance as household_balance
    from moralbank.storage.reads import household_named

    with reading_rows(ctx) as db:  # the as-of date used is shown: today when none is given
        code = household_named(db, household, village)
        show(ctx, household_balance(db, household=code, as_of=day(as_of, "--as-of", ctx)), fmt)


FromOpt = Annotated[str | None, typer.Option("--from", help=h("help.from"))]
ToOpt = Annotated[str | None, typer.Option("--to", help=h("help.to"))]


@app.command(help=h("help.statement"))
def statement(
    ctx: typer.Context,
    household: str,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    village: VillageFilterOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.reports.passbook import statement as passbook
    from moralbank.storage.reads import household_named

    lo = day(date_from, "--from", ctx) if date_from else None
    hi = day(date_to, "--to", ctx) if date_to else None
    with reading_rows(ctx) as db:
        code = household_named(db, household, village)
        result = passbook(db, household=code, date_from=lo, date_to=hi)
    show_statement(ctx, result, fmt, out)


def show_statement(ctx: typer.Context, result: Any, fmt: str, out: Path | None = None) -> None:
    """A passbook in the format asked for: on the terminal in the user's language, printed in Chinese by default."""
    from moralbank.render import passbook as rp
    from moralbank.render.formats import render_json
    from moralbank.render.spreadsheet import csv_text

    check_format(fmt, rp.STATEMENT_FORMATS)
    if fmt == "xlsx":
        workbook(out, [rp.statement_sheet(result, print_lang(ctx))])
        return
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rp.statement_renderables(result, settings(ctx).lang),
        "json": lambda: render_json(result),
        "csv": lambda: csv_text(rp.statement_sheet(result, print_lang(ctx))),
        "md": lambda: rp.statement_markdown(result, print_lang(ctx)),
        "html": lambda: rp.passbook_html([result], print_lang(ctx), today(ctx).isoformat()),
    }
    emit(out, renderers[fmt]())


@app.command("passbook", help=h("help.passbook"))
def passbooks(
    ctx: typer.Context,
    village: VillageOpt,
    out: Annotated[Path, typer.Option("--out", help=h("help.out"))],
    month: Annotated[str | None, typer.Option("--month", help=h("help.month"))] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
) -> None:
    from moralbank.domain.dates import month_bounds
    from moralbank.render.passbook import passbook_html
    from moralbank.reports.passbook import village_passbooks
    from moralbank.storage.db import reading

    if (month is None) == (date_from is None and date_to is None):
        raise MoralBankError("passbook.need_period")
    if month is not None:
        first, last = month_bounds(month_option(month))
        lo, hi = first.isoformat(), last.isoformat()
    else:
        lo = day(date_from, "--from", ctx) if date_from else ""
        hi = day(date_to, "--to", ctx)
    with reading(engine(ctx)) as session:
        books = village_passbooks(session, village=village, date_from=lo or None, date_to=hi)
    emit(out, passbook_html(books, print_lang(ctx), today(ctx).isoformat()))
    say(ctx, "passbook.written", count=len(books), path=str(out))
