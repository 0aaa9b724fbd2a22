"""County-wide reads (issue 16): the fast paths give the bytes the cell-by-cell renderers give.

The county board's CSV, the streamed credit-rating CSV, the one-check-per-row CSV writer and
the journal that SQLite prints are each compared with the implementation they replaced, kept
here as the reference, on rows built to reach every branch (formula starts, control
characters, ISO-date-like names, separators in text, negative numbers, empty cells), and on a
town in the database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from moralbank.domain.boards import BlackRow, Board, BoardRow, RedColumns, competition_ranks, ranked_columns
from moralbank.domain.chain import GENESIS, Checkpoint
from moralbank.domain.credit_policy import load_policy
from moralbank.domain.dates import month_bounds
from moralbank.domain.identity import mask_name
from moralbank.domain.limits import inert
from moralbank.messages import text as catalogue
from moralbank.render.boards import board_csv, board_title, red_csv
from moralbank.render.credit import _RATING_CSV, ratings_sheet, reason_text, write_ratings_csv
from moralbank.render.formats import CsvWriter, inert_cell
from moralbank.render.journal import journal_lines
from moralbank.render.spreadsheet import SheetTable, csv_text, worded
from moralbank.reports.boards import county_board
from moralbank.reports.credit import Rating, Ratings, rate, rated, rating_head
from moralbank.reports.journal import clean_text, goods_moves, transfers
from moralbank.resources import fixtures_dir
from moralbank.services import decisions
from moralbank.services import ledger as ledger_service
from moralbank.services.consent_in_force import BOARD_CONSENT_SQL
from moralbank.services.decisions import Decision
from moralbank.storage.db import driver_rows, reading
from moralbank.storage.predicates import village_on
from tests.clock import freeze_today
from tests.golden_files import normalised
from tests.runner import Run, invoke, ok, run_on
from tests.test_migrations import RELEASE_DB
from tests.test_terminal_reads import PRINTED, REPO, _as_is, _said, _scenario, twin
from tests.town import (
    AS_OF,
    OCTOBER,
    OPERATOR,
    TODAY,
    _adopt,
    _record,
    book_publication,
    build_credit_town,
    build_publication_town,
    build_register,
)

# Text a cell may hold: formula starts, control characters, separators, quotes, CJK, a date.
AWKWARD = ["张三", "=SUM(A1)", "+1", "-", "-10", "@x", "a|=b", "a,b", 'say "hi"', "a\nb", "\x1b[31m", "2026-11-01",
           "", " ", "李\u3000四", "\u0085", "é"]  # fmt: skip
cells = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=8), st.integers(-(10**6), 10**6), st.none(), st.booleans())


def _reference_row(values: list[Any]) -> str:
    """The CSV writer as it was: every cell through inert_cell."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([inert_cell(v) for v in values])
    return out.getvalue()


@given(st.lists(cells, max_size=12))
def test_csv_writer_checks_a_row_at_once_as_it_checked_each_cell(values: list[Any]) -> None:
    out = io.StringIO()
    CsvWriter(out).writerow(values)
    assert out.getvalue() == _reference_row(values)


@given(st.lists(st.lists(cells, max_size=6), max_size=8), st.integers(1, 4))
def test_csv_writer_checks_blocks_of_rows_at_once_as_it_checked_each_cell(rows: list[list[Any]], block: int) -> None:
    import moralbank.render.formats as formats

    saved, formats._BLOCK_ROWS = formats._BLOCK_ROWS, block
    try:
        out = io.StringIO()
        CsvWriter(out).writerows(iter(rows))
    finally:
        formats._BLOCK_ROWS = saved
    assert out.getvalue() == "".join(_reference_row(values) for values in rows)


@given(
    st.lists(st.lists(cells, min_size=4, max_size=4), max_size=8),
    st.lists(st.sampled_from(range(4)), min_size=1, max_size=4, unique=True),
    st.integers(1, 4),
)
def test_csv_writer_checking_some_cells_writes_what_each_cell_checked_gives(
    rows: list[list[Any]], text_at: list[int], block: int
) -> None:
    import moralbank.render.formats as formats

    # Cells outside text_at are already inert, as the caller promises (numbers, empty, inert text).
    given_rows = [tuple(v if n in text_at else inert_cell(v) for n, v in enumerate(row)) for row in rows]
    saved, formats._BLOCK_ROWS = formats._BLOCK_ROWS, block
    try:
        out = io.StringIO()
        CsvWriter(out).writerows_checking(given_rows, text_at)
    finally:
        formats._BLOCK_ROWS = saved
    assert out.getvalue() == "".join(_reference_row(list(values)) for values in given_rows)


