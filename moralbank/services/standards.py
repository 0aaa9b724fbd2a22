"""Standards adopted by resolution: quorum checked, versions superseding, never edited."""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from moralbank.domain import clock
from moralbank.domain.dates import parse_date, value_problem
from moralbank.domain.limits import points_problem, text_problem
from moralbank.domain.quorum import quorum_problems
from moralbank.errors import InputError, MoralBankError, Refused, RowProblem, SheetError
from moralbank.services.register import get_village
from moralbank.storage.models import Resolution, Standard
from moralbank.storage.records import cover

COUNTY = "*"
MAX_ATTENDANCE = 100_000  # members, present and votes of one meeting
_RESOLUTION_INTS = ("members", "present", "in_favour", "against", "abstain")
# The count each quorum problem is about (the rest are about attendance).
_QUORUM_FIELDS = {"quorum.not_passed": "in_favour", "quorum.votes_exceed": "in_favour", "quorum.negative": "members"}


@dataclass(frozen=True)
class Adopted:
    """What one resolution adopted."""

    resolution_id: int
    standards: list[str]


def load_resolution_file(path: Path) -> dict[str, Any]:
    """The parsed TOML of a resolution file, or a clear error."""
    if not path.is_file():
        raise InputError("file.not_found", path=str(path))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("toml.invalid", path=path.name, reason=exc) from exc


def _problem(item: int, name: str, key: str, **params: Any) -> RowProblem:
    return RowProblem(item, name, key, params, unit="item")


def _date(value: Any, item: int, name: str, problems: list[RowProblem]) -> date | None:
    try:
        return parse_date(value if isinstance(value, date) else str(value), name)
    except InputError as exc:
        key, params = value_problem(exc)
        problems.append(_problem(item, name, key, **params))
        return None


def _texts(raw: dict[str, Any], item: int, names: tuple[str, ...], problems: list[RowProblem]) -> None:
    for name in names:
        if found := text_problem(name, str(raw.get(name, ""))):
            problems.append(_problem(item, name, found[0], **found[1]))


def _resolution(data: dict[str, Any], today: date, problems: list[RowProblem]) -> dict[str, Any]:
    res = data.get("resolution")
    if not isinstance(res, dict):
        problems.append(_problem(0, "resolution", "field.required"))
        return {}
    held = _date(res.get("date", ""), 0, "date", problems)
    if held and held > today:
        problems.append(_problem(0, "date", "date.future", value=held.isoformat()))
    counts = {}
    for name in _RESOLUTION_INTS:
        value = res.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(_problem(0, name, "field.not_integer", value=str(value)[:40]))
            value = 0
        elif value > MAX_ATTENDANCE:  # a real assembly's size, and a whole number the database can store
            problems.append(_problem(0, name, "field.too_large", value=value, limit=MAX_ATTENDANCE))
            value = 0
        counts[name] = value
    if not problems:
        problems += [
            _problem(0, _QUORUM_FIELDS.get(key, "present"), key, **counts) for key in quorum_problems(**counts)
        ]
    _texts(res, 0, ("village", "body", "minutes"), problems)
    body = str(res.get("body", "")).strip()
    if not body:
        problems.append(_problem(0, "body", "field.required"))
    return {
        "village": res.get("village") or None,
        "held_on": held.isoformat() if held else "",
        "body": body,
        "minutes": str(res.get("minutes", "")),
        **counts,
    }


def _standard(raw: dict[str, Any], item: int, held: str, problems: list[RowProblem]) -> dict[str, Any]:
    for name in ("code", "title", "category"):
        if not str(raw.get(name, "")).strip():
            problems.append(_problem(item, name, "field.required"))
    _texts(raw, item, ("code", "title", "category"), problems)
    points, cap = raw.get("points"), raw.get("monthly_cap")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        problems.append(_problem(item, "points", "standard.bad_points", value=str(points)[:40]))
    elif found := points_problem(points):
        problems.append(_problem(item, "points", found[0], **found[1]))
    if cap is not None and (not isinstance(cap, int) or cap <= 0):
        problems.append(_problem(item, "monthly_cap", "field.not_positive", value=str(cap)[:40]))
    elif cap is not None and (found := points_problem(cap)):
        problems.append(_problem(item, "monthly_cap", found[0], **found[1]))
    start = _date(raw.get("effective_from", held), item, "effective_from", problems)
    end = _date(raw["effective_to"], item, "effective_to", problems) if raw.get("effective_to") else None
    if start and held and start.isoformat() < held:
        problems.append(_problem(item, "effective_from", "standard.before_resolution", date=held))
    if start and end and end < start:
        problems.append(_problem(item, "effective_to", "standard.ends_before_start"))
    return {
        "code": str(raw.get("code", "")).strip(),
        "title": str(raw.get("title", "")).strip(),
        "category": str(raw.get("category", "")).strip(),
        "points": points,
        "monthly_cap": cap,
        "veto": int(bool(raw.get("veto", False))),
        "effective_from": start.isoformat() if start else "",
        "effective_to": end.isoformat() if end else None,
    }


