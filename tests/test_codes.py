"""Finding people as clerks ask for them: by code in any case, by head name, grid or address."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.services.sheets import HOUSEHOLD_COLUMNS
from tests.clock import freeze_today
from tests.runner import Run, failed, ok
from tests.town import TODAY, build_register, household_rows, write_csv


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    namesake = dict(household_rows(["BG009"], seed=99)[0], head_name="刘秀英", address="北宫村后街9号")
    ok(
        run(
            "import",
            "households",
            str(write_csv(tmp_path / "h.csv", list(HOUSEHOLD_COLUMNS), [list(namesake.values())])),
        )
    )
    ok(run("award", "NL001", "ZY01", "--on", "2026-11-03"))
    return run


def test_household_find_searches_codes_names_grids_and_addresses(town: Run) -> None:
    def found(*args: str) -> list[str]:
        return [row["code"] for row in json.loads(ok(town("household", "find", *args, "-f", "json")))]

    assert found("刘秀英") == ["BG009", "NL001"]
    assert found("刘秀英", "--village", "NL") == ["NL001"]
    assert found("bg00") == ["BG001", "BG002", "BG009"]
    assert found("后街") == ["BG009"]
    assert found("第一网格")[:2] == ["BG001", "BG002"]
    assert found("无此人") == []
    whole = household_rows(["BG009"], seed=99)[0]["id_number"]
    shown = ok(town("household", "find", "刘秀英"))
    assert whole not in shown and f"{whole[:6]}********{whole[-4:]}" in shown  # ID numbers stay masked


def test_balance_and_statement_take_a_head_name_unique_in_the_village(town: Run) -> None:
    by_name = json.loads(ok(town("balance", "刘秀英", "--village", "NL", "-f", "json")))
    assert (by_name["household"], by_name["coins"]) == ("NL001", 4)
    assert json.loads(ok(town("balance", "nl001", "-f", "json")))["household"] == "NL001"
    assert json.loads(ok(town("balance", "张学勇", "-f", "json")))["household"] == "NL002"
    assert failed(town("balance", "刘秀英")) == (
        "Error: more than one household has the head name “刘秀英”: BG009, NL001; use the household code, or --village\n"
    )
    zh = failed(town("statement", "刘秀英", lang="zh"))
    assert zh == "错误：户主姓名“刘秀英”对应多户：BG009, NL001；请改用户编号，或加 --village 指定村\n"
    lines = json.loads(ok(town("statement", "刘秀英", "--village", "NL", "-f", "json")))["lines"]
    assert [(line["kind"], line["coins"]) for line in lines] == [("award", 4)]
