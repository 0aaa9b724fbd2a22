"""A plain-text accounting journal that hledger and ledger-cli read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from moralbank.reports.journal import GoodsMove, Transfer
from moralbank.reports.journal import clean_text as _clean

COMMODITY = "coins"


def journal_header() -> Iterator[str]:
    """The journal's first lines: what it is, and its commodity."""
    yield f"; moralbank journal: one transaction per ledger entry, amounts in whole {COMMODITY}\n"
    yield f"commodity {COMMODITY}\n\n"  # hledger refuses "commodity 1 coins" (no decimal mark)


def journal_lines(transfers: Iterable[Transfer], goods: Iterable[GoodsMove] = ()) -> Iterator[str]:
    """One transaction per entry; household accounts are ``households:<village>:<household>``.

    Then one transaction per stock movement, in the item's own commodity (``"SOAP"``).
    """
    yield from journal_header()
    titles: dict[tuple[str, str], str] = {}  # a county has a few dozen standards and millions of entries
    for t in transfers:
        yield transfer_text(t, titles)
    yield from goods_lines(goods)


def transfer_text(t: Transfer, titles: dict[tuple[str, str], str]) -> str:
    """One transaction: its header, its two postings and the blank line after it (``titles`` caches cleaned titles)."""
    if (title := titles.get((t.standard, t.title))) is None:
        title = titles[(t.standard, t.title)] = f" {t.standard} {_clean(t.title)}" if t.standard else ""
    note = f"  ; {_clean(t.note)}" if t.note else ""
    return (
        f"{t.booked_on} ({t.village}-{t.seq}) {t.kind} {t.household}{title}{note}\n"
        f"    {t.credit}  {t.amount} {COMMODITY}\n    {t.debit}  -{t.amount} {COMMODITY}\n\n"
    )


def journal_block(items: Iterable[bytes | Transfer], titles: dict[tuple[str, str], str]) -> bytes:
    """A block of transactions as UTF-8: texts SQLite printed as they are, the rest rendered here."""
    items = list(items)
    try:
        return b"".join(items)  # type: ignore[arg-type]  # the usual block, all texts: joined in C
    except TypeError:
        return b"".join(i if isinstance(i, bytes) else transfer_text(i, titles).encode() for i in items)


def _counter_account(move: GoodsMove) -> str:
    """Where the goods come from or go to: a household, the sources of receipts, or stocktake differences."""
    if move.kind in ("redemption", "return"):
        return f"households:{move.village}:{move.household}:goods"
    if move.kind == "receipt":
        return f"village:{move.village}:shop:received"
    return f"village:{move.village}:shop:stocktake"


def goods_lines(goods: Iterable[GoodsMove]) -> Iterator[str]:
    """One balanced transaction per stock movement: the village's stock against its counter account."""
    for move in goods:
        who = f" {move.household}" if move.household else ""
        note = f"  ; {_clean(move.note)}" if move.note else ""
        # Item codes are letters, digits, "-" and "_"; quoted, a code with digits is still a commodity.
        commodity = f'"{move.item}"'
        yield (
            f"{move.booked_on} (goods-{move.village}-{move.seq}) goods {move.kind} {move.item}{who}{note}\n"
            f"    village:{move.village}:shop:stock  {move.qty} {commodity}\n"
            f"    {_counter_account(move)}  {-move.qty} {commodity}\n\n"
        )
