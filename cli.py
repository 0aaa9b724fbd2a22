"""The moralbank command: parse, call a service or report, pick a renderer, report errors."""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from moralbank import __version__
from moralbank.config import LANGS, Settings, default_lang
from moralbank.errors import MoralBankError
from moralbank.messages import text

if TYPE_CHECKING:  # the library is imported inside commands, keeping --help fast
    from sqlalchemy import Engine

HELP_LANG = default_lang()
F = TypeVar("F", bound=Callable[..., Any])


def h(key: str) -> str:
    """Help text in the language of the environment (options are parsed after help is built)."""
    return text(key, HELP_LANG)


# A crash must never print local variables: they may hold ID numbers and phones.
app = typer.Typer(help=h("help.app"), no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
village_app = typer.Typer(help=h("help.village"), no_args_is_help=True)
household_app = typer.Typer(help=h("help.household"), no_args_is_help=True)
import_app = typer.Typer(help=h("help.import"), no_args_is_help=True)
standard_app = typer.Typer(help=h("help.standard"), no_args_is_help=True)
export_app = typer.Typer(help=h("help.export"), no_args_is_help=True)
app.add_typer(village_app, name="village")
app.add_typer(household_app, name="household")
app.add_typer(import_app, name="import")
app.add_typer(standard_app, name="standard")
app.add_typer(export_app, name="export")

FormatOpt = Annotated[str, typer.Option("--format", "-f", help=h("help.format"))]


# --- plumbing ---------------------------------------------------------------------------------


def settings(ctx: typer.Context) -> Settings:
    """The settings the top-level callback stored for this invocation."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings(lang=default_lang())


def say(ctx: typer.Context, key: str, **params: Any) -> None:
    """A message from the catalogue on stdout."""
    typer.echo(text(key, settings(ctx).lang, **params))


def handled(func: F) -> F:
    """The one error handler: a MoralBankError becomes a clear message on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MoralBankError as exc:
            ctx = kwargs.get("ctx")
            lang = settings(ctx).lang if ctx is not None else default_lang()
            Console(stderr=True, highlight=False).print(
                text("error.prefix", lang) + exc.message(lang), markup=False, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def operator(ctx: typer.Context) -> str:
    """The operator for a write, required."""
    name = settings(ctx).operator
    if not name or not name.strip():
        raise MoralBankError("operator.required")
    return name.strip()


def engine(ctx: typer.Context) -> Engine:
    """The engine for ``--db``."""
    from moralbank.storage.db import open_engine

    return open_engine(settings(ctx).db)


def check_format(fmt: str, choices: tuple[str, ...]) -> str:
    """The format, or an error listing the choices."""
    if fmt not in choices:
        raise MoralBankError("format.invalid", value=fmt, choices=", ".join(choices))
    return fmt


def out_console() -> Console:
    """Stdout for tables: wide enough when piped that tables are not cut."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=200)


def show(
    ctx: typer.Context, rows: Any, fmt: str, *, title: str | None = None, columns: list[str] | None = None
) -> None:
    """Render report rows as a table, JSON or CSV on stdout."""
    from moralbank.render.formats import FORMATS, render_csv, render_json, rich_table

    check_format(fmt, FORMATS)
    if fmt == "json":
        sys.stdout.write(render_json(rows))
    elif fmt == "csv":
        sys.stdout.write(render_csv(rows if isinstance(rows, list) else [rows], columns))
    else:
        out_console().print(
            rich_table(rows if isinstance(rows, list) else [rows], settings(ctx).lang, title=title, columns=columns)
        )


@contextmanager
def progress_bar(label: str, total: int, quiet: bool = False) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on a terminal's stderr; nothing when piped or quiet."""
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def today() -> date:
    """Today's date, the upper bound for event and booking dates."""
    return date.today()


def day(value: str | None, field: str) -> str:
    """An ISO date option, today when omitted."""
    from moralbank.domain.dates import parse_date

    return parse_date(value, field).isoformat() if value else today().isoformat()


# --- global options ---------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"moralbank {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str, typer.Option("--db", envvar="MORALBANK_DB", help=h("help.db"))] = "moralbank.db",
    lang: Annotated[str | None, typer.Option("--lang", envvar="MORALBANK_LANG", help=h("help.lang"))] = None,
    operator_name: Annotated[
        str | None, typer.Option("--operator", envvar="MORALBANK_OPERATOR", help=h("help.operator"))
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=h("help.version"))
    ] = False,
) -> None:
    """moralbank."""
    chosen = (lang or default_lang()).lower()
    if chosen not in LANGS:
        typer.echo(text("lang.invalid", "en", value=lang), err=True)
        raise typer.Exit(2)
    ctx.obj = Settings(db=db, lang=chosen, operator=operator_name)


