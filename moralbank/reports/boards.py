"""Monthly ranking boards: red list by points earned in the month, black list, published snapshots."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from moralbank.domain.boards import (
    BlackRow,
    Board,
    Publication,
    Standing,
    board_from_snapshot,
    ranked,
    shown_name,
)
from moralbank.domain.chain import GENESIS, Checkpoint
from moralbank.domain.dates import month_bounds
from moralbank.errors import NotFound
from moralbank.services.register import get_village
from moralbank.storage.models import Board as BoardTable
from moralbank.storage.models import Village

# Points earned per household in a month, summed over the covering index
# entry_village_month (village, booked_on, household, earned), or entry_month for the county.
# The red list honours households that gained points; a net loss belongs on the black list.
_STANDINGS = """
SELECT m.household, h.head_name, h.consent_board, h.village, m.points
FROM (SELECT household, SUM(earned) AS points FROM entry
      WHERE {village} booked_on >= :lo AND booked_on <= :hi AND earned <> 0
      GROUP BY household HAVING SUM(earned) > 0) m
JOIN household h ON h.code = m.household
"""

# Deductions booked in the month and not reversed within it.
_DEDUCTIONS = """
SELECT e.household, h.head_name, h.consent_board, h.village, e.earned, COALESCE(s.title, '')
FROM entry e
JOIN household h ON h.code = e.household
LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.village IN ({villages}) AND e.booked_on >= :lo AND e.booked_on <= :hi AND e.kind = 'deduction'
  AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.village = e.village AND r.ref_seq = e.seq
                  AND r.kind = 'reversal' AND r.booked_on <= :hi)
ORDER BY e.household, e.seq
"""


def _bounds(month: str) -> dict[str, str]:
    first, last = month_bounds(month)
    return {"lo": first.isoformat(), "hi": last.isoformat()}


def standings(session: Session, *, month: str, village: str | None = None) -> list[Standing]:
    """Every household that gained points (net) in the month, of one village or of all."""
    params: dict[str, Any] = _bounds(month)
    where = ""
    if village is not None:
        where, params["v"] = "village = :v AND", village
    rows = session.execute(text(_STANDINGS.format(village=where)), params)
    return [Standing(code, shown_name(name, bool(consent)), v, int(points)) for code, name, consent, v, points in rows]


def black_list(session: Session, *, month: str, villages: list[str]) -> list[BlackRow]:
    """Households with deductions booked in the month, most deducted first."""
    if not villages:
        return []
    names = ", ".join(f":v{n}" for n in range(len(villages)))
    params: dict[str, Any] = _bounds(month) | {f"v{n}": v for n, v in enumerate(villages)}
    found: dict[str, list[Any]] = {}
    items: dict[str, list[str]] = defaultdict(list)
    for code, name, consent, village, earned, title in session.execute(
        text(_DEDUCTIONS.format(villages=names)), params
    ):
        row = found.setdefault(code, [shown_name(name, bool(consent)), village, 0, 0])
        row[2] += int(earned)
        row[3] += 1
        if title and title not in items[code]:
            items[code].append(title)
    rows = [
        BlackRow(code, n, v, points, count, "、".join(items[code])) for code, (n, v, points, count) in found.items()
    ]
    return sorted(rows, key=lambda r: (r.points, r.household))


def village_checkpoint(session: Session, village: str) -> Checkpoint:
    """The head of one village's chain now (seq 0 and the genesis hash when it has no entries)."""
    query = text("SELECT seq, hash FROM entry WHERE village = :v ORDER BY seq DESC LIMIT 1")
    row = session.execute(query, {"v": village}).first()
    return Checkpoint(village, int(row[0]), str(row[1])) if row else Checkpoint(village, 0, GENESIS)


def village_board(session: Session, *, village: str, month: str, with_black_list: bool | None = None) -> Board:
    """One village's board for a month, computed from the ledger now.

    ``with_black_list`` overrides the village's setting (to recompute a published board).
    """
    place = get_village(session, village)
    black = bool(place.black_list) if with_black_list is None else with_black_list
    return Board(
        village=village,
        title=place.name,
        month=month,
        checkpoint=village_checkpoint(session, village),
        rows=ranked(standings(session, month=month, village=village)),
        black_list=black_list(session, month=month, villages=[village]) if black else None,
    )


def county_board(session: Session, *, month: str) -> Board:
    """Every village's households ranked together; the black list covers villages that enable it."""
    places = session.exec(select(Village).order_by(col(Village.code))).all()
    counties = sorted({p.county for p in places})
    listing = [p.code for p in places if p.black_list]
    return Board(
        village=None,
        title="、".join(counties),
        month=month,
        checkpoint=[village_checkpoint(session, p.code) for p in places],
        rows=ranked(standings(session, month=month)),
        black_list=black_list(session, month=month, villages=listing) if listing else None,
    )


def _published(record: BoardTable) -> Board:
    assert record.id is not None
    meta = Publication(record.id, record.published_at, record.operator, record.snapshot_hash)
    return board_from_snapshot(json.loads(record.snapshot), meta)


def published_board(session: Session, board_id: int) -> Board:
    """A published board exactly as its snapshot stored it."""
    record = session.get(BoardTable, board_id)
    if record is None:
        raise NotFound("board.not_found", id=board_id)
    return _published(record)


def board_for_month(session: Session, *, village: str, month: str) -> Board:
    """The published board of the month if there is one, else the board as it stands (a draft)."""
    query = select(BoardTable).where(BoardTable.village == village, BoardTable.month == month)
    record = session.exec(query).first()
    return _published(record) if record else village_board(session, village=village, month=month)


def published_records(session: Session, *, village: str | None = None) -> list[BoardTable]:
    """The stored rows of published boards, oldest first, of one village or all."""
    query = select(BoardTable).order_by(col(BoardTable.id))
    if village is not None:
        get_village(session, village)
        query = query.where(BoardTable.village == village)
    return list(session.exec(query).all())


@dataclass(frozen=True)
class PublishedRow:
    """A published board as listed."""

    board: int
    village: str
    month: str
    households: int
    seq: int
    hash: str
    snapshot_hash: str
    operator: str
    published_at: str


def published_boards(session: Session, *, village: str | None = None) -> list[PublishedRow]:
    """Published boards, oldest first, with how many households each ranks."""
    rows = []
    for r in published_records(session, village=village):
        assert r.id is not None
        ranked_count = len(json.loads(r.snapshot)["rows"])
        rows.append(
            PublishedRow(
                r.id, r.village, r.month, ranked_count, r.seq, r.head_hash, r.snapshot_hash, r.operator, r.published_at
            )
        )
    return rows
