"""What every command shares: settings, the one error handler, output, dates and the root app."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from moralbank import __version__
from moralbank.cli.framework import Localised
from moralbank.config import Settings, default_lang, default_tz
from moralbank.errors import MoralBankError
from moralbank.messages import language, languages, text

if TYPE_CHECKING:  # the library (and rich, for tables and messages) is imported inside commands
    from rich.console import Console
    from sqlalchemy import Engine

    from moralbank.storage.reads import Access, Rows

HELP_LANG = default_lang()  # kept for code that words help itself; help passes its key through h() instead
F = TypeVar("F", bound=Callable[..., Any])
HANDLED = "__moralbank_handled__"


def h(key: str) -> str:
    """A help text's catalogue key: the root command words it in the user's language before help is built."""
    return key


def settings(ctx: typer.Context | None) -> Settings:
    """The settings the top-level callback stored for this invocation."""
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, Settings) else Settings(lang=default_lang(), tz=default_tz())


def say(ctx: typer.Context, key: str, **params: Any) -> None:
    """A message from the catalogue on stdout."""
    typer.echo(text(key, settings(ctx).lang, **params))


def handled(func: F) -> F:
    """The one error handler: a MoralBankError becomes a clear message on stderr and exit 1.

    Anything else is a bug: one line in the user's language says so and where the report went
    (exit 70, EX_SOFTWARE). Click's own exits and usage errors pass through untouched.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx")
        try:
            return func(*args, **kwargs)
        except MoralBankError as exc:
            lang = settings(ctx).lang
            complain(text("error.prefix", lang) + exc.message(lang))
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader went away (``| head``): not a bug, and nothing more to say
            quiet_stdout()
            raise typer.Exit(141) from None  # 128 + SIGPIPE, as a shell reports it
        except Exception as exc:
            from moralbank.cli.crash import write_report

            lang = settings(ctx).lang
            complain(text("error.internal", lang, path=str(write_report(exc))))
            raise typer.Exit(70) from None

    setattr(wrapper, HANDLED, True)
    return wrapper  # type: ignore[return-value]


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush finds no closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def complain(message: str) -> None:
    """A message on stderr, printed as it is (no rich markup read into it)."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(message, markup=False, soft_wrap=True)


class App(typer.Typer):
    """A command group whose every command runs inside the one error handler, by construction."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(handled(func))
            return func

        return decorator


def group(help_key: str) -> App:
    """A command group with translated help that shows its help when run bare."""
    return App(help=h(help_key), no_args_is_help=True)


# A crash must never print local variables: they may hold ID numbers and phones.
# Localised chooses the language (--lang anywhere, MORALBANK_LANG, the locale) before help is built.
app = App(help=h("help.app"), no_args_is_help=True, pretty_exceptions_show_locals=False, cls=Localised)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"moralbank {__version__}")
        raise typer.Exit()


# The root's options. Its help is also printed without typer (``root_help``, for speed); a change
# here shows there only once tests/test_root_help.py is satisfied that both print the same bytes.
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
    chosen = language(lang) if lang else default_lang()
    if chosen is None:
        choices = ", ".join(languages())
        typer.echo(text("lang.invalid", default_lang(), value=lang, choices=choices), err=True)
        raise typer.Exit(2)
    ctx.obj = Settings(db=db, lang=chosen, operator=operator_name, tz=default_tz())


def operator(ctx: typer.Context, needed: str = "clerk") -> str:
    """The operator for a write: registered, with a role that may do it (``needed``); else refused.

    The one place the CLI resolves who writes, so every write command gets the same check. On
    PostgreSQL an application login writes as itself: the operator is the connected role, and an
    ``--operator`` naming someone else is refused (the tables' owner, who could rewrite anything
    anyway, names the operator as on SQLite).
    """
    from moralbank.services.operators import require
    from moralbank.storage.reads import SessionRows

    given = (settings(ctx).operator or "").strip()
    with reading_rows(ctx) as db:  # a SQLite file through the driver: a signed export needs no SQLAlchemy
        login = None
        if isinstance(db, SessionRows):
            from moralbank.storage.roles import connected_login

            login = connected_login(db.session)
        if login is not None:
            if given and given != login:
                raise MoralBankError("operator.not_login", name=given, login=login)
            given = login
        if not given:
            raise MoralBankError("operator.required")
        require(db, given, needed)
    return given


