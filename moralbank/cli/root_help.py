"""The root's ``--help`` printed with rich alone, byte for byte as typer prints it, without building typer.

Building typer and click costs more than the 0.15 s that ``moralbank --help`` may take (a bare
two-command typer app needs 0.21 s for its help on the benchmark machine, bench/RESULTS.md), so
``cli.py`` asks ``answered`` first. It recognises exactly the root-help invocations (``--help``
among the root's options, or nothing at all, which prints the help and exits 2) and lays out the
same panels typer's ``rich_utils.rich_format_help`` would, with ``framework``'s hooks applied
(every paragraph folds), from the catalogue and ``TOP_LEVEL``. Anything else falls through to
typer unchanged. tests/test_root_help.py compares the two in both languages, at several widths,
piped and on a terminal, so a change in typer, rich or a help text that parts them fails.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from moralbank.config import default_lang
from moralbank.messages import MESSAGES, language, text

if TYPE_CHECKING:  # rich is imported only to print
    from rich.highlighter import Highlighter

# The root's options that take a value (moralbank.cli.common.main_options).
_VALUED = ("--db", "--lang", "--operator")


class RootOption(NamedTuple):
    """One row of the root's options panel: as ``main_options`` and typer declare it."""

    opt: str
    name: str  # the parameter's name (its catalogue keys: param.NAME, metavar.NAME)
    help: str  # the help's catalogue key
    envvar: str | None = None
    default: str | None = None
    flag: bool = False


ROOT_OPTIONS = (
    RootOption("--db", "db", "help.db", "MORALBANK_DB", "moralbank.db"),
    RootOption("--lang", "lang", "help.lang", "MORALBANK_LANG"),
    RootOption("--operator", "operator_name", "help.operator", "MORALBANK_OPERATOR"),
    RootOption("--version", "version", "help.version", flag=True),
    RootOption("--install-completion", "install_completion", "param.install_completion", flag=True),
    RootOption("--show-completion", "show_completion", "param.show_completion", flag=True),
    RootOption("--help", "help", "cli.help_option", flag=True),
)


def answered(args: Sequence[str]) -> bool:
    """Print the root's help if ``args`` ask for it and nothing else; False leaves the run to typer."""
    if sys.stdout is None:  # started with its stdout closed: typer's help writes nowhere, exit 0
        return False
    lang = _root_help_lang(args)
    if lang is None or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return False
    usage = _usage(lang)
    if usage is None:  # a usage line click would wrap: typer prints it
        return False
    try:
        print_help(lang, usage)
        if args:  # click's --help echoes the text its help printer returned: empty, one newline
            sys.stdout.write("\n")
            sys.stdout.flush()
    except BrokenPipeError:  # as typer does: the reader went away, exit 1 and no complaint at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    if not args:  # click's no_args_is_help: the help, then exit 2
        sys.exit(2)
    return True


def _root_help_lang(args: Sequence[str]) -> str | None:
    """The language of a root-help invocation (as ``framework.chosen`` finds it), None for any other."""
    if not args:
        return default_lang()
    given: str | None = None
    helped = False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--help":
            helped, index = True, index + 1
        elif arg in _VALUED and index + 1 < len(args) and not args[index + 1].startswith("-"):
            given = args[index + 1] if arg == "--lang" else given
            index += 2
        elif "=" in arg and arg.split("=", 1)[0] in _VALUED:
            given = arg.split("=", 1)[1] if arg.startswith("--lang=") else given
            index += 1
        else:
            return None
    if not helped:
        return None
    return language(given) or default_lang()


def _program_name() -> str:
    """The command's name as click's ``_detect_program_name`` finds it."""
    main = sys.modules["__main__"]
    path = sys.argv[0]
    package = getattr(main, "__package__", None)
    if package in (None, ""):
        return os.path.basename(path)
    name = os.path.splitext(os.path.basename(path))[0]
    module = package if name == "__main__" else f"{package}.{name}"
    return f"python -m {module.lstrip('.')}"


def _usage(lang: str) -> str | None:
    """click's usage line of the root, or None where click would wrap it."""
    line = "{}{} {} {}".format(
        text("cli.usage", lang), _program_name(), text("cli.options_metavar", lang), text("cli.command_metavar", lang)
    )
    width = max(min(_terminal_columns(), 80) - 2, 50)
    return line if "\033" not in line and len(line) <= width else None


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, which click's help formatter reads (shutil costs 4 ms)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _metavar(option: RootOption, lang: str) -> str:
    if option.flag:
        return ""
    for key in (f"metavar..{option.name}", f"metavar.{option.name}"):
        if key in MESSAGES:
            return text(key, lang)
    return text("cli.type.text", lang)


def _help(option: RootOption, lang: str) -> str:
    for key in (f"param..{option.name}", option.help):
        if key in MESSAGES:
            described = text(key, lang)
            more = f"param..{option.name}.more"
            return described + text(more, lang) if more in MESSAGES else described
    raise KeyError(option.help)


