"""What ``--help`` teaches beyond each command's own text: the monthly panels, format choices, sheet columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moralbank.messages import text

# 登记 register, 议 deliberate standards, 评 evaluate, 晾 post publicly, 存 deposit and spend,
# 信 credit, 管理 administration: the order a village meets them in its month.
PANELS = ("register", "deliberate", "evaluate", "post", "deposit", "credit", "admin")
COMMANDS = {
    "village": "register", "household": "register", "import": "register",
    "standard": "deliberate",
    "award": "evaluate", "reverse": "evaluate", "object": "evaluate", "settle": "evaluate",
    "notice": "post", "board": "post", "report": "post",
    "balance": "deposit", "statement": "deposit", "passbook": "deposit", "redeem": "deposit",
    "shop": "deposit", "year": "deposit",
    "credit": "credit", "keys": "credit",
}  # fmt: skip
# A command added later stands with the other commands of its module.
MODULES = {
    "register": "register", "standards": "deliberate", "ledger": "evaluate", "publication": "post",
    "shop": "deposit", "credit": "credit",
}  # fmt: skip

# The --format choices of each command (the render modules' tuples, which --help does not import:
# tests/test_cli_language.py checks each against the command's refusal of a bad format).
_TABLE = ("table", "json", "csv")
_SHEET = ("table", "json", "csv", "xlsx")
_PRINTED = ("table", "json", "csv", "xlsx", "md", "html")
FORMATS: dict[str, tuple[str, ...]] = {
    "verify": ("table", "json"),
    "credit explain": ("table", "json"),
    "report trend": ("table", "json"),
    "household list": _SHEET,
    "standard list": _SHEET,
    "credit rate": _SHEET,
    "credit summary": _SHEET,
    "statement": _PRINTED,
    "board show": _PRINTED,
    "board get": _PRINTED,
    "notice show": _PRINTED,
    "shop report": ("table", "json", "csv", "xlsx", "html"),
    "credit export": ("csv", "json", "xlsx"),
}
# The import commands (by their words) and the sheet each reads (services/sheets.py holds their columns).
SHEET_OF = {
    "import villages": "villages",
    "import households": "households",
    "import decisions": "decisions",
    "shop import": "redemptions",
}


def panel_key(command: Any) -> str:
    """The panel a top-level command stands in (``register`` ... ``admin``)."""
    return COMMANDS.get(command.name) or MODULES.get(_module(command), "admin")


def panel_of(command: Any, lang: str) -> str:
    """The titled panel of a top-level command, in ``lang``."""
    return text(f"panel.{panel_key(command)}", lang)


def in_cycle_order(commands: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level commands panel by panel in the month's order, each panel in its own order."""
    return dict(sorted(commands.items(), key=lambda item: PANELS.index(panel_key(item[1]))))


def _module(command: Any) -> str:
    if listed := getattr(command, "__moralbank_module__", None):  # a command listed, not built (framework.listed)
        return str(listed)
    callback = getattr(command, "callback", None)
    if callback is not None and getattr(callback, "__module__", "").startswith("moralbank.cli."):
        return str(callback.__module__).rsplit(".", 1)[1]
    for sub in getattr(command, "commands", {}).values():
        return _module(sub)
    return ""


def format_help(command: str, lang: str) -> str:
    """The --format help of ``command`` (its words: "board show"), naming its choices."""
    choices = FORMATS.get(command, _TABLE)
    return text("help.format_choices", lang, choices=text("cli.separator", lang).join(choices))


def columns_help(kind: str, lang: str) -> str:
    """The columns of a sheet, each with the Chinese header it accepts, the required ones marked."""
    from moralbank.services import sheets

    columns: dict[str, str]
    required: tuple[str, ...]
    columns, required = (
        (sheets.REDEMPTION_COLUMNS, sheets.REDEMPTION_REQUIRED) if kind == "redemptions" else sheets.SHEETS[kind]
    )
    marked = [
        text("help.column_required" if name in required else "help.column", lang, header=header, name=name)
        for name, header in columns.items()
    ]
    info = [header for header, meaning in sheets.INFO_COLUMNS.get(kind, {}).items() if not header.isascii()]
    listed = text("help.columns", lang, columns=text("cli.separator", lang).join(marked))
    if info:
        listed += " " + text("help.columns_info", lang, columns=text("cli.separator", lang).join(info))
    return listed
