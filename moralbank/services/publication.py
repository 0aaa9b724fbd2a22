"""Publishing boards (晾): an immutable snapshot with its checkpoint closes the month; village settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from moralbank.domain import clock
from moralbank.domain.boards import Board, canonical_text, snapshot, text_hash
from moralbank.domain.chain import Checkpoint
from moralbank.domain.dates import month_bounds, month_of
from moralbank.domain.limits import check_text
from moralbank.errors import InputError, Refused
from moralbank.services.ledger import chain_head
from moralbank.services.proposals import count_pending, pending
from moralbank.services.register import get_village
from moralbank.storage.db import lock_village
from moralbank.storage.models import Board as BoardTable
from moralbank.storage.models import Village


@dataclass(frozen=True)
class Published:
    """A board just published: its id and the hash of its stored snapshot."""

    id: int
    village: str
    month: str
    snapshot_hash: str
    checkpoint: Checkpoint


def _check_publishable(session: Session, board: Board, today: date) -> str:
    if board.village is None:
        raise InputError("board.county_not_published")
    if board.month > month_of(today):
        raise InputError("board.future_month", month=board.month)
    lock_village(session, board.village)
    query = select(BoardTable.id).where(BoardTable.village == board.village, BoardTable.month == board.month)
    if (earlier := session.exec(query).first()) is not None:
        raise Refused("board.already_published", village=board.village, month=board.month, id=earlier)
    first, last = month_bounds(board.month)
    waiting = pending(session, village=board.village, month=(first.isoformat(), last.isoformat()))
    if waiting:
        raise Refused("board.pending", village=board.village, month=board.month, count=len(waiting))
    # The board was computed in this transaction; on PostgreSQL it may predate the lock.
    if chain_head(session, board.village) != board.checkpoint:
        raise Refused("board.ledger_moved", village=board.village)
    return board.village


def publish(session: Session, *, board: Board, operator: str, today: date) -> Published:
    """Store the village board as an immutable snapshot and close its month for booking.

    Refused for a county board, a future month, a month already published, a month that still
    has proposals in their notice period, and a board the ledger has moved past.
    """
    village = _check_publishable(session, board, today)
    assert isinstance(board.checkpoint, Checkpoint)
    stored = canonical_text(snapshot(board))
    record = BoardTable(
        village=village,
        month=board.month,
        seq=board.checkpoint.seq,
        head_hash=board.checkpoint.hash,
        snapshot=stored,
        snapshot_hash=text_hash(stored),
        operator=operator,
        published_at=clock.stamp(),
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    return Published(record.id, village, board.month, record.snapshot_hash, board.checkpoint)


@dataclass(frozen=True)
class VillageSettings:
    """A village's publication settings."""

    code: str
    name: str
    notice_days: int
    black_list: bool
    maker_checker: bool
    committee: str
    contact: str


def settings_of(village: Village) -> VillageSettings:
    """The publication settings of a village as a row."""
    return VillageSettings(
        village.code,
        village.name,
        village.notice_days,
        bool(village.black_list),
        bool(village.maker_checker),
        village.committee,
        village.contact,
    )


def set_village_options(
    session: Session,
    *,
    code: str,
    notice_days: int | None = None,
    black_list: bool | None = None,
    maker_checker: bool | None = None,
    committee: str | None = None,
    contact: str | None = None,
) -> VillageSettings:
    """Change a village's notice period, black list, maker-checker setting, committee or contact.

    The notice period cannot change while proposals wait: their last day for objections was
    announced with the period in force when they were posted.
    """
    village = get_village(session, code)
    if notice_days is not None:
        if notice_days < 0:
            raise InputError("village.bad_notice_days", value=notice_days)
        lock_village(session, code)
        if notice_days != village.notice_days and (waiting := count_pending(session, code)):
            raise Refused("village.notice_pending", village=code, count=waiting)
        village.notice_days = notice_days
    if black_list is not None:
        village.black_list = int(black_list)
    if maker_checker is not None:
        village.maker_checker = int(maker_checker)
    for field, value in (("committee", committee), ("contact", contact)):
        if value is not None:
            check_text(field, value.strip())
            setattr(village, field, value.strip())
    session.add(village)
    return settings_of(village)
