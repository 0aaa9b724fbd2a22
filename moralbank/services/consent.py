"""Consent as records naming their recipient (PIPL art. 23 and 25): the board, one bank, or every bank.

A household's consent for a recipient on a date is the latest grant or withdrawal on or before
that date (ties: the later record). For a bank, its own events and the general ones (bank "*",
"every bank") are weighed together: a general consent covers a bank until a withdrawal for that
bank; a later general grant or withdrawal covers every bank again. Consent given on the
registration sheet (source "register") covers the household's whole record, since it was given
with the household's details, before any of its points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.identity import has_personal_number
from moralbank.domain.limits import text_problem
from moralbank.errors import InputError, NotFound, Refused, RowProblem, SheetError
from moralbank.services.consent_in_force import BANK as BANK  # the read half, re-exported
from moralbank.services.consent_in_force import BOARD as BOARD
from moralbank.services.consent_in_force import BOARD_CONSENT_SQL as BOARD_CONSENT_SQL
from moralbank.services.consent_in_force import EVERY_BANK as EVERY_BANK
from moralbank.services.consent_in_force import REGISTER as REGISTER
from moralbank.services.consent_in_force import Recipient as Recipient
from moralbank.services.consent_in_force import consenting as consenting
from moralbank.services.consent_in_force import in_force as in_force
from moralbank.services.consent_in_force import label as label
from moralbank.storage.models import Consent, Household
from moralbank.storage.records import cover


def recipient(*, board: bool, bank: str | None, all_banks: bool) -> Recipient:
    """The one recipient a command names (exactly one of ``--board``, ``--bank NAME``, ``--all-banks``)."""
    named = [board, bank is not None, all_banks]
    if sum(named) != 1:
        raise InputError("consent.one_recipient")
    if board:
        return Recipient(BOARD)
    if all_banks:
        return Recipient(BANK, EVERY_BANK)
    name = (bank or "").strip()
    if not name:
        raise InputError("consent.bank_required")
    return Recipient(BANK, _check_text("bank", name))


def _household(session: Session, code: str) -> Household:
    household = session.get(Household, code)
    if household is None:
        raise NotFound("household.not_found", code=code)
    return household


def _check_text(field: str, value: str) -> str:
    """A typed text value, trimmed; refused naming the field when too long, controlled or personal."""
    value = value.strip()
    if found := text_problem(field, value):
        raise SheetError("", [RowProblem(0, field, *found)])
    if has_personal_number(value):
        raise SheetError("", [RowProblem(0, field, "text.personal_number")])
    return value


def record_consent(
    session: Session,
    *,
    code: str,
    to: Recipient,
    action: str,
    on: date,
    form_ref: str,
    reason: str,
    operator: str,
    today: date,
) -> int:
    """Append a grant or withdrawal (and its record); refused for a future date or a change that changes nothing."""
    household = _household(session, code)
    if on > today:
        raise InputError("consent.future", on=on.isoformat(), today=today.isoformat())
    form_ref, reason = _check_text("ref", form_ref), _check_text("reason", reason)
    if action == "grant" and not form_ref:
        raise InputError("consent.ref_required")
    if action == "withdraw" and not (form_ref or reason):
        raise InputError("consent.withdraw_needs_why")
    # A grant that its own recipient already holds changes nothing; so does withdrawing what is not
    # in force (a named bank's consent may be in force through the general one, and is withdrawn).
    granting = action == "grant"
    if in_force(session, [code], to, on, exact=granting).get(code, False) == granting:
        already = "consent.already_granted" if action == "grant" else "consent.already_withdrawn"
        raise Refused(already, code=code, recipient=label(to), on=on.isoformat())
    row = Consent(
        household=household.code,
        recipient=to.kind,
        bank=to.bank,
        action=action,
        on_date=on.isoformat(),
        form_ref=form_ref,
        reason=reason,
        operator=operator,
        recorded_at=clock.stamp(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    cover(session, "consent", [row.id])
    return row.id


@dataclass(frozen=True)
class ConsentRow:
    """One consent event as ``consent list`` shows it."""

    no: int  # the record's number
    household: str
    recipient: str  # board, bank:NAME, or bank:* (general: every bank)
    general: bool
    action: str
    on: str
    ref: str
    why: str  # the reason given for a withdrawal
    source: str
    operator: str
    recorded_at: str


def consent_rows(session: Session, *, code: str) -> list[ConsentRow]:
    """A household's consent events, in the order they take effect."""
    _household(session, code)
    query = text(
        "SELECT id, household, recipient, bank, action, on_date, form_ref, reason, source, operator, recorded_at "
        "FROM consent WHERE household = :h ORDER BY on_date, id"
    )
    return [
        ConsentRow(
            int(r[0]),
            r[1],
            label(Recipient(r[2], r[3])),
            r[2] == BANK and r[3] == EVERY_BANK,
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
        )
        for r in session.execute(query, {"h": code})
    ]


def register_consents(session: Session, households: list[dict[str, object]], operator: str) -> None:
    """The consent a registration sheet states (同意公示, 同意报送银行 = 是) as records: board and every bank."""
    stamp = clock.stamp()
    rows = [
        {
            "household": str(h["code"]),
            "recipient": kind,
            "bank": bank,
            "action": "grant",
            "on_date": str(h["registered_on"]),
            "source": REGISTER,
            "operator": operator,
            "recorded_at": stamp,
        }
        for h in households
        for kind, bank, column in ((BOARD, "", "consent_board"), (BANK, EVERY_BANK, "consent_bank"))
        if h[column]
    ]
    if not rows:
        return
    session.execute(insert(Consent), rows)
    codes = sorted({str(row["household"]) for row in rows})
    ids: list[int] = []
    for start in range(0, len(codes), 500):
        query = select(Consent.id).where(col(Consent.household).in_(codes[start : start + 500]))
        ids += [int(found) for found in session.exec(query).all() if found is not None]
    cover(session, "consent", sorted(ids))
