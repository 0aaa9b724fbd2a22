"""Copy a village ledger (e.g. a terminal's SQLite file) into another database, e.g. the county server.

Everything is copied exactly: entries keep their village, sequence and hashes (their ids may
differ; nothing refers to an entry by id across tables, and hashes do not include ids). What the
target already holds is skipped, so running the copy twice copies nothing twice; a target whose
chain for a village has diverged from the source is refused, and so is any other conflict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, text
from sqlmodel import Session, SQLModel, col, select

from moralbank.domain.chain import GENESIS, Checkpoint
from moralbank.errors import Refused
from moralbank.services.ledger import chain_heads
from moralbank.storage.db import lock_village
from moralbank.storage.models import (
    BankImport,
    BankResult,
    Board,
    Consent,
    Entry,
    ExportedRow,
    ExportLog,
    Household,
    HouseholdChange,
    HouseholdMove,
    Record,
    Resolution,
    SheetImport,
    ShopItem,
    Standard,
    StockMovement,
    Village,
    VillagePolicy,
)

# Every table schema.sql creates, in the order the copy fills it (a test keeps this complete).
TABLES = (
    "village",
    "household",
    "resolution",
    "standard",
    "entry",
    "board",
    "export_log",
    "shop_item",
    "stock_movement",
    "village_policy",
    "sheet_import",
    "export_row",
    "bank_import",
    "bank_result",
    "record",
    "household_change",
    "consent",
    "household_move",
)

# Tables each database keeps to itself: its schema's history, and who may write to it (a village
# terminal's operators are not the county server's: the server's township registers its own).
STAYS_BEHIND = ("schema_version", "operator")

# Checks one side's ledger (every chain, the zero sum, and the given checkpoints); returns the
# (village, seq) of the first problem found, or None when the ledger is intact.
ChainCheck = Callable[[Session, list[Checkpoint]], "tuple[str, int | None] | None"]

_BATCH = 2000
_STANDARD_FIELDS = (
    "scope",
    "code",
    "version",
    "title",
    "category",
    "points",
    "monthly_cap",
    "veto",
    "effective_from",
    "effective_to",
)


@dataclass
class Copied:
    """How many rows of each kind the copy added to the target."""

    villages: int = 0
    households: int = 0
    resolutions: int = 0
    standards: int = 0
    entries: int = 0
    boards: int = 0
    exports: int = 0
    items: int = 0
    movements: int = 0


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _rows(
    session: Session, model: type[SQLModel], where: str = "", order: str = "", **params: Any
) -> Iterator[dict[str, Any]]:
    """The rows of a table as dicts of their columns, streamed, in key order unless told."""
    table = _table(model)
    names = [c.name for c in table.columns]
    order = order or ", ".join(c.name for c in table.primary_key.columns)
    query = f"SELECT {', '.join(names)} FROM {table.name} {where} ORDER BY {order}"
    result = session.connection().execution_options(stream_results=True).execute(text(query), params)
    for row in result:
        yield dict(zip(names, row, strict=True))


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "id"}


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy_villages(source: Session, target: Session, copied: Copied) -> list[str]:
    codes = []
    known = set(target.exec(select(Village.code)).all())
    for row in _rows(source, Village):
        codes.append(row["code"])
        if row["code"] not in known:
            target.execute(insert(_table(Village)), [row])
            copied.villages += 1
    # Lock every chain the copy touches, in one order, before reading the target's heads.
    for code in sorted(codes):
        lock_village(target, code)
    return codes


def _copy_households(source: Session, target: Session, copied: Copied) -> None:
    rows = list(_rows(source, Household))
    there: dict[str, str] = {}
    ids: dict[str, str] = {}
    for chunk in _chunks([r["code"] for r in rows]):
        query = select(Household.code, Household.village).where(col(Household.code).in_(chunk))
        there.update({code: village for code, village in target.exec(query).all()})
    for row in rows:
        if row["code"] in there and there[row["code"]] != row["village"]:
            raise Refused(
                "copy.household_elsewhere", code=row["code"], village=row["village"], other=there[row["code"]]
            )
    fresh = [r for r in rows if r["code"] not in there]
    for chunk in _chunks([r["id_number"] for r in fresh]):
        query = select(Household.id_number, Household.code).where(col(Household.id_number).in_(chunk))
        ids.update({number: code for number, code in target.exec(query).all()})
    for row in fresh:
        if row["id_number"] in ids:
            raise Refused("copy.id_taken", code=row["code"], other=ids[row["id_number"]])
    if fresh:
        target.execute(insert(_table(Household)), fresh)
    copied.households += len(fresh)


def _resolution_id(target: Session, resolution: dict[str, Any], copied: Copied) -> int:
    """The target's id of the same meeting record, copying it first if it is not there."""
    content = _without_id(resolution)
    for row in target.execute(_table(Resolution).select()).mappings():
        if _without_id(dict(row)) == content:
            return int(row["id"])
    new_id = target.execute(insert(_table(Resolution)).returning(_table(Resolution).c.id), [content]).scalar_one()
    copied.resolutions += 1
    return int(new_id)


