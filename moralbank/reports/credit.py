"""Civilised-credit ratings (文明信用户) from the ledger: per household, per village, for banks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from moralbank.domain.credit_policy import (
    VETO,
    CreditPolicy,
    DesignationCheck,
    VillageCounts,
    checks,
    months_between,
    share_permille,
)
from moralbank.domain.identity import mask_id
from moralbank.services.consent_in_force import EVERY_BANK, bank_consent_sql
from moralbank.storage import reads
from moralbank.storage.predicates import ANY_MOVE, standing_deduction, village_on
from moralbank.storage.reads import Rows, row_blocks, rows_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from moralbank.reports.bank_results import BankFigures, Standing

# Per household (of the register, of a village, or one): earned points booked in the window,
# whether any entry moved them, and its first booking up to the date (a household is known to
# the scheme from then, even if registered here later; the loop takes the earlier of that and
# its registration). Three probes of the covering index entry_household (household, booked_on,
# coins, earned) per household, each over that household's range alone: at L that is 0.49 s
# where grouping every entry up to the date was 0.65 s (bench/RESULTS.md, round four).
_HOUSEHOLDS = """
SELECT h.code AS code, {place} AS village, h.head_name AS head_name, {id_number} AS id_number,
       (SELECT SUM(e.earned) FROM entry e
        WHERE e.household = h.code AND e.booked_on >= :lo AND e.booked_on <= :hi) AS points,
       EXISTS (SELECT 1 FROM entry e
               WHERE e.household = h.code AND e.booked_on >= :lo AND e.booked_on <= :hi AND e.earned <> 0) AS counted,
       h.registered_on AS registered_on,
       (SELECT MIN(e.booked_on) FROM entry e WHERE e.household = h.code AND e.booked_on <= :hi) AS first_booked
FROM household_current h
{where}
"""

# The same columns for the whole register on PostgreSQL, by grouping every entry up to the date:
# its planner runs 125,000 households' probes as as many index scans, 2.49 s where grouping is
# 1.92 s for a county of 1,170,000 entries (bench/RESULTS.md, round four). A village or one
# household keeps the probes there too (0.63 s against 1.03 s for a village).
_GROUPED = """
SELECT h.code AS code, {place} AS village, h.head_name AS head_name, {id_number} AS id_number, p.points AS points,
       p.counted AS counted, h.registered_on AS registered_on, p.first_booked AS first_booked
FROM household_current h LEFT JOIN (
    SELECT household,
           SUM(CASE WHEN booked_on >= :lo THEN earned ELSE 0 END) AS points,
           SUM(CASE WHEN booked_on >= :lo AND earned <> 0 THEN 1 ELSE 0 END) AS counted,
           MIN(booked_on) AS first_booked
    FROM entry WHERE booked_on <= :hi
    GROUP BY household
) p ON p.household = h.code
{where}
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


# A rating as a plain tuple, in Rating's field order: what a county's 125,000 ratings travel as
# from the query to a CSV or a sum (a frozen dataclass each was about 1 s at L, bench/RESULTS.md).
RatingValues = tuple[str, str, str, int, "str | None", int, "str | None", "int | None", "str | None", str, "str | None"]


@dataclass(frozen=True)
class Ratings:
    """The ratings of households with earned points in the window (or a veto), and what made them."""

    as_of: str
    policy: str
    policy_hash: str
    window_from: str
    window_to: str
    ratings: list[Rating]


def vetoes(
    session: Session | Rows,
    policy: CreditPolicy,
    as_of: date,
    household: str | None = None,
    *,
    village: str | None = None,
    place: str = "h.village",
) -> dict[str, VetoEntry]:
    """The latest standing veto deduction of each household that has one (of one household, or
    of those whose village ``place`` is ``village``: ``_ratings``' own filter)."""
    lo, hi = policy.veto_window(as_of)
    params: dict[str, Any] = {"lo": lo.isoformat(), "hi": hi.isoformat()}
    where = ""
    if household is not None:
        where, params["h"] = "AND e.household = :h", household
    elif village is not None:
        # A village's households' own deductions, by entry_household: 23 ms where every deduction
        # of the county was 0.20 s at L (bench/RESULTS.md, round four).
        where = f"AND e.household IN (SELECT h.code FROM household_current h WHERE {place} = :v)"
        params |= {"v": village, "as_of": as_of.isoformat()}  # as_of: where ``place`` asks for it
    found: dict[str, VetoEntry] = {}
    for code, *rest in rows_of(session).rows(_VETOES.format(where=where), params):
        if code not in found:
            found[code] = VetoEntry(*rest)
    return found


