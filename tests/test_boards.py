"""Monthly boards: exact rankings, ties, masking, top N, black lists, county view, formats, printing."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from moralbank.domain.boards import (
    BlackRow,
    Board,
    Standing,
    board_from_snapshot,
    canonical_text,
    competition_ranks,
    ranked,
    snapshot,
    top,
)
from moralbank.domain.chain import GENESIS, Checkpoint
from moralbank.domain.clock import local_time
from moralbank.render.boards import board_csv, board_html, board_markdown, checkpoint_json
from moralbank.reports.boards import county_board, published_board, village_board
from moralbank.storage.db import open_engine, reading
from tests.clock import freeze_today
from tests.conftest import BACKENDS, fresh_database
from tests.golden_files import assert_golden, normalised
from tests.printing import has_cjk_font, needs_chromium, print_page, screenshot
from tests.runner import Run, call_cli, invoke, run_on
from tests.town import OCTOBER, PUBLICATION_HOUSEHOLDS, TODAY, book_publication, build_publication_town


@pytest.fixture
def town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The synthetic town with October 2026 booked on the 25th; the CLI's today is fixed."""
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    return engine


def rows_of(board: Any) -> list[tuple[int, str, str, int]]:
    return [(r.rank, r.household, r.name, r.points) for r in board.rows]


# --- exact boards -----------------------------------------------------------------------------


def test_village_board_ranks_ties_and_masks(town: Engine) -> None:
    with reading(town) as session:
        board = village_board(session, village="DZ", month="2026-10")
    # DZ02 and DZ03 tie at 10 and share rank 2 in code order; the next rank is 4. DZ02 and DZ05
    # did not consent to be named. DZ04 (5 - 10) and DZ06 (-5) lost points: not on the red list.
    assert rows_of(board) == [
        (1, "DZ01", "刘志涛", 12),
        (2, "DZ02", "王**", 10),
        (2, "DZ03", "张学勇", 10),
        (4, "DZ05", "徐**", 3),
    ]
    assert board.title == "东庄村"
    assert board.black_list is not None
    assert [(b.household, b.points, b.count, b.items) for b in board.black_list] == [
        ("DZ04", -10, 1, ("打架斗殴",)),
        ("DZ06", -5, 1, ("焚烧秸秆、垃圾",)),
    ]


def test_black_list_only_where_the_village_enables_it(town: Engine) -> None:
    with reading(town) as session:
        assert village_board(session, village="XZ", month="2026-10").black_list is None
        county = county_board(session, month="2026-10")
    assert county.black_list is not None
    assert {b.village for b in county.black_list} == {"DZ"}


def test_county_board_ranks_every_village_together(town: Engine) -> None:
    with reading(town) as session:
        board = county_board(session, month="2026-10")
    assert [(r.rank, r.household, r.village, r.points) for r in board.rows] == [
        (1, "XZ02", "XZ", 15),
        (2, "DZ01", "DZ", 12),
        (2, "XZ01", "XZ", 12),
        (4, "DZ02", "DZ", 10),
        (4, "DZ03", "DZ", 10),
        (6, "DZ05", "DZ", 3),
        (7, "XZ03", "XZ", 1),
    ]
    assert isinstance(board.checkpoint, list)
    assert [c.village for c in board.checkpoint] == ["DZ", "XZ"]


def test_top_keeps_everyone_tied_at_the_cut(town: Engine) -> None:
    with reading(town) as session:
        board = village_board(session, village="DZ", month="2026-10")
    assert [r.household for r in top(board, 2).rows] == ["DZ01", "DZ02", "DZ03"]
    assert [r.household for r in top(board, 1).rows] == ["DZ01"]
    assert top(board, 4).rows == board.rows


def test_points_count_in_the_month_they_are_booked(town: Engine) -> None:
    # A reversal booked in November takes the points away from November, not October.
    book_publication(town, [("DZ05", "ZY01", 1)], "2026-11-02")
    with reading(town) as session:
        assert rows_of(village_board(session, village="DZ", month="2026-11")) == [(1, "DZ05", "徐**", 5)]
        assert rows_of(village_board(session, village="DZ", month="2026-10"))[3] == (4, "DZ05", "徐**", 3)
        assert village_board(session, village="DZ", month="2026-09").rows == []


def _two_item_board() -> Board:
    black = [BlackRow("DZ04", "王**", "DZ", -15, 2, ("打架斗殴", "乱倒垃圾"))]
    return Board("DZ", "东庄村", "2026-10", Checkpoint("DZ", 0, GENESIS), [], black)