def _copy_standards(source: Session, target: Session, copied: Copied) -> None:
    resolutions = {r["id"]: r for r in _rows(source, Resolution)}
    mapped: dict[int, int] = {}
    for row in _rows(source, Standard):
        existing = target.get(Standard, row["id"])
        if existing is not None:
            if any(getattr(existing, name) != row[name] for name in _STANDARD_FIELDS):
                raise Refused("copy.standard_differs", id=row["id"])
            continue
        source_id = row["resolution_id"]
        if source_id not in mapped:
            mapped[source_id] = _resolution_id(target, resolutions[source_id], copied)
        target.execute(insert(_table(Standard)), [row | {"resolution_id": mapped[source_id]}])
        copied.standards += 1


def _first_difference(source: Session, target: Session, village: str, upto: int) -> int | None:
    """The first chain position up to ``upto`` where the two sides' hashes differ."""
    query = text("SELECT seq, hash FROM entry WHERE village = :v AND seq <= :s ORDER BY seq")
    params = {"v": village, "s": upto}
    if source.execute(text("SELECT hash FROM entry WHERE village = :v AND seq = :s"), params).scalar() == (
        target.execute(text("SELECT hash FROM entry WHERE village = :v AND seq = :s"), params).scalar()
    ):
        return None  # one hash covers the whole chain before it
    theirs = {seq: digest for seq, digest in target.execute(query, params)}
    for seq, digest in source.execute(query, params):
        if theirs.get(seq) != digest:
            return int(seq)
    return upto


def _check_keys(target: Session, village: str, batch: list[dict[str, Any]]) -> None:
    keys = [row["idem_key"] for row in batch if row["idem_key"]]
    for chunk in _chunks(keys):
        query = select(Entry.idem_key, Entry.village).where(col(Entry.idem_key).in_(chunk))
        for key, other in target.exec(query).all():
            raise Refused("copy.key_taken", key=key, village=village, other=other)


def _copy_entries(source: Session, target: Session, village: str, source_head: Checkpoint, copied: Copied) -> None:
    row = target.execute(
        text("SELECT seq, hash FROM entry WHERE village = :v ORDER BY seq DESC LIMIT 1"), {"v": village}
    ).first()
    have = int(row[0]) if row else 0
    if have and (seq := _first_difference(source, target, village, min(have, source_head.seq))) is not None:
        raise Refused("copy.diverged", village=village, seq=seq)
    batch: list[dict[str, Any]] = []
    for entry in _rows(source, Entry, "WHERE village = :v AND seq > :s", "seq", v=village, s=have):
        batch.append(_without_id(entry))
        if len(batch) == _BATCH:
            _insert_entries(target, village, batch, copied)
    _insert_entries(target, village, batch, copied)


def _insert_entries(target: Session, village: str, batch: list[dict[str, Any]], copied: Copied) -> None:
    if not batch:
        return
    _check_keys(target, village, batch)
    target.execute(insert(_table(Entry)), batch)
    copied.entries += len(batch)
    batch.clear()


def _copy_keyed(source: Session, target: Session, model: type[SQLModel], key: tuple[str, ...]) -> int:
    """Append the rows of an append-only table that the target lacks, matched on ``key``."""
    table = _table(model)
    count = 0
    for row in _rows(source, model):
        match = table.select().where(*(table.c[name] == row[name] for name in key))
        there = target.execute(match).mappings().first()
        if there is None:
            target.execute(insert(table), [_without_id(row)])
            count += 1
        elif _without_id(dict(there)) != _without_id(row):
            raise Refused("copy.row_differs", table=table.name, row=" ".join(str(row[name]) for name in key))
    return count