# --- setup and register -----------------------------------------------------------------------


@app.command(help=h("help.init"))
@handled
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
    apply_schema(engine(ctx))
    if app_role:
        apply_grants(engine(ctx), app_role)
    say(ctx, "init.done", db=shown_db(settings(ctx).db))
    if app_role:
        say(ctx, "role.granted", role=app_role)


@village_app.command("add", help=h("help.village_add"))
@handled
def village_add(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option("--name")],
    town: Annotated[str, typer.Option("--town")],
    county: Annotated[str, typer.Option("--county")],
) -> None:
    from moralbank.services.register import add_village
    from moralbank.storage.db import retrying

    operator(ctx)
    retrying(engine(ctx), lambda session: add_village(session, code=code, name=name, town=town, county=county))
    say(ctx, "village.added", code=code)


@village_app.command("list", help=h("help.village_list"))
@handled
def village_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.registry import village_rows
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, village_rows(session), fmt)


@household_app.command("add", help=h("help.household_add"))
@handled
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

    operator(ctx)
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
    retrying(engine(ctx), lambda session: add_household(session, row=row, today=today().isoformat()))
    say(ctx, "household.added", code=code)


@household_app.command("list", help=h("help.household_list"))
@handled
def household_list(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.registry import household_rows
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, household_rows(session, village=village), fmt)


@household_app.command("show", help=h("help.household_show"))
@handled
def household_show(ctx: typer.Context, code: str, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.registry import household_detail
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, household_detail(session, code=code), fmt)


# --- imports ----------------------------------------------------------------------------------


def _read(path: Path, kind: str) -> Any:
    from moralbank.services.sheets import read_kind

    return read_kind(path, kind)


@import_app.command("villages", help=h("help.import_villages"))
@handled
def import_villages(ctx: typer.Context, file: Path) -> None:
    from moralbank.services.register import add_villages
    from moralbank.storage.db import retrying

    operator(ctx)
    sheet = _read(file, "villages")
    count = retrying(engine(ctx), lambda session: add_villages(session, sheet=sheet))
    say(ctx, "villages.imported", count=count)


@import_app.command("households", help=h("help.import_households"))
@handled
def import_households(ctx: typer.Context, file: Path) -> None:
    from moralbank.services.register import add_households
    from moralbank.storage.db import retrying

    operator(ctx)
    sheet = _read(file, "households")
    label = text("progress.checking", settings(ctx).lang, source=sheet.source)
    with progress_bar(label, len(sheet.rows)) as advance:
        count = retrying(
            engine(ctx),
            lambda session: add_households(session, sheet=sheet, today=today().isoformat(), progress=advance),
        )
    say(ctx, "households.imported", count=count)


@import_app.command("decisions", help=h("help.import_decisions"))
@handled
def import_decisions(ctx: typer.Context, file: Path) -> None:
    from moralbank.services.decisions import decisions_from_sheet
    from moralbank.services.ledger import record_decisions
    from moralbank.storage.db import retrying, tune_for_bulk

    who = operator(ctx)
    sheet = _read(file, "decisions")
    decisions, problems = decisions_from_sheet(sheet, today())
    label = text("progress.checking", settings(ctx).lang, source=sheet.source)
    with progress_bar(label, len(decisions)) as advance:

        def record(session: Any) -> Any:
            tune_for_bulk(session)
            return record_decisions(
                session,
                decisions=decisions,
                problems=problems,
                operator=who,
                today=today(),
                source=sheet.source,
                progress=advance,
            )

        written = retrying(engine(ctx), record)
    say(ctx, "decisions.imported", count=len(written.ids), repeated=written.repeated)


