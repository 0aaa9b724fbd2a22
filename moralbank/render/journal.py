"""A plain-text accounting journal that hledger and ledger-cli read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from moralbank.reports.journal import Transfer

COMMODITY = "coins"


def _clean(value: str) -> str:
    # A journal line ends at a newline, and ";" starts a comment: keep free text on one line.
    return " ".join(value.replace(";", ",").split())


def journal_lines(transfers: Iterable[Transfer]) -> Iterator[str]:
    """One transaction per entry; household accounts are ``households:<village>:<household>``."""
    yield f"; moralbank journal: one transaction per ledger entry, amounts in whole {COMMODITY}\n"
    yield f"commodity 1 {COMMODITY}\n\n"
    for t in transfers:
        title = f" {t.standard} {_clean(t.title)}" if t.standard else ""
        note = f"  ; {_clean(t.note)}" if t.note else ""
        yield f"{t.booked_on} ({t.village}-{t.seq}) {t.kind} {t.household}{title}{note}\n"
        yield f"    {t.credit}  {t.amount} {COMMODITY}\n"
        yield f"    {t.debit}  -{t.amount} {COMMODITY}\n\n"