def copy_ledger(source: Session, target: Session, *, check: ChainCheck) -> Copied:
    """Copy the register, standards, entries, boards and export log from ``source`` into ``target``.

    The source is checked whole before anything is copied, and the target after (with the
    source's chain heads as checkpoints) inside the same transaction: any problem refuses the copy.
    """
    if (problem := check(source, [])) is not None:
        raise Refused("copy.source_broken", village=problem[0] or "-", seq=problem[1] or "-")
    copied = Copied()
    _copy_villages(source, target, copied)
    _copy_households(source, target, copied)
    _copy_standards(source, target, copied)
    source_heads = chain_heads(source)
    for head in source_heads:
        _copy_entries(source, target, head.village, head, copied)
    copied.boards = _copy_keyed(source, target, Board, ("village", "month"))
    copied.exports = _copy_keyed(source, target, ExportLog, ("exported_at", "file_sha256"))
    copied.items = _copy_items(source, target)
    copied.movements = sum(_copy_movements(source, target, village) for village in _stock_villages(source))
    _copy_policies(source, target)
    # The import log names entries by village and seq, which the copy keeps.
    _copy_keyed(source, target, SheetImport, ("imported_at", "file_sha256"))
    _copy_bank_answers(source, target)
    _copy_keyed(source, target, HouseholdChange, _content(HouseholdChange))
    _copy_keyed(source, target, Consent, _content(Consent))
    _copy_keyed(source, target, HouseholdMove, _content(HouseholdMove))
    copy_records(source, target)
    if (problem := check(target, source_heads)) is not None:
        raise Refused("copy.target_broken", village=problem[0] or "-", seq=problem[1] or "-")
    return copied


# --- the points supermarket (issue 14) ---

_STOCK_HASH = text("SELECT hash FROM stock_movement WHERE village = :v AND seq = :s")


def _stock_villages(source: Session) -> list[str]:
    return [str(row[0]) for row in source.execute(text("SELECT DISTINCT village FROM stock_movement ORDER BY village"))]


def _copy_items(source: Session, target: Session) -> int:
    """Catalogue versions the target lacks, by their natural id; a version that differs is refused."""
    count = 0
    for row in _rows(source, ShopItem):
        there = target.get(ShopItem, row["id"])
        if there is None:
            target.execute(insert(_table(ShopItem)), [row])
            count += 1
        elif any(
            getattr(there, name) != value for name, value in row.items() if name not in ("operator", "recorded_at")
        ):
            raise Refused("copy.row_differs", table="shop_item", row=row["id"])
    return count


def _copy_movements(source: Session, target: Session, village: str) -> int:
    """Append the source's stock movements of a village past the target's head; refused if the chains diverged."""
    row = target.execute(
        text("SELECT seq FROM stock_movement WHERE village = :v ORDER BY seq DESC LIMIT 1"), {"v": village}
    ).first()
    have = int(row[0]) if row else 0
    if have:
        params = {"v": village, "s": have}
        if source.execute(_STOCK_HASH, params).scalar() != target.execute(_STOCK_HASH, params).scalar():
            raise Refused("copy.diverged", village=village, seq=have)
    rows = [
        _without_id(r)
        for r in _rows(source, StockMovement, "WHERE village = :v AND seq > :s", "seq", v=village, s=have)
    ]
    if rows:
        target.execute(insert(_table(StockMovement)), rows)
    return len(rows)


def _copy_policies(source: Session, target: Session) -> None:
    """A village's policy is copied where the target has none; the target's own settings are kept."""
    known = set(target.exec(select(VillagePolicy.village)).all())
    fresh = [row for row in _rows(source, VillagePolicy) if row["village"] not in known]
    if fresh:
        target.execute(insert(_table(VillagePolicy)), fresh)


# --- the bank's answer (issue 15) ---
# Export-log ids differ between the two sides: an export is known by (exported_at, file_sha256)
# and a bank's table by its file's SHA-256; the rows that name them are copied with the target's ids.


def _export_ids(source: Session, target: Session) -> dict[int, int]:
    """Each source export's id on the target (the export log is copied before this)."""
    theirs = {(r.exported_at, r.file_sha256): r.id for r in target.exec(select(ExportLog)).all()}
    return {r.id or 0: theirs[(r.exported_at, r.file_sha256)] or 0 for r in source.exec(select(ExportLog)).all()}


