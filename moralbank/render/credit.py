"""Credit ratings, explanations and village-wide figures for people (rich) and machines (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from moralbank.messages import MESSAGES, text
from moralbank.reports.credit import CreditSummary, Explanation, Rating, Ratings, Threshold
from moralbank.services.signing import Manifest

_RATING_CSV = (
    "household",
    "village",
    "head_name",
    "points",
    "tier",
    "credit_line",
    "reason",
    "veto_entry",
    "veto_standard",
    "since",
    "valid_until",
)


def yuan(amount: int) -> str:
    """An amount of yuan with thousands separators: ``3,680,000``."""
    return f"{amount:,}"


def reason_text(rating: Rating, lang: str) -> str:
    """Why a household is not rated, in words; empty when it is rated."""
    if rating.reason is None:
        return ""
    return text(
        f"credit.reason.{rating.reason}",
        lang,
        standard=rating.veto_standard or "",
        entry=rating.veto_entry or "",
        since=rating.since,
    )


def designation_text(code: str | None, lang: str) -> str:
    """A designation's name from the catalogue (the code itself for a title the policy invented)."""
    if code is None:
        return "—"
    key = f"value.designation.{code}"
    return text(key, lang) if key in MESSAGES else code


def _table(title: str | None, headings: Sequence[tuple[str, bool]]) -> Table:
    table = Table(title=title)
    for heading, numeric in headings:
        table.add_column(heading, justify="right" if numeric else "left")
    return table


