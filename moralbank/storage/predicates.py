"""Predicates over entries that several queries share: a deduction still standing, a proposal unresolved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal_column
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from moralbank.storage.models import Entry


def standing_deduction(entry: str, by: str) -> str:
    """SQL: the entry aliased ``entry`` is a deduction that no reversal booked on or before ``by`` undid.

    ``by`` is an SQL date expression (``:hi``, or ``(b.month || '-31')``). Boards list these on
    the black list and credit ratings count them as vetoes; a later reversal does not reach back.
    """
    return (
        f"{entry}.kind = 'deduction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.village = {entry}.village "
        f"AND r.ref_seq = {entry}.seq AND r.kind = 'reversal' AND r.booked_on <= {by})"
    )


def unresolved() -> Any:
    """The condition that no later entry refers back to ``Entry`` (for a proposal: neither posted nor voided)."""
    resolution = aliased(Entry)
    # SELECT 1, not *: SQLite then answers from the entry_ref index alone.
    found: Any = select(literal_column("1")).where(
        col(resolution.village) == col(Entry.village), col(resolution.ref_seq) == col(Entry.seq)
    )
    return ~found.exists()
