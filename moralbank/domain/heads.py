"""The head of a hash chain (its last link's sequence number and hash), as reports name it.

Apart from ``domain.chain``, which hashes: a read that only names a chain head (a board's
checkpoints, a passbook's) imports no hashlib or json for it (bench/RESULTS.md, round five).
"""

from __future__ import annotations

from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class Checkpoint:
    """The head of one village's chain: its last sequence number and hash."""

    village: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Head:
    """What ``checkpoint`` and ``backup`` save of a village: its ledger, stock and records chains' heads.

    A chain without links has seq 0 and the genesis hash; a saved file without stock or records
    heads reads so. County-wide records (scope "*") are saved as a head of village "*" whose
    ledger and stock chains are empty.
    """

    village: str
    seq: int
    hash: str
    stock_seq: int = 0
    stock_hash: str = GENESIS
    records_seq: int = 0
    records_hash: str = GENESIS
