"""Civilised-credit ratings (文明信用户) from the ledger: per household, per village, for banks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlmodel import Session, col, select

from moralbank.domain.credit_policy import (
    VETO,
    CreditPolicy,
    DesignationCheck,
    Outcome,
    VillageCounts,
    checks,
    months_between,
    share_permille,
)
from moralbank.domain.identity import mask_id
from moralbank.reports.bank_results import BankFigures, Standing, standings
from moralbank.services.consent import BANK, EVERY_BANK, Recipient, consenting
from moralbank.services.register import get_household, get_village
from moralbank.storage.db import driver_blocks
from moralbank.storage.models import ExportLog, Village
from moralbank.storage.predicates import ANY_MOVE, standing_deduction, village_on

# Per household: earned points booked in the window, how many entries moved them, and the first
# booking ever (a household is known to the scheme from then, even if registered here later).
# One pass in household order over the covering index entry_household (household, booked_on,
# coins, earned), or entry_village_month for one village: no sort, no table lookups.
_POINTS = """
SELECT household,
       SUM(CASE WHEN booked_on >= :lo THEN earned ELSE 0 END) AS points,
       SUM(CASE WHEN booked_on >= :lo AND earned <> 0 THEN 1 ELSE 0 END) AS counted,
       MIN(booked_on) AS first_booked
FROM entry WHERE {where} booked_on <= :hi
GROUP BY household
"""

# The entries of a village's households: booked there, or anywhere by a household that moved in
# (a rating counts every point a household earned, in whichever village it earned them).
_OF_VILLAGE = "(village = :v OR household IN (SELECT household FROM household_move WHERE to_village = :v)) AND"

_HOUSEHOLDS = """
SELECT h.code, {place}, h.head_name, h.registered_on, h.consent_bank, {id_number}, p.points, p.counted, p.first_booked
FROM household_current h LEFT JOIN ({points}) p ON p.household = h.code
{where}
ORDER BY h.code
"""

# Posted deductions under a veto standard booked in the veto window and not reversed by then,
# newest first; the partial index entry_deduction keeps this to the deductions alone.
_VETOES = f"""
SELECT e.household, e.id, e.seq, e.booked_on, e.earned, s.code, s.title
FROM entry e JOIN standard s ON s.id = e.standard_id
WHERE e.booked_on >= :lo AND e.booked_on <= :hi AND s.veto = 1 {{where}} AND {standing_deduction("e", ":hi")}
ORDER BY e.booked_on DESC, e.id DESC
"""

_COUNTING = """
SELECT e.id, e.seq, e.booked_on, e.kind, COALESCE(s.code, ''), COALESCE(s.title, ''), e.earned
FROM entry e LEFT JOIN standard s ON s.id = e.standard_id
WHERE e.household = :h AND e.booked_on >= :lo AND e.booked_on <= :hi AND e.earned <> 0
ORDER BY e.booked_on, e.seq
"""


@dataclass(frozen=True, slots=True)
class VetoEntry:
    """The deduction that stops a household's rating."""

    id: int
    seq: int
    booked_on: str
    earned: int
    standard: str
    title: str


@dataclass(frozen=True, slots=True)
class Rating:
    """One household's rating as of a date; ``reason`` says why it is not rated (tier None)."""

    household: str
    village: str
    head_name: str
    points: int
    tier: str | None
    credit_line: int
    reason: str | None
    veto_entry: int | None
    veto_standard: str | None
    since: str  # on the register (or in the ledger) since
    valid_until: str | None


@dataclass(frozen=True)
class Ratings:
    """The ratings of households with earned points in the window (or a veto), and what made them."""

    as_of: str
    policy: str
    policy_hash: str
    window_from: str
    window_to: str
    ratings: list[Rating]


class _Facts(NamedTuple):
    """A household's rating with what its callers filter on (a tuple: a county rates 125,000)."""

    rating: Rating
    counted: int  # entries that moved earned points in the window
    consent_bank: bool
    id_number: str


def _since(registered_on: str, first_booked: str | None) -> str:
    return min(registered_on, first_booked) if first_booked else registered_on


def vetoes(session: Session, policy: CreditPolicy, as_of: date, household: str | None = None) -> dict[str, VetoEntry]:
    """The latest standing veto deduction of each household that has one."""
    lo, hi = policy.veto_window(as_of)
    params: dict[str, Any] = {"lo": lo.isoformat(), "hi": hi.isoformat()}
    where = ""
    if household is not None:
        where, params["h"] = "AND e.household = :h", household
    found: dict[str, VetoEntry] = {}
    for block in driver_blocks(session, _VETOES.format(where=where), params):
        for code, *rest in block:
            if code not in found:
                found[code] = VetoEntry(*rest)
    return found


