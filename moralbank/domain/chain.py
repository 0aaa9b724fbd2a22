"""Canonical bytes of a ledger entry and the per-village SHA-256 hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

GENESIS = "0" * 64

# The order of fields in an entry's canonical form; changing it breaks every stored chain.
CHAIN_FIELDS = (
    "village",
    "seq",
    "kind",
    "household",
    "debit",
    "credit",
    "amount",
    "coins",
    "earned",
    "standard_id",
    "qty",
    "event_date",
    "booked_on",
    "ref_seq",
    "note",
    "operator",
    "idem_key",
    "recorded_at",
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def canonical_bytes(values: Sequence[object]) -> bytes:
    """The values of CHAIN_FIELDS, in order, as compact UTF-8 JSON."""
    return _dumps(list(values)).encode()


def entry_hash(prev_hash: str, values: Sequence[object]) -> str:
    """The hash of one entry: SHA-256 over the previous hash and the entry's canonical bytes."""
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(canonical_bytes(values))
    return digest.hexdigest()
