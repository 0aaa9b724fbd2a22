"""Operators and roles: only registered operators write, each within their role; the register is append-only."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from moralbank.domain.identity import synthetic_id
from moralbank.storage.db import open_engine, writing
from moralbank.storage.schema import apply_schema
from tests.clock import freeze_today
from tests.runner import Run, call_cli, failed, invoke, ok, one_line, run_on
from tests.town import TODAY

RELEASE_DB = Path(__file__).parent / "data" / "release-0.1.0.db"
ADD_VILLAGE = ("village", "add", "DZ", "--name", "东庄村", "--town", "于河街道", "--county", "潍城区")


def roles(run: Run) -> dict[str, str]:
    return {row["name"]: row["role"] for row in json.loads(ok(run("operator", "list", "-f", "json")))}


def test_init_registers_its_operator_as_the_first_township_officer(tmp_path: Path) -> None:
    db = str(tmp_path / "new.db")
    assert ok(call_cli("--db", db, "--operator", "王主任", "init")) == (
        f"Database ready: {db}\nRegistered the operator 王主任 as township\n"
    )
    run = run_on(db, operator="王主任")
    assert roles(run) == {"王主任": "township"}
    assert ok(call_cli("--db", db, "--operator", "李四", "init")) == f"Database ready: {db}\n"  # only the first
    assert roles(run) == {"王主任": "township"}


def test_writes_by_an_unregistered_operator_are_refused_and_write_nothing(run: Run, engine: Engine) -> None:
    message = one_line(failed(run(*ADD_VILLAGE, operator="冒名者")))
    assert message == (
        "Error: The operator 冒名者 is not registered and may not write: a township officer runs "
        "moralbank operator add 冒名者 --role clerk"
    )
    assert "经办人 冒名者 未登记" in failed(run(*ADD_VILLAGE, operator="冒名者", lang="zh"))
    with writing(engine) as session:
        assert session.execute(text("SELECT COUNT(*) FROM village")).scalar_one() == 0
    ok(run(*ADD_VILLAGE))  # the registered township operator may


def test_roles_decide_who_may_do_what(run: Run, tmp_path: Path) -> None:
    invoke(run, "operator", "add", "李文书", "--role", "clerk")
    invoke(run, "operator", "add", "张审核", "--role", "checker")
    refused = one_line(failed(run(*ADD_VILLAGE, operator="李文书")))
    assert refused == "Error: The operator 李文书 is a clerk; this needs the role township (or above)"
    zh = failed(run(*ADD_VILLAGE, operator="张审核", lang="zh"))
    assert one_line(zh) == "错误：经办人 张审核 的角色是 checker，此操作须由 township 角色（或更高）办理"
    standards = Path(__file__).resolve().parent.parent / "fixtures" / "standards.toml"
    assert "this needs the role township" in failed(run("standard", "adopt", str(standards), operator="张审核"))
    added = failed(run("operator", "add", "新人", "--role", "clerk", operator="李文书"))
    assert "李文书 is a clerk; this needs the role township" in one_line(added)
    ok(run(*ADD_VILLAGE))
    person = synthetic_id(random.Random(10))
    household = ("household", "add", "DZ001", "--village", "DZ", "--head-name", "刘志涛", "--id-number", person)
    ok(run(*household, operator="李文书"))  # the register is a clerk's work


def test_operator_add_again_is_harmless_and_a_role_change_is_a_new_row(run: Run, engine: Engine) -> None:
    assert ok(run("operator", "add", "李文书", "--role", "clerk")) == "Registered the operator 李文书 as clerk\n"
    assert ok(run("operator", "add", "李文书", "--role", "clerk")) == (
        "李文书 is already registered as clerk; nothing changed\n"
    )
    assert ok(run("operator", "add", "李文书", "--role", "checker")) == (
        "李文书 is now checker (was clerk; recorded as a new row, the old one kept)\n"
    )
    assert roles(run) == {"tester": "township", "李文书": "checker"}
    with writing(engine) as session:
        history = session.execute(text("SELECT name, role FROM operator ORDER BY id")).all()
    assert [tuple(row) for row in history] == [("tester", "township"), ("李文书", "clerk"), ("李文书", "checker")]
    table = ok(run("operator", "list", lang="zh"))
    assert "审核 checker" in table and "乡镇 township" in table


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("李文书", "--role", "boss"), "Error: The role must be one of clerk, checker, township: boss"),
        (("李\x1b[31m文书", "--role", "clerk"), "control character"),
        (("13812345678", "--role", "clerk"), "must not contain an ID or mobile number"),
        (("名" * 51, "--role", "clerk"), "at most 50"),
    ],
)
def test_operator_add_refuses_bad_names_and_roles(run: Run, args: tuple[str, ...], expected: str) -> None:
    assert expected in one_line(failed(run("operator", "add", *args)))
    assert set(roles(run)) == {"tester"}


def test_the_operator_register_is_append_only(run: Run, engine: Engine) -> None:
    invoke(run, "operator", "add", "李文书", "--role", "clerk")
    for statement in ("UPDATE operator SET role = 'township'", "DELETE FROM operator"):
        with pytest.raises(DBAPIError, match="append-only"), writing(engine) as session:
            session.execute(text(statement))
    assert roles(run) == {"tester": "township", "李文书": "clerk"}


def test_an_upgraded_database_has_no_operator_until_the_first_operator_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    upgraded = ok(call_cli("--db", str(path), "upgrade"))
    assert upgraded.endswith(
        "No operator is registered yet: before any write, a township officer runs "
        "moralbank operator add NAME --role township\n"
    )
    run = run_on(str(path), operator="王主任")
    write = ("award", "NL001", "ZY01", "--on", "2026-10-05", "--booked", "2026-10-25")
    assert one_line(failed(run(*write))) == (
        "Error: No operator is registered in this database yet, so nothing may be written: first run "
        "moralbank operator add 王主任 --role township"
    )
    first_clerk = one_line(failed(run("operator", "add", "李文书", "--role", "clerk")))
    assert first_clerk == (
        "Error: The first operator registered must be township (--role township), so that others can be added: 李文书"
    )
    assert ok(run("operator", "add", "王主任", "--role", "township")) == "Registered the operator 王主任 as township\n"
    assert ok(run("operator", "add", "李文书", "--role", "clerk"))
    assert failed(run("operator", "add", "赵", "--role", "clerk", operator="李文书"))  # now the township adds
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name, added_by FROM operator ORDER BY id").fetchall() == [
            ("王主任", "王主任"),
            ("李文书", "王主任"),
        ]


def test_the_demo_registers_its_staff_and_whoever_runs_it_as_township(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    ok(call_cli("--db", db, "demo", env={"MORALBANK_OPERATOR": "访客"}))
    run = run_on(db, operator="访客")
    assert roles(run) == {"访客": "township", "村文书": "clerk", "村监委": "checker"}
    bare = str(tmp_path / "bare-demo.db")
    ok(call_cli("--db", bare, "demo"))
    assert roles(run_on(bare)) == {"demo": "township", "村文书": "clerk", "村监委": "checker"}


def test_a_fresh_engine_without_operators_refuses_every_write_command(tmp_path: Path) -> None:
    db = str(tmp_path / "bare.db")
    apply_schema(open_engine(db))
    run = run_on(db, operator="王")
    for args in (ADD_VILLAGE, ("import", "villages", "x.csv"), ("settle", "--village", "DZ")):
        assert "No operator is registered in this database yet" in one_line(failed(run(*args)))
