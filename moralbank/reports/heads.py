"""Chain heads: each village's last sequence number and hash, the checkpoint every output carries."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from moralbank.domain.chain import GENESIS, Checkpoint

# One index probe per village on entry_chain (village, seq): a GROUP BY over the whole ledger
# would read every entry.
_HEADS = (
    "SELECT h.village, e.seq, e.hash FROM "
    "(SELECT code AS village, (SELECT MAX(seq) FROM entry WHERE village = code) AS seq FROM village) h "
    "JOIN entry e ON e.village = h.village AND e.seq = h.seq ORDER BY h.village"
)


def checkpoints(session: Session, villages: list[str] | None = None) -> list[Checkpoint]:
    """Every village's chain head in one statement, in village order.

    With ``villages``, exactly those, in that order; a village without entries has seq 0 and the
    genesis hash.
    """
    heads = [Checkpoint(v, s, h) for v, s, h in session.execute(text(_HEADS))]
    if villages is None:
        return heads
    by_village = {point.village: point for point in heads}
    return [by_village.get(code, Checkpoint(code, 0, GENESIS)) for code in villages]
