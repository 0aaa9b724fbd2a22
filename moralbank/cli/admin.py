"""Administration: the database itself, integrity, interchange and the demo."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    app,
    check_format,
    checked,
    emit,
    engine,
    group,
    h,
    output,
    say,
    settings,
    show,
    today,
)
from moralbank.cli.options import (
    FormatOpt,
    OutOpt,
)
from moralbank.errors import MoralBankError
from moralbank.messages import text

export_app = group("help.export")
app.add_typer(export_app, name="export")


@app.command(help=h("help.init"))
def init(
    ctx: typer.Context,
    app_role: Annotated[str | None, typer.Option("--app-role", help=h("help.init_app_role"))] = None,
    apply: Annotated[bool, typer.Option("--apply", help=h("help.init_apply"))] = False,
) -> None:
    from moralbank.storage.db import database_url, shown_db
    from moralbank.storage.roles import apply_grants, grant_script
    from moralbank.storage.schema import apply_schema

    if apply and not app_role:
        raise MoralBankError("role.apply_needs_role")
    if app_role and not database_url(settings(ctx).db).startswith("postgresql"):
        raise MoralBankError("role.postgresql_only")
    if app_role and not apply:
        sys.stdout.write(grant_script(app_role))
        return
    opened = engine(ctx, current=False)
    apply_schema(opened, shown_db(settings(ctx).db))  # an older file is refused: it names `upgrade`
    if app_role:
        apply_grants(opened, app_role)
    say(ctx, "init.done", db=shown_db(settings(ctx).db))
    if app_role:
        say(ctx, "role.granted", role=app_role)


@app.command(help=h("help.upgrade"))
def upgrade(ctx: typer.Context) -> None:
    from moralbank.storage.db import shown_db
    from moralbank.storage.upgrade import upgrade as upgrade_schema

    shown = shown_db(settings(ctx).db)
    done = upgrade_schema(engine(ctx, current=False), shown)
    if not done.changed:
        say(ctx, "upgrade.current", db=shown, program=done.to_version)
        return
    if done.backup is not None:  # written before anything changed
        say(ctx, "upgrade.backup", path=str(done.backup))
    steps = ", ".join(done.steps)
    say(ctx, "upgrade.done", db=shown, found=done.from_version, program=done.to_version, steps=steps)
    if done.backup is None:  # PostgreSQL: new tables have no grants for the application role yet
        say(ctx, "upgrade.regrant")


@app.command(help=h("help.backup"))
def backup(
    ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help=h("help.backup_out"))], fmt: FormatOpt = "table"
) -> None:
    from moralbank.services.backup import backup as backup_ledger

    done = backup_ledger(settings(ctx).db, out, check=_first_chain_problem, today=today(ctx))
    if fmt == "table":
        say(ctx, "backup.done", path=str(done.path), entries=done.entries)
    show(ctx, done.checkpoints, fmt)


def _saved_checkpoints(path: Path | None) -> list[Any]:
    from moralbank.reports.integrity import Head

    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        # A file saved before the stock chains has no stock heads: they read as empty chains.
        return [
            Head(
                str(c["village"]),
                int(c["seq"]),
                str(c["hash"]),
                int(c.get("stock_seq", 0)),
                str(c.get("stock_hash", Head.stock_hash)),
                int(c.get("records_seq", 0)),
                str(c.get("records_hash", Head.records_hash)),
            )
            for c in data
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=str(exc)) from exc


@app.command(help=h("help.verify"))
def verify(
    ctx: typer.Context,
    checkpoint_file: Annotated[Path | None, typer.Option("--checkpoint", help=h("help.checkpoint_file"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.render.verify import verify_json, verify_lines
    from moralbank.reports.integrity import verify as verify_ledger
    from moralbank.storage.db import reading

    check_format(fmt, ("table", "json"))
    saved = _saved_checkpoints(checkpoint_file)
    with reading(engine(ctx)) as session:
        report = verify_ledger(session, saved=saved)
    lang = settings(ctx).lang
    if fmt == "json":
        sys.stdout.write(verify_json(report, lang))
    else:
        typer.echo("\n".join(verify_lines(report, lang)), err=not report.ok)
    if not report.ok:
        raise typer.Exit(1)


@app.command(help=h("help.checkpoint"))
def checkpoint(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.heads import checkpoints
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, checkpoints(session), fmt)


@export_app.command("journal", help=h("help.export_journal"))
def export_journal(ctx: typer.Context, out: OutOpt = None) -> None:
    from moralbank.render.journal import journal_lines
    from moralbank.reports.journal import goods_moves, transfers
    from moralbank.storage.db import reading

    count = 0
    with reading(engine(ctx)) as session, output(out) as stream:
        for line in journal_lines(transfers(session), goods_moves(session)):
            stream.write(line)
            count += line.startswith(("1", "2"))  # a transaction's first line starts with its date
    if out is not None:
        say(ctx, "journal.written", count=count, path=str(out))


def _first_chain_problem(session: Any, saved: list[Any]) -> tuple[str, int | None] | None:
    """The copy's check of one side: ``verify`` with the given checkpoints, first problem only."""
    from moralbank.reports.integrity import verify as verify_ledger

    report = verify_ledger(session, saved=saved)
    return None if report.ok else (report.problems[0].village, report.problems[0].seq)


