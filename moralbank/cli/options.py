"""Options that several commands share, defined once so that they read and behave the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moralbank.cli.common import h

FormatOpt = Annotated[str, typer.Option("--format", "-f", help=h("help.format"))]
OutOpt = Annotated[Path | None, typer.Option("--out", help=h("help.out"))]
MonthOpt = Annotated[str, typer.Option("--month", help=h("help.month"))]
TopOpt = Annotated[int | None, typer.Option("--top", help=h("help.top"))]
# --village as the target of a command (required), and as a filter of a listing (optional).
VillageOpt = Annotated[str, typer.Option("--village", help=h("help.village_target"))]
VillageFilterOpt = Annotated[str | None, typer.Option("--village", help=h("help.village_filter"))]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help=h("help.as_of"))]
RatingDateOpt = Annotated[str, typer.Option("--as-of", help=h("help.as_of_required"))]
BookedOpt = Annotated[str | None, typer.Option("--booked", help=h("help.booked"))]
KeyOpt = Annotated[str | None, typer.Option("--key", help=h("help.key"))]
ReasonOpt = Annotated[str, typer.Option("--reason", help=h("help.reason"))]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help=h("help.policy"))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=h("help.yes"))]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help=h("help.sheet"))]
AgainOpt = Annotated[bool, typer.Option("--again", help=h("help.again"))]
RepeatOpt = Annotated[bool, typer.Option("--repeat", help=h("help.repeat"))]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help=h("help.dry_run"))]
