"""Errors are typed: every literal catalogue key is called with exactly its placeholders; none leaks an ID."""

from __future__ import annotations

import ast
import random
import string
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from moralbank.domain.identity import synthetic_id, synthetic_phone
from moralbank.errors import InputError, Refused, RowProblem, SheetError
from moralbank.messages import MESSAGES, text
from tests.database import entry_count
from tests.runner import failed, one_line
from tests.test_messages import error_classes, parsed
from tests.town import build_register, write_csv

# Calls that build a message from a literal key: (index of the key, index of a params dict or None).
# A keyword-argument call passes the params as keywords; RowProblem passes them as a dict.
KEYWORD_CALLS = {"text": 0, "say": 1}
DICT_CALLS = {"RowProblem": (2, 3), "Problem": (3, 4)}


def placeholders(key: str) -> set[str]:
    zh, en = MESSAGES[key]
    return {n for t in (zh, en) for _, n, _, _ in string.Formatter().parse(t) if n}


def _literal_key(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MESSAGES:
        return node.value
    return None


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def call_sites(trees: list[tuple[Path, ast.Module]]) -> tuple[list[tuple[str, str, set[str]]], list[str]]:
    """(where, key, names given) for every checkable call, and where params are passed dynamically."""
    errors = error_classes(trees)
    keyword_calls = KEYWORD_CALLS | {name: 0 for name in errors}
    checked, dynamic = [], []
    for path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _callee(node), f"{path.name}:{node.lineno}"
            if name in keyword_calls and (key := _literal_key(_arg(node, keyword_calls[name]))):
                if any(k.arg is None for k in node.keywords):
                    dynamic.append(where)
                else:
                    skip = {"lang"} if name in KEYWORD_CALLS else set()
                    checked.append((where, key, {k.arg for k in node.keywords if k.arg} - skip))
            elif name in DICT_CALLS and (key := _literal_key(_arg(node, DICT_CALLS[name][0]))):
                params = _arg(node, DICT_CALLS[name][1]) or next(
                    (k.value for k in node.keywords if k.arg == "params"), None
                )
                if params is None:
                    checked.append((where, key, set()))
                elif isinstance(params, ast.Dict) and all(isinstance(k, ast.Constant) for k in params.keys):
                    checked.append((where, key, {k.value for k in params.keys if isinstance(k, ast.Constant)}))
                else:
                    dynamic.append(where)
    return checked, dynamic


def _arg(node: ast.Call, index: int) -> ast.expr | None:
    return node.args[index] if len(node.args) > index and not isinstance(node.args[index], ast.Starred) else None


def test_every_literal_key_gets_exactly_its_placeholders() -> None:
    checked, _dynamic = call_sites(parsed())
    assert len(checked) > 200  # the scan does see the code
    wrong = [f"{where} {key}: gave {sorted(given)}, needs {sorted(placeholders(key))}"
             for where, key, given in checked if given != placeholders(key)]  # fmt: skip
    assert wrong == []


def test_the_scan_catches_a_wrong_parameter(tmp_path: Path) -> None:
    source = (
        "class Refused(MoralBankError):\n    pass\n"
        "raise Refused('month.closed', mnth='2026-11')\n"
        "RowProblem(2, 'qty', 'field.not_positive', {'valu': 1})\n"
        "text('date.future', lang, value=1)\n"
    )
    checked, _ = call_sites([(tmp_path / "x.py", ast.parse(source))])
    assert sorted((key, given == placeholders(key)) for _, key, given in checked) == [
        ("date.future", True),
        ("field.not_positive", False),
        ("month.closed", False),
    ]


def test_a_message_that_cannot_be_built_never_reaches_a_user_as_key_error() -> None:
    wrong = Refused("month.closed", mnth="2026-11")
    assert wrong.message("en") == text("error.bad_message", "en", key="month.closed")
    assert InputError("no.such.key").message("zh") == text("error.bad_message", "zh", key="no.such.key")
    assert RowProblem(2, "qty", "field.not_positive").message("en") == "row 2, field qty: " + text(
        "error.bad_message", "en", key="field.not_positive"
    )


# --- no personal data in errors ---------------------------------------------------------------


def test_an_id_or_phone_echoed_in_a_message_is_masked() -> None:
    rng = random.Random(11)
    person, phone = synthetic_id(rng), synthetic_phone(rng)
    message = InputError("date.invalid", field="--on", value=f"{person} {phone}").message("en")
    assert person not in message and phone not in message
    assert f"{person[:6]}********{person[-4:]}" in message and f"{phone[:3]}****{phone[-4:]}" in message
    assert "100000000000000000000" in InputError("date.invalid", field="x", value="100000000000000000000").message("en")


def _personal(rng: random.Random) -> tuple[str, str]:
    return synthetic_id(rng), synthetic_phone(rng)


def test_a_bad_id_echoed_from_a_sheet_row_is_masked(run: Any, engine: Engine, tmp_path: Path) -> None:
    build_register(engine)
    person, phone = _personal(random.Random(5))
    rows = [[person, "ZY01", "2026-10-05"], ["NL001", "ZY01", phone]]
    sheet = write_csv(tmp_path / "d.csv", ["household", "standard", "event_date"], rows)
    out = one_line(failed(run("import", "decisions", str(sheet))))
    assert person not in out and phone not in out
    assert f"row 3, field event_date: “{phone[:3]}****{phone[-4:]}” is not a date we can read" in out
    assert entry_count(engine) == 0


def test_a_bad_id_or_phone_typed_as_an_option_is_masked(run: Any, engine: Engine) -> None:
    build_register(engine)
    person, phone = _personal(random.Random(6))
    out = one_line(failed(run("award", person, "ZY01", "--on", "2026-10-05", "--booked", "2026-10-05")))
    assert person not in out and f"{person[:6]}********{person[-4:]}" in out
    out = one_line(failed(run("award", "NL001", "ZY01", "--on", phone)))
    assert phone not in out and f"{phone[:3]}****{phone[-4:]}" in out
    assert entry_count(engine) == 0


def test_a_sheet_error_heading_masks_too() -> None:
    person = synthetic_id(random.Random(8))
    problem = RowProblem(1, person, "sheet.unknown_column", {"column": 3})
    message = SheetError("s.csv", [problem]).message("en")
    assert person not in message


@pytest.mark.parametrize("value", ["\x1b[2J", "a\x00b"])
def test_a_control_character_echoed_in_an_error_is_replaced(value: str) -> None:
    message = InputError("date.invalid", field="--on", value=value).message("en")
    assert "\x1b" not in message and "\x00" not in message and "\ufffd" in message


# The sites that pass parameters dynamically (``**something`` or a dict variable), each checked here.
DYNAMIC_SITES = {
    "admin.py": ["copy.done"],  # **asdict(Copied), in moralbank/cli/admin.py
    "credit.py": ["credit.explain_veto", "credit_verify.ok_checkpoint"],  # a veto dict, a checkpoint dict
    "ledger.py": ["decision.over_cap"],  # the cap tracker's params dict
}


def test_the_dynamic_sites_are_the_known_ones() -> None:
    _, dynamic = call_sites(parsed())
    assert sorted({where.split(":")[0] for where in dynamic}) == sorted(DYNAMIC_SITES)
    assert len(dynamic) == sum(len(keys) for keys in DYNAMIC_SITES.values())


def test_the_dynamic_sites_give_their_placeholders() -> None:
    import dataclasses

    from moralbank.services.copy import Copied

    assert {f.name for f in dataclasses.fields(Copied)} == placeholders("copy.done")
    assert {"lo", "id", "booked_on", "standard", "title", "earned"} == placeholders("credit.explain_veto")
    assert {"village", "seq", "hash"} == placeholders("credit_verify.ok_checkpoint")
    assert {"cap", "used", "points"} == placeholders("decision.over_cap")
