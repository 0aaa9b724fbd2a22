"""Canonical bytes of a ledger entry and the per-village SHA-256 hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

# The chain heads, kept apart so that the reads that name them need not import hashlib and json.
from moralbank.domain.heads import GENESIS as GENESIS
from moralbank.domain.heads import Checkpoint as Checkpoint
from moralbank.domain.heads import Head as Head

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

# Every entry carries the chain format of the rule that hashed it (column ``entry.chain_format``),
# and verify checks each entry by its own format's rule. A format is the ordered list of fields in
# the canonical bytes; format 1 is CHAIN_FIELDS exactly as hashed since the first release (its
# bytes never include ``chain_format`` itself). A future hashed field gets a new format here and
# a migration (see migrations/README.md); stored entries keep their format, so no hash changes.
CHAIN_FORMATS: dict[int, tuple[str, ...]] = {1: CHAIN_FIELDS}
CHAIN_FORMAT = 1  # the format new entries are written with

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# JSONEncoder.encode builds a new C encoder on every call, a third of the cost of hashing an
# entry; build it once (same output byte for byte). Pure-Python interpreters fall back.
_MAKE = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    _MAKE(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True) if _MAKE else None
)


def canonical_text(values: Sequence[object]) -> str:
    """The values of CHAIN_FIELDS, in order, as compact JSON text."""
    items = values if isinstance(values, list | tuple) else list(values)
    return "".join(_C_ENCODE(items, 0)) if _C_ENCODE else _ENCODER.encode(list(items))


def entry_hash(prev_hash: str, values: Sequence[object]) -> str:
    """The hash of one entry: SHA-256 over the previous hash and the entry's canonical bytes."""
    return hashlib.sha256((prev_hash + canonical_text(values)).encode()).hexdigest()


def format_hash(chain_format: int, prev_hash: str, values: Sequence[object]) -> str:
    """The hash of one entry by the rule of ``chain_format``; ``values`` are that format's fields in order.

    Every format so far hashes the same way over its own fields; a format that hashes otherwise
    dispatches here.
    """
    if chain_format not in CHAIN_FORMATS:
        raise ValueError(f"unknown chain format {chain_format}")
    return entry_hash(prev_hash, values)
