"""Every word of the command line in the user's language: help and usage errors, walked over every command.

The walk is generic (every command of the tree, as tests/test_cli_handler.py walks them), so a
command added later is scanned too. Under zh no English word may appear outside what the user
types or reads as a code (an explicit allowlist); under en no Chinese outside data values.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.core import TyperArgument, TyperGroup, TyperOption

import cli
from moralbank.cli import framework, manual
from moralbank.messages import MESSAGES, text
from moralbank.services import sheets
from tests.runner import call_cli

REPO = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "250", "MORALBANK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def commands() -> list[tuple[tuple[str, ...], object]]:
    """(path, click command) for the root and every command under it."""
    found: list[tuple[tuple[str, ...], object]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(cli.app), ())
    return found


COMMANDS = commands()
BUILT = COMMANDS[0][1]


@pytest.fixture(autouse=True)
def built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command tree built once for the hundreds of runs here (typer builds it anew each run)."""
    monkeypatch.setattr(typer.testing, "_get_command", lambda app: BUILT)


# A sheet's English headers are accepted as they are: help lists them beside the Chinese ones.
HEADERS = {name for columns, _ in sheets.SHEETS.values() for name in columns} | set(sheets.REDEMPTION_COLUMNS)
PATHS = [path for path, _ in COMMANDS]
LEAVES = [path for path, command in COMMANDS if not isinstance(command, TyperGroup)]
GROUPS = [path for path, command in COMMANDS if isinstance(command, TyperGroup)]
WORDS = {word for path in PATHS for word in path} | {"moralbank", "root"}  # root: the test runner names the program so

# What may stay in Latin letters inside Chinese: what the user types (option and command names,
# codes, file names, formats, values) and names of things that have no Chinese name.
_ALLOWED = [
    r"\b(SQLite|PostgreSQL|TOML|JSON|CSV|Excel|WPS|GBK|Ed25519|PEM|hledger|ledger-cli|Tab|zh|en)\b",
    r"--?[a-z][a-z0-9-]*",  # option names
    r"[\w./-]*\.(csv|xlsx|xls|ods|toml|db|json|md|html|pem|key|pub|sig|journal|txt|sql)\b",  # file names
    r"postgresql://\S*",
    r"MORALBANK_[A-Z_]+",
    r"YYYY-MM(-DD)?",
    r"\b[A-Z]{1,5}[0-9]*\b",  # codes such as NL, NL001, XZ01, and A4, ID, URL
    r"\b(table|json|csv|xlsx|xls|ods|md|html)\b",  # --format choices and sheet kinds
    r"\b(approval|drawing|arrears)\b",  # --kind choices of credit results import
    r"\b(clerk|checker|township)\b",  # --role choices of operator add
]
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]*[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\uff1a\u3001\u3002]")


def english_words(output: str, typed: tuple[str, ...] = ()) -> list[str]:
    """Latin words in ``output`` that are not allowed in Chinese text."""
    shown = "\n".join(line for line in output.splitlines() if not line.strip().startswith("moralbank "))
    for pattern in _ALLOWED:
        shown = re.sub(pattern, " ", shown)
    allowed = WORDS | HEADERS | set(typed)
    return [word for word in _LATIN_WORD.findall(shown) if word not in allowed and word.lower() not in allowed]


def data_words() -> set[str]:
    """Chinese that English help may show: the sheet headers a clerk may write, and sample values."""
    headers = {header for columns, _ in sheets.SHEETS.values() for header in columns.values()}
    headers |= set(sheets.REDEMPTION_COLUMNS.values())
    headers |= {header for info in sheets.INFO_COLUMNS.values() for header in info}
    return headers | {"瓶", "袋"}


def chinese_in(output: str) -> list[str]:
    """Chinese in ``output`` outside the command lines of the examples and the sheet headers it lists."""
    shown = "\n".join(line for line in output.splitlines() if not line.strip().startswith("moralbank "))
    for word in sorted(data_words(), key=len, reverse=True):
        shown = shown.replace(word, " ")
    return _CJK.findall(shown)


