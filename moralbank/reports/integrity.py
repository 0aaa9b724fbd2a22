"""Integrity: recompute every village's hash chain, check zero-sum and saved checkpoints."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from moralbank.domain.accounts import household_account
from moralbank.domain.boards import Tally, first_difference, snapshot_tally, text_hash
from moralbank.domain.chain import CHAIN_FIELDS, CHAIN_FORMATS, GENESIS, canonical_text, format_hash
from moralbank.domain.chain import Checkpoint as Checkpoint  # re-exported: reports name it here
from moralbank.domain.chain import Head as Head  # re-exported: a saved checkpoint file reads into it
from moralbank.domain.shop import MOVEMENT_FIELDS, movement_hash
from moralbank.reports.boards import ledger_tallies, published_batch, read_snapshot
from moralbank.reports.records import check_records
from moralbank.storage.db import is_postgresql
from moralbank.storage.models import Board


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong in one village's chain (or in the whole ledger)."""

    village: str
    seq: int | None
    entry: int | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    board: int | None = None  # the published board this problem is about


@dataclass
class VerifyReport:
    """What ``verify`` found: how much it checked and every problem."""

    villages: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    boards: int = 0
    movements: int = 0  # stock movements of the points supermarket
    stock_chains: int = 0  # villages with a stock chain
    records: int = 0  # records of resolutions, standards, the register, consent, boards and exports

    @property
    def ok(self) -> bool:
        """True when every chain, sum and checkpoint is intact."""
        return not self.problems


_VALUES = ", ".join(CHAIN_FIELDS)
_ENTRIES = f"SELECT id, {_VALUES}, prev_hash, hash, chain_format FROM entry ORDER BY village, seq"
# On SQLite the database renders each entry's canonical JSON itself: json_array() writes the
# same compact text as Python's encoder and halves the cost of verify (bench/RESULTS.md). An
# entry whose hash does not match is checked again from its raw values before it is reported,
# so the shortcut cannot raise a false alarm, whatever a future SQLite does with escapes.
_ENTRIES_JSON = (
    "SELECT id, village, seq, household, debit, credit, amount, coins, prev_hash, hash, "
    f"json_array({_VALUES}), chain_format FROM entry ORDER BY village, seq"
)


class _ChainCheck:
    """Walks one village's entries in order and keeps the first problem."""

    def __init__(self, village: str) -> None:
        self.village = village
        self.seq = 0
        self.head = GENESIS
        self.problem: Problem | None = None

    def fail(self, row: Any, key: str, **params: Any) -> None:
        if self.problem is None:
            self.problem = Problem(self.village, row[2], row[0], key, params)

    def step(self, row: Any, recheck: Callable[[Any], bool]) -> None:
        # row: id, village, seq, household, debit, credit, amount, coins, prev_hash, hash,
        # format-1 canonical text, chain_format
        seq, prev_hash, stored, chain_format = row[2], row[8], row[9], row[11]
        if seq != self.seq + 1:
            self.fail(row, "chain.gap", expected=self.seq + 1, found=seq)
        elif prev_hash != self.head:
            self.fail(row, "chain.broken_link")
        if chain_format not in CHAIN_FORMATS:  # written by a newer rule, or altered
            self.fail(row, "chain.unknown_format", id=row[0], format=chain_format)
        elif not self._fast_match(row) and not recheck(row):
            self.fail(row, "chain.bad_hash", id=row[0])
        self.seq, self.head = seq, stored

    @staticmethod
    def _fast_match(row: Any) -> bool:
        # Format 1 from the canonical text in the row; any other format by the exact recheck.
        return bool(row[11] == 1 and hashlib.sha256((row[8] + row[10]).encode()).hexdigest() == row[9])


def _entries(session: Session) -> Iterator[Any]:
    """Every entry in chain order, shaped as ``_ChainCheck.step`` reads it."""
    connection = session.connection().execution_options(stream_results=True, yield_per=5000)
    if not is_postgresql(session):
        yield from connection.execute(text(_ENTRIES_JSON))
        return
    for row in connection.execute(text(_ENTRIES)):
        yield (*row[0:3], *row[4:9], row[-3], row[-2], canonical_text(row[1:-3]), row[-1])


def _hash_recheck(session: Session) -> Callable[[Any], bool]:
    """Whether an entry's stored hash matches its raw values by its own chain format's rule.

    The fast path checks format 1 from the canonical text in the row (see _ENTRIES_JSON); this
    is the exact check, from the stored values of the fields the entry's format hashes.
    """
    queries = {
        number: text(f"SELECT {', '.join(fields)} FROM entry WHERE id = :id")
        for number, fields in CHAIN_FORMATS.items()
    }

    def matches(row: Any) -> bool:
        values = session.execute(queries[row[11]], {"id": row[0]}).one()
        return bool(format_hash(row[11], row[8], tuple(values)) == row[9])

    return matches


