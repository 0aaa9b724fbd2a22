"""The rows every rating and export depends on, as canonical record bodies, and appending their records.

One table of records holds, per scope (a village's code, or "*" for county-wide rows), a hash
chain of the canonical JSON of each covered row as it was written. verify compares every live
row with its record (reports/records.py); this module is the one place that says which tables
are covered, what a row's body, scope and reference are, and how a record is appended.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moralbank.domain import clock
from moralbank.domain.records import COUNTY, GENESIS, body_text, record_hash
from moralbank.storage.reads import Writes, is_postgresql, rows_of, writes_of

if TYPE_CHECKING:  # a records append over the driver (a signed export on a SQLite file) needs no SQLAlchemy
    from sqlalchemy import Connection
    from sqlmodel import Session


Row = dict[str, Any]


def _without_id(row: Row) -> Row:
    return {name: value for name, value in row.items() if name != "id"}


def resolution_digest(row: Row) -> str:
    """A resolution's content digest (its body's SHA-256): how a standard names its resolution on every database."""
    return hashlib.sha256(body_text(_without_id(row)).encode()).hexdigest()


@dataclass(frozen=True)
class Covered:
    """One covered table: its kind, the key column a write names, and how a row becomes a record."""

    kind: str
    table: str
    key: str  # the column the writing service names rows by (ids or natural keys)
    ref: Callable[[Row], str]
    scope: Callable[[Row], str]
    order: str  # the order records are built in for rows already held (the upgrade)


def _household_village(row: Row) -> str:
    return str(row.get("_village") or COUNTY)


COVERED: tuple[Covered, ...] = (
    Covered("resolution", "resolution", "id", lambda r: str(r["id"]), lambda r: r["village"] or COUNTY, "id"),
    Covered("standard", "standard", "id", lambda r: str(r["id"]), lambda r: str(r["scope"]), "id"),
    Covered("household", "household", "code", lambda r: str(r["code"]), lambda r: str(r["village"]), "code"),
    Covered("household_change", "household_change", "id", lambda r: str(r["id"]), _household_village, "id"),
    Covered("consent", "consent", "id", lambda r: str(r["id"]), _household_village, "id"),
    Covered("household_move", "household_move", "id", lambda r: str(r["id"]), _household_village, "id"),
    Covered("board", "board", "id", lambda r: f"{r['village']}:{r['month']}", lambda r: str(r["village"]), "id"),
    Covered("export_log", "export_log", "id", lambda r: str(r["id"]), lambda r: COUNTY, "id"),
)
KINDS = {covered.kind: covered for covered in COVERED}


def _select(covered: Covered, where: str = "") -> str:
    if covered.table in ("household_change", "consent", "household_move"):  # scoped by the household's first village
        return (
            f"SELECT t.*, h.village AS _village FROM {covered.table} t LEFT JOIN household h "
            f"ON h.code = t.household {where} ORDER BY t.{covered.order}"
        )
    return f"SELECT t.* FROM {covered.table} t {where} ORDER BY t.{covered.order}"


def _body_names(names: list[str]) -> list[str]:
    """The columns of a covered row that its body holds: all but its id and the joined ``_`` ones."""
    return [name for name in names if name != "id" and not name.startswith("_")]


def _body(covered: Covered, row: Row, names: list[str], resolutions: dict[int, str]) -> Row:
    body = {name: row[name] for name in names}
    if covered.kind == "standard":  # ids of resolutions differ between databases; their content does not
        body["resolution"] = resolutions.get(int(body.pop("resolution_id")))
    return body


def _resolutions(db: Writes) -> dict[int, str]:
    names, rows = db.named("SELECT * FROM resolution")
    return {
        int(row["id"]): resolution_digest(row) for row in (dict(zip(names, values, strict=True)) for values in rows)
    }


@dataclass(frozen=True)
class LiveRow:
    """A covered row as the database holds it now."""

    kind: str
    ref: str
    scope: str
    body: Row


def live_rows(
    source: Session | Connection | Writes, kind: str, keys: Iterable[object] | None = None
) -> Iterator[LiveRow]:
    """The rows of one covered kind (all, or those whose key column is in ``keys``) as record bodies."""
    covered = KINDS[kind]
    db = writes_of(source)
    resolutions = _resolutions(db) if kind == "standard" else {}
    if keys is None:
        batches: list[list[object]] = [[]]
    else:
        wanted = list(keys)
        batches = [wanted[start : start + 500] for start in range(0, len(wanted), 500)]
    for batch in batches:
        if keys is not None and not batch:
            continue
        params = {f"k{n}": key for n, key in enumerate(batch)}
        where = f"WHERE t.{covered.key} IN ({', '.join(':' + name for name in params)})" if batch else ""
        names, result = db.named(_select(covered, where), params)
        # Rows zipped with their names, the body's names worked out once: verify reads 343,000 at L.
        held = _body_names(names)
        for values in result:
            row = dict(zip(names, values, strict=True))
            yield LiveRow(kind, covered.ref(row), covered.scope(row), _body(covered, row, held, resolutions))


_HEAD = "SELECT seq, hash FROM record WHERE scope = :s ORDER BY seq DESC LIMIT 1"
_COLUMNS = ("scope", "seq", "kind", "ref", "body", "recorded_at", "prev_hash", "hash")


def _lock(db: Writes, scope: str) -> None:
    # The same advisory lock as the village's entries (storage.db.lock_village); "*" has its own.
    if is_postgresql(db):
        db.rows("SELECT pg_advisory_xact_lock(hashtext(:v))", {"v": scope})


def append_records(source: Session | Connection | Writes, rows: Iterable[LiveRow]) -> int:
    """Append one record per row to its scope's chain (locking each scope first); how many were written."""
    db = writes_of(source)
    rows = list(rows)
    heads: dict[str, tuple[int, str]] = {}
    for scope in sorted({row.scope for row in rows}):  # one order for every writer: no deadlock
        _lock(db, scope)
        found = db.rows(_HEAD, {"s": scope})
        heads[scope] = (int(found[0][0]), str(found[0][1])) if found else (0, GENESIS)
    stamp = clock.stamp()
    values = []
    for row in rows:
        seq, prev = heads[row.scope]
        body = body_text(row.body)
        digest = record_hash(prev, row.scope, seq + 1, row.kind, body, stamp)
        values.append((row.scope, seq + 1, row.kind, row.ref, body, stamp, prev, digest))
        heads[row.scope] = (seq + 1, digest)
    db.insert("record", _COLUMNS, values)
    return len(values)