@given(st.text())
def test_inert_skips_only_text_without_control_characters(value: str) -> None:
    assert inert(value) == re.sub(r"[\x00-\x1f\x7f-\x9f]", "\ufffd", value)


# --- the county board's CSV -------------------------------------------------------------------


def _reference_board_csv(board: Board, lang: str) -> str:
    """board_csv as it was: every cell worded, then csv_text."""
    names = ("rank", "household", "name", "village", "points", "count", "items")
    headings = ("col.rank", "col.household", "col.head_name", "col.village", "col.board_points", "col.count")
    header = [catalogue("col.list", lang), *(catalogue(h, lang) for h in (*headings, "col.items"))]
    rows: list[list[Any]] = []
    for listed, lines in (("board.red_sheet", board.rows), ("board.black_sheet", board.black_list or [])):
        for line in lines:
            rows.append([catalogue(listed, lang), *(worded(n, getattr(line, n, None), lang) for n in names)])
    return csv_text(SheetTable(board_title(board, lang), header, rows))


def _awkward_board() -> Board:
    red = [BoardRow(n + 1, code, name, village, 10 - n) for n, (code, name, village) in enumerate(
        [("H1", "=HYPERLINK(1)", "V1"), ("-H2", "2026-11-01", "V,1"), ("H3", "a\x1bb", "@V"), ("H4", "", "V1")]
    )]  # fmt: skip
    black = [BlackRow("H5", "+x", "V1", -5, 2, ("整洁,卫生", "=A1")), BlackRow("H6", "王五", "V2", -1, 1, ())]
    return Board(None, "某县", "2026-11", [Checkpoint("V1", 0, GENESIS)], red, black)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_board_csv_gives_the_bytes_cell_by_cell_wording_gave(lang: str) -> None:
    board = _awkward_board()
    assert board_csv(board, lang) == _reference_board_csv(board, lang)
    plain = Board("V1", "东庄村", "2026-11", Checkpoint("V1", 0, GENESIS), board.rows[:1], None)
    assert board_csv(plain, lang) == _reference_board_csv(plain, lang)


# Texts CSV writes as they stand (the red list joined by hand); at times one awkward text planted among them.
plain_texts = st.text(alphabet="张李王HV09 -.'*", max_size=4)
red_lines = st.lists(st.tuples(plain_texts, plain_texts, plain_texts, st.integers(-(10**4), 10**4)), max_size=6)


