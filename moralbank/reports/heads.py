"""Chain heads as the ``checkpoint`` command lists them; the ledger computes them (``ledger.chain_heads``)."""

from __future__ import annotations

from moralbank.services.ledger import chain_heads as checkpoints

__all__ = ["checkpoints"]
