"""The command line's own words in the user's language: usage, panels, markers, metavars and usage errors.

typer (with its vendored click) writes these in English, in module constants and f-strings, not
through gettext. Here they come from the catalogue instead, chosen before any help is built:
the root group (``Localised``) reads ``--lang`` wherever it is on the command line (then
``MORALBANK_LANG``, then the locale), translates every command's help, argument and option of
the tree from catalogue keys (``h("help.award")`` is a key until then), and sets typer's words
for that language. A usage error's English text is matched against the patterns below and
given in the catalogue's words, keeping the names and values the user typed.
tests/test_cli_language.py walks every command in both languages so that a typer upgrade that
changes a string, or a command without a description, is caught.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from typer import _click
from typer import core as typer_core
from typer._click import core as click_core
from typer._click import formatting as click_formatting
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from moralbank.cli.manual import SHEET_OF, columns_help, format_help, in_cycle_order, panel_of
from moralbank.config import default_lang
from moralbank.messages import MESSAGES, language, text

ORIGINAL = "__moralbank_keys__"  # each object's catalogue keys, so a second language can be applied
SHEET = "__moralbank_sheet__"  # the sheet an import command reads
MODULE = "__moralbank_module__"  # the command module of a top-level command listed but not built
_state = {"lang": "en"}


def chosen(args: Sequence[str]) -> tuple[str, list[str]]:
    """The language of an invocation and its arguments with ``--lang`` moved to the front.

    ``--lang`` may come anywhere (``moralbank award --lang zh --help``): help is built in it,
    and the root option sees it where it is defined. A value that is not a language leaves the
    language to the environment; the root option then says what the choices are.
    """
    rest: list[str] = []
    given: str | None = None
    items = list(args)
    index = 0
    while index < len(items):
        arg = items[index]
        if arg == "--":
            rest += items[index:]
            break
        if arg == "--lang" and index + 1 < len(items):
            given, index = items[index + 1], index + 2
            continue
        if arg.startswith("--lang="):
            given, index = arg.split("=", 1)[1], index + 1
            continue
        rest.append(arg)
        index += 1
    lang = language(given) or default_lang()
    return lang, ([] if given is None else ["--lang", given]) + rest


def w(key: str, **params: Any) -> str:
    """A framework word in the current language."""
    return text(key, _state["lang"], **params)


def use(lang: str) -> None:
    """typer's fixed words (panel titles, markers, the usage line) in ``lang``.

    typer's help and error printer (typer.rich_utils, with rich's Markdown: about 90 ms) is
    imported only to print help or an error; its words are set once it is, so that a command
    that prints neither never pays for it.
    """
    _state["lang"] = lang
    _install()
    if "typer.rich_utils" in sys.modules:
        _word(sys.modules["typer.rich_utils"])
    else:
        _markdown_when_used()
        _after_import("typer.rich_utils", _printer)


def _markdown_when_used() -> None:
    """rich's Markdown (markdown-it and pygments) imported only when something makes one.

    typer's printer imports ``rich.markdown`` for its "markdown" markup mode, which these
    commands never use, and the import is about 50 ms of every help and usage error (issue 16).
    Until a Markdown is made, a stand-in module answers for it; the first use (or any other name
    asked of it) imports the real module in its place.
    """
    if "rich.markdown" in sys.modules:
        return
    stand_in = types.ModuleType("rich.markdown")

    def real() -> Any:
        if sys.modules.get("rich.markdown") is stand_in:
            del sys.modules["rich.markdown"]
        return importlib.import_module("rich.markdown")

    class Markdown:
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real().Markdown(*args, **kwargs)

    def attribute(name: str) -> Any:
        if name.startswith("__"):  # the import system asks for __path__ and the like: not a use
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.Markdown = Markdown  # type: ignore[attr-defined]
    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules["rich.markdown"] = stand_in


def _word(rich_utils: Any) -> None:
    rich_utils.ARGUMENTS_PANEL_TITLE = w("cli.panel.arguments")
    rich_utils.OPTIONS_PANEL_TITLE = w("cli.panel.options")
    rich_utils.COMMANDS_PANEL_TITLE = w("cli.panel.commands")
    rich_utils.ERRORS_PANEL_TITLE = w("cli.panel.error")
    rich_utils.DEFAULT_STRING = w("cli.default", value="{}")
    rich_utils.ENVVAR_STRING = w("cli.envvar", value="{}")
    rich_utils.REQUIRED_LONG_STRING = w("cli.required")
    rich_utils.DEPRECATED_STRING = w("cli.deprecated")
    rich_utils.ABORTED_TEXT = w("cli.aborted")
    rich_utils.RICH_HELP = w("cli.try_help", command="{command_path}", option="{help_option}")


# --- the tree: help, metavars and panels from the catalogue ---------------------------------


def localise(command: _click.Command, lang: str, path: tuple[str, ...] = ()) -> None:
    """Every command, argument and option under ``command`` described in ``lang``."""
    keys = _keys(command, ("help", "short_help", "epilog"))
    name = ".".join(path)
    command.help = _worded(keys["help"], lang) or _extra_help(name, lang)
    command.short_help = _worded(keys["short_help"], lang)
    command.epilog = _worded(keys["epilog"], lang) or _example(name, lang)
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = text("cli.command_metavar", lang)
    command.options_metavar = text("cli.options_metavar", lang)
    for param in command.params:
        _param(param, name, lang)
    if " ".join(path) in SHEET_OF:
        setattr(command, SHEET, SHEET_OF[" ".join(path)])  # its columns are added when its help is shown
    if not path and isinstance(command, TyperGroup):
        command.commands = in_cycle_order(command.commands)
        for sub in command.commands.values():
            sub.rich_help_panel = panel_of(sub, lang)
    for sub_name, sub in getattr(command, "commands", {}).items():
        localise(sub, lang, (*path, sub_name))


def _keys(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if not hasattr(obj, ORIGINAL):
        setattr(obj, ORIGINAL, {name: getattr(obj, name, None) for name in names})
    keys: dict[str, Any] = getattr(obj, ORIGINAL)
    return keys


def _worded(value: Any, lang: str) -> Any:
    return text(value, lang) if isinstance(value, str) and value in MESSAGES else value


def _first(keys: Sequence[str], lang: str) -> str | None:
    return next((text(key, lang) for key in keys if key in MESSAGES), None)


def _extra_help(name: str, lang: str) -> str | None:
    return _first([f"help.{name}"], lang)


def _example(name: str, lang: str) -> str | None:
    found = _first([f"example.{name or 'app'}"], lang)
    return None if found is None else text("cli.examples", lang) + "\n\n" + found


def _param(param: Any, command: str, lang: str) -> None:
    keys = _keys(param, ("help", "metavar"))
    name = param.name or ""
    described = _first([f"param.{command}.{name}"], lang) or _worded(keys["help"], lang)
    if name == "fmt" and described == text("help.format", lang):
        described = format_help(command.replace(".", " "), lang)
    if described is None or described == keys["help"]:  # none, or typer's own English
        described = _first([f"param.{name}"], lang) or described
    more = _first([f"param.{command}.{name}.more"], lang)
    param.help = described if more is None or described is None else f"{described}{more}"
    if keys["metavar"] is None:
        param.metavar = _metavar(param, command, name, lang)
    if name == "install_completion":
        param.callback = _install_completion
    if isinstance(param, TyperOption) and param.default in ("yes", "no"):  # a yes/no default in the user's words
        param.show_default = text(f"value.{param.default}", lang)


def _metavar(param: Any, command: str, name: str, lang: str) -> str | None:
    if isinstance(param, TyperOption) and param.is_flag:
        return ""
    found = _first([f"metavar.{command}.{name}", f"metavar.{name}"], lang)
    if found is not None:
        return found
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kind = getattr(annotation, "__name__", "str")
    if isinstance(param, TyperArgument):
        return name.upper()
    return text(
        {"int": "cli.type.integer", "Path": "cli.type.file", "float": "cli.type.number"}.get(kind, "cli.type.text"),
        lang,
    )


def _install_completion(ctx: _click.Context, param: Any, value: Any) -> Any:
    """typer's --install-completion, saying what it did in the user's language."""
    if not value or ctx.resilient_parsing:
        return value
    from typer import _completion_shared as completion

    shell, path = completion.install(shell=value) if isinstance(value, str) else completion.install()
    _click.echo(w("cli.completion_installed", shell=shell, path=str(path)))
    sys.exit(0)


# --- usage errors ------------------------------------------------------------------------------

# Each pattern is compiled on the first usage error, not by every run (33 patterns: about 7 ms).
_Q = r"'?(?P<name>[^']+?)'?"
ERRORS: tuple[tuple[str, str], ...] = tuple(
    (pattern + r"$", key)
    for pattern, key in (
        (r"Missing argument " + _Q + r"\.(?P<rest>.*)", "cli.error.missing_argument"),
        (r"Missing option " + _Q + r"\.(?P<rest>.*)", "cli.error.missing_option"),
        (r"Missing parameter:? " + _Q + r"\.?(?P<rest>.*)", "cli.error.missing_parameter"),
        (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)", "cli.error.no_such_option_like"),
        (r"No such option: (?P<name>\S+?)\.? Did you mean (?P<options>.+)\?", "cli.error.no_such_option_like"),
        (r"No such option: (?P<name>\S+)", "cli.error.no_such_option"),
        (r"No such command " + _Q + r"\. Did you mean (?P<options>.+)\?", "cli.error.no_such_command_like"),
        (r"No such command " + _Q + r"\.", "cli.error.no_such_command"),
        (r"Missing command\.", "cli.error.missing_command"),
        (r"Got unexpected extra argument(s|\(s\))? \((?P<args>.*)\)", "cli.error.extra_arguments"),
        (r"Option " + _Q + r" requires an argument\.", "cli.error.requires_argument"),
        (r"Option " + _Q + r" requires (?P<count>\d+) arguments\.", "cli.error.requires_arguments"),
        (r"Option " + _Q + r" does not take a value\.", "cli.error.takes_no_value"),
        (r"Argument " + _Q + r" takes (?P<count>\d+) values\.", "cli.error.takes_values"),
        (r"Invalid value for (?P<name>.+?): (?P<reason>.*)", "cli.error.invalid_value_for"),
        (r"Invalid value: (?P<reason>.*)", "cli.error.invalid_value"),
    )
)
REASONS: tuple[tuple[str, str], ...] = tuple(
    (pattern + r"$", key)
    for pattern, key in (
        (r"Input should be a valid integer.*", "cli.reason.integer"),
        (r"Input should be a valid (number|decimal).*", "cli.reason.number"),
        (r"Input should be a valid boolean.*", "cli.reason.boolean"),
        (r"Input should be a valid (date|datetime).*", "cli.reason.date"),
        (r"Input should be greater than or equal to (?P<limit>\S+)", "cli.reason.at_least"),
        (r"Input should be greater than (?P<limit>\S+)", "cli.reason.more_than"),
        (r"Input should be less than or equal to (?P<limit>\S+)", "cli.reason.at_most"),
        (r"Input should be less than (?P<limit>\S+)", "cli.reason.less_than"),
        (r"Input should be (?P<choices>.+)", "cli.reason.one_of"),
        (r"'(?P<value>.*)' is not one of (?P<choices>.+)\.", "cli.reason.not_one_of"),
        (r"Value (?P<value>.+) is not a valid (?P<kind>\w+)\.", "cli.reason.not_valid"),
        (r"\w+ '(?P<path>.+)' does not exist\.", "cli.reason.path_missing"),
        (r"\w+ (?P<path>.+) is a directory\.", "cli.reason.path_is_folder"),
        (r"\w+ (?P<path>.+) is a file\.", "cli.reason.path_is_file"),
        (r"\w+ (?P<path>.+) is not readable\.", "cli.reason.path_not_readable"),
        (r"\w+ (?P<path>.+) is not writable\.", "cli.reason.path_not_writable"),
        (r"Value must be an iterable\.", "cli.reason.not_a_list"),
    )
)


def worded_error(message: str, lang: str) -> str:
    """A usage error's English text in ``lang``; a text no pattern knows is left as it is."""
    for pattern, key in ERRORS:
        if match := _compiled(pattern).match(message):
            params = match.groupdict()
            if "reason" in params:
                params["reason"] = _reason(params["reason"], lang)
            rest = params.pop("rest", "") or ""
            return text(key, lang, **params) + rest
    return _reason(message, lang)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.S)