def ratings_renderables(report: Ratings, lang: str) -> list[RenderableType]:
    """The ratings table, the policy line under it, and the count."""
    names = ["household", "village", "head_name", "points", "tier", "credit_line", "valid_until", "reason"]
    numeric = {"points", "credit_line"}
    # The points here are earned points (积分), not a standard's value (分值).
    heading = {"points": "col.earned"}
    table = _table(
        text("credit.rate_title", lang, as_of=report.as_of),
        [(text(heading.get(n, f"col.{n}"), lang), n in numeric) for n in names],
    )
    for r in report.ratings:
        line = yuan(r.credit_line) if r.tier else ""
        table.add_row(
            r.household,
            r.village,
            r.head_name,
            str(r.points),
            r.tier or "",
            line,
            r.valid_until or "",
            reason_text(r, lang),
        )
    rated = [r for r in report.ratings if r.tier]
    count = (
        text(
            "credit.listed",
            lang,
            count=len(report.ratings),
            rated=len(rated),
            amount=yuan(sum(r.credit_line for r in rated)),
        )
        if report.ratings
        else text("credit.none_listed", lang)
    )
    policy = text(
        "credit.policy_line",
        lang,
        name=report.policy,
        hash=report.policy_hash,
        lo=report.window_from,
        hi=report.window_to,
    )
    return [table, Text(count), Text(policy)]


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def ratings_csv(report: Ratings) -> str:
    """One line per household, with the as-of date and the policy's hash on every line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_RATING_CSV, "as_of", "policy_hash"])
    for r in report.ratings:
        writer.writerow([*(_cell(getattr(r, name)) for name in _RATING_CSV), report.as_of, report.policy_hash])
    return out.getvalue()


def summary_renderables(report: CreditSummary, lang: str) -> list[RenderableType]:
    """The per-village table with a total row, then the county sentence, titles and policy."""
    tiers = list(report.total.tiers)
    headings = [
        (text("col.village", lang), False),
        (text("col.name", lang), False),
        (text("col.households", lang), True),
        (text("col.rated", lang), True),
        (text("col.share", lang), True),
        *((tier, True) for tier in tiers),
        (text("col.credit_total", lang), True),
        (text("col.vetoed", lang), True),
        (text("col.designation", lang), False),
    ]
    table = _table(text("credit.summary_title", lang, as_of=report.as_of), headings)
    for v in report.villages:
        counts = [str(v.tiers[t]) for t in tiers]
        table.add_row(
            v.village,
            v.name,
            str(v.households),
            str(v.rated),
            v.share,
            *counts,
            yuan(v.credit_total),
            str(v.vetoed),
            designation_text(v.designation, lang),
        )
    t = report.total
    table.add_row(
        text("credit.total_label", lang),
        "",
        str(t.households),
        str(t.rated),
        t.share,
        *(str(t.tiers[k]) for k in tiers),
        yuan(t.credit_total),
        str(t.vetoed),
        "",
        style="bold",
    )
    return [table, *(Text(line) for line in summary_lines(report, lang))]


def summary_lines(report: CreditSummary, lang: str) -> list[str]:
    """The county figures in a sentence, the designations counted, and the policy."""
    t = report.total
    hundredths = (t.credit_total + 500_000) // 1_000_000  # 亿元 (10^8 yuan) to two places, half up
    yi = f"{hundredths // 100}.{hundredths % 100:02d}"
    titles = "，" if lang == "zh" else ", "
    counted = titles.join(
        text("credit.designation_count", lang, name=designation_text(code, lang), count=count)
        for code, count in t.designations.items()
    )
    lines = [
        text(
            "credit.county_line",
            lang,
            villages=t.villages,
            rated=t.rated,
            share=t.share,
            amount=yuan(t.credit_total),
            yi=yi,
        )
    ]
    if counted:
        lines.append(text("credit.designations_line", lang, list=counted))
    lines.append(text("credit.summary_policy", lang, name=report.policy, hash=report.policy_hash))
    return lines


def summary_csv(report: CreditSummary) -> str:
    """One line per village and a last line ``total`` for the county."""
    tiers = list(report.total.tiers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "village",
            "name",
            "households",
            "rated",
            "share",
            *(f"tier_{t}" for t in tiers),
            "credit_total",
            "vetoed",
            "designation",
            "as_of",
            "policy_hash",
        ]
    )
    for v in report.villages:
        writer.writerow(
            [
                v.village,
                v.name,
                v.households,
                v.rated,
                v.share,
                *(v.tiers[t] for t in tiers),
                v.credit_total,
                v.vetoed,
                v.designation or "",
                report.as_of,
                report.policy_hash,
            ]
        )
    t = report.total
    writer.writerow(
        [
            "total",
            "",
            t.households,
            t.rated,
            t.share,
            *(t.tiers[k] for k in tiers),
            t.credit_total,
            t.vetoed,
            "",
            report.as_of,
            report.policy_hash,
        ]
    )
    return out.getvalue()


def _step(threshold: Threshold, lang: str) -> str:
    if not threshold.step_points or not threshold.step_credit:
        return ""
    cap = yuan(threshold.max_credit) if threshold.max_credit is not None else text("credit.no_cap", lang)
    return text("credit.step_rule", lang, points=threshold.step_points, credit=yuan(threshold.step_credit), cap=cap)


def _result(e: Explanation, lang: str) -> str:
    r = e.rating
    if r.tier is not None:
        return text("credit.explain_rated", lang, tier=r.tier, line=yuan(r.credit_line), until=r.valid_until)
    return text("credit.explain_not_rated", lang, reason=reason_text(r, lang))


def explain_renderables(e: Explanation, lang: str) -> list[RenderableType]:
    """Why the household has its tier: result, points, register, veto, entries and tiers."""
    r = e.rating
    head = text("credit.explain_title", lang, household=r.household, name=r.head_name, village=r.village, as_of=e.as_of)
    lines = [
        _result(e, lang),
        text("credit.explain_points", lang, lo=e.window_from, hi=e.window_to, points=r.points, count=len(e.entries)),
        text(
            "credit.explain_register", lang, since=r.since, months=e.months_registered, needed=e.min_months_registered
        ),
    ]
    if e.veto is not None:
        v = e.veto
        lines.append(
            text(
                "credit.explain_veto",
                lang,
                id=v.id,
                booked_on=v.booked_on,
                standard=v.standard,
                title=v.title,
                earned=v.earned,
                lo=e.veto_from,
            )
        )
    else:
        lines.append(text("credit.explain_no_veto", lang, lo=e.veto_from))
    lines.append(text("credit.summary_policy", lang, name=e.policy, hash=e.policy_hash))
    entries = _table(
        text("credit.entries_title", lang),
        [
            (text(f"col.{n}", lang), n in {"id", "earned"})
            for n in ("id", "booked_on", "kind", "standard", "title", "earned")
        ],
    )
    for c in e.entries:
        kind = text(f"value.kind.{c.kind}", lang) if f"value.kind.{c.kind}" in MESSAGES else c.kind
        entries.add_row(str(c.id), c.booked_on, kind, c.standard, c.title, str(c.earned))
    tiers = _table(
        text("credit.thresholds_title", lang),
        [
            (text(f"col.{n}", lang), n in {"min_points", "credit_line"})
            for n in ("tier", "min_points", "credit_line", "step", "reached")
        ],
    )
    for t in e.thresholds:
        reached = text("value.yes" if t.reached else "value.no", lang)
        tiers.add_row(t.tier, str(t.min_points), yuan(t.credit_line), _step(t, lang), reached)
    return [Text(head, style="bold"), *(Text(line) for line in lines), entries, tiers]


def verified_lines(manifest: Manifest, lang: str) -> list[str]:
    """What a bank reads after a successful verification."""
    ids = text("credit_verify.ok_full_id" if manifest.full_id else "credit_verify.ok_masked", lang)
    lines = [
        text("credit_verify.ok", lang, file=manifest.file),
        text("credit_verify.ok_rows", lang, rows=manifest.rows, as_of=manifest.as_of, bank=manifest.bank, ids=ids),
        text("credit_verify.ok_sha", lang, sha=manifest.sha256),
        text("credit_verify.ok_policy", lang, hash=manifest.policy_hash),
        text("credit_verify.ok_key", lang, key=manifest.key_id, at=manifest.signed_at),
    ]
    lines += [text("credit_verify.ok_checkpoint", lang, **mark) for mark in manifest.checkpoints]
    return lines
