"""Records: the canonical form of every row a rating or export depends on, hash-chained per scope."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from moralbank.domain.chain import GENESIS as GENESIS

COUNTY = "*"  # the scope of county-wide records: county resolutions and standards, the export log

# What one record's hash covers, in order: its place in its scope's chain, what it records and
# the row's canonical body. ``ref`` (the row's key in this database) is not hashed: a copy may
# give id-keyed rows new ids, and a record whose ref no longer finds its row is reported anyway.
RECORD_FIELDS = ("scope", "seq", "kind", "body", "recorded_at")


def body_text(row: Mapping[str, object]) -> str:
    """A row's columns as canonical JSON: keys sorted, compact, UTF-8 as is."""
    return json.dumps(dict(row), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(prev_hash: str, scope: str, seq: int, kind: str, body: str, recorded_at: str) -> str:
    """SHA-256 over the previous record's hash and this record's canonical fields."""
    values = json.dumps([scope, seq, kind, body, recorded_at], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + values).encode()).hexdigest()


def differing_fields(recorded: Mapping[str, object], live: Mapping[str, object]) -> list[str]:
    """The names of the fields whose values differ between a record's body and the live row, sorted."""
    return sorted(name for name in set(recorded) | set(live) if recorded.get(name) != live.get(name))
