"""Check the records: every scope's chain, and every covered row against its record (none changed, gone or added)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from moralbank.domain.records import GENESIS, body_text, differing_fields, record_hash
from moralbank.storage.records import COVERED, live_rows


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the records, naming the record by kind and reference (never a personal value)."""

    scope: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecordsCheck:
    """What the records check found: how many records and covered rows it compared, and every finding."""

    records: int = 0
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)


_RECORDS = "SELECT scope, seq, kind, ref, body, recorded_at, prev_hash, hash FROM record ORDER BY scope, seq"


def _chains(connection: Connection, check: RecordsCheck) -> Iterator[tuple[str, str, str, str]]:
    """Walk every scope's chain, reporting its first break; yields (kind, ref, scope, body) of every record."""
    scope, seq, head, broken = None, 0, GENESIS, False
    for row in connection.execution_options(stream_results=True).execute(text(_RECORDS)):
        if row[0] != scope:
            scope, seq, head, broken = row[0], 0, GENESIS, False
        if not broken and (problem := _link_problem(row, seq, head)) is not None:
            key, extra = problem
            where = {"scope": row[0], "seq": row[1], "kind": row[2], "ref": row[3]}  # only for a finding
            check.findings.append(Finding(row[0], key, where | extra))
            broken = True
        seq, head = row[1], row[7]
        check.records += 1
        yield row[2], row[3], row[0], row[4]


def _link_problem(row: Any, seq: int, head: str) -> tuple[str, dict[str, Any]] | None:
    """Why a record does not follow the one before it in its scope's chain (with what to say), or None."""
    if row[1] != seq + 1:
        return "records.gap", {"expected": seq + 1}
    if row[6] != head:
        return "records.broken_link", {}
    if record_hash(row[6], row[0], row[1], row[2], row[4], row[5]) != row[7]:
        return "records.bad_hash", {}
    return None


def _body(text_body: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text_body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _live_text(body: dict[str, Any]) -> str | None:
    """A live row's body as canonical text; None where no JSON can hold it (a blob stored in a
    text column behind the program's back), which the field-by-field comparison then reports."""
    try:
        return body_text(body)
    except (TypeError, ValueError):
        return None


def check_records(connection: Connection) -> RecordsCheck:
    """Every records chain intact, and every covered row exactly as recorded, with a record, and still there."""
    check = RecordsCheck()
    recorded: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, ref, scope, body in _chains(connection, check):
        recorded[(kind, ref)] = (scope, body)
    for covered in COVERED:
        for row in live_rows(connection, covered.kind):
            check.rows += 1
            found = recorded.pop((row.kind, row.ref), None)
            what = {"kind": row.kind, "ref": row.ref}
            if found is None:
                check.findings.append(Finding(row.scope, "records.not_recorded", what))
                continue
            scope, body = found
            if scope == row.scope and body == _live_text(row.body):
                continue  # the common case, by the text: 343,000 rows at L (bench/RESULTS.md, round four)
            before = _body(body)
            fields = ["*"] if before is None else differing_fields(before, row.body)
            if scope != row.scope:
                fields = sorted({*fields, "village"})
            if fields:
                check.findings.append(Finding(row.scope, "records.changed", what | {"fields": ", ".join(fields)}))
    for (kind, ref), (scope, _body_text) in sorted(recorded.items()):
        check.findings.append(Finding(scope, "records.missing", {"kind": kind, "ref": ref}))
    return check
