"""The public-notice cycle: propose, object, settle, post exactly once; reservations, caps, maker-checker."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from moralbank.reports.integrity import verify
from moralbank.services.ledger import Chain, get_entry
from moralbank.services.notice import posting_fields
from moralbank.storage.db import Contention, reading, writing
from moralbank.storage.models import Entry, Standard
from tests.clock import freeze_today
from tests.runner import Run, invoke
from tests.town import OCTOBER, TODAY, book_publication, build_publication_town


@pytest.fixture
def town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The synthetic town with October booked at once; the CLI's today is fixed at 2026-11-29."""
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    return engine


@pytest.fixture
def noticed(run: Run, town: Engine) -> Run:
    """From now on village DZ posts its decisions on notice for 7 days."""
    invoke(run, "village", "set", "DZ", "--notice-days", "7")
    return run


def propose(run: Run, household: str, standard: str, booked: str, *extra: str, operator: str = "tester") -> int:
    """Record a decision in a noticed village; returns the proposal's entry id."""
    result = invoke(run, "award", household, standard, "--on", booked, "--booked", booked, *extra, operator=operator)
    assert result.stdout.startswith("Proposed as entry ")
    return int(result.stdout.split()[3].rstrip(":"))


def coins(run: Run, household: str) -> tuple[int, int]:
    data = json.loads(invoke(run, "balance", household, "-f", "json").stdout)
    return data["coins"], data["earned"]


def notice_rows(run: Run, village: str = "DZ") -> list[dict[str, Any]]:
    return list(json.loads(invoke(run, "notice", "show", "--village", village, "-f", "json").stdout)["rows"])


def test_notice_cycle_end_to_end(noticed: Run, town: Engine) -> None:
    run = noticed
    due = propose(run, "DZ05", "ZY01", "2026-11-20")  # objections until 11-27: due on the 29th
    waiting = propose(run, "DZ06", "ZY01", "2026-11-25")  # objections until 12-02
    disputed = propose(run, "DZ04", "ZY01", "2026-11-26")
    assert coins(run, "DZ05") == (3, 3)  # nothing counts yet
    assert (
        invoke(run, "board", "show", "--village", "DZ", "--month", "2026-11", "-f", "json").stdout.count('"rank"') == 0
    )
    rows = notice_rows(run)
    assert [
        (r["id"], r["household"], r["name"], r["title"], r["points"], r["booked_on"], r["last_day"]) for r in rows
    ] == [
        (due, "DZ05", "徐**", "参加志愿义务劳动", 5, "2026-11-20", "2026-11-27"),
        (waiting, "DZ06", "李秀梅", "参加志愿义务劳动", 5, "2026-11-25", "2026-12-02"),
        (disputed, "DZ04", "高新华", "参加志愿义务劳动", 5, "2026-11-26", "2026-12-03"),
    ]

    objected = invoke(run, "object", str(disputed), "--reason", "邻居反映当天不在村")
    assert f"proposal #{disputed} is voided" in objected.stdout
    again = run("object", str(disputed), "--reason", "再次")
    assert again.exit_code == 1 and "already settled or voided" in again.output
    assert [r["id"] for r in notice_rows(run)] == [due, waiting]

    early = invoke(run, "settle", "--village", "DZ", "--as-of", "2026-11-27")  # the last day is not over yet
    assert early.stdout.startswith("Nothing to post: no proposal's notice period had ended by 2026-11-27")
    assert "3 more are still on notice" not in early.stdout and "2 more are still on notice" in early.stdout
    assert invoke(run, "settle", "--village", "DZ").stdout.startswith("1 proposal posted")
    assert invoke(run, "settle", "--village", "DZ").stdout.startswith("Nothing to post")
    assert coins(run, "DZ05") == (8, 8)
    assert [r["id"] for r in notice_rows(run)] == [waiting]

    with reading(town) as session:
        proposal = get_entry(session, due)
        postings = session.exec(select(Entry).where(Entry.village == "DZ", Entry.ref_seq == proposal.seq)).all()
        assert [(p.kind, p.amount, p.earned, p.booked_on, p.event_date) for p in postings] == [
            ("award", 5, 5, "2026-11-20", "2026-11-20")
        ]
        void = session.exec(select(Entry).where(Entry.ref_seq == get_entry(session, disputed).seq)).one()
        assert (void.kind, void.amount, void.note) == ("void", 0, "邻居反映当天不在村")
        assert verify(session).ok  # amount-0 proposals and voids keep every check whole
    board = json.loads(invoke(run, "board", "show", "--village", "DZ", "--month", "2026-11", "-f", "json").stdout)
    assert [(r["household"], r["points"]) for r in board["rows"]] == [("DZ05", 5)]

    lines = json.loads(invoke(run, "statement", "DZ05", "--from", "2026-11-01", "-f", "json").stdout)["lines"]
    # The proposal and its posting are one passbook line, with the proposal's dates.
    assert [(line["kind"], line["coins"], line["balance"], line["proposal"]) for line in lines] == [
        ("award", 5, 8, due)
    ]
    journal = invoke(run, "export", "journal").stdout
    assert "proposal" not in journal and "void" not in journal  # they move no coins