def print_help(lang: str, usage: str) -> None:
    """The root's help on stdout, as ``typer.rich_utils.rich_format_help`` prints it."""
    from rich.align import Align
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text
    from rich.theme import Theme

    paint = _Highlighters()
    console = Console(
        theme=Theme(
            {
                "option": "bold cyan",
                "switch": "bold green",
                "negative_option": "bold magenta",
                "negative_switch": "bold red",
                "types": "bold yellow",
                "types_sep": "dim",
                "usage": "yellow",
            }
        ),
        highlighter=paint.option,
        color_system="auto",
        force_terminal=_force_terminal(),
        width=int(os.environ["TERMINAL_WIDTH"]) if os.environ.get("TERMINAL_WIDTH") else None,
        stderr=False,
    )

    def rich_text(value: str, style: str = "") -> Text:
        value = inspect.cleandoc(value)
        made = Text.from_ansi(value, style=style) if "\033[" in value else Text.from_markup(value, style=style)
        return paint.option(made)

    console.print(Padding(paint.option(usage), 1), style="bold")
    first, *rest = inspect.cleandoc(text("help.app", lang)).partition("\f")[0].split("\n\n")
    about: list[Text] = [rich_text(first.replace("\n", " ").strip())]
    if rest:
        about += [Text(""), rich_text("\n\n".join(rest), "dim")]
    console.print(Padding(Align(Group(*about), pad=False), (0, 1, 1, 1)))

    options = Table(
        highlight=True, show_header=False, expand=True, box=None, show_lines=False, leading=0,
        border_style=None, row_styles=None, pad_edge=False, padding=(0, 1),
    )  # fmt: skip
    for option in ROOT_OPTIONS:
        kind = Text(style="bold yellow", overflow="fold")
        kind.append(_metavar(option, lang))
        parts = [rich_text(_paragraphs(_help(option, lang)))]
        if option.envvar:
            parts.append(Text(text("cli.envvar", lang, value=option.envvar), style="dim yellow"))
        if option.default:
            parts.append(Text(text("cli.default", lang, value=option.default), style="dim"))
        described = Text(" ").join(parts)
        described.overflow = "fold"
        row = (paint.option(option.opt), paint.option(""), paint.negative(""), paint.negative(""), paint.types(kind))
        options.add_row(*row, described)
    console.print(Panel(options, border_style="dim", title=text("cli.panel.options", lang), title_align="left"))

    panels = _panels(lang)
    width = max(len(name) for listed in panels.values() for name, _ in listed)
    for title, listed in panels.items():
        commands = Table(
            highlight=False, show_header=False, expand=True, box=None, show_lines=False, leading=0,
            border_style=None, row_styles=None, pad_edge=False, padding=(0, 1),
        )  # fmt: skip
        commands.add_column(style="bold cyan", no_wrap=True, width=width)
        commands.add_column("Description", justify="left", no_wrap=False, ratio=10)
        for name, summary in listed:
            first_paragraph = inspect.cleandoc(summary).split("\n\n")[0]
            if first_paragraph.startswith("\b"):
                first_paragraph = first_paragraph.replace("\b\n", "")
            line = rich_text(first_paragraph.strip())
            line.overflow = "fold"
            commands.add_row(Text(name), line)
        console.print(Panel(commands, border_style="dim", title=title, title_align="left"))

    epilog = text("cli.examples", lang) + "\n\n" + text("example.app", lang)
    console.print(Padding(Align(rich_text(epilog), pad=False), 1))


def _paragraphs(value: str) -> str:
    """An option's help as typer joins its paragraphs."""
    paragraphs = [
        part.replace("\n", " ").strip() if not part.startswith("\b") else "{}\n".format(part.strip("\b\n"))
        for part in value.split("\n\n")
    ]
    return "\n".join(paragraphs).strip()


def _panels(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The top-level commands, panel by panel in the month's order (``manual.in_cycle_order``)."""
    from moralbank.cli import TOP_LEVEL
    from moralbank.cli.manual import COMMANDS, MODULES, PANELS

    def panel(name: str, module: str) -> str:
        return COMMANDS.get(name) or MODULES.get(module, "admin")

    ordered = sorted(TOP_LEVEL, key=lambda item: PANELS.index(panel(item[0], item[2][0])))
    panels: dict[str, list[tuple[str, str]]] = {}
    for name, key, modules in ordered:
        described = text(key, lang) if key in MESSAGES else key  # as framework.localise words a stand-in
        panels.setdefault(text(f"panel.{panel(name, modules[0])}", lang), []).append((name, described))
    return panels


def _force_terminal() -> bool | None:
    """typer's FORCE_TERMINAL, read from the environment as typer.rich_utils reads it."""
    if os.environ.get("_TYPER_FORCE_DISABLE_TERMINAL"):
        return False
    if os.environ.get("GITHUB_ACTIONS") or os.environ.get("FORCE_COLOR") or os.environ.get("PY_COLORS"):
        return True
    return None


class _Highlighters:
    """typer's three highlighters, with ``framework``'s Chinese usage prefix added to the first."""

    def __init__(self) -> None:
        from rich.highlighter import RegexHighlighter

        class Option(RegexHighlighter):
            highlights: ClassVar[list[str]] = [
                r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
                r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
                r"(?P<types>\<[^\>]+\>)",
                r"(?P<usage>Usage: )",
                r"(?P<usage>用法：)",
            ]

        class Negative(RegexHighlighter):
            highlights: ClassVar[list[str]] = [
                r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
                r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
            ]

        class Types(RegexHighlighter):
            highlights: ClassVar[list[str]] = [
                r"^(?P<types_sep>(\[|<))",
                r"(?P<types_sep>\|)",
                r"(?P<types_sep>(\]|>))(\.\.\.)?$",
            ]

        self.option: Highlighter = Option()
        self.negative: Highlighter = Negative()
        self.types: Highlighter = Types()
