"""Publication (晾): the public notice, objections, boards and trends."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    check_format,
    confirm,
    emit,
    engine,
    group,
    h,
    month_option,
    operator,
    out_console,
    print_lang,
    reading_rows,
    say,
    settings,
    show,
    today,
    workbook,
)
from moralbank.cli.options import (
    FormatOpt,
    MonthOpt,
    OutOpt,
    ReasonOpt,
    TopOpt,
    VillageFilterOpt,
    VillageOpt,
    YesOpt,
)
from moralbank.errors import MoralBankError

board_app = group("help.board")
notice_app = group("help.notice")
report_app = group("help.report")
app.add_typer(board_app, name="board")
app.add_typer(notice_app, name="notice")
app.add_typer(report_app, name="report")


def committee_of(session: Any, board: Any) -> str:
    """The committee a village's board is signed by (empty for a county board, or when not set)."""
    from moralbank.storage.reads import village

    return village(session, board.village).committee if board.village else ""


def show_board(ctx: typer.Context, board: Any, fmt: str, out: Path | None, committee: str = "") -> None:
    from moralbank.render import boards as rb
    from moralbank.render.formats import render_json

    check_format(fmt, rb.BOARD_FORMATS)
    if fmt == "xlsx":
        workbook(out, rb.board_sheets(board, print_lang(ctx)))
        return
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rb.board_renderables(board, settings(ctx).lang, settings(ctx).tz),
        "json": lambda: render_json(board),
        "csv": lambda: rb.board_csv(board, print_lang(ctx)),
        "md": lambda: rb.board_markdown(board, print_lang(ctx), settings(ctx).tz),
        "html": lambda: rb.board_html(board, print_lang(ctx), settings(ctx).tz, committee),
    }
    emit(out, renderers[fmt]())