def cover(source: Session | Writes, kind: str, keys: Iterable[object]) -> int:
    """Record the rows of ``kind`` just written (named by their key column), in the caller's transaction."""
    db = writes_of(source)
    db.flush()
    return append_records(db, list(live_rows(db, kind, keys)))


def record_heads(source: Session | Connection | Writes) -> dict[str, tuple[int, str]]:
    """Every scope's records chain head: scope -> (seq, hash)."""
    query = (
        "SELECT r.scope, r.seq, r.hash FROM record r "
        "JOIN (SELECT scope, MAX(seq) AS seq FROM record GROUP BY scope) m ON m.scope = r.scope AND m.seq = r.seq"
    )
    return {str(scope): (int(seq), str(digest)) for scope, seq, digest in rows_of(source).rows(query)}


_REGISTERED_CONSENT = """
INSERT INTO consent (household, recipient, bank, action, on_date, form_ref, reason, source, operator, recorded_at)
SELECT code, :recipient, :bank, 'grant', registered_on, '', '', 'register', 'upgrade', :stamp
FROM household WHERE {column} = 1 ORDER BY code
"""


def build_records(connection: Connection) -> None:
    """The upgrade's step after its SQL: consent records from the register's consent columns, then
    a record for every covered row the database already holds (nothing else changes)."""
    from sqlalchemy import inspect, text  # the upgrade has SQLAlchemy

    stamp = clock.stamp()
    for recipient, bank, column in (("board", "", "consent_board"), ("bank", "*", "consent_bank")):
        connection.execute(
            text(_REGISTERED_CONSENT.format(column=column)), {"recipient": recipient, "bank": bank, "stamp": stamp}
        )
    present = set(inspect(connection).get_table_names())
    for covered in COVERED:  # a later step's table (household_move, 0010) starts empty
        if covered.table in present:
            append_records(connection, list(live_rows(connection, covered.kind)))


def published_months(session: Session, village: str | None = None) -> set[tuple[str, str]]:
    """(village, month) pairs whose board the records say was published: what closes a month.

    The records, not the board table, decide: a board row deleted behind the program's back
    leaves its month closed, and a row inserted past it (with no record) closes nothing.
    """
    query = "SELECT ref FROM record WHERE kind = 'board'" + (" AND scope = :v" if village else "")
    refs = [ref for (ref,) in rows_of(session).rows(query, {"v": village} if village else {})]
    return {(str(ref).rsplit(":", 1)[0], str(ref).rsplit(":", 1)[1]) for ref in refs}


def published_on_record(session: Session, village: str, month: str) -> bool:
    """Whether the records say this village's board for this month was published."""
    found = rows_of(session).rows("SELECT 1 FROM record WHERE kind = 'board' AND ref = :r", {"r": f"{village}:{month}"})
    return bool(found)
