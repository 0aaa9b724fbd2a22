"""Monthly ranking boards: red list by points earned in the month, black list, published snapshots."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, not_
from typing import TYPE_CHECKING, Any

from moralbank.domain.boards import (
    BlackRow,
    Board,
    Line,
    Publication,
    RedColumns,
    Standing,
    Tally,
    board_from_snapshot,
    ranked,
    ranked_columns,
    shown_name,
)
from moralbank.domain.dates import month_bounds
from moralbank.errors import IntegrityError, NotFound
from moralbank.services.consent_in_force import BOARD_CONSENT_GRANTED, BOARD_CONSENT_JOIN, BOARD_CONSENT_LATEST
from moralbank.services.consent_in_force import BOARD_CONSENT_SQL as BOARD_CONSENT
from moralbank.storage.predicates import ANY_MOVE, not_base_score, standing_deduction, village_on
from moralbank.storage.reads import Rows, VillageRecord, chain_head, chain_heads, rows_of
from moralbank.storage.reads import village as get_village
from moralbank.storage.reads import villages as all_villages

if TYPE_CHECKING:  # a village's board reads through Rows: SQLAlchemy is imported only where a session is used
    from sqlmodel import Session

    from moralbank.storage.models import Board as BoardTable


def _gains(*, keys: str, source: str, where: str, lo: str, hi: str, january: bool = True) -> str:
    """SQL: each household's points earned (net) between two booking dates, where they are a gain.

    The red list honours households that gained points; a net loss belongs on the black list,
    and the yearly base score is no behaviour of the month. ``keys`` are extra grouping columns (``b.id,``), ``source`` the FROM clause with ``entry e``.
    ``january`` False: the dates are of another month, which holds no base score (booked on 1
    January); its test would cost a county's month ~6 ms (bench/RESULTS.md).
    """
    base = f"AND {not_base_score('e')} " if january else ""
    return (
        f"SELECT {keys} e.household, SUM(e.earned) AS points FROM {source} "
        f"WHERE {where} e.booked_on >= {lo} AND e.booked_on <= {hi} AND e.earned <> 0 {base}"
        f"GROUP BY {keys} e.household HAVING SUM(e.earned) > 0"
    )


def _deductions(lo: str, hi: str) -> str:
    """SQL condition: ``e`` is a deduction booked between two dates and still standing on the last."""
    return f"e.booked_on >= {lo} AND e.booked_on <= {hi} AND {standing_deduction('e', hi)}"


# Summed over the covering index entry_village_month (village, booked_on, household, earned), or
# entry_month for the county. The head's name is household_current's (the latest change's, else
# the registration's), read without the view: the view finds each household's latest move too,
# which the village here does not need (``village_on``'s, or the registration's until anyone
# moves), and its two probes per household cost a county's month ~19 ms against ~6 ms for one
# pass over the changes (bench/RESULTS.md).
_STANDINGS = f"""
SELECT m.household, COALESCE(hc.head_name, h.head_name), {BOARD_CONSENT_GRANTED}, {{village}}, m.points
FROM ({{gains}}) m
JOIN household h ON h.code = m.household
LEFT JOIN (SELECT household, MAX(id) AS id FROM household_change GROUP BY household) lc ON lc.household = h.code
LEFT JOIN household_change hc ON hc.id = lc.id
{BOARD_CONSENT_JOIN}
ORDER BY m.points DESC, m.household, {BOARD_CONSENT_LATEST}
"""

_DEDUCTIONS = f"""
SELECT e.household, h.head_name, {{board_consent}}, e.village, e.earned, COALESCE(s.title, '')
FROM entry e
JOIN household_current h ON h.code = e.household
LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.village IN ({{villages}}) AND {_deductions(":lo", ":hi")}
ORDER BY e.household, e.seq
"""


def _bounds(month: str) -> dict[str, str]:
    first, last = month_bounds(month)
    return {"lo": first.isoformat(), "hi": last.isoformat()}


def standings(session: Session | Rows, *, month: str, village: str | None = None) -> list[Standing]:
    """Every household that gained points (net) in the month, of one village or of all."""
    return [Standing(*line) for line in standing_lines(session, month=month, village=village)]


def standing_lines(session: Session | Rows, *, month: str, village: str | None = None) -> list[Line]:
    """``standings`` as plain tuples (household, shown name, village, points), best first."""
    rows = _standing_rows(session, month=month, village=village)
    return [(code, shown_name(name, bool(consent)), v, int(points)) for code, name, consent, v, points in rows]


def _standing_rows(session: Session | Rows, *, month: str, village: str | None = None) -> Sequence[Any]:
    """The standings' rows: household, head's name, board consent in force (1 or 0), village, points; best first."""
    params: dict[str, Any] = _bounds(month)
    where, place = "", "h.village"  # the registration's: until anyone moves, where each household lives
    if rows_of(session).rows(ANY_MOVE, {}):  # where it lived at the month's end
        # village_on falls back to the village now only for a household that never moved: the registration's.
        place = village_on("m.household", ":hi", "h.village")
    if village is not None:
        where, place, params["v"] = "e.village = :v AND", ":v", village
    gains = _gains(keys="", source="entry e", where=where, lo=":lo", hi=":hi", january=params["lo"][5:7] == "01")
    query = _STANDINGS.format(gains=gains, village=place)
    # Plain tuples from the driver: a county's month is ~55,000 rows (bench/RESULTS.md).
    rows = rows_of(session).rows(query, params)
    if len(set(map(itemgetter(0), rows))) == len(rows):  # one board event at most each, as most have
        return rows
    # The first of a household's rows joins its latest event (BOARD_CONSENT_JOIN).
    return [row for row, before in zip(rows, [None, *rows[:-1]], strict=True) if before is None or before[0] != row[0]]


def black_list(session: Session | Rows, *, month: str, villages: list[str]) -> list[BlackRow]:
    """Households with deductions booked in the month, most deducted first."""
    if not villages:
        return []
    names = ", ".join(f":v{n}" for n in range(len(villages)))
    params: dict[str, Any] = _bounds(month) | {f"v{n}": v for n, v in enumerate(villages)}
    found: dict[str, list[Any]] = {}
    items: dict[str, list[str]] = defaultdict(list)
    for code, name, consent, village, earned, title in rows_of(session).rows(
        _DEDUCTIONS.format(villages=names, board_consent=BOARD_CONSENT), params
    ):
        row = found.setdefault(code, [shown_name(name, bool(consent)), village, 0, 0])
        row[2] += int(earned)
        row[3] += 1
        if title and title not in items[code]:
            items[code].append(title)
    rows = [BlackRow(code, n, v, points, count, tuple(items[code])) for code, (n, v, points, count) in found.items()]
    return sorted(rows, key=lambda r: (r.points, r.household))


def village_board(session: Session | Rows, *, village: str, month: str) -> Board:
    """One village's board for a month, computed from the ledger now; the black list if the village keeps one."""
    place = get_village(session, village)
    black = bool(place.black_list)
    return Board(
        village=village,
        title=place.name,
        month=month,
        checkpoint=chain_head(session, village),
        rows=ranked(standings(session, month=month, village=village)),
        black_list=black_list(session, month=month, villages=[village]) if black else None,
    )


