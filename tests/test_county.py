"""The county page: figures computed once, charts drawn as inline SVG, readable on a phone and printed on A4."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.domain.credit_policy import load_policy
from moralbank.reports.county import county_picture
from moralbank.resources import fixtures_dir
from moralbank.storage.db import reading
from tests.clock import freeze_today
from tests.golden_files import assert_golden, normalised
from tests.printing import has_cjk_font, needs_chromium, print_page, screenshot
from tests.runner import Run, invoke
from tests.town import AS_OF, TODAY, book_publication, build_credit_town


@pytest.fixture
def county(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    return engine


def test_the_picture_counts_a_reversed_award_as_fewer_awards_not_a_deduction(county: Engine, run: Run) -> None:
    policy = load_policy(fixtures_dir() / "credit_policy.toml")
    with reading(county) as session:
        before = county_picture(session, policy, as_of=TODAY)
    book_publication(county, [("DZ01", "ZY01", 2)], "2026-11-20")
    with reading(county) as session:
        added = county_picture(session, policy, as_of=TODAY)
    last = lambda p: (p.months[-1].awarded, p.months[-1].deducted)  # noqa: E731
    assert last(added) == (last(before)[0] + 10, last(before)[1])
    wrong = invoke(run, "statement", "DZ01", "-f", "json").stdout
    entry = max(line["id"] for line in __import__("json").loads(wrong)["lines"])
    invoke(run, "reverse", str(entry), "--reason", "录入错误", "--booked", "2026-11-21")
    with reading(county) as session:
        reversed_ = county_picture(session, policy, as_of=TODAY)
    assert last(reversed_) == last(before)
    assert len(added.months) == 12 and added.months[-1].month == "2026-11"
    assert added.credit.total.rated == 11  # the same figures as credit summary


def test_villages_near_a_threshold_are_named_with_what_they_lack(county: Engine) -> None:
    policy = load_policy(fixtures_dir() / "credit_policy.toml")
    with reading(county) as session:
        picture = county_picture(session, policy, as_of=TODAY, near_percent=100)
    for near in picture.near:
        wanted = next(d for d in policy.designations if d.code == near.designation)
        assert 100 * (near.rated + near.missing) >= wanted.min_rated_percent * near.households
        assert 100 * (near.rated + near.missing - 1) < wanted.min_rated_percent * near.households
        assert near.held != near.designation


@needs_chromium
def test_the_county_page_is_self_contained_and_prints(county: Engine, run: Run, tmp_path: Path) -> None:
    page = tmp_path / "county.html"
    said = invoke(run, "report", "county", "--as-of", AS_OF, "--out", str(page), lang="zh").stdout
    assert said == f"已写入全县概况：{page}\n"
    body = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=|<script|@import|url\(", body)  # nothing fetched: works offline
    assert body.count("<svg") == 4 and 'name="viewport"' in body
    printed = print_page(page)
    assert len(printed.pages) <= 2 and has_cjk_font(printed)
    flat = "".join(printed.text.split())
    for words in ("全县道德积分与文明信用概况", "每月加分与扣分", "各类别积分", "各村文明信用户占比", "各村授信（按信用等级）",
                  "接近称号门槛的村", "东庄村", "西庄村", "97.00万元", "11（78.6%）"):  # fmt: skip
        assert words in flat, words
    screenshot(page, "county.png", width=420, height=900)  # as a phone shows it


def test_golden_county_page(county: Engine, run: Run, tmp_path: Path) -> None:
    page = tmp_path / "county.html"
    invoke(run, "report", "county", "--as-of", AS_OF, "--out", str(page), lang="zh")
    assert_golden("county.html", normalised(page.read_text(encoding="utf-8")))
