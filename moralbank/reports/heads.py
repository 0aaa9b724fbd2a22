"""Chain heads as the ``checkpoint`` command lists them: each village's ledger and stock chain heads."""

from __future__ import annotations

from moralbank.services.stock import heads as checkpoints

__all__ = ["checkpoints"]
