"""A small supermarket for the shop and year tests: the core town with coins, a catalogue and stock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from typer.testing import Result

from moralbank.messages import text
from tests.runner import ok
from tests.town import book, build_register

Run = Callable[..., Result]

# October 2026 (ZY01 is 4 points from June): NL001 40 coins, NL002 8, BG001 20.
AWARDS = [("NL001", "ZY01", 10, "a1"), ("NL002", "ZY01", 2, "a2"), ("BG001", "ZY01", 5, "a3")]


def build_shop(run: Run, engine: Engine) -> None:
    """The register and awards, soap (county-wide, 5 coins) and laundry liquid (NL only, 20 coins) in stock."""
    build_register(engine)
    book(engine, AWARDS)
    ok(run("shop", "item", "add", "SOAP", "--name", "香皂", "--price", "5", "--unit", "块", "--from", "2026-10-01"))
    ok(run("shop", "item", "add", "LIQ2", "--name", "洗衣液", "--price", "20", "--unit", "瓶", "--village", "NL",
           "--low-stock", "2", "--from", "2026-10-01"))  # fmt: skip
    ok(run("shop", "receive", "SOAP", "10", "--village", "NL", "--source", "采购", "--value", "25.50",
           "--booked", "2026-10-20"))  # fmt: skip
    ok(run("shop", "receive", "LIQ2", "3", "--village", "NL", "--source", "爱心企业捐赠", "--booked", "2026-10-20"))


def error(lang: str, message: str, /, **params: Any) -> str:
    """A refusal as the handler prints it."""
    return text("error.prefix", lang) + text(message, lang, **params) + "\n"


def field_error(lang: str, field: str, message: str, /, **params: Any) -> str:
    """A refusal of one typed value, printed as a sheet names a field."""
    reason = text(message, lang, **params)
    return text("error.prefix", lang) + text("sheet.field_problem", lang, field=field, reason=reason) + "\n"
