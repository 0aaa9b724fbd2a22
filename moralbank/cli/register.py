"""The register: villages, households and their sheets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    day,
    engine,
    group,
    h,
    operator,
    print_lang,
    progress_bar,
    read_sheet,
    reading_rows,
    say,
    settings,
    show,
    today,
    yes_no,
)
from moralbank.cli.options import (
    AgainOpt,
    FormatOpt,
    OutOpt,
    SheetOpt,
    VillageFilterOpt,
)
from moralbank.domain.clock import local_time
from moralbank.errors import MoralBankError
from moralbank.messages import text

village_app = group("help.village")
household_app = group("help.household")
import_app = group("help.import")
app.add_typer(village_app, name="village")
app.add_typer(household_app, name="household")
app.add_typer(import_app, name="import")


@village_app.command("add", help=h("help.village_add"))
def village_add(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option("--name")],
    town: Annotated[str, typer.Option("--town")],
    county: Annotated[str, typer.Option("--county")],
) -> None:
    from moralbank.services.register import add_village
    from moralbank.storage.db import retrying

    operator(ctx, "township")
    retrying(engine(ctx), lambda session: add_village(session, code=code, name=name, town=town, county=county))
    say(ctx, "village.added", code=code)


@village_app.command("list", help=h("help.village_list"))
def village_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.registry import village_rows
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, village_rows(session), fmt)


@village_app.command("set", help=h("help.village_set"))
def village_set(
    ctx: typer.Context,
    code: str,
    notice_days: Annotated[int | None, typer.Option("--notice-days", help=h("help.notice_days"))] = None,
    black_list: Annotated[str | None, typer.Option("--black-list", help=h("help.black_list"))] = None,
    maker_checker: Annotated[str | None, typer.Option("--maker-checker", help=h("help.maker_checker"))] = None,
    min_balance: Annotated[int | None, typer.Option("--min-balance", help=h("help.min_balance"))] = None,
    redemption_days: Annotated[str | None, typer.Option("--redemption-days", help=h("help.redemption_days"))] = None,
    clearing: Annotated[str | None, typer.Option("--year-end-clearing", help=h("help.year_end_clearing"))] = None,
    base_score: Annotated[int | None, typer.Option("--base-score", help=h("help.base_score"))] = None,
    star_titles: Annotated[str | None, typer.Option("--star-titles", help=h("help.star_titles"))] = None,
    committee: Annotated[str | None, typer.Option("--committee", help=h("help.committee"))] = None,
    contact: Annotated[str | None, typer.Option("--contact", help=h("help.contact"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.services.policy import set_policy
    from moralbank.services.publication import set_village_options
    from moralbank.storage.db import retrying

    operator(ctx, "township")
    listing, checker = yes_no(black_list, "--black-list"), yes_no(maker_checker, "--maker-checker")
    policy: dict[str, Any] = {
        "min_balance": min_balance,
        "redemption_days": redemption_days,
        "year_end_clearing": yes_no(clearing, "--year-end-clearing"),
        "base_score": base_score,
        "star_titles": star_titles,
    }
    printed = {"committee": committee, "contact": contact}
    publishing = not (
        notice_days is None and listing is None and checker is None and committee is None and contact is None
    )
    if not publishing and all(value is None for value in policy.values()):
        raise MoralBankError("village.nothing_to_set")

    def apply(session: Any) -> Any:
        if not publishing:  # only the supermarket and year rules: show them
            return set_policy(session, code=code, **policy)
        row = set_village_options(
            session, code=code, notice_days=notice_days, black_list=listing, maker_checker=checker, **printed
        )
        if any(value is not None for value in policy.values()):
            set_policy(session, code=code, **policy)
        return row

    row = retrying(engine(ctx), apply)
    if fmt == "table":
        say(ctx, "village.updated", code=code)
    show(ctx, row, fmt)


@household_app.command("add", help=h("help.household_add"))
def household_add(
    ctx: typer.Context,
    code: str,
    village: Annotated[str, typer.Option("--village")],
    head_name: Annotated[str, typer.Option("--head-name")],
    id_number: Annotated[str, typer.Option("--id-number")],
    members: Annotated[str, typer.Option("--members")] = "1",
    phone: Annotated[str, typer.Option("--phone")] = "",
    grid: Annotated[str, typer.Option("--grid")] = "",
    address: Annotated[str, typer.Option("--address")] = "",
    consent_board: Annotated[str, typer.Option("--consent-board")] = "yes",
    consent_bank: Annotated[str, typer.Option("--consent-bank")] = "no",
) -> None:
    from moralbank.services.register import add_household
    from moralbank.storage.db import retrying

    row = {
        "code": code,
        "village": village,
        "head_name": head_name,
        "id_number": id_number,
        "phone": phone,
        "members": members,
        "grid": grid,
        "address": address,
        "consent_board": consent_board,
        "consent_bank": consent_bank,
    }
    who = operator(ctx)
    retrying(engine(ctx), lambda session: add_household(session, row=row, today=today(ctx).isoformat(), operator=who))
    say(ctx, "household.added", code=code)


@household_app.command("list", help=h("help.household_list"))
def household_list(
    ctx: typer.Context,
    village: VillageFilterOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.reports.registry import household_rows
    from moralbank.services.sheets import HOUSEHOLD_COLUMNS
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = household_rows(session, village=village)
    # Headed as the households import sheet is, so that the list in Chinese reads back as one.
    sheet = text("sheet.households", print_lang(ctx))
    show(ctx, rows, fmt, out=out, sheet=sheet, labels=HOUSEHOLD_COLUMNS)


@household_app.command("find", help=h("help.household_find"))
def household_find(ctx: typer.Context, wanted: str, village: VillageFilterOpt = None, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.registry import shown_households
    from moralbank.services.codes import find_households
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, shown_households(session, find_households(session, wanted, village)), fmt)


@household_app.command("show", help=h("help.household_show"))
def household_show(ctx: typer.Context, code: str, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.registry import household_detail

    with reading_rows(ctx) as db:
        show(ctx, household_detail(db, code=code), fmt)


@import_app.command("villages", help=h("help.import_villages"))
def import_villages(ctx: typer.Context, file: Path, sheet_name: SheetOpt = None, again: AgainOpt = False) -> None:
    from moralbank.services.imports import SheetFile
    from moralbank.services.intake import take_villages
    from moralbank.storage.db import retrying

    who = operator(ctx, "township")
    sheet = read_sheet(file, "villages", ctx, sheet_name)
    source = SheetFile.of(file, "villages")
    count = retrying(
        engine(ctx), lambda session: take_villages(session, file=source, sheet=sheet, operator=who, again=again)
    )
    say(ctx, "villages.imported", count=count)


@import_app.command("households", help=h("help.import_households"))
def import_households(ctx: typer.Context, file: Path, sheet_name: SheetOpt = None, again: AgainOpt = False) -> None:
    from moralbank.services.imports import SheetFile
    from moralbank.services.intake import take_households
    from moralbank.storage.db import retrying

    who = operator(ctx)
    sheet = read_sheet(file, "households", ctx, sheet_name)
    source = SheetFile.of(file, "households")
    label = text("progress.checking", settings(ctx).lang, source=sheet.source)
    with progress_bar(label, len(sheet.rows)) as advance:
        done = retrying(
            engine(ctx),
            lambda session: take_households(
                session,
                file=source,
                sheet=sheet,
                operator=who,
                today=today(ctx).isoformat(),
                again=again,
                progress=advance,
            ),
        )
    say(ctx, "households.imported", count=done.added)
    if done.unchanged:
        say(ctx, "households.unchanged", count=done.unchanged)


@import_app.command("list", help=h("help.import_list"))
def import_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.services.imports import import_list as logged
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = logged(session)
    if fmt == "table":  # people read local times; JSON and CSV keep the stored UTC
        rows = [replace(row, imported_at=local_time(row.imported_at, settings(ctx).tz)) for row in rows]
    show(ctx, rows, fmt)


# --- the register keeps its history (issue 10) ---


@household_app.command("set", help=h("help.household_set"))
def household_set(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=h("help.household_code"))],
    reason: Annotated[str, typer.Option("--reason", help=h("help.change_reason"))],
    head_name: Annotated[str | None, typer.Option("--head-name", help=h("help.set_head_name"))] = None,
    members: Annotated[str | None, typer.Option("--members", help=h("help.set_members"))] = None,
    phone: Annotated[str | None, typer.Option("--phone", help=h("help.set_phone"))] = None,
    grid: Annotated[str | None, typer.Option("--grid", help=h("help.set_grid"))] = None,
    address: Annotated[str | None, typer.Option("--address", help=h("help.set_address"))] = None,
) -> None:
    from moralbank.services.household_changes import change_household
    from moralbank.storage.db import retrying

    who = operator(ctx)
    changes = {"head_name": head_name, "members": members, "phone": phone, "grid": grid, "address": address}
    retrying(
        engine(ctx),
        lambda session: change_household(session, code=code, changes=changes, reason=reason, operator=who),
    )
    say(ctx, "household.changed", code=code)


@household_app.command("history", help=h("help.household_history"))
def household_history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=h("help.household_code"))],
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.services.household_changes import history
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = history(session, code=code)
    if fmt == "table":  # people read local times; JSON and CSV keep the stored UTC
        rows = [replace(row, at=local_time(row.at, settings(ctx).tz)) if "T" in row.at else row for row in rows]
    show(ctx, rows, fmt)


@household_app.command("move", help=h("help.household_move"))
def household_move(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=h("help.household_code"))],
    to: Annotated[str, typer.Option("--to", help=h("help.move_to"))],
    reason: Annotated[str, typer.Option("--reason", help=h("help.move_reason"))],
    on: Annotated[str | None, typer.Option("--on", help=h("help.move_on"))] = None,
) -> None:
    from moralbank.services.household_changes import move_household
    from moralbank.storage.db import retrying

    who = operator(ctx, needed="township")
    when, now = day(on, "--on", ctx), today(ctx)
    moved = retrying(
        engine(ctx),
        lambda session: move_household(session, code=code, to=to, on=when, reason=reason, operator=who, today=now),
    )
    say(ctx, "household.moved", code=moved.household, old=moved.from_village, new=moved.to_village, date=moved.on_date)
    carried = "household.moved_coins" if moved.coins >= 0 else "household.moved_debt"
    say(ctx, carried, count=abs(moved.coins), old=moved.from_village, new=moved.to_village)