def _check_accounts(row: Any, chain: _ChainCheck, totals: dict[str, int]) -> None:
    # Village accounts are summed from the transfers, households from their own coin column, so
    # the zero-sum check compares two independent records of the same movement.
    debit, credit, amount, coins = row[4], row[5], row[6], row[7]
    mine = household_account(row[1], row[3])
    if debit != mine:
        totals[debit] -= amount
    if credit != mine:
        totals[credit] += amount
    totals["households"] += coins
    expected = amount if credit == mine else -amount if debit == mine else 0
    if coins != expected:
        chain.fail(row, "chain.bad_coins", coins=coins, expected=expected)


def verify(session: Session, *, saved: Sequence[Checkpoint | Head] | None = None) -> VerifyReport:
    """Recompute every chain, check that all accounts sum to zero, and check saved checkpoints."""
    report = VerifyReport()
    totals: dict[str, int] = defaultdict(int)
    chains: dict[str, _ChainCheck] = {}
    chain: _ChainCheck | None = None
    recheck = _hash_recheck(session)
    for row in _entries(session):
        if chain is None or chain.village != row[1]:
            chain = chains[row[1]] = _ChainCheck(row[1])
        chain.step(row, recheck)
        _check_accounts(row, chain, totals)
        report.entries += 1
    report.villages = len(chains)
    report.problems = [c.problem for c in chains.values() if c.problem]
    if sum(totals.values()) != 0:
        report.problems.append(Problem("", None, None, "ledger.not_zero_sum", {"total": sum(totals.values())}))
    report.problems += _checkpoint_problems(session, saved or [])
    report.problems += _stock_checkpoint_problems(session, [p for p in saved or [] if isinstance(p, Head)])
    report.boards, found = board_problems(session)
    report.problems += found
    report.stock_chains, report.movements, found = stock_problems(session)
    report.problems += found
    report.records, found = record_problems(session, [p for p in saved or [] if isinstance(p, Head)])
    report.problems += found
    report.problems += move_problems(session)
    return report


# --- household moves (issue 10) ---

# Every move names its two entries, and every move entry is named by one move: the same household,
# on the move's date, its whole balance in the old village's books carried out and the same coins
# into the new one's; and each move leaves the village the household was in (its registration,
# or the previous move's destination).
_MOVES = text("""
SELECT m.id, m.household, m.from_village, m.to_village, m.on_date, m.out_seq, m.in_seq, h.village,
       o.kind, o.household, o.coins, o.booked_on, i.kind, i.household, i.coins, i.booked_on
FROM household_move m
LEFT JOIN household h ON h.code = m.household
LEFT JOIN entry o ON o.village = m.from_village AND o.seq = m.out_seq
LEFT JOIN entry i ON i.village = m.to_village AND i.seq = m.in_seq
ORDER BY m.household, m.id
""")
_HELD_BEFORE = text("SELECT COALESCE(SUM(coins), 0) FROM entry WHERE household = :h AND village = :v AND seq < :s")
# Over the partial index entry_move: the move entries alone.
_MOVE_ENTRIES = text("""
SELECT e.village, e.seq FROM entry e
WHERE e.kind IN ('move_out', 'move_in') AND NOT EXISTS (
    SELECT 1 FROM household_move m
    WHERE (e.kind = 'move_out' AND m.from_village = e.village AND m.out_seq = e.seq)
       OR (e.kind = 'move_in' AND m.to_village = e.village AND m.in_seq = e.seq))
ORDER BY e.village, e.seq
""")


def move_problems(session: Session) -> list[Problem]:
    """A household move whose entries are missing, differ or serve another move too, a move from a
    village the household was not in, and a move entry no move records."""
    problems: list[Problem] = []
    used: set[tuple[str, int]] = set()
    was: dict[str, str] = {}  # household -> the village its moves so far left it in
    for row in session.execute(_MOVES).all():
        move_id, household, old, new, on, out_seq, in_seq, registered = row[:8]
        out_kind, out_household, out_coins, out_day, in_kind, in_household, in_coins, in_day = row[8:]
        held = session.execute(_HELD_BEFORE, {"h": household, "v": old, "s": out_seq}).scalar()
        sound = (
            (out_kind, in_kind, out_household, in_household) == ("move_out", "move_in", household, household)
            and (out_day, in_day) == (on, on)
            and out_coins is not None
            and in_coins == -out_coins == held
            and was.get(household, registered) == old
            and not {(old, out_seq), (new, in_seq)} & used
        )
        if not sound:
            problems.append(Problem("", None, None, "move.bad_link", {"id": move_id, "household": household}))
        used |= {(old, out_seq), (new, in_seq)}
        was[household] = new
    for village, seq in session.execute(_MOVE_ENTRIES):
        problems.append(Problem("", None, None, "move.unrecorded", {"village": village, "seq": seq}))
    return problems


