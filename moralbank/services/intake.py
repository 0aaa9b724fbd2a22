"""A meeting's sheet taken in: checked whole, logged with its file's hash, or only tried (``--dry-run``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from moralbank.errors import RowProblem
from moralbank.services.decisions import Decision
from moralbank.services.imports import SheetFile, record_import, refuse_repeat
from moralbank.services.ledger import checked_decisions, write_decisions
from moralbank.services.proposals import PROPOSAL
from moralbank.services.register import Progress, Registered, add_villages, register_households
from moralbank.services.sheets import Sheet
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
    ids: list[int]
    repeated: int
    tallies: list[VillageTally]


def _points(session: Session, fresh: list[dict[str, Any]]) -> list[int]:
    """Each entry's points, signed; a proposal moves no coins, so its standard says what it would."""
    ids = sorted({f["standard_id"] for f in fresh})
    per_unit = dict(session.exec(select(Standard.id, Standard.points).where(col(Standard.id).in_(ids))).all())
    return [per_unit[f["standard_id"]] * f["qty"] for f in fresh]


def tallies(session: Session, fresh: list[dict[str, Any]]) -> list[VillageTally]:
    """Per village: entries, proposals vs postings, points awarded and deducted, households, notice end."""
    rows: dict[str, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for fields, points in zip(fresh, _points(session, fresh), strict=True):
        rows[fields["village"]].append((fields, points))
    notice = dict(
        session.exec(select(Village.code, Village.notice_days).where(col(Village.code).in_(list(rows)))).all()
    )
    found = []
    for village, taken in sorted(rows.items()):
        proposed = [f for f, _ in taken if f["kind"] == PROPOSAL]
        until = None
        if proposed:
            last = max(date.fromisoformat(f["booked_on"]) for f in proposed)
            until = (last + timedelta(days=notice[village])).isoformat()
        found.append(
            VillageTally(
                village=village,
                entries=len(taken),
                proposals=len(proposed),
                postings=len(taken) - len(proposed),
                awarded=sum(p for _, p in taken if p > 0),
                deducted=-sum(p for _, p in taken if p < 0),
                households=len({f["household"] for f, _ in taken}),
                notice_until=until,
            )
        )
    return found


def take_decisions(
    session: Session,
    *,
    file: SheetFile,
    decisions: list[tuple[int, Decision]],
    problems: list[RowProblem],
    rows: int,
    operator: str,
    today: date,
    again: bool = False,
    repeat: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Intake:
    """Check a decisions sheet whole and write it with its log entry, or nothing.

    The same file (by SHA-256) again is refused naming the earlier import unless ``again``; a
    likely duplicate is refused unless ``repeat``; ``dry_run`` checks everything and writes nothing.
    """
    if not again:
        refuse_repeat(session, file)
    fresh, repeated = checked_decisions(
        session,
        decisions=decisions,
        today=today,
        source=file.name,
        problems=problems,
        progress=progress,
        repeat=repeat,
    )
    found = tallies(session, fresh)
    if dry_run:
        return Intake(None, [], repeated, found)
    sealed = write_decisions(session, fresh=fresh, operator=operator)
    entries = [(row["village"], row["seq"]) for row in sealed]
    import_id = record_import(session, file=file, rows=rows, operator=operator, entries=entries)
    return Intake(import_id, [row["id"] for row in sealed], repeated, found)


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
