"""Credit reads on a SQLite file, read by the driver's own connection, give what a session gives.

``credit rate``, ``credit summary`` and ``credit explain`` read a SQLite path through
``storage/reads.py`` without SQLAlchemy (issue 16, round three); ``--db sqlite:///PATH`` names the
same file through SQLAlchemy, and PostgreSQL always goes that way. Every format, language and
refusal must read byte for byte the same, before and after a household moves, with bank consent
given and withdrawn. The ratings' tight loop is held to the implementation it replaced (kept
here as the reference), and the bank list to the ratings and consents it is made of.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.domain.credit_policy import VETO, CreditPolicy, load_policy
from moralbank.domain.identity import mask_id
from moralbank.reports.credit import (
    Rating,
    bank_rows,
    rated,
    rating_values,
    vetoes,
)
from moralbank.resources import fixtures_dir
from moralbank.services.consent_in_force import BANK, Recipient, consenting
from moralbank.storage.db import driver_blocks, reading
from moralbank.storage.predicates import ANY_MOVE, village_on
from tests.clock import freeze_today
from tests.runner import Run, invoke, run_on
from tests.test_county_reads import ORM, imported_after
from tests.test_terminal_reads import _said as said
from tests.test_terminal_reads import twin
from tests.town import AS_OF, CREDIT_HOUSEHOLDS, TODAY, book_credit, build_credit_town

REPO = Path(__file__).resolve().parent.parent
BANK_NAME = "高密农商银行"
BEFORE_MOVE = "2026-11-10"
READS: list[tuple[str, ...]] = [
    *(("credit", "rate", "--as-of", AS_OF, "-f", fmt) for fmt in ("table", "json", "csv")),
    *(("credit", "rate", "--as-of", AS_OF, "--village", v, "-f", fmt) for v in ("DZ", "XZ") for fmt in ("json", "csv")),
    ("credit", "rate", "--as-of", BEFORE_MOVE, "-f", "csv"),
    ("credit", "rate", "--as-of", BEFORE_MOVE, "--village", "XZ", "-f", "json"),
    *(("credit", "summary", "--as-of", AS_OF, "-f", fmt) for fmt in ("table", "json", "csv")),
    ("credit", "summary", "--as-of", BEFORE_MOVE, "-f", "csv"),
    *(("credit", "explain", code, "--as-of", AS_OF, "-f", fmt) for code in ("DZ03", "DZ07", "XZ01") for fmt in ("table", "json")),
]  # fmt: skip
REFUSALS: list[tuple[str, ...]] = [
    ("credit", "rate", "--as-of", AS_OF, "--village", "NOPE", "-f", "csv"),
    ("credit", "rate", "--as-of", AS_OF, "--village", "NOPE"),
    ("credit", "rate", "--as-of", "2026-13-01"),
    ("credit", "rate", "--as-of", "2026-12-25", "-f", "csv"),
    ("credit", "rate", "--as-of", AS_OF, "-f", "pdf"),
    ("credit", "summary", "--as-of", "2026-12-25"),
    ("credit", "explain", "NOPE01", "--as-of", AS_OF),
]


def _consents(run: Run) -> None:
    """DZ08 (no consent on the register) grants the bank, DZ02 withdraws it."""
    invoke(run, "consent", "grant", "DZ08", "--bank", BANK_NAME, "--ref", "TY-2026-008", "--on", "2026-11-01")
    invoke(run, "consent", "withdraw", "DZ02", "--bank", BANK_NAME, "--on", "2026-11-20", "--reason", "本人撤回")


def _move(run: Run) -> None:
    invoke(run, "household", "move", "DZ03", "--to", "XZ", "--reason", "举家迁居", "--on", "2026-11-20")


def _base_score_after_the_move(run: Run) -> None:
    """XZ opens the year after DZ03 moved in: its base score is booked 1 January, before the move."""
    invoke(run, "village", "set", "XZ", "--base-score", "20")
    invoke(run, "year", "open", "--village", "XZ", "--year", "2026")


def _said(run: Run, args: tuple[str, ...], lang: str) -> tuple[int, str, str]:
    return said(run(*args, lang=lang))


def _compare(fast: Run, general: Run) -> None:
    for args in READS + REFUSALS:
        for lang in ("zh", "en"):
            found, expected = _said(fast, args, lang), _said(general, args, lang)
            assert found == expected, (args, lang)
            assert (found[0] == 0) == (args in READS), (args, lang, found[2])


@contextmanager
def _twin(folder: Path) -> Iterator[Run]:
    """A SQLite file built by the same steps as the test's own database."""
    with twin(folder, lambda _run, engine: build_credit_town(engine)) as path:
        yield run_on(path)


