"""The administration commands as a clerk types them: init, upgrade and backup on real files."""

from __future__ import annotations

import json
import re
import shutil
from contextlib import closing
from pathlib import Path

import pytest

from moralbank import __version__
from moralbank.storage.migrations import program_version
from tests.runner import call_cli

RELEASE_DB = Path(__file__).parent / "data" / "release-0.1.0.db"


def dump(path: Path) -> list[str]:
    """Every statement that rebuilds the file's schema and rows."""
    import sqlite3

    with closing(sqlite3.connect(path)) as raw:
        return list(raw.iterdump())


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    """A village file made by release 0.1.0 (schema version 1)."""
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    return path


def test_init_on_an_old_file_says_to_upgrade_and_changes_nothing(old_file: Path) -> None:
    before = dump(old_file)
    result = call_cli("--db", str(old_file), "--lang", "en", "init")
    assert result.exit_code == 1
    assert (
        f"schema version 1); this moralbank ({__version__}) needs schema version {program_version()}" in result.stderr
    )
    assert f"moralbank --db {old_file} upgrade" in result.stderr and "ready" not in result.output
    assert dump(old_file) == before  # not a table, row or trigger touched


def test_upgrade_backs_up_first_then_everything_verifies_and_a_second_run_is_a_no_op(old_file: Path) -> None:
    result = call_cli("--db", str(old_file), "--lang", "en", "upgrade")
    assert result.exit_code == 0, result.output
    backup_line, done_line, operators_line = result.stdout.splitlines()
    assert operators_line.startswith("No operator is registered yet: before any write")  # the file predates them
    backup = Path(backup_line.removeprefix("Backup of the database as it was: "))
    assert re.fullmatch(r"village\.v1-backup-\d{8}T\d{6}Z\.db", backup.name) and backup.parent == old_file.parent
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert done_line.startswith(f"Upgraded {old_file} from schema version 1 to {program_version()} (")
    verified = call_cli("--db", str(old_file), "--lang", "en", "verify")
    assert verified.exit_code == 0 and verified.stdout.startswith("Ledger intact: 3 village(s), 579 entries")
    again = call_cli("--db", str(old_file), "--lang", "zh", "upgrade")
    assert again.exit_code == 0
    assert again.stdout == f"数据库 {old_file} 已是最新结构版本 {program_version()}，无需升级。\n"
    assert sorted(p.name for p in old_file.parent.glob("*backup*")) == [backup.name]  # none for a no-op


def test_backup_of_a_live_file_verifies_and_prints_its_checkpoints(old_file: Path, tmp_path: Path) -> None:
    assert call_cli("--db", str(old_file), "upgrade").exit_code == 0
    stick = tmp_path / "usb" / "2026-12.db"
    stick.parent.mkdir()
    result = call_cli("--db", str(old_file), "--lang", "en", "backup", "--out", str(stick), "--format", "json")
    assert result.exit_code == 0, result.output
    marks = json.loads(result.stdout)
    assert [m["village"] for m in marks] == ["*", "BG", "NL", "XY"] and sum(m["seq"] for m in marks) == 579
    shown = call_cli("--db", str(stick), "checkpoint", "--format", "json")
    assert json.loads(shown.stdout) == marks  # the copy is the ledger, to the hash
    again = call_cli("--db", str(old_file), "--lang", "en", "backup", "--out", str(stick))
    assert again.exit_code == 1 and str(stick) in again.stderr


def test_a_newer_file_is_refused_by_every_command(old_file: Path) -> None:
    import sqlite3

    assert call_cli("--db", str(old_file), "upgrade").exit_code == 0
    with sqlite3.connect(old_file) as raw:
        raw.execute(
            "INSERT INTO schema_version (version, name, applied_at, moralbank) VALUES (99, 'future', '2030-01-01', '9.0')"
        )
    for args in (["village", "list"], ["init"], ["award", "NL001", "ZY01"]):
        result = call_cli("--db", str(old_file), "--lang", "en", "--operator", "t", *args)
        assert result.exit_code == 1 and "schema version 99" in result.stderr and "upgrade moralbank" in result.stderr
