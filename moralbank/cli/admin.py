"""Administration: the database itself, integrity, interchange and the demo."""

from __future__ import annotations

import os
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
    reading_rows,
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
    township_role: Annotated[str | None, typer.Option("--township-role", help=h("help.init_township_role"))] = None,
    apply: Annotated[bool, typer.Option("--apply", help=h("help.init_apply"))] = False,
) -> None:
    from moralbank.storage.db import database_url, shown_db
    from moralbank.storage.roles import apply_grants, grant_script
    from moralbank.storage.schema import apply_schema

    roles = [(role, township) for role, township in ((app_role, False), (township_role, True)) if role]
    if apply and not roles:
        raise MoralBankError("role.apply_needs_role")
    if roles and not database_url(settings(ctx).db).startswith("postgresql"):
        raise MoralBankError("role.postgresql_only")
    if roles and not apply:
        sys.stdout.write("".join(grant_script(role, township=township) for role, township in roles))
        return
    opened = engine(ctx, current=False)
    apply_schema(opened, shown_db(settings(ctx).db))  # an older file is refused: it names `upgrade`
    for role, township in roles:
        apply_grants(opened, role, township=township)
    say(ctx, "init.done", db=shown_db(settings(ctx).db))
    for role, _township in roles:
        say(ctx, "role.granted", role=role)
    first = (settings(ctx).operator or "").strip()
    if first:
        _register_first(ctx, opened, first)


def _register_first(ctx: typer.Context, opened: Any, name: str) -> None:
    """``init --operator NAME`` registers NAME as township when the register is empty (the first operator)."""
    from moralbank.services.operators import TOWNSHIP, has_operators, register
    from moralbank.storage.db import retrying

    def first(session: Any) -> bool:
        if has_operators(session):
            return False
        register(session, name=name, role=TOWNSHIP, by=name)
        return True

    if retrying(opened, first):
        say(ctx, "operator.added", name=name, role=TOWNSHIP)


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
    _tell_if_nobody_may_write(ctx)


def _tell_if_nobody_may_write(ctx: typer.Context) -> None:
    """After an upgrade to a release with the operator register: say how to register the first one."""
    from moralbank.services.operators import has_operators
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        if not has_operators(session):
            say(ctx, "operator.register_first")


@app.command(help=h("help.backup"))
def backup(
    ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help=h("help.backup_out"))], fmt: FormatOpt = "table"
) -> None:
    from moralbank.services.backup import backup as backup_ledger

    done = backup_ledger(settings(ctx).db, out, check=_first_chain_problem, today=today(ctx))
    if fmt == "table":
        say(ctx, "backup.done", path=str(done.path), entries=done.entries)
    show(ctx, done.checkpoints, fmt)


