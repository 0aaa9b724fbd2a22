"""Every command through the CLI, in Chinese and in English: what it says, what it refuses."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.messages import text as say
from moralbank.resources import fixtures_dir
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.database import fresh_sqlite
from tests.runner import Run, call_cli, failed, ok
from tests.town import TODAY

FIXTURES = fixtures_dir()
LANGS = ["zh", "en"]


def message(lang: str, key: str, **params: Any) -> str:
    """A catalogue message as the command prints it on stdout."""
    return say(key, lang, **params) + "\n"


def error(lang: str, key: str, **params: Any) -> str:
    """A catalogue message as the error handler prints it on stderr."""
    return say("error.prefix", lang) + say(key, lang, **params) + "\n"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """What the commands print does not depend on the database: SQLite only (the ledger tests run on both)."""
    return fresh_sqlite(tmp_path)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


@pytest.fixture
def demo_town(run: Run) -> Run:
    """The demo register, both resolutions, and September and November's sheets (390 entries)."""
    for args in (
        ("import", "villages", fixture("villages.csv")),
        ("import", "households", fixture("households.csv")),
        ("import", "households", fixture("households_gbk.csv")),
        ("standard", "adopt", fixture("standards.toml")),
        ("standard", "adopt", fixture("standards_revision.toml")),
        ("import", "decisions", fixture("decisions_2026-09.csv")),
        ("import", "decisions", fixture("decisions_2026-11.xlsx")),
    ):
        ok(run(*args))
    return run


# --- setup and register ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_init_twice(tmp_path: Path, lang: str) -> None:
    db = str(tmp_path / "新.db")
    for _ in range(2):
        assert ok(call_cli("--db", db, "--lang", lang, "init")) == message(lang, "init.done", db=db)
    assert ok(call_cli("--db", db, "village", "list", "-f", "json")) == "[]\n"
    missing = str(tmp_path / "no" / "x.db")
    assert failed(call_cli("--db", missing, "--lang", lang, "init")) == error(
        lang, "db.no_folder", path=str(tmp_path / "no")
    )


@pytest.mark.parametrize("lang", LANGS)
def test_an_uninitialised_database_is_named(tmp_path: Path, lang: str) -> None:
    db = str(tmp_path / "empty.db")
    for args in (["village", "list"], ["verify"], ["balance", "NL001"], ["checkpoint"], ["export", "journal"]):
        assert failed(call_cli("--db", db, "--lang", lang, *args)) == error(lang, "db.missing_file", path=db)
    assert not Path(db).exists()  # no command but init creates a file
    sqlite3.connect(db).close()  # an empty file: there, but without moralbank's tables
    for args in (["village", "list"], ["verify"], ["balance", "NL001"]):
        assert failed(call_cli("--db", db, "--lang", lang, *args)) == error(lang, "db.not_initialised")


@pytest.mark.parametrize("lang", LANGS)
def test_register_commands(demo_town: Run, lang: str) -> None:
    run = demo_town
    add = ["village", "add", "DZ", "--name", "东庄村", "--town", "于河街道", "--county", "潍坊市潍城区"]
    assert ok(run(*add, lang=lang)) == message(lang, "village.added", code="DZ")
    assert failed(run(*add, lang=lang)) == (
        say("error.prefix", lang)
        + say("sheet.field_problem", lang, field="code", reason=say("village.exists", lang, code="DZ"))
        + "\n"
    )
    villages = json.loads(ok(run("village", "list", "-f", "json", lang=lang)))
    assert [(v["code"], v["households"]) for v in villages] == [("BG", 48), ("DZ", 0), ("NL", 62), ("XY", 55)]
    listed = json.loads(ok(run("household", "list", "--village", "XY", "-f", "json", lang=lang)))
    assert len(listed) == 55 and {h["village"] for h in listed} == {"XY"} and all("code" in h for h in listed)
    assert all("********" in h["id_number"] for h in listed)
    shown = ok(run("household", "show", "XY001", lang=lang))
    assert say("col.id_number", lang) in shown and "XY001" in shown
    listed_csv = ok(run("household", "list", "-f", "csv", lang=lang))
    rows = list(csv.DictReader(io.StringIO(listed_csv.removeprefix("\ufeff"))))
    assert len(rows) == 165 and rows[0]["户编号" if lang == "zh" else "Code"] == "BG001"
    assert failed(run("household", "show", "XY999", lang=lang)) == error(lang, "household.not_found", code="XY999")
    assert failed(run("household", "list", "--village", "QQ", lang=lang)) == error(lang, "village.not_found", code="QQ")


