"""The points supermarket: catalogue versions, the stock ledger, redemption by item, sheets, verify, journal."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from moralbank.messages import text as say
from moralbank.resources import schema_path
from moralbank.storage.db import reading
from moralbank.storage.roles import append_only_tables, truncate_guarded_tables
from tests.clock import freeze_today
from tests.database import row_count
from tests.runner import failed, ok
from tests.shop_town import Run, build_shop, error, field_error
from tests.town import TODAY, write_csv

MIGRATION = schema_path().parent / "migrations" / "0003_shop.sql"


@pytest.fixture
def shop(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    freeze_today(monkeypatch, TODAY)
    build_shop(run, engine)
    return run


def listing(run: Run, *args: str) -> list[dict[str, object]]:
    return list(json.loads(ok(run("shop", "list", *args, "-f", "json"))))


def coins(run: Run, household: str) -> int:
    return int(json.loads(ok(run("balance", household, "-f", "json")))["coins"])


def test_the_catalogue_lists_price_stock_and_low_stock(shop: Run) -> None:
    assert listing(shop, "--village", "NL") == [
        {"code": "LIQ2", "name": "洗衣液", "unit": "瓶", "price": 20, "stock": 3, "low": False, "scope": "NL",
         "effective_from": "2026-10-01"},
        {"code": "SOAP", "name": "香皂", "unit": "块", "price": 5, "stock": 10, "low": False, "scope": "*",
         "effective_from": "2026-10-01"},
    ]  # fmt: skip
    assert [r["code"] for r in listing(shop, "--village", "BG")] == ["SOAP"]  # NL's own item is NL's alone
    ok(shop("shop", "redeem", "NL001", "LIQ2", "--booked", "2026-10-28"))
    assert [(r["code"], r["stock"], r["low"]) for r in listing(shop, "--village", "NL")] == [
        ("LIQ2", 2, True),
        ("SOAP", 10, False),
    ]
    assert "LIQ2" in ok(shop("shop", "list", "--village", "NL")) and "LIQ2,洗衣液" in ok(
        shop("shop", "list", "-f", "csv")
    )


def test_a_redemption_uses_the_price_in_force_on_its_day(shop: Run) -> None:
    assert ok(shop("shop", "item", "price", "SOAP", "6", "--from", "2026-11-01")) == (
        say("shop.price_set", "en", code="SOAP", price=6, date="2026-11-01") + "\n"
    )
    assert ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28")) == (
        say("shop.redeemed", "en", id=4, qty=2, code="SOAP", coins=10) + "\n"
    )
    ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-11-05"))
    assert coins(shop, "NL001") == 40 - 10 - 12
    assert [r["price"] for r in listing(shop, "--as-of", "2026-10-31")] == [20, 5]
    assert [r["price"] for r in listing(shop)] == [20, 6]
    # A price cannot change from a day that already has redemptions at the old price.
    assert failed(shop("shop", "item", "price", "SOAP", "7", "--from", "2026-11-05")) == error(
        "en", "item.redeemed_since", code="SOAP", date="2026-11-05", last="2026-11-05"
    )


def test_redemption_takes_coins_and_goods_in_one_transaction(shop: Run, engine: Engine) -> None:
    ok(shop("shop", "redeem", "NL001", "LIQ2", "--qty", "2", "--booked", "2026-10-28"))
    assert coins(shop, "NL001") == 0
    with reading(engine) as session:
        entry = session.execute(text("SELECT kind, amount, qty, note, seq FROM entry WHERE id = 4")).one()
        moved = session.execute(
            text("SELECT kind, qty, entry_seq, household FROM stock_movement WHERE item = 'LIQ2' ORDER BY seq")
        ).all()
    assert tuple(entry) == ("redemption", 40, 2, "LIQ2 洗衣液", entry[4])
    assert [tuple(m) for m in moved] == [("receipt", 3, None, None), ("redemption", -2, entry[4], "NL001")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_names_its_reason(shop: Run, engine: Engine, lang: str) -> None:
    def refused(*args: str) -> str:
        return failed(shop(*args, lang=lang))

    assert refused("shop", "redeem", "NL002", "LIQ2", "--booked", "2026-10-28") == field_error(
        lang, "qty", "shop.insufficient", coins=20, available=8
    )
    assert refused("shop", "redeem", "NL001", "LIQ2", "--qty", "4", "--booked", "2026-10-28") == (
        field_error(lang, "qty", "shop.insufficient", coins=80, available=40)
        + say("sheet.field_problem", lang, field="qty", reason=say("shop.out_of_stock", lang, code="LIQ2", stock=3))
        + "\n"
    )
    assert refused("shop", "redeem", "BG001", "LIQ2", "--booked", "2026-10-28") == field_error(
        lang, "item", "item.other_village", code="LIQ2", village="BG"
    )
    assert refused("shop", "redeem", "BG001", "NOPE", "--booked", "2026-10-28") == field_error(
        lang, "item", "item.not_found", code="NOPE"
    )
    assert refused("shop", "redeem", "NL001", "SOAP", "--qty", "0") == field_error(
        lang, "qty", "field.not_positive", value=0
    )
    ok(shop("shop", "item", "retire", "SOAP", "--from", "2026-11-01"))
    assert refused("shop", "redeem", "NL001", "SOAP", "--booked", "2026-11-02") == field_error(
        lang, "item", "item.retired", code="SOAP"
    )
    assert refused("shop", "receive", "SOAP", "1", "--village", "NL", "--source", "采购") == error(
        lang, "item.retired", code="SOAP"
    )
    assert refused("shop", "item", "add", "LIQ2", "--name", "x", "--price", "3", "--village", "NL") == error(
        lang, "item.exists", code="LIQ2", scope="NL"
    )
    assert refused("shop", "item", "add", "肥皂", "--name", "x", "--price", "3") == error(
        lang, "item.bad_code", value="肥皂"
    )
    assert refused("shop", "item", "add", "X1", "--name", "x", "--price", "0") == error(lang, "item.bad_price", value=0)
    assert refused("shop", "receive", "LIQ2", "1", "--village", "NL", "--source", "采购", "--value", "1.234") == error(
        lang, "stock.bad_value", value="1.234"
    )
    assert refused("shop", "receive", "LIQ2", "0", "--village", "NL", "--source", "采购") == error(
        lang, "stock.not_positive", value=0
    )
    assert refused("shop", "receive", "LIQ2", "1", "--village", "NL", "--source", " ") == error(lang, "stock.no_source")
    assert refused("shop", "stocktake", "LIQ2", "--village", "NL", "--reason", "盘点", "--", "-1") == error(
        lang, "stock.negative_count", value=-1
    )
    assert row_count(engine, "entry") == 3 and row_count(engine, "stock_movement") == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_village_policy_sets_a_minimum_and_redemption_days(shop: Run, lang: str) -> None:
    out = ok(shop("village", "set", "NL", "--min-balance", "10", "--redemption-days", "28,10", "-f", "json"))
    assert json.loads(out) == {"code": "NL", "min_balance": 10, "redemption_days": "10,28", "year_end_clearing": False,
                               "base_score": 0, "star_titles": ""}  # fmt: skip
    assert failed(shop("shop", "redeem", "NL001", "SOAP", "--booked", "2026-10-27", lang=lang)) == field_error(
        lang, "booked_on", "shop.not_redemption_day", date="2026-10-27", days="10,28"
    )
    assert failed(shop("shop", "redeem", "NL002", "SOAP", "--booked", "2026-10-28", lang=lang)) == field_error(
        lang, "household", "shop.below_minimum", balance=8, minimum=10
    )
    assert failed(shop("redeem", "NL002", "1", "--item", "火柴", "--booked", "2026-10-28", lang=lang)) == error(
        lang, "shop.below_minimum", balance=8, minimum=10
    )
    ok(shop("shop", "redeem", "NL001", "SOAP", "--booked", "2026-10-28"))
    assert failed(shop("village", "set", "NL", "--redemption-days", "32", lang=lang)) == error(
        lang, "policy.bad_days", value="32"
    )


def test_a_key_makes_a_retry_safe(shop: Run, engine: Engine) -> None:
    first = ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28", "--key", "r1"))
    assert ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28", "--key", "r1")) == first
    assert failed(shop("shop", "redeem", "NL001", "SOAP", "--qty", "3", "--booked", "2026-10-28", "--key", "r1")) == (
        field_error("en", "qty", "key.conflict", key="r1")
    )
    assert row_count(engine, "stock_movement") == 3 and coins(shop, "NL001") == 30


def test_a_stocktake_records_the_difference_with_its_reason(shop: Run, engine: Engine) -> None:
    assert ok(shop("shop", "stocktake", "SOAP", "7", "--village", "NL", "--reason", "受潮三块")) == (
        say("shop.counted", "en", code="SOAP", counted=7, difference=-3) + "\n"
    )
    ok(shop("shop", "stocktake", "SOAP", "7", "--village", "NL", "--reason", "复盘"))  # a count that matches is kept
    with reading(engine) as session:
        rows = session.execute(
            text("SELECT kind, qty, note FROM stock_movement WHERE item = 'SOAP' ORDER BY seq")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("receipt", 10, "采购"),
        ("stocktake", -3, "受潮三块"),
        ("stocktake", 0, "复盘"),
    ]
    assert failed(shop("shop", "redeem", "NL001", "SOAP", "--qty", "8", "--booked", "2026-10-28")) == field_error(
        "en", "qty", "shop.out_of_stock", code="SOAP", stock=7
    )


def test_reversing_a_redemption_returns_coins_and_goods(shop: Run, engine: Engine) -> None:
    ok(shop("shop", "redeem", "NL001", "LIQ2", "--booked", "2026-10-28"))
    ok(shop("reverse", "4", "--reason", "退货", "--booked", "2026-10-29"))
    assert coins(shop, "NL001") == 40
    assert [r["stock"] for r in listing(shop, "--village", "NL")] == [3, 10]
    assert ok(shop("verify")).startswith(say("verify.ok", "en", villages=2, entries=5))


def sheet(tmp_path: Path, rows: list[list[str]]) -> str:
    return str(write_csv(tmp_path / "兑换日.csv", ["户编号", "商品编号", "数量", "日期"], rows))


def test_a_redemption_sheet_is_written_whole_or_not_at_all(shop: Run, engine: Engine, tmp_path: Path) -> None:
    bad = sheet(
        tmp_path,
        [
            ["NL001", "SOAP", "4", "2026-10-28"],
            ["NL001", "LIQ2", "1", "2026-10-28"],  # 20 + 20 = 40: the household's coins, shared across rows
            ["NL001", "SOAP", "1", "2026-10-28"],  # one coin short now
            ["NL009", "SOAP", "1", "2026-10-28"],
            ["NL002", "SOAP", "x", "2026-10-28"],
            ["BG001", "LIQ2", "1", "2026-10-28"],
        ],
    )
    lines = failed(shop("shop", "import", bad)).splitlines()
    assert lines == [
        say("error.prefix", "en") + say("sheet.rejected", "en", source="兑换日.csv", count=4),
        "  " + say("sheet.row_problem", "en", row=4, field="qty", reason=say("shop.insufficient", "en", coins=5, available=0)),
        "  " + say("sheet.row_problem", "en", row=5, field="household", reason=say("household.not_found", "en", code="NL009")),
        "  " + say("sheet.row_problem", "en", row=6, field="qty", reason=say("field.not_integer", "en", value="x")),
        "  " + say("sheet.row_problem", "en", row=7, field="item", reason=say("item.other_village", "en", code="LIQ2", village="BG")),
    ]  # fmt: skip
    assert row_count(engine, "entry") == 3 and row_count(engine, "stock_movement") == 2
    good = sheet(tmp_path, [["NL001", "SOAP", "4", "2026-10-28"], ["NL002", "SOAP", "", "2026-10-28"]])
    assert ok(shop("shop", "import", good)).splitlines() == [
        say("shop.sheet_redeemed", "en", count=2, repeated=0),
        say("import.logged", "en", id=1),
    ]
    assert (coins(shop, "NL001"), coins(shop, "NL002")) == (20, 3)
    assert [r["stock"] for r in listing(shop, "--village", "NL")] == [3, 5]
    # The same sheet again is refused by its file; undone whole, its goods go back to the stock.
    assert "already imported" in failed(shop("shop", "import", good))
    assert ok(shop("reverse", "--import", "1", "--reason", "兑换登记错了", "--yes")) == (
        "import #1: 2 entries reversed, 0 proposals voided, 0 already reversed or voided\n"
    )
    assert (coins(shop, "NL001"), coins(shop, "NL002")) == (40, 8)
    assert [r["stock"] for r in listing(shop, "--village", "NL")] == [3, 10]


def test_the_month_report_in_every_format(shop: Run, tmp_path: Path) -> None:
    ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28"))
    ok(shop("shop", "redeem", "NL002", "SOAP", "--booked", "2026-10-28"))
    ok(shop("shop", "redeem", "NL001", "LIQ2", "--booked", "2026-10-28"))
    ok(shop("redeem", "NL002", "2", "--item", "火柴", "--booked", "2026-10-28"))
    ok(shop("shop", "stocktake", "SOAP", "6", "--village", "NL", "--reason", "破损", "--booked", "2026-10-30"))
    report = json.loads(ok(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "json")))
    assert report == {
        "village": "NL", "month": "2026-10",
        "items": [
            {"code": "LIQ2", "name": "洗衣液", "unit": "瓶", "price": 20, "redeemed": 1, "households": 1, "coins": 20,
             "received": 3, "received_value_fen": None, "adjusted": 0, "stock_end": 2},
            {"code": "SOAP", "name": "香皂", "unit": "块", "price": 5, "redeemed": 3, "households": 2, "coins": 15,
             "received": 10, "received_value_fen": 2550, "adjusted": -1, "stock_end": 6},
        ],
        "households": 2, "coins": 35, "received_value_fen": 2550, "outside_count": 1, "outside_coins": 2,
        "village_name": "南伦村",
    }  # fmt: skip
    csv_out = ok(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "csv"))
    assert csv_out.splitlines()[1].startswith("LIQ2,洗衣液,瓶,20,1,1,20,3,—,")  # donated: its value is unknown
    assert csv_out.splitlines()[2] == "SOAP,香皂,块,5,3,2,15,10,25.50,-1,6"
    page = ok(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "html"))
    assert page.startswith("<!DOCTYPE html>") and "<h1>Points supermarket of 南伦村 (NL), 2026-10</h1>" in page
    assert "<td>香皂</td>" in page and '<td class="n">6</td>' in page
    book_path = tmp_path / "shop.xlsx"
    assert (
        ok(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "xlsx", "--out", str(book_path)))
        == say("shop.report_written", "en", path=str(book_path)) + "\n"
    )
    rows = list(load_workbook(book_path).active.iter_rows(values_only=True))
    assert rows[2][:4] == ("SOAP", "香皂", "块", 5) and rows[0][0] == say("col.code", "en")
    assert failed(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "xlsx")) == error(
        "en", "shop.xlsx_needs_out"
    )


def test_stock_movements_are_append_only(shop: Run, engine: Engine) -> None:
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE stock_movement SET qty = 100 WHERE seq = 1"))
    with pytest.raises(Exception, match=r"never change|append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM shop_item"))
    assert row_count(engine, "stock_movement") == 2


def test_the_new_tables_are_guarded_and_granted_like_the_others() -> None:
    assert {"shop_item", "stock_movement"} <= set(append_only_tables())
    assert {"shop_item", "stock_movement"} <= set(truncate_guarded_tables())
    assert "village_policy" not in append_only_tables()


def _statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [" ".join(s.split()) for s in re.split(r";\s*(?:END;)?\s*\n", body) if s.strip()]


def test_migration_0003_creates_exactly_what_the_schema_does() -> None:
    schema = schema_path().read_text(encoding="utf-8")
    migration = MIGRATION.read_text(encoding="utf-8")
    sections = ("@common", "@sqlite", "@postgresql")
    assert [line for line in migration.splitlines() if line.startswith("-- @")] == [f"-- {s}" for s in sections]
    ours = _statements(migration)
    assert len(ours) == 17  # 3 tables, 4 indexes, 6 SQLite triggers, 4 PostgreSQL triggers
    flat = " ".join(" ".join(line for line in schema.splitlines() if not line.lstrip().startswith("--")).split())
    assert [s for s in ours if s not in flat] == []
    mentioned = {t for s in _statements(schema) for t in ("shop_item", "stock_movement", "village_policy") if t in s}
    assert mentioned == {"shop_item", "stock_movement", "village_policy"}


STOCK_TRIGGERS = ("stock_movement_no_update", "stock_movement_no_delete", "stock_movement_no_replace")


def _tamper(path: str, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for trigger in STOCK_TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _verify_problems(run: Run) -> list[str]:
    result = run("verify", "-f", "json")
    assert result.exit_code == 1, result.output
    return [p["message"] for p in json.loads(result.stdout)["problems"]]


def _sqlite_shop(shop: Run, engine: Engine, db_url: str) -> str:
    if "://" in db_url:
        pytest.skip("raw edits of the SQLite file")
    ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28"))
    engine.dispose()
    return db_url


def test_verify_names_an_altered_stock_movement(shop: Run, engine: Engine, db_url: str) -> None:
    path = _sqlite_shop(shop, engine, db_url)
    _tamper(path, "UPDATE stock_movement SET qty = 100 WHERE village = 'NL' AND seq = 1")
    assert _verify_problems(shop) == [say("stock.bad_hash", "en", village="NL", seq=1)]


def test_verify_names_a_forged_movement_and_stock_below_zero(shop: Run, engine: Engine, db_url: str) -> None:
    path = _sqlite_shop(shop, engine, db_url)
    from moralbank.domain.shop import MOVEMENT_FIELDS, movement_hash

    with sqlite3.connect(path) as conn:
        prev = conn.execute("SELECT hash FROM stock_movement WHERE village = 'NL' AND seq = 3").fetchone()[0]
    # A well-chained forgery: 20 soaps out to NL002 with no redemption entry behind them.
    forged = dict(zip(MOVEMENT_FIELDS, ["NL", 4, "SOAP", "redemption", -20, None, 99, "NL002", "2026-10-28", "",
                                        "x", None, "2026-10-28T00:00:00+00:00"], strict=True))  # fmt: skip
    digest = movement_hash(prev, list(forged.values()))
    columns = ", ".join([*forged, "prev_hash", "hash"])
    marks = ", ".join("?" * (len(forged) + 2))
    conn = sqlite3.connect(path)
    conn.execute(f"INSERT INTO stock_movement ({columns}) VALUES ({marks})", [*forged.values(), prev, digest])
    conn.commit()
    conn.close()
    assert _verify_problems(shop) == [
        say("stock.negative", "en", village="NL", seq=4, item="SOAP", stock=-12),
        say("stock.bad_link", "en", village="NL", seq=4),
    ]


def test_verify_names_a_deleted_movement(shop: Run, engine: Engine, db_url: str) -> None:
    path = _sqlite_shop(shop, engine, db_url)
    _tamper(path, "DELETE FROM stock_movement WHERE village = 'NL' AND seq = 2")
    assert _verify_problems(shop) == [say("stock.gap", "en", village="NL", seq=3, expected=2, found=3)]


def test_verify_names_a_redemption_whose_newest_movement_was_deleted(shop: Run, engine: Engine, db_url: str) -> None:
    path = _sqlite_shop(shop, engine, db_url)  # NL's redemption is its entry 3 and its stock movement 3, the newest
    _tamper(path, "DELETE FROM stock_movement WHERE village = 'NL' AND seq = 3")
    assert _verify_problems(shop) == [say("stock.entry_without_movement", "en", village="NL", seq=3)]


def test_a_saved_checkpoint_catches_a_cut_stock_tail(shop: Run, engine: Engine, db_url: str, tmp_path: Path) -> None:
    path = _sqlite_shop(shop, engine, db_url)
    saved = tmp_path / "heads.json"
    saved.write_text(ok(shop("checkpoint", "-f", "json")), encoding="utf-8")
    heads = json.loads(saved.read_text(encoding="utf-8"))
    assert [(h["village"], h["stock_seq"]) for h in heads] == [("*", 0), ("BG", 0), ("NL", 3)]
    old_style = tmp_path / "old.json"  # a file saved before the stock chains: ledger heads only
    old_style.write_text(json.dumps([{k: h[k] for k in ("village", "seq", "hash")} for h in heads]), encoding="utf-8")
    assert "3 stock movement(s)" in ok(shop("verify", "--checkpoint", str(old_style)))
    # Cut the newest movement and the redemption entry with it would be caught by the ledger's own
    # checkpoint; cut a receipt-only tail instead: the stock chain alone must catch it.
    ok(shop("shop", "receive", "SOAP", "1", "--village", "NL", "--source", "采购", "--booked", "2026-10-29"))
    saved.write_text(ok(shop("checkpoint", "-f", "json")), encoding="utf-8")
    engine.dispose()
    _tamper(path, "DELETE FROM stock_movement WHERE village = 'NL' AND seq = 4")
    result = shop("verify", "--checkpoint", str(saved), "-f", "json")
    assert result.exit_code == 1
    assert [p["message"] for p in json.loads(result.stdout)["problems"]] == [
        say("stock.truncated", "en", village="NL", seq=4)
    ]


def _journal(shop: Run, tmp_path: Path) -> Path:
    ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "2", "--booked", "2026-10-28"))
    ok(shop("shop", "redeem", "NL001", "LIQ2", "--booked", "2026-10-28"))
    ok(shop("reverse", "5", "--reason", "退货", "--booked", "2026-10-29"))
    ok(shop("shop", "stocktake", "SOAP", "6", "--village", "NL", "--reason", "破损", "--booked", "2026-10-30"))
    path = tmp_path / "shop.journal"
    ok(shop("export", "journal", "--out", str(path)))
    return path


def _balances(output: str) -> dict[str, str]:
    """``account -> amounts`` from a flat balance report; an account's other commodities come on lines above it."""
    found: dict[str, str] = {}
    waiting: list[str] = []
    for line in output.splitlines():
        match = re.match(r"^\s*(-?\d+) (\S+)(?:\s+(\S+))?\s*$", line)
        if not match:
            continue
        waiting.append(f"{match[1]} {match[2].strip(chr(34))}")
        if match[3]:
            found[match[3]], waiting = ", ".join(sorted(waiting)), []
    return found


