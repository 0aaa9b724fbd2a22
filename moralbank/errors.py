"""The one error base: each error carries a catalogue key and renders in the user's language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from moralbank.domain.identity import mask_personal_numbers
from moralbank.domain.limits import inert
from moralbank.messages import Verbatim, template, text, worded


def _shown(value: Any) -> Any:
    # Bad input is echoed back in errors; an ID or a phone in it never is, nor a terminal escape.
    if isinstance(value, str):
        return inert(mask_personal_numbers(value))
    if isinstance(value, int) and not isinstance(value, bool):
        masked = mask_personal_numbers(str(value))
        return value if masked == str(value) else masked
    return value


def safe_text(key: str, lang: str, params: dict[str, Any]) -> str:
    """A message with personal numbers in its values masked; never a KeyError in front of a user.

    A key missing from the catalogue, or a parameter its text needs and was not given, is a bug;
    tests/test_errors.py hunts them down, and a user who meets one anyway reads which message it was.
    """
    try:
        found = template(key, lang, params.get("count"))
        # Always formatted, even without parameters: a placeholder left unfilled is an error too.
        return found.format(**{name: _shown(worded(name, value, lang)) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        return text("error.bad_message", lang, key=key)


class MoralBankError(Exception):
    """A user-facing error: a catalogue key plus the values its message needs."""

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return safe_text(self.key, lang, self.params)


class InputError(MoralBankError):
    """A value typed by the user is not acceptable (dates, quantities, codes)."""


class NotFound(MoralBankError):
    """A household, village, standard or entry does not exist."""


class Refused(MoralBankError):
    """A write that the ledger rules forbid (closed month, double reversal, overdraft...)."""


class IntegrityError(MoralBankError):
    """The stored ledger does not match its hash chain or its checkpoints."""


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of an input sheet."""

    row: int
    field: str
    key: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    unit: str = "row"  # "row" of a sheet, or "item" of a TOML file

    def message(self, lang: str) -> str:
        """The problem, naming row, field and reason."""
        reason = safe_text(self.key, lang, self.params)
        field = mask_personal_numbers(self.field)  # an unknown column's heading is echoed too
        if self.unit == "item":  # a TOML file's key, shown as the user wrote it
            field = Verbatim(field)
        if self.row == 0:  # a single value typed on the command line, not a sheet row
            return text("sheet.field_problem", lang, field=field, reason=reason)
        return text(f"sheet.{self.unit}_problem", lang, row=self.row, field=field, reason=reason)


class SheetError(MoralBankError):
    """A sheet had bad rows: nothing was written, and every bad row is listed."""

    key = "sheet.rejected"

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(source=source, count=len(problems))

    def message(self, lang: str) -> str:
        """The heading followed by one line per problem."""
        lines = [p.message(lang) for p in self.problems]
        if not self.params["source"]:  # typed on the command line: the problems say it all
            return "\n".join(lines)
        return "\n".join([safe_text(self.key, lang, self.params), *("  " + line for line in lines)])