@app.command("copy", help=h("help.copy"))
def copy_ledger(
    ctx: typer.Context,
    source: Annotated[Path, typer.Option("--from", help=h("help.copy_from"))],
    target: Annotated[str, typer.Option("--to", help=h("help.copy_to"))],
) -> None:
    import dataclasses

    from moralbank.errors import InputError
    from moralbank.services import copy
    from moralbank.storage.db import open_engine, reading, retrying

    if not source.is_file():
        raise InputError("file.not_found", path=str(source))
    if "://" not in target and Path(target).expanduser().resolve() == source.resolve():
        raise MoralBankError("copy.same_database", db=target)
    with reading(checked(open_engine(str(source)), str(source))) as src:
        copied = retrying(
            checked(open_engine(target), target), lambda dst: copy.copy_ledger(src, dst, check=_first_chain_problem)
        )
    say(ctx, "copy.done", **dataclasses.asdict(copied))


@app.command(help=h("help.demo"))
def demo(ctx: typer.Context) -> None:
    from moralbank.cli.credit import credit_policy
    from moralbank.cli.ledger import show_statement
    from moralbank.cli.publication import show_board
    from moralbank.domain.boards import top as top_of
    from moralbank.render.credit import summary_renderables
    from moralbank.render.shop import month_renderables
    from moralbank.reports.boards import board_for_month
    from moralbank.reports.credit import summary as credit_summary
    from moralbank.reports.passbook import balance as household_balance
    from moralbank.reports.passbook import statement as passbook
    from moralbank.reports.registry import household_rows, village_rows
    from moralbank.reports.shop import shop_month
    from moralbank.services.demo import load_demo
    from moralbank.storage.db import open_engine, reading
    from moralbank.storage.schema import apply_schema

    root = ctx.find_root()
    source = root.get_parameter_source("db")
    given = source is not None and source.name != "DEFAULT"
    db = settings(ctx).db if given else str(Path(tempfile.mkdtemp(prefix="moralbank-demo-")) / "demo.db")
    lang = settings(ctx).lang
    say(ctx, "demo.db", db=db)
    demo_engine = open_engine(db)
    apply_schema(demo_engine)
    loaded = load_demo(demo_engine, operator=settings(ctx).operator or "demo", today=today(ctx))
    with reading(demo_engine) as session:
        show(ctx, village_rows(session), "table", title=text("demo.register", lang))
        show(ctx, household_rows(session)[:8], "table", title=text("demo.households", lang))
        show_statement(ctx, passbook(session, household=loaded.featured), "table")
        rows = [
            household_balance(session, household=r.code, as_of=today(ctx).isoformat())
            for r in household_rows(session)[:10]
        ]
        board = board_for_month(session, village=loaded.board_village, month=loaded.board_month)
        figures = credit_summary(session, credit_policy(None), as_of=today(ctx))
    show(ctx, rows, "table", title=text("demo.balances", lang))
    show_board(ctx, top_of(board, 10), "table", None)
    emit(None, summary_renderables(figures, lang))
    with reading(demo_engine) as session:
        shelf = shop_month(session, village=loaded.shop_village, month=loaded.shop_month)
    emit(None, month_renderables(shelf, lang))
    if loaded.closed is not None:
        closed = loaded.closed
        say(
            ctx,
            "year.closed",
            village=closed.village,
            year=closed.year,
            households=closed.households,
            coins=closed.total,
        )
    say(ctx, "demo.done", db=db, household=loaded.featured)