def _copy_bank_answers(source: Session, target: Session) -> None:
    """Who was in each export, then each bank table the target lacks with its results."""
    exports = _export_ids(source, target)
    for export, theirs in exports.items():
        rows = [r | {"export_id": theirs} for r in _rows(source, ExportedRow, "WHERE export_id = :e", e=export)]
        count = target.execute(text("SELECT COUNT(*) FROM export_row WHERE export_id = :e"), {"e": theirs}).scalar()
        if rows and not count:
            target.execute(insert(_table(ExportedRow)), rows)
        elif count and count != len(rows):
            raise Refused("copy.row_differs", table="export_row", row=str(export))
    for row in _rows(source, BankImport):
        mapped = _without_id(row) | {"export_id": exports[row["export_id"]]}
        there = target.exec(select(BankImport).where(BankImport.file_sha256 == row["file_sha256"])).first()
        if there is not None:
            if _without_id(there.model_dump()) != mapped:
                raise Refused("copy.row_differs", table="bank_import", row=row["file_sha256"])
            continue
        table = _table(BankImport)
        new_id = target.execute(insert(table).returning(table.c.id), [mapped]).scalar_one()
        results = [
            _without_id(r) | {"import_id": new_id, "export_id": exports[r["export_id"]]}
            for r in _rows(source, BankResult, "WHERE import_id = :i", i=row["id"])
        ]
        if results:
            target.execute(insert(_table(BankResult)), results)


# --- records (issue 10) ---

_ID_KINDS: dict[str, type[SQLModel]] = {
    "resolution": Resolution,
    "household_change": HouseholdChange,
    "consent": Consent,
    "household_move": HouseholdMove,
    "export_log": ExportLog,
}


def _content(model: type[SQLModel]) -> tuple[str, ...]:
    return tuple(c.name for c in _table(model).columns if c.name != "id")


def _target_ref(source: Session, target: Session, kind: str, ref: str) -> str:
    """The reference of the same row in the target: natural keys are kept; ids are found by content."""
    model = _ID_KINDS.get(kind)
    if model is None:
        return ref
    table = _table(model)
    row = source.execute(table.select().where(table.c.id == int(ref))).mappings().first()
    if row is None:  # verify of the source would have said so; the copy refuses before this
        raise Refused("copy.row_differs", table=kind, row=ref)
    content = _without_id(dict(row))
    there = target.execute(table.select().where(*(table.c[name] == value for name, value in content.items())))
    found = there.mappings().first()
    if found is None:
        raise Refused("copy.row_differs", table=kind, row=ref)
    return str(found["id"])


def copy_records(source: Session, target: Session) -> int:
    """The source's records the target lacks: a village's chain is copied exactly (same seq and hash)
    when the target's chain ends where the source's record follows; otherwise (the county's "*"
    records from several terminals) the record is appended to the target's own chain of that scope."""
    from moralbank.storage.records import LiveRow, append_records

    count = 0
    query = text("SELECT scope, seq, kind, ref, body, recorded_at, prev_hash, hash FROM record ORDER BY scope, seq")
    head = text("SELECT seq, hash FROM record WHERE scope = :s ORDER BY seq DESC LIMIT 1")
    for scope, seq, kind, ref, body, recorded_at, prev_hash, digest in source.execute(query).all():
        mine = _target_ref(source, target, kind, ref)
        there = target.execute(text("SELECT body FROM record WHERE kind = :k AND ref = :r"), {"k": kind, "r": mine})
        if (existing := there.first()) is not None:
            if existing[0] != body:
                raise Refused("copy.row_differs", table="record", row=f"{kind} {mine}")
            continue
        last = target.execute(head, {"s": scope}).first()
        if ((int(last[0]), str(last[1])) if last else (0, GENESIS)) == (seq - 1, prev_hash):
            values = {"scope": scope, "seq": seq, "kind": kind, "ref": mine, "body": body}
            values |= {"recorded_at": recorded_at, "prev_hash": prev_hash, "hash": digest}
            target.execute(insert(_table(Record)), [values])
        else:
            append_records(target.connection(), [LiveRow(kind, mine, scope, json.loads(body))])
        count += 1
    return count