def _latest(session: Session, scope: str, code: str) -> Standard | None:
    query = select(Standard).where(Standard.scope == scope, Standard.code == code)
    return session.exec(query.order_by(col(Standard.version).desc()).limit(1)).first()


def _check_versions(session: Session, scope: str, items: list[dict[str, Any]], problems: list[RowProblem]) -> None:
    seen: set[str] = set()
    for item, std in enumerate(items, start=1):
        if std["code"] in seen:
            problems.append(_problem(item, "code", "standard.duplicate", code=std["code"]))
        seen.add(std["code"])
        previous = _latest(session, scope, std["code"])
        if previous and std["effective_from"] and std["effective_from"] <= previous.effective_from:
            problems.append(
                _problem(item, "effective_from", "standard.not_after_previous", date=previous.effective_from)
            )


def _same_resolution(session: Session, res: dict[str, Any], items: list[dict[str, Any]]) -> Resolution | None:
    """An adopted resolution of the same meeting (date, body, votes) with the same standards: the file again."""
    query = select(Resolution).where(
        Resolution.village == res.get("village"),
        Resolution.held_on == res["held_on"],
        Resolution.body == res["body"],
        Resolution.members == res["members"],
        Resolution.present == res["present"],
        Resolution.in_favour == res["in_favour"],
    )
    codes = sorted(std["code"] for std in items)
    for earlier in session.exec(query).all():
        adopted = session.exec(select(Standard.code).where(Standard.resolution_id == earlier.id)).all()
        if sorted(adopted) == codes:
            return earlier
    return None


def adopt(session: Session, *, data: dict[str, Any], source: str, operator: str, today: date) -> Adopted:
    """Store a resolution and the standards it adopts, or nothing if any part is wrong."""
    problems: list[RowProblem] = []
    res = _resolution(data, today, problems)
    raw_items = data.get("standards")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(_problem(0, "standards", "field.required"))
        raw_items = []
    items = [_standard(raw, n, res.get("held_on", ""), problems) for n, raw in enumerate(raw_items, start=1)]
    if res.get("village"):
        try:
            get_village(session, res["village"])
        except MoralBankError:
            problems.append(_problem(0, "village", "village.not_found", code=res["village"]))
    scope = res.get("village") or COUNTY
    if not problems and (earlier := _same_resolution(session, res, items)) is not None:
        raise Refused(
            "standard.already_adopted", path=source, id=earlier.id, held_on=earlier.held_on, body=earlier.body
        )
    _check_versions(session, scope, items, problems)
    if problems:
        raise SheetError(source, sorted(problems, key=lambda p: p.row))  # item by item, as the file reads
    resolution = Resolution(**res, operator=operator, recorded_at=clock.stamp())
    session.add(resolution)
    session.flush()
    assert resolution.id is not None
    ids = []
    for std in items:
        latest = _latest(session, scope, std["code"])
        version = (latest.version if latest else 0) + 1
        ident = f"{scope}:{std['code']}:{version}"
        session.add(Standard(id=ident, scope=scope, version=version, resolution_id=resolution.id, **std))
        ids.append(ident)
    cover(session, "resolution", [resolution.id])
    cover(session, "standard", ids)
    return Adopted(resolution.id, ids)


class StandardBook:
    """Every standard version, for finding the one in force for a village on a date."""

    def __init__(self, standards: list[Standard]) -> None:
        self._versions: dict[tuple[str, str], list[Standard]] = defaultdict(list)
        for std in sorted(standards, key=lambda s: (s.effective_from, s.version)):
            self._versions[(std.scope, std.code)].append(std)
        self._starts = {key: [s.effective_from for s in items] for key, items in self._versions.items()}

    @classmethod
    def load(cls, session: Session) -> StandardBook:
        """All standards in the database."""
        return cls(list(session.exec(select(Standard)).all()))

    def all(self) -> list[Standard]:
        """Every version of every standard."""
        return [std for versions in self._versions.values() for std in versions]

    def knows(self, code: str, village: str) -> bool:
        """Whether any version of this code exists for the village (or county-wide)."""
        return (village, code) in self._versions or (COUNTY, code) in self._versions

    def in_force(self, code: str, village: str, on: str) -> Standard | None:
        """The version in force on ``on``: the village's own rule first, then the county's."""
        for scope in (village, COUNTY):
            versions = self._versions.get((scope, code))
            if not versions:
                continue
            position = bisect_right(self._starts[(scope, code)], on)
            std = versions[position - 1] if position else None
            if std is not None and (std.effective_to is None or on <= std.effective_to):
                return std
        return None


def standards_as_of(session: Session, on: str | None) -> list[Standard]:
    """Standards in force on a date (every version when no date), by scope and code."""
    query = select(Standard).order_by(col(Standard.scope), col(Standard.code), col(Standard.version))
    rows = list(session.exec(query).all())
    if on is None:
        return rows
    book = StandardBook(rows)
    found = []
    for scope, code in sorted({(s.scope, s.code) for s in rows}):
        std = book.in_force(code, scope, on)
        if std is not None and std.scope == scope:
            found.append(std)
    return found
