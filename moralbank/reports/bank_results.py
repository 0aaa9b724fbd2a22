"""What banks did: each household's latest standing with its banks, and what each bank sent back per export.

A household's standing with a bank is derived from its records as of a date: the latest
approval (authorised while its term runs), the latest drawing (the amount drawn then) and the
latest arrears report (overdue amount and days; 0 means cleared). Nothing is ever edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from moralbank.domain.credit_policy import share_permille
from moralbank.domain.shop import fen_text
from moralbank.services.bank_tables import expires
from moralbank.storage.reads import Rows, rows_of

if TYPE_CHECKING:
    from sqlmodel import Session

_RECORDS = """
SELECT r.bank, r.household, r.kind, r.on_date, r.amount_fen, r.approved, r.term_months, r.overdue_days
FROM bank_result r {join}
WHERE r.on_date <= :on {where}
ORDER BY r.bank, r.household, r.kind, r.on_date, r.id
"""


class _Record(NamedTuple):
    """One row of ``_RECORDS`` (read over either driver as a plain tuple)."""

    bank: str
    household: str
    kind: str
    on_date: str
    amount_fen: int
    approved: int | None
    term_months: int | None
    overdue_days: int | None


@dataclass
class Standing:
    """One household's standing with every bank as of a date; amounts in fen."""

    household: str
    authorised_fen: int = 0
    drawn_fen: int = 0
    overdue_fen: int = 0
    overdue_days: int = 0  # the most days overdue at any bank
    loans_fen: int = 0  # what it owes: per bank the amount drawn, or the overdue amount if more
    bad_fen: int = 0  # of which loans overdue the policy's bad-loan days or more
    banks: list[str] = field(default_factory=list)

    @property
    def authorised(self) -> bool:
        """Whether a bank authorised credit that still runs."""
        return self.authorised_fen > 0

    @property
    def borrower(self) -> bool:
        """Whether it has drawn on a loan (or owes an overdue amount)."""
        return self.loans_fen > 0

    @property
    def in_arrears(self) -> bool:
        """Whether a bank reports an amount overdue."""
        return self.overdue_fen > 0


def _latest(
    session: Session | Rows, on: str, village: str | None, household: str | None
) -> dict[tuple[str, str, str], Any]:
    join, where, params = "", "", {"on": on}
    if village is not None:
        join, where, params["v"] = "JOIN household_current h ON h.code = r.household", "AND h.village = :v", village
    if household is not None:
        where, params["h"] = "AND r.household = :h", household
    latest: dict[tuple[str, str, str], Any] = {}
    for row in rows_of(session).rows(_RECORDS.format(join=join, where=where), params):
        latest[(row[0], row[1], row[2])] = _Record(*row)  # ordered by date: the last one stands
    return latest


def standings(
    session: Session | Rows,
    *,
    as_of: date,
    bad_loan_days: int,
    village: str | None = None,
    household: str | None = None,
) -> dict[str, Standing]:
    """Every household with a bank record up to ``as_of``, with its standing then."""
    on = as_of.isoformat()
    latest = _latest(session, on, village, household)
    found: dict[str, Standing] = {}
    for bank, code in sorted({(b, h) for b, h, _ in latest}):
        place = found.setdefault(code, Standing(code))
        place.banks.append(bank)
        approval, drawing, arrears = (latest.get((bank, code, kind)) for kind in ("approval", "drawing", "arrears"))
        if approval is not None and approval.approved:
            until = expires(approval.on_date, approval.term_months)
            place.authorised_fen += approval.amount_fen if until is None or until > on else 0
        drawn = drawing.amount_fen if drawing is not None else 0
        overdue = arrears.amount_fen if arrears is not None else 0
        days = (arrears.overdue_days or 0) if arrears is not None and overdue else 0
        place.drawn_fen += drawn
        place.overdue_fen += overdue
        place.overdue_days = max(place.overdue_days, days)
        place.loans_fen += max(drawn, overdue)
        place.bad_fen += max(drawn, overdue) if overdue and days >= bad_loan_days else 0
    return found


