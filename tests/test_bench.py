"""The benchmark's synthetic county keeps the promises its README makes (bench/generate.py)."""

from __future__ import annotations

import csv
import sys
import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from generate import SIZES, _months, generate

from moralbank.domain import clock
from moralbank.domain.chain import CHAIN_FIELDS
from moralbank.domain.clock import today as business_today
from moralbank.domain.identity import id_problem
from tests.clock import freeze_today


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate(SIZES["tiny"], out)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_same_seed_writes_the_same_county(county: Path, tmp_path: Path) -> None:
    generate(SIZES["tiny"], tmp_path)
    last = SIZES["tiny"].months[-1]
    for name in ("villages.csv", "households.csv", "standards.toml", f"decisions/{last}.csv", "decisions-all.csv"):
        assert (tmp_path / name).read_bytes() == (county / name).read_bytes()


def test_households_have_unique_valid_synthetic_ids(county: Path) -> None:
    households = _rows(county / "households.csv")
    assert len(households) == SIZES["tiny"].households
    assert len({h["code"] for h in households}) == len(households)
    assert len({h["id_number"] for h in households}) == len(households)
    assert [h["id_number"] for h in households if id_problem(h["id_number"])] == []


def test_decisions_respect_every_monthly_cap_and_keys_are_unique(county: Path) -> None:
    standards = tomllib.loads((county / "standards.toml").read_text(encoding="utf-8"))["standards"]
    caps = {s["code"]: s["monthly_cap"] for s in standards if "monthly_cap" in s}
    points = {s["code"]: s["points"] for s in standards}
    used: dict[tuple[str, str, str], int] = defaultdict(int)
    keys = set()
    rows = [row for month in SIZES["tiny"].months for row in _rows(county / "decisions" / f"{month}.csv")]
    this_month = business_today().isoformat()[:7]
    for row in rows:
        assert row["event_date"] <= row["booked_on"] and row["booked_on"][:7] < this_month
        keys.add(row["key"])
        if row["standard"] in caps:
            slot = (row["household"], row["standard"], row["event_date"][:7])
            used[slot] += points[row["standard"]] * int(row["qty"])
            assert used[slot] <= caps[row["standard"]]
    assert len(rows) == SIZES["tiny"].decisions == len(keys)
    deductions = sum(points[row["standard"]] < 0 for row in rows) / len(rows)
    assert 0.05 < deductions < 0.11
    # The whole history in one file: the same rows, month after month, with keys of its own.
    whole = _rows(county / "decisions-all.csv")
    assert [{**r, "key": ""} for r in whole] == [{**r, "key": ""} for r in rows]
    assert len({r["key"] for r in whole} | keys) == 2 * len(rows)


def test_the_months_are_those_that_ended_before_today_in_the_business_timezone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2027-01-01 00:30 in Beijing is still 2026-12-31 in UTC: December has not ended in the village
    # only by the host's clock, and it is the last month generated.
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert _months(3) == ("2026-10", "2026-11", "2026-12")
    freeze_today(monkeypatch, date(2026, 3, 1))
    assert _months(24)[0] == "2024-03" and _months(24)[-1] == "2026-02" and len(set(_months(24))) == 24


def test_the_floor_hashes_the_ledgers_fields() -> None:
    from floor import CHAIN_FIELDS as FLOOR_FIELDS

    assert FLOOR_FIELDS == CHAIN_FIELDS