def test_every_credit_read_is_the_same_through_either_driver(
    run: Run, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    with ExitStack() as stack:
        if "://" in db_url:  # PostgreSQL, through a session: the same bytes as a SQLite file's own read
            general, fast = run, stack.enter_context(_twin(tmp_path / "twin"))
            steps = (general, fast)
        else:
            general, fast = run_on(f"sqlite:///{db_url}"), run
            steps = (fast,)
        _compare(fast, general)
        for each in steps:
            _consents(each)
            _move(each)
        _compare(fast, general)


# --- the ratings' loop against the one it replaced ----------------------------------------------


# The rating query as it was before round four (one pass grouping every entry up to the date),
# kept as the reference the per-household probes are held to.
_POINTS = """
SELECT household,
       SUM(CASE WHEN booked_on >= :lo THEN earned ELSE 0 END) AS points,
       SUM(CASE WHEN booked_on >= :lo AND earned <> 0 THEN 1 ELSE 0 END) AS counted,
       MIN(booked_on) AS first_booked
FROM entry WHERE {where} booked_on <= :hi
GROUP BY household
"""
_HOUSEHOLDS = """
SELECT h.code, {place}, h.head_name, {id_number}, p.points, p.counted, h.registered_on, p.first_booked
FROM household_current h LEFT JOIN ({points}) p ON p.household = h.code
{where}
ORDER BY h.code
"""


def _reference_ratings(
    session: Any, policy: CreditPolicy, as_of: date, village: str | None = None, with_id: bool = False
) -> Iterator[tuple[Rating, int, str]]:
    """Every household's rating as ``reports.credit._facts`` made it before (a Rating and ``policy.assess`` each)."""
    lo, hi = policy.window(as_of)
    params: dict[str, Any] = {"lo": lo.isoformat(), "hi": hi.isoformat()}
    outer, place = "", "h.village"
    if session.execute(text(ANY_MOVE)).first() is not None:
        place, params["as_of"] = village_on("h.code", ":as_of", "h.village"), as_of.isoformat()
    if village is not None:
        outer, params["v"] = f"WHERE {place} = :v", village
    query = _HOUSEHOLDS.format(
        id_number="h.id_number" if with_id else "''", points=_POINTS.format(where=""), where=outer, place=place
    )
    stopped = vetoes(session, policy, as_of)
    until = policy.valid_until(as_of).isoformat()
    for block in driver_blocks(session, query, params):
        for code, lived, head, id_number, points, counted, registered, first in block:
            since = min(registered, first) if first else registered
            veto = stopped.get(code)
            enough = policy.long_enough(date.fromisoformat(since), as_of)
            outcome = policy.assess(points=int(points or 0), registered=enough, vetoed=veto is not None)
            rating = Rating(
                code, lived, head, int(points or 0), outcome.tier, outcome.credit_line, outcome.reason,
                veto.id if veto else None, veto.standard if veto else None, since, until if outcome.tier else None,
            )  # fmt: skip
            yield rating, int(counted or 0), id_number


def _policy() -> CreditPolicy:
    return load_policy(fixtures_dir() / "credit_policy.toml")


def _held_to_reference(engine: Engine) -> None:
    policy = _policy()
    for day in (date.fromisoformat(AS_OF), date.fromisoformat(BEFORE_MOVE), date(2025, 3, 1)):
        with reading(engine) as session:
            for village in (None, "DZ", "XZ"):
                reference = [
                    r
                    for r, counted, _ in _reference_ratings(session, policy, day, village)
                    if counted or r.reason == VETO
                ]
                assert list(rated(session, policy, as_of=day, village=village)) == reference, (day, village)
                values = list(rating_values(session, policy, as_of=day, village=village))
                assert values == [astuple(r) for r in reference]
            allowed = consenting(session, Recipient(BANK, BANK_NAME), day)
            for full_id in (False, True):
                listed = [
                    (r.household, r.village, r.head_name, number if full_id else mask_id(number), r.tier, r.credit_line)
                    for r, _, number in _reference_ratings(session, policy, day, with_id=True)
                    if r.tier is not None and r.household in allowed
                ]
                rows = bank_rows(session, policy, as_of=day, full_id=full_id, bank=BANK_NAME)
                got = [(b.household, b.village, b.head_name, b.id_number, b.tier, b.credit_line) for b in rows]
                assert got == listed, (day, full_id)


def test_ratings_and_bank_rows_are_what_the_replaced_loop_gave(
    run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    _held_to_reference(engine)
    _consents(run)
    _move(run)
    _held_to_reference(engine)
    _base_score_after_the_move(run)
    _held_to_reference(engine)
    # Rated in the village it lived in before the move, the household counts every point it has
    # earned, its new village's base score too, exactly as the county's rating counts them.
    policy, day = _policy(), date.fromisoformat(BEFORE_MOVE)
    with reading(engine) as session:
        county = {r.household: r for r in rated(session, policy, as_of=day)}
        village = {r.household: r for r in rated(session, policy, as_of=day, village="DZ")}
    assert village["DZ03"] == county["DZ03"] and village["DZ03"].village == "DZ"


def _generated_decisions(seed: int) -> list[tuple[str, str, int, str]]:
    """Decisions for random households, standards and days (the vetoed gambling among them), in day order."""
    rng = random.Random(seed)
    codes = [code for code, *_ in CREDIT_HOUSEHOLDS]
    days = [date(2024, 1, 1).toordinal() + rng.randrange(1063) for _ in range(60)]  # 2024-01-01 .. 2026-11-28
    standards = ["ZY01", "ZY01", "ZY02", "HJ04", "ZF03"]
    picked = [(rng.choice(codes), rng.choice(standards), rng.randint(1, 9), day) for day in days]
    return [(h, s, q, date.fromordinal(d).isoformat()) for h, s, q, d in sorted(picked, key=lambda x: x[3])]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_generated_county_is_rated_alike_by_either_driver_and_the_replaced_loop(
    run: Run, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    book_credit(engine, _generated_decisions(seed))
    _held_to_reference(engine)
    if "://" not in db_url:  # the file's own connection against a session on the same file
        general = run_on(f"sqlite:///{db_url}")
        for args in READS:
            for lang in ("zh", "en"):
                assert _said(run, args, lang) == _said(general, args, lang), (args, lang)


def test_the_credit_reads_import_neither_sqlalchemy_nor_pydantic(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "://" in db_url:
        pytest.skip("PostgreSQL is read through SQLAlchemy")
    build_credit_town(engine)
    reads = [f"credit rate --as-of {AS_OF} -f {fmt}" for fmt in ("csv", "json", "table")]
    reads += [f"credit summary --as-of {AS_OF} -f {fmt}" for fmt in ("csv", "json", "table")]
    reads += [f"credit explain DZ07 --as-of {AS_OF}", f"credit rate --as-of {AS_OF} --village DZ -f csv"]
    assert imported_after(db_url, reads, ORM) == []
    csv_reads = [r for r in reads if r.endswith("csv")]
    assert imported_after(db_url, csv_reads, ("rich.console", "rich.table", "rich.text")) == []


def test_a_household_booked_before_its_registration_is_known_from_its_first_booking(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only an old file (or a register date corrected by hand) holds such a household: the
    # commands refuse a booking before the registration. Its rating counts from the booking.
    if "://" in db_url:
        pytest.skip("the register date is rewritten in the SQLite file itself")
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    engine.dispose()
    with sqlite3.connect(db_url) as connection:
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')
        (first,) = connection.execute("SELECT MIN(booked_on) FROM entry WHERE household = 'DZ01'").fetchone()
        (other,) = connection.execute("SELECT registered_on FROM household WHERE code = 'DZ07'").fetchone()
        connection.execute("UPDATE household SET registered_on = '2026-11-01' WHERE code = 'DZ01'")
    policy = _policy()
    with reading(engine) as session:
        ratings = {r.household: r for r in rated(session, policy, as_of=date.fromisoformat(AS_OF))}
        reference = {r.household: r for r, _, _ in _reference_ratings(session, policy, date.fromisoformat(AS_OF))}
    assert first < "2026-11-01" and ratings["DZ01"].since == first == reference["DZ01"].since
    assert ratings["DZ07"].since == reference["DZ07"].since == other  # registered before its first booking