@pytest.mark.parametrize("lang", LANGS)
def test_import_commands(run: Run, lang: str, tmp_path: Path) -> None:
    assert ok(run("import", "villages", fixture("villages.csv"), lang=lang)) == message(
        lang, "villages.imported", count=3
    )
    assert ok(run("import", "households", fixture("households.csv"), lang=lang)) == (
        message(lang, "households.imported", count=110)
    )
    repeated = failed(run("import", "households", fixture("households.csv"), lang=lang))
    assert repeated.count("households.csv") == 2 and "tester" in repeated and "--again" in repeated
    # The same sheet again: nothing is written twice, and nothing is refused that did not change (issue 10).
    again = ok(run("import", "households", fixture("households.csv"), "--again", lang=lang))
    assert again == message(lang, "households.imported", count=0) + message(lang, "households.unchanged", count=110)
    assert ok(run("import", "households", fixture("households_gbk.csv"), lang=lang)) == (
        message(lang, "households.imported", count=55)
    )
    ok(run("standard", "adopt", fixture("standards.toml")))
    # Imports #1-#4: the villages, the households (twice: the second time with --again), the GBK households.
    for number, (sheet, count) in enumerate((("decisions_2026-09.csv", 214), ("decisions_2026-10.csv", 182)), 5):
        assert ok(run("import", "decisions", fixture(sheet), lang=lang)) == (
            message(lang, "decisions.imported", count=count, repeated=0) + message(lang, "import.logged", id=number)
        )
    assert ok(run("import", "decisions", fixture("decisions_2026-10.csv"), "--again", lang=lang)) == (
        message(lang, "decisions.imported", count=0, repeated=182) + message(lang, "import.logged", id=7)
    )
    missing = str(tmp_path / "无.csv")
    assert failed(run("import", "villages", missing, lang=lang)) == error(lang, "file.not_found", path=missing)
    (tmp_path / "v.pdf").write_text("x", encoding="utf-8")
    assert failed(run("import", "decisions", str(tmp_path / "v.pdf"), lang=lang)) == (
        error(lang, "sheet.unsupported_type", path=str(tmp_path / "v.pdf"))
    )


# --- standards, decisions, corrections, spending ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_standard_commands(run: Run, lang: str, tmp_path: Path) -> None:
    codes = ", ".join(f"*:{code}:1" for code in ("XL01", "XL02", "XL03", "XL04", "LL01", "LL02", "LL03", "HJ01",
                                                  "HJ02", "HJ03", "HJ04", "YF01", "YF02", "YF03", "YF04", "ZY01",
                                                  "ZY02", "ZF01", "ZF02", "ZF03", "ZF04", "WH01", "WH02", "WH03"))  # fmt: skip
    assert ok(run("standard", "adopt", fixture("standards.toml"), lang=lang)) == (
        message(lang, "standards.adopted", id=1, count=24, codes=codes)
    )
    assert ok(run("standard", "adopt", fixture("standards_revision.toml"), lang=lang)) == (
        message(lang, "standards.adopted", id=2, count=1, codes="*:ZY01:2")
    )
    october = json.loads(ok(run("standard", "list", "--as-of", "2026-10-31", "-f", "json", lang=lang)))
    november = json.loads(ok(run("standard", "list", "--as-of", "2026-11-01", "-f", "json", lang=lang)))
    assert len(october) == len(november) == 24
    assert [(s["code"], s["points"]) for s in october if s["code"] == "ZY01"] == [("ZY01", 5)]
    assert [(s["code"], s["points"]) for s in november if s["code"] == "ZY01"] == [("ZY01", 6)]
    assert sum(1 for s in november if s["veto"]) == 2
    assert len(ok(run("standard", "list", "-f", "csv", lang=lang)).splitlines()) == 1 + 25
    assert say("col.points", lang) in ok(run("standard", "list", lang=lang))
    refused = failed(run("standard", "adopt", fixture("standards.toml"), lang=lang))
    assert refused == error(lang, "standard.already_adopted", path="standards.toml", id=1, held_on="2026-08-20",
                            body="村民代表会议")  # fmt: skip
    assert failed(run("standard", "list", "--as-of", "11/01/2026", lang=lang)) == (
        error(lang, "date.unrecognised", field="--as-of", value="11/01/2026")
    )


