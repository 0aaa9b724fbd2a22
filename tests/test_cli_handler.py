"""The one error handler: every command is inside it, user errors exit 1, bugs exit 70 with a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import cli
from moralbank.cli.common import HANDLED
from moralbank.cli.crash import scrub

ID_NUMBER = "110101199003077777"  # synthetic, never a real person's
PHONE = "13800001234"


def leaf_commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every runnable command below ``command``, with its path of names."""
    children = getattr(command, "commands", None)
    if children is None:
        return [(path, command)]
    found = []
    for name, child in children.items():
        found += leaf_commands(child, (*path, name))
    return found


def test_every_registered_command_runs_inside_the_handler() -> None:
    commands = leaf_commands(typer.main.get_command(cli.app))
    assert len(commands) >= 35  # the walk reached the groups, not only the root
    unhandled = [" ".join(path) for path, command in commands if not getattr(command.callback, HANDLED, False)]
    assert unhandled == []


def test_a_bug_prints_one_line_and_writes_a_report_without_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moralbank.reports import registry

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        secret = {"id": ID_NUMBER, "phone": PHONE}  # a local the report must not show
        raise RuntimeError(f"bug while reading {secret['id']} / {secret['phone']}")

    monkeypatch.setattr(registry, "village_rows", broken)
    monkeypatch.setenv("MORALBANK_CRASH_DIR", str(tmp_path / "reports"))
    db = tmp_path / "x.db"
    assert CliRunner().invoke(cli.app, ["--db", str(db), "init"]).exit_code == 0
    result = CliRunner().invoke(cli.app, ["--db", str(db), "--lang", "zh", "village", "list"])
    assert result.exit_code == 70
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("内部错误：") and "Traceback" not in result.stderr
    (report,) = (tmp_path / "reports").iterdir()
    assert str(report) in lines[0]
    body = report.read_text(encoding="utf-8")
    assert "Traceback" in body and "RuntimeError: bug while reading" in body
    assert ID_NUMBER not in body and PHONE not in body
    assert "1****************7" in body and "1*********4" in body


def test_a_user_error_exits_1_with_the_message_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli.app, ["--db", str(tmp_path / "nofolder" / "x.db"), "--lang", "en", "village", "list"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_scrub_masks_id_and_phone_shaped_digit_runs_only() -> None:
    assert (
        scrub(f"a {ID_NUMBER} b {PHONE} c 2026-12-01 seq 12345")
        == "a 1****************7 b 1*********4 c 2026-12-01 seq 12345"
    )


def test_a_reader_that_goes_away_is_no_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("MORALBANK_CRASH_DIR", str(tmp_path / "reports"))
    db = str(tmp_path / "x.db")
    assert CliRunner().invoke(cli.app, ["--db", db, "--operator", "t", "demo"]).exit_code == 0
    # ``moralbank export journal | head -1``: the reader closes the pipe after one line.
    writer = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", db, "export", "journal"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert writer.stdout is not None and writer.stderr is not None
    assert writer.stdout.readline().startswith(b"; moralbank journal")
    writer.stdout.close()
    assert writer.wait(timeout=60) == 141
    assert writer.stderr.read() == b""
    assert not (tmp_path / "reports").exists()
