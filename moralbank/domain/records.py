"""Records: the canonical form of every row a rating or export depends on, hash-chained per scope."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from moralbank.domain.chain import GENESIS as GENESIS
from moralbank.domain.chain import canonical_text

COUNTY = "*"  # the scope of county-wide records: county resolutions and standards, the export log

# What one record's hash covers, in order: its place in its scope's chain, what it records and
# the row's canonical body. ``ref`` (the row's key in this database) is not hashed: a copy may
# give id-keyed rows new ids, and a record whose ref no longer finds its row is reported anyway.
RECORD_FIELDS = ("scope", "seq", "kind", "body", "recorded_at")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
# As domain.chain's: json.dumps builds a new C encoder on every call, most of the cost of a body
# when verify writes 343,000 of them at L (bench/RESULTS.md, round four); built once, the same text.
_MAKE = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    _MAKE(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False, True) if _MAKE else None
)


def body_text(row: Mapping[str, object]) -> str:
    """A row's columns as canonical JSON: keys sorted, compact, UTF-8 as is."""
    return "".join(_C_ENCODE(dict(row), 0)) if _C_ENCODE else _ENCODER.encode(dict(row))


def record_hash(prev_hash: str, scope: str, seq: int, kind: str, body: str, recorded_at: str) -> str:
    """SHA-256 over the previous record's hash and this record's canonical fields (compact JSON, as an entry's)."""
    return hashlib.sha256((prev_hash + canonical_text((scope, seq, kind, body, recorded_at))).encode()).hexdigest()


def differing_fields(recorded: Mapping[str, object], live: Mapping[str, object]) -> list[str]:
    """The names of the fields whose values differ between a record's body and the live row, sorted."""
    return sorted(name for name in set(recorded) | set(live) if recorded.get(name) != live.get(name))