def _reason(reason: str, lang: str) -> str:
    for pattern, key in REASONS:
        if match := _compiled(pattern).match(reason.strip()):
            return text(key, lang, **match.groupdict())
    return reason


# --- the hooks into typer, installed once --------------------------------------------------------

_installed: list[bool] = []


def _install() -> None:
    """The hooks outside typer's printer: the usage line, the help option, arguments' type column."""
    if _installed:
        return
    _installed.append(True)
    write_usage = click_formatting.HelpFormatter.write_usage
    help_option = click_core.Command.get_help_option

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, w("cli.usage") if prefix is None else prefix)

    def worded_help_option(self: Any, ctx: _click.Context) -> Any:
        option = help_option(self, ctx)
        if option is not None:  # made on first use, cached per command: worded each time
            option.help = w("cli.help_option")
            option.metavar = ""
        return option

    click_formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]
    click_core.Command.get_help_option = worded_help_option  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]  # the help says what it is
    runtime_param = typer_core._TyperParameter.get_runtime_param

    def as_typed_first(self: Any) -> Any:
        if self._runtime_param is None:
            self._runtime_param = _AsTyped(self.type_descriptor, lambda: runtime_param(self))
        return runtime_param(self)

    typer_core._TyperParameter.get_runtime_param = as_typed_first  # type: ignore[method-assign]


