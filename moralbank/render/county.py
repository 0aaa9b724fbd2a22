"""The county page: one self-contained HTML file with inline SVG charts, for a phone and for print.

The charts are drawn here, as plain SVG (rects, lines and text), not by a chart library: five
simple bar charts need no JavaScript, no network and no dependency, print crisply at any size,
and their text is real text that pdftotext reads (the tests rely on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moralbank.domain.credit_policy import DesignationCheck
from moralbank.messages import text
from moralbank.render.credit import (
    condition_text,
    designation_text,
    households_text,
    large_amount,
    percent,
    reported,
    yuan,
)
from moralbank.render.printed import e, long_date, page
from moralbank.reports.county import CountyPicture

GREEN, RED, GREY = "#2e7d32", "#c62828", "#888"
TIER_COLOURS = ("#1b5e20", "#43a047", "#a5d6a7", "#c8e6c9", "#e8f5e9")
WIDTH = 640  # the viewBox's width; the SVG scales to the screen or the page


@dataclass(frozen=True)
class Bar:
    """One labelled horizontal bar made of segments (value, colour), with the text shown after it."""

    label: str
    parts: tuple[tuple[int, str], ...]
    shown: str


def _svg(height: int, body: str, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12">{body}</svg>'
    )


def month_chart(picture: CountyPicture, lang: str) -> str:
    """Awarded points up in green, deducted points down in red, month by month about a zero line."""
    months = picture.months
    top = max([m.awarded for m in months] + [1])
    low = max([-m.deducted for m in months] + [1])
    plot, left, step = 180, 10, (WIDTH - 20) / max(len(months), 1)
    zero = 20 + plot * top / (top + low)
    parts = [f'<line x1="{left}" y1="{zero:.1f}" x2="{WIDTH - 10}" y2="{zero:.1f}" stroke="{GREY}"/>']
    for n, m in enumerate(months):
        x = left + n * step + step * 0.15
        w = step * 0.7
        up = (zero - 20) * m.awarded / top
        down = (20 + plot - zero) * -m.deducted / low
        parts.append(f'<rect x="{x:.1f}" y="{zero - up:.1f}" width="{w:.1f}" height="{up:.1f}" fill="{GREEN}"/>')
        parts.append(f'<rect x="{x:.1f}" y="{zero:.1f}" width="{w:.1f}" height="{down:.1f}" fill="{RED}"/>')
        mid = x + w / 2
        parts.append(f'<text x="{mid:.1f}" y="{zero - up - 3:.1f}" text-anchor="middle">{m.awarded}</text>')
        parts.append(f'<text x="{mid:.1f}" y="{zero + down + 12:.1f}" text-anchor="middle">{m.deducted}</text>')
        parts.append(f'<text x="{mid:.1f}" y="{plot + 52}" text-anchor="middle" font-size="10">{m.month[2:]}</text>')
    return _svg(plot + 60, "".join(parts), text("county.chart_months", lang))


def bar_chart(bars: Sequence[Bar], title: str, scale: int) -> str:
    """Horizontal bars, one per row, scaled so that ``scale`` fills the width left for bars."""
    label_w, row, room = 150, 22, WIDTH - 150 - 150
    parts = []
    for n, item in enumerate(bars):
        y, x = 6 + n * row, float(label_w)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{e(item.label)}</text>')
        for value, colour in item.parts:
            w = room * abs(value) / max(scale, 1)
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{e(item.shown)}</text>')
    return _svg(12 + row * max(len(bars), 1), "".join(parts), title)


def category_chart(picture: CountyPicture, lang: str) -> str:
    """Points by category: awarded (green) and deducted (red) side by side on one bar."""
    bars = [
        Bar(c.category or "—", ((c.awarded, GREEN), (c.deducted, RED)), f"+{c.awarded} / {c.deducted}")
        for c in picture.categories
    ]
    scale = max([c.awarded - c.deducted for c in picture.categories] + [1])
    return bar_chart(bars, text("county.chart_categories", lang), scale)


def share_chart(picture: CountyPicture, lang: str) -> str:
    """The share of rated households per village, out of 100%."""
    bars = [
        Bar(v.name, ((v.share_permille, GREEN), (1000 - v.share_permille, "#eee")), percent(v.share_permille))
        for v in picture.credit.villages
    ]
    return bar_chart(bars, text("county.chart_share", lang), 1000)


def credit_chart(picture: CountyPicture, lang: str) -> str:
    """Each village's rated households stacked by tier, with its credit total after the bar."""
    tiers = list(picture.credit.total.tiers)
    bars = []
    for v in picture.credit.villages:
        parts = tuple((v.tiers[t], TIER_COLOURS[n % len(TIER_COLOURS)]) for n, t in enumerate(tiers))
        bars.append(Bar(v.name, parts, text("county.credit_bar", lang, amount=yuan(v.credit_total))))
    scale = max([v.rated for v in picture.credit.villages] + [1])
    return bar_chart(bars, text("county.chart_credit", lang), scale)


