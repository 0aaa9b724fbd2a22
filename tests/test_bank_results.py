"""The bank's answer: approvals, drawings and arrears matched to an export, recorded once, counted in the figures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine, text

from moralbank.domain.credit_policy import load_policy
from moralbank.domain.identity import mask_id
from moralbank.reports.credit import summary
from moralbank.resources import fixtures_dir
from moralbank.services.bank_tables import MAX_AMOUNT_YUAN, read_amount
from moralbank.storage.db import open_engine, reading, writing
from moralbank.storage.records import cover
from moralbank.storage.schema import apply_schema
from tests.clock import freeze_today
from tests.database import register_staff
from tests.runner import Run, failed, invoke, ok, run_on
from tests.town import AS_OF, CREDIT_HOUSEHOLDS, TODAY, build_credit_town, credit_id_numbers

BANK = "高密农商银行"
NAMES = {code: head for code, _, head, _ in CREDIT_HOUSEHOLDS}
IDS = credit_id_numbers()
# What the bank authorised, in yuan, per household of the list (0: refused).
GRANTED = {"DZ01": 100_000, "DZ02": 80_000, "DZ03": 50_000, "DZ04": 0, "DZ05": 35_000, "DZ09": 50_000}
GRANTED |= {"XZ01": 300_000, "XZ02": 0, "XZ03": 45_000, "XZ04": 50_000}
APPROVAL_HEADER = ["序号", "姓名", "身份证号码", "授信金额（万元）", "授信期限（年）", "备注"]


@pytest.fixture
def office(run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The credit town with one signed list exported to the bank; returns the folder."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    export(run, tmp_path)
    return tmp_path


def export(run: Run, folder: Path, *more: str) -> Path:
    out = folder / f"list{len(list(folder.glob('list*.csv')))}.csv"
    key = folder / "keys" / "moralbank_signing.key"
    invoke(
        run, "credit", "export", "--as-of", AS_OF, "--bank", BANK, "--out", str(out), "--signing-key", str(key), *more
    )
    return out


def listed(folder: Path) -> list[str]:
    """The households of the first list, in its order."""
    rows = list(csv.reader(io.StringIO((folder / "list0.csv").read_bytes().decode("utf-8-sig"))))
    return [r[0] for r in rows[1:]]


def wan(yuan: int) -> str:
    return str(yuan / 10_000).rstrip("0").rstrip(".")


def approval_rows(codes: list[str], identity: str, unit: str) -> tuple[list[str], list[list[Any]]]:
    """A 整村授信批量审批表 for ``codes``: by full ID, masked ID (with names) or household code; 万元 or 元."""
    amount = "授信金额（万元）" if unit == "wan" else "授信金额（元）"
    first = {"full": "身份证号码", "masked": "身份证号码", "code": "户编号"}[identity]
    header = ["序号", "姓名", first, amount, "授信期限（年）", "备注"]
    rows = []
    for n, code in enumerate(codes, start=1):
        who = {"full": IDS[code], "masked": mask_id(IDS[code]), "code": code}[identity]
        granted = GRANTED[code]
        shown = (wan(granted) if unit == "wan" else str(granted)) if granted else "0"
        rows.append([n, NAMES[code], who, shown, 3 if granted else "", "" if granted else "征信有逾期记录"])
    return header, rows


def write_table(path: Path, header: list[str], rows: list[list[Any]], *, title: str | None = None) -> Path:
    lines = ([[title]] if title else []) + [header, *rows]
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        for line in lines:
            sheet.append(line)
        book.save(path)
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(lines)
        path.write_bytes(buffer.getvalue().encode("gb18030" if "gbk" in path.name else "utf-8-sig"))
    return path


def results(run: Run, path: Path, *more: str, lang: str = "en") -> Any:
    return run("credit", "results", "import", str(path), "--bank", BANK, *more, lang=lang)


def county(engine: Engine) -> Any:
    with reading(engine) as session:
        return summary(session, load_policy(fixtures_dir() / "credit_policy.toml"), as_of=TODAY)


@pytest.mark.parametrize(
    ("identity", "unit", "suffix"),
    [("full", "wan", ".xlsx"), ("masked", "yuan", ".csv"), ("code", "wan", ".csv"), ("full", "yuan", "_gbk.csv")],
)
def test_an_approval_table_round_trips_into_exact_figures(
    run: Run, office: Path, engine: Engine, identity: str, unit: str, suffix: str
) -> None:
    codes = listed(office)
    assert set(codes) == set(GRANTED)
    header, rows = approval_rows(codes, identity, unit)
    path = write_table(office / f"approvals{suffix}", header, rows, title="整村授信批量审批表")
    said = ok(results(run, path, "--on", "2026-11-29"))
    assert "10 rows" in said and "8 approved, 2 refused" in said
    figures = county(engine)
    assert figures.total.authorised == 8
    assert figures.total.authorised_yuan == sum(GRANTED.values())
    by_village = {v.village: v for v in figures.villages}
    assert by_village["DZ"].authorised_yuan == sum(v for c, v in GRANTED.items() if c.startswith("DZ"))
    assert by_village["XZ"].authorised == 3
    answer = json.loads(ok(run("credit", "results", "summary", "--bank", BANK, "--format", "json")))
    assert answer[0] | {"export": 1} == answer[0]
    assert (answer[0]["approved"], answer[0]["refused"], answer[0]["authorised_yuan"]) == (8, 2, sum(GRANTED.values()))


def test_unmatched_ambiguous_and_bad_rows_are_refused_by_row(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "masked", "wan")
    rows[0][1] = "某某某"  # a name that is not the head of that masked ID
    rows[1][2] = "370000********0000"  # a masked ID of nobody listed
    rows[2][3] = "abc"
    rows[3][3] = "0"
    rows[3][5] = ""  # refused without a reason
    rows.append([99, NAMES["DZ06"], IDS["DZ06"], "5", 1, ""])  # a household that was not in the list
    path = write_table(office / "bad.csv", header, rows)
    message = failed(results(run, path, "--on", "2026-11-29"))
    for row in (2, 3, 4, 5, len(rows) + 1):
        assert f"row {row}" in message.lower() or f"Row {row}" in message
    assert IDS["DZ06"] not in message
    with reading(engine) as session:
        assert session.execute(text("SELECT COUNT(*) FROM bank_result")).scalar() == 0


def test_a_masked_id_shared_by_two_listed_households_is_ambiguous(run: Run, office: Path, engine: Engine) -> None:
    with engine.begin() as connection:  # two households of the list printed alike (same mask, same name)
        connection.execute(
            text("INSERT INTO export_row VALUES (1, 99, 'XZ02', :m, :n)"),
            {"m": mask_id(IDS["DZ01"]), "n": NAMES["DZ01"]},
        )
    header, rows = approval_rows(["DZ01"], "masked", "wan")
    message = failed(results(run, write_table(office / "twins.csv", header, rows), "--on", "2026-11-29"))
    assert "matches 2 households" in message


def test_the_same_file_is_not_imported_twice(run: Run, office: Path) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    path = write_table(office / "approvals.csv", header, rows)
    ok(results(run, path, "--on", "2026-11-29"))
    message = failed(results(run, path, "--on", "2026-11-29"))
    assert "imported already" in message


def test_drawings_and_arrears_are_new_records_and_the_latest_stands(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    ok(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-01"))
    drawn = [["户编号", "姓名", "用信金额（元）", "用信日期"], ["DZ01", NAMES["DZ01"], "60000", "2026-11-10"]]
    drawn.append(["XZ01", NAMES["XZ01"], "200000", "2026-11-10"])
    ok(results(run, write_table(office / "d.csv", drawn[0], drawn[1:])))
    late = [["户编号", "逾期金额（元）", "逾期天数", "统计日期"], ["DZ01", "5000.50", "95", "2026-11-20"]]
    ok(results(run, write_table(office / "o1.csv", late[0], late[1:])))
    figures = county(engine)
    assert (figures.total.borrowers, figures.total.in_arrears, figures.total.drawn_yuan) == (2, 1, 260_000)
    assert figures.total.repaying_permille == 500
    cleared = [["户编号", "逾期金额（元）", "逾期天数", "统计日期"], ["DZ01", "0", "0", "2026-11-28"]]
    ok(results(run, write_table(office / "o2.csv", cleared[0], cleared[1:])))
    figures = county(engine)
    assert (figures.total.in_arrears, figures.total.repaying_permille) == (0, 1000)
    with reading(engine) as session:
        assert session.execute(text("SELECT COUNT(*) FROM bank_result WHERE kind = 'arrears'")).scalar() == 2


def test_arrears_change_a_designation(run: Run, office: Path, engine: Engine, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    base = (fixtures_dir() / "credit_policy.toml").read_text(encoding="utf-8")
    policy.write_text(  # the reported credit-village rule, alone
        base[: base.index("[[designations]]")] + '[[designations]]\ncode = "bank_credit"\nname = "信用村"\n'
        "min_rated_percent = 70\nmin_repaying_percent = 85\nbad_loans_below_percent = 5\n",
        encoding="utf-8",
    )
    header, rows = approval_rows(listed(office), "code", "wan")
    ok(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-01"))
    drawn = [["户编号", "用信金额（万元）", "用信日期"], *[[c, "1", "2026-11-10"] for c in ("XZ01", "XZ03", "XZ04")]]
    ok(results(run, write_table(office / "d.csv", drawn[0], drawn[1:])))

    def xz() -> Any:
        out = json.loads(ok(run("credit", "summary", "--as-of", AS_OF, "--policy", str(policy), "--format", "json")))
        return next(v for v in out["villages"] if v["village"] == "XZ")

    assert xz()["designation"] == "bank_credit"
    late = [["户编号", "逾期金额（万元）", "逾期天数", "统计日期"], ["XZ03", "1", "120", "2026-11-20"]]
    ok(results(run, write_table(office / "o.csv", late[0], late[1:])))
    assert xz()["designation"] is None
    assert xz()["repaying_permille"] == 667


def test_no_full_id_is_kept_or_shown_after_a_full_id_round_trip(run: Run, office: Path, engine: Engine) -> None:
    full = export(run, office, "--full-id")
    header, rows = approval_rows(listed(office), "full", "wan")
    outputs = [ok(results(run, write_table(office / "a.xlsx", header, rows), "--on", "2026-11-29", "--export", "2"))]
    for fmt in ("table", "json", "csv"):
        outputs.append(ok(run("credit", "results", "summary", "--bank", BANK, "--format", fmt)))
        outputs.append(ok(run("credit", "summary", "--as-of", AS_OF, "--format", fmt)))
    assert full.exists()
    with reading(engine) as session:
        for table in ("export_row", "bank_import", "bank_result", "export_log"):
            dumped = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")))
            outputs.append(dumped)
    for whole in IDS.values():
        assert not any(whole in out for out in outputs)
    assert mask_id(IDS["DZ01"]) in outputs[-4]  # the export rows keep what a masked list shows


def test_an_export_made_before_rows_were_logged_is_named(run: Run, office: Path, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO export_log (exported_at, operator, bank, as_of, format, row_count, full_id, file_name,"
                " file_sha256, policy_hash, key_id) VALUES ('2026-01-01T00:00:00Z', 'x', :b, '2026-01-01', 'csv', 3,"
                " 0, 'old.csv', 'aa', 'bb', 'cc')"
            ),
            {"b": BANK},
        )
    header, rows = approval_rows(["DZ01"], "code", "wan")
    message = failed(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-29"))
    assert "before this version recorded who was in a list" in message


def test_the_results_tables_are_append_only(run: Run, office: Path, engine: Engine) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    ok(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-29"))
    for statement in (
        "UPDATE bank_result SET amount_fen = 1",
        "DELETE FROM bank_result",
        "UPDATE export_row SET household = 'DZ06'",
        "DELETE FROM bank_import",
    ):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_copy_carries_the_answers_to_a_database_whose_export_ids_differ(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, TODAY)
    source = tmp_path / "terminal.db"
    apply_schema(open_engine(str(source)))
    register_staff(open_engine(str(source)))
    terminal = run_on(str(source))
    build_credit_town(open_engine(str(source)))
    invoke(terminal, "keys", "generate", "--out", str(tmp_path / "keys"))
    export(terminal, tmp_path)
    header, rows = approval_rows(listed(tmp_path), "code", "wan")
    ok(results(terminal, write_table(tmp_path / "a.csv", header, rows), "--on", "2026-11-29"))
    target = open_engine(db_url)
    with writing(target) as session:  # the county server already logged an export of its own: ids differ
        session.execute(
            text(
                "INSERT INTO export_log (exported_at, operator, bank, as_of, format, row_count, full_id, file_name,"
                " file_sha256, policy_hash, key_id) VALUES ('2026-01-01T00:00:00Z', 'x', 'b', '2026-01-01', 'csv', 0,"
                " 0, 'x.csv', 'aa', 'bb', 'cc')"
            )
        )
        cover(session, "export_log", [session.execute(text("SELECT MAX(id) FROM export_log")).scalar_one()])
    county_run = run_on(db_url)
    for _ in range(2):  # the second copy adds nothing
        ok(county_run("copy", "--from", str(source), "--to", db_url))
        mine = json.loads(ok(terminal("credit", "results", "summary", "--bank", BANK, "--format", "json")))
        theirs = json.loads(ok(county_run("credit", "results", "summary", "--bank", BANK, "--format", "json")))
        assert [a | {"export": 0} for a in mine] == [a | {"export": 0} for a in theirs]
        assert theirs[0]["export"] == 2 and theirs[0]["approved"] == 8
        with reading(target) as session:
            assert session.execute(text("SELECT COUNT(*) FROM bank_result")).scalar() == len(rows)
    target.dispose()


def test_explain_and_the_county_page_show_each_condition_and_the_bank(run: Run, office: Path) -> None:
    header, rows = approval_rows(listed(office), "code", "wan")
    ok(results(run, write_table(office / "a.csv", header, rows), "--on", "2026-11-01"))
    late = [["户编号", "逾期金额（元）", "逾期天数", "统计日期"], ["XZ03", "2000", "30", "2026-11-20"]]
    ok(results(run, write_table(office / "o.csv", late[0], late[1:])))
    explained = ok(run("credit", "explain", "XZ03", "--as-of", AS_OF))
    assert (
        f"Banks ({BANK}): {GRANTED['XZ03']:,} yuan authorised, 0 yuan drawn, 2,000 yuan overdue (30 days)" in explained
    )
    assert "Village XZ against each designation:" in explained
    assert "AA or better 25.0% (wanted ≥ 50%), 1 short" in explained
    assert "No bank has reported" in ok(run("credit", "explain", "DZ06", "--as-of", AS_OF))
    page = office / "county.html"
    ok(run("report", "county", "--as-of", AS_OF, "--out", str(page), lang="zh"))
    html = page.read_text(encoding="utf-8")
    assert "银行累计授信" in html and "各村称号条件" in html and "一票否决户 1 户（要求 ≤ 0），多 1 户" in html


def test_the_kind_the_units_and_the_dates_are_checked(run: Run, office: Path, engine: Engine) -> None:
    path = write_table(office / "what.csv", ["户编号", "姓名"], [["DZ01", NAMES["DZ01"]]])
    assert "not a bank table this program knows" in failed(results(run, path, "--on", "2026-11-29"))
    both = write_table(office / "both.csv", ["户编号", "授信金额（万元）", "授信金额（元）"], [["DZ01", "1", "10000"]])
    assert "both in 万元 and in 元" in failed(results(run, both, "--on", "2026-11-29"))
    bare = write_table(office / "bare.csv", ["户编号", "授信金额"], [["DZ01", "1"]])
    assert "授信金额" in failed(results(run, bare, "--on", "2026-11-29", "--kind", "approval"))
    undated = write_table(office / "undated.csv", ["户编号", "授信金额（元）"], [["DZ01", "10000"]])
    assert "give the date with --on" in failed(results(run, undated))
    assert "in the future" in failed(results(run, undated, "--on", "2026-12-30"))
    header = ["Household", "Authorised (yuan)", "Decision", "Date", "Note"]
    lines = [
        ["DZ01", "10000", "不同意", "2026-11-20", "x"],  # refused, yet an amount
        ["DZ02", "0", "同意", "2026-11-20", ""],  # approved with nothing
        ["DZ03", "10000", "也许", "2026-11-20", ""],  # no such decision
        ["DZ05", "20000000", "", "2026-11-20", ""],  # 2,000 万元: a wrong unit
        ["DZ09", "100.001", "", "2026-12-31", ""],  # finer than a fen, and a future date
        ["DZ01", "5000", "", "2026-11-20", ""],  # the same household again
        ["DZ06", "5000", "", "2026-11-20", "370702199001011234"],  # not listed; an ID-like note
    ]
    message = failed(results(run, write_table(office / "en.csv", header, lines)))
    for expected in (
        "row 2, field decision: refused, yet an amount is given",
        "row 3, field decision: approved with an amount of 0",
        "row 4, field decision: the decision “也许” is unclear",
        "row 5, field approved_yuan: the amount 20000000 is above 10000000",
        "row 6, field on: the date 2026-12-31 is in the future",
        "row 6, field approved_yuan: the amount “100.001” must not be negative or finer than a fen",
        "row 8, field note: must not contain an ID or mobile number",
    ):
        assert expected in message
    assert "370702199001011234" not in message
    with reading(engine) as session:
        assert session.execute(text("SELECT COUNT(*) FROM bank_import")).scalar() == 0
    twice = write_table(office / "twice.csv", header, [lines[5], lines[5]])
    assert "row 3, field household: the same household is on row 2 already" in failed(results(run, twice))


def test_the_export_answered_must_be_the_banks(run: Run, office: Path) -> None:
    header, rows = approval_rows(["DZ01"], "code", "wan")
    path = write_table(office / "a.csv", header, rows)
    other = run("credit", "results", "import", str(path), "--bank", "邮储银行", "--on", "2026-11-29")
    assert "No list was exported to 邮储银行" in failed(other)
    assert "There is no export 9" in failed(results(run, path, "--on", "2026-11-29", "--export", "9"))
    invoke(
        run, "credit", "export", "--as-of", AS_OF, "--bank", "邮储银行", "--out", str(office / "psbc.csv"),
        "--signing-key", str(office / "keys" / "moralbank_signing.key"),
    )  # fmt: skip
    assert "Export 2 was made for 邮储银行, not 高密农商银行" in failed(
        results(run, path, "--on", "2026-11-29", "--export", "2")
    )


def test_an_approval_holds_while_its_term_runs(run: Run, office: Path, engine: Engine) -> None:
    header = ["户编号", "授信金额（万元）", "授信期限（月）", "审批日期"]
    lines = [["DZ01", "10", "12", "2025-06-01"], ["DZ02", "8", "", "2025-06-01"], ["DZ03", "5", "24", "2025-06-01"]]
    ok(results(run, write_table(office / "a.csv", header, lines)))
    figures = county(engine)  # as of 2026-11-29: DZ01's year has run out; DZ02 has no term; DZ03's runs
    assert (figures.total.authorised, figures.total.authorised_yuan) == (2, 130_000)
    renewed = [["DZ01", "12", "12", "2026-06-01"]]
    ok(results(run, write_table(office / "b.csv", header, renewed)))
    assert county(engine).total.authorised_yuan == 250_000


@given(fen=st.integers(min_value=0, max_value=MAX_AMOUNT_YUAN * 100))
def test_an_amount_reads_the_same_in_wan_and_in_yuan(fen: int) -> None:
    problems: list[Any] = []
    in_yuan = f"{fen // 100}.{fen % 100:02d}"
    in_wan = f"{fen // 1_000_000}.{fen % 1_000_000:06d}"
    read = [read_amount(in_yuan, "approved_yuan", 2, problems, blank_is_zero=False)]
    read.append(read_amount(in_wan, "approved_wan", 2, problems, blank_is_zero=False))
    assert read == [fen, fen] and problems == []
    finer = read_amount(in_wan + "1", "approved_wan", 2, problems, blank_is_zero=False)
    assert finer is None and [p.key for p in problems] == ["bank_results.bad_amount"]


def test_an_arrears_row_needs_its_days_and_an_amount_for_them(run: Run, office: Path) -> None:
    header = ["户编号", "逾期金额（元）", "逾期天数", "统计日期"]
    lines = [["DZ01", "500", "", "2026-11-20"], ["DZ02", "0", "30", "2026-11-20"], ["DZ03", "0", "0", "2026-11-20"]]
    message = failed(results(run, write_table(office / "o.csv", header, lines)))
    assert "row 2, field overdue_days:" in message and "row 3, field overdue_days: 30 days overdue" in message
    assert "row 4" not in message