def run(lang: str, *args: str) -> str:
    result = call_cli("--lang", lang, *args, env=WIDE)
    assert "Traceback" not in result.output, result.output
    return result.output


def error_paths(path: tuple[str, ...], command: object) -> Iterator[tuple[str, ...]]:
    """The usage errors a clerk can make with ``command``: missing, unknown, badly typed, too many."""
    params = getattr(command, "params", [])
    if isinstance(command, TyperGroup):
        yield (*path, "nosuch")
        if command.commands:
            yield (*path, next(iter(command.commands))[:-1] + "x")  # a typo: "Did you mean"
        return
    arguments = [p for p in params if isinstance(p, TyperArgument)]
    filled = tuple("A1" for p in arguments if p.required)
    if any(p.required for p in params):
        yield path
    yield (*path, *filled, "--nope")
    yield (*path, *filled, "extra1", "extra2", "extra3")
    options = [p for p in params if isinstance(p, TyperOption) and not p.is_flag and p.name != "fmt"]
    if options:
        yield (*path, *filled, options[-1].opts[0])  # an option without its value
    numbers = [p for p in options if "int" in str(getattr(getattr(p, "type_descriptor", None), "annotation", ""))]
    if numbers:
        yield (*path, *filled, numbers[0].opts[0], "x")  # a word where a number goes


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "moralbank")
def test_help_has_no_english_under_zh_and_no_chinese_under_en(path: tuple[str, ...]) -> None:
    zh = run("zh", *path, "--help")
    assert "用法" in zh
    assert english_words(zh) == [], zh
    en = run("en", *path, "--help")
    assert "Usage" in en
    assert chinese_in(en) == [], en


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "moralbank")
def test_usage_errors_have_no_english_under_zh_and_no_chinese_under_en(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    for args in error_paths(path, command):
        typed = tuple(re.findall(r"[A-Za-z]+", " ".join(args[len(path) :])))
        zh = call_cli("--lang", "zh", *args, env=WIDE)
        assert zh.exit_code == 2, (args, zh.output)
        assert english_words(zh.output, typed) == [], (args, zh.output)
        en = call_cli("--lang", "en", *args, env=WIDE)
        assert en.exit_code == 2 and chinese_in(en.output) == [], (args, en.output)


def undescribed(command: object, path: tuple[str, ...] = ()) -> list[str]:
    """What ``command`` and the commands under it leave undescribed: help, examples, parameters."""
    name = " ".join(path) or "moralbank"
    missing = [] if getattr(command, "help", None) else [f"{name}: no help"]
    if not isinstance(command, TyperGroup) and not getattr(command, "epilog", None):
        missing.append(f"{name}: no example")
    missing += [f"{name} {p.name}: no help" for p in getattr(command, "params", []) if not p.help]
    for sub_name, sub in getattr(command, "commands", {}).items():
        missing += undescribed(sub, (*path, sub_name))
    return missing


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_argument_and_option_is_described_and_every_command_has_an_example(lang: str) -> None:
    root = typer.main.get_command(cli.app)
    framework.use(lang)
    framework.localise(root, lang)
    assert undescribed(root) == []


def test_the_language_is_chosen_before_help_is_built() -> None:
    c_locale = {**WIDE, "LANG": "C.UTF-8"}
    assert "用法" in call_cli("--lang", "zh", "--help", env=c_locale).output
    assert "Usage" in call_cli("--lang", "en", "--help", env={**WIDE, "LANG": "zh_CN.UTF-8"}).output
    assert "用法" in call_cli("--help", env={**WIDE, "LANG": "zh_CN.UTF-8"}).output
    assert "用法" in call_cli("--help", env={**WIDE, "MORALBANK_LANG": "zh"}).output
    # --lang anywhere on the line, for help and for errors alike
    assert "显示本帮助并退出" in call_cli("award", "--lang", "zh", "--help", env=c_locale).output
    assert "缺少参数 户编号" in call_cli("award", "--lang=zh", env=c_locale).output


def test_the_installed_command_reads_the_language_from_its_own_command_line() -> None:
    env = {**os.environ, **WIDE, "LANG": "C.UTF-8"}
    shown = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "--lang", "zh", "--help"], capture_output=True, text=True, env=env
    )
    assert shown.returncode == 0 and "用法：" in shown.stdout and "Usage" not in shown.stdout


