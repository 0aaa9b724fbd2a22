"""Predicates over entries that several queries share: a deduction still standing, a proposal unresolved, a base score."""

from __future__ import annotations

from typing import Any


def standing_deduction(entry: str, by: str) -> str:
    """SQL: the entry aliased ``entry`` is a deduction that no reversal booked on or before ``by`` undid.

    ``by`` is an SQL date expression (``:hi``, or ``(b.month || '-31')``). Boards list these on
    the black list and credit ratings count them as vetoes; a later reversal does not reach back.
    """
    return (
        f"{entry}.kind = 'deduction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.village = {entry}.village "
        f"AND r.ref_seq = {entry}.seq AND r.kind = 'reversal' AND r.booked_on <= {by})"
    )


def not_base_score(entry: str = "") -> str:
    """SQL: the entry (aliased ``entry``, or unaliased) is not a yearly base score.

    The base score (booked on 1 January) is a starting balance, not behaviour of the month, so
    boards, their check and the trend leave it out. Tested on the date first, so SQLite reads
    the row for ``kind`` only for 1 January's entries and the covering indexes serve every other day.
    """
    e = f"{entry}." if entry else ""
    return f"(substr({e}booked_on, 6) <> '01-01' OR {e}kind <> 'base_score')"


def unresolved() -> Any:
    """The condition that no later entry refers back to ``Entry`` (for a proposal: neither posted nor voided)."""
    # Imported here: the other predicates are SQL text, which the terminal reads use without SQLAlchemy.
    from sqlalchemy import literal_column
    from sqlalchemy.orm import aliased
    from sqlmodel import col, select

    from moralbank.storage.models import Entry

    resolution = aliased(Entry)
    # SELECT 1, not *: SQLite then answers from the entry_ref index alone.
    found: Any = select(literal_column("1")).where(
        col(resolution.village) == col(Entry.village), col(resolution.ref_seq) == col(Entry.seq)
    )
    return ~found.exists()


# Whether any household ever moved: until one does, where a household lived is where it lives.
ANY_MOVE = "SELECT 1 FROM household_move LIMIT 1"


def village_on(household: str, day: str, current: str) -> str:
    """SQL: the village ``household`` lived in on ``day``; ``current`` is its village now (household_current's).

    That of its latest move by then; else, if it moved later, where its first move began (where
    it registered); else, never moved, its village now. A household that never moved costs two
    probes of an index that holds only the moves.
    """
    moves = f"FROM household_move mv WHERE mv.household = {household}"
    return (
        f"COALESCE((SELECT mv.to_village {moves} AND mv.on_date <= {day} ORDER BY mv.id DESC LIMIT 1), "
        f"(SELECT mv.from_village {moves} ORDER BY mv.id LIMIT 1), {current})"
    )