def engine(ctx: typer.Context, *, current: bool = True) -> Engine:
    """The engine for ``--db``, refusing a database at another schema version unless ``current=False``.

    Only ``init``, ``upgrade`` and ``backup`` look at a database whatever its version; every
    other command meets an out-of-date or newer file with one message saying what to run.
    """
    from moralbank.storage.db import open_engine

    waiting = _waiting(ctx)
    if not current:
        return open_engine(settings(ctx).db, on_wait=waiting)
    meta = ctx.find_root().meta  # one engine, checked once, for every step of one command
    if "moralbank.engine" not in meta:
        meta["moralbank.engine"] = checked(open_engine(settings(ctx).db, on_wait=waiting), settings(ctx).db)
    opened: Engine = meta["moralbank.engine"]
    return opened


def access(ctx: typer.Context) -> Access:
    """``--db`` for a command that reads and writes plain SQL, its schema version checked as ``engine`` checks it.

    A SQLite file is read and written through the driver's own connection, so these commands
    never import SQLAlchemy or SQLModel (most of their time before, bench/RESULTS.md); a URL
    (PostgreSQL, or ``sqlite:///...``) goes through the engine, the same SQL either way.
    """
    from moralbank.storage.reads import sqlite_path

    path = sqlite_path(settings(ctx).db)
    if path is None:
        from moralbank.storage.db import EngineAccess

        return EngineAccess(engine(ctx))
    from moralbank.storage.migrations import program_version
    from moralbank.storage.reads import SqliteAccess

    return SqliteAccess(path, settings(ctx).db, program_version(), _waiting(ctx))


def _waiting(ctx: typer.Context) -> Callable[[], None]:
    """What a write that finds the file locked says, so that the person waiting knows why."""
    lang = settings(ctx).lang
    return lambda: complain(text("db.waiting", lang))


def reading_rows(ctx: typer.Context) -> AbstractContextManager[Rows]:
    """One read of ``--db`` for the terminal reports (``access``'s)."""
    return access(ctx).reading()


def checked(opened: Engine, db: str) -> Engine:
    """``opened``, once its schema version is this program's (a missing SQLite file is not created)."""
    from moralbank.storage.db import shown_db
    from moralbank.storage.versions import require_current

    require_current(opened, shown_db(db))
    return opened


def check_format(fmt: str, choices: tuple[str, ...]) -> str:
    """The format, or an error listing the choices."""
    if fmt not in choices:
        raise MoralBankError("format.invalid", value=fmt, choices=", ".join(choices))
    return fmt


def out_console() -> Console:
    """Stdout for tables: wide enough when piped that tables are not cut."""
    from rich.console import Console

    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=200)