EXPECTED_GOODS = {
    "households:NL:NL001:goods": "2 SOAP",
    "village:NL:shop:received": "-10 SOAP, -3 LIQ2",
    "village:NL:shop:stock": "3 LIQ2, 6 SOAP",
    "village:NL:shop:stocktake": "2 SOAP",
}


@pytest.mark.skipif(not shutil.which("/usr/bin/ledger"), reason="ledger-cli is not installed at /usr/bin/ledger")
def test_ledger_cli_balances_coins_and_goods(shop: Run, tmp_path: Path) -> None:
    path = _journal(shop, tmp_path)
    args = ["/usr/bin/ledger", "-f", str(path), "balance", "--flat", "--no-total"]
    found = _balances(subprocess.run([*args, "goods|shop"], capture_output=True, text=True, check=True).stdout)
    assert found == EXPECTED_GOODS
    total = subprocess.run(["/usr/bin/ledger", "-f", str(path), "balance"], capture_output=True, text=True, check=True)
    assert total.stdout.rstrip().endswith("0")
    nl001 = subprocess.run([*args, "^households:NL:NL001$"], capture_output=True, text=True, check=True).stdout
    assert _balances(nl001) == {"households:NL:NL001": f"{coins(shop, 'NL001')} coins"}


@pytest.mark.skipif(not shutil.which("/usr/bin/hledger"), reason="hledger is not installed at /usr/bin/hledger")
def test_hledger_balances_coins_and_goods(shop: Run, tmp_path: Path) -> None:
    path = _journal(shop, tmp_path)
    args = ["/usr/bin/hledger", "-f", str(path), "balance", "--flat", "--no-total"]
    found = _balances(subprocess.run([*args, "goods|shop"], capture_output=True, text=True, check=True).stdout)
    assert found == EXPECTED_GOODS
    every = subprocess.run(["/usr/bin/hledger", "-f", str(path), "balance"], capture_output=True, text=True, check=True)
    assert every.stdout.rstrip().splitlines()[-1].strip() == "0"


