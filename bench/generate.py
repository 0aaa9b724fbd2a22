"""Write a seeded synthetic county in the documented sheet formats, at a named benchmark size."""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moralbank.domain.clock import today as business_today  # noqa: E402
from moralbank.domain.identity import synthetic_id, synthetic_phone  # noqa: E402


@dataclass(frozen=True)
class Size:
    """How big a synthetic county is."""

    name: str
    villages: int
    households: int
    decisions: int
    months: tuple[str, ...]
    reversals: int
    redemptions: int


def _months(count: int) -> tuple[str, ...]:
    """The ``count`` months that ended last, oldest first: before today's month in the business timezone.

    The commands refuse dates after today, so no generated date may lie in the current month
    (its booking day may still be ahead) or later, whenever the benchmark runs.
    """
    now = business_today()
    last = now.year * 12 + now.month - 2  # the month before this one, counted from year 0
    return tuple(f"{(last - n) // 12}-{(last - n) % 12 + 1:02d}" for n in range(count - 1, -1, -1))


SIZES = {
    "tiny": Size("tiny", 3, 90, 1_500, _months(3), 3, 3),
    "S": Size("S", 10, 3_000, 100_000, _months(24), 100, 100),
    "L": Size("L", 417, 125_000, 2_000_000, _months(24), 300, 300),
}
SEED = 2026
COUNTY = "潍坊市高密市"
REGION = "370785"
RESOLUTION_DATE = "2024-10-20"
BOOKING_DAY = 28  # the committee's monthly meeting; every event of the month happened by then
DEDUCTION_SHARE = 0.08

# (code, title, category, points, monthly cap, veto, weight among awards or deductions)
STANDARDS = (
    ("XL01", "孝敬赡养父母、悉心照料老人", "孝老爱亲", 5, 10, False, 12),
    ("XL02", "看望照顾孤寡、留守老人", "孝老爱亲", 3, 6, False, 8),
    ("XL03", "获评市级及以上孝老爱亲模范或文明家庭", "孝老爱亲", 20, None, False, 1),
    ("LL01", "协助调解邻里纠纷", "邻里和睦", 5, 10, False, 6),
    ("LL02", "邻里互助、帮扶困难户", "邻里和睦", 3, 9, False, 10),
    ("HJ01", "门前三包、庭院整洁", "环境卫生", 2, 4, False, 16),
    ("HJ02", "垃圾分类投放准确", "环境卫生", 1, 4, False, 14),
    ("YF01", "婚事新办简办", "移风易俗", 15, None, False, 1),
    ("ZY01", "参加志愿义务劳动", "志愿服务", 5, None, False, 14),
    ("ZY02", "参加夜间治安巡逻", "志愿服务", 10, 20, False, 5),
    ("WH01", "参加村民会议、政策宣讲", "文化学习", 2, 4, False, 10),
    ("WH02", "参加农民夜校、技能培训", "文化学习", 3, 6, False, 3),
    ("XL04", "不赡养父母、虐待老人", "孝老爱亲", -20, None, False, 1),
    ("LL03", "打架斗殴", "邻里和睦", -10, None, False, 2),
    ("HJ03", "乱扔乱倒垃圾", "环境卫生", -2, None, False, 10),
    ("HJ04", "焚烧秸秆、垃圾", "环境卫生", -5, None, False, 5),
    ("YF04", "红白事大操大办、铺张浪费", "移风易俗", -10, None, False, 2),
    ("ZF02", "违反社会公德", "遵纪守法", -20, None, False, 1),
    ("ZF03", "赌博", "遵纪守法", -50, None, True, 1),
)
UNCAPPED_AWARD = "ZY01"  # what a household over its caps is credited with instead
NOTES = ("", "", "", "村委会评议", "网格员上报", "群众推荐", "党员评议")
TOWNS = ("朝阳街道", "密水街道", "醴泉街道", "夏庄镇", "柏城镇", "井沟镇", "阚家镇", "姜庄镇", "大牟家镇", "柴沟镇")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁单綦傅"
GIVEN = "建志国德立永学振庆传明文海光新宝兴华军民强平林东生成伟刚杰勇亮福贵山峰涛秀玉桂凤春英兰芳梅霞"
PLACE = "东西南北前后大小上下王李张刘高石河山柳杨桥沟庄屯营"
YES, NO = "是", "否"