def _ratings(
    session: Session | Rows,
    policy: CreditPolicy,
    as_of: date,
    *,
    village: str | None = None,
    household: str | None = None,
    with_id: bool = False,
    listed: bool = False,
    bank: str | None = None,
    rated_only: bool = False,
) -> Iterator[tuple[RatingValues, str]]:
    """Every household (of a village, or one) with its rating and ID number ('' unless ``with_id``), in household order.

    ``listed``: only those ``rate`` lists, with points moved in the window or a standing veto.
    ``bank``: only those whose consent for that bank (or for every bank) is in force on ``as_of``.
    ``rated_only``: leaves out those whose points reach no tier (and only those): the rest of a
    county, about two households in three, is never fetched nor rated (bench/RESULTS.md, round five).
    One tight loop over the rows: a county rates 125,000 households, and the policy is asked once
    per distinct (points, long enough on the register, vetoed), a few hundred (bench/RESULTS.md).
    """
    db = rows_of(session)
    lo, hi = policy.window(as_of)
    params: dict[str, Any] = {"lo": lo.isoformat(), "hi": hi.isoformat()}
    conditions, place = [], "h.village"
    if db.rows(ANY_MOVE):  # the village it lived in on the rating date
        place, params["as_of"] = village_on("h.code", ":as_of", "h.village"), as_of.isoformat()
    if village is not None:
        conditions.append(f"{place} = :v")
        params["v"] = village
    if household is not None:
        conditions.append("h.code = :h")
        params["h"] = household
    shape = _GROUPED if not conditions and reads.is_postgresql(db) else _HOUSEHOLDS
    if bank is not None:  # asked of each household in the same pass, not read for the county beforehand
        conditions.append(f"{bank_consent_sql('h.code', ':on')} = 1")
        params |= {"bank": bank, "on": as_of.isoformat()}
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    body = shape.format(id_number="h.id_number" if with_id else "''", where=where, place=place)
    query = f"{body}ORDER BY h.code"
    if rated_only:
        # Filtered on the select list's points. SQLite flattens the subquery, so it sums each
        # household's window in the filter and again for the third that pass it; the other
        # probes run for those alone. At L: 0.36 s where every household's row took 0.48 s in
        # the sqlite3 shell, and a third of the rows for the loop (bench/RESULTS.md, round five).
        query = f"SELECT * FROM ({body}) r WHERE COALESCE(r.points, 0) >= :least ORDER BY r.code"
        params["least"] = policy.least_points()
    stopped = vetoes(db, policy, as_of, household, village=village, place=place)
    rater = _Rater(policy, as_of)
    registered, outcomes, outcome = rater.registered, rater.outcomes, rater.outcome
    for block in row_blocks(db, query, params):
        for code, place, head, id_number, points, counted, registered_on, first_booked in block:
            veto = stopped.get(code)
            if listed and not counted and veto is None:
                continue
            points = int(points or 0)
            since = first_booked if first_booked is not None and first_booked < registered_on else registered_on
            enough = registered.get(since)
            if enough is None:
                enough = rater.long_enough(since)
            asked = (points, enough, veto is not None)
            tier, line, reason, until = outcomes.get(asked) or outcome(asked)
            if veto is None:
                yield (code, place, head, points, tier, line, reason, None, None, since, until), id_number
            else:
                yield (code, place, head, points, tier, line, reason, veto.id, veto.standard, since, until), id_number


class _Rater:
    """The policy's answers under one policy and date, each asked once (``_ratings`` reads the caches itself)."""

    def __init__(self, policy: CreditPolicy, as_of: date) -> None:
        self.policy, self.as_of = policy, as_of
        self.until = policy.valid_until(as_of).isoformat()
        self.registered: dict[str, bool] = {}  # by register date: a county has few distinct ones
        # (tier, credit line, reason, valid until) by (points, registered, vetoed): a county has a few hundred
        self.outcomes: dict[tuple[int, bool, bool], tuple[str | None, int, str | None, str | None]] = {}

    def long_enough(self, since: str) -> bool:
        """Whether a household on the register since ``since`` has the months the policy asks for."""
        found = self.registered[since] = self.policy.long_enough(date.fromisoformat(since), self.as_of)
        return found

    def outcome(self, asked: tuple[int, bool, bool]) -> tuple[str | None, int, str | None, str | None]:
        """The policy's answer for (points, registered, vetoed), as the values a rating carries."""
        points, registered, vetoed = asked
        answer = self.policy.assess(points=points, registered=registered, vetoed=vetoed)
        found = self.outcomes[asked] = (
            answer.tier,
            answer.credit_line,
            answer.reason,
            self.until if answer.tier else None,
        )
        return found


def rate(session: Session | Rows, policy: CreditPolicy, *, as_of: date, village: str | None = None) -> Ratings:
    """Every household with earned points in the window or a standing veto, rated."""
    head = rating_head(session, policy, as_of=as_of, village=village)
    return dataclasses.replace(head, ratings=list(rated(session, policy, as_of=as_of, village=village)))


def rating_head(session: Session | Rows, policy: CreditPolicy, *, as_of: date, village: str | None = None) -> Ratings:
    """The ratings' date, policy and window, without ratings (``rated`` streams them); checks the village."""
    if village is not None:
        reads.village(session, village)
    lo, hi = policy.window(as_of)
    return Ratings(as_of.isoformat(), policy.name, policy.hash, lo.isoformat(), hi.isoformat(), [])


