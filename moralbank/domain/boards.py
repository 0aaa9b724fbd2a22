"""Ranking boards as data: competition ranks, masked names, and the canonical published snapshot."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import eq, ge, lt
from typing import Any

from moralbank.domain.heads import Checkpoint
from moralbank.domain.identity import mask_name


@dataclass(frozen=True)
class Standing:
    """A household's points for the month, before ranking."""

    household: str
    name: str
    village: str
    points: int


@dataclass(frozen=True)
class BoardRow:
    """One line of the red list (红榜)."""

    rank: int
    household: str
    name: str
    village: str
    points: int


@dataclass(frozen=True)
class BlackRow:
    """One line of the black list (黑榜): a household's deductions booked in the month.

    ``items`` are the titles of the standards deducted under, each once, in booking order; a
    renderer joins them for its language.
    """

    household: str
    name: str
    village: str
    points: int
    count: int
    items: tuple[str, ...]

    def __post_init__(self) -> None:
        # Read back from a snapshot, items are a JSON list; boards published before items were
        # kept apart stored them joined, and are shown exactly as they were published.
        items: Any = self.items
        if not isinstance(items, tuple):
            object.__setattr__(self, "items", (items,) if isinstance(items, str) and items else tuple(items or ()))


@dataclass(frozen=True)
class Publication:
    """How a board was published: its id, when, by whom, and the hash of its snapshot."""

    id: int
    published_at: str
    operator: str
    snapshot_hash: str


@dataclass(frozen=True)
class Board:
    """A month's board for one village, or for every village (``village`` is None)."""

    village: str | None
    title: str
    month: str
    checkpoint: Checkpoint | list[Checkpoint]
    rows: list[BoardRow]
    black_list: list[BlackRow] | None = None
    published: Publication | None = field(default=None, compare=False)


def shown_name(name: str, consent: bool) -> str:
    """The head's name as a board shows it: masked (``张**``) without consent to be named."""
    return name if consent else mask_name(name)


def competition_ranks(points: list[int]) -> list[int]:
    """Standard competition ranks (1, 2, 2, 4) of points sorted best first."""
    # A run of equal points at a time: a month's points take few values, a county has ~55,000 lines.
    ranks: list[int] = []
    for _value, run in groupby(points):
        ranks.extend(repeat(len(ranks) + 1, len(list(run))))
    return ranks


# A standing as a plain tuple: (household, shown name, village, points).
Line = tuple[str, str, str, int]


def ranked(standings: Iterable[Standing]) -> list[BoardRow]:
    """Rows ordered by points (highest first), ties in household-code order, with their ranks."""
    listed = list(standings)
    households, names = [s.household for s in listed], [s.name for s in listed]
    return ranked_columns(households, names, [s.village for s in listed], [s.points for s in listed]).rows()


@dataclass(frozen=True)
class RedColumns:
    """A red list by columns, best first, line ``n`` at index ``n`` of each: ranks, codes, shown names, villages, points.

    A county's month is ~55,000 lines: its CSV writes them as columns, without a row object each (bench/RESULTS.md).
    """

    ranks: list[int]
    households: Sequence[str]
    names: Sequence[str]
    villages: Sequence[str]
    points: Sequence[int]

    @classmethod
    def of(cls, rows: Sequence[BoardRow]) -> RedColumns:
        """A board's rows as columns."""
        columns = ([r.household for r in rows], [r.name for r in rows], [r.village for r in rows])
        return cls([r.rank for r in rows], *columns, [r.points for r in rows])

    def rows(self) -> list[BoardRow]:
        """A BoardRow per line."""
        return list(map(BoardRow, self.ranks, self.households, self.names, self.villages, self.points))

    def top(self, count: int | None) -> RedColumns:
        """``top``'s cut: ranks 1..count, households tied at the cut all stay."""
        if count is None:
            return self
        end = bisect_right(self.ranks, count)
        return RedColumns(
            self.ranks[:end], self.households[:end], self.names[:end], self.villages[:end], self.points[:end]
        )


def ranked_columns(
    households: Sequence[str], names: Sequence[str], villages: Sequence[str], points: Sequence[int]
) -> RedColumns:
    """Standings given as columns, ordered by points (highest first), ties in household-code order, with their ranks."""
    if not in_board_order(households, points):
        order = sorted(range(len(points)), key=lambda n: (-points[n], households[n]))
        households, names, villages = ([column[n] for n in order] for column in (households, names, villages))
        points = [points[n] for n in order]
    return RedColumns(competition_ranks(list(points)), households, names, villages, points)


