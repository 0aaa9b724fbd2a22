"""Running the CLI in tests: the typed ``run`` callable, the CLI without a database, and result checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypedDict, Unpack

from typer.testing import CliRunner, Result

import cli

# A developer's own MORALBANK_OPERATOR must not leak into a test that checks the operator is asked for.
_ENV = {"MORALBANK_OPERATOR": ""}


class Run(Protocol):
    """The CLI on one database: ``run("award", "NL001", "XL01", lang="zh")``."""

    def __call__(
        self, *args: str, lang: str = "en", operator: str | None = "tester", input: str | None = None
    ) -> Result: ...


def run_on(db: str, *, operator: str | None = "tester") -> Run:
    """The CLI on ``db`` (a SQLite path or a URL), with ``operator`` unless a call names another or None."""
    default_operator = operator

    def run(*args: str, lang: str = "en", operator: str | None = default_operator, input: str | None = None) -> Result:
        head = ["--db", db, "--lang", lang]
        if operator:
            head += ["--operator", operator]
        return CliRunner().invoke(cli.app, [*head, *args], input=input, env=_ENV)

    return run


def call_cli(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Result:
    """The CLI exactly as typed, with no database, language or operator added (for init, demo, --db checks)."""
    return CliRunner().invoke(cli.app, list(args), input=input, env={**_ENV, **(env or {})})


class RunOptions(TypedDict, total=False):
    """The keyword arguments of a ``Run``."""

    lang: str
    operator: str | None
    input: str | None


def invoke(run: Run, *args: str, **options: Unpack[RunOptions]) -> Result:
    """Run the CLI and fail with its output when it does not succeed."""
    result = run(*args, **options)
    assert result.exit_code == 0, result.output
    return result


def ok(result: Result) -> str:
    """The stdout of a command that succeeded."""
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def failed(result: Result) -> str:
    """The stderr of a refused command, after checking it exited 1 without a traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.stderr


def one_line(message: str) -> str:
    """A message as printed: rich may wrap long lines on a narrow terminal."""
    return " ".join(message.split())