def readme_commands(section: str) -> list[list[str]]:
    """The ``moralbank`` command lines of a README section's sh blocks, continuations joined, comments dropped."""
    import shlex

    readme = (schema_path().parent / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                assert words[0] == "moralbank", line
                commands.append(words[1:])
    return commands


def test_the_readme_supermarket_section_runs_as_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    if "://" in db_url:
        pytest.skip("the README's commands are the same on every database")
    freeze_today(monkeypatch, TODAY)
    fixtures = schema_path().parent / "fixtures"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").symlink_to(fixtures)
    ok(run("import", "villages", "fixtures/villages.csv"))
    for name in ("households.csv", "households_gbk.csv"):
        ok(run("import", "households", f"fixtures/{name}"))
    for name in ("standards.toml", "standards_revision.toml"):
        ok(run("standard", "adopt", f"fixtures/{name}"))
    for name in ("decisions_2026-09.csv", "decisions_2026-10.csv", "decisions_2026-11.xlsx"):
        ok(run("import", "decisions", f"fixtures/{name}"))
    commands = readme_commands("积分超市")
    assert len(commands) == 19
    for words in commands:
        ok(run(*words, lang="zh"))
    assert [(r["code"], r["price"], r["stock"]) for r in listing(run, "--village", "NL")] == [
        ("NLYY", 20, 10),
        ("XYF1", 100, 2),
        ("XZ01", 6, 25),
    ]
    assert coins(run, "NL008") == 69 and (tmp_path / "2026-11-超市.html").is_file()


def test_stock_is_counted_by_booking_date(shop: Run, engine: Engine) -> None:
    # The goods arrived on 20 October: a redemption booked before then takes goods not yet there.
    assert failed(shop("shop", "redeem", "NL001", "SOAP", "--booked", "2026-10-19")) == field_error(
        "en", "qty", "shop.out_of_stock", code="SOAP", stock=0
    )
    ok(shop("shop", "stocktake", "SOAP", "8", "--village", "NL", "--reason", "破损", "--booked", "2026-10-27"))
    ok(shop("shop", "redeem", "NL001", "SOAP", "--qty", "8", "--booked", "2026-10-28"))
    # Ten soaps on the 25th, but every one of them is gone by the 28th: none may leave on the 25th.
    assert failed(shop("shop", "redeem", "NL002", "SOAP", "--booked", "2026-10-25")) == field_error(
        "en", "qty", "shop.out_of_stock", code="SOAP", stock=0
    )
    # Nor can a count of 7 on the 26th stand, with ten soaps leaving after it.
    assert failed(
        shop("shop", "stocktake", "SOAP", "7", "--village", "NL", "--reason", "盘点", "--booked", "2026-10-26")
    ) == error("en", "stock.count_before_later", code="SOAP", date="2026-10-26", counted=7, taken=10)
    assert row_count(engine, "stock_movement") == 4
    assert [(r["code"], r["stock"]) for r in listing(shop, "--village", "NL", "--as-of", "2026-10-19")] == [
        ("LIQ2", 0),
        ("SOAP", 0),
    ]
    month = json.loads(ok(shop("shop", "report", "--village", "NL", "--month", "2026-10", "-f", "json")))
    assert [(i["code"], i["stock_end"]) for i in month["items"]] == [("LIQ2", 3), ("SOAP", 0)]


HUGE = "100000000000000000000"


@pytest.mark.parametrize(
    ("args", "field", "limit"),
    [
        (["shop", "item", "add", "BIG", "--name", "大件", "--price", HUGE], "--price", 10_000),
        (
            ["shop", "item", "add", "BIG", "--name", "大件", "--price", "5", "--low-stock", HUGE],
            "--low-stock",
            1_000_000,
        ),
        (["shop", "item", "price", "SOAP", HUGE], "--price", 10_000),
        (["shop", "receive", "SOAP", HUGE, "--village", "NL", "--source", "采购"], "qty", 1_000_000),
        (["shop", "stocktake", "SOAP", HUGE, "--village", "NL", "--reason", "盘点"], "counted", 1_000_000),
        (["village", "set", "NL", "--min-balance", HUGE], "--min-balance", 1_000_000),
        (["village", "set", "NL", "--base-score", HUGE], "--base-score", 10_000),
    ],
)
def test_numbers_beyond_their_bounds_are_refused(
    shop: Run, engine: Engine, args: list[str], field: str, limit: int
) -> None:
    assert failed(shop(*args)) == field_error("en", field, "field.too_large", value=int(HUGE), limit=limit)
    assert row_count(engine, "stock_movement") == 2 and row_count(engine, "shop_item") == 2


def test_a_redemption_of_more_than_the_quantity_limit_is_refused(shop: Run) -> None:
    for qty in ("10001", HUGE):
        assert failed(shop("shop", "redeem", "NL001", "SOAP", "--qty", qty)) == field_error(
            "en", "qty", "field.too_large", value=int(qty), limit=10_000
        )


@pytest.mark.parametrize("year", ["0", "1", "1948", "2100", "99999999999"])
def test_a_year_outside_1949_to_2099_is_refused(shop: Run, year: str) -> None:
    refused = error("en", "year.out_of_range", value=int(year), low=1949, high=2099)
    assert failed(shop("report", "year", "--village", "NL", "--year", year)) == refused
    assert failed(shop("year", "close", "--village", "NL", "--year", year)) == refused
    assert failed(shop("year", "open", "--village", "NL", "--year", year)) == refused


@pytest.mark.parametrize(
    ("args", "field", "problem", "params"),
    [
        (["shop", "item", "add", "LONG", "--name", "皂" * 51, "--price", "5"], "name", "text.too_long",
         {"limit": 50, "length": 51}),
        (["shop", "item", "add", "CTRL", "--name", "香\x1b皂", "--price", "5"], "name", "text.control_char",
         {"position": 2, "code": "U+001B"}),
        (["shop", "item", "add", "UNIT", "--name", "香皂", "--price", "5", "--unit", "块\x00"], "unit",
         "text.control_char", {"position": 2, "code": "U+0000"}),
        (["shop", "receive", "SOAP", "1", "--village", "NL", "--source", "捐" * 201], "--source", "text.too_long",
         {"limit": 200, "length": 201}),
        (["shop", "stocktake", "SOAP", "9", "--village", "NL", "--reason", "破\n损"], "--reason",
         "text.control_char", {"position": 2, "code": "U+000A"}),
    ],
)  # fmt: skip
def test_item_names_units_sources_and_reasons_are_checked_like_every_text(
    shop: Run, engine: Engine, args: list[str], field: str, problem: str, params: dict[str, object]
) -> None:
    assert failed(shop(*args)) == field_error("en", field, problem, **params)
    assert row_count(engine, "stock_movement") == 2 and row_count(engine, "shop_item") == 2
