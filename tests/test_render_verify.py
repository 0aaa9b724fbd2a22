"""The verify report in words and as JSON: each kind of problem named as the user reads it."""

from __future__ import annotations

import json

from moralbank.render.verify import problem_text, verify_document, verify_json, verify_lines
from moralbank.reports.integrity import Problem, VerifyReport

HASH = Problem("DZ", 3, 17, "chain.bad_hash", {"id": 17})
CUT = Problem("DZ", 9, None, "chain.truncated", {"seq": 9})
SUM = Problem("", None, None, "ledger.not_zero_sum", {"total": 5})
BOARD = Problem("DZ", None, None, "board.snapshot_altered", {"board": 2, "month": "2026-10"}, board=2)


def test_each_problem_names_what_it_concerns() -> None:
    assert (
        problem_text(HASH, "en")
        == "village DZ, seq 3 (entry #17): the entry's content does not match its hash (altered)"
    )
    assert problem_text(CUT, "en") == "village DZ, seq 9: tail cut: entry 9 from the checkpoint is missing"
    assert problem_text(SUM, "en") == "all balances do not sum to zero: 5"
    assert problem_text(BOARD, "en") == (
        "board #2 (village DZ, 2026-10): the stored snapshot does not match its hash or checkpoint (altered)"
    )
    assert problem_text(CUT, "zh") == "村 DZ，第 9 条：链尾缺失：检查点的第 9 条记录已不存在"


def test_lines_say_what_was_checked_or_list_every_problem() -> None:
    assert verify_lines(VerifyReport(villages=2, entries=40), "en") == [
        "Ledger intact: 2 village(s), 40 entries; chains and checkpoints match; balances sum to zero."
    ]
    assert verify_lines(VerifyReport(villages=2, entries=40, boards=3), "en")[1] == (
        "3 published boards match the ledger."
    )
    failed = verify_lines(VerifyReport(villages=1, entries=9, problems=[HASH, SUM]), "en")
    assert failed == [
        "Verification failed with 2 problems:",
        "  " + problem_text(HASH, "en"),
        "  " + problem_text(SUM, "en"),
    ]


def test_json_carries_the_counts_and_each_problem_with_key_and_message() -> None:
    report = VerifyReport(villages=1, entries=9, problems=[CUT], boards=0)
    document = verify_document(report, "en")
    assert document == {
        "ok": False,
        "villages": 1,
        "entries": 9,
        "boards": 0,
        "records": 0,
        "problems": [
            {
                "village": "DZ",
                "seq": 9,
                "entry": None,
                "board": None,
                "problem": "chain.truncated",
                "message": problem_text(CUT, "en"),
            }
        ],
    }
    assert json.loads(verify_json(report, "en")) == document
    assert verify_document(VerifyReport(), "zh")["ok"] is True