def _facts(
    session: Session,
    policy: CreditPolicy,
    as_of: date,
    *,
    village: str | None = None,
    household: str | None = None,
    with_id: bool = False,
) -> Iterator[_Facts]:
    """Every household (of a village, or one) with its rating, streamed in household order."""
    lo, hi = policy.window(as_of)
    params: dict[str, Any] = {"lo": lo.isoformat(), "hi": hi.isoformat()}
    inner, outer, place = "", "", "h.village"
    if session.execute(text(ANY_MOVE)).first() is not None:  # the village it lived in on the rating date
        place, params["as_of"] = village_on("h.code", ":as_of", "h.village"), as_of.isoformat()
    if village is not None:
        inner, outer, params["v"] = _OF_VILLAGE, f"WHERE {place} = :v", village
    if household is not None:
        inner, outer, params["h"] = "household = :h AND", "WHERE h.code = :h", household
    query = _HOUSEHOLDS.format(
        id_number="h.id_number" if with_id else "''", points=_POINTS.format(where=inner), where=outer, place=place
    )
    rating = _Rater(policy, as_of, vetoes(session, policy, as_of, household))
    for block in driver_blocks(session, query, params):
        for code, place, head, registered, consent, id_number, points, counted, first in block:
            facts = (code, place, head, int(points or 0), _since(registered, first))
            yield _Facts(rating(*facts), int(counted or 0), bool(consent), id_number)


class _Rater:
    """Rates households one after another under one policy and date."""

    def __init__(self, policy: CreditPolicy, as_of: date, stopped: dict[str, VetoEntry]) -> None:
        self.policy, self.as_of, self.stopped = policy, as_of, stopped
        self.until = policy.valid_until(as_of).isoformat()
        self.registered: dict[str, bool] = {}  # by register date: a county has few distinct ones
        self.outcomes: dict[tuple[int, bool, bool], Outcome] = {}  # by points: a county has a few hundred

    def __call__(self, code: str, village: str, head: str, points: int, since: str) -> Rating:
        registered = self.registered.get(since)
        if registered is None:
            registered = self.registered[since] = self.policy.long_enough(date.fromisoformat(since), self.as_of)
        veto = self.stopped.get(code)
        asked = (points, registered, veto is not None)
        if (outcome := self.outcomes.get(asked)) is None:
            outcome = self.outcomes[asked] = self.policy.assess(points=points, registered=registered, vetoed=asked[2])
        return Rating(
            code,
            village,
            head,
            points,
            outcome.tier,
            outcome.credit_line,
            outcome.reason,
            veto.id if veto else None,
            veto.standard if veto else None,
            since,
            self.until if outcome.tier else None,
        )


def rate(session: Session, policy: CreditPolicy, *, as_of: date, village: str | None = None) -> Ratings:
    """Every household with earned points in the window or a standing veto, rated."""
    head = rating_head(session, policy, as_of=as_of, village=village)
    return dataclasses.replace(head, ratings=list(rated(session, policy, as_of=as_of, village=village)))


def rating_head(session: Session, policy: CreditPolicy, *, as_of: date, village: str | None = None) -> Ratings:
    """The ratings' date, policy and window, without ratings (``rated`` streams them); checks the village."""
    if village is not None:
        get_village(session, village)
    lo, hi = policy.window(as_of)
    return Ratings(as_of.isoformat(), policy.name, policy.hash, lo.isoformat(), hi.isoformat(), [])


def rated(session: Session, policy: CreditPolicy, *, as_of: date, village: str | None = None) -> Iterator[Rating]:
    """The ratings ``rate`` lists, streamed in household order."""
    for facts in _facts(session, policy, as_of, village=village):
        if facts.counted or facts.rating.reason == VETO:
            yield facts.rating


# --- explain ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountingEntry:
    """An entry whose earned points count towards the rating."""

    id: int
    seq: int
    booked_on: str
    kind: str
    standard: str
    title: str
    earned: int


@dataclass(frozen=True, slots=True)
class Threshold:
    """A tier of the policy as it applies to this household."""

    tier: str
    min_points: int
    credit_line: int
    step_points: int | None
    step_credit: int | None
    max_credit: int | None
    reached: bool


@dataclass(frozen=True)
class Explanation:
    """Why a household has its tier: the counting entries, the thresholds, any veto."""

    as_of: str
    policy: str
    policy_hash: str
    window_from: str
    window_to: str
    veto_from: str
    months_registered: int
    min_months_registered: int
    rating: Rating
    entries: list[CountingEntry]
    thresholds: list[Threshold]
    veto: VetoEntry | None
    bank: Standing | None = None  # what banks reported on the household (issue 15)
    village_checks: list[DesignationCheck] = field(default_factory=list)  # its village against each designation


