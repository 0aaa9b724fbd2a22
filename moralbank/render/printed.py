"""What every printed page shares: A4 with page numbers, a CJK font, dates in words, stamp lines."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from moralbank.domain.limits import inert
from moralbank.messages import text

FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei", '
    "sans-serif"
)

# Page numbers live in the page's own margin (CSS paged media, drawn by Chromium since 131), so
# they print without the browser's header and footer; table headers repeat on every page.
BASE_CSS = f"""
@page {{ size: A4 portrait; margin: 14mm 15mm 16mm;
  @bottom-center {{ content: {{page_label}}; font: 9pt {FONTS}; color: #555; }} }}
* {{ box-sizing: border-box; }}
body {{ margin: 0 auto; max-width: 180mm; color: #222; font-size: 11pt; line-height: 1.45; font-family: {FONTS}; }}
h1 {{ color: #b71c1c; font-size: 20pt; margin: 0 0 1.5mm; letter-spacing: 0.06em; text-align: center; }}
table {{ width: 100%; border-collapse: collapse; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 1px solid #888; padding: 0.8mm 2mm; text-align: left; vertical-align: top; }}
th {{ background: #fbe9e7; white-space: nowrap; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.keep {{ white-space: nowrap; }}
.text {{ word-break: keep-all; overflow-wrap: normal; }}
.signs {{ display: flex; justify-content: space-between; gap: 8mm; margin-top: 8mm; break-inside: avoid; }}
.signs p {{ margin: 0; flex: 1; }}
.stamp {{ text-align: right; }}
.small {{ font-size: 8pt; color: #555; }}
code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }}
@media screen {{ body {{ padding: 6mm 3mm; }} }}
@media screen and (max-width: 600px) {{ body {{ font-size: 10pt; }} }}
"""


def e(value: Any) -> str:
    """A value escaped for HTML, its control characters shown replaced."""
    return html.escape("" if value is None else inert(str(value)))


def long_date(iso: str, lang: str) -> str:
    """``2026年11月29日`` in Chinese, ``29 Nov 2026`` in English."""
    day = date.fromisoformat(iso)
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%-d %b %Y")


def page(title: str, lang: str, body: str, css: str = "") -> str:
    """A self-contained A4 page (no network): the shared style, the page's own, the body."""
    base = BASE_CSS.replace("{page_label}", page_counter(text("print.page_label", lang, page="\0", pages="\1")))
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{e(title)}</title>\n'
        f"<style>{base}{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def page_counter(label: str) -> str:
    """A label whose page and page-count places hold NUL and SOH, as a CSS ``content`` value."""
    quoted = '"' + label.replace("\\", "").replace('"', "") + '"'
    return quoted.replace("\0", '" counter(page) "').replace("\1", '" counter(pages) "')


def sign_lines(lang: str, *labels: str) -> str:
    """Lines to sign and stamp by hand: one per catalogue label."""
    cells = "".join(f"<p>{e(text(key, lang))}</p>" for key in labels)
    return f'<div class="signs">{cells}</div>'