@dataclass(frozen=True)
class CountyLines:
    """A county board's lines without its title and checkpoints: what its CSV writes.

    ``black_list`` is None when no village keeps one.
    """

    villages: list[VillageRecord]
    red: RedColumns
    black_list: list[BlackRow] | None


def county_lines(session: Session | Rows, *, month: str) -> CountyLines:
    """Every village's households ranked together; the black list covers villages that enable it."""
    places = all_villages(session)
    listing = [p.code for p in places if p.black_list]
    # The rows are freed as soon as they are columns, before the collector is back: a collection
    # over the ~55,000 row tuples, due when it comes back, took 7 ms (bench/RESULTS.md).
    with _without_cycle_collection():
        red = _red_columns(_standing_rows(session, month=month))
    return CountyLines(places, red, black_list(session, month=month, villages=listing) if listing else None)


def _red_columns(rows: Sequence[Any]) -> RedColumns:
    """The standings' rows as a ranked red list, with names shown as the board shows them."""
    # Columns, not a tuple per line: transposed and ranked in C-level passes (bench/RESULTS.md).
    households, heads, consents, villages, points = zip(*rows, strict=True) if rows else ((),) * 5
    names = list(heads)
    for at in compress(range(len(names)), map(not_, consents)):  # those without consent to be named
        names[at] = shown_name(names[at], False)
    return ranked_columns(households, names, villages, list(map(int, points)))


def county_board(session: Session | Rows, *, month: str) -> Board:
    """``county_lines`` as a Board: titled by its counties, with every village's chain head."""
    lines = county_lines(session, month=month)
    with _without_cycle_collection():  # a BoardRow per line
        rows = lines.red.rows()
    return Board(
        village=None,
        title="、".join(sorted({p.county for p in lines.villages})),
        month=month,
        checkpoint=chain_heads(session, [p.code for p in lines.villages]),
        rows=rows,
        black_list=lines.black_list,
    )


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    # A county's month builds ~100,000 small acyclic objects; reference counting frees them, and
    # the cyclic collector's passes over them cost about a third of the board (bench/RESULTS.md).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_snapshot(snapshot: str) -> dict[str, Any] | None:
    """A stored snapshot's data, or None when it is not the JSON a published board stores.

    A row written into the board table by hand cannot be read as a board: verify reports it,
    and board get and board list name it, instead of failing on it.
    """
    import json  # here: a board computed now reads no snapshot (bench/RESULTS.md, round five)

    try:
        data = json.loads(snapshot)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return None
    return data


