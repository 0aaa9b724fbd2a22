"""Standards by resolution: the quorum rule at its boundaries, versions superseding, awards refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from moralbank.domain.quorum import quorum_problems
from moralbank.messages import text
from tests.clock import freeze_today
from tests.database import entry_count, row_count
from tests.runner import Run, failed, ok
from tests.town import TODAY, build_register


def resolution(
    path: Path,
    *,
    members: int = 30,
    present: int = 25,
    in_favour: int = 20,
    against: int = 0,
    abstain: int = 0,
    held: str = "2026-03-01",
    village: str | None = None,
    standards: str = 'code = "HJ01"\ntitle = "庭院整洁"\ncategory = "环境卫生"\npoints = 2\n',
) -> str:
    """A resolution file with one or more ``[[standards]]`` tables (``standards`` is their TOML body)."""
    where = f'village = "{village}"\n' if village else ""
    head = (
        f'[resolution]\ndate = "{held}"\nbody = "村民会议"\n{where}members = {members}\npresent = {present}\n'
        f"in_favour = {in_favour}\nagainst = {against}\nabstain = {abstain}\n"
    )
    tables = "".join(f"\n[[standards]]\n{body}" for body in standards.split("\n\n"))
    path.write_text(head + tables, encoding="utf-8")
    return str(path)


@pytest.fixture
def town(run: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The core town: NL and BG, six households, the 2026-01-10 standards and the ZY01 revision."""
    freeze_today(monkeypatch, TODAY)
    build_register(engine)
    return run


# --- the quorum rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "present", "in_favour", "problems"),
    [
        (30, 20, 15, ["quorum.not_present"]),  # exactly two thirds present: not enough
        (30, 21, 15, []),  # one more
        (31, 20, 15, ["quorum.not_present"]),  # 60 <= 62
        (31, 21, 11, []),  # 63 > 62; 22 > 21
        (30, 22, 11, ["quorum.not_passed"]),  # exactly half in favour: not passed
        (30, 22, 12, []),
        (30, 21, 10, ["quorum.not_passed"]),  # 20 <= 21
        (30, 21, 11, []),
        (3, 3, 2, []),
        (3, 2, 2, ["quorum.not_present"]),
        (30, 31, 20, ["quorum.present_exceeds"]),
        (0, 0, 0, ["quorum.negative", "quorum.not_present", "quorum.not_passed"]),
    ],
)
def test_quorum_boundaries(members: int, present: int, in_favour: int, problems: list[str]) -> None:
    assert quorum_problems(members, present, in_favour, 0, 0) == problems


def test_votes_cannot_exceed_attendance() -> None:
    assert quorum_problems(30, 25, 20, 4, 2) == ["quorum.votes_exceed"]


# (present of 30, in favour, language, the problems listed): each resolution is refused whole.
FAILED_VOTES = [
        (20, 15, "en", ["field present: only 20 of 30 members present; more than two thirds must attend"]),
        (20, 15, "zh", ["字段 present：实到 20 人，未超过应到 30 人的三分之二，会议不能举行"]),
        (22, 11, "en", ["field in_favour: 11 in favour of 22 present; more than half must vote for it"]),
        (22, 11, "zh", ["字段 in_favour：赞成 11 票，未超过实到 22 人的半数，决议未通过"]),
        (20, 10, "en", ["field present: only 20 of 30 members present; more than two thirds must attend",
                        "field in_favour: 10 in favour of 20 present; more than half must vote for it"]),
]  # fmt: skip


def test_adopt_refuses_a_failed_vote_and_writes_nothing(run: Run, engine: Engine, tmp_path: Path) -> None:
    for present, in_favour, lang, expected in FAILED_VOTES:
        path = resolution(tmp_path / "决议.toml", members=30, present=present, in_favour=in_favour)
        err = failed(run("standard", "adopt", path, lang=lang))
        heading = text("sheet.rejected", lang, source="决议.toml", count=len(expected))
        prefix = "错误：" if lang == "zh" else "Error: "
        assert err.splitlines() == [prefix + heading, *("  " + line for line in expected)]
    assert (row_count(engine, "resolution"), row_count(engine, "standard")) == (0, 0)


def test_adopt_accepts_just_above_the_boundaries(run: Run, tmp_path: Path) -> None:
    # 21 of 30 present (63 > 60) with 11 for (22 > 21); then 22 present with 12 for (24 > 22).
    first = resolution(tmp_path / "r.toml", members=30, present=21, in_favour=11)
    assert ok(run("standard", "adopt", first)) == "Resolution #1 recorded; 1 standard adopted: *:HJ01:1\n"
    second = resolution(tmp_path / "r2.toml", members=30, present=22, in_favour=12, held="2026-04-01")
    assert ok(run("standard", "adopt", second, lang="zh")) == "决议 #2 已记录，通过标准 1 项：*:HJ01:2\n"


