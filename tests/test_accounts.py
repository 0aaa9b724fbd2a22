"""Ledger accounts and the transfer of an award or a deduction: the one place both are spelled."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from moralbank.domain.accounts import household_account, points_transfer, village_account


def test_account_names() -> None:
    assert household_account("NL", "NL001") == "households:NL:NL001"
    assert village_account("NL", "issuance") == "village:NL:issuance"
    assert village_account("NL", "redemption") == "village:NL:redemption"


def test_an_award_moves_coins_from_issuance_to_the_household() -> None:
    assert points_transfer("NL", "NL001", 3, 2) == {
        "kind": "award",
        "debit": "village:NL:issuance",
        "credit": "households:NL:NL001",
        "amount": 6,
        "coins": 6,
        "earned": 6,
    }


def test_a_deduction_moves_them_back() -> None:
    assert points_transfer("NL", "NL001", -10, 1) == {
        "kind": "deduction",
        "debit": "households:NL:NL001",
        "credit": "village:NL:issuance",
        "amount": 10,
        "coins": -10,
        "earned": -10,
    }


@given(points=st.integers(-50, 50).filter(bool), qty=st.integers(1, 20))
def test_the_household_side_is_the_signed_amount(points: int, qty: int) -> None:
    moved = points_transfer("BG", "BG002", points, qty)
    assert moved["amount"] == abs(points) * qty > 0
    assert moved["coins"] == moved["earned"] == points * qty
    mine = "households:BG:BG002"
    assert (moved["credit"] == mine) == (points > 0) and (moved["debit"] == mine) == (points < 0)