@pytest.mark.parametrize("lang", LANGS)
def test_award_reverse_redeem(demo_town: Run, engine: Engine, lang: str) -> None:
    run = demo_town
    award = ["award", "NL001", "ZY01", "--on", "2026-11-02", "--booked", "2026-11-25", "--note", "清扫", "--key", "c-1"]
    assert ok(run(*award, lang=lang)) == message(lang, "entry.recorded", id=391)
    assert ok(run(*award, lang=lang)) == message(lang, "entry.key_repeat", idem="c-1", id=391)
    reverse = ["reverse", "391", "--reason", "重复登记", "--booked", "2026-11-26"]
    assert ok(run(*reverse, lang=lang)).splitlines()[-1] + "\n" == message(lang, "entry.recorded", id=392)
    assert failed(run(*reverse, lang=lang)) == error(lang, "reverse.already", id=391, by=392)
    coins = json.loads(ok(run("balance", "NL001", "-f", "json")))["coins"]
    assert ok(run("redeem", "NL001", str(coins), "--item", "洗衣粉", "--booked", "2026-11-27", lang=lang)) == (
        message(lang, "entry.recorded", id=393)
    )
    assert failed(run("redeem", "NL001", "1", "--item", "香皂", lang=lang)) == (
        error(lang, "redeem.insufficient", household="NL001", coins=1, available=0)
    )
    assert failed(run("reverse", "999", "--reason", "x", lang=lang)) == error(lang, "entry.not_found", id=999)
    assert failed(run("award", "NL001", "QQ99", lang=lang)) == (
        say("error.prefix", lang)
        + say("sheet.field_problem", lang, field="standard", reason=say("standard.not_found", lang, code="QQ99"))
        + "\n"
    )
    assert failed(run("award", "NL001", "ZY01", lang=lang, operator=None)) == error(lang, "operator.required")
    with reading(engine) as session:  # everything NL001 had was spent
        assert session.execute(text("SELECT SUM(coins) FROM entry WHERE household = 'NL001'")).scalar_one() == 0