def test_black_list_items_stay_a_list_until_a_renderer_joins_them() -> None:
    board = _two_item_board()
    assert json.loads(canonical_text(snapshot(board)))["black_list"][0]["items"] == ["打架斗殴", "乱倒垃圾"]
    assert board_from_snapshot(json.loads(canonical_text(snapshot(board)))) == board
    assert "| 打架斗殴、乱倒垃圾 |" in board_markdown(board, "zh")
    assert "| 打架斗殴, 乱倒垃圾 |" in board_markdown(board, "en")
    assert '<td class="text">打架斗殴, 乱倒垃圾</td>' in board_html(board, "en")
    assert board_csv(board).splitlines()[1].endswith(",-15,2,打架斗殴、乱倒垃圾")
    assert board_csv(board, "en").splitlines()[1].endswith(',-15,2,"打架斗殴, 乱倒垃圾"')


def test_a_board_published_with_joined_items_reads_back_as_published() -> None:
    stored = json.loads(canonical_text(snapshot(_two_item_board())))
    stored["black_list"][0]["items"] = "打架斗殴、乱倒垃圾"  # how boards stored them before items were a list
    black = board_from_snapshot(stored).black_list
    assert black is not None and black[0].items == ("打架斗殴、乱倒垃圾",)
    assert "| 打架斗殴、乱倒垃圾 |" in board_markdown(board_from_snapshot(stored), "en")


def test_board_show_cli_refuses_bad_input(run: Any, town: Engine) -> None:
    bad_month = run("board", "show", "--village", "DZ", "--month", "2026-13")
    assert bad_month.exit_code == 1 and "--month" in bad_month.output and "2026-13" in bad_month.output
    neither = run("board", "show", "--month", "2026-10")
    assert neither.exit_code == 1 and "--county" in neither.output
    both = run("board", "show", "--village", "DZ", "--county", "--month", "2026-10")
    assert both.exit_code == 1
    unknown = run("board", "show", "--village", "NOPE", "--month", "2026-10")
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    zero = run("board", "show", "--village", "DZ", "--month", "2026-10", "--top", "0")
    assert zero.exit_code == 1 and "--top" in zero.output
    fmt = run("board", "show", "--village", "DZ", "--month", "2026-10", "--format", "xml")
    assert fmt.exit_code == 1 and "html" in fmt.output
    assert "Traceback" not in "".join(r.output for r in (bad_month, neither, both, unknown, zero, fmt))


def test_board_json_has_the_documented_fields(run: Any, town: Engine) -> None:
    data = json.loads(invoke(run, "board", "show", "--village", "DZ", "--month", "2026-10", "-f", "json").stdout)
    assert data["village"] == "DZ" and data["month"] == "2026-10"
    assert set(data["checkpoint"]) == {"village", "seq", "hash"}
    assert data["checkpoint"]["seq"] == 9  # DZ's nine October entries
    assert data["rows"][1] == {"rank": 2, "household": "DZ02", "name": "王**", "village": "DZ", "points": 10}
    county = json.loads(invoke(run, "board", "show", "--county", "--month", "2026-10", "-f", "json").stdout)
    assert county["village"] is None and len(county["checkpoint"]) == 2


# --- golden files -----------------------------------------------------------------------------

GOLDEN_CASES = [
    ("board_dz.txt", ("board", "get", "1")),
    ("board_dz.json", ("board", "get", "1", "--format", "json")),
    ("board_dz.csv", ("board", "get", "1", "--format", "csv")),
    ("board_dz.md", ("board", "get", "1", "--format", "md")),
    ("board_dz.html", ("board", "get", "1", "--format", "html")),
    ("board_dz_en.md", ("board", "get", "1", "--format", "md", "--top", "2")),
    ("board_county.txt", ("board", "show", "--county", "--month", "2026-10")),
    ("board_county.json", ("board", "show", "--county", "--month", "2026-10", "--format", "json")),
    ("board_county.csv", ("board", "show", "--county", "--month", "2026-10", "--format", "csv")),
    ("board_county.md", ("board", "show", "--county", "--month", "2026-10", "--format", "md")),
    ("board_county.html", ("board", "show", "--county", "--month", "2026-10", "--format", "html")),
]


@pytest.fixture
def published(run: Any, town: Engine) -> Any:
    """The town with DZ's October board published as board #1."""
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10")
    return run


