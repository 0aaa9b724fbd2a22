"""What ``verify`` found, for people (lines of text) and machines (a JSON document)."""

from __future__ import annotations

import json
from typing import Any

from moralbank.messages import MESSAGES, text
from moralbank.reports.integrity import Problem, VerifyReport


def problem_text(problem: Problem, lang: str) -> str:
    """One problem in words, naming the board, the village and entry, or the whole ledger it concerns."""
    params = problem.params
    if problem.key.startswith("records.") and f"record_kind.{params.get('kind')}" in MESSAGES:
        params = params | {"kind": text(f"record_kind.{params['kind']}", lang)}
    reason = text(problem.key, lang, **params)
    if problem.board is not None:
        month = problem.params["month"]
        return text(
            "verify.problem_board", lang, board=problem.board, village=problem.village, month=month, reason=reason
        )
    if not problem.village:
        return text("verify.problem_global", lang, reason=reason)
    if problem.entry is None:  # a checkpoint's entry that is no longer there
        return text("verify.problem_seq", lang, village=problem.village, seq=problem.seq, reason=reason)
    return text("verify.problem", lang, village=problem.village, seq=problem.seq, entry=problem.entry, reason=reason)


def verify_document(report: VerifyReport, lang: str) -> dict[str, Any]:
    """The report as JSON data: ``ok``, what was checked, and each problem with its key and message."""
    problems = [
        {
            "village": p.village,
            "seq": p.seq,
            "entry": p.entry,
            "board": p.board,
            "problem": p.key,
            "message": problem_text(p, lang),
        }
        for p in report.problems
    ]
    counts = {"villages": report.villages, "entries": report.entries, "boards": report.boards}
    counts["records"] = report.records
    return {"ok": report.ok, **counts, "problems": problems}


def verify_json(report: VerifyReport, lang: str) -> str:
    """The report as JSON text, as ``verify --format json`` prints it."""
    return json.dumps(verify_document(report, lang), ensure_ascii=False, indent=2) + "\n"


def verify_lines(report: VerifyReport, lang: str) -> list[str]:
    """What ``verify`` says: for a sound ledger, what was checked (stdout); else each problem (stderr)."""
    if report.ok:
        lines = [text("verify.ok", lang, villages=report.villages, entries=report.entries)]
        lines += [text("verify.boards_ok", lang, count=report.boards)] if report.boards else []
        stock = text("verify.stock_ok", lang, villages=report.stock_chains, count=report.movements)
        lines += [stock] if report.movements else []
        return lines + ([text("verify.records_ok", lang, count=report.records)] if report.records else [])
    return [text("verify.failed", lang, count=len(report.problems))] + [
        "  " + problem_text(p, lang) for p in report.problems
    ]