class _AsTyped:
    """typer's coercion of a parameter, without building its pydantic adapter when it needs none.

    typer coerces every value through a pydantic ``TypeAdapter``, and importing pydantic and
    building the adapters cost a read command about 100 ms (issue 16). An option not given
    (None) is None, as typer's coercion gives it before any adapter; a ``str`` as typed, or a
    default already a plain ``str``, ``int`` or ``bool`` (no parser, no bounds), is what the
    adapter returns for it. A ``Path`` typed as text goes through typer's own checks of a path
    (``coerce_cli_path``: exists, readable and the like, with typer's errors), the text made a
    ``Path`` as pydantic makes it (``Path(text)``): a signed export's two paths cost it ~55 ms of
    pydantic (bench/RESULTS.md, round five). Anything else (``--months 6`` is the text "6") goes
    to typer's own coercion, built on first use, so its values and its errors are typer's.
    """

    def __init__(self, descriptor: Any, build: Callable[[], Any]) -> None:
        info = self.info = descriptor.parameter_info
        plain = info.parser is None and info.min is None and info.max is None and not info.clamp
        self.kind = descriptor.annotation if plain and descriptor.file_annotation is None else None
        if self.kind is Path and info.path_type is not None:
            self.kind = None
        self.build: Callable[[], Any] = build
        self.full: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if not many and (value is None or (self.kind in (str, int, bool) and type(value) is self.kind)):
            return value
        if not many and self.kind is Path and type(value) is str:
            from typer._param_types import coerce_cli_path

            return Path(coerce_cli_path(value, self.info, path_type=None, param=param, ctx=ctx))  # type: ignore[arg-type]
        if self.full is None:
            param._runtime_param = None  # typer's own, built and kept for the next value
            self.full = self.build()
        return self.full.coerce(value, param=param, ctx=ctx)