@dataclass(frozen=True)
class StoredBoard:
    """A published board's stored row, as ``_published`` reads it (the table's own columns)."""

    id: int
    village: str
    month: str
    snapshot: str
    snapshot_hash: str
    operator: str
    published_at: str


_STORED = "SELECT id, village, month, snapshot, snapshot_hash, operator, published_at FROM board"


def _published(record: BoardTable | StoredBoard) -> Board:
    assert record.id is not None
    meta = Publication(record.id, record.published_at, record.operator, record.snapshot_hash)
    data = read_snapshot(record.snapshot)
    try:
        if data is not None:
            return board_from_snapshot(data, meta)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    raise IntegrityError("board.unreadable", id=record.id, village=record.village, month=record.month)


def published_board(session: Session, board_id: int) -> Board:
    """A published board exactly as its snapshot stored it."""
    from moralbank.storage.models import Board as BoardTable

    record = session.get(BoardTable, board_id)
    if record is None:
        raise NotFound("board.not_found", id=board_id)
    return _published(record)


def board_for_month(session: Session | Rows, *, village: str, month: str) -> Board:
    """The published board of the month if there is one, else the board as it stands (a draft)."""
    found = rows_of(session).rows(f"{_STORED} WHERE village = :v AND month = :m", {"v": village, "m": month})
    return _published(StoredBoard(*found[0])) if found else village_board(session, village=village, month=month)


def published_batch(session: Session, *, after: int, size: int) -> list[BoardTable]:
    """Up to ``size`` stored boards with ids above ``after``, in id order (keeps memory bounded)."""
    from sqlmodel import col, select

    from moralbank.storage.models import Board as BoardTable

    query = select(BoardTable).where(col(BoardTable.id) > after).order_by(col(BoardTable.id)).limit(size)
    return list(session.exec(query).all())


# The figures of a range of published boards recomputed at once, for verify: the same sums as a
# village's board, joined to each board's village and month instead of one at a time. No date is
# later than the 31st, so "month-31" bounds every month.
_BOARD_MONTH = {"lo": "(b.month || '-01')", "hi": "(b.month || '-31')"}
_BOARDS = "b.id >= :first AND b.id <= :last AND"
_PUBLISHED_STANDINGS = _gains(
    keys="b.id,", source="board b JOIN entry e ON e.village = b.village", where=_BOARDS, **_BOARD_MONTH, january=True
)
_PUBLISHED_DEDUCTIONS = f"""
SELECT b.id, e.household, SUM(e.earned), COUNT(*)
FROM board b JOIN entry e ON e.village = b.village
WHERE {_BOARDS} {_deductions(**_BOARD_MONTH)}
GROUP BY b.id, e.household
"""


def ledger_tallies(session: Session, *, first: int, last: int) -> dict[int, tuple[Tally, Tally]]:
    """For published boards ``first``..``last``: their red and black lines as the ledger gives them now."""
    params = {"first": first, "last": last}
    red: dict[int, Tally] = defaultdict(dict)
    for board_id, household, points in rows_of(session).rows(_PUBLISHED_STANDINGS, params):
        red[board_id][("red", household)] = (int(points), 0)
    black: dict[int, Tally] = defaultdict(dict)
    for board_id, household, points, count in rows_of(session).rows(_PUBLISHED_DEDUCTIONS, params):
        black[board_id][("black", household)] = (int(points), int(count))
    return {board_id: (red.get(board_id, {}), black.get(board_id, {})) for board_id in red.keys() | black.keys()}


@dataclass(frozen=True)
class PublishedRow:
    """A published board as listed."""

    board: int
    village: str
    month: str
    households: int | None  # None: the stored snapshot cannot be read (verify says more)
    seq: int
    hash: str
    snapshot_hash: str
    operator: str
    published_at: str


_LISTED = (
    "SELECT id, village, month, snapshot, seq, head_hash, snapshot_hash, operator, published_at FROM board "
    "{where} ORDER BY id"
)


def published_boards(session: Session, *, village: str | None = None) -> list[PublishedRow]:
    """Published boards, oldest first, with how many households each ranks."""
    from sqlalchemy import text

    if village is not None:
        get_village(session, village)
    query = text(_LISTED.format(where="WHERE village = :v" if village is not None else ""))
    result = session.connection().execution_options(stream_results=True).execute(query, {"v": village})
    return [
        PublishedRow(board, code, month, _ranked_count(snap), seq, head, digest, who, when)
        for board, code, month, snap, seq, head, digest, who, when in result
    ]


def _ranked_count(snapshot: str) -> int | None:
    data = read_snapshot(snapshot)
    return None if data is None else len(data["rows"])
