"""Resident ID numbers (GB 11643), phone numbers and names: validation, masking, synthesis."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_problem(id_number: str) -> str | None:
    """Why an ID number is invalid (a catalogue key), or None when it is valid."""
    value = id_number.strip().upper()
    if len(value) != 18:
        return "id.length"
    if not _ID_RE.match(value):
        return "id.chars"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "id.birth_date"
    if check_digit(value[:17]) != value[17]:
        return "id.check_digit"
    return None


def normalise_id(id_number: str) -> str:
    """The stored form of an ID number: stripped, with an upper-case X."""
    return id_number.strip().upper()


def phone_problem(phone: str) -> str | None:
    """Why a mobile number is invalid (a catalogue key), or None when it is valid or empty."""
    if phone and not _PHONE_RE.match(phone):
        return "phone.invalid"
    return None


# The shapes the privacy scan looks for: an ID number anywhere, a mobile number anywhere.
_PERSONAL_NUMBER = re.compile(r"\d{17}[\dXx]|1\d{10}")


def has_personal_number(text: str) -> bool:
    """Whether free text carries something shaped like an ID or mobile number.

    Notes and reasons are hash-chained and shown on passbooks, notices and exports, so such text
    is refused when written rather than masked afterwards.
    """
    return bool(_PERSONAL_NUMBER.search(text))


def mask_id(id_number: str) -> str:
    """Keep the region code and the last four characters: ``370702********1234``."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: ``138****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# A run of digits shaped like an ID number (18, or the old 15) or a mobile number, and nothing
# longer: a 20-digit quantity is a number, not someone's ID.
_PERSONAL_RUN = re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15}|1\d{10})(?![0-9A-Za-z])")


def mask_personal_numbers(text: str) -> str:
    """Free text with every ID-shaped or mobile-shaped digit run masked: for echoing bad input."""
    return _PERSONAL_RUN.sub(lambda m: (mask_phone if len(m[0]) == 11 else mask_id)(m[0]), text)


def mask_name(name: str) -> str:
    """Keep the family name only: ``张**``."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def synthetic_id(rng: random.Random, region: str = "370702", born_after: int = 1940) -> str:
    """A made-up ID number with a valid check digit, for fixtures and tests only."""
    start = date(born_after, 1, 1)
    birth = start + timedelta(days=rng.randrange((date(2005, 12, 31) - start).days))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + check_digit(body)


def synthetic_phone(rng: random.Random) -> str:
    """A made-up mobile number, for fixtures and tests only."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