@app.command(help=h("help.verify"))
def verify(
    ctx: typer.Context,
    checkpoint_file: Annotated[Path | None, typer.Option("--checkpoint", help=h("help.checkpoint_file"))] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help=h("help.checkpoint_public_key"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.render.verify import verify_json, verify_lines
    from moralbank.reports.integrity import verify as verify_ledger
    from moralbank.services.checkpoints import load_checkpoints
    from moralbank.storage.db import reading

    check_format(fmt, ("table", "json"))
    loaded = load_checkpoints(checkpoint_file, public_key) if checkpoint_file is not None else None
    saved = loaded.heads if loaded is not None else []
    if loaded is not None and loaded.key_id is not None and fmt == "table":
        say(ctx, "checkpoint.signature_ok", path=str(checkpoint_file), fingerprint=loaded.key_id[:16])
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
def checkpoint(
    ctx: typer.Context,
    fmt: FormatOpt = "table",
    sign: Annotated[bool, typer.Option("--sign", help=h("help.checkpoint_sign"))] = False,
    signing_key: Annotated[Path | None, typer.Option("--signing-key", help=h("help.signing_key"))] = None,
    out: OutOpt = None,
) -> None:
    from moralbank.reports.heads import checkpoints
    from moralbank.storage.db import reading

    if sign and (signing_key is None or out is None):
        raise MoralBankError("checkpoint.sign_needs")
    with reading(engine(ctx)) as session:
        heads = checkpoints(session)
    if not sign:
        show(ctx, heads, fmt, out=out)
        return
    from moralbank.services.checkpoints import signed_checkpoint, write_signed
    from moralbank.services.register import now_utc
    from moralbank.services.signing import load_private_key

    assert signing_key is not None and out is not None
    write_signed(out, signed_checkpoint(heads, load_private_key(signing_key), at=now_utc()))
    say(ctx, "checkpoint.signed", path=str(out), chains=len(heads))


@export_app.command("journal", help=h("help.export_journal"))
def export_journal(ctx: typer.Context, out: OutOpt = None) -> None:
    from moralbank.render.journal import goods_lines, journal_block, journal_header, journal_lines
    from moralbank.reports.journal import goods_moves, transfer_texts, transfers
    from moralbank.storage.reads import SessionRows

    count = 0
    # A SQLite file is read through the stdlib's sqlite3: no SQLAlchemy start-up (bench/RESULTS.md).
    with reading_rows(ctx) as db, output(out) as stream:
        if (texts := transfer_texts(db)) is None:
            assert isinstance(db, SessionRows)  # PostgreSQL: streamed from a server-side cursor
            lines = journal_lines(transfers(db.session), goods_moves(db))
        else:  # SQLite printed each transfer's text, as UTF-8 (reports/journal.py)
            stream.writelines(journal_header())
            stream.flush()
            binary = _utf8_bytes(stream, out is not None)
            titles: dict[tuple[str, str], str] = {}
            for block in texts:
                data = journal_block(block, titles)
                if binary is not None:
                    binary.write(data)
                else:
                    stream.write(data.decode())
                count += len(block)
            lines = goods_lines(goods_moves(db))
        for line in lines:
            stream.write(line)
            count += line.startswith(("1", "2"))  # a transaction's first line starts with its date
    if out is not None:
        say(ctx, "journal.written", count=count, path=str(out))


def _utf8_bytes(stream: Any, to_file: bool) -> Any:
    """The byte stream under ``stream`` when UTF-8 bytes written there read as its own text would, else None.

    An ``--out`` file is UTF-8 with "\n" kept; stdout only where it is UTF-8 and no newline is
    translated (not Windows, not a console in GBK).
    """
    binary = getattr(stream, "buffer", None)
    utf8 = str(getattr(stream, "encoding", "")).lower().replace("-", "").replace("_", "") == "utf8"
    return binary if binary is not None and utf8 and (to_file or os.name == "posix") else None


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
    answered = _demo_bank(ctx, demo_engine)
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
    _tell_bank(ctx, answered, figures)
    say(ctx, "demo.done", db=db, household=loaded.featured)


def _demo_bank(ctx: typer.Context, demo_engine: Any) -> Any:
    """The demo's bank: a signed list for it, and its approvals and drawings imported (files in a folder of their own)."""
    from moralbank.cli.credit import credit_policy
    from moralbank.workflows.demo_bank import bank_answer

    folder = Path(tempfile.mkdtemp(prefix="moralbank-demo-bank-"))
    who = settings(ctx).operator or "demo"
    return bank_answer(demo_engine, folder=folder, policy=credit_policy(None), operator=who, today=today(ctx))


def _tell_bank(ctx: typer.Context, answered: Any, figures: Any) -> None:
    from moralbank.render.credit import county_bank_line

    done = answered.approvals
    say(ctx, "demo.bank", bank=done.bank, folder=str(answered.folder), export=done.export_id, rows=answered.export.rows)
    say(ctx, "demo.bank_answer", approved=done.approved, refused=done.refused, drawn=answered.drawings.rows)
    typer.echo(county_bank_line(figures, settings(ctx).lang))