def _printer(rich_utils: Any) -> None:
    """The hooks into typer's printer of help and errors, once it is imported."""
    _word(rich_utils)
    show_error: Callable[[Any], None] = rich_utils.rich_format_error
    parameter_help: Callable[..., Any] = rich_utils._get_parameter_help
    print_help: Callable[..., None] = rich_utils.rich_format_help

    def format_error(exc: Any) -> None:
        message = worded_error(exc.format_message(), _state["lang"])
        exc.format_message = lambda: message
        show_error(exc)

    def one_paragraph(**kwargs: Any) -> Any:
        # typer lays help, [env var] and [default] out as columns, and rich cuts a Chinese line
        # (no spaces to break at) with "…": one text that folds wraps to the terminal instead.
        from rich.text import Text

        columns = parameter_help(**kwargs)
        parts = [part for part in columns.renderables if isinstance(part, Text)]
        if len(parts) != len(columns.renderables):
            return columns
        joined = Text(" ").join(parts)
        joined.overflow = "fold"
        return joined

    def with_columns(*, obj: Any, ctx: Any, markup_mode: Any) -> None:
        if kind := getattr(obj, SHEET, None):  # read the sheet tables only when this help is shown
            obj.help = f"{obj.help}\n\n{columns_help(kind, _state['lang'])}"
        print_help(obj=obj, ctx=ctx, markup_mode=markup_mode)

    command_help: Callable[..., Any] = rich_utils._make_command_help

    def folded_command_help(**kwargs: Any) -> Any:
        found = command_help(**kwargs)  # a command's line in a listing: folds too, never cut
        if hasattr(found, "overflow"):
            found.overflow = "fold"
        return found

    rich_utils.rich_format_error = format_error
    rich_utils._make_command_help = folded_command_help
    rich_utils._get_parameter_help = one_paragraph
    rich_utils.rich_format_help = with_columns
    rich_utils.OptionHighlighter.highlights = [*rich_utils.OptionHighlighter.highlights, r"(?P<usage>用法：)"]