@given(red_lines, st.none() | st.tuples(st.integers(0, 5), st.integers(0, 2), st.sampled_from(AWKWARD)), st.booleans())
def test_the_red_list_joined_by_hand_gives_the_bytes_cell_by_cell_wording_gave(
    lines: list[tuple[str, str, str, int]], planted: tuple[int, int, str] | None, english: bool
) -> None:
    cells = [list(line) for line in sorted(lines, key=lambda line: -line[3])]
    if planted is not None and cells:
        line, at, value = planted
        cells[line % len(cells)][at] = value
    rows = [BoardRow(rank, *line) for rank, line in zip(competition_ranks([c[3] for c in cells]), cells, strict=True)]
    lang = "en" if english else "zh"
    assert red_csv(RedColumns.of(rows), None, lang) == _reference_board_csv(Board(None, "", "2026-11", [], rows), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_board_csv_command_gives_the_reference_bytes(
    run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    freeze_today(monkeypatch, TODAY)
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    with reading(engine) as session:
        board = county_board(session, month="2026-10")
    assert len(board.rows) > 5 and board.black_list
    result = run("board", "show", "--county", "--month", "2026-10", "--format", "csv", lang=lang)
    assert result.exit_code == 0 and result.stdout_bytes == _reference_board_csv(board, lang).encode()


# --- the credit ratings' CSV ------------------------------------------------------------------


def _awkward_ratings() -> Ratings:
    rows = [
        Rating("DZ01", "DZ", "=cmd", 100, "AAA", 100000, None, None, None, "2024-01-01", "2027-11-28"),
        Rating("DZ02", "DZ", "李\x07四", -5, None, 0, "below_minimum", None, None, "2024-01-01", None),
        Rating("DZ03", "D,Z", "2026-01-01", 0, None, 0, "too_new", None, None, "2026-10-01", None),
        Rating("DZ04", "DZ", "王五", 95, None, 0, "veto", 17, "=ZF03", "2024-01-01", None),
        Rating("DZ05", "DZ", "赵六", 95, None, 0, "veto", 18, "ZF03", "2024-01-01", None),
        Rating("DZ06", "DZ", "孙七", 10, None, 0, "too_new", None, None, "2026-10-01", None),
    ]
    return Ratings("2026-11-29", "某县政策", "ab" * 32, "2025-11-30", "2026-11-29", rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_streamed_ratings_csv_gives_the_sheets_bytes(lang: str) -> None:
    report = _awkward_ratings()
    out = io.StringIO()
    write_ratings_csv(out, report, (astuple(r) for r in report.ratings), lang)
    assert out.getvalue() == csv_text(ratings_sheet(report, lang))
    assert reason_text(report.ratings[3], lang) in out.getvalue()  # words, not the code


def test_streamed_ratings_csv_writes_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import moralbank.render.credit as rc

    monkeypatch.setattr(rc, "_BLOCK_ROWS", 2)  # a write after every two rows
    report = _awkward_ratings()
    out = io.StringIO()
    write_ratings_csv(out, report, [astuple(r) for r in report.ratings], "zh")
    assert out.getvalue() == csv_text(ratings_sheet(report, "zh"))
    assert len(_RATING_CSV) == 11


texts = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=6))
ratings = st.builds(
    Rating,
    household=texts,
    village=texts,
    head_name=texts,
    points=st.integers(-500, 500),
    tier=st.sampled_from([None, "AAA", "=A"]),
    credit_line=st.sampled_from([0, 30000]),
    reason=st.sampled_from([None, "below_minimum", "too_new", "veto"]),
    veto_entry=st.sampled_from([None, 17]),
    veto_standard=st.sampled_from([None, "ZF03", "-ZF"]),
    since=st.sampled_from(["2024-01-01", "2026-10-01"]),
    valid_until=st.sampled_from([None, "2027-11-28"]),
)


@given(st.lists(ratings, max_size=9), st.integers(1, 4), st.sampled_from(["zh", "en"]))
def test_streamed_ratings_csv_joined_by_hand_gives_the_sheets_bytes(rows: list[Rating], block: int, lang: str) -> None:
    import moralbank.render.credit as rc

    report = Ratings("2026-11-29", "某县政策", "ab" * 32, "2025-11-30", "2026-11-29", rows)
    saved, rc._BLOCK_ROWS = rc._BLOCK_ROWS, block  # blocks joined by hand beside blocks the writer takes
    try:
        out = io.StringIO()
        write_ratings_csv(out, report, (astuple(r) for r in rows), lang)
    finally:
        rc._BLOCK_ROWS = saved
    assert out.getvalue() == csv_text(ratings_sheet(report, lang))


@pytest.fixture
def credit_town(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    return engine


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_credit_rate_csv_command_is_the_whole_sheet(run: Run, credit_town: Engine, lang: str) -> None:
    policy = load_policy(fixtures_dir() / "credit_policy.toml")
    with reading(credit_town) as session:
        report = rate(session, policy, as_of=date.fromisoformat(AS_OF))
        head = rating_head(session, policy, as_of=date.fromisoformat(AS_OF))
        streamed = list(rated(session, policy, as_of=date.fromisoformat(AS_OF)))
    assert streamed == report.ratings and head.ratings == [] and head.window_from == report.window_from
    result = run("credit", "rate", "--as-of", AS_OF, "--format", "csv", lang=lang)
    assert result.exit_code == 0 and result.stdout_bytes == csv_text(ratings_sheet(report, lang)).encode()
    assert "DZ07" in result.stdout  # the vetoed household is listed


def test_credit_rate_csv_to_a_file(run: Run, credit_town: Engine, tmp_path: Any) -> None:
    out = tmp_path / "ratings.csv"
    ok(run("credit", "rate", "--as-of", AS_OF, "--format", "csv", "--out", str(out)))
    assert out.read_bytes() == run("credit", "rate", "--as-of", AS_OF, "--format", "csv").stdout_bytes


def test_an_unknown_village_is_refused_before_any_csv_is_written(run: Run, credit_town: Engine) -> None:
    result = run("credit", "rate", "--as-of", AS_OF, "--village", "NOPE", "--format", "csv")
    assert result.exit_code == 1 and result.stdout == "" and "NOPE" in result.stderr


# --- standings through the driver ---------------------------------------------------------------


def test_driver_rows_are_the_rows_sqlalchemy_gives(credit_town: Engine) -> None:
    sql = "SELECT household, SUM(earned), MIN(booked_on) FROM entry WHERE booked_on <= :hi GROUP BY household"
    with reading(credit_town) as session:
        mine = driver_rows(session, sql + " ORDER BY household", {"hi": AS_OF})
        theirs = [tuple(r) for r in session.execute(text(sql + " ORDER BY household"), {"hi": AS_OF})]
    assert mine == theirs and len(mine) > 5


# --- the journal SQLite prints --------------------------------------------------------------------


# A note or title that cleaning changes (";", doubled, leading or trailing spaces, other spaces)
# and some it leaves alone; the newline is a legacy note, refused when typed today.
NOTES = ["", "村委会评议", "a;b", "两个  空格", " 前空格", "后空格 ", "全角\u3000空格", "一 个", "分\u2028行", "；全角"]
UNTIDY_TITLE = """
[resolution]
date = "2026-01-10"
body = "村民代表会议"
members = 30
present = 25
in_favour = 20
against = 3
abstain = 2

[[standards]]
code = "QT01"
title = "门前;  整洁 "
category = "其他"
points = 2
"""


@pytest.fixture
def noted(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The core town with notes and a title that need cleaning, and some that do not, and goods."""
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    _adopt(engine, (UNTIDY_TITLE,), source="test", operator=OPERATOR)
    decisions = [Decision("NL001", "ZY01", 1, "2026-10-05", "2026-10-25", note) for note in NOTES]
    decisions += [Decision("NL002", "QT01", 1, "2026-10-05", "2026-10-26", "门前")]
    _record(engine, decisions, operator=OPERATOR)
    with monkeypatch.context() as legacy:
        legacy.setattr(ledger_service, "check_text", lambda field, value: None)
        ok(run("reverse", "2", "--reason", "查无此事; 撤销\n第二行", "--booked", "2026-11-02"))
    ok(run("redeem", "NL001", "1", "--item", "食用油  一桶", "--booked", "2026-11-03"))
    with reading(engine) as session:
        stored = [t.note for t in transfers(session)]
    assert sum(clean_text(n) != n for n in stored) >= 5 and sum(clean_text(n) == n for n in stored) >= 4
    return engine


def _reference_journal(engine: Engine) -> str:
    with reading(engine) as session:
        return "".join(journal_lines(transfers(session), goods_moves(session)))


def test_journal_command_writes_what_the_python_renderer_writes(run: Run, noted: Engine, tmp_path: Any) -> None:
    out = tmp_path / "journal.txt"
    said = ok(run("export", "journal", "--out", str(out)))
    expected = _reference_journal(noted)
    assert out.read_bytes() == expected.encode()
    assert ok(run("export", "journal")) == expected
    count = sum(1 for line in expected.splitlines() if line[:1] in ("1", "2"))
    assert f"{count} " in said


@pytest.mark.parametrize("block", [1, 2, 3, 5000])
def test_journal_blocks_of_any_size_mix_printed_and_cleaned_entries(
    noted: Engine, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    from moralbank.render.journal import journal_block
    from moralbank.reports import journal

    if noted.dialect.name != "sqlite":
        with reading(noted) as session:
            assert journal.transfer_texts(session) is None  # PostgreSQL keeps the Python path
        return
    monkeypatch.setattr(journal, "_BLOCK", block)
    with reading(noted) as session:
        texts = journal.transfer_texts(session)
        assert texts is not None
        titles: dict[tuple[str, str], str] = {}
        body = b"".join(journal_block(b, titles) for b in texts).decode()
        expected = "".join(journal_lines(transfers(session)))
    assert expected.endswith(body) and expected.index(body) > 0  # the header comes before the transfers


def test_journal_bytes_go_under_a_stream_only_where_they_read_as_its_text() -> None:
    from moralbank.cli.admin import _utf8_bytes

    utf8, gbk = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="gb18030")
    assert _utf8_bytes(utf8, True) is utf8.buffer and _utf8_bytes(gbk, True) is None
    assert _utf8_bytes(io.StringIO(), True) is None  # no byte stream under it


def test_journal_as_text_where_bytes_would_not_do(run: Run, noted: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import moralbank.cli.admin as admin

    monkeypatch.setattr(admin, "_utf8_bytes", lambda stream, to_file: None)
    assert ok(run("export", "journal")) == _reference_journal(noted)


def test_bank_rows_values_are_astuples() -> None:
    from dataclasses import astuple, fields

    from moralbank.render.bank_export import _values
    from moralbank.reports.credit import BANK_COLUMNS, BankRow

    row = BankRow("DZ01", "DZ", "东庄村", "=刘\x07志涛", "3707**********1234", "AAA", 100000, AS_OF, "2027-11-28", "ab")
    assert [f.name for f in fields(BankRow)] == list(BANK_COLUMNS) and _values(row) == astuple(row)


# --- round three: the county board and the journal through the stdlib's sqlite3 ------------------


COUNTY_READS: list[tuple[str, ...]] = [
    *(("board", "show", "--county", "--month", m, "-f", fmt) for m in ("2026-10", "2026-11") for fmt in PRINTED),
    ("board", "show", "--county", "--month", "2026-11", "--top", "2", "-f", "csv"),
    ("board", "show", "--county", "--month", "2026-11", "--top", "1"),
    ("board", "show", "--county", "--month", "2026-09", "-f", "csv"),  # no entries
    ("export", "journal"),
]
COUNTY_REFUSALS: list[tuple[str, ...]] = [
    ("board", "show", "--county", "--month", "2026-13"),
    ("board", "show", "--county", "--month", "2026-11", "--top", "0", "-f", "csv"),
    ("board", "show", "--county", "--month", "2026-11", "-f", "pdf"),
]


def _county_scenario(run: Run, engine: Engine) -> None:
    """The terminal reads' town, then a move within November, a withdrawn board consent and notes to clean."""
    _scenario(run, engine)
    for household in ("XZ03", "DZ03"):
        invoke(run, "award", household, "ZY01", "--on", "2026-11-26", "--booked", "2026-11-26")
    invoke(run, "household", "move", "XZ03", "--to", "DZ", "--reason", "迁居", "--on", "2026-11-29")
    invoke(run, "consent", "withdraw", "DZ03", "--board", "--on", "2026-11-29", "--reason", "本人撤回")
    invoke(run, "consent", "grant", "DZ05", "--board", "--ref", "F-05", "--on", "2026-11-29")
    for n, note in enumerate(["两个  空格", "a;b", "全角\u3000空格", "村委会评议", " 前空格"]):
        invoke(run, "award", "XZ04", "ZY01", "--on", "2026-11-25", "--booked", "2026-11-25", "--note", note,
               "--key", f"note-{n}")  # fmt: skip


def test_the_county_board_and_the_journal_are_the_same_through_either_driver(
    run: Run, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    _county_scenario(run, engine)
    with ExitStack() as stack:
        if "://" in db_url:  # PostgreSQL, through a session: the same words as a SQLite file's own read
            general, fast, same = (
                run,
                run_on(stack.enter_context(twin(tmp_path / "twin", _county_scenario))),
                normalised,
            )
        else:
            general, fast, same = run_on(f"sqlite:///{db_url}"), run, _as_is
        for args in COUNTY_READS + COUNTY_REFUSALS:
            for lang in ("zh", "en"):
                code, out, err = _said(fast(*args, lang=lang))
                expected = _said(general(*args, lang=lang))
                assert (code, same(out), same(err)) == (expected[0], same(expected[1]), same(expected[2])), (args, lang)
                assert (code == 0) == (args in COUNTY_READS), (args, lang, err)
        board = json.loads(ok(fast("board", "show", "--county", "--month", "2026-11", "-f", "json")))
        shown = {row["household"]: (row["name"], row["village"]) for row in board["rows"]}
        assert shown["XZ03"][1] == "DZ" and shown["DZ03"][0] == "张**"  # moved; consent withdrawn


def test_the_county_board_csv_is_the_rows_board_csv_writes(
    run: Run, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    _county_scenario(run, engine)
    for lang in ("zh", "en"):
        with reading(engine) as session:
            board = county_board(session, month="2026-11")
        assert len(board.rows) > 4
        result = run("board", "show", "--county", "--month", "2026-11", "--format", "csv", lang=lang)
        assert result.exit_code == 0 and result.stdout_bytes == _reference_board_csv(board, lang).encode()


# The county board's red list as it was read before it was ranked by columns: the view
# household_current, the base-score test in every month, then two sorts in Python and a
# BoardRow each. Kept here as the reference the columns are held to.
_REFERENCE_STANDINGS = f"""
SELECT m.household, h.head_name, {BOARD_CONSENT_SQL}, {{village}}, m.points
FROM (SELECT e.household, SUM(e.earned) AS points FROM entry e
      WHERE e.booked_on >= :lo AND e.booked_on <= :hi AND e.earned <> 0
        AND (substr(e.booked_on, 6) <> '01-01' OR e.kind <> 'base_score')
      GROUP BY e.household HAVING SUM(e.earned) > 0) m
JOIN household_current h ON h.code = m.household
"""


def _reference_county_rows(engine: Engine, month: str) -> list[BoardRow]:
    lo, hi = month_bounds(month)
    place = village_on("m.household", ":hi", "h.village")
    with reading(engine) as session:
        rows = driver_rows(session, _REFERENCE_STANDINGS.format(village=place), {"lo": str(lo), "hi": str(hi)})
    lines = [(code, name if consent else mask_name(name), v, int(points)) for code, name, consent, v, points in rows]
    ordered = sorted(sorted(lines, key=lambda line: line[0]), key=lambda line: line[3], reverse=True)
    ranks: list[int] = []
    for position, line in enumerate(ordered):
        ranks.append(ranks[-1] if position and line[3] == ordered[position - 1][3] else position + 1)
    return [BoardRow(r, *line) for r, line in zip(ranks, ordered, strict=True)]


def _board_scenario(run: Run, engine: Engine) -> None:
    """The county scenario, then consent withdrawn and granted again within November, granted and
    withdrawn on one day, and a head's name that starts a formula (October's board: all after it)."""
    _county_scenario(run, engine)
    invoke(run, "consent", "withdraw", "XZ04", "--board", "--on", "2026-11-10", "--reason", "本人撤回")
    invoke(run, "consent", "grant", "XZ04", "--board", "--ref", "F-04", "--on", "2026-11-20")
    invoke(run, "award", "DZ02", "ZY01", "--on", "2026-11-26", "--booked", "2026-11-26")
    invoke(run, "consent", "grant", "DZ02", "--board", "--ref", "F-02", "--on", "2026-11-15")
    invoke(run, "consent", "withdraw", "DZ02", "--board", "--on", "2026-11-15", "--reason", "本人撤回")
    invoke(run, "household", "set", "XZ04", "--head-name", "=HYPERLINK(1)", "--reason", "户主变更")


def test_the_county_board_ranks_what_the_reference_ranks(
    run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    _board_scenario(run, engine)
    october = {row.household: row for row in _reference_county_rows(engine, "2026-10")}
    expected = _reference_county_rows(engine, "2026-11")
    shown = {row.household: row for row in expected}
    assert shown["XZ03"].village == "DZ" and shown["DZ03"].name == "张**"  # moved in the month; withdrawn
    assert shown["XZ04"].name == "=HYPERLINK(1)" and shown["DZ02"].name.endswith("*")  # granted again; withdrawn
    assert not october["DZ03"].name.endswith("*")  # withdrawn only after October
    assert len({row.rank for row in expected}) < len(expected)  # ranks tied
    for month in ("2026-10", "2026-11"):
        with reading(engine) as session:
            county = county_board(session, month=month)
        assert county.rows == _reference_county_rows(engine, month), month
        board = Board(None, "", month, [], county.rows, county.black_list)
        for lang in ("zh", "en"):
            result = run("board", "show", "--county", "--month", month, "--format", "csv", lang=lang)
            assert result.exit_code == 0 and result.stdout_bytes == _reference_board_csv(board, lang).encode()
    tied = next(row.rank for row, after in itertools.pairwise(expected) if row.rank == after.rank)
    cut = Board(None, "", "2026-11", [], [row for row in expected if row.rank <= tied], county.black_list)
    result = run("board", "show", "--county", "--month", "2026-11", "--top", str(tied), "--format", "csv", lang="zh")
    assert result.exit_code == 0 and result.stdout_bytes == _reference_board_csv(cut, "zh").encode()
    assert len(cut.rows) > tied  # the households tied at the cut all stay


@given(
    st.dictionaries(
        st.sampled_from(["a1", "B1", "b-2", "A-1", "张1", "Z", "z", "é", "e", "10", "9"]), st.integers(-3, 3)
    )
)
def test_ranked_columns_rank_as_sorting_does_in_any_order_given(points: dict[str, int]) -> None:
    def reference(lines: list[tuple[str, int]]) -> list[tuple[int, str, int]]:
        ordered = sorted(lines, key=lambda line: (-line[1], line[0]))
        return [(1 + sum(p > line[1] for _c, p in ordered), *line) for line in ordered]

    for lines in (list(points.items()), sorted(points.items(), key=lambda line: (-line[1], line[0]))):
        codes, values = [c for c, _p in lines], [p for _c, p in lines]
        red = ranked_columns(codes, [c.upper() for c in codes], [c[:1] for c in codes], values)
        assert list(zip(red.ranks, red.households, red.points, strict=True)) == reference(lines)
        assert list(red.names) == [c.upper() for c in red.households] and list(red.villages) == [
            c[:1] for c in red.households
        ]
        for count in (None, 1, 2, 5):
            assert red.top(count).rows() == [row for row in red.rows() if count is None or row.rank <= count]


@given(
    st.lists(st.lists(cells, min_size=4, max_size=4), max_size=8),
    st.lists(st.sampled_from(range(4)), min_size=1, max_size=4, unique=True),
)
def test_csv_writer_writing_columns_writes_what_each_cell_checked_gives(
    rows: list[list[Any]], text_at: list[int]
) -> None:
    # Cells outside text_at are already inert, as the caller promises; a column may repeat one value.
    given_rows = [tuple(v if n in text_at else inert_cell(v) for n, v in enumerate(row)) for row in rows]
    columns: list[Any] = [[row[n] for row in given_rows] for n in range(4)] + [itertools.repeat("")]
    out = io.StringIO()
    CsvWriter(out).writecolumns(columns, text_at)
    assert out.getvalue() == "".join(_reference_row([*values, ""]) for values in given_rows)


ORM = ("sqlalchemy", "sqlmodel", "pydantic", "moralbank.storage.models")


def imported_after(db_url: str, reads: list[str], shunned: tuple[str, ...]) -> list[str]:
    """Which of ``shunned`` one process has imported after running each of ``reads`` on the file."""
    probe = (
        "import sys, cli\n"
        "for args in sys.argv[1:]:\n"
        "    sys.argv = ['moralbank', '--db', DB, *args.split()]\n"
        "    try:\n"
        "        cli.main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in {shunned!r} if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", f"DB = {db_url!r}\n" + probe, *reads],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    printed = found.stdout.strip().splitlines()
    assert len(printed) > len(reads) and "Traceback" not in found.stderr, found.stderr  # the commands did run
    return list(json.loads(printed[-1].replace("'", '"')))


def test_the_county_board_and_the_journal_import_neither_sqlalchemy_nor_pydantic(db_url: str, engine: Engine) -> None:
    if "://" in db_url:
        pytest.skip("PostgreSQL is read through SQLAlchemy")
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    reads = ["board show --county --month 2026-10 -f csv", "board show --county --month 2026-10", "export journal"]
    assert imported_after(db_url, reads, ORM) == []


def test_a_csv_board_and_the_journal_import_no_rich(db_url: str, engine: Engine) -> None:
    """rich lays out the terminal's tables; a CSV or a journal piped to a file is written without it."""
    if "://" in db_url:
        pytest.skip("PostgreSQL is read through SQLAlchemy")
    build_publication_town(engine)
    book_publication(engine, OCTOBER, "2026-10-25")
    reads = ["board show --county --month 2026-10 -f csv", "board show --village DZ --month 2026-10 -f csv"]
    assert imported_after(db_url, [*reads, "export journal"], ("rich.console", "rich.table", "rich.text")) == []
    assert imported_after(db_url, ["board show --county --month 2026-10"], ("rich.table",)) == ["rich.table"]


def test_the_white_space_the_journal_query_names_is_what_str_split_splits_at() -> None:
    from moralbank.reports.journal import WHITE_SPACE

    named = set(WHITE_SPACE.replace("\u2000-\u200a", "".join(map(chr, range(0x2000, 0x200B)))))
    assert named == {c for c in map(chr, range(0x110000)) if c.isspace()} - {" "}


UNTIDY_ALPHABET = [
    " ",
    ";",
    "a",
    "村",
    "\x00",
    "\x01",
    "\x07",
    "\x1b",
    "\x7f",
    "\x9f",
    ",",
    "*",
    "[",
    "]",
    "-",
    "^",
] + [c for c in map(chr, range(0x3001)) if c.isspace()]


@given(st.text(alphabet=st.sampled_from(UNTIDY_ALPHABET), max_size=8))
def test_sqlite_tells_the_notes_that_cleaning_changes(note: str) -> None:
    from moralbank.reports.journal import _UNTIDY, UNTIDY_NOTE

    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE entry (note TEXT)")
        db.execute("INSERT INTO entry VALUES (?)", (note,))
        (flagged,) = db.execute(f"SELECT {UNTIDY_NOTE} FROM entry e", {"untidy": _UNTIDY}).fetchone()
    assert bool(flagged) == (clean_text(note) != note or "\x00" in note)


@pytest.mark.parametrize("named", [True, False])
def test_journal_notes_named_tidy_or_not_give_the_same_bytes(
    noted: Engine, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    from moralbank.render.journal import journal_block
    from moralbank.reports import journal

    if noted.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps the Python path")
    if not named:  # no note is named tidy: every note is asked of the pattern
        monkeypatch.setattr(journal, "_RECENT_NOTES", "SELECT note FROM entry WHERE 0")
    with reading(noted) as session:
        texts = journal.transfer_texts(session)
        assert texts is not None
        body = b"".join(journal_block(b, {}) for b in texts).decode()
        expected = "".join(journal_lines(transfers(session)))
    assert expected.endswith(body) and expected.index(body) > 0


def test_a_note_holding_a_control_character_is_written_inert(
    run: Run, noted: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NUL (which SQLite's printf would end the text at) or an ESC becomes U+FFFD, the rest of the note kept."""
    if noted.dialect.name != "sqlite":
        pytest.skip("PostgreSQL text cannot hold a NUL")
    with monkeypatch.context() as legacy:  # refused when typed today; an old file may hold one
        legacy.setattr(ledger_service, "check_text", lambda field, value: None)
        legacy.setattr(decisions, "bound_problems", lambda decision, row: [])
        notes = ["前\x00后", "色\x1b[31m红", "响\x07铃"]
        _record(
            noted,
            [
                Decision("NL002", "ZY01", 1, f"2026-11-0{n + 5}", f"2026-11-0{n + 5}", note)
                for n, note in enumerate(notes)
            ],
            operator=OPERATOR,
        )
    expected = _reference_journal(noted)
    assert all(shown in expected for shown in ("前\ufffd后", "色\ufffd[31m红", "响\ufffd铃"))
    written = ok(run("export", "journal"))
    assert written == expected and not any(c in written for c in "\x00\x1b\x07")


def test_the_county_reads_refuse_an_old_a_newer_a_missing_and_a_foreign_file_in_the_same_words(
    tmp_path: Path,
) -> None:
    old = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, old)
    newer = tmp_path / "newer.db"
    shutil.copyfile(RELEASE_DB, newer)
    invoke(run_on(str(newer)), "upgrade")
    with sqlite3.connect(newer) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, name, applied_at, moralbank) VALUES (999, 'x', '2099-01-01', '9')"
        )
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a database\n" * 100, encoding="utf-8")
    for path in (old, newer, tmp_path / "typo.db", tmp_path, foreign, tmp_path / "no" / "such.db"):
        for args in (("board", "show", "--county", "--month", "2026-10", "-f", "csv"), ("export", "journal")):
            for lang in ("zh", "en"):
                fast = _said(run_on(str(path))(*args, lang=lang))
                general = _said(run_on(f"sqlite:///{path}")(*args, lang=lang))
                assert fast[0] == general[0] != 0 and fast[1] == general[1] == "", (path, args)
                assert fast[2] == general[2].replace(f"sqlite:///{path}", str(path)), (path, args, lang)
    assert not (tmp_path / "typo.db").exists()
