"""The bank's answer: each line of a bank's table matched to a household of a logged export, then recorded.

A line is matched by household code, by full ID number (compared with the register, never
stored), or by masked ID number and name as the list printed them. A line that matches no
household of the export, or more than one, is an error naming its row; the whole table is
written or nothing is, and the same file is never read twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.identity import id_problem
from moralbank.errors import InputError, NotFound, Refused, RowProblem, SheetError
from moralbank.services.bank_tables import BankLine, BankTable
from moralbank.storage.models import BankImport, BankResult, ExportedRow, ExportLog, Household

_FULL_ID = re.compile(r"^\d{17}[\dX]$")
_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", ".": "·"})


def same_name(name: str) -> str:
    """A name as compared: 李 志刚, 李志刚, 李\u3000志刚 and 李\u200b志刚 are one name; so are 阿依·买买提 and 阿依•买买提."""
    kept = (c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf")  # zero-width
    return "".join("".join(kept).split()).translate(_DOTS)


@dataclass(frozen=True)
class Recorded:
    """A bank's table recorded: its import number, kind, the export it answers and its rows."""

    id: int
    kind: str
    bank: str
    export_id: int
    rows: int
    approved: int
    refused: int


def answered_export(session: Session, *, bank: str, export_id: int | None) -> ExportLog:
    """The export a bank's table answers: ``export_id`` (which must be that bank's), or the bank's latest."""
    bank = bank.strip()
    if not bank:
        raise InputError("credit.bank_required")
    if export_id is not None:
        found = session.get(ExportLog, export_id)
        if found is None:
            raise NotFound("bank_results.no_such_export", id=export_id)
        if found.bank != bank:
            raise Refused("bank_results.export_other_bank", id=export_id, bank=bank, other=found.bank)
        return found
    query = select(ExportLog).where(ExportLog.bank == bank).order_by(col(ExportLog.id).desc())
    latest = session.exec(query).first()
    if latest is None:
        raise NotFound("bank_results.no_export", bank=bank)
    return latest


class _Listed:
    """The households of one export, indexed the three ways a bank's line can name them."""

    def __init__(self, session: Session, export: ExportLog) -> None:
        query = select(ExportedRow).where(ExportedRow.export_id == export.id).order_by(col(ExportedRow.row_no))
        rows = session.exec(query).all()
        if not rows:
            raise Refused("bank_results.export_without_rows", id=export.id, bank=export.bank)
        self.by_code: dict[str, list[ExportedRow]] = defaultdict(list)
        self.by_mask: dict[tuple[str, str], list[ExportedRow]] = defaultdict(list)
        for row in rows:
            self.by_code[row.household].append(row)
            self.by_mask[(row.id_masked.upper(), same_name(row.head_name))].append(row)
        codes = list(self.by_code)
        self.by_id: dict[str, list[ExportedRow]] = defaultdict(list)
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            found = select(Household.code, Household.id_number).where(col(Household.code).in_(chunk))
            for code, number in session.exec(found).all():
                self.by_id[number.strip().upper()] += self.by_code[code]

    def match(self, line: BankLine, problems: list[RowProblem]) -> ExportedRow | None:
        """The one export row the line names, or None with the problem noted."""
        field, found = self._candidates(line, problems)
        if found is None:
            return None
        if not found:
            problems.append(RowProblem(line.row, field, "bank_results.no_match"))
            return None
        if len({r.household for r in found}) > 1:
            problems.append(RowProblem(line.row, field, "bank_results.ambiguous", {"count": len(found)}))
            return None
        chosen = found[0]
        if line.name and same_name(line.name) != same_name(chosen.head_name):
            problems.append(RowProblem(line.row, "name", "bank_results.name_differs", {"name": line.name[:50]}))
            return None
        return chosen

    def _candidates(self, line: BankLine, problems: list[RowProblem]) -> tuple[str, list[ExportedRow] | None]:
        if line.household:
            return "household", self.by_code.get(line.household, [])
        number = line.id_number
        if not number:  # neither a code nor an ID number: already told as a missing cell
            return "id_number", None
        if _FULL_ID.match(number):
            if id_problem(number) is not None:
                problems.append(RowProblem(line.row, "id_number", "bank_results.bad_id"))
                return "id_number", None
            return "id_number", self.by_id.get(number, [])
        if "*" in number:
            if not line.name:
                problems.append(RowProblem(line.row, "name", "bank_results.masked_needs_name"))
                return "name", None
            return "id_number", self.by_mask.get((number, same_name(line.name)), [])
        problems.append(RowProblem(line.row, "id_number", "bank_results.bad_id"))
        return "id_number", None


def _matched(session: Session, table: BankTable, export: ExportLog) -> list[tuple[BankLine, ExportedRow]]:
    listed = _Listed(session, export)
    problems = list(table.problems)
    matched: list[tuple[BankLine, ExportedRow]] = []
    first_row: dict[str, int] = {}
    for line in table.lines:
        row = listed.match(line, problems)
        if row is None:
            continue
        if row.household in first_row:
            field = "household" if line.household else "id_number"
            problems.append(RowProblem(line.row, field, "bank_results.twice", {"first": first_row[row.household]}))
            continue
        first_row[row.household] = line.row
        matched.append((line, row))
    if problems:
        raise SheetError(table.source, sorted(problems, key=lambda p: p.row))
    return matched


def file_digest(path: Path) -> str:
    """The SHA-256 of a bank's file, as the import log keeps it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refuse_repeat(session: Session, digest: str, name: str) -> None:
    earlier = session.exec(select(BankImport).where(BankImport.file_sha256 == digest)).first()
    if earlier is not None:
        raise Refused(
            "bank_results.same_file",
            path=name,
            id=earlier.id,
            name=earlier.file_name,
            at=clock.local_time(earlier.imported_at),
            operator=earlier.operator,
        )


def record_results(
    session: Session, *, table: BankTable, path: Path, bank: str, export_id: int | None, operator: str
) -> Recorded:
    """Match every line of ``table`` to the export's households and record them all, or refuse the table."""
    digest = file_digest(path)
    _refuse_repeat(session, digest, path.name)
    export = answered_export(session, bank=bank, export_id=export_id)
    assert export.id is not None
    matched = _matched(session, table, export)
    record = BankImport(
        bank=export.bank,
        export_id=export.id,
        kind=table.kind,
        file_name=path.name,
        file_sha256=digest,
        row_count=len(matched),
        operator=operator,
        imported_at=clock.stamp(),
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    rows = [_result(record.id, export.bank, export.id, table.kind, line, row) for line, row in matched]
    if rows:
        session.execute(insert(BankResult.__table__), rows)  # type: ignore[attr-defined]
    approved = sum(1 for line, _ in matched if line.approved)
    refused = sum(1 for line, _ in matched if line.approved is False)
    return Recorded(record.id, table.kind, export.bank, export.id, len(matched), approved, refused)


def _result(
    import_id: int, bank: str, export_id: int, kind: str, line: BankLine, row: ExportedRow
) -> dict[str, object]:
    return {
        "import_id": import_id,
        "source_row": line.row,
        "bank": bank,
        "export_id": export_id,
        "export_row": row.row_no,
        "household": row.household,
        "kind": kind,
        "on_date": line.on.isoformat(),
        "amount_fen": line.amount_fen,
        "approved": None if line.approved is None else int(line.approved),
        "term_months": line.term_months,
        "overdue_days": line.overdue_days,
        "note": line.note,
    }