class _AfterImport:
    """Runs ``then(module)`` right after ``name`` is imported, wherever the import happens.

    A meta path finder by its ``find_spec`` alone: ``importlib.abc`` imports ``importlib.resources``,
    about 4 ms of every run (bench/RESULTS.md, round five).
    """

    def __init__(self, name: str, then: Callable[[Any], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, then = spec.loader, self.then
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            then(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _after_import(name: str, then: Callable[[Any], None]) -> None:
    if not any(isinstance(finder, _AfterImport) and finder.name == name for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(name, then))


class Localised(TyperGroup):
    """The root command: picks the language first, then describes the whole tree in it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        lang, argv = chosen(sys.argv[1:] if args is None else args)
        use(lang)
        self.commands = listed(self.commands)
        localise(self, lang)
        return super().main(argv, *rest, **extra)


def listed(built: MutableMapping[str, _click.Command]) -> dict[str, _click.Command]:
    """Every top-level command in its place: those built, and for each one not built (its module
    not imported by this run) a stand-in carrying its name, help key and module, which is all the
    root's help and click's "did you mean" read of it."""
    from moralbank.cli import TOP_LEVEL

    commands = {name: built.get(name) or _stand_in(name, key, modules[0]) for name, key, modules in TOP_LEVEL}
    return commands | dict(built)


def _stand_in(name: str, key: str, module: str) -> _click.Command:
    def not_built() -> None:  # moralbank.cli.main builds the command it runs: reaching this is a bug
        raise RuntimeError(f"command {name!r} was run without its module moralbank.cli.{module}")

    command = TyperCommand(name, callback=not_built, help=key)
    setattr(command, MODULE, module)
    return command
