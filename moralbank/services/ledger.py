"""The ledger: the only code that writes entries. Double entry, hash-chained, append-only."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, func, select

from moralbank.domain.accounts import household_account, points_transfer, village_account
from moralbank.domain.chain import CHAIN_FIELDS, CHAIN_FORMAT, entry_hash
from moralbank.domain.dates import month_bounds
from moralbank.domain.identity import has_personal_number
from moralbank.domain.limits import check_text
from moralbank.domain.year import SYSTEM_KINDS, reserved_prefix
from moralbank.errors import InputError, NotFound, Refused, RowProblem, SheetError
from moralbank.services.codes import all_household_codes, by_case, household_codes_by_case, unknown_code
from moralbank.services.decisions import Decision
from moralbank.services.duplicates import DuplicateFinder, EntryRow, earlier_redemption
from moralbank.services.proposals import as_proposal, noticed_villages, pending_points_since, reserved_coins
from moralbank.services.register import Progress, current_village, get_household, now_utc, refuse_before_move
from moralbank.services.standards import StandardBook
from moralbank.storage.db import insert_rows, is_postgresql, lock_village
from moralbank.storage.models import CurrentHousehold, Entry, HouseholdMove, Standard
from moralbank.storage.reads import chain_head as chain_head  # one home for both, shared with the SQLite reads
from moralbank.storage.reads import chain_heads as chain_heads
from moralbank.storage.reads import holdings as holdings
from moralbank.storage.records import published_months

# Every column an append writes (the id is assigned by the database).
_ENTRY_COLUMNS = (*CHAIN_FIELDS, "prev_hash", "hash", "chain_format")
_entry_values = itemgetter(*_ENTRY_COLUMNS)

# What a user calls each stored column when a retry's content differs from the original.
_FIELD_NAMES = {
    "household": "household",
    "standard_id": "standard",
    "qty": "qty",
    "event_date": "event_date",
    "booked_on": "booked_on",
    "note": "note",
    "amount": "coins",
    "ref_seq": "entry",
    "kind": "kind",
}


@dataclass(frozen=True)
class Written:
    """The outcome of a write: entry ids in order, and how many were earlier retries."""

    ids: list[int]
    repeated: int = 0


class Chain:
    """Appends entries to village chains inside the caller's transaction."""

    def __init__(self, session: Session, operator: str) -> None:
        self.session = session
        self.operator = operator
        self.recorded_at = now_utc()
        self._heads: dict[str, tuple[int, str]] = {}

    def head(self, village: str) -> tuple[int, str]:
        """The (seq, hash) of the village's last entry; locks the village's chain first."""
        if village not in self._heads:
            lock_village(self.session, village)
            head = chain_head(self.session, village)
            self._heads[village] = (head.seq, head.hash)
        return self._heads[village]

    def seal(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Give an entry its chain position and hashes."""
        if fields.get("kind") not in SYSTEM_KINDS:
            check_user_key(fields.get("idem_key"))
        seq, prev = self.head(fields["village"])
        row = {"note": "", "idem_key": None, "ref_seq": None, "standard_id": None, "qty": None} | fields
        row |= {"seq": seq + 1, "operator": self.operator, "recorded_at": self.recorded_at, "prev_hash": prev}
        row["chain_format"] = CHAIN_FORMAT  # CHAIN_FIELDS are format 1's fields
        row["hash"] = entry_hash(prev, [row[name] for name in CHAIN_FIELDS])
        self._heads[fields["village"]] = (seq + 1, row["hash"])
        return row

    def write_one(self, fields: dict[str, Any]) -> int:
        """Append one entry and return its id."""
        entry = Entry(**self.seal(fields))
        self.session.add(entry)
        self.session.flush()
        assert entry.id is not None
        return entry.id

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Append already-sealed entries in one statement, without reading their ids back."""
        insert_rows(self.session, "entry", _ENTRY_COLUMNS, [_entry_values(row) for row in rows])

    def write_many(self, rows: list[dict[str, Any]]) -> list[int]:
        """Append already-sealed entries in one statement; returns their ids in order."""
        if not rows:
            return []
        insert_rows(self.session, "entry", _ENTRY_COLUMNS, [_entry_values(row) for row in rows])
        # Find the ids by chain position, which this transaction holds the lock for; ids alone
        # could interleave with another village's writer on PostgreSQL.
        spans: dict[str, tuple[int, int]] = {}
        for row in rows:
            low, high = spans.get(row["village"], (row["seq"], row["seq"]))
            spans[row["village"]] = (min(low, row["seq"]), max(high, row["seq"]))
        found: dict[tuple[str, int], int] = {}
        for village, (low, high) in spans.items():
            query = select(Entry.id, Entry.seq).where(Entry.village == village, col(Entry.seq).between(low, high))
            found.update({(village, seq): entry_id for entry_id, seq in self.session.exec(query).all() if entry_id})
        return [found[(row["village"], row["seq"])] for row in rows]


def differing_field(earlier: Entry | dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """The first user-facing field where a retry differs from what its key wrote first.

    ``earlier`` is the stored entry, or the fields of an earlier row of the same batch. Only the
    fields the retry names are compared: a reversal's retry says nothing of the household, say.
    """
    for column, name in _FIELD_NAMES.items():
        stored = earlier.get(column) if isinstance(earlier, dict) else getattr(earlier, column)
        if column in wanted and stored != wanted[column]:
            return name
    return None


def entry_with_key(session: Session, key: str) -> int | None:
    """The id of the entry recorded with idempotency key ``key``, if there is one."""
    return session.exec(select(Entry.id).where(Entry.idem_key == key)).first()


def _existing_by_key(session: Session, keys: Iterable[str]) -> dict[str, Entry]:
    wanted = [k for k in keys if k]
    found: dict[str, Entry] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for entry in session.exec(select(Entry).where(col(Entry.idem_key).in_(chunk))).all():
            assert entry.idem_key is not None
            found[entry.idem_key] = entry
    return found


def _decision_fields(decision: Decision, village: str, std: Standard) -> dict[str, Any]:
    return {
        "village": village,
        "household": decision.household,
        **points_transfer(village, decision.household, std.points, decision.qty),
        "standard_id": std.id,
        "qty": decision.qty,
        "event_date": decision.event_date,
        "booked_on": decision.booked_on,
        "note": decision.note,
        "idem_key": decision.key,
    }


def _date_problems(decision: Decision, today: date, number: int) -> list[RowProblem]:
    problems = []
    for name in ("event_date", "booked_on"):
        value = getattr(decision, name)
        if value > today.isoformat():
            problems.append(RowProblem(number, name, "date.future", {"value": value}))
    # A future event is the one mistake: a default booking date (today) before it is no second one.
    if decision.booked_on < decision.event_date and decision.event_date <= today.isoformat():
        problems.append(RowProblem(number, "booked_on", "decision.booked_before_event"))
    return problems


_EARNED_SINCE = (
    "SELECT household, standard_id, event_date, earned FROM entry "
    "WHERE booked_on >= :low AND event_date >= :low AND standard_id IS NOT NULL"
)
_FEW_HOUSEHOLDS = 500


def _earned_since(session: Session, low: str, decisions: list[Decision], *, by_household: bool = False) -> list[Any]:
    """Entries for events since ``low``: of the batch's households, or of the county for a big batch.

    ``by_household`` always reads only the batch's households (500 at a time): a streamed
    import's chunks would otherwise read the county's months again for every chunk.
    """
    households = sorted({d.household for d in decisions})
    if by_household:
        query = text(_EARNED_SINCE + " AND household IN :households").bindparams(
            bindparam("households", expanding=True)
        )
        found: list[Any] = []
        for start in range(0, len(households), _FEW_HOUSEHOLDS):
            part = households[start : start + _FEW_HOUSEHOLDS]
            found += session.execute(query, {"low": low, "households": part}).all()
        return found
    if len(households) > _FEW_HOUSEHOLDS:
        # A whole county's month: one pass over the month is cheaper than an index probe per household.
        return list(session.execute(text(_EARNED_SINCE), {"low": low}))
    # One award, or one village's sheet: only these households, through entry_household, so the
    # cost stays flat however many entries the county booked that month (bench/RESULTS.md).
    query = text(_EARNED_SINCE + " AND household IN :households").bindparams(bindparam("households", expanding=True))
    return list(session.execute(query, {"low": low, "households": households}))


class CapTracker:
    """Points already earned per (household, standard code, event month) for capped standards."""

    def __init__(
        self, session: Session, book: StandardBook, decisions: list[Decision], *, by_household: bool = False
    ) -> None:
        self.used: dict[tuple[str, str, str], int] = defaultdict(int)
        capped = [s for s in book.all() if s.monthly_cap]
        dates = [d.event_date for d in decisions if d.event_date]
        if not capped or not dates:
            return
        low = month_bounds(min(dates)[:7])[0].isoformat()
        codes = {s.id: s.code for s in capped}
        for household, standard_id, event_date, earned in _earned_since(
            session, low, decisions, by_household=by_household
        ):
            if standard_id in codes:
                self.used[(household, codes[standard_id], event_date[:7])] += earned
        points = {s.id: s.points for s in capped}
        for household, standard_id, event_date, qty in pending_points_since(session, low):
            if standard_id in codes:  # a pending proposal counts as if posted
                self.used[(household, codes[standard_id], event_date[:7])] += points[standard_id] * qty

    def take(self, decision: Decision, std: Standard, number: int) -> RowProblem | None:
        """Count this decision against its cap, or say why it would exceed it."""
        if not std.monthly_cap or std.points < 0:
            return None
        slot = (decision.household, std.code, decision.event_date[:7])
        points = std.points * decision.qty
        if self.used[slot] + points > std.monthly_cap:
            params = {"cap": std.monthly_cap, "used": self.used[slot], "points": points}
            return RowProblem(number, "qty", "decision.over_cap", params)
        self.used[slot] += points
        return None


@dataclass
class BatchContext:
    """What every chunk of one import checks against and that no chunk changes: read once."""

    book: StandardBook
    closed: set[tuple[str, str]]
    closed_years: set[tuple[str, int]]
    noticed: set[str]
    locked: set[str]  # villages whose chains this transaction has locked
    known_households: list[str] | None = None

    @classmethod
    def load(cls, session: Session) -> BatchContext:
        """The standards, closed months and years, and villages on notice, as they stand."""
        return cls(
            StandardBook.load(session), closed_months(session), closed_years(session), noticed_villages(session), set()
        )


class DecisionBatch:
    """Validates a set of decisions against the register, standards, caps and keys; then writes.

    With a ``context``, the batch is one chunk of a streamed import: what earlier chunks wrote in
    the same transaction is already in the database, so keys, caps and likely duplicates are
    checked against it; ``entry_row`` names the sheet row of an entry an earlier chunk wrote.
    """

    def __init__(
        self,
        session: Session,
        decisions: list[tuple[int, Decision]],
        today: date,
        *,
        repeat: bool = False,
        context: BatchContext | None = None,
        entry_row: EntryRow | None = None,
    ) -> None:
        self.session = session
        self.today = today
        streamed = context is not None
        self.context = context or BatchContext.load(session)
        self.book = self.context.book
        self.decisions = self._as_registered(decisions)
        self.heads: dict[str, str] = {}
        self.moved_on: dict[str, str] = {}  # a moved household's latest move date
        households = {d.household for _, d in self.decisions}
        self.villages = self._villages(households)
        # Lock the chains (in one order, so batches never deadlock) before reading keys, caps and
        # closed months: on PostgreSQL a concurrent writer's entries are then already committed.
        while True:
            for village in sorted(set(self.villages.values()) - self.context.locked):
                lock_village(session, village)
                self.context.locked.add(village)
            # On PostgreSQL a move may have committed before the locks: read the villages again
            # (SQLite's write lock, held since BEGIN IMMEDIATE, already excludes it).
            if not is_postgresql(session) or (again := self._villages(households)) == self.villages:
                break
            self.villages = again
        self.caps = CapTracker(session, self.book, [d for _, d in self.decisions], by_household=streamed)
        self.existing = _existing_by_key(session, (d.key or "" for _, d in self.decisions))
        self.closed = self.context.closed
        self.closed_years = self.context.closed_years
        self.noticed = self.context.noticed  # their decisions are proposed first (拟记)
        self.duplicates = DuplicateFinder(
            session, ((d.household, d.event_date) for _, d in self.decisions), repeat=repeat, entry_row=entry_row
        )
        self.fresh_rows: list[tuple[int, Decision]] = []
        self._std: Standard  # the standard in force for the decision _check last passed

    def _as_registered(self, decisions: list[tuple[int, Decision]]) -> list[tuple[int, Decision]]:
        """The decisions with codes typed in another case (``dl019``, ``zy01``) as registered."""
        households = household_codes_by_case(self.session, {d.household for _, d in decisions})
        standards = by_case({d.standard for _, d in decisions}, {s.code for s in self.book.all()})
        if not households and not standards:
            return decisions
        return [
            (
                n,
                replace(
                    d,
                    household=households.get(d.household, d.household),
                    standard=standards.get(d.standard, d.standard),
                ),
            )
            for n, d in decisions
        ]

    def _villages(self, households: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        codes = sorted(households)
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            query = select(CurrentHousehold.code, CurrentHousehold.village, CurrentHousehold.head_name).where(
                col(CurrentHousehold.code).in_(chunk)
            )
            for code, village, head in self.session.exec(query).all():
                found[code] = village
                self.heads[code] = head
            moves = select(HouseholdMove.household, func.max(HouseholdMove.on_date)).where(
                col(HouseholdMove.household).in_(chunk)
            )
            for code, on in self.session.exec(moves.group_by(col(HouseholdMove.household))).all():
                self.moved_on[code] = str(on)
        return found

    def _unknown_household(self, number: int, code: str) -> RowProblem:
        if self.context.known_households is None:
            self.context.known_households = all_household_codes(self.session)
        return unknown_code(number, "household", code, self.context.known_households, "household")

    def _claims(self, number: int, decision: Decision, std: Standard) -> list[RowProblem]:
        """Problems where the sheet's head name or points disagree with the register or the standard."""
        problems = []
        head, claimed = self.heads[decision.household], decision.head_name
        if claimed and claimed != head:
            problems.append(
                RowProblem(
                    number,
                    "head_name",
                    "sheet.head_name_differs",
                    {"sheet": claimed, "code": decision.household, "register": head},
                )
            )
        total, points = std.points * decision.qty, decision.points
        if points is not None and points not in (std.points, total):
            problems.append(
                RowProblem(
                    number,
                    "points",
                    "sheet.points_differ",
                    {"sheet": points, "code": std.code, "points": std.points, "total": total},
                )
            )
        return problems

    def _check(self, number: int, decision: Decision) -> tuple[dict[str, Any] | None, list[RowProblem]]:
        village = self.villages.get(decision.household)
        if village is None:
            return None, [self._unknown_household(number, decision.household)]
        problems = _date_problems(decision, self.today, number)
        if prefix := reserved_prefix(decision.key):
            problems.append(RowProblem(number, "key", "key.reserved", {"prefix": prefix}))
        if (village, year := int(decision.booked_on[:4])) in self.closed_years:
            problems.append(
                RowProblem(
                    number,
                    "booked_on",
                    "year.booking_closed",
                    {"village": village, "year": year, "date": decision.booked_on},
                )
            )
        if has_personal_number(decision.note):
            problems.append(RowProblem(number, "note", "text.personal_number"))
        if (moved := self.moved_on.get(decision.household)) is not None and decision.booked_on < moved:
            problems.append(
                RowProblem(
                    number,
                    "booked_on",
                    "household.booked_before_move",
                    {"code": decision.household, "village": village, "date": moved},
                )
            )
        std = self.book.in_force(decision.standard, village, decision.event_date)
        if std is None:
            if self.book.knows(decision.standard, village):
                problems.append(
                    RowProblem(
                        number,
                        "standard",
                        "standard.not_in_force",
                        {"code": decision.standard, "date": decision.event_date},
                    )
                )
            else:
                known = {s.code for s in self.book.all()}
                problems.append(unknown_code(number, "standard", decision.standard, known, "standard"))
            return None, problems
        problems += self._claims(number, decision, std)
        # A retry of a recorded key is answered with the original entry even once its month has closed.
        closed = (village, decision.booked_on[:7]) in self.closed  # booked_on is ISO: its month is its start
        if closed and decision.key not in self.existing:
            problems.append(RowProblem(number, "booked_on", "month.closed", {"month": decision.booked_on[:7]}))
        if problems:
            return None, problems
        fields = _decision_fields(decision, village, std)
        self._std = std
        return (as_proposal(fields) if village in self.noticed else fields), problems

    def prepare(self, progress: Progress | None = None) -> tuple[list[dict[str, Any]], int, list[RowProblem]]:
        """The entries to write, how many rows were earlier retries, and every problem found."""
        problems: list[RowProblem] = []
        fresh: list[dict[str, Any]] = []
        self.fresh_rows = []  # the sheet row of each fresh entry, in order
        repeated = 0
        by_key: dict[str, dict[str, Any]] = {}
        for number, decision in self.decisions:
            if progress:
                progress(1)
            fields, found = self._check(number, decision)
            problems += found
            if fields is None:
                continue
            key = decision.key
            earlier = self.existing.get(key) if key else None
            if key and (earlier is not None or key in by_key):
                if differs := differing_field(earlier or by_key[key], fields):
                    problems.append(RowProblem(number, differs, "key.conflict", {"key": key}))
                repeated += 1
                continue
            if duplicate := self.duplicates.check(number, fields):
                problems.append(duplicate)
                continue
            if over := self.caps.take(decision, self._std, number):  # the standard _check found in force
                problems.append(over)
                continue
            fresh.append(fields)
            self.fresh_rows.append((number, decision))
            if key:
                by_key[key] = fields
        return fresh, repeated, problems


def checked_decisions(
    session: Session,
    *,
    decisions: list[tuple[int, Decision]],
    today: date,
    source: str,
    problems: list[RowProblem] | None = None,
    progress: Progress | None = None,
    repeat: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """The entries a batch would write and how many rows were retries; every problem raised at once.

    ``problems`` are those already found while reading the sheet; they are reported together.
    """
    batch = DecisionBatch(session, decisions, today, repeat=repeat)
    fresh, repeated, found = batch.prepare(progress)
    found = sorted([*(problems or []), *found], key=lambda p: p.row)
    if found:
        raise SheetError(source, found)
    return fresh, repeated


def write_decisions(session: Session, *, fresh: list[dict[str, Any]], operator: str) -> list[dict[str, Any]]:
    """Append checked entries to their chains; returns them sealed (village, seq), each with its id."""
    chain = Chain(session, operator)
    # Seal village by village so each chain's head is read (and locked) once.
    sealed = [chain.seal(fields) for fields in sorted(fresh, key=itemgetter("village"))]
    for row, entry_id in zip(sealed, chain.write_many(sealed), strict=True):
        row["id"] = entry_id
    return sealed


CHUNK = 5_000  # decisions checked and appended at a time by a streamed import (10,000 held about 50 MB)


class StreamedDecisions:
    """A decisions sheet of any size checked and appended chunk by chunk inside one transaction.

    Each chunk is checked as ``DecisionBatch`` checks a whole sheet, against the database as
    this transaction sees it, which holds every earlier chunk's entries: a key used earlier in
    the sheet is a retry, an earlier row counts against a cap and is found as a duplicate row.
    Chunks go on being checked and written after a problem, so that every bad row is reported
    as a whole check would report it; the caller then rolls the transaction back, and nothing
    is written. What is held between chunks: the chain heads, the sheet row of each entry
    written (4 bytes an entry) and the per-village tallies.
    """

    def __init__(
        self, session: Session, *, today: date, operator: str, repeat: bool = False, chunk: int | None = None
    ) -> None:
        self.session = session
        self.today = today
        self.repeat = repeat
        self.chunk = chunk or CHUNK
        self.context = BatchContext.load(session)
        self.chain = Chain(session, operator)
        self.problems: list[RowProblem] = []
        self.repeated = 0
        self.written = 0
        self.first_seq: dict[str, int] = {}  # the seq before this import's first entry, per village
        self.rows: dict[str, array[int]] = {}  # the sheet row of each entry written, in seq order
        self.listeners: list[Callable[[list[dict[str, Any]]], None]] = []

    def entry_row(self, village: str, seq: int) -> int | None:
        """The sheet row that this import wrote the entry (village, seq) from, if it did."""
        rows, first = self.rows.get(village), self.first_seq.get(village)
        if rows is None or first is None or not first < seq <= first + len(rows):
            return None
        return rows[seq - first - 1]

    def take_all(self, decisions: Iterable[tuple[int, Decision]], progress: Progress | None = None) -> None:
        """Check and append every decision, a chunk at a time."""
        chunk: list[tuple[int, Decision]] = []
        for found in decisions:
            chunk.append(found)
            if len(chunk) >= self.chunk:
                self.take(chunk, progress)
                chunk = []
        if chunk:
            self.take(chunk, progress)

    def take(self, chunk: list[tuple[int, Decision]], progress: Progress | None = None) -> None:
        """Check one chunk and append what passed."""
        batch = DecisionBatch(
            self.session, chunk, self.today, repeat=self.repeat, context=self.context, entry_row=self.entry_row
        )
        fresh, repeated, problems = batch.prepare(progress)
        self.problems += problems
        self.repeated += repeated
        order = sorted(range(len(fresh)), key=lambda n: fresh[n]["village"])
        rows_of = [number for number, _ in batch.fresh_rows]
        sealed = []
        for index in order:
            village = fresh[index]["village"]
            row = self.chain.seal(fresh[index])
            if village not in self.rows:
                self.first_seq[village] = row["seq"] - 1
                self.rows[village] = array("I")
            self.rows[village].append(rows_of[index])
            sealed.append(row)
        self.chain.write_rows(sealed)
        self.written += len(sealed)
        for listener in self.listeners:
            listener(sealed)

    def spans(self) -> list[tuple[str, int, int]]:
        """(village, first seq, last seq) of what this import wrote, per village."""
        return [(v, first + 1, first + len(self.rows[v])) for v, first in sorted(self.first_seq.items())]

    def raise_problems(self, source: str, found: list[RowProblem]) -> None:
        """Every problem, of reading and of checking, in row order; nothing when there are none."""
        every = sorted([*found, *self.problems], key=lambda p: p.row)
        if every:
            raise SheetError(source, every)


def record_decisions(
    session: Session,
    *,
    decisions: list[tuple[int, Decision]],
    operator: str,
    today: date,
    source: str,
    problems: list[RowProblem] | None = None,
    progress: Progress | None = None,
    repeat: bool = False,
) -> Written:
    """Record every decision, or none: every bad row is reported with its number and field."""
    fresh, repeated = checked_decisions(
        session, decisions=decisions, today=today, source=source, problems=problems, progress=progress, repeat=repeat
    )
    sealed = write_decisions(session, fresh=fresh, operator=operator)
    return Written([row["id"] for row in sealed], repeated)


def award(session: Session, *, decision: Decision, operator: str, today: date, repeat: bool = False) -> int:
    """Record one decision and return its entry id (the original's id for a retried key).

    A decision the same as a standing entry is refused as a likely duplicate unless ``repeat``.
    """
    batch = DecisionBatch(session, [(0, decision)], today, repeat=repeat)
    fresh, repeated, problems = batch.prepare()
    if problems:
        raise SheetError("", problems)
    if repeated:
        assert decision.key is not None
        original = batch.existing[decision.key].id
        assert original is not None
        return original
    return Chain(session, operator).write_one(fresh[0])


def get_entry(session: Session, entry_id: int) -> Entry:
    """The entry with this id, or NotFound."""
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("entry.not_found", id=entry_id)
    return entry


def _retry(session: Session, key: str | None, wanted: dict[str, Any]) -> int | None:
    if not key:
        return None
    check_user_key(key)
    earlier = _existing_by_key(session, [key]).get(key)
    if earlier is None:
        return None
    if field := differing_field(earlier, wanted):
        raise Refused("key.conflict_field", key=key, field=field)
    assert earlier.id is not None
    return earlier.id


def _check_booking(session: Session, village: str, booked_on: str, today: date) -> None:
    if booked_on > today.isoformat():
        raise InputError("date.future_field", field="booked_on", value=booked_on)
    if (village, booked_on[:7]) in closed_months(session, village):
        raise Refused("month.closed", month=booked_on[:7])
    if (village, int(booked_on[:4])) in closed_years(session, village):
        raise Refused("year.booking_closed", village=village, year=int(booked_on[:4]), date=booked_on)


def free_text(value: str, *, field: str, missing: str) -> str:
    """A reason or item as recorded: stripped, never empty (``missing`` is the error's key), no ID or phone in it."""
    if has_personal_number(value):
        raise InputError("text.personal_number_field", field=field)
    if not value.strip():
        raise InputError(missing)
    check_text(field, value.strip())  # length and control characters, as for every typed text
    return value.strip()


def resolved_by(session: Session, entry: Entry) -> int | None:
    """The id of the entry that refers back to ``entry`` (its reversal, posting or void), if there is one."""
    query = select(Entry.id).where(Entry.village == entry.village, Entry.ref_seq == entry.seq)
    return session.exec(query).first()


def inverse_fields(original: Entry) -> dict[str, Any]:
    """The transfer that undoes ``original``, linked to it: the accounts swapped, coins and points negated.

    The household, standard, quantity and event stay the original's; the caller adds the kind,
    the note and the booking date.
    """
    return {
        "village": original.village,
        "household": original.household,
        "debit": original.credit,
        "credit": original.debit,
        "amount": original.amount,
        "coins": -original.coins,
        "earned": -original.earned,
        "standard_id": original.standard_id,
        "qty": original.qty,
        "event_date": original.event_date,
        "ref_seq": original.seq,
    }


def reverse(
    session: Session, *, entry_id: int, reason: str, operator: str, booked_on: str, today: date, key: str | None = None
) -> int:
    """Reverse an entry once, with a reason; returns the reversal's id."""
    note = free_text(reason, field="reason", missing="reverse.no_reason")
    original = get_entry(session, entry_id)
    wanted = {"kind": "reversal", "ref_seq": original.seq, "note": note, "booked_on": booked_on}
    if (again := _retry(session, key, wanted)) is not None:
        return again
    if original.kind not in REVERSIBLE:
        raise Refused("reverse.not_reversible", id=entry_id, kind=original.kind)
    if (by := resolved_by(session, original)) is not None:
        raise Refused("reverse.already", id=entry_id, by=by)
    _check_booking(session, original.village, booked_on, today)
    chain = Chain(session, operator)
    chain.head(original.village)  # lock the chain, then see where the household lives now
    lives = current_village(session, original.household)
    follows = original.coins != 0 and lives is not None and lives != original.village
    if follows:
        assert lives is not None
        _check_booking(session, lives, booked_on, today)
        refuse_before_move(session, original.household, booked_on)
    reversal = chain.write_one(inverse_fields(original) | {"idem_key": key} | wanted)
    if follows:  # the household has moved away since: the coins the reversal moves follow it
        assert lives is not None
        write_move(
            chain,
            household=original.household,
            old=original.village,
            new=lives,
            on=booked_on,
            note=note,
            kinds=CARRY_KINDS,
        )
    return reversal


def coin_balance(session: Session, household: str) -> int:
    """A household's spendable coins over every entry."""
    return holdings(session, household=household)[0]


def redeem(
    session: Session,
    *,
    household: str,
    coins: int,
    item: str,
    operator: str,
    booked_on: str,
    today: date,
    key: str | None = None,
    repeat: bool = False,
) -> int:
    """Spend coins in the points supermarket; never below zero. Returns the entry id.

    The same item and coins for the household on the same day again, without a key of its own,
    is refused as a likely duplicate, naming the earlier entry, unless ``repeat``.
    """
    if coins <= 0:
        raise InputError("redeem.not_positive", value=coins)
    what = free_text(item, field="item", missing="redeem.no_item")
    owner = get_household(session, household)
    wanted = {
        "kind": "redemption",
        "household": household,
        "amount": coins,
        "note": what,
        "booked_on": booked_on,
    }
    if (again := _retry(session, key, wanted)) is not None:
        return again
    _check_booking(session, owner.village, booked_on, today)
    chain = Chain(session, operator)
    chain.head(owner.village)  # lock the chain before reading the balance it guards
    settled_village(session, household, owner.village, booked_on)
    if not (repeat or key) and (
        earlier := earlier_redemption(session, household=household, item=what, coins=coins, booked_on=booked_on)
    ):
        raise Refused("redeem.likely_duplicate", id=earlier, household=household, item=what, coins=coins)
    balance, reserved = coin_balance(session, household), reserved_coins(session, household)
    if coins > balance - reserved:
        if reserved:  # pending deductions (拟扣) hold coins until they are settled or voided
            raise Refused("redeem.reserved", household=household, coins=coins, balance=balance, reserved=reserved)
        raise Refused("redeem.insufficient", household=household, coins=coins, available=balance)
    fields = {
        "village": owner.village,
        "debit": household_account(owner.village, household),
        "credit": village_account(owner.village, "redemption"),
        "coins": -coins,
        "earned": 0,
        "event_date": booked_on,
        "idem_key": key,
    } | wanted
    return chain.write_one(fields)


REVERSIBLE = frozenset({"award", "deduction", "redemption"})
MOVE_KINDS = ("move_out", "move_in")  # the entries that carry a moving household's coins; never reversed
# A reversal booked after its household moved away carries the coins it moves to the household's
# new village's books the same way (its old account is emptied again), so no coins stay behind.
CARRY_KINDS = ("carry_out", "carry_in")


def settled_village(session: Session, household: str, village: str, booked_on: str) -> None:
    """After locking ``village``'s chain: refuse if the household has moved away meanwhile, or if
    ``booked_on`` comes before its latest move (its books before then are another village's)."""
    if current_village(session, household) != village:
        raise Refused("household.move_raced", code=household)
    refuse_before_move(session, household, booked_on)


def village_coins(session: Session, *, household: str, village: str) -> int:
    """The coins a household holds on its account in one village's books."""
    query = select(func.coalesce(func.sum(Entry.coins), 0)).where(Entry.household == household)
    return int(session.exec(query.where(Entry.village == village)).one())


def write_move(
    chain: Chain, *, household: str, old: str, new: str, on: str, note: str, kinds: tuple[str, str] = MOVE_KINDS
) -> tuple[int, int, int]:
    """The two entries of a household's move: its coins out of the old village's books, into the new one's.

    ``move_out`` in the old village's chain empties the household's account there into the
    village's ``moves`` account; ``move_in`` in the new village's chain opens it with the same
    coins from that village's ``moves`` account. Earned points are untouched (earned 0): a
    household's points stay where they were earned, and its balance is the same after as before.
    The caller holds both chains' locks. Returns (coins carried, out seq, in seq).
    """
    coins = village_coins(chain.session, household=household, village=old)
    sides = [
        (old, kinds[0], household_account(old, household), village_account(old, "moves"), -coins),
        (new, kinds[1], village_account(new, "moves"), household_account(new, household), coins),
    ]
    seqs = []
    for village, kind, debit, credit, effect in sides:
        if coins < 0:  # a debt (a balance below zero) is carried the other way round
            debit, credit = credit, debit
        fields: dict[str, Any] = {"village": village, "kind": kind, "household": household}
        fields |= {
            "debit": debit,
            "credit": credit,
            "amount": abs(coins),
            "coins": effect,
            "earned": 0,
            "event_date": on,
            "booked_on": on,
            "note": note,
        }
        row = chain.seal(fields)
        chain.write_rows([row])
        seqs.append(int(row["seq"]))
    return coins, seqs[0], seqs[1]


def closed_months(session: Session, village: str | None = None) -> set[tuple[str, str]]:
    """(village, month) pairs that a published board has closed for booking (as the records say)."""
    return published_months(session, village)


# --- the points supermarket and the village year (issue 14) ---


def check_user_key(key: str | None) -> None:
    """Refuse a user's key that begins like the system's own keys (``clearing:``, ``base:``)."""
    if prefix := reserved_prefix(key):
        raise InputError("key.reserved", prefix=prefix)


def closed_years(session: Session, village: str | None = None) -> set[tuple[str, int]]:
    """(village, year) pairs that year-end clearing has closed for booking: known by kind, not by key."""
    query = "SELECT DISTINCT village, booked_on FROM entry WHERE kind = 'clearing'"
    rows = session.execute(text(query + (" AND village = :v" if village else "")), {"v": village})
    return {(code, int(str(day)[:4])) for code, day in rows}


def retried_entry(session: Session, key: str | None, wanted: dict[str, Any]) -> int | None:
    """The id of the entry recorded earlier with ``key``; refused if its content differs from ``wanted``."""
    return _retry(session, key, wanted)


def check_booking(session: Session, village: str, booked_on: str, today: date) -> None:
    """Refuse a booking date in the future or in a month a published board has closed."""
    _check_booking(session, village, booked_on, today)


def write_item_redemption(
    chain: Chain,
    *,
    village: str,
    household: str,
    coins: int,
    qty: int,
    note: str,
    booked_on: str,
    key: str | None,
) -> tuple[int, int]:
    """Append a redemption of catalogue goods (coins to the village's redemption account); its (id, seq).

    The caller has checked the balance under the chain's lock and writes the goods movement in the
    same transaction; ``qty`` on the entry says how many units (a free-text redemption has none).
    """
    fields = {
        "village": village,
        "kind": "redemption",
        "household": household,
        "debit": household_account(village, household),
        "credit": village_account(village, "redemption"),
        "amount": coins,
        "coins": -coins,
        "earned": 0,
        "qty": qty,
        "event_date": booked_on,
        "booked_on": booked_on,
        "note": note,
        "idem_key": key,
    }
    entry_id = chain.write_one(fields)
    return entry_id, chain.head(village)[0]


def write_clearings(
    session: Session, *, village: str, year: int, remaining: dict[str, int], operator: str
) -> list[int]:
    """Year-end clearing (年底清零): each household's remaining coins back to the issuance account.

    Booked on 31 December; earned points are untouched (earned 0). The clearing entries
    themselves (hashed in the chain) say the year is closed, so when no household has coins left
    the first household still gets one, of no coins. One key per household and year, so the
    database itself refuses a second clearing of the same year.
    """
    booked = f"{year}-12-31"
    chain = Chain(session, operator)
    rows = [
        chain.seal(
            {
                "village": village,
                "kind": "clearing",
                "household": household,
                "debit": household_account(village, household),
                "credit": village_account(village, "issuance"),
                "amount": coins,
                "coins": -coins,
                "earned": 0,
                "event_date": booked,
                "booked_on": booked,
                "idem_key": f"clearing:{village}:{year}:{household}",
            }
        )
        for household, coins in _to_clear(remaining)
    ]
    return chain.write_many(rows)


def _to_clear(remaining: dict[str, int]) -> list[tuple[str, int]]:
    """The households to clear, in code order: those with coins left, else the first as the year's mark."""
    cleared = sorted((household, coins) for household, coins in remaining.items() if coins > 0)
    return cleared or sorted(remaining.items())[:1]


def write_base_scores(
    session: Session, *, village: str, year: int, households: list[str], points: int, operator: str
) -> list[int]:
    """The annual base score: ``points`` earned points for each household on 1 January, no coins.

    Moves no coins (amount 0), so it counts in earned points and ratings but cannot be spent.
    """
    booked = f"{year}-01-01"
    chain = Chain(session, operator)
    rows = [
        chain.seal(
            {
                "village": village,
                "kind": "base_score",
                "household": household,
                "debit": village_account(village, "issuance"),
                "credit": household_account(village, household),
                "amount": 0,
                "coins": 0,
                "earned": points,
                "event_date": booked,
                "booked_on": booked,
                "idem_key": f"base:{village}:{year}:{household}",
            }
        )
        for household in sorted(households)
    ]
    return chain.write_many(rows)
