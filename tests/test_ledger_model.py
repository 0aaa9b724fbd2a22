"""A Hypothesis state machine drives the ledger services against a simple in-memory model of it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import text

from moralbank.errors import Refused, SheetError
from moralbank.reports.integrity import verify
from moralbank.reports.passbook import balance
from moralbank.services import ledger
from moralbank.services.decisions import Decision
from moralbank.storage.db import open_engine, reading, writing
from moralbank.storage.schema import apply_schema
from tests.town import HOUSEHOLD_CODES, OPERATOR, TODAY, build_register

# What each standard is worth in September and October 2026 (ZY01's second version), and XL01's cap.
POINTS = {"XL01": 5, "ZY01": 4, "LL03": -10}
CAP = {"XL01": 10}
BOOKED = "2026-11-26"


@dataclass
class Written:
    """One entry as the model knows it."""

    household: str
    kind: str
    coins: int
    earned: int
    standard: str | None = None
    month: str = ""
    reversed_by: int | None = None


@dataclass
class Keyed:
    """A write made with an idempotency key, to be retried."""

    operation: str
    args: dict[str, Any]
    entry: int


@dataclass
class Model:
    """What the ledger should hold."""

    entries: dict[int, Written] = field(default_factory=dict)
    coins: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    earned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    capped: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    keyed: list[Keyed] = field(default_factory=list)

    def add(self, entry_id: int, written: Written) -> None:
        assert entry_id not in self.entries
        self.entries[entry_id] = written
        self.coins[written.household] += written.coins
        self.earned[written.household] += written.earned
        if written.standard in CAP:
            self.capped[(written.household, written.standard, written.month)] += written.earned


_TEMPLATE: dict[str, Path] = {}


def template() -> Path:
    """A database with the core register and standards, built once and copied for each example."""
    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="moralbank-model-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = open_engine(str(folder / "template.db"))
        apply_schema(engine)
        build_register(engine)
        engine.dispose()  # the last connection folds the log into the file
        _TEMPLATE["db"] = folder / "template.db"
    return _TEMPLATE["db"]


households = st.sampled_from(HOUSEHOLD_CODES)
picks = st.integers(min_value=0, max_value=10**6)


class LedgerMachine(RuleBasedStateMachine):
    """Awards, deductions, reversals, redemptions and retries, each checked against the model."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="moralbank-example-"))
        shutil.copy(template(), self.folder / "ledger.db")
        self.engine = open_engine(str(self.folder / "ledger.db"))
        self.model = Model()
        self.keys = 0

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def starts_empty(self) -> None:
        assert self.count() == 0

    # --- helpers ---

    def count(self) -> int:
        with reading(self.engine) as session:
            return int(session.execute(text("SELECT COUNT(*) FROM entry")).scalar_one())

    def new_key(self, keyed: bool) -> str | None:
        self.keys += 1
        return f"key-{self.keys}" if keyed else None

    def award_now(self, args: dict[str, Any]) -> int:
        decision = Decision(
            args["household"], args["standard"], args["qty"], args["event"], args["event"][:8] + "25", "", args["key"]
        )
        with writing(self.engine) as session:
            return ledger.award(session, decision=decision, operator=OPERATOR, today=TODAY, repeat=True)

    def reverse_now(self, args: dict[str, Any]) -> int:
        with writing(self.engine) as session:
            return ledger.reverse(
                session,
                entry_id=args["entry"],
                reason=args["reason"],
                operator=OPERATOR,
                booked_on=BOOKED,
                today=TODAY,
                key=args["key"],
            )

    def redeem_now(self, args: dict[str, Any]) -> int:
        with writing(self.engine) as session:
            return ledger.redeem(
                session,
                household=args["household"],
                coins=args["coins"],
                item=args["item"],
                operator=OPERATOR,
                booked_on=BOOKED,
                today=TODAY,
                key=args["key"],
            )

    def remember(self, operation: str, args: dict[str, Any], entry: int) -> None:
        if args["key"]:
            self.model.keyed.append(Keyed(operation, args, entry))

    # --- rules ---

    @rule(
        household=households,
        standard=st.sampled_from(sorted(POINTS)),
        qty=st.integers(min_value=1, max_value=3),
        month=st.sampled_from(["2026-09", "2026-10"]),
        day=st.integers(min_value=1, max_value=24),
        keyed=st.booleans(),
    )
    def award(self, household: str, standard: str, qty: int, month: str, day: int, keyed: bool) -> None:
        args = {"household": household, "standard": standard, "qty": qty, "event": f"{month}-{day:02d}"}
        args["key"] = self.new_key(keyed)
        points = POINTS[standard] * qty
        before = self.count()
        if standard in CAP and self.model.capped[(household, standard, month)] + points > CAP[standard]:
            with pytest.raises(SheetError) as refused:
                self.award_now(args)
            assert [(p.field, p.key) for p in refused.value.problems] == [("qty", "decision.over_cap")]
            assert self.count() == before
            return
        entry = self.award_now(args)
        kind = "award" if points > 0 else "deduction"
        self.model.add(entry, Written(household, kind, points, points, standard, month))
        self.remember("award", args, entry)

    @precondition(lambda self: self.model.entries)
    @rule(pick=picks, keyed=st.booleans())
    def reverse(self, pick: int, keyed: bool) -> None:
        entry = sorted(self.model.entries)[pick % len(self.model.entries)]
        original = self.model.entries[entry]
        args = {"entry": entry, "reason": f"复核更正 {entry}", "key": self.new_key(keyed)}
        if original.kind == "reversal" or original.reversed_by is not None:
            with pytest.raises(Refused) as refused:
                self.reverse_now(args)
            expected = "reverse.not_reversible" if original.kind == "reversal" else "reverse.already"
            assert refused.value.key == expected
            return
        reversal = self.reverse_now(args)
        original.reversed_by = reversal
        undo = Written(
            original.household, "reversal", -original.coins, -original.earned, original.standard, original.month
        )
        self.model.add(reversal, undo)
        self.remember("reverse", args, reversal)

    @rule(household=households, coins=st.integers(min_value=1, max_value=30), keyed=st.booleans())
    def redeem(self, household: str, coins: int, keyed: bool) -> None:
        args = {"household": household, "coins": coins, "item": "洗衣粉", "key": self.new_key(keyed)}
        available = self.model.coins[household]
        if coins > available:
            with pytest.raises(Refused) as refused:
                self.redeem_now(args)
            assert refused.value.key == "redeem.insufficient"
            assert refused.value.params["available"] == available
            return
        entry = self.redeem_now(args)
        self.model.add(entry, Written(household, "redemption", -coins, 0))
        assert self.model.coins[household] >= 0
        self.remember("redeem", args, entry)

    @precondition(lambda self: self.model.keyed)
    @rule(pick=picks)
    def retry_the_same(self, pick: int) -> None:
        earlier = self.model.keyed[pick % len(self.model.keyed)]
        before = self.count()
        again = {"award": self.award_now, "reverse": self.reverse_now, "redeem": self.redeem_now}[earlier.operation]
        assert again(earlier.args) == earlier.entry
        assert self.count() == before

    @precondition(lambda self: self.model.keyed)
    @rule(pick=picks)
    def retry_with_a_different_body(self, pick: int) -> None:
        earlier = self.model.keyed[pick % len(self.model.keyed)]
        before = self.count()
        if earlier.operation == "award":
            with pytest.raises(SheetError) as conflict:
                self.award_now(earlier.args | {"qty": earlier.args["qty"] + 1})
            assert [(p.field, p.key) for p in conflict.value.problems] == [("qty", "key.conflict")]
        elif earlier.operation == "reverse":
            with pytest.raises(Refused) as refused:
                self.reverse_now(earlier.args | {"reason": "另一个原因"})
            assert (refused.value.key, refused.value.params["field"]) == ("key.conflict_field", "note")
        else:
            with pytest.raises(Refused) as refused:
                self.redeem_now(earlier.args | {"coins": earlier.args["coins"] + 1})
            assert (refused.value.key, refused.value.params["field"]) == ("key.conflict_field", "coins")
        assert self.count() == before

    # --- invariants ---

    @invariant()
    def balances_match_the_model(self) -> None:
        with reading(self.engine) as session:
            for code in HOUSEHOLD_CODES:
                shown = balance(session, household=code)
                assert (shown.coins, shown.earned) == (self.model.coins[code], self.model.earned[code]), code

    @invariant()
    def every_account_sums_to_zero(self) -> None:
        totals: dict[str, int] = defaultdict(int)
        with reading(self.engine) as session:
            for debit, credit, amount in session.execute(text("SELECT debit, credit, amount FROM entry")):
                totals[debit] -= amount
                totals[credit] += amount
        assert sum(totals.values()) == 0
        for code in HOUSEHOLD_CODES:  # the transfers alone give each household's coins
            assert totals[f"households:{code[:2]}:{code}"] == self.model.coins[code]

    @invariant()
    def entries_and_keys_are_each_written_once(self) -> None:
        with reading(self.engine) as session:
            rows = session.execute(text("SELECT id, idem_key, kind, household FROM entry ORDER BY id")).all()
        assert [(r[0], r[2], r[3]) for r in rows] == [
            (entry, w.kind, w.household) for entry, w in sorted(self.model.entries.items())
        ]
        keys = [r[1] for r in rows if r[1] is not None]
        assert len(keys) == len(set(keys)) == len(self.model.keyed)

    @invariant()
    def a_reversal_nets_to_zero(self) -> None:
        with reading(self.engine) as session:
            pairs = session.execute(
                text(
                    "SELECT o.coins + r.coins, o.earned + r.earned, o.id FROM entry r "
                    "JOIN entry o ON o.village = r.village AND o.seq = r.ref_seq WHERE r.kind = 'reversal'"
                )
            ).all()
        assert all(coins == 0 and earned == 0 for coins, earned, _ in pairs)
        assert sorted(p[2] for p in pairs) == sorted(e for e, w in self.model.entries.items() if w.reversed_by)

    @invariant()
    def the_chains_verify(self) -> None:
        with reading(self.engine) as session:
            report = verify(session)
        assert report.ok, report.problems
        assert report.entries == len(self.model.entries)


LedgerMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_ledger_against_the_model = LedgerMachine.TestCase
