"""The operator register: who may write, with which role (clerk, checker, township); append-only.

Who may do what (the README's "Trust model" lists it for people):

- **clerk**: the day's records: households, awards and deductions, reversals, imports of
  households and decisions, objections, redemptions, the supermarket's stock.
- **checker**: a clerk's work, and approvals: settling the notice period (maker-checker: never
  one's own proposals), publishing a board.
- **township**: everything: the operator register, villages and their settings, resolutions and
  standards, the year's opening and closing, signed bank exports.

Roles are ordered: each one may do what the roles before it may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from moralbank.domain import clock
from moralbank.domain.identity import has_personal_number
from moralbank.domain.limits import check_text
from moralbank.errors import InputError, Refused
from moralbank.storage.reads import Rows, rows_of

if TYPE_CHECKING:  # who may write is read as plain SQL: a signed export checks it without SQLAlchemy
    from sqlmodel import Session

ROLES = ("clerk", "checker", "township")
CLERK, CHECKER, TOWNSHIP = ROLES


@dataclass(frozen=True)
class Registration:
    """What ``operator add`` did: ``added`` False when the name already had that role."""

    name: str
    role: str
    added: bool
    previous: str | None


@dataclass(frozen=True)
class OperatorRow:
    """One operator as ``operator list`` shows them: the current role, registered when, by whom."""

    name: str
    role: str
    registered_at: str
    added_by: str


def check_role_name(role: str) -> str:
    """A role, or an error listing the roles."""
    if role not in ROLES:
        raise InputError("operator.bad_role", role=role, roles=", ".join(ROLES))
    return role


def check_name(name: str) -> str:
    """An operator's name as recorded: stripped, not empty, short, no control character, ID or phone."""
    name = name.strip()
    if not name:
        raise InputError("operator.required")
    if has_personal_number(name):
        raise InputError("text.personal_number_field", field="operator")
    check_text("name", name)
    return name


def role_of(session: Session | Rows, name: str) -> str | None:
    """The role ``name`` holds now (its latest registration), or None for an unregistered name."""
    found = rows_of(session).rows("SELECT role FROM operator WHERE name = :n ORDER BY id DESC LIMIT 1", {"n": name})
    return str(found[0][0]) if found else None


def has_operators(session: Session | Rows) -> bool:
    """Whether anyone is registered (a database made before the register has no one)."""
    return bool(rows_of(session).rows("SELECT 1 FROM operator LIMIT 1"))


def allowed(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may."""
    return ROLES.index(role) >= ROLES.index(needed)


def require(session: Session | Rows, name: str, needed: str = CLERK) -> str:
    """``name``'s role, when registered with at least ``needed``; otherwise refused, saying why."""
    role = role_of(session, name)
    if role is None:
        key = "operator.unregistered" if has_operators(session) else "operator.none_registered"
        raise Refused(key, name=name)
    if not allowed(role, needed):
        raise Refused("operator.not_allowed", name=name, role=role, needed=needed)
    return role


def register(session: Session, *, name: str, role: str, by: str) -> Registration:
    """Register ``name`` with ``role`` (a role change is a new row); ``by`` must be township.

    On a register with no one in it (a new database, or one made before operators were
    registered), the first operator is registered by whoever runs the command, and must be
    township: someone has to be able to add the others. Registering a name again with the role
    it has is harmless and writes nothing.
    """
    from moralbank.storage.models import Operator

    name, role = check_name(name), check_role_name(role)
    if not has_operators(session):
        if role != TOWNSHIP:
            raise Refused("operator.first_township", name=name)
        by = check_name(by) if by.strip() else name
    else:
        require(session, by, TOWNSHIP)
    previous = role_of(session, name)
    if previous == role:
        return Registration(name, role, False, previous)
    session.add(Operator(name=name, role=role, added_by=by, recorded_at=clock.stamp()))
    session.flush()
    return Registration(name, role, True, previous)


def operator_rows(session: Session) -> list[OperatorRow]:
    """Every registered name with its current role, in name order."""
    from sqlmodel import col, select

    from moralbank.storage.models import Operator

    latest: dict[str, Operator] = {}
    for row in session.exec(select(Operator).order_by(col(Operator.id))).all():
        latest[row.name] = row
    return [OperatorRow(r.name, r.role, r.recorded_at, r.added_by) for _, r in sorted(latest.items())]
