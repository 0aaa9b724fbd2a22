"""Consent records: a household's grant or withdrawal for the board, one bank, or every bank."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from moralbank.cli.common import app, engine, group, h, operator, say, settings, show, today
from moralbank.cli.options import FormatOpt
from moralbank.domain.clock import local_time
from moralbank.domain.dates import parse_date

consent_app = group("help.consent")
app.add_typer(consent_app, name="consent")

CodeArg = Annotated[str, typer.Argument(help=h("help.household_code"))]
BoardOpt = Annotated[bool, typer.Option("--board", help=h("help.consent_board"))]
BankOpt = Annotated[str | None, typer.Option("--bank", help=h("help.consent_bank"))]
AllBanksOpt = Annotated[bool, typer.Option("--all-banks", help=h("help.consent_all_banks"))]
OnOpt = Annotated[str | None, typer.Option("--on", help=h("help.consent_on"))]
FormOpt = Annotated[str, typer.Option("--ref", help=h("help.consent_ref"))]
WhyOpt = Annotated[str, typer.Option("--reason", help=h("help.consent_reason"))]


def _record(
    ctx: typer.Context, code: str, action: str, board: bool, bank: str | None, all_banks: bool, **texts: str
) -> None:
    from moralbank.services.consent import label, recipient, record_consent
    from moralbank.storage.db import retrying

    who = operator(ctx)
    to = recipient(board=board, bank=bank, all_banks=all_banks)
    on_text = texts.pop("on")
    day = parse_date(on_text, "--on") if on_text else today(ctx)
    retrying(
        engine(ctx),
        lambda session: record_consent(
            session, code=code, to=to, action=action, on=day, operator=who, today=today(ctx), **texts
        ),
    )
    done = "consent.granted" if action == "grant" else "consent.withdrawn"
    say(ctx, done, code=code, recipient=label(to), on=day.isoformat())


@consent_app.command("grant", help=h("help.consent_grant"))
def consent_grant(
    ctx: typer.Context,
    code: CodeArg,
    form_ref: FormOpt,
    board: BoardOpt = False,
    bank: BankOpt = None,
    all_banks: AllBanksOpt = False,
    on: OnOpt = None,
) -> None:
    _record(ctx, code, "grant", board, bank, all_banks, on=on or "", form_ref=form_ref, reason="")


@consent_app.command("withdraw", help=h("help.consent_withdraw"))
def consent_withdraw(
    ctx: typer.Context,
    code: CodeArg,
    board: BoardOpt = False,
    bank: BankOpt = None,
    all_banks: AllBanksOpt = False,
    on: OnOpt = None,
    form_ref: FormOpt = "",
    reason: WhyOpt = "",
) -> None:
    _record(ctx, code, "withdraw", board, bank, all_banks, on=on or "", form_ref=form_ref, reason=reason)


@consent_app.command("list", help=h("help.consent_list"))
def consent_list(ctx: typer.Context, code: CodeArg, fmt: FormatOpt = "table") -> None:
    from moralbank.services.consent import consent_rows
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = consent_rows(session, code=code)
    if fmt == "table":  # people read local times; JSON and CSV keep the stored UTC
        rows = [replace(row, recorded_at=local_time(row.recorded_at, settings(ctx).tz)) for row in rows]
    show(ctx, rows, fmt)
