"""Credit ratings, explanations and village-wide figures for people (rich) and machines (CSV)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import chain
from typing import IO, TYPE_CHECKING, Any

from moralbank.domain.credit_policy import Condition, DesignationCheck
from moralbank.messages import MESSAGES, text
from moralbank.render.formats import CsvWriter, bare, inert_cell
from moralbank.render.spreadsheet import BOM, Cell, SheetTable, worded
from moralbank.render.spreadsheet import heading as column_heading
from moralbank.reports.credit import (
    CountyTotal,
    CreditSummary,
    Explanation,
    Rating,
    Ratings,
    RatingValues,
    Threshold,
    VillageSummary,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

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


def percent(permille: int) -> str:
    """A share in thousandths as a percentage with one decimal: ``72.5%``."""
    return f"{permille // 10}.{permille % 10}%"


def large_amount(amount: int, lang: str) -> str:
    """Yuan in 亿元 to two places (half up), or in 万元 when that would read 0.00 亿元.

    In English: in billions, or in millions below a billion (0.77 million yuan).
    """
    if lang == "zh":
        unit, key = (100_000_000, "credit.yi") if amount >= 1_000_000 else (10_000, "credit.wan")
    else:
        unit, key = (1_000_000_000, "credit.yi") if amount >= 1_000_000_000 else (1_000_000, "credit.wan")
    hundredths = (amount * 100 + unit // 2) // unit
    return text(key, lang, value=f"{hundredths // 100}.{hundredths % 100:02d}")


class Grouped(int):
    """A count that still chooses its plural form, shown with thousands separators (12,345)."""

    def __format__(self, spec: str) -> str:
        return format(int(self), spec or ",")


def households_text(count: int, lang: str) -> str:
    """Households as the practice counts them: ``12.5 万户`` from ten thousand on, else ``36 户``."""
    if lang == "zh" and count >= 10_000:
        tenths = (count + 500) // 1000
        return text("credit.households_wan", lang, value=f"{tenths // 10}.{tenths % 10}")
    return text("credit.households_count", lang, count=count if lang == "zh" else Grouped(count))


def condition_text(condition: Condition, lang: str) -> str:
    """One condition of a designation as the village stands: found, wanted, met or short by how much."""
    c = condition
    found = str(c.found) if c.rule == "vetoed" else percent(c.found)
    line = text(f"credit.rule.{c.rule}", lang, found=found, wanted=c.wanted, tier=c.tier or "")
    if c.met:
        return line + text("credit.rule_met", lang)
    gap = percent(c.gap) if c.rule == "bad_loans" else c.gap
    keys = {"vetoed": "credit.rule_over_households", "bad_loans": "credit.rule_over"}
    key = keys.get(c.rule, "credit.rule_short")
    return line + text(key, lang, gap=gap)


def check_lines(found: Sequence[DesignationCheck], lang: str) -> list[str]:
    """Each designation, met or not, with its conditions."""
    lines = []
    for check in found:
        mark = text("credit.check_met" if check.met else "credit.check_missed", lang)
        joined = "；" if lang == "zh" else "; "
        conditions = joined.join(condition_text(c, lang) for c in check.conditions)
        lines.append(
            text("credit.check_line", lang, name=designation_text(check.code, lang), mark=mark, list=conditions)
        )
    return lines


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
    from rich.table import Table  # only the tables for people: a CSV of the county has none

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
    from rich.text import Text

    return [table, *(Text(line) for line in ratings_notes(report, lang))]


def ratings_notes(report: Ratings, lang: str) -> list[str]:
    """How many households are listed and rated, with their credit; and the policy and window."""
    rated = [r for r in report.ratings if r.tier]
    amount = yuan(sum(r.credit_line for r in rated))
    count = (
        text("credit.listed", lang, count=len(report.ratings), rated=len(rated), amount=amount)
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
    return [count, policy]


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def ratings_sheet(report: Ratings, lang: str) -> SheetTable:
    """One row per household in ``lang``: the reason in words, the as-of date and policy hash on every row."""
    header = [column_heading(name, lang) for name in (*_RATING_CSV, "as_of", "policy_hash")]
    rows: list[list[Cell]] = []
    for r in report.ratings:
        cells = [worded(name, getattr(r, name), lang) for name in _RATING_CSV]
        cells[_RATING_CSV.index("reason")] = reason_text(r, lang) or None
        rows.append([*cells, date.fromisoformat(report.as_of), report.policy_hash])
    return SheetTable(text("sheet.ratings", lang), header, rows)


def write_ratings_csv(stream: IO[str], head: Ratings, ratings: Iterable[RatingValues], lang: str) -> None:
    """``ratings_sheet`` of ``head`` with ``ratings`` (a Rating's values, as ``rating_values`` gives them) as CSV.

    The same bytes as ``csv_text(ratings_sheet(...))`` (tests/test_county_reads.py), in bounded
    memory and without a call per cell: a county rates 125,000 households (bench/RESULTS.md).
    Every cell is text, a whole number or empty, as worded() and csv_cell() would give it
    (an ISO date reads back as itself). The cells that repeat (village, tier, reason, standard,
    dates, policy) are made inert once per distinct value; CsvWriter checks the household codes
    and names a block at a time.
    """
    header = [column_heading(name, lang) for name in (*_RATING_CSV, "as_of", "policy_hash")]
    buffer = io.StringIO()  # rows go to the stream a block at a time, not a write each
    writer = CsvWriter(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    cell = _InertCells()
    on, policy = cell[head.as_of], cell[head.policy_hash]
    # From the tier on, a county's ratings repeat (a few hundred outcomes, a few thousand register
    # dates), and so do its 417 villages: those cells are made inert and written as CSV once per
    # distinct value, and a line is its household code, head's name and points joined between
    # them. A block whose codes or names CSV would change or quote goes through the writer whole.
    tails: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}  # by the values from the tier on (a slice)
    places: dict[str, tuple[str, str]] = {}
    block: list[tuple[str, str, tuple[Any, ...], str, str, int, str]] = []
    for values in ratings:
        asked = values[4:]
        if (tail := tails.get(asked)) is None:
            tail = _rating_tail(values, cell, lang, on, policy, writer)
            if len(tails) < _TAILS_REMEMBERED:
                tails[asked] = tail
        if (place := places.get(values[1])) is None:
            place = places[values[1]] = (cell[values[1]], writer.text_of((cell[values[1]], "")))
        block.append((place[0], place[1], tail[0], tail[1], values[0], values[3], values[2]))
        if len(block) == _BLOCK_ROWS:
            _write_block(writer, buffer, block)
            stream.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            block.clear()
    _write_block(writer, buffer, block)
    stream.write(buffer.getvalue())


def _write_block(
    writer: CsvWriter, buffer: IO[str], block: list[tuple[str, str, tuple[Any, ...], str, str, int, str]]
) -> None:
    """Lines of ratings (village cell and its text with a trailing ",", tail cells and text, code, points, name)."""
    if bare(chain.from_iterable((row[4], row[6]) for row in block)):
        buffer.write(
            "".join([f"{code},{place}{name},{points},{tail}\r\n" for _, place, _, tail, code, points, name in block])
        )
    else:
        writer.writerows_checking(
            [(code, village, name, points, *cells) for village, _, cells, _, code, points, name in block], _CHECKED
        )


def _rating_tail(
    values: RatingValues, cell: _InertCells, lang: str, on: str, policy: str, writer: CsvWriter
) -> tuple[tuple[Any, ...], str]:
    """A rating's CSV cells from its tier to the policy hash, each inert (``worded`` and ``csv_cell``
    would agree), and their text."""
    _, _, _, _, tier, line, why, veto_entry, veto_standard, since, until = values
    reason = "" if why is None else inert_cell(reason_text(Rating(*values), lang))
    cells = (cell[tier], line, reason, veto_entry or "", cell[veto_standard], cell[since], cell[until], on, policy)
    return cells, writer.text_of(cells)


_TAILS_REMEMBERED = 50_000  # L has 6,931 distinct; a bound all the same
_BLOCK_ROWS = 5000  # rows written to the stream at a time
_CHECKED = (0, 2)  # household and head name: the text cells that differ on every row


class _InertCells(dict[Any, Any]):
    """Each value as a CSV cell (None empty, text inert), worked out on its first use."""

    def __missing__(self, value: Any) -> Any:
        cell = self[value] = "" if value is None else inert_cell(value)
        return cell


def _figures(place: VillageSummary | CountyTotal, tiers: list[str]) -> list[Any]:
    """Households, rated, share, each tier, credit and vetoed: the columns villages and total share."""
    return [
        place.households,
        place.rated,
        percent(place.share_permille),
        *(place.tiers[t] for t in tiers),
        place.credit_total,
        place.vetoed,
    ]


def summary_renderables(report: CreditSummary, lang: str) -> list[RenderableType]:
    """The per-village table with a total row, then the county sentence, titles and policy."""
    tiers = list(report.total.tiers)
    names = ["households", "rated", "share", *tiers, "credit_total", "vetoed"]
    headings = [
        (text("col.village", lang), False),
        (text("col.name", lang), False),
        *((n if n in tiers else text(f"col.{n}", lang), True) for n in names),
        (text("col.designation", lang), False),
    ]
    table = _table(text("credit.summary_title", lang, as_of=report.as_of), headings)
    for v in report.villages:
        cells = [yuan(x) if n == "credit_total" else str(x) for n, x in zip(names, _figures(v, tiers), strict=True)]
        table.add_row(v.village, v.name, *cells, designation_text(v.designation, lang))
    totals = [
        yuan(x) if n == "credit_total" else str(x) for n, x in zip(names, _figures(report.total, tiers), strict=True)
    ]
    table.add_row(text("credit.total_label", lang), "", *totals, "", style="bold")
    banks = [bank_table(report, lang)] if reported(report) else []
    from rich.text import Text

    return [table, *banks, *(Text(line) for line in summary_lines(report, lang))]


_BANK_COLUMNS = ("authorised", "authorised_yuan", "drawn_yuan", "borrowers", "in_arrears", "repaying")


def reported(report: CreditSummary) -> bool:
    """Whether any bank has sent back an approval or a loan counted here."""
    t = report.total
    return bool(t.authorised or t.borrowers)


def _bank_figures(place: VillageSummary | CountyTotal) -> list[Any]:
    return [
        place.authorised, place.authorised_yuan, place.drawn_yuan, place.borrowers, place.in_arrears,
        percent(place.repaying_permille) if place.borrowers else "—",
    ]  # fmt: skip


def bank_table(report: CreditSummary, lang: str) -> Table:
    """What banks granted, per village and for the county: authorised, drawn, borrowers, arrears."""
    headings = [(text("col.village", lang), False), (text("col.name", lang), False)]
    headings += [(text(f"col.{n}", lang), True) for n in _BANK_COLUMNS]
    table = _table(text("credit.bank_table_title", lang, as_of=report.as_of), headings)

    def cells(place: VillageSummary | CountyTotal) -> list[str]:
        return [yuan(v) if isinstance(v, int) else str(v) for v in _bank_figures(place)]

    for v in report.villages:
        table.add_row(v.village, v.name, *cells(v))
    table.add_row(text("credit.total_label", lang), "", *cells(report.total), style="bold")
    return table


def summary_lines(report: CreditSummary, lang: str) -> list[str]:
    """The county figures in a sentence, the designations counted, and the policy."""
    t = report.total
    titles = "，" if lang == "zh" else ", "
    counted = titles.join(
        text("credit.designation_count", lang, name=designation_text(code, lang), count=count)
        for code, count in t.designations.items()
    )
    lines = [
        text(
            "credit.county_line_in",
            lang,
            villages=t.villages,
            rated=t.rated,
            share=percent(t.share_permille),
            amount=yuan(t.credit_total),
            large=large_amount(t.credit_total, lang),
        )
    ]
    if reported(report):
        lines.append(county_bank_line(report, lang))
    if counted:
        lines.append(text("credit.designations_line", lang, list=counted))
    lines.append(text("credit.summary_policy", lang, name=report.policy, hash=report.policy_hash))
    return lines


def county_bank_line(report: CreditSummary, lang: str) -> str:
    """The county in the practice's words: 文明信用户 12.5 万户，累计授信 36.8 亿元 …"""
    t = report.total
    return text(
        "credit.county_bank_line",
        lang,
        rated=households_text(t.rated, lang),
        authorised=households_text(t.authorised, lang),
        amount=large_amount(t.authorised_yuan, lang),
        drawn=large_amount(t.drawn_yuan, lang),
        borrowers=households_text(t.borrowers, lang),
        repaying=percent(t.repaying_permille),
    )


