"""Credit policy (信): window, tiers and credit lines, veto, registration and village designations."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from moralbank.errors import InputError, RowProblem, SheetError

# Why a household is not rated: a catalogue key ``credit.reason.<code>`` explains each.
VETO, TOO_NEW, BELOW_MINIMUM = "veto", "too_new", "below_minimum"


@dataclass(frozen=True)
class Tier:
    """A rating tier: the points it takes and the credit line it grants.

    With ``step_points`` and ``step_credit`` every further ``step_points`` points above
    ``min_points`` add ``step_credit`` yuan, up to ``max_credit`` when one is set.
    """

    code: str
    min_points: int
    credit_line: int
    step_points: int | None = None
    step_credit: int | None = None
    max_credit: int | None = None

    def line_for(self, points: int) -> int:
        """The credit line, in yuan, of a household with ``points`` in this tier."""
        if not self.step_points or not self.step_credit:
            return self.credit_line
        line = self.credit_line + (points - self.min_points) // self.step_points * self.step_credit
        return line if self.max_credit is None else min(line, self.max_credit)


@dataclass(frozen=True)
class Designation:
    """A village title (信用村, 标杆村, 样板村) and what the village's ratings must reach for it."""

    code: str
    name: str
    min_rated_percent: int
    min_tier: str | None = None  # with min_tier_percent: the share rated at this tier or higher
    min_tier_percent: int = 0
    max_vetoed: int | None = None  # households under a veto, at most
    # From what banks sent back (issue 15), each optional: households a bank authorised, at least;
    # borrowers not in arrears, at least; bad loans (a borrower's loan at a bank where the latest
    # arrears are overdue ``bad_loan_days`` or more) below this share of the loans.
    min_authorised_percent: int | None = None
    min_repaying_percent: int | None = None
    bad_loans_below_percent: int | None = None


@dataclass(frozen=True)
class VillageCounts:
    """What a designation is decided on: one village's ratings counted, and what its banks reported."""

    households: int
    rated: int
    tiers: Mapping[str, int]
    vetoed: int
    authorised: int = 0  # households a bank authorised
    borrowers: int = 0  # households with a loan drawn (or overdue)
    in_arrears: int = 0
    loans_fen: int = 0  # what borrowers owe the banks
    bad_fen: int = 0  # of which bad loans


@dataclass(frozen=True)
class Condition:
    """One condition of a designation as a village stands: wanted, found, met, and by how much.

    ``rule`` is rated, tier, vetoed, authorised, repaying or bad_loans. ``wanted`` is a percent
    (vetoed: a count); ``found`` the village's share in thousandths (vetoed: its count). ``gap``
    is what it lacks: households for a share of households, borrowers for repaying, vetoed
    households over the limit, thousandths of the loans for bad loans; 0 when met.
    """

    rule: str
    wanted: int
    found: int
    met: bool
    gap: int
    tier: str | None = None  # the tier a "tier" condition counts from


@dataclass(frozen=True)
class DesignationCheck:
    """A designation and how a village stands against each of its conditions."""

    code: str
    name: str
    met: bool
    conditions: list[Condition]


@dataclass(frozen=True)
class Outcome:
    """One household's rating: a tier and credit line, or the reason it is not rated."""

    tier: str | None
    credit_line: int
    reason: str | None


