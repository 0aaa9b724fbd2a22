"""Likely duplicates: a decision or redemption identical to one already recorded and still standing.

A clerk's sheet has no key column, and a command typed twice looks like a retry to nobody. What
is the same household, standard, event date and quantity as an entry that was neither reversed
nor voided is refused, naming that entry, unless the clerk says it really happened twice
(``--repeat``: the second volunteer shift on the same day). A decision that carries its own
idempotency key is told apart by it (a retry with the key is answered with the original), so
only decisions without a key are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from moralbank.errors import RowProblem

# Entries that still stand: not reversed, not voided (a posted proposal is found by its posting).
_STANDING = (
    "NOT EXISTS (SELECT 1 FROM entry r WHERE r.village = e.village AND r.ref_seq = e.seq "
    "AND r.kind IN ('reversal', 'void'))"
)
_DECISIONS = text(
    "SELECT e.id, e.village, e.seq, e.household, e.standard_id, e.event_date, e.qty FROM entry e "
    "WHERE e.household IN :households AND e.event_date >= :low AND e.standard_id IS NOT NULL "
    f"AND e.kind IN ('award', 'deduction', 'proposal') AND {_STANDING} ORDER BY e.id"
).bindparams(bindparam("households", expanding=True))
_REDEMPTIONS = text(
    "SELECT e.id FROM entry e WHERE e.household = :household AND e.kind = 'redemption' "
    f"AND e.booked_on = :booked_on AND e.amount = :coins AND e.note = :item AND {_STANDING} ORDER BY e.id"
)

DecisionKey = tuple[str, str, str, int]  # household, standard version, event date, qty
# The sheet row an entry was written from by an earlier chunk of the same import, if it was.
EntryRow = Callable[[str, int], int | None]


class DuplicateFinder:
    """The standing decisions of a batch's households, and the batch's own rows as they are taken."""

    def __init__(
        self,
        session: Session,
        decisions: Iterable[tuple[str, str]],
        *,
        repeat: bool,
        entry_row: EntryRow | None = None,
    ) -> None:
        self.repeat = repeat
        self.recorded: dict[DecisionKey, int] = {}
        self.rows_before: dict[DecisionKey, int] = {}  # written by an earlier chunk of this import
        self.rows: dict[DecisionKey, int] = {}
        wanted = list(decisions)  # (household, event date)
        if repeat or not wanted:
            return
        households = sorted({household for household, _ in wanted})
        low = min(day for _, day in wanted)
        for chunk in range(0, len(households), 500):
            params = {"households": households[chunk : chunk + 500], "low": low}
            for entry_id, village, seq, household, standard_id, event_date, qty in session.execute(_DECISIONS, params):
                key = (household, standard_id, event_date, qty)
                if key in self.recorded or key in self.rows_before:
                    continue
                row = entry_row(village, seq) if entry_row else None
                if row is None:
                    self.recorded[key] = entry_id
                else:
                    self.rows_before[key] = row

    def check(self, number: int, fields: dict[str, Any]) -> RowProblem | None:
        """Why this decision looks like a duplicate, or None; a row taken is remembered for later rows."""
        if self.repeat or fields.get("idem_key"):
            return None
        key = (fields["household"], fields["standard_id"], fields["event_date"], fields["qty"])
        if (earlier := self.recorded.get(key)) is not None:
            return RowProblem(number, "household", "decision.likely_duplicate", {"id": earlier})
        if (row := self.rows.get(key, self.rows_before.get(key))) is not None:
            return RowProblem(number, "household", "decision.duplicate_row", {"row": row})
        self.rows[key] = number
        return None


def earlier_redemption(session: Session, *, household: str, item: str, coins: int, booked_on: str) -> int | None:
    """A standing redemption of the same item and coins by the household on the same day, if any."""
    params = {"household": household, "item": item, "coins": coins, "booked_on": booked_on}
    found = session.execute(_REDEMPTIONS, params).first()
    return None if found is None else int(found[0])