def record_problems(session: Session, saved: Sequence[Head]) -> tuple[int, list[Problem]]:
    """Check the records chains and every covered row against its record, then saved records heads."""
    check = check_records(session.connection())
    problems = [Problem("", None, None, f.key, {"scope": f.scope} | f.params) for f in check.findings]
    query = text("SELECT hash FROM record WHERE scope = :s AND seq = :q")
    for point in saved:
        if point.records_seq <= 0:
            continue
        row = session.execute(query, {"s": point.village, "q": point.records_seq}).first()
        if row is None or row[0] != point.records_hash:
            key = "records.truncated" if row is None else "records.checkpoint_mismatch"
            problems.append(Problem("", None, None, key, {"scope": point.village, "seq": point.records_seq}))
    return check.records, problems


def _checkpoint_problems(session: Session, saved: Sequence[Checkpoint | Head]) -> list[Problem]:
    problems = []
    query = text("SELECT id, hash FROM entry WHERE village = :v AND seq = :s")
    for point in saved:
        if point.seq <= 0:  # an empty chain (or the county's records alone): no entry to find
            continue
        row = session.execute(query, {"v": point.village, "s": point.seq}).first()
        if row is None:
            problems.append(Problem(point.village, point.seq, None, "chain.truncated", {"seq": point.seq}))
        elif row[1] != point.hash:
            problems.append(Problem(point.village, point.seq, row[0], "chain.checkpoint_mismatch", {"seq": point.seq}))
    return problems


def board_problems(session: Session) -> tuple[int, list[Problem]]:
    """Check every published board: its snapshot hash, its checkpoint, and its figures against the ledger.

    Returns how many boards were checked and every problem, each naming its board.
    """
    problems: list[Problem] = []
    checked = after = 0
    while batch := published_batch(session, after=after, size=200):
        first, last = batch[0].id, batch[-1].id
        assert first is not None and last is not None
        now = ledger_tallies(session, first=first, last=last)  # set-based, not board by board
        for record in batch:
            assert record.id is not None
            problems += _one_board(session, record, now.get(record.id, ({}, {})))
        checked, after = checked + len(batch), last
    return checked, problems


def _one_board(session: Session, record: Board, now: tuple[Tally, Tally]) -> list[Problem]:
    assert record.id is not None
    where = {"board": record.id, "month": record.month}

    def problem(key: str, at: int | None = None, **params: Any) -> Problem:
        return Problem(record.village, at, None, key, where | params, board=record.id)

    data = read_snapshot(record.snapshot)
    if data is None:
        return [problem("board.snapshot_unreadable")]
    stored = {"village": record.village, "seq": record.seq, "hash": record.head_hash}
    same = (data.get("village"), data.get("month"), data.get("checkpoint")) == (record.village, record.month, stored)
    if text_hash(record.snapshot) != record.snapshot_hash or not same:
        return [problem("board.snapshot_altered")]
    found = []
    if record.seq > 0:
        row = session.execute(_HEAD_AT, {"v": record.village, "s": record.seq}).first()
        if row is None or row[0] != record.head_hash:
            found.append(problem("board.checkpoint_mismatch", record.seq, seq=record.seq))
    red, black = now
    ledger = red | black if data["black_list"] is not None else red
    try:
        published = snapshot_tally(data)
    except (KeyError, TypeError, AttributeError):  # re-hashed by hand into a shape no board has
        return [problem("board.snapshot_unreadable")]
    if differs := first_difference(published, ledger):
        household, was, is_now = differs
        found.append(problem("board.ledger_differs", household=household, was=was, now=is_now))
    return found


_HEAD_AT = text("SELECT hash FROM entry WHERE village = :v AND seq = :s")


# --- the points supermarket's stock chains (issue 14) ---

_MOVEMENT_VALUES = ", ".join(MOVEMENT_FIELDS)
_MOVEMENTS = f"SELECT id, {_MOVEMENT_VALUES}, prev_hash, hash FROM stock_movement ORDER BY village, seq"
# A redemption's goods must leave with a redemption entry of the same household and quantity, and
# come back only with that entry's reversal.
_LINKS = """
SELECT m.village, m.seq, m.kind, m.qty, m.household, e.kind, e.household, e.qty, o.qty
FROM stock_movement m
LEFT JOIN entry e ON e.village = m.village AND e.seq = m.entry_seq
LEFT JOIN entry o ON o.village = e.village AND o.seq = e.ref_seq
WHERE m.kind IN ('redemption', 'return')
ORDER BY m.village, m.seq
"""