@dataclass(frozen=True)
class CreditPolicy:
    """A parsed policy file; ``hash`` is the SHA-256 of its bytes, so a result names its policy."""

    name: str
    window_months: int
    min_months_registered: int
    valid_months: int
    veto_months: int
    tiers: tuple[Tier, ...]  # highest first
    designations: tuple[Designation, ...]  # highest first
    hash: str
    source: str
    bad_loan_days: int = 90  # a loan overdue this many days or more is a bad loan ([loans] bad_after_days)

    def window(self, as_of: date) -> tuple[date, date]:
        """The first and last booking day whose earned points count (both inclusive)."""
        return as_of - relativedelta(months=self.window_months) + timedelta(days=1), as_of

    def veto_window(self, as_of: date) -> tuple[date, date]:
        """The first and last booking day on which a veto deduction stops a rating."""
        return as_of - relativedelta(months=self.veto_months) + timedelta(days=1), as_of

    def valid_until(self, as_of: date) -> date:
        """The last day a rating made on ``as_of`` is valid."""
        return as_of + relativedelta(months=self.valid_months) - timedelta(days=1)

    def tier_for(self, points: int) -> Tier | None:
        """The highest tier whose minimum ``points`` reach, or None."""
        return next((tier for tier in self.tiers if points >= tier.min_points), None)

    def least_points(self) -> int:
        """The fewest points that reach a tier: a household with fewer is not rated, whatever else holds."""
        return min(tier.min_points for tier in self.tiers)

    def long_enough(self, since: date, as_of: date) -> bool:
        """Whether a household on the register since ``since`` has the months the policy asks for."""
        return months_between(since, as_of) >= self.min_months_registered

    def assess(self, *, points: int, registered: bool, vetoed: bool) -> Outcome:
        """Rate one household: a veto first, then time on the register, then its points."""
        if vetoed:
            return Outcome(None, 0, VETO)
        if not registered:
            return Outcome(None, 0, TOO_NEW)
        tier = self.tier_for(points)
        if tier is None:
            return Outcome(None, 0, BELOW_MINIMUM)
        return Outcome(tier.code, tier.line_for(points), None)

    def rank(self, tier: str) -> int:
        """The position of a tier, 0 for the highest."""
        return [t.code for t in self.tiers].index(tier)

    def designation_for(self, counts: VillageCounts) -> str | None:
        """The highest designation the village meets, or None."""
        return next((d.code for d in self.designations if meets(self, d, counts)), None)


def meets(policy: CreditPolicy, wanted: Designation, counts: VillageCounts) -> bool:
    """Whether a village's counts reach a designation (shares compared in whole numbers)."""
    return counts.households > 0 and all(c.met for c in conditions(policy, wanted, counts))


def checks(policy: CreditPolicy, counts: VillageCounts) -> list[DesignationCheck]:
    """Every designation of the policy, highest first, with the village's standing on each condition."""
    found = []
    for wanted in policy.designations:
        conditions_met = conditions(policy, wanted, counts)
        met = counts.households > 0 and all(c.met for c in conditions_met)
        found.append(DesignationCheck(wanted.code, wanted.name, met, conditions_met))
    return found