def _top(value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise MoralBankError("board.top_positive", value=value)
    return value


@board_app.command("show", help=h("help.board_show"))
def board_show(
    ctx: typer.Context,
    month: MonthOpt,
    village: VillageFilterOpt = None,
    county: Annotated[bool, typer.Option("--county", help=h("help.county"))] = False,
    top: TopOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.domain.boards import top as cut
    from moralbank.reports.boards import board_for_month, county_board

    if county == (village is not None):
        raise MoralBankError("board.need_village")
    wanted, count = month_option(month), _top(top)
    if village is None and fmt == "csv":  # ranked tuples, no Board: a county's month is ~55,000 lines
        _county_csv(ctx, wanted, count, out)
        return
    if village is None:  # the county board: the same read, without SQLAlchemy on SQLite
        with reading_rows(ctx) as db:
            board = county_board(db, month=wanted)
        show_board(ctx, cut(board, count), fmt, out)
        return
    with reading_rows(ctx) as db:  # a village's board: the terminal read, without SQLAlchemy on SQLite
        board = board_for_month(db, village=village, month=wanted)
        committee = committee_of(db, board)
    show_board(ctx, cut(board, count), fmt, out, committee)


def _county_csv(ctx: typer.Context, month: str, count: int | None, out: Path | None) -> None:
    """``board show --county -f csv``: the bytes ``show_board`` writes of ``county_board`` (tests/test_county_reads.py)."""
    from moralbank.render.boards import red_csv
    from moralbank.reports.boards import county_lines

    with reading_rows(ctx) as db:
        lines = county_lines(db, month=month)
    emit(out, red_csv(lines.red.top(count), lines.black_list, print_lang(ctx)))


@board_app.command("publish", help=h("help.board_publish"))
def board_publish(
    ctx: typer.Context,
    village: VillageOpt,
    month: MonthOpt,
    out_of_order: Annotated[bool, typer.Option("--out-of-order", help=h("help.out_of_order"))] = False,
    yes: YesOpt = False,
) -> None:
    from moralbank.reports.boards import village_board
    from moralbank.services.publication import check_publishable, publish, summary_of
    from moralbank.storage.db import reading, retrying

    who, wanted = operator(ctx, "checker"), month_option(month)
    with reading(engine(ctx)) as session:  # refusals first; publish checks everything again under the lock
        board = village_board(session, village=village, month=wanted)
        check_publishable(session, board=board, today=today(ctx), out_of_order=out_of_order)
    shown = summary_of(board)
    say(
        ctx,
        "board.summary",
        village=shown.village,
        month=shown.month,
        households=shown.households,
        points=shown.points,
        top="、".join(shown.top) or "—",
        black="—" if shown.black is None else shown.black,
    )
    confirm(ctx, yes, "board.confirm_publish", month=wanted)
    done = retrying(
        engine(ctx),
        lambda session: publish(
            session,
            board=village_board(session, village=village, month=wanted),
            operator=who,
            today=today(ctx),
            out_of_order=out_of_order,
        ),
    )
    say(
        ctx,
        "board.published",
        village=village,
        month=wanted,
        id=done.id,
        seq=done.checkpoint.seq,
        hash=done.snapshot_hash,
    )


@board_app.command("list", help=h("help.board_list"))
def board_list(
    ctx: typer.Context,
    village: VillageFilterOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.render.boards import listed_for_people
    from moralbank.reports.boards import published_boards
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = published_boards(session, village=village)
    if fmt == "table":  # people read local times; JSON and CSV keep the stored UTC
        rows = listed_for_people(rows, settings(ctx).tz)
    columns = ["board", "village", "month", "households", "seq", "operator", "published_at"] if fmt == "table" else None
    show(ctx, rows, fmt, columns=columns)


@board_app.command("get", help=h("help.board_get"))
def board_get(
    ctx: typer.Context, board_id: int, top: TopOpt = None, fmt: FormatOpt = "table", out: OutOpt = None
) -> None:
    from moralbank.domain.boards import top as cut
    from moralbank.reports.boards import published_board
    from moralbank.storage.db import reading

    count = _top(top)
    with reading(engine(ctx)) as session:
        board = published_board(session, board_id)
        committee = committee_of(session, board)
    show_board(ctx, cut(board, count), fmt, out, committee)


@notice_app.command("show", help=h("help.notice_show"))
def notice_show(
    ctx: typer.Context,
    village: VillageOpt,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.render import notice as rn
    from moralbank.render.formats import render_json
    from moralbank.render.spreadsheet import csv_text
    from moralbank.reports.notice import notice
    from moralbank.storage.db import reading

    check_format(fmt, rn.NOTICE_FORMATS)
    with reading(engine(ctx)) as session:
        listing = notice(session, village=village, posted_on=today(ctx).isoformat())
    if fmt == "xlsx":
        workbook(out, [rn.notice_sheet(listing, print_lang(ctx))])
        return
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rn.notice_renderables(listing, settings(ctx).lang),
        "json": lambda: render_json(listing),
        "csv": lambda: csv_text(rn.notice_sheet(listing, print_lang(ctx))),
        "md": lambda: rn.notice_markdown(listing, print_lang(ctx)),
        "html": lambda: rn.notice_html(listing, print_lang(ctx)),
    }
    emit(out, renderers[fmt]())


@app.command("object", help=h("help.object"))
def object_to(
    ctx: typer.Context,
    entry: int,
    reason: ReasonOpt,
    received: Annotated[str | None, typer.Option("--received", help=h("help.received"))] = None,
) -> None:
    from moralbank.domain.dates import parse_date
    from moralbank.services.notice import object_to as void_proposal
    from moralbank.storage.db import retrying

    who = operator(ctx)
    on = parse_date(received, "--received") if received else None
    void = retrying(
        engine(ctx),
        lambda session: void_proposal(
            session, entry_id=entry, reason=reason, operator=who, today=today(ctx), received=on
        ),
    )
    say(ctx, "object.recorded", id=entry, void=void)


@app.command(help=h("help.settle"))
def settle(
    ctx: typer.Context,
    village: VillageOpt,
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("help.settle_as_of"))] = None,
) -> None:
    from moralbank.domain.dates import parse_date
    from moralbank.services.notice import settle as post_due
    from moralbank.storage.db import retrying

    who = operator(ctx, "checker")
    on = parse_date(as_of, "--as-of") if as_of else today(ctx)
    done = retrying(
        engine(ctx), lambda session: post_due(session, village=village, as_of=on, operator=who, today=today(ctx))
    )
    say(ctx, "settle.done" if done.posted else "settle.none", count=len(done.posted), as_of=done.as_of)
    if done.left_to_checker:
        say(ctx, "settle.left", count=done.left_to_checker)
    if done.still_on_notice:
        say(ctx, "settle.waiting", count=done.still_on_notice)


@report_app.command("trend", help=h("help.trend"))
def report_trend(
    ctx: typer.Context,
    village: VillageFilterOpt = None,
    household: Annotated[str | None, typer.Option("--household", help=h("help.trend_household"))] = None,
    months: Annotated[int, typer.Option("--months", help=h("help.months"))] = 12,
    until: Annotated[str | None, typer.Option("--until", help=h("help.until"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.domain.dates import month_of, parse_month
    from moralbank.render.formats import render_json
    from moralbank.render.trend import TREND_FORMATS, trend_table
    from moralbank.reports.trend import trend

    check_format(fmt, TREND_FORMATS)
    if not 1 <= months <= 120:
        raise MoralBankError("trend.months_positive", value=months)
    last = parse_month(until, "--until") if until else month_of(today(ctx))
    with reading_rows(ctx) as db:
        series = trend(db, until=last, months=months, village=village, household=household)
    if fmt == "json":
        sys.stdout.write(render_json(series))
    else:
        out_console().print(trend_table(series, settings(ctx).lang))


@report_app.command("year", help=h("help.year_report"))
def report_year(
    ctx: typer.Context,
    village: VillageOpt,
    year: Annotated[int, typer.Option("--year", help=h("help.year_opt"))],
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.cli.shop import show_year
    from moralbank.reports.year import year_report
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        report = year_report(session, village=village, year=year)
    show_year(ctx, report, fmt)


@report_app.command("county", help=h("help.report_county"))
def report_county(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help=h("help.as_of_required"))],
    out: Annotated[Path, typer.Option("--out", help=h("help.out"))],
    policy: Annotated[Path | None, typer.Option("--policy", help=h("help.policy"))] = None,
) -> None:
    from moralbank.cli.credit import credit_policy, rating_date
    from moralbank.render.county import county_html
    from moralbank.reports.county import county_picture
    from moralbank.storage.db import reading

    rules, on = credit_policy(policy), rating_date(ctx, as_of)
    with reading(engine(ctx)) as session:
        picture = county_picture(session, rules, as_of=on)
    emit(out, county_html(picture, print_lang(ctx)))
    say(ctx, "county.written", path=str(out))
