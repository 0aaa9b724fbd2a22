"""The message catalogue: complete in both languages, and every key the code names is in it."""

from __future__ import annotations

import ast
import dataclasses
import re
import string
from pathlib import Path

import pytest

from moralbank.domain.chain import Checkpoint
from moralbank.messages import MESSAGES, text
from moralbank.reports.passbook import Balance, StatementLine
from moralbank.reports.registry import HouseholdRow, StandardRow, VillageRow

REPO = Path(__file__).resolve().parent.parent
SOURCES = [REPO / "cli.py", *sorted((REPO / "moralbank").rglob("*.py"))]
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_FILE_NAME = re.compile(r"\.(csv|xlsx|toml|sql|db|json|md|html|txt|py)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CODES_ONLY = re.compile(r"^[YMD]+$")

# Where each function or class takes its catalogue key: (positional index, keyword name).
KEY_ARGUMENT = {
    "text": (0, "key"),
    "say": (1, "key"),
    "h": (0, "key"),
    "RowProblem": (2, "key"),
    "Problem": (3, "key"),
    "_problem": (2, "key"),
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip()
    assert placeholders(zh) == placeholders(en)
    params = {name: "X" for name in placeholders(en)}
    assert text(key, "zh", **params) and text(key, "en", **params)  # both format without a stray brace
    letters = re.sub(r"[\W\d_]", "", re.sub(r"\{\w+\}", "", zh))
    # Punctuation, a date pattern (YYYY-MM-DD) or an example command line is not a sentence.
    if letters and not _CODES_ONLY.match(letters) and not key.startswith("example."):
        assert _CJK.search(zh), f"{key}: the Chinese text has no Chinese in it"


def parsed() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in SOURCES]


def error_classes(trees: list[tuple[Path, ast.Module]]) -> set[str]:
    """MoralBankError and every class that derives from it, anywhere in the code."""
    found = {"MoralBankError"}
    classes = [node for _, tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if any(isinstance(b, ast.Name) and b.id in found for b in c.bases)} - found
        if not more:
            return found
        found |= more


def callee(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else ""


def keys_passed(trees: list[tuple[Path, ast.Module]]) -> list[tuple[str, str]]:
    """(where, key) for every string literal passed where a catalogue key is expected."""
    places = dict(KEY_ARGUMENT) | {name: (0, "key") for name in error_classes(trees)}
    found = []
    for path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in places:
                for item in node.body:  # an error class's default key: key = "..."
                    if isinstance(item, ast.Assign) and [getattr(t, "id", "") for t in item.targets] == ["key"]:
                        found.append((f"{path.name}:{item.lineno}", ast.literal_eval(item.value)))
            if not isinstance(node, ast.Call) or callee(node) not in places:
                continue
            position, keyword = places[callee(node)]
            args = [*node.args[position : position + 1], *(k.value for k in node.keywords if k.arg == keyword)]
            for arg in args:
                # Key-shaped only: SQLAlchemy's text() takes SQL, SheetError a file name.
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _KEY.match(arg.value):
                    found.append((f"{path.name}:{node.lineno}", arg.value))
    return found


def test_every_key_passed_to_an_error_or_message_exists() -> None:
    found = keys_passed(parsed())
    assert len(found) > 200  # the scan does see the code
    assert [(where, key) for where, key in found if key not in MESSAGES] == []


def test_every_key_like_literal_in_the_code_exists() -> None:
    # Keys also travel as plain values (id_problem returns "id.check_digit"; quorum_problems a list).
    prefixes = {key.split(".")[0] for key in MESSAGES}
    missing = []
    for path, tree in parsed():
        foreign = {
            id(k.value) for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords
            if k.arg == "foreign_key"
        }  # fmt: skip
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in foreign:
                continue
            value = node.value
            looks_like_a_key = _KEY.match(value) and value.split(".")[0] in prefixes and not _FILE_NAME.search(value)
            if looks_like_a_key and value not in MESSAGES:
                missing.append(f"{path.name}:{node.lineno} {value}")
    assert missing == []


@pytest.mark.parametrize("row", [VillageRow, HouseholdRow, StandardRow, Balance, StatementLine, Checkpoint])
def test_every_column_shown_in_a_table_has_a_heading(row: type) -> None:
    missing = [f.name for f in dataclasses.fields(row) if f"col.{f.name}" not in MESSAGES]
    assert missing == []


def test_keys_built_at_run_time_exist() -> None:
    for unit in ("row", "item"):  # RowProblem.message: f"sheet.{unit}_problem"
        assert f"sheet.{unit}_problem" in MESSAGES
    for kind in ("award", "deduction", "reversal", "redemption"):  # entry kinds shown in tables
        assert f"value.kind.{kind}" in MESSAGES


def test_the_scan_catches_a_missing_key(tmp_path: Path) -> None:
    source = (
        "class Oops(MoralBankError):\n    key = 'nope.default'\n"
        "def f(ctx):\n    say(ctx, 'nope.said')\n    raise Oops('nope.raised', x=1)\n"
        "    RowProblem(1, 'qty', 'nope.row')\n"
    )
    found = keys_passed([(tmp_path / "x.py", ast.parse(source))])
    assert sorted(key for _, key in found) == ["nope.default", "nope.raised", "nope.row", "nope.said"]
