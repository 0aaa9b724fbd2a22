"""Publishing a board: the snapshot, the closed month, immutability, and verify catching tampering."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from moralbank.domain.boards import canonical_text, tally, text_hash
from moralbank.reports.boards import ledger_tallies, village_board
from moralbank.reports.integrity import verify
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.runner import Run, invoke
from tests.town import OCTOBER, TODAY, book_publication, build_publication_town


@pytest.fixture
def town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The synthetic town with October 2026 booked; the CLI's today is fixed at 2026-11-29."""
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    return engine


@pytest.fixture
def published(run: Run, town: Engine) -> Run:
    """DZ's October board published as board #1."""
    result = invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    assert "board #1" in result.stdout and "closed" in result.stdout
    return run


def test_publish_stores_snapshot_with_checkpoint(published: Run, town: Engine) -> None:
    with reading(town) as session:
        record = session.execute(
            text("SELECT village, month, seq, head_hash, snapshot, snapshot_hash FROM board")
        ).one()
        head = session.execute(text("SELECT seq, hash FROM entry WHERE village = 'DZ' ORDER BY seq DESC")).first()
    village, month, seq, head_hash, snapshot, snapshot_hash = record
    assert (village, month) == ("DZ", "2026-10")
    assert (seq, head_hash) == tuple(head)  # the chain head at publication
    assert snapshot_hash == text_hash(snapshot)
    data = json.loads(snapshot)
    assert canonical_text(data) == snapshot
    assert data["checkpoint"] == {"village": "DZ", "seq": seq, "hash": head_hash}
    assert [(r["rank"], r["household"], r["name"], r["points"]) for r in data["rows"]] == [
        (1, "DZ01", "刘志涛", 12),
        (2, "DZ02", "王**", 10),
        (2, "DZ03", "张学勇", 10),
        (4, "DZ05", "徐**", 3),
    ]


def test_closed_month_refuses_bookings_and_open_months_take_them(published: Run, town: Engine) -> None:
    refused = published("award", "DZ05", "ZY01", "--on", "2026-10-20", "--booked", "2026-10-28")
    assert refused.exit_code == 1
    assert "2026-10 is closed" in refused.output and "book into an open month" in refused.output
    zh = published("award", "DZ05", "ZY01", "--on", "2026-10-20", "--booked", "2026-10-28", lang="zh")
    assert "2026-10 的榜单已公布，该月已封账" in zh.output
    invoke(published, "award", "DZ05", "ZY01", "--on", "2026-10-20", "--booked", "2026-11-02")
    entry = json.loads(invoke(published, "statement", "DZ01", "-f", "json").stdout)["lines"][0]["id"]
    reversal = published("reverse", str(entry), "--reason", "录入错误", "--booked", "2026-10-30")
    assert reversal.exit_code == 1 and "2026-10 is closed" in reversal.output
    spend = published("redeem", "DZ01", "1", "--item", "香皂", "--booked", "2026-10-31")
    assert spend.exit_code == 1 and "2026-10 is closed" in spend.output
    # Another village's October is still open.
    invoke(published, "award", "XZ04", "ZY01", "--on", "2026-10-20", "--booked", "2026-10-28")


def test_closed_month_refused_in_a_sheet_naming_the_row(published: Run, tmp_path: Any) -> None:
    sheet = tmp_path / "decisions.csv"
    sheet.write_text(
        "household,standard,qty,event_date,booked_on\nXZ04,ZY01,1,2026-10-02,2026-10-26\nDZ05,ZY01,1,2026-10-02,2026-10-26\n",
        encoding="utf-8",
    )
    result = published("import", "decisions", str(sheet))
    assert result.exit_code == 1
    assert "row 3, field booked_on" in result.output and "2026-10 is closed" in result.output
    assert "row 2" not in result.output  # XZ's October is open


def test_publishing_twice_and_the_future_are_refused(published: Run) -> None:
    again = published("board", "publish", "--village", "DZ", "--month", "2026-10")
    assert again.exit_code == 1 and "already published (board #1)" in again.output
    future = published("board", "publish", "--village", "DZ", "--month", "2026-12")
    assert future.exit_code == 1 and "2026-12 has not begun" in future.output
    missing = published("board", "publish", "--village", "NOPE", "--month", "2026-10")
    assert missing.exit_code == 1 and "no village NOPE" in missing.output
    nobody = published("--operator", "", "board", "publish", "--village", "XZ", "--month", "2026-10", operator=None)
    assert nobody.exit_code == 1 and "operator" in nobody.output
    listed = json.loads(invoke(published, "board", "list", "-f", "json").stdout)
    assert [(b["board"], b["village"], b["month"], b["households"]) for b in listed] == [(1, "DZ", "2026-10", 4)]


