"""Review regressions: user mistakes found in review get catalogue messages, not tracebacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from moralbank.messages import text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_named_xlsx_that_is_no_workbook_is_refused_by_name(run: Any, tmp_path: Path, lang: str) -> None:
    sheet = tmp_path / "决定.xlsx"
    sheet.write_bytes(b"\x00\x01 not a zip archive")
    result = run("import", "decisions", str(sheet), lang=lang)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text("sheet.not_workbook", lang, path="决定.xlsx") in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_csv_in_no_known_encoding_is_refused_by_name(run: Any, tmp_path: Path, lang: str) -> None:
    sheet = tmp_path / "decisions.csv"
    sheet.write_bytes("户编号,标准\n".encode("utf-16"))  # Excel's "Unicode text": neither UTF-8 nor GB18030
    result = run("import", "decisions", str(sheet), lang=lang)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text("sheet.bad_encoding", lang, path="decisions.csv") in result.output


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_verify_refuses_a_format_it_cannot_write(run: Any, fmt: str) -> None:
    assert run("init").exit_code == 0
    result = run("verify", "--format", fmt)
    assert result.exit_code == 1
    assert text("format.invalid", "en", value=fmt, choices="table, json") in result.output


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.app, list(args), env={"MORALBANK_OPERATOR": ""})


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", [["balance", "BG001"], ["init"], ["--operator", "o", "award", "BG001", "ZY01"]])
def test_a_db_file_that_is_not_sqlite_is_named_not_a_traceback(tmp_path: Path, lang: str, command: list[str]) -> None:
    other = tmp_path / "notes.db"
    other.write_text("not a database, just a text file long enough to have a header\n" * 4)
    result = _cli("--db", str(other), "--lang", lang, *command)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert text("db.not_sqlite", lang) in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_database_scheme_is_refused_without_echoing_a_password(lang: str) -> None:
    result = _cli("--db", "mysql+nodriver://clerk:s3cret@host/db", "--lang", lang, "balance", "BG001")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert text("db.bad_url", lang) in result.output
    assert "s3cret" not in result.output