# --- passbook, integrity, interop ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_balance_and_statement(demo_town: Run, engine: Engine, lang: str) -> None:
    run = demo_town
    with reading(engine) as session:
        coins, earned = session.execute(
            text("SELECT SUM(coins), SUM(earned) FROM entry WHERE household = 'NL008'")
        ).one()
        before_november = session.execute(
            text("SELECT SUM(coins) FROM entry WHERE household = 'NL008' AND booked_on < '2026-11-01'")
        ).scalar_one()
    shown = json.loads(ok(run("balance", "NL008", "-f", "json", lang=lang)))
    assert {k: shown[k] for k in ("household", "coins", "earned")} == {
        "household": "NL008",
        "coins": coins,
        "earned": earned,
    }
    assert json.loads(ok(run("balance", "NL008", "--as-of", "2026-10-31", "-f", "json")))["coins"] == before_november
    assert ok(run("balance", "NL008", "-f", "csv")).splitlines()[1].startswith("NL008,NL,")
    assert str(coins) in ok(run("balance", "NL008", lang=lang))
    table = ok(run("statement", "NL008", "--from", "2026-11-01", "--to", "2026-11-30", lang=lang))
    assert table.startswith(message(lang, "statement.opening", coins=before_november))
    assert table.endswith(
        message(lang, "statement.closing", coins=coins) + message(lang, "passbook.earned", points=earned)
    )
    lines = json.loads(ok(run("statement", "NL008", "-f", "json")))["lines"]
    assert lines[-1]["balance"] == coins and all("title" in line and "operator" in line for line in lines)
    assert failed(run("balance", "NL404", lang=lang)) == error(lang, "household.not_found", code="NL404")
    assert failed(run("statement", "NL008", "--from", "2026-13-01", lang=lang)) == (
        error(lang, "date.invalid", field="--from", value="2026-13-01")
    )
    assert failed(run("balance", "NL008", "-f", "xml", lang=lang)) == (
        error(lang, "format.invalid", value="xml", choices="table, json, csv")
    )


def records_ok(lang: str, db: str) -> str:
    """verify's line for the records, with the number the database holds."""
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT COUNT(*) FROM record").fetchone()[0]
    return message(lang, "verify.records_ok", count=count)


