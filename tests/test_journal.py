"""The journal export: parsed back it gives every balance, and ledger-cli computes the same balances."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from moralbank.reports.passbook import balance
from moralbank.reports.registry import household_rows
from moralbank.services import ledger as ledger_service
from moralbank.services.demo import load_demo
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.golden_files import assert_golden
from tests.runner import Run, ok
from tests.town import HOUSEHOLD_CODES, TODAY, book, build_register

LEDGER_CLI = "/usr/bin/ledger"
_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2}) \((\w+)-(\d+)\) (\w+) (\S+)(.*)$")
_POSTING = re.compile(r"^    (\S(?:.*\S)?)  (-?\d+) coins$")


@dataclass(frozen=True)
class Transaction:
    """One transaction read back from the journal."""

    day: str
    village: str
    seq: int
    kind: str
    household: str
    rest: str
    postings: list[tuple[str, int]]


def parse_journal(body: str) -> list[Transaction]:
    """A strict reader for the journal moralbank writes: a header line and two postings per transaction."""
    blocks = [b for b in body.split("\n\n") if b.strip()]
    assert blocks[0] == "; moralbank journal: one transaction per ledger entry, amounts in whole coins\ncommodity coins"
    found = []
    for block in blocks[1:]:
        head, *lines = block.strip("\n").split("\n")
        if " (goods-" in head:  # the supermarket's goods, in their own commodities: tests/test_shop.py
            continue
        match = _HEAD.match(head)
        assert match, head
        postings = []
        for line in lines:
            posting = _POSTING.match(line)
            assert posting, line
            postings.append((posting[1], int(posting[2])))
        day, village, seq, kind, household, rest = match.groups()
        found.append(Transaction(day, village, int(seq), kind, household, rest, postings))
    return found


def account_totals(transactions: list[Transaction]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for t in transactions:
        assert len(t.postings) == 2 and sum(amount for _, amount in t.postings) == 0  # every one balances
        for account, amount in t.postings:
            totals[account] += amount
    return totals


@pytest.fixture
def small(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Six decisions, a reversal, a redemption and a note that could break a journal line."""
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    book(engine, [("NL001", "ZY01", 2, "a"), ("NL002", "XL01", 1, "b"), ("BG001", "LL03", 1, "c")])
    book(engine, [("NL001", "XL01", 2, "d"), ("BG002", "ZY01", 1, "e"), ("NL003", "ZY01", 3, "f")], booked="2026-10-26")
    refused = run("reverse", "3", "--reason", "查无此事; 撤销\n第二行", "--booked", "2026-11-02")
    assert refused.exit_code == 1 and "U+000A" in refused.stderr  # typed today, a newline is refused
    with monkeypatch.context() as legacy:  # an older ledger may hold one: the journal keeps it on one line
        legacy.setattr(ledger_service, "check_text", lambda field, value: None)
        ok(run("reverse", "3", "--reason", "查无此事; 撤销\n第二行", "--booked", "2026-11-02"))
    ok(run("redeem", "NL001", "7", "--item", "食用油  一桶", "--booked", "2026-11-03"))
    return run


def test_journal_reads_back_to_every_balance(small: Run, engine: Engine) -> None:
    body = ok(small("export", "journal"))
    transactions = parse_journal(body)
    assert [(t.day, t.village, t.seq, t.kind, t.household) for t in transactions] == [
        ("2026-10-25", "BG", 1, "deduction", "BG001"),
        ("2026-10-25", "NL", 1, "award", "NL001"),
        ("2026-10-25", "NL", 2, "award", "NL002"),
        ("2026-10-26", "BG", 2, "award", "BG002"),
        ("2026-10-26", "NL", 3, "award", "NL001"),
        ("2026-10-26", "NL", 4, "award", "NL003"),
        ("2026-11-02", "NL", 5, "reversal", "NL002"),
        ("2026-11-03", "NL", 6, "redemption", "NL001"),
    ]
    assert transactions[6].rest == " XL01 孝敬赡养父母  ; 查无此事, 撤销 第二行"  # one line, no stray comment
    assert transactions[7].rest == "  ; 食用油 一桶"
    totals = account_totals(transactions)
    with reading(engine) as session:
        for code in HOUSEHOLD_CODES:
            assert totals.get(f"households:{code[:2]}:{code}", 0) == balance(session, household=code).coins
    assert {k: v for k, v in totals.items() if v} == {
        "households:NL:NL001": 8 + 10 - 7,
        "households:NL:NL003": 12,
        "households:BG:BG001": -10,
        "households:BG:BG002": 4,
        "village:NL:issuance": -30,
        "village:NL:redemption": 7,
        "village:BG:issuance": 6,
    }
    assert_golden("core/journal_small.ledger", body)


@pytest.mark.parametrize(("lang", "said"), [("en", "8 transactions written to {}\n"), ("zh", "已导出 8 笔交易到 {}\n")])
def test_journal_to_a_file(small: Run, tmp_path: Path, lang: str, said: str) -> None:
    out = tmp_path / "道德银行.journal"
    assert ok(small("export", "journal", "--out", str(out), lang=lang)) == said.format(out)
    assert out.read_text(encoding="utf-8") == ok(small("export", "journal"))
    missing = tmp_path / "no" / "such" / "folder.journal"
    result = small("export", "journal", "--out", str(missing))
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: Cannot write {missing}: ")


def ledger_cli_balances(journal: Path) -> dict[str, int]:
    """Every household's balance as ledger-cli computes it from the journal alone."""
    run = subprocess.run(
        [LEDGER_CLI, "-f", str(journal), "--flat", "--no-total", "--empty", "balance", "^households:"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for line in run.stdout.splitlines():
        if re.match(r'^\s*-?\d+ "?[A-Za-z0-9_-]+"?(  households:\S+:goods)?$', line) and " coins" not in line:
            continue  # goods redeemed, counted in units of their item (tests/test_shop.py)
        match = re.match(r"^\s*(-?\d+) coins  (households:\S+)$", line) or re.match(r"^\s*(0)  (households:\S+)$", line)
        assert match, line
        found[match[2]] = int(match[1])
    return found


@pytest.mark.skipif(not shutil.which(LEDGER_CLI), reason="ledger-cli is not installed at /usr/bin/ledger")
def test_ledger_cli_recomputes_every_demo_balance(engine: Engine, run: Run, tmp_path: Path) -> None:
    loaded = load_demo(engine, operator="会计", today=date(2026, 11, 29))
    journal = tmp_path / "demo.journal"
    ok(run("export", "journal", "--out", str(journal)))
    with reading(engine) as session:
        expected = {
            f"households:{row.village}:{row.code}": balance(session, household=row.code).coins
            for row in household_rows(session)
        }
        entries = session.execute(text("SELECT COUNT(*) FROM entry WHERE amount > 0")).scalar_one()
    assert len(parse_journal(journal.read_text(encoding="utf-8"))) == entries > loaded.households
    computed = ledger_cli_balances(journal)
    assert {k: v for k, v in computed.items() if v} == {k: v for k, v in expected.items() if v}
    assert len([v for v in expected.values() if v]) > 100  # most of the 165 households have coins
