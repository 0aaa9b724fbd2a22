"""Resident ID numbers and phones: GB 11643 check digits, refusals naming the field, masking everywhere."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from moralbank.domain.identity import (
    check_digit,
    id_problem,
    mask_id,
    mask_name,
    mask_phone,
    normalise_id,
    phone_problem,
    synthetic_id,
    synthetic_phone,
)
from moralbank.messages import text
from tests.database import fresh_sqlite
from tests.runner import Run, failed, ok


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Validation and masking happen above the database: SQLite only (the ledger tests run on both)."""
    return fresh_sqlite(tmp_path)


def iso7064_check(first17: str) -> str:
    """The check character computed the way ISO 7064 MOD 11-2 states it: weights 2^(17-i) mod 11."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    return "0123456789X"[(12 - total % 11) % 11]


# --- check digits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        # 3*7+7*9+0*10+7*5+0*8+2*4+1*2+9*1+8*6+0*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2 = 222; 222 % 11 = 2 -> X
        ("37070219800101123", "X"),
        ("37070219900228004", "9"),  # sum 278, remainder 3 -> 9
        ("37070220000229001", "5"),  # sum 216, remainder 7 -> 5 (born on a leap day)
    ],
)
def test_check_digit_exact(first17: str, expected: str) -> None:
    assert check_digit(first17) == expected
    assert id_problem(first17 + expected) is None


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_iso7064(first17: str) -> None:
    assert check_digit(first17) == iso7064_check(first17)


@settings(max_examples=100, derandomize=True)
@given(st.integers(min_value=0, max_value=2**32))
def test_synthetic_ids_are_valid_and_any_other_last_character_is_not(seed: int) -> None:
    number = synthetic_id(random.Random(seed))
    assert id_problem(number) is None
    for wrong in set("0123456789X") - {number[-1]}:
        assert id_problem(number[:-1] + wrong) == "id.check_digit"
    assert phone_problem(synthetic_phone(random.Random(seed))) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("37070219800101123", "id.length"),  # 17 characters
        ("37070219800101123X0", "id.length"),
        ("3707021980010112X3", "id.chars"),  # X only allowed last
        ("37070219800101 23X", "id.chars"),
        ("370702198002301230", "id.birth_date"),  # 30 February
        ("370702198013011230", "id.birth_date"),  # month 13
        ("370702198001011230", "id.check_digit"),
    ],
)
def test_invalid_id_numbers(value: str, problem: str) -> None:
    assert id_problem(value) == problem


def test_lower_case_x_is_accepted_and_stored_upper_case() -> None:
    assert id_problem("37070219800101123x") is None
    assert normalise_id(" 37070219800101123x ") == "37070219800101123X"


@pytest.mark.parametrize(
    ("phone", "problem"),
    [("", None), ("13812345678", None), ("1381234567", "phone.invalid"), ("12812345678", "phone.invalid"),
     ("0536-1234567", "phone.invalid"), ("138123456789", "phone.invalid")],
)  # fmt: skip
def test_phone_numbers(phone: str, problem: str | None) -> None:
    assert phone_problem(phone) == problem


# --- masking ----------------------------------------------------------------------------------


def test_masks() -> None:
    assert mask_id("370702198001011234") == "370702********1234"
    assert mask_id("37070219800101123X") == "370702********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_name("王建国") == "王**"


def add(run: Run, code: str, id_number: str, phone: str = "", lang: str = "en") -> Result:
    args = ["household", "add", code, "--village", "NL", "--head-name", "王建国", "--id-number", id_number]
    return run(*args, "--phone", phone, "--members", "3", lang=lang)


@pytest.fixture
def village(run: Run) -> Run:
    ok(run("village", "add", "NL", "--name", "南伦村", "--town", "于河街道", "--county", "潍城区"))
    return run


def test_register_output_never_shows_an_id_or_phone_whole(village: Run) -> None:
    rng = random.Random(11)
    numbers = {code: (synthetic_id(rng), synthetic_phone(rng)) for code in ("NL001", "NL002")}
    for code, (id_number, phone) in numbers.items():
        assert ok(add(village, code, id_number, phone)) == f"Household {code} added.\n"
    outputs = [
        ok(village("household", "list", *fmt, lang=lang))
        for fmt in ([], ["--format", "json"], ["--format", "csv"])
        for lang in ("zh", "en")
    ]
    outputs += [ok(village("household", "show", code, *fmt)) for code in numbers for fmt in ([], ["-f", "json"])]
    for id_number, phone in numbers.values():
        masked_id, masked_phone = id_number[:6] + "********" + id_number[-4:], phone[:3] + "****" + phone[-4:]
        for out in outputs:
            assert id_number not in out and phone not in out
            assert id_number[6:14] not in out  # not even the birth date
        assert masked_id in outputs[0] and masked_phone in outputs[0]
    listed = json.loads(outputs[2])
    assert [(h["code"], h["id_number"], h["phone"]) for h in listed] == [
        (code, n[:6] + "********" + n[-4:], p[:3] + "****" + p[-4:]) for code, (n, p) in numbers.items()
    ]


# (ID number, phone, the field named, the reason's key): each is refused and nothing is registered.
REFUSED = [
    ("370702198001011230", "", "id_number", "id.check_digit"),
    ("3707021980010112", "", "id_number", "id.length"),
    ("370702198002301235", "", "id_number", "id.birth_date"),
    ("37070219800101123X", "1381234567", "phone", "phone.invalid"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_invalid_id_or_phone_is_refused_naming_the_field(village: Run, lang: str) -> None:
    for id_number, phone, field, key in REFUSED:
        err = failed(add(village, "NL001", id_number, phone, lang=lang))
        reason = text(key, lang)
        assert err == text("error.prefix", lang) + text("sheet.field_problem", lang, field=field, reason=reason) + "\n"
    assert ok(village("household", "list", "-f", "json")) == "[]\n"


def test_the_same_id_number_cannot_be_registered_twice(village: Run) -> None:
    ok(add(village, "NL001", "37070219800101123X"))
    err = failed(add(village, "NL002", "37070219800101123x"))  # the same number, typed with a small x
    assert "field id_number: this ID number is already registered to another household" in err
    assert [h["code"] for h in json.loads(ok(village("household", "list", "-f", "json")))] == ["NL001"]