# --- standards --------------------------------------------------------------------------------


@standard_app.command("adopt", help=h("help.standard_adopt"))
@handled
def standard_adopt(ctx: typer.Context, file: Path) -> None:
    from moralbank.services.standards import adopt, load_resolution_file
    from moralbank.storage.db import retrying

    who = operator(ctx)
    data = load_resolution_file(file)
    adopted = retrying(
        engine(ctx), lambda session: adopt(session, data=data, source=file.name, operator=who, today=today())
    )
    codes = ", ".join(adopted.standards)
    say(ctx, "standards.adopted", id=adopted.resolution_id, count=len(adopted.standards), codes=codes)


@standard_app.command("list", help=h("help.standard_list"))
@handled
def standard_list(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("help.as_of"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.registry import standard_rows
    from moralbank.storage.db import reading

    on = day(as_of, "--as-of") if as_of else None
    with reading(engine(ctx)) as session:
        show(ctx, standard_rows(session, as_of=on), fmt)


# --- decisions, corrections, spending ---------------------------------------------------------


@app.command(help=h("help.award"))
@handled
def award(
    ctx: typer.Context,
    household: str,
    standard: str,
    qty: Annotated[int, typer.Option("--qty", help=h("help.qty"))] = 1,
    on: Annotated[str | None, typer.Option("--on", help=h("help.on"))] = None,
    booked: Annotated[str | None, typer.Option("--booked", help=h("help.booked"))] = None,
    note: Annotated[str, typer.Option("--note", help=h("help.note"))] = "",
    key: Annotated[str | None, typer.Option("--key", help=h("help.key"))] = None,
) -> None:
    from moralbank.errors import RowProblem, SheetError
    from moralbank.services import ledger
    from moralbank.services.decisions import Decision
    from moralbank.storage.db import reading, retrying

    who = operator(ctx)
    if qty <= 0:  # named as a sheet names it: "field qty: ..."
        raise SheetError("", [RowProblem(0, "qty", "field.not_positive", {"value": qty})])
    decision = Decision(household, standard, qty, day(on, "--on"), day(booked, "--booked"), note, key)
    entry_id = retrying(
        engine(ctx), lambda session: ledger.award(session, decision=decision, operator=who, today=today())
    )
    with reading(engine(ctx)) as session:  # a village with a notice period proposes first (拟记)
        proposed = ledger.get_entry(session, entry_id).kind == "proposal"
    say(ctx, "entry.proposed" if proposed else "entry.recorded", id=entry_id)


@app.command(help=h("help.reverse"))
@handled
def reverse(
    ctx: typer.Context,
    entry: int,
    reason: Annotated[str, typer.Option("--reason", help=h("help.reason"))],
    booked: Annotated[str | None, typer.Option("--booked", help=h("help.booked"))] = None,
    key: Annotated[str | None, typer.Option("--key", help=h("help.key"))] = None,
) -> None:
    from moralbank.services import ledger
    from moralbank.storage.db import retrying

    who = operator(ctx)
    booked_on = day(booked, "--booked")
    entry_id = retrying(
        engine(ctx),
        lambda session: ledger.reverse(
            session, entry_id=entry, reason=reason, operator=who, booked_on=booked_on, today=today(), key=key
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


@app.command(help=h("help.redeem"))
@handled
def redeem(
    ctx: typer.Context,
    household: str,
    coins: int,
    item: Annotated[str, typer.Option("--item", help=h("help.item"))],
    booked: Annotated[str | None, typer.Option("--booked", help=h("help.booked"))] = None,
    key: Annotated[str | None, typer.Option("--key", help=h("help.key"))] = None,
) -> None:
    from moralbank.services import ledger
    from moralbank.storage.db import retrying

    who = operator(ctx)
    booked_on = day(booked, "--booked")
    entry_id = retrying(
        engine(ctx),
        lambda session: ledger.redeem(
            session,
            household=household,
            coins=coins,
            item=item,
            operator=who,
            booked_on=booked_on,
            today=today(),
            key=key,
        ),
    )
    say(ctx, "entry.recorded", id=entry_id)


# --- passbook ---------------------------------------------------------------------------------


@app.command(help=h("help.balance"))
@handled
def balance(
    ctx: typer.Context,
    household: str,
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("help.as_of"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.passbook import balance as household_balance
    from moralbank.storage.db import reading

    on = day(as_of, "--as-of") if as_of else None
    with reading(engine(ctx)) as session:
        show(ctx, household_balance(session, household=household, as_of=on), fmt)


@app.command(help=h("help.statement"))
@handled
def statement(
    ctx: typer.Context,
    household: str,
    date_from: Annotated[str | None, typer.Option("--from", help=h("help.from"))] = None,
    date_to: Annotated[str | None, typer.Option("--to", help=h("help.to"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.passbook import statement as passbook
    from moralbank.storage.db import reading

    lo = day(date_from, "--from") if date_from else None
    hi = day(date_to, "--to") if date_to else None
    with reading(engine(ctx)) as session:
        result = passbook(session, household=household, date_from=lo, date_to=hi)
    _show_statement(ctx, result, fmt)


def _show_statement(ctx: typer.Context, result: Any, fmt: str) -> None:
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


# --- integrity and interop --------------------------------------------------------------------


def _saved_checkpoints(path: Path | None) -> list[Any]:
    from moralbank.reports.integrity import Checkpoint

    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Checkpoint(str(c["village"]), int(c["seq"]), str(c["hash"])) for c in data]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=str(exc)) from exc


@app.command(help=h("help.verify"))
@handled
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
@handled
def checkpoint(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.heads import checkpoints
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        show(ctx, checkpoints(session), fmt)


@export_app.command("journal", help=h("help.export_journal"))
@handled
def export_journal(
    ctx: typer.Context, out: Annotated[Path | None, typer.Option("--out", help=h("help.out"))] = None
) -> None:
    from moralbank.render.journal import journal_lines
    from moralbank.reports.journal import transfers
    from moralbank.storage.db import reading

    count = 0
    with reading(engine(ctx)) as session, _output(out) as stream:
        for line in journal_lines(transfers(session)):
            stream.write(line)
            count += line.startswith(("1", "2"))  # a transaction's first line starts with its date
    if out is not None:
        say(ctx, "journal.written", count=count, path=str(out))


@contextmanager
def _output(path: Path | None) -> Iterator[Any]:
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            yield stream
    except OSError as exc:
        raise MoralBankError("file.write_failed", path=str(path), reason=exc.strerror) from exc


# --- county server (PostgreSQL) ---


def _first_chain_problem(session: Any, saved: list[Any]) -> tuple[str, int | None] | None:
    """The copy's check of one side: ``verify`` with the given checkpoints, first problem only."""
    from moralbank.reports.integrity import verify as verify_ledger

    report = verify_ledger(session, saved=saved)
    return None if report.ok else (report.problems[0].village, report.problems[0].seq)


@app.command("copy", help=h("help.copy"))
@handled
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
    with reading(open_engine(str(source))) as src:
        copied = retrying(open_engine(target), lambda dst: copy.copy_ledger(src, dst, check=_first_chain_problem))
    say(ctx, "copy.done", **dataclasses.asdict(copied))


# --- publication: notice, boards, trend (issue 3) ---

board_app = typer.Typer(help=h("help.board"), no_args_is_help=True)
notice_app = typer.Typer(help=h("help.notice"), no_args_is_help=True)
report_app = typer.Typer(help=h("help.report"), no_args_is_help=True)
app.add_typer(board_app, name="board")
app.add_typer(notice_app, name="notice")
app.add_typer(report_app, name="report")

MonthOpt = Annotated[str, typer.Option("--month", help=h("help.month"))]
TopOpt = Annotated[int | None, typer.Option("--top", help=h("help.top"))]
OutOpt = Annotated[Path | None, typer.Option("--out", help=h("help.out"))]


def _print_lang(ctx: typer.Context) -> str:
    """Printed boards and notices are in Chinese unless a language was asked for (--lang or env)."""
    source = ctx.find_root().get_parameter_source("lang")
    given = source is not None and source.name != "DEFAULT"
    return settings(ctx).lang if given else "zh"


def _yes_no(value: str | None, option: str) -> bool | None:
    from moralbank.errors import RowProblem, SheetError
    from moralbank.services.sheets import parse_bool

    if value is None:
        return None
    parsed = parse_bool(value)
    if parsed is None:
        raise SheetError("", [RowProblem(0, option, "field.not_boolean", {"value": value})])
    return parsed


def _emit(ctx: typer.Context, out: Path | None, body: str | list[Any]) -> None:
    """Text to stdout or ``--out``; a list is rich renderables, printed as a table would be."""
    with _output(out) as stream:
        if isinstance(body, str):
            stream.write(body)
            return
        console = out_console() if out is None else Console(file=stream, highlight=False, width=200)
        for part in body:
            console.print(part)


def _show_board(ctx: typer.Context, board: Any, fmt: str, out: Path | None) -> None:
    from moralbank.render import boards as rb
    from moralbank.render.formats import render_json

    check_format(fmt, rb.BOARD_FORMATS)
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rb.board_renderables(board, settings(ctx).lang),
        "json": lambda: render_json(board),
        "csv": lambda: rb.board_csv(board),
        "md": lambda: rb.board_markdown(board, _print_lang(ctx)),
        "html": lambda: rb.board_html(board, _print_lang(ctx)),
    }
    _emit(ctx, out, renderers[fmt]())


def _month(value: str) -> str:
    from moralbank.domain.dates import parse_month

    return parse_month(value, "--month")


def _top(value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise MoralBankError("board.top_positive", value=value)
    return value


@village_app.command("set", help=h("help.village_set"))
@handled
def village_set(
    ctx: typer.Context,
    code: str,
    notice_days: Annotated[int | None, typer.Option("--notice-days", help=h("help.notice_days"))] = None,
    black_list: Annotated[str | None, typer.Option("--black-list", help=h("help.black_list"))] = None,
    maker_checker: Annotated[str | None, typer.Option("--maker-checker", help=h("help.maker_checker"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.services.publication import set_village_options
    from moralbank.storage.db import retrying

    operator(ctx)
    listing, checker = _yes_no(black_list, "--black-list"), _yes_no(maker_checker, "--maker-checker")
    if notice_days is None and listing is None and checker is None:
        raise MoralBankError("village.nothing_to_set")
    row = retrying(
        engine(ctx),
        lambda session: set_village_options(
            session, code=code, notice_days=notice_days, black_list=listing, maker_checker=checker
        ),
    )
    if fmt == "table":
        say(ctx, "village.updated", code=code)
    show(ctx, row, fmt)


@board_app.command("show", help=h("help.board_show"))
@handled
def board_show(
    ctx: typer.Context,
    month: MonthOpt,
    village: Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))] = None,
    county: Annotated[bool, typer.Option("--county", help=h("help.county"))] = False,
    top: TopOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.domain.boards import top as cut
    from moralbank.reports.boards import board_for_month, county_board
    from moralbank.storage.db import reading

    if county == (village is not None):
        raise MoralBankError("board.need_village")
    wanted, count = _month(month), _top(top)
    with reading(engine(ctx)) as session:
        if village is None:
            board = county_board(session, month=wanted)
        else:
            board = board_for_month(session, village=village, month=wanted)
    _show_board(ctx, cut(board, count), fmt, out)


@board_app.command("publish", help=h("help.board_publish"))
@handled
def board_publish(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help=h("help.village_filter"))],
    month: MonthOpt,
) -> None:
    from moralbank.reports.boards import village_board
    from moralbank.services.publication import publish
    from moralbank.storage.db import retrying

    who, wanted = operator(ctx), _month(month)
    done = retrying(
        engine(ctx),
        lambda session: publish(
            session, board=village_board(session, village=village, month=wanted), operator=who, today=today()
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
@handled
def board_list(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.reports.boards import published_boards
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = published_boards(session, village=village)
    columns = ["board", "village", "month", "households", "seq", "operator", "published_at"] if fmt == "table" else None
    show(ctx, rows, fmt, columns=columns)


@board_app.command("get", help=h("help.board_get"))
@handled
def board_get(
    ctx: typer.Context, board_id: int, top: TopOpt = None, fmt: FormatOpt = "table", out: OutOpt = None
) -> None:
    from moralbank.domain.boards import top as cut
    from moralbank.reports.boards import published_board
    from moralbank.storage.db import reading

    count = _top(top)
    with reading(engine(ctx)) as session:
        board = published_board(session, board_id)
    _show_board(ctx, cut(board, count), fmt, out)


@notice_app.command("show", help=h("help.notice_show"))
@handled
def notice_show(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help=h("help.village_filter"))],
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.render import boards as rb
    from moralbank.render.formats import render_json
    from moralbank.reports.notice import notice
    from moralbank.storage.db import reading

    check_format(fmt, rb.NOTICE_FORMATS)
    with reading(engine(ctx)) as session:
        listing = notice(session, village=village)
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rb.notice_renderables(listing, settings(ctx).lang),
        "json": lambda: render_json(listing),
        "md": lambda: rb.notice_markdown(listing, _print_lang(ctx)),
        "html": lambda: rb.notice_html(listing, _print_lang(ctx)),
    }
    _emit(ctx, out, renderers[fmt]())


@app.command("object", help=h("help.object"))
@handled
def object_to(
    ctx: typer.Context, entry: int, reason: Annotated[str, typer.Option("--reason", help=h("help.reason"))]
) -> None:
    from moralbank.services.notice import object_to as void_proposal
    from moralbank.storage.db import retrying

    who = operator(ctx)
    void = retrying(
        engine(ctx), lambda session: void_proposal(session, entry_id=entry, reason=reason, operator=who, today=today())
    )
    say(ctx, "object.recorded", id=entry, void=void)


@app.command(help=h("help.settle"))
@handled
def settle(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help=h("help.village_filter"))],
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("help.settle_as_of"))] = None,
) -> None:
    from moralbank.domain.dates import parse_date
    from moralbank.services.notice import settle as post_due
    from moralbank.storage.db import retrying

    who = operator(ctx)
    on = parse_date(as_of, "--as-of") if as_of else today()
    done = retrying(
        engine(ctx), lambda session: post_due(session, village=village, as_of=on, operator=who, today=today())
    )
    say(ctx, "settle.done" if done.posted else "settle.none", count=len(done.posted), as_of=done.as_of)
    if done.left_to_checker:
        say(ctx, "settle.left", count=done.left_to_checker)
    if done.still_on_notice:
        say(ctx, "settle.waiting", count=done.still_on_notice)


@report_app.command("trend", help=h("help.trend"))
@handled
def report_trend(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))] = None,
    household: Annotated[str | None, typer.Option("--household", help=h("help.trend_household"))] = None,
    months: Annotated[int, typer.Option("--months", help=h("help.months"))] = 12,
    until: Annotated[str | None, typer.Option("--until", help=h("help.until"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.domain.dates import month_of, parse_month
    from moralbank.render.formats import render_json
    from moralbank.render.trend import TREND_FORMATS, trend_table
    from moralbank.reports.trend import trend
    from moralbank.storage.db import reading

    check_format(fmt, TREND_FORMATS)
    if not 1 <= months <= 120:
        raise MoralBankError("trend.months_positive", value=months)
    last = parse_month(until, "--until") if until else month_of(today())
    with reading(engine(ctx)) as session:
        series = trend(session, until=last, months=months, village=village, household=household)
    if fmt == "json":
        sys.stdout.write(render_json(series))
    else:
        out_console().print(trend_table(series, settings(ctx).lang))


# --- credit: ratings, village-wide figures, signed bank exports (issue 4) ---

credit_app = typer.Typer(help=h("help.credit"), no_args_is_help=True)
keys_app = typer.Typer(help=h("help.keys"), no_args_is_help=True)
app.add_typer(credit_app, name="credit")
app.add_typer(keys_app, name="keys")

AsOfOpt = Annotated[str, typer.Option("--as-of", help=h("help.as_of_required"))]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help=h("help.policy"))]


def _policy(path: Path | None) -> Any:
    """The credit policy in ``--policy``, or the packaged one."""
    from moralbank.domain.credit_policy import load_policy
    from moralbank.resources import fixtures_dir

    return load_policy(path or fixtures_dir() / "credit_policy.toml")


def _as_of(value: str) -> date:
    """The rating date: a valid date, not in the future (a rating vouches for what has happened)."""
    from moralbank.domain.dates import parse_date
    from moralbank.errors import InputError

    on = parse_date(value, "--as-of")
    if on > today():
        raise InputError("date.future_field", field="--as-of", value=value)
    return on


@credit_app.command("rate", help=h("help.credit_rate"))
@handled
def credit_rate(
    ctx: typer.Context,
    as_of: AsOfOpt,
    village: Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))] = None,
    policy: PolicyOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import FORMATS, render_json
    from moralbank.reports.credit import rate
    from moralbank.storage.db import reading

    check_format(fmt, FORMATS)
    rules, on = _policy(policy), _as_of(as_of)
    with reading(engine(ctx)) as session:
        report = rate(session, rules, as_of=on, village=village)
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rc.ratings_renderables(report, settings(ctx).lang),
        "json": lambda: render_json(report),
        "csv": lambda: rc.ratings_csv(report),
    }
    _emit(ctx, None, renderers[fmt]())


@credit_app.command("explain", help=h("help.credit_explain"))
@handled
def credit_explain(
    ctx: typer.Context, household: str, as_of: AsOfOpt, policy: PolicyOpt = None, fmt: FormatOpt = "table"
) -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import render_json
    from moralbank.reports.credit import explain
    from moralbank.storage.db import reading

    check_format(fmt, ("table", "json"))
    rules, on = _policy(policy), _as_of(as_of)
    with reading(engine(ctx)) as session:
        why = explain(session, rules, household=household, as_of=on)
    _emit(ctx, None, render_json(why) if fmt == "json" else rc.explain_renderables(why, settings(ctx).lang))


@credit_app.command("summary", help=h("help.credit_summary"))
@handled
def credit_summary(ctx: typer.Context, as_of: AsOfOpt, policy: PolicyOpt = None, fmt: FormatOpt = "table") -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import FORMATS, render_json
    from moralbank.reports.credit import summary
    from moralbank.storage.db import reading

    check_format(fmt, FORMATS)
    rules, on = _policy(policy), _as_of(as_of)
    with reading(engine(ctx)) as session:
        report = summary(session, rules, as_of=on)
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rc.summary_renderables(report, settings(ctx).lang),
        "json": lambda: render_json(report),
        "csv": lambda: rc.summary_csv(report),
    }
    _emit(ctx, None, renderers[fmt]())


@credit_app.command("export", help=h("help.credit_export"))
@handled
def credit_export(
    ctx: typer.Context,
    as_of: AsOfOpt,
    bank: Annotated[str, typer.Option("--bank", help=h("help.bank"))],
    out: Annotated[Path, typer.Option("--out", help=h("help.export_out"))],
    signing_key: Annotated[Path, typer.Option("--signing-key", help=h("help.signing_key"))],
    fmt: Annotated[str, typer.Option("--format", "-f", help=h("help.format"))] = "csv",
    full_id: Annotated[bool, typer.Option("--full-id", help=h("help.full_id"))] = False,
    policy: PolicyOpt = None,
) -> None:
    from moralbank.render.bank_export import EXPORT_FORMATS
    from moralbank.services.credit_export import export_signed

    who = operator(ctx)
    check_format(fmt, EXPORT_FORMATS)
    done = export_signed(
        engine=engine(ctx),
        policy=_policy(policy),
        as_of=_as_of(as_of),
        bank=bank,
        out=out,
        file_format=fmt,
        signing_key=signing_key,
        operator=who,
        full_id=full_id,
    )
    say(ctx, "credit.exported", rows=done.rows, path=str(out), format=fmt, sig=str(done.signature), id=done.id)
    if full_id:
        say(ctx, "credit.full_id_warning", bank=done.bank)


@credit_app.command("exports", help=h("help.credit_exports"))
@handled
def credit_exports(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.credit import export_log
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = export_log(session)
    if not rows and fmt == "table":
        say(ctx, "credit.no_exports")
        return
    shown = ["id", "exported_at", "operator", "bank", "as_of", "format", "rows", "full_id", "file", "sha256"]
    show(ctx, rows, fmt, columns=shown if fmt == "table" else None)


@credit_app.command("verify", help=h("help.credit_verify"))
@handled
def credit_verify(
    ctx: typer.Context,
    file: Path,
    public_key: Annotated[Path, typer.Option("--public-key", help=h("help.public_key"))],
    signature: Annotated[Path | None, typer.Option("--signature", help=h("help.signature"))] = None,
) -> None:
    from moralbank.render.bank_export import signature_path, verify_export
    from moralbank.render.credit import verified_lines

    manifest = verify_export(file, signature or signature_path(file), public_key)
    typer.echo("\n".join(verified_lines(manifest, settings(ctx).lang)))


@keys_app.command("generate", help=h("help.keys_generate"))
@handled
def keys_generate(ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help=h("help.keys_out"))]) -> None:
    from moralbank.services.signing import generate_keys

    pair = generate_keys(out)
    say(ctx, "keys.generated", private=str(pair.private), public=str(pair.public), key_id=pair.key_id)


