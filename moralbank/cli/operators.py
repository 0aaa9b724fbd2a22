"""Operators (经办人): who may write, with which role."""

from __future__ import annotations

from typing import Annotated

import typer

from moralbank.cli.common import app, engine, group, h, say, settings, show
from moralbank.cli.options import FormatOpt
from moralbank.errors import MoralBankError

operator_app = group("help.operator_group")
app.add_typer(operator_app, name="operator")


@operator_app.command("add", help=h("help.operator_add"))
def operator_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=h("help.operator_name"))],
    role: Annotated[str, typer.Option("--role", help=h("help.operator_role"))],
) -> None:
    from moralbank.services.operators import has_operators, register
    from moralbank.storage.db import reading, retrying
    from moralbank.storage.roles import connected_login, login_exists

    with reading(engine(ctx)) as session:
        first, login = not has_operators(session), connected_login(session)
        # On PostgreSQL an operator writes as a database login (only the tables' owner names others).
        if login is not None and not login_exists(session, name.strip()):
            raise MoralBankError("operator.no_login", name=name.strip())
    given = (settings(ctx).operator or "").strip()
    if login is not None and given and given != login:
        raise MoralBankError("operator.not_login", name=given, login=login)
    by = login or given
    if not first and not by:
        raise MoralBankError("operator.required")
    done = retrying(engine(ctx), lambda session: register(session, name=name, role=role, by=by))
    if not done.added:
        say(ctx, "operator.already", name=done.name, role=done.role)
    elif done.previous is not None:
        say(ctx, "operator.role_changed", name=done.name, role=done.role, previous=done.previous)
    else:
        say(ctx, "operator.added", name=done.name, role=done.role)


@operator_app.command("list", help=h("help.operator_list"))
def operator_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.services.operators import operator_rows
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = operator_rows(session)
    if not rows and fmt == "table":
        say(ctx, "operator.none")
        return
    show(ctx, rows, fmt)