class _StockCheck:
    """Walks one village's stock movements in order: the chain, then every item's stock never below zero."""

    def __init__(self, village: str) -> None:
        self.village = village
        self.seq = 0
        self.head = GENESIS
        # item -> booking day -> (net qty, the last movement's seq that day)
        self.days: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        self.problem: Problem | None = None

    def fail(self, seq: int, key: str, **params: Any) -> None:
        if self.problem is None:
            self.problem = Problem("", None, None, key, {"village": self.village, "seq": seq} | params)

    def step(self, row: Any) -> None:
        # row: id, *MOVEMENT_FIELDS, prev_hash, hash
        values, prev_hash, stored = row[1:-2], row[-2], row[-1]
        seq, item, qty, booked_on = values[1], values[2], values[4], values[8]
        if seq != self.seq + 1:
            self.fail(seq, "stock.gap", expected=self.seq + 1, found=seq)
        elif prev_hash != self.head:
            self.fail(seq, "stock.broken_link")
        if movement_hash(prev_hash, tuple(values)) != stored:
            self.fail(seq, "stock.bad_hash")
        net, _ = self.days[item].get(booked_on, (0, 0))
        self.days[item][booked_on] = (net + qty, seq)
        self.seq, self.head = seq, stored

    def finish(self) -> Problem | None:
        """The first problem: of the chain, else the first day an item's stock ended below zero."""
        for item in sorted(self.days):
            stock = 0
            for _day, (net, seq) in sorted(self.days[item].items()):
                stock += net
                if stock < 0:
                    self.fail(seq, "stock.negative", item=item, stock=stock)
                    break
        return self.problem


def _link_problem(row: Any) -> Problem | None:
    village, seq, kind, qty, household, entry_kind, entry_household, entry_qty, original_qty = row
    expected_kind, units = ("redemption", entry_qty) if kind == "redemption" else ("reversal", original_qty)
    if entry_kind != expected_kind or entry_household != household or units is None or units != abs(qty):
        return Problem("", None, None, "stock.bad_link", {"village": village, "seq": seq})
    return None


_STOCK_AT = text("SELECT hash FROM stock_movement WHERE village = :v AND seq = :s")


def _stock_checkpoint_problems(session: Session, saved: list[Head]) -> list[Problem]:
    """A saved stock head that is gone (a cut tail) or whose hash differs."""
    problems = []
    for point in saved:
        if point.stock_seq <= 0:
            continue
        row = session.execute(_STOCK_AT, {"v": point.village, "s": point.stock_seq}).first()
        if row is None or row[0] != point.stock_hash:
            key = "stock.truncated" if row is None else "stock.checkpoint_mismatch"
            problems.append(Problem("", None, None, key, {"village": point.village, "seq": point.stock_seq}))
    return problems


# Every redemption of catalogue goods (qty set: a free-text one has none) and every reversal of
# one must have its movement: the same item, the quantity out, or back.
_ENTRY_GOODS = """
SELECT e.village, e.seq, e.kind, e.qty, COALESCE(o.note, e.note), m.kind, m.qty, m.item
FROM entry e
LEFT JOIN entry o ON e.kind = 'reversal' AND o.village = e.village AND o.seq = e.ref_seq
LEFT JOIN stock_movement m ON m.village = e.village AND m.entry_seq = e.seq
WHERE e.qty IS NOT NULL
  AND (e.kind = 'redemption' OR (e.kind = 'reversal' AND o.kind = 'redemption' AND o.qty IS NOT NULL))
ORDER BY e.village, e.seq
"""


def _goods_problem(row: Any) -> Problem | None:
    village, seq, kind, qty, note, moved_kind, moved_qty, item = row
    expected = ("redemption", -qty) if kind == "redemption" else ("return", qty)
    if (moved_kind, moved_qty) != expected or item != str(note).split(" ", 1)[0]:
        return Problem("", None, None, "stock.entry_without_movement", {"village": village, "seq": seq})
    return None


def stock_problems(session: Session) -> tuple[int, int, list[Problem]]:
    """Recompute every village's stock chain; check stock never went below zero and goods match their entries.

    Returns how many chains and movements were checked, the first problem of each chain, then every bad link.
    """
    checks: dict[str, _StockCheck] = {}
    count = 0
    for row in session.connection().execution_options(stream_results=True).execute(text(_MOVEMENTS)):
        check = checks.get(row[1]) or checks.setdefault(row[1], _StockCheck(row[1]))
        check.step(row)
        count += 1
    problems = [found for c in checks.values() if (found := c.finish())]
    problems += [found for row in session.execute(text(_LINKS)) if (found := _link_problem(row))]
    problems += [found for row in session.execute(text(_ENTRY_GOODS)) if (found := _goods_problem(row))]
    return len(checks), count, problems