def explain(session: Session, policy: CreditPolicy, *, household: str, as_of: date) -> Explanation:
    """One household's rating with everything it rests on."""
    get_household(session, household)
    facts = next(_facts(session, policy, as_of, household=household))
    lo, hi = policy.window(as_of)
    params = {"h": household, "lo": lo.isoformat(), "hi": hi.isoformat()}
    entries = [CountingEntry(*row) for row in session.execute(text(_COUNTING), params)]
    points = facts.rating.points
    thresholds = [
        Threshold(
            t.code, t.min_points, t.credit_line, t.step_points, t.step_credit, t.max_credit, points >= t.min_points
        )
        for t in policy.tiers
    ]
    return Explanation(
        as_of.isoformat(),
        policy.name,
        policy.hash,
        lo.isoformat(),
        hi.isoformat(),
        policy.veto_window(as_of)[0].isoformat(),
        months_between(date.fromisoformat(facts.rating.since), as_of),
        policy.min_months_registered,
        facts.rating,
        entries,
        thresholds,
        vetoes(session, policy, as_of, household).get(household),
        standings(session, as_of=as_of, bad_loan_days=policy.bad_loan_days, household=household).get(household),
        village_standing(session, policy, as_of=as_of, village=facts.rating.village)[0].checks,
    )


# --- summary ------------------------------------------------------------------------------------


@dataclass
class VillageSummary:
    """One village's figures: households, rated households, tiers, authorized credit, title."""

    village: str
    name: str
    households: int = 0
    rated: int = 0
    share_permille: int = 0  # rated households per thousand on the register, rounded half up
    tiers: dict[str, int] = field(default_factory=dict)
    credit_total: int = 0
    vetoed: int = 0
    designation: str | None = None
    # What banks reported (issue 15), as of the date: households authorised (and per thousand on
    # the register), amounts authorised and drawn in yuan, borrowers, those in arrears, borrowers
    # not in arrears per thousand, and bad loans per thousand of what borrowers owe.
    authorised: int = 0
    authorised_permille: int = 0
    authorised_yuan: int = 0
    drawn_yuan: int = 0
    borrowers: int = 0
    in_arrears: int = 0
    repaying_permille: int = 0
    bad_loan_permille: int = 0
    checks: list[DesignationCheck] = field(default_factory=list)  # each designation's conditions, as it stands


@dataclass
class CountyTotal:
    """The county's figures: the sums over villages, and how many villages hold each title."""

    villages: int = 0
    households: int = 0
    rated: int = 0
    share_permille: int = 0  # rated households per thousand on the register, rounded half up
    tiers: dict[str, int] = field(default_factory=dict)
    credit_total: int = 0
    vetoed: int = 0
    designations: dict[str, int] = field(default_factory=dict)
    # What banks reported (issue 15), as of the date: households authorised (and per thousand on
    # the register), amounts authorised and drawn in yuan, borrowers, those in arrears, borrowers
    # not in arrears per thousand, and bad loans per thousand of what borrowers owe.
    authorised: int = 0
    authorised_permille: int = 0
    authorised_yuan: int = 0
    drawn_yuan: int = 0
    borrowers: int = 0
    in_arrears: int = 0
    repaying_permille: int = 0
    bad_loan_permille: int = 0


@dataclass(frozen=True)
class CreditSummary:
    """Village-wide credit figures (整村授信) as of a date, under one policy."""

    as_of: str
    policy: str
    policy_hash: str
    villages: list[VillageSummary]
    total: CountyTotal


def _add(place: VillageSummary, rating: Rating) -> None:
    place.households += 1
    place.vetoed += rating.reason == VETO
    if rating.tier is not None:
        place.rated += 1
        place.tiers[rating.tier] += 1
        place.credit_total += rating.credit_line


def _bank_figures(place: VillageSummary | CountyTotal, figures: BankFigures) -> None:
    place.authorised = figures.authorised
    place.authorised_permille = share_permille(figures.authorised, place.households)
    place.authorised_yuan = (figures.authorised_fen + 50) // 100
    place.drawn_yuan = (figures.drawn_fen + 50) // 100
    place.borrowers, place.in_arrears = figures.borrowers, figures.in_arrears
    place.repaying_permille, place.bad_loan_permille = figures.repaying_permille, figures.bad_permille


def village_counts(place: VillageSummary, figures: BankFigures) -> VillageCounts:
    """What a village's designation is decided on: its ratings and what its banks reported."""
    return VillageCounts(
        place.households, place.rated, place.tiers, place.vetoed, figures.authorised, figures.borrowers,
        figures.in_arrears, figures.loans_fen, figures.bad_fen,
    )  # fmt: skip