def show(
    ctx: typer.Context,
    rows: Any,
    fmt: str,
    *,
    title: str | None = None,
    columns: list[str] | None = None,
    out: Path | None = None,
    sheet: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Render report rows as a table, JSON or CSV; a list a person opens in Excel names its ``sheet``.

    With ``sheet`` the CSV is for spreadsheets, headed and worded as printed documents are
    (Chinese unless a language was asked for) with a BOM, and xlsx is offered; without, the CSV
    is for programs (English field names), as a checkpoint or a verify report is.
    """
    from moralbank.render.formats import FORMATS, SHEET_FORMATS, render_csv, render_json, rich_table

    check_format(fmt, SHEET_FORMATS if sheet else FORMATS)
    listed = rows if isinstance(rows, list) else [rows]
    if fmt == "json":
        emit(out, render_json(rows))
    elif fmt in ("csv", "xlsx") and sheet:
        spreadsheet(ctx, listed, fmt, out, sheet=sheet, columns=columns, labels=labels)
    elif fmt == "csv":
        emit(out, render_csv(listed, columns))
    else:
        emit(out, [rich_table(listed, settings(ctx).lang, title=title, columns=columns)])


def spreadsheet(
    ctx: typer.Context,
    rows: list[Any],
    fmt: str,
    out: Path | None,
    *,
    sheet: str,
    columns: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Rows as a CSV (stdout or ``--out``) or an xlsx workbook (``--out`` required)."""
    from moralbank.render.spreadsheet import csv_text, sheet_of

    table = sheet_of(rows, print_lang(ctx), name=sheet, columns=columns, labels=labels)
    if fmt == "csv":
        emit(out, csv_text(table))
    else:
        workbook(out, [table])


def workbook(out: Path | None, tables: list[Any]) -> None:
    """Sheets written as one xlsx file to ``--out`` (a workbook is never written to a terminal)."""
    from moralbank.render.spreadsheet import write_xlsx

    if out is None:
        raise MoralBankError("xlsx.needs_out")
    try:
        write_xlsx(tables, out)
    except OSError as exc:
        raise MoralBankError("file.write_failed", path=str(out), reason=exc) from exc


@contextmanager
def progress_bar(label: str, total: int | None, quiet: bool = False) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on a terminal's stderr; nothing when piped or quiet."""
    from rich.console import Console

    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def today(ctx: typer.Context | None = None) -> date:
    """Today in the business timezone: the upper bound for event and booking dates."""
    from moralbank.domain.clock import today as business_today

    return business_today(settings(ctx).tz)


def day(value: str | None, field: str, ctx: typer.Context | None = None) -> str:
    """An ISO date option, today when omitted."""
    from moralbank.domain.dates import parse_date

    return parse_date(value, field).isoformat() if value else today(ctx).isoformat()


def month_option(value: str, field: str = "--month") -> str:
    """A ``YYYY-MM`` option, checked."""
    from moralbank.domain.dates import parse_month

    return parse_month(value, field)


def yes_no(value: str | None, option: str) -> bool | None:
    """A yes/no option (是/否, yes/no, true/false, 1/0), or None when not given."""
    from moralbank.errors import RowProblem, SheetError
    from moralbank.services.sheets import parse_bool

    if value is None:
        return None
    parsed = parse_bool(value)
    if parsed is None:
        raise SheetError("", [RowProblem(0, option, "field.not_boolean", {"value": value})])
    return parsed


def interactive() -> bool:
    """Whether a person is at the terminal to answer a question (tests replace it)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm(ctx: typer.Context, yes: bool, key: str, **params: Any) -> None:
    """Ask a person at a terminal before a write that cannot be taken back; ``--yes`` or a pipe skips it.

    A refusal ends the command with exit 1 and says that nothing was written.
    """
    if yes or not interactive():
        return
    if not typer.confirm(text(key, settings(ctx).lang, **params), default=False):
        say(ctx, "confirm.cancelled")
        raise typer.Exit(1)


def print_lang(ctx: typer.Context) -> str:
    """Printed boards and notices are in Chinese unless a language was asked for (--lang or env)."""
    source = ctx.find_root().get_parameter_source("lang")
    given = source is not None and source.name != "DEFAULT"
    return settings(ctx).lang if given else "zh"


@contextmanager
def output(path: Path | None) -> Iterator[Any]:
    """A text stream: stdout, or the file ``--out`` names."""
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            yield stream
    except OSError as exc:
        raise MoralBankError("file.write_failed", path=str(path), reason=exc) from exc


def emit(out: Path | None, body: str | list[Any]) -> None:
    """Text to stdout or ``--out``; a list is rich renderables, printed as a table would be."""
    with output(out) as stream:
        if isinstance(body, str):  # CSV, JSON, a page: no rich to import (bench/RESULTS.md)
            stream.write(body)
            return
        from rich.console import Console

        console = out_console() if out is None else Console(file=stream, highlight=False, width=200)
        for part in body:
            console.print(part)


def read_sheet(path: Path, kind: str, ctx: typer.Context | None = None, worksheet: str | None = None) -> Any:
    """An input sheet of one kind (villages, households, decisions), read and checked by column.

    With ``ctx``, says which worksheet was read and which title and footer rows were skipped.
    """
    from moralbank.services.sheets import read_kind

    sheet = read_kind(path, kind, worksheet)
    if ctx is not None:
        tell_sheet(ctx, sheet)
    return sheet


def tell_sheet(ctx: typer.Context, sheet: Any) -> None:
    """The worksheet read and the rows skipped, so the clerk sees what was not taken as data."""
    if sheet.worksheet is not None:
        say(ctx, "sheet.read_worksheet", name=sheet.worksheet)
    for skipped in sheet.skipped:
        key = "sheet.skipped_title" if skipped.kind == "title" else "sheet.skipped_footer"
        say(ctx, key, row=skipped.row, text=skipped.text)