def village_rows(size: Size, rng: random.Random) -> list[dict[str, str]]:
    """The village register: codes V001..., names made of place characters, spread over towns."""
    names: set[str] = set()
    rows = []
    for index in range(size.villages):
        while (name := "".join(rng.sample(PLACE, 2)) + "村") in names:
            pass
        names.add(name)
        town = TOWNS[index * len(TOWNS) // size.villages]
        rows.append({"code": f"V{index + 1:03d}", "name": name, "town": town, "county": COUNTY})
    return rows


def household_rows(size: Size, villages: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    """The household register: households spread evenly over villages, unique synthetic IDs."""
    ids: set[str] = set()  # an ID number is never repeated: the register refuses a second one
    taken: dict[str, int] = defaultdict(int)
    rows = []
    for index in range(size.households):
        village = villages[index * len(villages) // size.households]
        number = taken[village["code"]]
        taken[village["code"]] += 1
        while (id_number := synthetic_id(rng, REGION)) in ids:
            pass
        ids.add(id_number)
        code = f"{village['code']}{number + 1:03d}"
        rows.append(
            {
                "code": code,
                "village": village["code"],
                "head_name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                "id_number": id_number,
                "phone": synthetic_phone(rng) if rng.random() < 0.85 else "",
                "members": str(rng.choices(range(1, 7), (8, 22, 25, 25, 13, 7))[0]),
                "grid": f"第{number // 100 + 1}网格",
                "address": f"{village['name']}{rng.choice('前中后东西')}街{number + 1}号",
                "consent_board": YES if rng.random() < 0.9 else NO,
                "consent_bank": YES if rng.random() < 0.85 else NO,
            }
        )
    return rows


def standards_toml() -> str:
    """A county-wide resolution adopting every benchmark standard."""
    lines = [
        "# 合成基准数据：全县统一的道德银行积分标准",
        "",
        "[resolution]",
        f'date = "{RESOLUTION_DATE}"',
        'body = "村民代表会议"',
        "members = 41",
        "present = 38",
        "in_favour = 36",
        "against = 1",
        "abstain = 1",
        'minutes = "审议通过全县统一的道德银行积分标准（合成基准数据）。"',
    ]
    for code, title, category, points, cap, veto, _weight in STANDARDS:
        lines += ["", "[[standards]]", f'code = "{code}"', f'title = "{title}"', f'category = "{category}"']
        lines.append(f"points = {points}")
        if cap is not None:
            lines.append(f"monthly_cap = {cap}")
        if veto:
            lines.append("veto = true")
    return "\n".join(lines) + "\n"


class MonthPicker:
    """Chooses standards for one month's decisions without exceeding any monthly cap."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.awards = [s for s in STANDARDS if s[3] > 0]
        self.deductions = [s for s in STANDARDS if s[3] < 0]
        self.award_weights = [s[6] for s in self.awards]
        self.deduction_weights = [s[6] for s in self.deductions]
        self.used: dict[tuple[str, str], int] = defaultdict(int)

    def pick(self, household: str) -> str:
        """A standard code for one decision about this household."""
        if self.rng.random() < DEDUCTION_SHARE:
            return self.rng.choices(self.deductions, self.deduction_weights)[0][0]
        code, _title, _category, points, cap, _veto, _weight = self.rng.choices(self.awards, self.award_weights)[0]
        if cap is not None:
            if self.used[(household, code)] + points > cap:
                return UNCAPPED_AWARD
            self.used[(household, code)] += points
        return code


def decision_rows(size: Size, month: str, households: list[str], rng: random.Random) -> list[dict[str, str]]:
    """One month's decisions for the whole county, in household order, each with a unique key."""
    count = size.decisions // len(size.months) + (size.months.index(month) < size.decisions % len(size.months))
    picker = MonthPicker(rng)
    chosen = sorted(rng.choices(households, k=count))
    rows = []
    for number, household in enumerate(chosen, start=1):
        rows.append(
            {
                "household": household,
                "standard": picker.pick(household),
                "qty": "1",
                "event_date": f"{month}-{rng.randint(1, BOOKING_DAY):02d}",
                "booked_on": f"{month}-{BOOKING_DAY}",
                "note": rng.choice(NOTES),
                "key": f"B{month}-{number:06d}",
            }
        )
    return rows


def check_dates(rows: list[dict[str, str]], today: str) -> None:
    """Refuse to write a date after today (business timezone): the commands would refuse the sheet."""
    late = [r for r in rows if max(r["event_date"], r["booked_on"]) > today]
    if late:
        raise SystemExit(f"generated a date after {today}: {late[0]}")


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """A UTF-8 sheet with English headers, as the import commands read it."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def generate(size: Size, out: Path, seed: int = SEED) -> dict[str, object]:
    """Write the county of this size into ``out`` and return its manifest."""
    rng = random.Random(f"{seed}:{size.name}")
    (out / "decisions").mkdir(parents=True, exist_ok=True)
    villages = village_rows(size, rng)
    households = household_rows(size, villages, rng)
    write_csv(out / "villages.csv", villages)
    write_csv(out / "households.csv", households)
    (out / "standards.toml").write_text(standards_toml(), encoding="utf-8")
    if len({h["id_number"] for h in households}) != len(households):
        raise SystemExit("generated an ID number twice")
    codes = [h["code"] for h in households]
    sheets = []
    today = business_today().isoformat()
    whole = out / "decisions-all.csv"  # the whole history in one file, for the single-file import
    whole.unlink(missing_ok=True)
    for month in size.months:
        path = out / "decisions" / f"{month}.csv"
        rows = decision_rows(size, month, codes, rng)
        check_dates(rows, today)
        write_csv(path, rows)
        with whole.open("a", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
            if month == size.months[0]:
                writer.writeheader()
            writer.writerows({**r, "key": f"A{r['key']}"} for r in rows)  # keys of its own
        sheets.append(str(path.relative_to(out)))
    manifest: dict[str, object] = {
        "size": size.name,
        "seed": seed,
        "villages": size.villages,
        "households": size.households,
        "decisions": size.decisions,
        "months": list(size.months),
        "sheets": sheets,
        "whole": str(whole.relative_to(out)),
        "generated_on": today,
        "reversals": size.reversals,
        "redemptions": size.redemptions,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    """``python bench/generate.py --size S [--out DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/out/<size>/data")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "out" / args.size / "data"
    manifest = generate(SIZES[args.size], out, args.seed)
    print(f"wrote {manifest['households']} households, {manifest['decisions']} decisions to {out}")


if __name__ == "__main__":
    main()