def summary_sheet(report: CreditSummary, lang: str) -> SheetTable:
    """One row per village and a last row for the county total, in ``lang``; amounts in yuan as numbers."""
    tiers = list(report.total.tiers)
    figures = [text("col.households", lang), text("col.rated", lang), text("col.share", lang), *tiers]
    header = [text("col.village", lang), text("col.name", lang), *figures, text("col.credit_total", lang)]
    header += [text("col.vetoed", lang), text("col.designation", lang), text("col.as_of", lang)]
    header += [text(f"col.{n}", lang) for n in _BANK_COLUMNS]  # what banks granted (issue 15)
    on = date.fromisoformat(report.as_of)
    rows: list[list[Cell]] = []
    for v in report.villages:
        rows.append(
            [v.village, v.name, *_figures(v, tiers), designation_text(v.designation, lang), on, *_bank_figures(v)]
        )
    total = report.total
    rows.append([text("credit.total_label", lang), None, *_figures(total, tiers), None, on, *_bank_figures(total)])
    return SheetTable(text("sheet.summary", lang), header, rows)


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


def explain_lines(e: Explanation, lang: str) -> list[str]:
    """The result and what it rests on: points in the window, time on the register, any veto."""
    r = e.rating
    lines = [
        _result(e, lang),
        text("credit.explain_points", lang, lo=e.window_from, hi=e.window_to, points=r.points, count=len(e.entries)),
        text(
            "credit.explain_register", lang, since=r.since, months=e.months_registered, needed=e.min_months_registered
        ),
    ]
    if e.veto is None:
        lines.append(text("credit.explain_no_veto", lang, lo=e.veto_from))
    else:
        v = e.veto
        veto = {"id": v.id, "booked_on": v.booked_on, "standard": v.standard, "title": v.title, "earned": v.earned}
        lines.append(text("credit.explain_veto", lang, lo=e.veto_from, **veto))
    lines.append(_bank_line(e, lang))
    lines.append(text("credit.explain_village", lang, village=r.village))
    lines += ["  " + line for line in check_lines(e.village_checks, lang)]
    lines.append(text("credit.summary_policy", lang, name=e.policy, hash=e.policy_hash))
    return lines