def _needed(percent: int, whole: int) -> int:
    return -(-percent * whole // 100)  # rounded up: 70% of 11 households is 8


def _share(rule: str, percent: int, part: int, whole: int) -> Condition:
    """At least ``percent`` of ``whole``: met, or short by so many."""
    gap = max(0, _needed(percent, whole) - part)
    met = whole > 0 and 100 * part >= percent * whole
    return Condition(rule, percent, share_permille(part, whole), met, gap if whole else 0)


def conditions(policy: CreditPolicy, wanted: Designation, counts: VillageCounts) -> list[Condition]:
    """Every condition of a designation, in the policy's order, as the village stands."""
    found = [_share("rated", wanted.min_rated_percent, counts.rated, counts.households)]
    if wanted.max_vetoed is not None:
        over = max(0, counts.vetoed - wanted.max_vetoed)
        found.append(Condition("vetoed", wanted.max_vetoed, counts.vetoed, over == 0, over))
    if wanted.min_tier is not None:
        top = policy.rank(wanted.min_tier)
        reached = sum(counts.tiers.get(t.code, 0) for t in policy.tiers[: top + 1])
        found.append(
            dataclasses.replace(
                _share("tier", wanted.min_tier_percent, reached, counts.households), tier=wanted.min_tier
            )
        )
    if wanted.min_authorised_percent is not None:
        found.append(_share("authorised", wanted.min_authorised_percent, counts.authorised, counts.households))
    if wanted.min_repaying_percent is not None:
        # No borrower reported: nothing shows the village repays, so the condition is not met.
        repaying = counts.borrowers - counts.in_arrears
        found.append(_share("repaying", wanted.min_repaying_percent, repaying, counts.borrowers))
    if wanted.bad_loans_below_percent is not None:
        limit, bad = wanted.bad_loans_below_percent, share_permille(counts.bad_fen, counts.loans_fen)
        met = 100 * counts.bad_fen < limit * counts.loans_fen or counts.bad_fen == 0
        found.append(Condition("bad_loans", limit, bad, met, 0 if met else bad - 10 * limit + 1))
    return found


# A county rating asks this once per household, with few distinct dates; relativedelta costs
# about 10 µs a call, most of a 125,000-household rating (bench/RESULTS.md).
@lru_cache(maxsize=4096)
def months_between(since: date, as_of: date) -> int:
    """Whole months from ``since`` to ``as_of`` (negative when ``since`` is later)."""
    gap = relativedelta(as_of, since)
    return gap.years * 12 + gap.months


def share_permille(part: int, whole: int) -> int:
    """``part`` of ``whole`` in thousandths, rounded half up (725 is 72.5%); 0 when ``whole`` is 0."""
    if whole == 0:
        return 0
    return (2000 * part + whole) // (2 * whole)


# --- parsing ------------------------------------------------------------------------------------

_POLICY_KEYS = {"name", "window_months", "min_months_registered", "valid_months"}
_TIER_KEYS = {"code", "min_points", "credit_line", "step_points", "step_credit", "max_credit"}
_DESIGNATION_KEYS = {"code", "name", "min_rated_percent", "min_tier", "min_tier_percent", "max_vetoed"}
_DESIGNATION_KEYS |= {"min_authorised_percent", "min_repaying_percent", "bad_loans_below_percent"}


class _Reader:
    """Reads typed values out of the TOML tables, collecting every problem with its place."""

    def __init__(self) -> None:
        self.problems: list[RowProblem] = []

    def fail(self, field: str, key: str, **params: Any) -> None:
        self.problems.append(RowProblem(0, field, key, params))

    def table(self, data: Mapping[str, Any], name: str, allowed: set[str]) -> Mapping[str, Any]:
        value = data.get(name)
        if not isinstance(value, dict):
            self.fail(name, "field.required")
            return {}
        self.unknown(value, name, allowed)
        return value

    def unknown(self, table: Mapping[str, Any], place: str, allowed: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(f"{place}.{key}", "credit.unknown_setting")

    def text(self, table: Mapping[str, Any], place: str, name: str, *, required: bool = True) -> str | None:
        value = table.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{place}.{name}", "field.required")
            return None
        if not isinstance(value, str):
            self.fail(f"{place}.{name}", "credit.not_text", value=value)
            return None
        return value.strip()

    def number(
        self,
        table: Mapping[str, Any],
        place: str,
        name: str,
        *,
        low: int,
        high: int | None = None,
        required: bool = True,
    ) -> int | None:
        value, field = table.get(name), f"{place}.{name}"
        if value is None:
            if required:
                self.fail(field, "field.required")
            return None
        if type(value) is not int:
            self.fail(field, "field.not_integer", value=value)
        elif value < low or (high is not None and value > high):
            self.fail(field, "credit.out_of_range", value=value, low=low, high="∞" if high is None else high)
        else:
            return value
        return None


def _tier(reader: _Reader, item: Any, place: str) -> Tier | None:
    if not isinstance(item, dict):
        reader.fail(place, "field.required")
        return None
    reader.unknown(item, place, _TIER_KEYS)
    code = reader.text(item, place, "code")
    minimum = reader.number(item, place, "min_points", low=1)
    line = reader.number(item, place, "credit_line", low=1)
    step = reader.number(item, place, "step_points", low=1, required=False)
    step_credit = reader.number(item, place, "step_credit", low=1, required=False)
    cap = reader.number(item, place, "max_credit", low=1, required=False)
    if ("step_points" in item) != ("step_credit" in item):
        missing = "step_credit" if "step_points" in item else "step_points"
        reader.fail(f"{place}.{missing}", "credit.step_pair")
    if "max_credit" in item and "step_points" not in item:
        reader.fail(f"{place}.max_credit", "credit.max_needs_step")
    elif cap is not None and line is not None and cap < line:
        reader.fail(f"{place}.max_credit", "credit.max_below_line", value=cap, line=line)
    if code is None or minimum is None or line is None:
        return None
    return Tier(code, minimum, line, step, step_credit, cap)


def _tiers(reader: _Reader, data: Mapping[str, Any]) -> tuple[Tier, ...]:
    items = data.get("tiers")
    if not isinstance(items, list) or not items:
        reader.fail("tiers", "credit.tiers_required")
        return ()
    tiers = [_tier(reader, item, f"tiers[{n}]") for n, item in enumerate(items, start=1)]
    found = [t for t in tiers if t is not None]
    if len(found) < len(tiers):
        return ()
    seen: set[str] = set()
    for n, tier in enumerate(found, start=1):
        if tier.code in seen:
            reader.fail(f"tiers[{n}].code", "credit.duplicate_code", code=tier.code)
        seen.add(tier.code)
    for n, (higher, lower) in enumerate(pairwise(found), start=2):
        place = f"tiers[{n}]"
        if lower.min_points >= higher.min_points:
            reader.fail(f"{place}.min_points", "credit.tier_order", value=lower.min_points, previous=higher.min_points)
            continue
        # More points must never mean less credit: the best this tier reaches stays within the next.
        reach = lower.line_for(higher.min_points - 1)
        if reach > higher.credit_line:
            reader.fail(
                f"{place}.credit_line", "credit.line_order", reach=reach, code=higher.code, line=higher.credit_line
            )
    return tuple(found)


def _designation(reader: _Reader, item: Any, place: str, tiers: set[str]) -> Designation | None:
    if not isinstance(item, dict):
        reader.fail(place, "field.required")
        return None
    reader.unknown(item, place, _DESIGNATION_KEYS)
    code = reader.text(item, place, "code")
    name = reader.text(item, place, "name", required=False)
    share = reader.number(item, place, "min_rated_percent", low=0, high=100)
    tier = reader.text(item, place, "min_tier", required=False)
    tier_share = reader.number(item, place, "min_tier_percent", low=0, high=100, required=tier is not None)
    vetoed = reader.number(item, place, "max_vetoed", low=0, required=False)
    banks = [
        reader.number(item, place, name, low=0, high=100, required=False)
        for name in ("min_authorised_percent", "min_repaying_percent", "bad_loans_below_percent")
    ]
    if tier is not None and tiers and tier not in tiers:
        reader.fail(f"{place}.min_tier", "credit.unknown_tier", code=tier)
        return None
    if code is None or share is None or (tier is not None and tier_share is None):
        return None
    return Designation(code, name or code, share, tier, tier_share or 0, vetoed, *banks)


def _designations(reader: _Reader, data: Mapping[str, Any], tiers: tuple[Tier, ...]) -> tuple[Designation, ...]:
    items = data.get("designations", [])
    if not isinstance(items, list):
        reader.fail("designations", "field.required")
        return ()
    codes = {t.code for t in tiers}
    found: list[Designation] = []
    for n, item in enumerate(items, start=1):
        designation = _designation(reader, item, f"designations[{n}]", codes)
        if designation is not None and designation.code in {d.code for d in found}:
            reader.fail(f"designations[{n}].code", "credit.duplicate_code", code=designation.code)
        elif designation is not None:
            found.append(designation)
    return tuple(found)


def parse_policy(data: Mapping[str, Any], *, source: str, digest: str) -> CreditPolicy:
    """A policy from parsed TOML, or a SheetError listing every problem with its setting."""
    reader = _Reader()
    reader.unknown(data, "", {"policy", "veto", "tiers", "designations", "loans"})
    head = reader.table(data, "policy", _POLICY_KEYS)
    veto = reader.table(data, "veto", {"months"})
    name = reader.text(head, "policy", "name")
    window = reader.number(head, "policy", "window_months", low=1, high=120)
    registered = reader.number(head, "policy", "min_months_registered", low=0, high=600)
    valid = reader.number(head, "policy", "valid_months", low=1, high=120)
    veto_months = reader.number(veto, "veto", "months", low=1, high=600)
    tiers = _tiers(reader, data)
    designations = _designations(reader, data, tiers)
    loans = reader.table(data, "loans", {"bad_after_days"}) if "loans" in data else {}
    bad_days = reader.number(loans, "loans", "bad_after_days", low=1, high=3650, required=False)
    if reader.problems:
        raise SheetError(source, reader.problems)
    assert name and window and registered is not None and valid and veto_months
    policy = CreditPolicy(name, window, registered, valid, veto_months, tiers, designations, digest, source)
    return policy if bad_days is None else dataclasses.replace(policy, bad_loan_days=bad_days)


def load_policy(path: Path) -> CreditPolicy:
    """Read and check a policy file; its hash is taken over the file's exact bytes."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("file.not_found", path=str(path)) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("toml.invalid", path=path.name, reason=exc) from exc
    return parse_policy(data, source=path.name, digest=hashlib.sha256(raw).hexdigest())