def test_published_board_does_not_move_with_the_ledger(published: Run, town: Engine) -> None:
    before = invoke(published, "board", "get", "1", "-f", "json").stdout
    book_publication(town, [("DZ05", "ZY01", 4)], "2026-11-03")
    assert invoke(published, "board", "get", "1", "-f", "json").stdout == before
    shown = json.loads(invoke(published, "board", "show", "--village", "DZ", "--month", "2026-10", "-f", "json").stdout)
    assert shown["published"]["id"] == 1  # a published month shows its snapshot
    nov = json.loads(invoke(published, "board", "show", "--village", "DZ", "--month", "2026-11", "-f", "json").stdout)
    assert nov["published"] is None and nov["rows"][0]["points"] == 20
    missing = published("board", "get", "7")
    assert missing.exit_code == 1 and "no published board #7" in missing.output


def test_verify_checks_published_boards(published: Run) -> None:
    ok = invoke(published, "verify")
    assert "1 published board matches the ledger." in ok.stdout
    data = json.loads(invoke(published, "verify", "-f", "json").stdout)
    assert data["ok"] is True and data["boards"] == 1


def _raw(engine: Engine, sql: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE board SET snapshot_hash = 'x'",
        "DELETE FROM board",
        "UPDATE board SET month = '2026-09'",
    ],
)
def test_raw_sql_cannot_change_a_published_board(published: Run, town: Engine, sql: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(town, sql)
    assert json.loads(invoke(published, "verify", "-f", "json").stdout)["ok"] is True


def test_raw_sql_cannot_replace_or_truncate_a_board(published: Run, town: Engine) -> None:
    if town.dialect.name == "sqlite":
        replace = (
            "INSERT OR REPLACE INTO board (id, village, month, seq, head_hash, snapshot, snapshot_hash, operator, "
            "published_at) SELECT id, village, month, seq, head_hash, '{}', 'x', operator, published_at FROM board"
        )
        with pytest.raises(DBAPIError, match="REPLACE refused"):
            _raw(town, replace)
    else:
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(town, "TRUNCATE board")


def _unguarded(engine: Engine, table: str, sql: str) -> None:
    """Rewrite history the way someone with the database file (or superuser) could."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
        else:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(text(sql))


def _problems(run: Run) -> list[dict[str, Any]]:
    result = run("verify", "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    return list(data["problems"])


def test_ledger_tampering_after_publication_names_the_board(published: Run, town: Engine) -> None:
    # Give DZ05 more points in October, rewriting its entry in place.
    _unguarded(town, "entry", "UPDATE entry SET earned = 30, coins = 30, amount = 30 WHERE household = 'DZ05'")
    problems = _problems(published)
    board = [p for p in problems if p["board"] == 1]
    assert [p["problem"] for p in board] == ["board.ledger_differs"]
    assert "board #1 (village DZ, 2026-10)" in board[0]["message"]
    assert "DZ05 was published with 3 points, the ledger now gives 30" in board[0]["message"]
    assert any(p["problem"] == "chain.bad_hash" and p["village"] == "DZ" for p in problems)
    human = published("verify")
    assert "board #1 (village DZ, 2026-10)" in human.output


def test_a_cut_tail_breaks_the_board_checkpoint(published: Run, town: Engine) -> None:
    # Drop the last DZ entry (DZ06's deduction) and the chain still looks whole up to there.
    with town.begin() as conn:
        if town.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER entry_no_delete"))
        else:
            conn.execute(text("ALTER TABLE entry DISABLE TRIGGER USER"))
        conn.execute(text("DELETE FROM entry WHERE village = 'DZ' AND seq = 9"))
    problems = {p["problem"] for p in _problems(published) if p["board"] == 1}
    assert problems == {"board.checkpoint_mismatch", "board.ledger_differs"}


def test_snapshot_tampering_is_detected(published: Run, town: Engine) -> None:
    # Someone "unmasks" a household that did not consent to be named.
    _unguarded(town, "board", "UPDATE board SET snapshot = REPLACE(snapshot, '徐**', '徐光成')")
    problems = _problems(published)
    assert [(p["board"], p["problem"]) for p in problems] == [(1, "board.snapshot_altered"), (None, "records.changed")]
    assert problems[1]["message"] == "board DZ:2026-10 differs from its record (altered): snapshot"


def test_verify_report_counts_boards(published: Run, town: Engine) -> None:
    invoke(published, "board", "publish", "--village", "XZ", "--month", "2026-10")
    with reading(town) as session:
        report = verify(session)
    assert report.ok and report.boards == 2


# --- village settings -------------------------------------------------------------------------


def test_village_set_changes_settings(run: Run, town: Engine) -> None:
    out = json.loads(
        invoke(
            run,
            "village",
            "set",
            "XZ",
            "--notice-days",
            "5",
            "--black-list",
            "是",
            "--maker-checker",
            "yes",
            "-f",
            "json",
        ).stdout
    )
    assert out == {
        "code": "XZ",
        "name": "西庄村",
        "notice_days": 5,
        "black_list": True,
        "maker_checker": True,
        "committee": "",
        "contact": "",
    }
    off = json.loads(invoke(run, "village", "set", "XZ", "--black-list", "no", "-f", "json").stdout)
    assert off["black_list"] is False and off["notice_days"] == 5


def test_village_set_refuses_bad_input(run: Run, town: Engine) -> None:
    bad = run("village", "set", "XZ", "--black-list", "maybe")
    assert bad.exit_code == 1 and "--black-list" in bad.output and "maybe" in bad.output
    nothing = run("village", "set", "XZ")
    assert nothing.exit_code == 1 and "--notice-days" in nothing.output
    negative = run("village", "set", "XZ", "--notice-days", "-1")
    assert negative.exit_code == 1 and "-1" in negative.output
    missing = run("village", "set", "NOPE", "--notice-days", "3")
    assert missing.exit_code == 1 and "no village NOPE" in missing.output
    assert "Traceback" not in bad.output + nothing.output + negative.output + missing.output


def test_set_based_recompute_agrees_with_the_board_report(
    run: Run, town: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A deduction reversed within October leaves the black list; one reversed in November stays.
    with reading(town) as session:
        ids = dict(session.execute(text("SELECT household, id FROM entry WHERE kind = 'deduction'")).all())
    invoke(run, "reverse", str(ids["DZ06"]), "--reason", "误记", "--booked", "2026-10-30")
    invoke(run, "reverse", str(ids["DZ04"]), "--reason", "误记", "--booked", "2026-11-02")
    invoke(run, "village", "set", "XZ", "--black-list", "yes")
    freeze_today(monkeypatch, date(2026, 12, 1))  # November has ended
    for village, month in [("DZ", "2026-10"), ("XZ", "2026-10"), ("DZ", "2026-09"), ("XZ", "2026-11")]:
        invoke(run, "board", "publish", "--village", village, "--month", month)
    with reading(town) as session:
        recomputed = ledger_tallies(session, first=1, last=4)
        for number, (village, month) in enumerate([("DZ", "2026-10"), ("XZ", "2026-10")], start=1):
            red, black = recomputed[number]
            assert tally(village_board(session, village=village, month=month)) == red | black
        assert 3 not in recomputed  # September: nothing booked, an empty board
        dz = village_board(session, village="DZ", month="2026-10")
        assert [b.household for b in dz.black_list or []] == ["DZ04"]
        assert verify(session).ok
    assert "4 published boards match the ledger." in invoke(run, "verify").stdout


def test_the_month_just_begun_is_refused_in_both_languages(
    run: Run, town: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, date(2026, 12, 1))
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-11")
    typo = run("board", "publish", "--village", "DZ", "--month", "2026-12")
    assert typo.exit_code == 1
    assert typo.output == "Error: 2026-12 has not ended; publish it from 2027-01-01\n"
    zh = run("board", "publish", "--village", "DZ", "--month", "2026-12", lang="zh")
    assert zh.output == "错误：2026-12 尚未结束，不能公布；月底过后（2027-01-01 起）再公布\n"
    invoke(run, "award", "DZ05", "ZY01", "--on", "2026-12-01")  # December stays open


def test_a_later_month_waits_for_an_earlier_one_with_entries(
    run: Run, town: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, date(2026, 12, 1))
    early = run("board", "publish", "--village", "DZ", "--month", "2026-11")
    assert early.exit_code == 1
    assert early.output == (
        "Error: village DZ has entries in 2026-10 and its board is not published; publish 2026-10 first, "
        "or add --out-of-order to publish 2026-11 anyway\n"
    )
    zh = run("board", "publish", "--village", "DZ", "--month", "2026-11", lang="zh")
    assert "DZ 村 2026-10 有记录但榜单尚未公布" in zh.output
    with reading(town) as session:
        assert session.execute(text("SELECT count(*) FROM board")).scalar() == 0
    # September has no entries: it does not hold anything up; once October is out, November may go.
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-11")
    # XZ's October is unpublished: its November goes out only when asked for out of order.
    forced = invoke(run, "board", "publish", "--village", "XZ", "--month", "2026-11", "--out-of-order")
    assert "board #3" in forced.stdout


def test_publishing_shows_the_summary_and_asks_on_a_terminal(
    run: Run, town: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moralbank.cli import common

    monkeypatch.setattr(common, "interactive", lambda: True)
    declined = run("board", "publish", "--village", "DZ", "--month", "2026-10", input="n\n")
    assert declined.exit_code == 1
    lines = declined.stdout.splitlines()
    assert lines[0] == (
        "village DZ, 2026-10: 4 household(s) on the red list, 35 points; "
        "top three: 刘志涛 12、王** 10、张学勇 10; black list: 2"
    )
    assert "Publishing closes 2026-10: nothing more can be booked into it. Publish?" in lines[1]
    assert lines[-1] == "Cancelled; nothing was written."
    with reading(town) as session:
        assert session.execute(text("SELECT count(*) FROM board")).scalar() == 0
    accepted = invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10", input="y\n")
    assert "board #1" in accepted.stdout
    skipped = invoke(run, "board", "publish", "--village", "XZ", "--month", "2026-10", "--yes")
    assert "Publish?" not in skipped.stdout and "board #2" in skipped.stdout