def test_publishing_waits_for_the_notice_period(noticed: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run = noticed
    propose(run, "DZ05", "ZY01", "2026-11-25")
    invoke(run, "village", "set", "XZ", "--notice-days", "1")
    propose(run, "XZ04", "ZY01", "2026-11-20")
    freeze_today(monkeypatch, date(2026, 12, 1))  # November has ended; DZ05's notice runs to 2 December
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    held = run("board", "publish", "--village", "DZ", "--month", "2026-11")
    assert held.exit_code == 1 and "1 proposal booked in 2026-11" in held.output
    invoke(run, "settle", "--village", "XZ")
    invoke(run, "board", "publish", "--village", "XZ", "--month", "2026-11", "--out-of-order")
    closed = run("award", "XZ04", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-26")
    assert closed.exit_code == 1 and "2026-11 is closed" in closed.output


def test_maker_checker_leaves_own_proposals_to_another_operator(noticed: Run) -> None:
    run = noticed
    invoke(run, "village", "set", "DZ", "--maker-checker", "yes")
    for name, role in (("王委员", "checker"), ("李委员", "checker"), ("赵文书", "clerk")):
        invoke(run, "operator", "add", name, "--role", role)
    propose(run, "DZ01", "ZY01", "2026-11-10", operator="王委员")
    propose(run, "DZ02", "ZY01", "2026-11-10", operator="王委员")
    propose(run, "DZ03", "ZY01", "2026-11-10", operator="李委员")
    first = invoke(run, "settle", "--village", "DZ", operator="王委员")
    assert first.stdout.splitlines() == [
        "1 proposal posted: its notice period ended by 2026-11-29 without objection.",
        "2 more were proposed by you and must be settled by another operator (maker-checker).",
    ]
    alone = run("settle", "--village", "DZ", operator="王委员")
    assert alone.exit_code == 1 and "requires maker-checker" in alone.output and "王委员" in alone.output
    # Typing another name does not make another checker: only registered checkers settle.
    typed = run("settle", "--village", "DZ", operator="王委員")
    assert typed.exit_code == 1 and "The operator 王委員 is not registered and may not write" in typed.output
    clerk = run("settle", "--village", "DZ", operator="赵文书")
    assert clerk.exit_code == 1 and "赵文书 is a clerk; this needs the role checker (or above)" in clerk.output
    assert invoke(run, "settle", "--village", "DZ", operator="李委员").stdout.startswith("2 proposals posted")
    assert coins(run, "DZ01") == (17, 17) and coins(run, "DZ03") == (15, 15)


def test_pending_deductions_reserve_coins(noticed: Run) -> None:
    run = noticed
    assert coins(run, "DZ01") == (12, 12)
    deduction = propose(run, "DZ01", "LL03", "2026-11-26")  # -10, pending
    assert notice_rows(run)[0]["points"] == -10
    refused = run("redeem", "DZ01", "3", "--item", "香皂", "--booked", "2026-11-28")
    assert refused.exit_code == 1 and "12 coins, 10 of them held by proposed deductions" in refused.output
    invoke(run, "redeem", "DZ01", "2", "--item", "香皂", "--booked", "2026-11-28")
    invoke(run, "object", str(deduction), "--reason", "调解后双方和解")
    invoke(run, "redeem", "DZ01", "10", "--item", "洗衣粉", "--booked", "2026-11-28")
    assert coins(run, "DZ01") == (0, 12)


def test_pending_proposals_count_against_monthly_caps(noticed: Run) -> None:
    run = noticed
    propose(run, "DZ02", "HJ01", "2026-11-05")  # 2 of the cap of 4
    propose(run, "DZ02", "HJ01", "2026-11-06")  # 4 of 4
    over = run("award", "DZ02", "HJ01", "--on", "2026-11-07", "--booked", "2026-11-07")
    assert over.exit_code == 1 and "monthly cap of 4 (already 4 this month, this one 2)" in over.output


def test_objections_refused_where_they_do_not_apply(noticed: Run, town: Engine) -> None:
    run = noticed
    late = propose(run, "DZ05", "ZY01", "2026-11-20")
    too_late = run("object", str(late), "--reason", "迟到的异议")
    assert too_late.exit_code == 1 and "ended on 2026-11-27" in too_late.output
    no_reason = run("object", str(late), "--reason", "  ")
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    with reading(town) as session:
        posted_award = session.exec(select(Entry.id).where(Entry.kind == "award")).first()
    not_proposal = run("object", str(posted_award), "--reason", "x")
    assert not_proposal.exit_code == 1 and "is not a proposal" in not_proposal.output
    missing = run("object", "9999", "--reason", "x")
    assert missing.exit_code == 1 and "no entry #9999" in missing.output
    reversing = run("reverse", str(late), "--reason", "x")
    assert reversing.exit_code == 1 and "cannot be reversed" in reversing.output
    outputs = too_late.output + no_reason.output + not_proposal.output + missing.output + reversing.output
    assert "Traceback" not in outputs


def test_notice_period_cannot_change_while_proposals_wait(noticed: Run) -> None:
    run = noticed
    pending = propose(run, "DZ05", "ZY01", "2026-11-26")
    changed = run("village", "set", "DZ", "--notice-days", "0")
    assert changed.exit_code == 1 and "1 proposal not yet posted or voided" in changed.output
    invoke(run, "village", "set", "DZ", "--notice-days", "7", "--black-list", "no")  # same period: fine
    invoke(run, "object", str(pending), "--reason", "撤回")
    invoke(run, "village", "set", "DZ", "--notice-days", "0")
    result = invoke(run, "award", "DZ05", "ZY01", "--on", "2026-11-28", "--booked", "2026-11-28")
    assert result.stdout.startswith("Recorded as entry")


def test_retried_key_returns_the_same_proposal(noticed: Run) -> None:
    run = noticed
    first = propose(run, "DZ05", "ZY01", "2026-11-26", "--key", "2026-11-0001")
    again = invoke(
        run, "award", "DZ05", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-26", "--key", "2026-11-0001"
    )
    assert again.stdout == f"key 2026-11-0001 was used before: a repeat of entry {first}; nothing new was written\n"
    differs = run("award", "DZ05", "ZY02", "--on", "2026-11-26", "--booked", "2026-11-26", "--key", "2026-11-0001")
    assert differs.exit_code == 1 and "standard" in differs.output


def test_a_sheet_in_a_noticed_village_is_proposed(noticed: Run, tmp_path: Any, town: Engine) -> None:
    sheet = tmp_path / "november.csv"
    sheet.write_text(
        "household,standard,qty,event_date,booked_on\nDZ01,ZY01,1,2026-11-20,2026-11-25\nXZ01,ZY01,1,2026-11-20,2026-11-25\n",
        encoding="utf-8",
    )
    invoke(noticed, "import", "decisions", str(sheet))
    with reading(town) as session:
        kinds = dict(session.execute(text("SELECT household, kind FROM entry WHERE booked_on = '2026-11-25'")).all())
    assert kinds == {"DZ01": "proposal", "XZ01": "award"}  # XZ has no notice period


def test_the_database_refuses_a_second_posting(noticed: Run, town: Engine) -> None:
    proposal_id = propose(noticed, "DZ05", "ZY01", "2026-11-20")
    invoke(noticed, "settle", "--village", "DZ")
    # SQLite's guard aborts the insert; PostgreSQL's unique index entry_ref refuses it.
    with pytest.raises((IntegrityError, Contention)), writing(town) as session:
        proposal = get_entry(session, proposal_id)
        standard = session.get(Standard, proposal.standard_id)
        assert standard is not None
        Chain(session, "someone").write_one(posting_fields(proposal, standard))
    with reading(town) as session:
        count = session.exec(
            select(func.count()).select_from(Entry).where(Entry.kind == "award", Entry.household == "DZ05")
        )
        assert count.one() == 2  # October's and the one posting


def test_notice_prints_for_the_notice_board(noticed: Run) -> None:
    propose(noticed, "DZ05", "LL03", "2026-11-26")
    invoke(
        noticed, "village", "set", "DZ", "--committee", "东庄村村民委员会", "--contact", "村文书 刘会计 0536-1234567"
    )
    md = invoke(noticed, "notice", "show", "--village", "DZ", "-f", "md", lang="zh").stdout
    assert md.startswith("# 东庄村2026年11月拟记积分公示\n\n公示日期：2026年11月29日  \n异议截止：2026年12月3日  \n")
    assert "有异议的，请在截止日前向东庄村村民委员会提出，联系人：村文书 刘会计 0536-1234567。" in md
    assert "| 徐** | 打架斗殴 | -10 | 2026-11-26 | 2026-11-26 | 2026-12-03 |" in md
    page = invoke(noticed, "notice", "show", "--village", "DZ", "-f", "html", lang="zh").stdout
    assert page.startswith("<!DOCTYPE html>") and "<title>东庄村2026年11月拟记积分公示</title>" in page
    assert "徐**" in page and "东庄村村民委员会（盖章）" in page and "<th>备注</th>" in page
    assert "徐光成" not in md + page
    empty = invoke(noticed, "notice", "show", "--village", "XZ", lang="en").stdout
    assert "西庄村: proposed points on notice, 11/2026" in empty and "西庄村 villagers' committee" in empty
    bad = noticed("notice", "show", "--village", "DZ", "-f", "xml")
    assert bad.exit_code == 1 and "md, html" in bad.output


_TRANSFER = ("kind", "household", "debit", "credit", "amount", "coins", "earned", "standard_id", "qty", "note")


def test_a_posting_moves_what_a_direct_decision_would_and_a_void_moves_nothing(noticed: Any, town: Engine) -> None:
    posted = propose(noticed, "DZ05", "ZY01", "2026-11-20", "--note", "扫雪")
    voided = propose(noticed, "DZ04", "ZY01", "2026-11-28")
    invoke(noticed, "object", str(voided), "--reason", "  不属实 ")
    invoke(noticed, "settle", "--village", "DZ", "--as-of", "2026-11-28")
    invoke(noticed, "award", "XZ01", "ZY01", "--on", "2026-11-20", "--booked", "2026-11-20", "--note", "扫雪")
    with reading(town) as session:
        proposal = get_entry(session, posted)
        (posting,) = session.exec(select(Entry).where(Entry.ref_seq == proposal.seq, Entry.village == "DZ")).all()
        (direct,) = session.exec(select(Entry).where(Entry.household == "XZ01", Entry.booked_on == "2026-11-20"))
        (void,) = session.exec(select(Entry).where(Entry.kind == "void")).all()
        got = {name: getattr(posting, name) for name in _TRANSFER}
        want = {name: getattr(direct, name) for name in _TRANSFER}
        swap = {"households:XZ:XZ01": "households:DZ:DZ05", "village:XZ:issuance": "village:DZ:issuance"}
        assert got == want | {"household": "DZ05", "debit": swap[direct.debit], "credit": swap[direct.credit]}
        assert (posting.booked_on, posting.kind, posting.amount) == ("2026-11-20", "award", direct.amount)
        assert (void.amount, void.coins, void.earned, void.note, void.booked_on) == (0, 0, 0, "不属实", "2026-11-28")
        assert (void.debit, void.credit) == ("households:DZ:DZ04", "village:DZ:issuance")  # the proposal's, swapped


def test_an_objection_received_in_time_is_taken_when_entered_later(noticed: Run, town: Engine) -> None:
    run = noticed
    proposal = propose(run, "DZ05", "ZY01", "2026-11-20")  # objections until 2026-11-27; today is 11-29
    late = run("object", str(proposal), "--reason", "当天不在村")
    assert late.exit_code == 1 and "ended on 2026-11-27" in late.output
    early = run("object", str(proposal), "--reason", "当天不在村", "--received", "2026-11-19")
    assert early.output == (
        f"Error: proposal #{proposal} was booked on 2026-11-20; an objection cannot have been received before that\n"
    )
    future = run("object", str(proposal), "--reason", "当天不在村", "--received", "2026-12-01")
    assert future.output == "Error: --received: the date 2026-12-01 is in the future\n"
    done = invoke(run, "object", str(proposal), "--reason", "当天不在村", "--received", "2026/11/26")
    assert done.stdout.startswith(f"Objection recorded: proposal #{proposal} is voided")
    with reading(town) as session:
        note = session.exec(select(Entry.note).where(Entry.kind == "void")).one()
    assert note == "当天不在村（异议收到日期 2026-11-26）"