def test_adopt_refuses_bad_items_naming_each(town: Run, tmp_path: Path) -> None:
    items = (
        'code = "A1"\ntitle = "甲"\ncategory = "类"\npoints = 0\n\n'
        'code = "A2"\ntitle = ""\ncategory = "类"\npoints = 3\nmonthly_cap = -1\n\n'
        'code = "A1"\ntitle = "乙"\ncategory = "类"\npoints = 2\neffective_from = "2026-02-30"\n\n'
        'code = "ZY01"\ntitle = "志愿"\ncategory = "类"\npoints = 5\neffective_from = "2026-05-01"\n\n'
        'code = "A3"\ntitle = "丙"\ncategory = "类"\npoints = 1\neffective_to = "2026-02-01"'
    )
    err = failed(town("standard", "adopt", resolution(tmp_path / "r.toml", standards=items)))
    assert err.splitlines() == [
        "Error: r.toml: 7 problems found; nothing was written.",
        "  item 1, field points: points “0” must be a non-zero whole number (negative for deductions)",
        "  item 2, field title: is required",
        "  item 2, field monthly_cap: -1 must be a positive whole number",
        "  item 3, field effective_from: “2026-02-30” is not a valid date (YYYY-MM-DD)",
        "  item 3, field code: standard A1 appears twice in this resolution",
        "  item 4, field effective_from: a new version must take effect after the current version's 2026-06-01",
        "  item 5, field effective_to: ends before it takes effect",
    ]
    assert len(json.loads(ok(town("standard", "list", "-f", "json")))) == 5


def test_adopt_refuses_a_future_meeting_an_unknown_village_and_bad_toml(town: Run, tmp_path: Path) -> None:
    future = resolution(tmp_path / "f.toml", held="2026-12-01", village="ZZ")
    assert failed(town("standard", "adopt", future)).splitlines()[1:] == [
        "  field date: the date 2026-12-01 is in the future",
        "  field village: no village ZZ",
    ]
    (tmp_path / "bad.toml").write_text("[resolution\n", encoding="utf-8")
    assert failed(town("standard", "adopt", str(tmp_path / "bad.toml"))).startswith("Error: bad.toml is not valid TOML")
    assert failed(town("standard", "adopt", str(tmp_path / "none.toml"), lang="zh")) == (
        f"错误：找不到文件：{tmp_path / 'none.toml'}\n"
    )


# --- versions -----------------------------------------------------------------------------------


def listed(run: Run, *args: str) -> list[tuple[str, int, int, str | None]]:
    rows = json.loads(ok(run("standard", "list", *args, "--format", "json")))
    return [(r["code"], r["version"], r["points"], r["effective_to"]) for r in rows]


def test_standard_list_as_of(town: Run) -> None:
    before = [("LL03", 1, -10, None), ("XL01", 1, 5, None), ("ZF03", 1, -20, None), ("ZY01", 1, 3, None)]
    assert listed(town, "--as-of", "2026-05-31") == before
    assert listed(town, "--as-of", "2026-06-01") == [*before[:3], ("ZY01", 2, 4, None)]
    assert listed(town, "--as-of", "2026-01-09") == []  # before the first resolution
    assert listed(town) == [*before, ("ZY01", 2, 4, None)]  # every version
    rows = json.loads(ok(town("standard", "list", "-f", "json", "--as-of", "2026-07-01")))
    assert rows[2] == {
        "code": "ZF03",
        "version": 1,
        "scope": "*",
        "title": "参与赌博",
        "category": "遵纪守法",
        "points": -20,
        "monthly_cap": None,
        "veto": True,
        "effective_from": "2026-01-10",
        "effective_to": None,
        "resolution": 1,
    }
    assert ok(town("standard", "list", "-f", "csv", "--as-of", "2026-07-01", lang="zh")).splitlines()[:2] == [
        "\ufeff编号,版本,适用范围,标准,类别,分值,每月上限,一票否决,生效日期,失效日期,决议",
        "LL03,1,*,打架斗殴,邻里和睦,-10,,否,2026-01-10,,1",
    ]
    table = ok(town("standard", "list", lang="zh"))
    assert "参加志愿义务劳动（修订）" in table and "一票否决" in table
    assert failed(town("standard", "list", "--as-of", "06/01/2026")) == (
        "Error: --as-of: “06/01/2026” is not a date we can read; write the year first in four digits, e.g. 2026-11-03, 2026/11/3 or 2026年11月3日\n"
    )


def award_id(run: Run, *args: str) -> int:
    out = ok(run("award", *args))
    assert out.startswith("Recorded as entry ")
    return int(out.split()[-1])


def coins(run: Run, household: str) -> tuple[int, int]:
    shown = json.loads(ok(run("balance", household, "-f", "json")))
    return shown["coins"], shown["earned"]