@dataclass
class BankFigures:
    """Households and amounts that banks reported, summed (a village, or the county)."""

    authorised: int = 0
    authorised_fen: int = 0
    drawn_fen: int = 0
    borrowers: int = 0
    in_arrears: int = 0
    loans_fen: int = 0
    bad_fen: int = 0

    def add(self, standing: Standing) -> None:
        """Count one household's standing."""
        self.authorised += standing.authorised
        self.authorised_fen += standing.authorised_fen
        self.drawn_fen += standing.drawn_fen
        self.borrowers += standing.borrower
        self.in_arrears += standing.in_arrears and standing.borrower
        self.loans_fen += standing.loans_fen
        self.bad_fen += standing.bad_fen

    def merge(self, other: BankFigures) -> None:
        """Add another place's figures to these."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def repaying_permille(self) -> int:
        """Borrowers not in arrears, per thousand borrowers."""
        return share_permille(self.borrowers - self.in_arrears, self.borrowers)

    @property
    def bad_permille(self) -> int:
        """Bad loans per thousand of what borrowers owe."""
        return share_permille(self.bad_fen, self.loans_fen)


# --- what one bank sent back (for its own reconciliation) ---------------------------------------

_ANSWERS = """
SELECT r.export_id, r.household, r.kind, r.amount_fen, r.approved, r.overdue_days
FROM bank_result r
WHERE r.bank = :bank
ORDER BY r.export_id, r.household, r.kind, r.on_date, r.id
"""


@dataclass
class ExportAnswer:
    """One export to a bank and what the bank has sent back on it (latest record per household); yuan."""

    export: int
    as_of: str
    listed: int
    answered: int = 0
    approved: int = 0
    refused: int = 0
    authorised_yuan: int = 0
    drawing: int = 0
    drawn_yuan: int = 0
    in_arrears: int = 0
    overdue_yuan: str = "0.00"  # overdue amounts carry fen (interest): told exactly, never rounded
    tables: int = 0


def _yuan(fen: int) -> int:
    return (fen + 50) // 100  # authorised and drawn amounts are whole yuan (bank_tables refuses finer)


def bank_answers(session: Session, *, bank: str) -> list[ExportAnswer]:
    """Per export to ``bank``, oldest first: households listed, answered, approved, refused, amounts."""
    from sqlalchemy import text
    from sqlmodel import col, select

    from moralbank.storage.models import ExportLog

    exports = session.exec(select(ExportLog).where(ExportLog.bank == bank.strip()).order_by(col(ExportLog.id))).all()
    answers = {e.id or 0: ExportAnswer(e.id or 0, e.as_of, e.row_count) for e in exports}
    latest: dict[tuple[int, str, str], Any] = {}
    for row in session.execute(text(_ANSWERS), {"bank": bank.strip()}):
        latest[(row[0], row[1], row[2])] = row
    fen: dict[int, list[int]] = {number: [0, 0, 0] for number in answers}
    for (export, _, kind), row in latest.items():
        answer, sums = answers[export], fen[export]
        if kind == "approval":
            answer.answered += 1
            answer.approved += bool(row.approved)
            answer.refused += not row.approved
            sums[0] += row.amount_fen if row.approved else 0
        elif kind == "drawing" and row.amount_fen:
            answer.drawing += 1
            sums[1] += row.amount_fen
        elif kind == "arrears" and row.amount_fen:
            answer.in_arrears += 1
            sums[2] += row.amount_fen
    tables = "SELECT export_id, COUNT(*) FROM bank_import WHERE bank = :bank GROUP BY export_id"
    for export, count in session.execute(text(tables), {"bank": bank.strip()}):
        answers[export].tables = int(count)
    for number, answer in answers.items():
        answer.authorised_yuan, answer.drawn_yuan = _yuan(fen[number][0]), _yuan(fen[number][1])
        answer.overdue_yuan = fen_text(fen[number][2])
    return list(answers.values())