def _legend(lang: str, tiers: Sequence[str]) -> str:
    keys = [(GREEN, text("county.awarded", lang)), (RED, text("county.deducted", lang))]
    tier_keys = [(TIER_COLOURS[n % len(TIER_COLOURS)], t) for n, t in enumerate(tiers)]
    return "".join(
        f'<span class="key"><i style="background:{c}"></i>{e(label)}</span>' for c, label in keys + tier_keys
    )


def near_table(picture: CountyPicture, lang: str) -> str:
    """The villages a few rated households short of a designation."""
    if not picture.near:
        return f"<p>{e(text('county.none_near', lang))}</p>"
    heads = ("col.village", "col.name", "col.designation", "col.rated", "col.households", "county.col_missing")
    head = "".join(f"<th>{e(text(key, lang))}</th>" for key in heads)
    rows = "".join(
        f"<tr><td>{e(n.village)}</td><td>{e(n.name)}</td><td>{e(designation_text(n.designation, lang))}</td>"
        f'<td class="num">{n.rated}</td><td class="num">{n.households}</td><td class="num">{n.missing}</td></tr>'
        for n in picture.near
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _within_reach(checks: Sequence[DesignationCheck]) -> list[DesignationCheck]:
    """The designation a village holds (the first met) and the one just above it; the lowest when none is held."""
    held = next((n for n, c in enumerate(checks) if c.met), len(checks))
    return list(checks[max(0, held - 1) : held + 1]) or list(checks[-1:])


def rules_table(picture: CountyPicture, lang: str) -> str:
    """Each village against the designation it holds and the one above: every condition, met or short by how much."""
    heads = ("col.village", "col.name", "col.designation", "county.col_result", "county.col_conditions")
    head = "".join(f"<th>{e(text(key, lang))}</th>" for key in heads)
    rows = []
    for v in picture.credit.villages:
        for check in _within_reach(v.checks):
            mark = text("credit.check_met" if check.met else "credit.check_missed", lang)
            listed = "<br>".join(e(condition_text(c, lang)) for c in check.conditions)
            rows.append(
                f"<tr><td>{e(v.village)}</td><td>{e(v.name)}</td><td>{e(designation_text(check.code, lang))}</td>"
                f"<td>{e(mark)}</td><td>{listed}</td></tr>"
            )
    if not rows:
        return f"<p>{e(text('county.no_designations', lang))}</p>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_CSS = """
body { max-width: 190mm; }
section { break-inside: avoid; margin: 4mm 0 6mm; }
h2 { font-size: 13pt; margin: 0 0 2mm; color: #333; }
svg { width: 100%; height: auto; display: block; }
.figures { display: flex; flex-wrap: wrap; gap: 3mm; margin: 3mm 0; }
.figures p { margin: 0; padding: 2mm 3mm; background: #f5f5f5; border-radius: 2mm; flex: 1 1 40mm; }
.figures b { display: block; font-size: 15pt; color: #b71c1c; }
.key { margin-right: 4mm; font-size: 9pt; white-space: nowrap; }
.key i { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; }
"""


def _figures(picture: CountyPicture, lang: str) -> str:
    t = picture.credit.total
    items = [
        (text("county.fig_villages", lang), str(t.villages)),
        (text("county.fig_rated", lang), f"{t.rated}（{percent(t.share_permille)}）" if lang == "zh" else
         f"{t.rated} ({percent(t.share_permille)})"),
        (text("county.fig_credit", lang), large_amount(t.credit_total, lang)),
    ]  # fmt: skip
    if reported(picture.credit):  # what banks granted (issue 15)
        items += [
            (text("county.fig_authorised", lang), households_text(t.authorised, lang)),
            (text("county.fig_granted", lang), large_amount(t.authorised_yuan, lang)),
            (text("county.fig_repaying", lang), percent(t.repaying_permille) if t.borrowers else "—"),
        ]
    return '<div class="figures">' + "".join(f"<p>{e(k)}<b>{e(v)}</b></p>" for k, v in items) + "</div>"


def county_html(picture: CountyPicture, lang: str) -> str:
    """The county page: key figures, five charts and the villages near a threshold; no network needed."""
    title = text("county.title", lang, day=long_date(picture.as_of, lang))
    sections = [
        ("county.chart_months", month_chart(picture, lang)),
        ("county.chart_categories", category_chart(picture, lang)),
        ("county.chart_share", share_chart(picture, lang)),
        ("county.chart_credit", credit_chart(picture, lang)),
        ("county.chart_near", near_table(picture, lang)),
        ("county.chart_rules", rules_table(picture, lang)),
    ]
    body = [
        f"<h1>{e(title)}</h1>",
        _figures(picture, lang),
        f"<p>{_legend(lang, list(picture.credit.total.tiers))}</p>",
    ]
    body += [f"<section><h2>{e(text(key, lang))}</h2>{chart}</section>" for key, chart in sections]
    body.append(
        f'<p class="small">{e(text("credit.summary_policy", lang, name=picture.credit.policy, hash=picture.credit.policy_hash))}</p>'
    )
    return page(title, lang, "\n".join(body), _CSS)