def in_board_order(households: Sequence[str], points: Sequence[int]) -> bool:
    """Whether standings are already by points, highest first, ties by rising household code (codes distinct).

    A board's SQL sorts them so, but a PostgreSQL collation may order codes otherwise than Python
    does: checking is a few C-level passes over the columns, about half of the two sorts (8 ms
    against 15 ms for a county's 55,000 lines, bench/RESULTS.md), and needs no sorted copy.
    """
    later = points[1:]
    # Between neighbours: points never rise, and where they tie the code rises (tied <= rising, as bools).
    return all(map(ge, points, later)) and all(map(ge, map(lt, households, households[1:]), map(eq, points, later)))


def top(board: Board, count: int | None) -> Board:
    """The board cut to ranks 1..count; households tied at the cut all stay."""
    if count is None:
        return board
    rows = [row for row in board.rows if row.rank <= count]
    return Board(board.village, board.title, board.month, board.checkpoint, rows, board.black_list, board.published)


def _checkpoint_dict(point: Checkpoint) -> dict[str, Any]:
    return {"village": point.village, "seq": point.seq, "hash": point.hash}


def snapshot(board: Board) -> dict[str, Any]:
    """The board as published: plain data, without the publication's own id and time."""
    marks = board.checkpoint
    return {
        "village": board.village,
        "title": board.title,
        "month": board.month,
        "checkpoint": [_checkpoint_dict(m) for m in marks] if isinstance(marks, list) else _checkpoint_dict(marks),
        "rows": [vars(row) for row in board.rows],
        "black_list": None if board.black_list is None else [vars(row) for row in board.black_list],
    }


def canonical_text(data: dict[str, Any]) -> str:
    """Sorted-key compact JSON: the exact text that is stored and hashed."""
    import json  # here: a board read stores and hashes nothing (bench/RESULTS.md, round five)

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def text_hash(text: str) -> str:
    """SHA-256 of a snapshot's stored text."""
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _checkpoint(data: dict[str, Any]) -> Checkpoint:
    return Checkpoint(str(data["village"]), int(data["seq"]), str(data["hash"]))


def board_from_snapshot(data: dict[str, Any], published: Publication | None = None) -> Board:
    """A Board read back from its stored snapshot."""
    marks = data["checkpoint"]
    black = data.get("black_list")
    return Board(
        village=data["village"],
        title=data["title"],
        month=data["month"],
        checkpoint=[_checkpoint(m) for m in marks] if isinstance(marks, list) else _checkpoint(marks),
        rows=[BoardRow(**row) for row in data["rows"]],
        black_list=None if black is None else [BlackRow(**row) for row in black],
        published=published,
    )


# What the ledger decides on a board: (list, household) -> (points, deductions counted; 0 on the red list).
Tally = dict[tuple[str, str], tuple[int, int]]


def tally(board: Board) -> Tally:
    """A board's lines without names or ranks.

    Ranks follow from points and household codes, and the snapshot's hash vouches for them; names
    are left out because a household may rename its head or withdraw consent after publication,
    which changes how it is shown but not what it earned.
    """
    lines = {("red", row.household): (row.points, 0) for row in board.rows}
    return lines | {("black", row.household): (row.points, row.count) for row in board.black_list or []}


def snapshot_tally(data: dict[str, Any]) -> Tally:
    """The tally of a stored snapshot, read straight from its JSON (no row objects: verify reads thousands)."""
    lines = {("red", row["household"]): (row["points"], 0) for row in data["rows"]}
    return lines | {("black", row["household"]): (row["points"], row["count"]) for row in data["black_list"] or []}


def first_difference(published: Tally, ledger: Tally) -> tuple[str, str, str] | None:
    """The first household whose line differs between the board and the ledger: (household, was, now).

    A difference in points is looked for before one in the count of deductions; "-" means absent.
    """
    if published == ledger:
        return None
    keys = sorted(published.keys() | ledger.keys(), key=lambda k: (k[1], k[0]))
    for whole in (False, True):
        for key in keys:
            before, after = published.get(key), ledger.get(key)
            if _compared(before, whole) != _compared(after, whole):
                return key[1], _points(before), _points(after)
    return None


def _compared(value: tuple[int, int] | None, whole: bool) -> tuple[int, int] | int | None:
    return value if whole or value is None else value[0]


def _points(value: tuple[int, int] | None) -> str:
    return "-" if value is None else str(value[0])
