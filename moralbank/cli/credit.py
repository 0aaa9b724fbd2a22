"""Credit (信): ratings, village-wide figures, signed bank exports and signing keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from moralbank.cli.common import (
    access,
    app,
    check_format,
    complain,
    emit,
    engine,
    group,
    h,
    operator,
    output,
    print_lang,
    reading_rows,
    say,
    settings,
    show,
    tell_sheet,
    today,
    workbook,
)
from moralbank.cli.options import (
    FormatOpt,
    OutOpt,
    PolicyOpt,
    RatingDateOpt,
    VillageFilterOpt,
)
from moralbank.messages import text

credit_app = group("help.credit")
keys_app = group("help.keys")
app.add_typer(credit_app, name="credit")
app.add_typer(keys_app, name="keys")


def csv_text(table: Any) -> str:
    """A sheet as CSV with a BOM (imported here, off the --help path)."""
    from moralbank.render.spreadsheet import csv_text as as_csv

    return as_csv(table)


def credit_policy(path: Path | None) -> Any:
    """The credit policy in ``--policy``, or the packaged one."""
    from moralbank.domain.credit_policy import load_policy
    from moralbank.resources import fixtures_dir

    return load_policy(path or fixtures_dir() / "credit_policy.toml")


def rating_date(ctx: typer.Context, value: str) -> date:
    """The rating date: a valid date, not in the future (a rating vouches for what has happened)."""
    from moralbank.domain.dates import parse_date
    from moralbank.errors import InputError

    on = parse_date(value, "--as-of")
    if on > today(ctx):
        raise InputError("date.future_field", field="--as-of", value=value)
    return on


@credit_app.command("rate", help=h("help.credit_rate"))
def credit_rate(
    ctx: typer.Context,
    as_of: RatingDateOpt,
    village: VillageFilterOpt = None,
    policy: PolicyOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import SHEET_FORMATS, render_json
    from moralbank.reports.credit import rate, rating_head, rating_values

    check_format(fmt, SHEET_FORMATS)
    rules, on = credit_policy(policy), rating_date(ctx, as_of)
    if fmt == "csv":  # streamed: a county's ratings are never held whole
        with reading_rows(ctx) as db:
            head = rating_head(db, rules, as_of=on, village=village)
            with output(out) as stream:
                rows = rating_values(db, rules, as_of=on, village=village)
                rc.write_ratings_csv(stream, head, rows, print_lang(ctx))
        return
    with reading_rows(ctx) as db:
        report = rate(db, rules, as_of=on, village=village)
    if fmt == "xlsx":
        workbook(out, [rc.ratings_sheet(report, print_lang(ctx))])
        return
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rc.ratings_renderables(report, settings(ctx).lang),
        "json": lambda: render_json(report),
    }
    emit(out, renderers[fmt]())


@credit_app.command("explain", help=h("help.credit_explain"))
def credit_explain(
    ctx: typer.Context, household: str, as_of: RatingDateOpt, policy: PolicyOpt = None, fmt: FormatOpt = "table"
) -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import render_json
    from moralbank.reports.credit import explain

    check_format(fmt, ("table", "json"))
    rules, on = credit_policy(policy), rating_date(ctx, as_of)
    with reading_rows(ctx) as db:
        why = explain(db, rules, household=household, as_of=on)
    emit(None, render_json(why) if fmt == "json" else rc.explain_renderables(why, settings(ctx).lang))


@credit_app.command("summary", help=h("help.credit_summary"))
def credit_summary(
    ctx: typer.Context,
    as_of: RatingDateOpt,
    policy: PolicyOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.render import credit as rc
    from moralbank.render.formats import SHEET_FORMATS, render_json
    from moralbank.reports.credit import summary

    check_format(fmt, SHEET_FORMATS)
    rules, on = credit_policy(policy), rating_date(ctx, as_of)
    with reading_rows(ctx) as db:
        report = summary(db, rules, as_of=on)
    if fmt == "xlsx":
        workbook(out, [rc.summary_sheet(report, print_lang(ctx))])
        return
    renderers: dict[str, Callable[[], str | list[Any]]] = {
        "table": lambda: rc.summary_renderables(report, settings(ctx).lang),
        "json": lambda: render_json(report),
        "csv": lambda: csv_text(rc.summary_sheet(report, print_lang(ctx))),
    }
    emit(out, renderers[fmt]())


@credit_app.command("export", help=h("help.credit_export"))
def credit_export(
    ctx: typer.Context,
    as_of: RatingDateOpt,
    bank: Annotated[str, typer.Option("--bank", help=h("help.bank"))],
    out: Annotated[Path, typer.Option("--out", help=h("help.export_out"))],
    signing_key: Annotated[Path, typer.Option("--signing-key", help=h("help.signing_key"))],
    fmt: Annotated[str, typer.Option("--format", "-f", help=h("help.format"))] = "csv",
    full_id: Annotated[bool, typer.Option("--full-id", help=h("help.full_id"))] = False,
    policy: PolicyOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help=h("help.export_replace"))] = False,
) -> None:
    from moralbank.render.bank_export import EXPORT_FORMATS
    from moralbank.workflows.credit_export import export_signed

    who = operator(ctx, "township")
    check_format(fmt, EXPORT_FORMATS)
    done = export_signed(
        database=access(ctx),
        policy=credit_policy(policy),
        as_of=rating_date(ctx, as_of),
        bank=bank,
        out=out,
        file_format=fmt,
        signing_key=signing_key,
        operator=who,
        full_id=full_id,
        lang=print_lang(ctx),
        replace=replace,
    )
    say(ctx, "credit.exported", rows=done.rows, path=str(out), format=fmt, sig=str(done.signature), id=done.id)
    if full_id:
        say(ctx, "credit.full_id_warning", bank=done.bank)


@credit_app.command("exports", help=h("help.credit_exports"))
def credit_exports(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    from moralbank.reports.credit import export_log
    from moralbank.storage.db import reading

    with reading(engine(ctx)) as session:
        rows = export_log(session)
    if not rows and fmt == "table":
        say(ctx, "credit.no_exports")
        return
    shown = ["id", "exported_at", "operator", "bank", "as_of", "format", "rows", "full_id", "file", "sha256"]
    show(ctx, rows, fmt, columns=shown if fmt == "table" else None)


@credit_app.command("verify", help=h("help.credit_verify"))
def credit_verify(
    ctx: typer.Context,
    file: Path,
    public_key: Annotated[Path, typer.Option("--public-key", help=h("help.public_key"))],
    signature: Annotated[Path | None, typer.Option("--signature", help=h("help.signature"))] = None,
) -> None:
    from moralbank.render.bank_export import signature_path, verify_export
    from moralbank.render.credit import verified_lines

    manifest = verify_export(file, signature or signature_path(file), public_key)
    lang = settings(ctx).lang
    typer.echo("\n".join([text("credit_verify.checked", lang, path=str(file)), *verified_lines(manifest, lang)]))
    if manifest.valid_until is not None and manifest.valid_until < today(ctx).isoformat():
        complain(text("credit_verify.expired", lang, until=manifest.valid_until, today=today(ctx).isoformat()))
        raise typer.Exit(2)


@keys_app.command("generate", help=h("help.keys_generate"))
def keys_generate(ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help=h("help.keys_out"))]) -> None:
    from moralbank.services.signing import generate_keys

    pair = generate_keys(out)
    say(ctx, "keys.generated", private=str(pair.private), public=str(pair.public), key_id=pair.key_id)


# --- the bank's answer (issue 15) ---

results_app = group("help.credit_results")
credit_app.add_typer(results_app, name="results")


@results_app.command("import", help=h("help.results_import"))
def results_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=h("help.results_file"))],
    bank: Annotated[str, typer.Option("--bank", help=h("help.results_bank"))],
    export: Annotated[int | None, typer.Option("--export", help=h("help.results_export"))] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=h("help.results_kind"))] = None,
    on: Annotated[str | None, typer.Option("--on", help=h("help.results_on"))] = None,
) -> None:
    from moralbank.domain.dates import parse_date
    from moralbank.errors import InputError
    from moralbank.services.bank_results import record_results
    from moralbank.services.bank_tables import read_bank_table
    from moralbank.storage.db import retrying

    who = operator(ctx, "township")
    when = parse_date(on, "--on") if on else None
    if when is not None and when > today(ctx):
        raise InputError("date.future_field", field="--on", value=on)
    table = read_bank_table(file, kind=kind, on=when, today=today(ctx))
    tell_sheet(ctx, table.sheet)
    done = retrying(
        engine(ctx),
        lambda session: record_results(session, table=table, path=file, bank=bank, export_id=export, operator=who),
    )
    kind_name = text(f"value.bank_kind.{done.kind}", settings(ctx).lang)
    say(ctx, "bank_results.imported", id=done.id, rows=done.rows, kind=kind_name, bank=done.bank, export=done.export_id)
    if done.kind == "approval":
        say(ctx, "bank_results.imported_approvals", approved=done.approved, refused=done.refused)


@results_app.command("summary", help=h("help.results_summary"))
def results_summary(
    ctx: typer.Context,
    bank: Annotated[str, typer.Option("--bank", help=h("help.results_bank"))],
    fmt: Annotated[str, typer.Option("--format", "-f", help=h("help.format"))] = "table",
    out: OutOpt = None,
) -> None:
    from moralbank.reports.bank_results import bank_answers
    from moralbank.storage.db import reading

    check_format(fmt, ("table", "json", "csv"))
    with reading(engine(ctx)) as session:
        rows = bank_answers(session, bank=bank)
    if not rows and fmt == "table":
        say(ctx, "bank_results.no_exports", bank=bank.strip())
        return
    title = text("bank_results.summary_title", settings(ctx).lang, bank=bank.strip())
    show(ctx, rows, fmt, title=title, out=out)