def _places(
    session: Session, policy: CreditPolicy, as_of: date, village: str | None = None
) -> tuple[dict[str, VillageSummary], dict[str, BankFigures]]:
    codes = [t.code for t in policy.tiers]
    query = select(Village).order_by(col(Village.code))
    if village is not None:
        query = query.where(Village.code == village)
    villages = session.exec(query).all()
    places = {v.code: VillageSummary(v.code, v.name, tiers=dict.fromkeys(codes, 0)) for v in villages}
    figures = {code: BankFigures() for code in places}
    banked = standings(session, as_of=as_of, bad_loan_days=policy.bad_loan_days, village=village)
    on = as_of.isoformat()
    for facts in _facts(session, policy, as_of, village=village):
        if facts.rating.since <= on:  # on the register by then
            _add(places[facts.rating.village], facts.rating)
            if (standing := banked.get(facts.rating.household)) is not None:
                figures[facts.rating.village].add(standing)
    for code, place in places.items():
        place.share_permille = share_permille(place.rated, place.households)
        counts = village_counts(place, figures[code])
        place.designation = policy.designation_for(counts)
        place.checks = checks(policy, counts)
        _bank_figures(place, figures[code])
    return places, figures


def village_standing(
    session: Session, policy: CreditPolicy, *, as_of: date, village: str
) -> tuple[VillageSummary, VillageCounts]:
    """One village's figures and what its designation is decided on."""
    places, figures = _places(session, policy, as_of, village)
    return places[village], village_counts(places[village], figures[village])


def summary(session: Session, policy: CreditPolicy, *, as_of: date) -> CreditSummary:
    """Per village and for the county: households on the register, rated, per tier, credit, title, banks."""
    codes = [t.code for t in policy.tiers]
    places, figures = _places(session, policy, as_of)
    total = CountyTotal(len(places), tiers=dict.fromkeys(codes, 0))
    total.designations = {d.code: 0 for d in policy.designations}
    county = BankFigures()
    for code, place in places.items():
        total.households += place.households
        total.rated += place.rated
        total.credit_total += place.credit_total
        total.vetoed += place.vetoed
        county.merge(figures[code])
        for tier in codes:
            total.tiers[tier] += place.tiers[tier]
        if place.designation is not None:
            total.designations[place.designation] += 1
    total.share_permille = share_permille(total.rated, total.households)
    _bank_figures(total, county)
    return CreditSummary(as_of.isoformat(), policy.name, policy.hash, list(places.values()), total)


# --- for banks ----------------------------------------------------------------------------------

# The only columns a bank receives, in this order (PIPL: the minimum necessary).
BANK_COLUMNS = (
    "household",
    "village",
    "village_name",
    "head_name",
    "id_number",
    "tier",
    "credit_line",
    "rated_on",
    "valid_until",
    "policy_hash",
)


@dataclass(frozen=True, slots=True)
class BankRow:
    """One credit household as a bank receives it; ``id_number`` is masked unless asked otherwise."""

    household: str
    village: str
    village_name: str
    head_name: str
    id_number: str
    tier: str
    credit_line: int
    rated_on: str
    valid_until: str
    policy_hash: str


def bank_rows(
    session: Session, policy: CreditPolicy, *, as_of: date, full_id: bool = False, bank: str = EVERY_BANK
) -> Iterator[BankRow]:
    """Rated households whose consent for ``bank`` (or for every bank) is in force on ``as_of``, in household order."""
    on = as_of.isoformat()
    allowed = consenting(session, Recipient(BANK, bank), on)
    names = dict(session.exec(select(Village.code, Village.name)).all())  # the village by name beside its code
    for facts in _facts(session, policy, as_of, with_id=True):
        r = facts.rating
        if r.tier is None or r.valid_until is None or r.household not in allowed:
            continue
        shown = facts.id_number if full_id else mask_id(facts.id_number)
        place = names.get(r.village, "")
        yield BankRow(
            r.household, r.village, place, r.head_name, shown, r.tier, r.credit_line, on, r.valid_until, policy.hash
        )


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One entry of the export log."""

    id: int
    exported_at: str
    operator: str
    bank: str
    as_of: str
    format: str
    rows: int
    full_id: bool
    file: str
    sha256: str
    policy_hash: str
    key: str
    replaced: bool = False  # this export took the name of an earlier file (--replace)


def export_log(session: Session) -> list[ExportRow]:
    """Every credit export made from this database, oldest first."""
    records = session.exec(select(ExportLog).order_by(col(ExportLog.id))).all()
    return [
        ExportRow(
            r.id or 0,
            r.exported_at,
            r.operator,
            r.bank,
            r.as_of,
            r.format,
            r.row_count,
            bool(r.full_id),
            r.file_name,
            r.file_sha256,
            r.policy_hash,
            r.key_id,
            bool(r.replaced),
        )
        for r in records
    ]