def _bank_line(e: Explanation, lang: str) -> str:
    b = e.bank
    if b is None:
        return text("credit.explain_no_bank", lang)
    return text(
        "credit.explain_bank",
        lang,
        banks="、".join(b.banks) if lang == "zh" else ", ".join(b.banks),
        authorised=money(b.authorised_fen),
        drawn=money(b.drawn_fen),
        overdue=money(b.overdue_fen),
        days=b.overdue_days,
    )


def money(fen: int) -> str:
    """Fen as yuan: ``50,000`` or ``5,000.50``."""
    whole, part = divmod(fen, 100)
    return yuan(whole) + (f".{part:02d}" if part else "")


def explain_renderables(e: Explanation, lang: str) -> list[RenderableType]:
    """Why the household has its tier: the lines above, the counting entries and the tiers."""
    r = e.rating
    head = text("credit.explain_title", lang, household=r.household, name=r.head_name, village=r.village, as_of=e.as_of)
    columns = ("id", "booked_on", "kind", "standard", "title", "earned")
    entries = _table(
        text("credit.entries_title", lang), [(text(f"col.{n}", lang), n in {"id", "earned"}) for n in columns]
    )
    for c in e.entries:
        kind = text(f"value.kind.{c.kind}", lang) if f"value.kind.{c.kind}" in MESSAGES else c.kind
        entries.add_row(str(c.id), c.booked_on, kind, c.standard, c.title, str(c.earned))
    shown = ("tier", "min_points", "credit_line", "step", "reached")
    numeric = {"min_points", "credit_line"}
    tiers = _table(text("credit.thresholds_title", lang), [(text(f"col.{n}", lang), n in numeric) for n in shown])
    for t in e.thresholds:
        reached = text("value.yes" if t.reached else "value.no", lang)
        tiers.add_row(t.tier, str(t.min_points), yuan(t.credit_line), _step(t, lang), reached)
    from rich.text import Text

    return [Text(head, style="bold"), *(Text(line) for line in explain_lines(e, lang)), entries, tiers]


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
    if manifest.valid_until is not None:  # a list signed before the field was added has none
        lines.append(text("credit_verify.ok_valid_until", lang, until=manifest.valid_until))
    lines += [text("credit_verify.ok_checkpoint", lang, **mark) for mark in manifest.checkpoints]
    return lines