@pytest.mark.parametrize("lang", LANGS)
def test_verify_checkpoint_and_journal(demo_town: Run, lang: str, tmp_path: Path, db_url: str) -> None:
    run = demo_town
    intact = message(lang, "verify.ok", villages=3, entries=390) + records_ok(lang, db_url)
    assert ok(run("verify", lang=lang)) == intact
    points = json.loads(ok(run("checkpoint", "--format", "json", lang=lang)))
    assert [(p["village"], len(p["hash"])) for p in points] == [("*", 64), ("BG", 64), ("NL", 64), ("XY", 64)]
    assert sum(p["seq"] for p in points) == 390
    saved = tmp_path / "cp.json"
    saved.write_text(json.dumps(points), encoding="utf-8")
    assert ok(run("verify", "--checkpoint", str(saved), lang=lang)) == intact
    report = json.loads(ok(run("verify", "-f", "json")))
    assert (report["ok"], report["villages"], report["entries"], report["problems"]) == (True, 3, 390, [])
    assert (
        ok(run("checkpoint", "-f", "csv")).splitlines()[0]
        == "village,seq,hash,stock_seq,stock_hash,records_seq,records_hash"
    )
    assert say("col.hash", lang) in ok(run("checkpoint", lang=lang))
    journal = ok(run("export", "journal", lang=lang))
    assert journal.count("\n\n") == 390 + 1 and "households:NL:NL001" in journal
    out = tmp_path / "j.journal"
    assert ok(run("export", "journal", "--out", str(out), lang=lang)) == message(
        lang, "journal.written", count=390, path=str(out)
    )
    assert failed(run("checkpoint", "-f", "md", lang=lang)) == error(
        lang, "format.invalid", value="md", choices="table, json, csv"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_demo(tmp_path: Path, lang: str) -> None:
    db = str(tmp_path / "demo.db")
    out = ok(call_cli("--db", db, "--lang", lang, "demo"))
    assert out.startswith(message(lang, "demo.db", db=db))
    assert out.endswith(message(lang, "demo.done", db=db, household="BG030"))
    assert say("demo.register", lang) in out and say("demo.balances", lang) in out
    # The supermarket: stocked, a redemption day (five redemptions by item), its month report; the last year closed.
    assert say("shop.report_title", lang, name="南伦村", village="NL", month="2026-11") in out
    assert message(lang, "year.closed", village="NL", year=2025, households=0, coins=0) in out
    assert ok(call_cli("--db", db, "--lang", lang, "verify")) == message(
        lang, "verify.ok", villages=3, entries=585
    ) + message(lang, "verify.stock_ok", villages=1, count=9) + records_ok(lang, db)
    assert failed(call_cli("--db", str(tmp_path / "no" / "d.db"), "--lang", lang, "demo")) == (
        error(lang, "db.no_folder", path=str(tmp_path / "no"))
    )


def test_demo_without_db_uses_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = ok(call_cli("--lang", "en", "demo"))
    made = list(tmp_path.glob("moralbank-demo-*/demo.db"))
    assert len(made) == 1 and out.startswith(f"Demo database: {made[0]}\n")


def test_environment_variables(tmp_path: Path) -> None:
    db = str(tmp_path / "env.db")
    env = {"MORALBANK_DB": db, "MORALBANK_LANG": "zh", "MORALBANK_OPERATOR": "王会计"}
    # The operator init is run by is the first one registered, as township.
    assert ok(call_cli("init", env=env)) == f"数据库已就绪：{db}\n已登记经办人 王会计，角色 township\n"
    assert ok(call_cli("village", "add", "NL", "--name", "南伦村", "--town", "于河", "--county", "潍城", env=env)) == (
        "已添加村 NL。\n"
    )
    assert ok(call_cli("--lang", "en", "village", "list", "-f", "csv", env=env)).startswith("code,name,town,county")
    result = call_cli("--lang", "fr", "village", "list", env=env)
    assert result.exit_code == 2 and say("lang.invalid", "zh", value="fr", choices="zh, en") in result.output


@pytest.mark.parametrize("lang", LANGS)
def test_imports_show_a_progress_bar_on_a_terminal_only(run: Run, db_url: str, lang: str) -> None:
    ok(run("import", "villages", fixture("villages.csv")))
    ok(run("standard", "adopt", fixture("standards.toml")))
    ok(run("operator", "add", "会计", "--role", "clerk"))
    head = ["--db", db_url, "--lang", lang, "--operator", "会计", "import"]
    terminal = {"TTY_COMPATIBLE": "1"}  # rich then treats stderr as a terminal
    shown = call_cli(*head, "households", fixture("households.csv"), env=terminal)
    assert shown.stdout == message(lang, "households.imported", count=110)
    assert say("progress.checking", lang, source="households.csv") in shown.stderr and "100%" in shown.stderr
    shown = call_cli(*head, "decisions", fixture("decisions_2026-09.csv"), env=terminal)
    assert say("progress.checking", lang, source="decisions_2026-09.csv") in shown.stderr
    assert shown.exit_code == 1  # XY is not registered here: the bar is gone and the problems follow
    with open(fixture("decisions_2026-09.csv"), encoding="utf-8-sig") as sheet:
        unregistered = sum(1 for row in csv.DictReader(sheet) if row["household"].startswith("XY"))
    rejected = say("sheet.rejected", lang, source="decisions_2026-09.csv", count=unregistered)
    assert unregistered > 0 and rejected in shown.stderr
    piped = call_cli(*head, "households", fixture("households_gbk.csv"))
    assert (piped.stdout, piped.stderr) == (message(lang, "households.imported", count=55), "")


# --- a --db that is no moralbank database ------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", [["balance", "BG001"], ["init"], ["--operator", "o", "award", "BG001", "ZY01"]])
def test_a_db_file_that_is_not_sqlite_is_named_not_a_traceback(tmp_path: Path, lang: str, command: list[str]) -> None:
    other = tmp_path / "notes.db"
    other.write_text("not a database, just a text file long enough to have a header\n" * 4)
    result = call_cli("--db", str(other), "--lang", lang, *command)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert say("db.not_sqlite", lang) in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_database_scheme_is_refused_without_echoing_a_password(lang: str) -> None:
    result = call_cli("--db", "mysql+nodriver://clerk:s3cret@host/db", "--lang", lang, "balance", "BG001")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert say("db.bad_url", lang) in result.output
    assert "s3cret" not in result.output
