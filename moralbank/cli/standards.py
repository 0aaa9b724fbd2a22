"""Standards adopted by resolution (议)."""

from __future__ import annotations

from pathlib import Path

import typer

from moralbank.cli.common import (
    app,
    day,
    engine,
    group,
    h,
    operator,
    print_lang,
    say,
    show,
    today,
)
from moralbank.cli.options import (
    AsOfOpt,
    FormatOpt,
    OutOpt,
)
from moralbank.messages import text

standard_app = group("help.standard")
app.add_typer(standard_app, name="standard")


@standard_app.command("adopt", help=h("help.standard_adopt"))
def standard_adopt(ctx: typer.Context, file: Path) -> None:
    from moralbank.services.standards import adopt, load_resolution_file
    from moralbank.storage.db import retrying

    who = operator(ctx, "township")
    data = load_resolution_file(file)
    adopted = retrying(
        engine(ctx), lambda session: adopt(session, data=data, source=file.name, operator=who, today=today(ctx))
    )
    codes = ", ".join(adopted.standards)
    say(ctx, "standards.adopted", id=adopted.resolution_id, count=len(adopted.standards), codes=codes)


@standard_app.command("list", help=h("help.standard_list"))
def standard_list(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.reports.registry import standard_rows
    from moralbank.storage.db import reading

    on = day(as_of, "--as-of", ctx) if as_of else None
    with reading(engine(ctx)) as session:
        rows = standard_rows(session, as_of=on)
    show(ctx, rows, fmt, out=out, sheet=text("sheet.standards", print_lang(ctx)))
