"""Ledger accounts and the transfer an award or a deduction makes between them."""

from __future__ import annotations

from typing import Any


def household_account(village: str, household: str) -> str:
    """The ledger account of a household: ``households:<village>:<household>``."""
    return f"households:{village}:{household}"


def village_account(village: str, purpose: str) -> str:
    """A village's ``issuance`` or ``redemption`` account: ``village:<village>:<purpose>``."""
    return f"village:{village}:{purpose}"


def points_transfer(village: str, household: str, points: int, qty: int) -> dict[str, Any]:
    """The entry fields of ``qty`` units of a standard worth ``points`` each.

    An award (points above zero) moves coins from the village's issuance account to the
    household; a deduction moves them back. ``amount`` is what moves; ``coins`` and ``earned``
    are the household's side of it, signed.
    """
    amount = abs(points) * qty
    mine, issuance = household_account(village, household), village_account(village, "issuance")
    awarding = points > 0
    return {
        "kind": "award" if awarding else "deduction",
        "debit": issuance if awarding else mine,
        "credit": mine if awarding else issuance,
        "amount": amount,
        "coins": amount if awarding else -amount,
        "earned": amount if awarding else -amount,
    }
