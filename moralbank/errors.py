"""The one error base: each error carries a catalogue key and renders in the user's language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from moralbank.messages import text


class MoralBankError(Exception):
    """A user-facing error: a catalogue key plus the values its message needs."""

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return text(self.key, lang, **self.params)


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
        reason = text(self.key, lang, **self.params)
        if self.row == 0:  # a single value typed on the command line, not a sheet row
            return text("sheet.field_problem", lang, field=self.field, reason=reason)
        return text(f"sheet.{self.unit}_problem", lang, row=self.row, field=self.field, reason=reason)


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
        return "\n".join([text(self.key, lang, **self.params), *("  " + line for line in lines)])
