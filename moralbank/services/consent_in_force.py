"""Which consent is in force: the rule of ``services/consent.py`` as SQL, read over either driver.

Kept apart from the writes (which need SQLAlchemy and the models) so that the terminal reads'
SQLite path (``storage/reads.py``) asks it without importing them; ``services.consent`` re-exports all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from moralbank.storage.reads import Rows, rows_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlmodel import Session

EVERY_BANK = "*"
BOARD = "board"
BANK = "bank"
REGISTER = "register"  # the source of consent read from the register's 同意公示 / 同意报送银行 columns


@dataclass(frozen=True)
class Recipient:
    """Who a consent is for: the public board, or a bank (EVERY_BANK: a general consent for every bank)."""

    kind: str  # BOARD or BANK
    bank: str = ""

    @property
    def general(self) -> bool:
        """Whether this is the general consent for every bank."""
        return self.kind == BANK and self.bank == EVERY_BANK


def label(to: Recipient) -> str:
    """The recipient as stored and shown: ``board``, ``bank:NAME`` or ``bank:*``."""
    return BOARD if to.kind == BOARD else f"{BANK}:{to.bank}"


# The latest event on or before :d for each household among the recipients asked about. A consent
# from the register counts from the start of the household's record (see the module docstring).
_LATEST = """
SELECT household, action FROM (
    SELECT household, action,
           ROW_NUMBER() OVER (
               PARTITION BY household
               ORDER BY CASE WHEN source = 'register' THEN '' ELSE on_date END DESC, id DESC
           ) AS n
    FROM consent
    WHERE recipient = :recipient AND bank IN (:bank, :general) {households}
      AND CASE WHEN source = 'register' THEN '' ELSE on_date END <= :d
) latest WHERE n = 1
"""


def in_force(
    session: Session | Rows, codes: Iterable[str] | None, to: Recipient, on: date | str, *, exact: bool = False
) -> dict[str, bool]:
    """Whether each household's consent for ``to`` is in force on ``on`` (households with no event: absent).

    ``codes`` None: every household. ``exact`` weighs only ``to``'s own events (for refusing a grant
    that changes nothing), not the general consent beside a named bank's.
    """
    day = on if isinstance(on, str) else on.isoformat()
    general = to.bank if exact or to.kind == BOARD else EVERY_BANK
    params: dict[str, object] = {"recipient": to.kind, "bank": to.bank, "general": general, "d": day}
    where = ""
    wanted = None if codes is None else list(codes)
    if wanted is not None and len(wanted) > 500:  # many: read every household's, then keep those asked
        found = in_force(session, None, to, day, exact=exact)
        return {code: found[code] for code in wanted if code in found}
    if wanted is not None:
        if not wanted:
            return {}
        params |= {f"h{n}": code for n, code in enumerate(wanted)}
        where = f"AND household IN ({', '.join(f':h{n}' for n in range(len(wanted)))})"
    rows = rows_of(session).rows(_LATEST.format(households=where), params)
    return {str(code): action == "grant" for code, action in rows}


def consenting(session: Session | Rows, to: Recipient, on: date | str) -> set[str]:
    """Every household whose consent for ``to`` is in force on ``on``."""
    return {code for code, granted in in_force(session, None, to, on).items() if granted}


# The day a consent event counts from: a consent from the register counts from the start.
_COUNTS_FROM = "CASE WHEN c.source = 'register' THEN '' ELSE c.on_date END"


def consent_probe(household: str, recipient: str, day: str, banks: str = "") -> str:
    """SQL, 1 or 0: whether the consent of the household ``household`` names for ``recipient`` is in
    force on ``day`` (SQL expressions), by the same rule as ``in_force``; ``banks`` a further
    condition on ``c.bank``. One probe of consent_household per household: a county's bank list
    reads 125,000 of them in about 0.1 s where ``in_force`` for everyone took 0.3 s (bench/RESULTS.md).
    """
    where = " AND ".join([f"c.household = {household}", f"c.recipient = {recipient}", *filter(None, [banks])])
    return (
        "COALESCE((SELECT CASE WHEN c.action = 'grant' THEN 1 ELSE 0 END FROM consent c "
        f"WHERE {where} AND {_COUNTS_FROM} <= {day} ORDER BY {_COUNTS_FROM} DESC, c.id DESC LIMIT 1), 0)"
    )


# SQL: whether household ``h``'s board consent is in force on the date bound to ``:hi`` (1 or 0);
# the black list selects it beside each household's name.
BOARD_CONSENT_SQL = consent_probe("h.code", "'board'", ":hi")


def bank_consent_sql(household: str, day: str) -> str:
    """SQL, 1 or 0: ``consent_probe`` for the bank bound to ``:bank`` (its own consent, or the general one)."""
    return consent_probe(household, "'bank'", day, f"c.bank IN (:bank, '{EVERY_BANK}')")


# The same rule as a join, for a board's many households: each of household ``h``'s board events
# on or before ``:hi`` joins its row (a household without one joins one row of NULLs: no consent
# in force), and ordered by BOARD_CONSENT_LATEST after the household the first of its rows is
# the event in force. One probe per household instead of a subquery sorting its own rows: ~20 ms
# of a county's 55,000 (bench/RESULTS.md). BOARD_CONSENT_GRANTED selects whether a row's event
# grants it (1 or 0): a whole number costs the driver less than the action's text.
BOARD_CONSENT_JOIN = f"LEFT JOIN consent c ON c.household = h.code AND c.recipient = 'board' AND {_COUNTS_FROM} <= :hi"
BOARD_CONSENT_LATEST = f"{_COUNTS_FROM} DESC, c.id DESC"
BOARD_CONSENT_GRANTED = "CASE WHEN c.action = 'grant' THEN 1 ELSE 0 END"