def test_usage_errors_in_chinese_keep_what_the_user_typed() -> None:
    missing = one(run("zh", "award"))
    assert text("cli.error.missing_argument", "zh", name="户编号") in missing
    assert "--qty 的值不对：应为整数" in one(run("zh", "award", "NL001", "ZY01", "--qty", "x")).replace("'", "")
    assert "没有这个选项：--quty" in one(run("zh", "award", "NL001", "ZY01", "--quty", "2"))
    assert "您要找的是不是：'board'" in one(run("zh", "boardd"))
    assert "缺少选项 --reason" in one(run("zh", "object", "5")).replace("'", "")
    assert "Missing argument HOUSEHOLD." in one(run("en", "award"))


def one(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


def test_every_english_usage_error_pattern_has_its_message() -> None:
    keys = [key for _, key in framework.ERRORS + framework.REASONS]
    assert [key for key in keys if key not in MESSAGES] == []
    assert framework.worded_error("Got unexpected extra arguments (a b)", "zh") == "多出了参数：a b"
    assert framework.worded_error("Something typer says one day", "zh") == "Something typer says one day"


def test_the_format_choices_in_help_are_the_ones_each_command_accepts() -> None:
    from moralbank.render import bank_export, boards, formats, notice, passbook, shop, trend

    accepted = {
        "board show": boards.BOARD_FORMATS,
        "board get": boards.BOARD_FORMATS,
        "notice show": notice.NOTICE_FORMATS,
        "statement": passbook.STATEMENT_FORMATS,
        "shop report": shop.SHOP_REPORT_FORMATS,
        "report trend": trend.TREND_FORMATS,
        "credit export": bank_export.EXPORT_FORMATS,
        "credit rate": formats.SHEET_FORMATS,
        "household list": formats.SHEET_FORMATS,
    }
    assert {name: manual.FORMATS[name] for name in accepted} == accepted
    assert manual._TABLE == formats.FORMATS
    assert set(manual.FORMATS) <= {" ".join(path) for path in LEAVES}
    assert "table、json、csv、xlsx、md、html" in run("zh", "board", "show", "--help")


def test_import_help_lists_the_sheet_columns_from_the_header_tables() -> None:
    shown = one(run("zh", "import", "decisions", "--help"))
    for name, header in sheets.DECISION_COLUMNS.items():
        assert f"{header}（{name}" in shown
    assert "户编号（household，必填）" in shown
    assert "item (商品编号, required)" in one(run("en", "shop", "import", "--help"))


def test_the_root_help_groups_commands_by_the_month_and_offers_completion() -> None:
    shown = run("zh", "--help")
    titles = [text(f"panel.{name}", "zh") for name in manual.PANELS]
    assert [shown.index(title) for title in titles] == sorted(shown.index(title) for title in titles)
    assert "--install-completion" in shown and text("param.install_completion", "zh")[:10] in shown
    assert text("param.install_completion", "en")[:20] in run("en", "--help")


def test_a_long_chinese_help_wraps_instead_of_being_cut() -> None:
    shown = call_cli("--lang", "zh", "award", "--help", env={**WIDE, "COLUMNS": "60"}).output
    assert "…" not in shown
    assert "…" not in call_cli("--lang", "zh", "--help", env={**WIDE, "COLUMNS": "60"}).output
    assert "不按疑似重复" in shown.replace("│", "").replace(" ", "").replace("\n", "")


def test_installing_completion_says_so_in_chinese(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer import _completion_shared as completion

    monkeypatch.setattr(completion, "install", lambda shell=None: ("bash", tmp_path / ".bashrc"))
    result = call_cli("--lang", "zh", "--install-completion", env=WIDE)
    assert result.exit_code == 0
    assert result.output == text("cli.completion_installed", "zh", shell="bash", path=str(tmp_path / ".bashrc")) + "\n"