# --- demo -------------------------------------------------------------------------------------


@app.command(help=h("help.demo"))
@handled
def demo(ctx: typer.Context) -> None:
    from moralbank.domain.boards import top as top_of
    from moralbank.render.credit import summary_renderables
    from moralbank.reports.boards import board_for_month
    from moralbank.reports.credit import summary as credit_summary
    from moralbank.reports.passbook import balance as household_balance
    from moralbank.reports.passbook import statement as passbook
    from moralbank.reports.registry import household_rows, village_rows
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
    loaded = load_demo(demo_engine, operator=settings(ctx).operator or "demo", today=today())
    with reading(demo_engine) as session:
        show(ctx, village_rows(session), "table", title=text("demo.register", lang))
        show(ctx, household_rows(session)[:8], "table", title=text("demo.households", lang))
        _show_statement(ctx, passbook(session, household=loaded.featured), "table")
        rows = [household_balance(session, household=r.code) for r in household_rows(session)[:10]]
        board = board_for_month(session, village=loaded.board_village, month=loaded.board_month)
        figures = credit_summary(session, _policy(None), as_of=today())
    show(ctx, rows, "table", title=text("demo.balances", lang))
    _show_board(ctx, top_of(board, 10), "table", None)
    _emit(ctx, None, summary_renderables(figures, lang))
    say(ctx, "demo.done", db=db, household=loaded.featured)


def main() -> None:
    """Entry point of the installed ``moralbank`` command."""
    app()


if __name__ == "__main__":
    main()