def rated(
    session: Session | Rows, policy: CreditPolicy, *, as_of: date, village: str | None = None
) -> Iterator[Rating]:
    """The ratings ``rate`` lists, streamed in household order."""
    return (Rating(*values) for values in rating_values(session, policy, as_of=as_of, village=village))


def rating_values(
    session: Session | Rows, policy: CreditPolicy, *, as_of: date, village: str | None = None
) -> Iterator[RatingValues]:
    """``rated`` as plain tuples in Rating's field order (a county's CSV is written from these)."""
    for rating, _ in _ratings(session, policy, as_of, village=village, listed=True):
        yield rating


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


def explain(session: Session | Rows, policy: CreditPolicy, *, household: str, as_of: date) -> Explanation:
    """One household's rating with everything it rests on."""
    from moralbank.reports.bank_results import standings  # banks' answers: not a rating's concern

    db = rows_of(session)
    reads.household(db, household)
    rating = Rating(*next(_ratings(db, policy, as_of, household=household))[0])
    lo, hi = policy.window(as_of)
    params = {"h": household, "lo": lo.isoformat(), "hi": hi.isoformat()}
    entries = [CountingEntry(*row) for row in db.rows(_COUNTING, params)]
    points = rating.points
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
        months_between(date.fromisoformat(rating.since), as_of),
        policy.min_months_registered,
        rating,
        entries,
        thresholds,
        vetoes(db, policy, as_of, household).get(household),
        standings(db, as_of=as_of, bad_loan_days=policy.bad_loan_days, household=household).get(household),
        village_standing(db, policy, as_of=as_of, village=rating.village)[0].checks,
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


def _add(place: VillageSummary, tier: str | None, credit_line: int, reason: str | None) -> None:
    place.households += 1
    place.vetoed += reason == VETO
    if tier is not None:
        place.rated += 1
        place.tiers[tier] += 1
        place.credit_total += credit_line


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


_VILLAGES = "SELECT code, name FROM village {where} ORDER BY code"


def _places(
    session: Session | Rows, policy: CreditPolicy, as_of: date, village: str | None = None
) -> tuple[dict[str, VillageSummary], dict[str, BankFigures]]:
    from moralbank.reports.bank_results import BankFigures, standings  # not on the path of ``credit rate``

    db = rows_of(session)
    codes = [t.code for t in policy.tiers]
    villages = db.rows(_VILLAGES.format(where="WHERE code = :v" if village else ""), {"v": village})
    places = {code: VillageSummary(code, name, tiers=dict.fromkeys(codes, 0)) for code, name in villages}
    figures = {code: BankFigures() for code in places}
    banked = standings(db, as_of=as_of, bad_loan_days=policy.bad_loan_days, village=village)
    on = as_of.isoformat()
    for (household, lived, _, _, tier, line, reason, _, _, since, _), _ in _ratings(db, policy, as_of, village=village):
        if since <= on:  # on the register by then
            _add(places[lived], tier, line, reason)
            if banked and (standing := banked.get(household)) is not None:
                figures[lived].add(standing)
    for code, place in places.items():
        place.share_permille = share_permille(place.rated, place.households)
        counts = village_counts(place, figures[code])
        place.designation = policy.designation_for(counts)
        place.checks = checks(policy, counts)
        _bank_figures(place, figures[code])
    return places, figures


def village_standing(
    session: Session | Rows, policy: CreditPolicy, *, as_of: date, village: str
) -> tuple[VillageSummary, VillageCounts]:
    """One village's figures and what its designation is decided on."""
    places, figures = _places(session, policy, as_of, village)
    return places[village], village_counts(places[village], figures[village])


def summary(session: Session | Rows, policy: CreditPolicy, *, as_of: date) -> CreditSummary:
    """Per village and for the county: households on the register, rated, per tier, credit, title, banks."""
    codes = [t.code for t in policy.tiers]
    places, figures = _places(session, policy, as_of)
    total = CountyTotal(len(places), tiers=dict.fromkeys(codes, 0))
    total.designations = {d.code: 0 for d in policy.designations}
    from moralbank.reports.bank_results import BankFigures

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
    session: Session | Rows, policy: CreditPolicy, *, as_of: date, full_id: bool = False, bank: str = EVERY_BANK
) -> Iterator[BankRow]:
    """Rated households whose consent for ``bank`` (or for every bank) is in force on ``as_of``, in household order."""
    db = rows_of(session)
    on = as_of.isoformat()
    names = dict(db.rows(_VILLAGES.format(where=""), {}))  # the village by name beside its code
    consenting = _ratings(db, policy, as_of, with_id=True, bank=bank, rated_only=True)
    for (code, village, head, _, tier, line, _, _, _, _, until), id_number in consenting:
        if tier is None or until is None:
            continue
        shown = id_number if full_id else mask_id(id_number)
        yield BankRow(code, village, names.get(village, ""), head, shown, tier, line, on, until, policy.hash)


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
    from sqlmodel import col, select

    from moralbank.storage.models import ExportLog

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