@pytest.fixture(scope="module", params=BACKENDS)
def published_once(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """``published``, built once per backend: the golden files only read it (saves 20 town builds)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("boards")) as url:
        with pytest.MonkeyPatch.context() as patch:
            freeze_today(patch, TODAY)
            engine = open_engine(url)
            build_publication_town(engine)
            book_publication(engine, OCTOBER, "2026-10-25")
            engine.dispose()
            invoke(run_on(url), "board", "publish", "--village", "DZ", "--month", "2026-10")
        yield run_on(url)


@pytest.mark.parametrize(("name", "args"), GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_golden(published_once: Run, monkeypatch: pytest.MonkeyPatch, name: str, args: tuple[str, ...]) -> None:
    freeze_today(monkeypatch, TODAY)
    lang = "en" if name.endswith(("_en.md", ".txt")) else "zh"
    # Printed formats follow --lang; with none given they are Chinese, whatever the locale.
    assert_golden(name, normalised(invoke(published_once, *args, lang=lang).stdout))


def test_printed_board_defaults_to_chinese(published: Any, db_url: str) -> None:
    # No --lang and an English locale: tables speak English, the printed board stays Chinese.
    env = {"MORALBANK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}
    printed = call_cli("--db", db_url, "board", "get", "1", "--format", "md", env=env)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("# 东庄村2026年10月道德积分榜")
    table = call_cli("--db", db_url, "board", "get", "1", env=env)
    assert "Red list" in table.stdout
    asked = call_cli("--db", db_url, "--lang", "en", "board", "get", "1", "-f", "md", env=env)
    assert asked.stdout.startswith("# 东庄村 moral points board, 10/2026")


# --- the printed page in a real browser -------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(*args: str) -> None:
    base = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    subprocess.run([*base, *args], check=True, capture_output=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_html_board_prints_on_a4_in_a_real_browser(published: Any, tmp_path: Path) -> None:
    page = tmp_path / "board.html"
    invoke(published, "board", "get", "1", "--format", "html", "--out", str(page), lang="zh")
    png, pdf = tmp_path / "board.png", tmp_path / "board.pdf"
    _chromium("--window-size=794,1123", f"--screenshot={png}", page.as_uri())
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed; .ci/run installs it"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           1" in info and "(A4)" in info
    printed = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(printed.split())
    for expected in ("东庄村2026年10月道德积分榜", "红榜", "黑榜", "刘志涛", "王**", "打架斗殴", "检查点", "核验方法"):
        assert expected in flat, expected
    board = json.loads(invoke(published, "board", "get", "1", "--format", "json").stdout)
    assert board["checkpoint"]["hash"] in flat  # the checkpoint is printed whole


@needs_chromium
def test_the_board_for_the_wall_names_the_committee_the_date_and_a_short_code(published: Any, tmp_path: Path) -> None:
    invoke(published, "village", "set", "DZ", "--committee", "东庄村村民委员会")
    page = tmp_path / "board.html"
    invoke(published, "board", "get", "1", "--format", "html", "--out", str(page), lang="zh")
    printed = print_page(page)
    assert len(printed.pages) == 1 and has_cjk_font(printed)
    flat = "".join(printed.text.split())
    board = json.loads(invoke(published, "board", "get", "1", "--format", "json").stdout)
    day = date.fromisoformat(local_time(board["published"]["published_at"], "Asia/Shanghai")[:10])
    assert f"公布日期：{day.year}年{day.month}月{day.day}日" in flat
    assert "东庄村村民委员会（盖章）" in flat and "负责人（签字）" in flat
    assert f"核对码：{board['checkpoint']['hash'][:12]}" in flat
    assert page.read_text(encoding="utf-8").count("<svg") == 1  # the QR code of the checkpoint
    screenshot(page, "board.png")


def test_the_qr_code_holds_the_checkpoint_that_verify_reads(published: Any, town: Engine, tmp_path: Path) -> None:
    with reading(town) as session:
        payload = checkpoint_json(published_board(session, 1))
    saved = tmp_path / "scanned.json"
    saved.write_text(payload, encoding="utf-8")
    assert json.loads(payload)[0]["village"] == "DZ"
    said = invoke(published, "verify", "--checkpoint", str(saved)).stdout
    assert said.startswith("Ledger intact:")


# --- rank properties --------------------------------------------------------------------------

points_lists = st.lists(st.integers(min_value=-50, max_value=200), max_size=60)


@given(points_lists)
def test_competition_ranks_properties(points: list[int]) -> None:
    ordered = sorted(points, reverse=True)
    ranks = competition_ranks(ordered)
    assert len(ranks) == len(ordered)  # complete: everyone has a rank
    if ranks:
        assert ranks[0] == 1  # 1-based
    for i in range(1, len(ranks)):
        assert ranks[i] >= ranks[i - 1]  # non-decreasing
        if ordered[i] == ordered[i - 1]:
            assert ranks[i] == ranks[i - 1]  # ties share a rank
        else:
            assert ranks[i] == i + 1  # the next rank skips past everyone tied before it


@given(st.dictionaries(st.from_regex(r"[A-Z]{2}\d{3}", fullmatch=True), st.integers(-20, 60), max_size=40))
def test_ranked_orders_by_points_then_code(points: dict[str, int]) -> None:
    rows = ranked(Standing(code, code, code[:2], p) for code, p in points.items())
    assert sorted(r.household for r in rows) == sorted(points)
    assert [(-r.points, r.household) for r in rows] == sorted((-p, code) for code, p in points.items())
    for row in rows:  # a rank is one more than the number of households with more points
        assert row.rank == 1 + sum(1 for p in points.values() if p > row.points)


_months = (f"{2001 + n // 12}-{n % 12 + 1:02d}" for n in itertools.count())
decision_lists = st.lists(
    st.tuples(
        st.sampled_from([code for code, *_ in PUBLICATION_HOUSEHOLDS]),
        st.sampled_from(["ZY01", "ZY02", "LL03", "HJ04"]),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def bare_town(engine: Engine) -> Iterator[Engine]:
    build_publication_town(engine, black_list_in=("DZ", "XZ"))
    yield engine


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decisions=decision_lists)
def test_county_and_village_boards_agree(bare_town: Engine, decisions: list[tuple[str, str, int]]) -> None:
    month = next(_months)  # each example books into a month of its own in the shared database
    book_publication(bare_town, decisions, f"{month}-15")
    with reading(bare_town) as session:
        county = county_board(session, month=month)
        villages = {v: village_board(session, village=v, month=month) for v in ("DZ", "XZ")}
    for code, board in villages.items():
        mine = [r for r in county.rows if r.village == code]
        assert [(r.household, r.name, r.points) for r in mine] == [(r.household, r.name, r.points) for r in board.rows]
        assert [r.rank for r in board.rows] == competition_ranks([r.points for r in board.rows])
        assert [b for b in county.black_list or [] if b.village == code] == board.black_list
    assert len(county.rows) == sum(len(b.rows) for b in villages.values())
    expected: dict[str, int] = {}
    for household, standard, qty in decisions:
        expected[household] = (
            expected.get(household, 0) + {"ZY01": 5, "ZY02": 1, "LL03": -10, "HJ04": -5}[standard] * qty
        )
    assert {r.household: r.points for r in county.rows} == {h: p for h, p in expected.items() if p > 0}


# --- trend ------------------------------------------------------------------------------------


def test_trend_per_village_household_and_all(run: Any, town: Engine) -> None:
    book_publication(town, [("DZ01", "ZY01", 1), ("DZ06", "HJ04", 2)], "2026-11-10")
    one = json.loads(invoke(run, "report", "trend", "--village", "DZ", "--months", "3", "-f", "json").stdout)
    # October: 12 + 10 + 10 + (5 - 10) + 3 - 5 = 25; November: 5 - 10 = -5.
    assert one == [
        {
            "village": "DZ",
            "household": None,
            "months": [
                {"month": "2026-09", "points": 0},
                {"month": "2026-10", "points": 25},
                {"month": "2026-11", "points": -5},
            ],
            "name": "东庄村",
        }
    ]
    mine = json.loads(invoke(run, "report", "trend", "--household", "DZ01", "--months", "2", "-f", "json").stdout)
    assert [(m["month"], m["points"]) for m in mine[0]["months"]] == [("2026-10", 12), ("2026-11", 5)]
    every = json.loads(invoke(run, "report", "trend", "--months", "1", "--until", "2026-10", "-f", "json").stdout)
    assert [(s["village"], s["months"][0]["points"]) for s in every] == [("DZ", 25), ("XZ", 28)]


def test_trend_draws_bars_and_refuses_bad_input(run: Any, town: Engine) -> None:
    table = invoke(run, "report", "trend", "--village", "DZ", "--months", "2", "--until", "2026-10").stdout
    lines = {line.split("│")[1].strip(): line for line in table.splitlines() if line.startswith("│")}
    assert lines["2026-09"].count("█") == 0 and lines["2026-10"].count("█") == 20  # the largest month fills its half
    assert "Monthly points of 东庄村 (DZ)" in table
    book_publication(town, [("DZ06", "HJ04", 2)], "2026-11-10")  # November: -10, against October's 25
    signed = invoke(run, "report", "trend", "--village", "DZ", "--months", "2", lang="zh").stdout
    rows = {line.split("│")[1].strip(): line.split("│")[3] for line in signed.splitlines() if line.startswith("│")}
    assert (
        rows["2026-10"].strip() == "┆" + "█" * 20 and rows["2026-11"].strip() == "█" * 8 + "┆"
    )  # a loss left of the axis
    assert "东庄村（DZ）每月积分" in signed
    assert run("report", "trend", "--months", "0").exit_code == 1
    bad = run("report", "trend", "--until", "2026-13")
    assert bad.exit_code == 1 and "--until" in bad.output
    missing = run("report", "trend", "--household", "NOPE")
    assert missing.exit_code == 1 and "no household NOPE" in missing.output
