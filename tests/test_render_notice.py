"""The public notice as pinned on the wall: printed by Chromium on A4 for 5, 30 and 200 rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from moralbank.render.notice import notice_html
from moralbank.reports.notice import Notice, NoticeRow
from tests.golden_files import assert_golden
from tests.printing import has_cjk_font, needs_chromium, print_page, screenshot

TITLES = ["乱倒垃圾", "参加志愿义务劳动", "门前三包、庭院整洁", "孝老爱亲事迹突出", "打架斗殴"]
NAMES = ["刘志涛", "王**", "张学勇", "高新华", "徐**", "李秀梅"]


def _notice(count: int) -> Notice:
    rows = [
        NoticeRow(
            100 + n,
            f"DZ{n + 1:03d}",
            NAMES[n % len(NAMES)],
            f"S{n % 5}",
            TITLES[n % len(TITLES)],
            (-10 if n % 5 == 4 else 2 + n % 3),
            "2026-11-20",
            "2026-11-21",
            "2026-11-28",
        )
        for n in range(count)
    ]
    return Notice("DZ", "东庄村", 7, "2026-11-22", "2026-11-28", "东庄村村民委员会", "村文书 刘会计", rows)


def test_golden_notice_page() -> None:
    assert_golden("notice_wall.html", notice_html(_notice(5), "zh"))


@needs_chromium
@pytest.mark.parametrize(("rows", "pages"), [(5, 1), (30, 1), (200, 6)])
def test_the_notice_prints_whole_on_numbered_a4_pages(tmp_path: Path, rows: int, pages: int) -> None:
    page = tmp_path / "notice.html"
    page.write_text(notice_html(_notice(rows), "zh"), encoding="utf-8")
    printed = print_page(page)
    assert len(printed.pages) == pages and has_cjk_font(printed)
    assert "东庄村2026年11月拟记积分公示" in printed.pages[0] and "异议截止：2026年11月28日" in printed.pages[0]
    for number, text in enumerate(printed.pages, start=1):
        if "DZ" in text:  # the header repeats on every page of the list
            assert "户编号" in text and "备注" in text, number
        assert f"第 {number} 页，共 {pages} 页" in text
    lines = printed.text.splitlines()
    for n in range(rows):  # every row printed, its title never broken across lines
        row = next((line for line in lines if f"DZ{n + 1:03d}" in line), "")
        assert TITLES[n % len(TITLES)] in row, (n, row)
    assert "东庄村村民委员会（盖章）" in printed.pages[-1] and "公示人（签字）" in printed.pages[-1]
    if rows == 30:
        screenshot(page, "notice.png")
