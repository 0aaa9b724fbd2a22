"""The moralbank command, one module per command group; ``cli.py`` at the top is its entry point.

A run builds only the modules of the command it runs: importing every group costs more than
most commands' own work (bench/RESULTS.md, issue 16). ``TOP_LEVEL`` names each top-level
command, its help key and the modules that define it, so the root's help lists every command
from the catalogue without importing one (tests/test_cli_lazy.py checks it against the tree).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Sequence
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# Importing this package imports neither typer nor a command module: the root help's fast path
# (``root_help``) reads ``TOP_LEVEL`` below without building the command line (issue 16). The root
# app and its options live in ``common``.


# The groups register their commands when imported, so the import order is the order of --help:
# the order a village meets them in its month (register, standards, decisions, shop, boards,
# credit) and administration last.
MODULES = ("register", "consent", "standards", "ledger", "shop", "publication", "credit", "operators", "admin")

# Every top-level command in the order the modules above register it: its name, its help's
# catalogue key, and the modules that define it and its subcommands.
TOP_LEVEL: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("award", "help.award", ("ledger",)),
    ("reverse", "help.reverse", ("ledger",)),
    ("redeem", "help.redeem", ("ledger",)),
    ("balance", "help.balance", ("ledger",)),
    ("statement", "help.statement", ("ledger",)),
    ("passbook", "help.passbook", ("ledger",)),
    ("object", "help.object", ("publication",)),
    ("settle", "help.settle", ("publication",)),
    ("init", "help.init", ("admin",)),
    ("upgrade", "help.upgrade", ("admin",)),
    ("backup", "help.backup", ("admin",)),
    ("verify", "help.verify", ("admin",)),
    ("checkpoint", "help.checkpoint", ("admin",)),
    ("copy", "help.copy", ("admin",)),
    ("demo", "help.demo", ("admin",)),
    ("village", "help.village", ("register",)),
    ("household", "help.household", ("register",)),
    ("import", "help.import", ("register", "ledger")),
    ("consent", "help.consent", ("consent",)),
    ("standard", "help.standard", ("standards",)),
    ("shop", "help.shop", ("shop",)),
    ("year", "help.year", ("shop",)),
    ("board", "help.board", ("publication",)),
    ("notice", "help.notice", ("publication",)),
    ("report", "help.report", ("publication",)),
    ("credit", "help.credit", ("credit",)),
    ("keys", "help.keys", ("credit",)),
    ("operator", "help.operator_group", ("operators",)),
    ("export", "help.export", ("admin",)),
)
_MODULES_OF = {name: modules for name, _, modules in TOP_LEVEL}
# The root's options that take a value: what follows them is not the command's name.
_VALUED = ("--db", "--lang", "--operator")


def load(names: Iterable[str] = MODULES) -> tuple[ModuleType, ...]:
    """The command modules ``names`` imported (each registers its commands once), in ``MODULES`` order."""
    wanted = set(names)
    return tuple(import_module(f"moralbank.cli.{name}") for name in MODULES if name in wanted)


def command_named(args: Sequence[str]) -> str | None:
    """The top-level command an invocation runs (None: the root alone, e.g. ``--help``)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return args[index + 1] if index + 1 < len(args) else None
        if arg in _VALUED:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return arg
    return None


def _completing() -> bool:
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


def modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The modules a run needs: the command's own, none for the root alone, all for a name not known
    (click then suggests the nearest commands among all of them) or for shell completion."""
    if _completing():
        return MODULES
    name = command_named(args)
    if name is None:
        return ()
    return _MODULES_OF.get(name, MODULES)


def __getattr__(name: str) -> Any:  # ``moralbank.cli.app`` and ``GROUPS``: the whole tree, on first use
    if name == "app":
        return whole_app()
    if name == "GROUPS":
        return load()
    raise AttributeError(name)


def whole_app() -> typer.Typer:
    """The root app with every command group registered (tests and ``cli.app``)."""
    from moralbank.cli import common

    load()
    return common.app


def main() -> None:
    """Entry point of the installed ``moralbank`` command: builds only the command being run."""
    from moralbank.cli import common

    args = sys.argv[1:]
    load(modules_for(args))
    name = command_named(args)
    if name in _MODULES_OF and not _completing():
        only(common.app, name)
    # What the imports made (modules, classes, the catalogue) lives until the process ends: out of
    # the cyclic collector's passes from here on (bench/RESULTS.md, round five). Only what exists
    # now: the engines and connections a command opens must still be collected at exit, for
    # closing the last SQLite connection is what checkpoints the WAL into the file itself.
    gc.freeze()
    common.app()


def only(root: typer.Typer, name: str) -> None:
    """The root with the top-level command ``name`` alone built: the other commands of its modules
    stand in the listing as those of the modules not imported do (``framework.listed``), so the
    run does not build and word them (about 30 ms of ``award``, bench/RESULTS.md)."""
    from typer.main import get_command_name

    root.registered_commands = [
        info
        for info in root.registered_commands
        if info.callback is not None and (info.name or get_command_name(info.callback.__name__)) == name
    ]
    root.registered_groups = [info for info in root.registered_groups if info.name == name]


__all__ = ["MODULES", "TOP_LEVEL", "load", "main", "whole_app"]
