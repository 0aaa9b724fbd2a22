"""The moralbank command, one module per command group; ``cli.py`` at the top is its entry point."""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer

from moralbank import __version__
from moralbank.cli.common import app, h
from moralbank.config import Settings, default_lang, default_tz
from moralbank.messages import language, languages, text


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
    chosen = language(lang) if lang else default_lang()
    if chosen is None:
        choices = ", ".join(languages())
        typer.echo(text("lang.invalid", default_lang(), value=lang, choices=choices), err=True)
        raise typer.Exit(2)
    ctx.obj = Settings(db=db, lang=chosen, operator=operator_name, tz=default_tz())


# The groups register their commands when imported, so the import order is the order of --help:
# the order a village meets them in its month (register, standards, decisions, shop, boards,
# credit) and administration last.
GROUPS = tuple(
    import_module(f"moralbank.cli.{name}")
    for name in ("register", "consent", "standards", "ledger", "shop", "publication", "credit", "operators", "admin")
)


def main() -> None:
    """Entry point of the installed ``moralbank`` command."""
    app()


__all__ = ["GROUPS", "app", "main"]
