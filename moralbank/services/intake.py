"""A meeting's sheet taken in: checked whole, logged with its file's hash, or only tried (``--dry-run``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from moralbank.errors import RowProblem
from moralbank.services.decisions import decisions_from_rows
from moralbank.services.imports import SheetFile, record_import, refuse_repeat
from moralbank.services.ledger import StreamedDecisions
from moralbank.services.proposals import PROPOSAL
from moralbank.services.register import Progress, Registered, add_villages, register_households
from moralbank.services.sheets import Sheet, SheetStream
from moralbank.services.shop import Redeemed, Redemption, redeem_items
from moralbank.storage.models import Entry, Standard, Village


@dataclass(frozen=True)
class VillageTally:
    """What an import writes (or would write) in one village."""

    village: str
    entries: int
    proposals: int
    postings: int
    awarded: int
    deducted: int
    households: int
    notice_until: str | None  # the last day for objections to its proposals, if any


@dataclass(frozen=True)
class Intake:
    """The outcome of an import: its number in the log (None on a dry run), entries, retries, tallies."""

    import_id: int | None
    count: int  # entries written (on a dry run: that would be)
    repeated: int
    tallies: list[VillageTally]


class DryRun(Exception):
    """Raised out of a dry run's transaction so that what it wrote to check is rolled back."""

    def __init__(self, intake: Intake) -> None:
        super().__init__("dry run")
        self.intake = intake


@dataclass
class _Tally:
    entries: int = 0
    proposals: int = 0
    awarded: int = 0
    deducted: int = 0
    households: set[str] = field(default_factory=set)
    last_proposal: str = ""


class Tallies:
    """Per-village tallies gathered chunk by chunk, as ``tallies`` makes them from a whole sheet."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.per_unit = dict(session.exec(select(Standard.id, Standard.points)).all())
        self.villages: dict[str, _Tally] = defaultdict(_Tally)

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Count written (or on a dry run, checked) entries."""
        for fields in rows:
            tally = self.villages[fields["village"]]
            points = self.per_unit[fields["standard_id"]] * fields["qty"]
            tally.entries += 1
            if points > 0:
                tally.awarded += points
            else:
                tally.deducted -= points
            tally.households.add(fields["household"])
            if fields["kind"] == PROPOSAL:
                tally.proposals += 1
                tally.last_proposal = max(tally.last_proposal, fields["booked_on"])

    def done(self) -> list[VillageTally]:
        """The tallies, in village order."""
        codes = list(self.villages)
        query = select(Village.code, Village.notice_days).where(col(Village.code).in_(codes))
        notice = dict(self.session.exec(query).all())
        found = []
        for village, t in sorted(self.villages.items()):
            until = None
            if t.proposals:
                until = (date.fromisoformat(t.last_proposal) + timedelta(days=notice[village])).isoformat()
            households = len(t.households)
            postings = t.entries - t.proposals
            tally = VillageTally(village, t.entries, t.proposals, postings, t.awarded, t.deducted, households, until)
            found.append(tally)
        return found


def take_decisions(
    session: Session,
    *,
    file: SheetFile,
    sheet: SheetStream,
    operator: str,
    today: date,
    again: bool = False,
    repeat: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> Intake:
    """Check a decisions sheet whole and write it with its log entry, or nothing.

    The sheet is read, checked and appended a chunk at a time in this one transaction, so a
    sheet of any size takes bounded memory; any problem anywhere raises every problem found, and
    the transaction (and so every chunk) is rolled back. The same file (by SHA-256) again is
    refused naming the earlier import unless ``again``; a likely duplicate is refused unless
    ``repeat``; ``dry_run`` checks everything and raises ``DryRun`` so nothing stays written.
    """
    if not again:
        refuse_repeat(session, file)
    stream = StreamedDecisions(session, today=today, operator=operator, repeat=repeat, chunk=chunk)
    counted = Tallies(session)
    stream.listeners.append(counted.add)
    stream.take_all(decisions_from_rows(sheet, today, sheet.problems), progress)
    stream.raise_problems(sheet.source, sheet.problems)
    found = counted.done()
    if dry_run:
        raise DryRun(Intake(None, stream.written, stream.repeated, found))
    import_id = record_import(session, file=file, rows=sheet.count, operator=operator, spans=stream.spans())
    return Intake(import_id, stream.written, stream.repeated, found)


def take_villages(session: Session, *, file: SheetFile, sheet: Sheet, operator: str, again: bool = False) -> int:
    """Add a sheet's villages and log the import; the same file again is refused unless ``again``."""
    if not again:
        refuse_repeat(session, file)
    count = add_villages(session, sheet=sheet)
    record_import(session, file=file, rows=len(sheet.rows), operator=operator)
    return count


def take_households(
    session: Session,
    *,
    file: SheetFile,
    sheet: Sheet,
    operator: str,
    today: str,
    again: bool = False,
    progress: Progress | None = None,
) -> Registered:
    """Register a sheet's new households and log the import; the same file again is refused unless ``again``.

    Households already registered exactly as the sheet says are counted unchanged; a changed one is refused.
    """
    if not again:
        refuse_repeat(session, file)
    done = register_households(
        session, sheet=sheet, today=today, progress=progress, operator=operator, again_allowed=True
    )
    record_import(session, file=file, rows=len(sheet.rows), operator=operator)
    return done


def take_redemptions(
    session: Session,
    *,
    file: SheetFile,
    redemptions: list[tuple[int, Redemption]],
    problems: list[RowProblem],
    rows: int,
    operator: str,
    today: date,
    again: bool = False,
) -> tuple[Redeemed, int]:
    """Redeem a redemption day's sheet whole and log it; returns what was redeemed and the import's number."""
    if not again:
        refuse_repeat(session, file)
    done = redeem_items(
        session, redemptions=redemptions, operator=operator, today=today, source=file.name, problems=problems
    )
    query = select(Entry.village, Entry.seq).where(col(Entry.id).in_(done.ids))
    entries = [(village, seq) for village, seq in session.exec(query).all()]
    return done, record_import(session, file=file, rows=rows, operator=operator, entries=entries)