def test_the_version_in_force_on_the_event_date_sets_the_points(town: Run) -> None:
    award_id(town, "NL001", "ZY01", "--on", "2026-05-31", "--booked", "2026-06-05")
    assert coins(town, "NL001") == (3, 3)
    award_id(town, "NL001", "ZY01", "--on", "2026-06-01", "--booked", "2026-06-05")
    assert coins(town, "NL001") == (7, 7)
    award_id(town, "NL001", "ZY01", "--on", "2026-06-02", "--qty", "3", "--booked", "2026-06-05")
    assert coins(town, "NL001") == (19, 19)
    lines = json.loads(ok(town("statement", "NL001", "-f", "json")))["lines"]
    assert [(line["title"], line["coins"]) for line in lines] == [
        ("参加志愿义务劳动", 3),
        ("参加志愿义务劳动（修订）", 4),
        ("参加志愿义务劳动（修订）", 12),
    ]


def test_a_village_version_and_an_end_date(town: Run, tmp_path: Path) -> None:
    own = 'code = "XL01"\ntitle = "孝敬父母（北宫）"\ncategory = "孝老爱亲"\npoints = 8\neffective_to = "2026-03-31"'
    ok(town("standard", "adopt", resolution(tmp_path / "bg.toml", village="BG", standards=own)))
    award_id(town, "BG001", "XL01", "--on", "2026-03-15", "--booked", "2026-03-25")
    award_id(town, "NL001", "XL01", "--on", "2026-03-15", "--booked", "2026-03-25")
    award_id(town, "BG002", "XL01", "--on", "2026-04-01", "--booked", "2026-04-25")  # BG's own has ended
    assert [coins(town, h)[0] for h in ("BG001", "NL001", "BG002")] == [8, 5, 5]


# (award arguments, English reason, Chinese reason): each is refused and writes nothing.
REFUSED_AWARDS = [
    (["NL001", "XL01", "--on", "2026-01-09", "--booked", "2026-01-25"],
     "field standard: standard XL01 is not in force on 2026-01-09",
     "字段 标准编号：标准 XL01 在 2026-01-09 不在有效期内"),
    (["NL001", "QQ01", "--on", "2026-03-01", "--booked", "2026-03-25"],
     "field standard: no standard QQ01", "字段 标准编号：找不到标准 QQ01"),
    (["NL404", "XL01", "--on", "2026-03-01", "--booked", "2026-03-25"],
     "field household: no household NL404; did you mean NL004, NL003, NL002?",
     "字段 户编号：找不到农户 NL404；是否要找：NL004, NL003, NL002？"),
    (["NL001", "XL01", "--on", "2026-11-30"],
     "field event_date: the date 2026-11-30 is in the future",  # one mistake, one message
     "字段 发生日期：日期 2026-11-30 晚于今天"),
    (["NL001", "XL01", "--on", "2026-11-02", "--booked", "2026-12-01"],
     "field booked_on: the date 2026-12-01 is in the future", "字段 记账日期：日期 2026-12-01 晚于今天"),
    (["NL001", "XL01", "--qty", "0"], "field qty: 0 must be a positive whole number", "字段 数量：0 须为正整数"),
    (["NL001", "XL01", "--qty=-2"], "field qty: -2 must be a positive whole number", "字段 数量：-2 须为正整数"),
    (["NL001", "XL01", "--qty", "3", "--on", "2026-03-01", "--booked", "2026-03-25"],
     "field qty: exceeds the monthly cap of 10 (already 0 this month, this one 15)",
     "字段 数量：超过每月上限 10 分（本月已得 0 分，本次 15 分）"),
    (["NL001", "XL01", "--on", "1/3/2026"],
     "--on: “1/3/2026” is not a date we can read; write the year first in four digits, e.g. 2026-11-03, 2026/11/3 or 2026年11月3日", "--on 的日期“1/3/2026”无法识别：年份须写四位并放在前面，如 2026-11-03、2026/11/3 或 2026年11月3日"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_awards_write_nothing(town: Run, engine: Engine, lang: str) -> None:
    prefix = "错误：" if lang == "zh" else "Error: "
    for args, en, zh in REFUSED_AWARDS:
        assert failed(town("award", *args, lang=lang)) == prefix + (zh if lang == "zh" else en) + "\n"
    assert entry_count(engine) == 0


def test_monthly_cap_counts_the_event_month_and_reversals_free_it(town: Run) -> None:
    first = award_id(town, "NL002", "XL01", "--on", "2026-03-01", "--booked", "2026-03-25")
    award_id(town, "NL002", "XL01", "--on", "2026-03-20", "--booked", "2026-04-25")  # booked later, same event month
    err = failed(town("award", "NL002", "XL01", "--on", "2026-03-31", "--booked", "2026-04-25"))
    assert err == "Error: field qty: exceeds the monthly cap of 10 (already 10 this month, this one 5)\n"
    award_id(town, "NL002", "XL01", "--on", "2026-04-01", "--qty", "2", "--booked", "2026-04-25")  # a new month
    ok(town("reverse", str(first), "--reason", "误记", "--booked", "2026-04-26"))
    award_id(town, "NL002", "XL01", "--on", "2026-03-31", "--booked", "2026-04-26")
    assert coins(town, "NL002") == (20, 20)
    award_id(town, "NL002", "LL03", "--on", "2026-04-02", "--qty", "3", "--booked", "2026-04-26")  # deductions: no cap
    assert coins(town, "NL002") == (-10, -10)
