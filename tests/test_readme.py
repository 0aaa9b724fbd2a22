"""The README's examples run as written: its command blocks, in a fresh folder, each command succeeding."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

from moralbank.resources import schema_path
from tests.clock import freeze_today
from tests.runner import Run, ok

README = schema_path().parent / "README.md"


def section_blocks(section: str) -> list[str]:
    """The ``sh`` blocks of one README section, continuations joined."""
    readme = README.read_text(encoding="utf-8")
    body = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [block.replace("\\\n", " ") for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S)]


def run_block(run: Run, block: str, folder: Path, outputs: list[str] | None = None) -> int:
    """Every line of a block: ``export`` sets the operator, ``> FILE`` keeps the output; returns how many ran."""
    operator = "tester"
    outputs = [] if outputs is None else outputs
    count = 0
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            assert name == "MORALBANK_OPERATOR", line
            operator = value
            continue
        assert words[0] == "moralbank", line
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        out = ok(run(*words[1:], operator=operator))
        outputs.append(out)
        if target:
            (folder / target).write_text(out, encoding="utf-8")
        count += 1
    return count


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Path:
    """A fresh folder holding the packaged fixtures, as a clerk has after installing."""
    if "://" in db_url:
        pytest.skip("the README's commands are the same on every database")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").symlink_to(schema_path().parent / "fixtures")
    return tmp_path


def test_the_everyday_commands_and_publishing_run_as_written(
    run: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, date(2026, 11, 29))
    (everyday,) = section_blocks("Everyday commands")
    # `init` on a new file registers 王会计 as its first operator; this file was made (with its own
    # first operator) by the fixture, so 王会计 is registered as init would have.
    ok(run("operator", "add", "王会计", "--role", "township"))
    assert run_block(run, everyday, folder) == 19
    assert (folder / "checkpoint.json").is_file() and (folder / "ledger.journal").is_file()
    freeze_today(monkeypatch, date(2026, 12, 3))
    (publishing,) = section_blocks("Publishing a board")
    assert run_block(run, publishing, folder) == 13
    assert (folder / "2026-11-NL.html").is_file() and (folder / "notice.html").is_file()
    outputs: list[str] = []
    assert [run_block(run, block, folder, outputs) for block in section_blocks("For banks")] == [6, 2, 4]
    assert "1 approved, 0 refused" in outputs[-4]
    assert "authorised by banks: 1 household, 0.05 million yuan of credit granted, 0.03" in outputs[-1]
    assert (folder / "list.csv").is_file() and (folder / "list.csv.sig").is_file()


def test_the_file_format_template_imports_as_it_is(run: Run, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, date(2026, 11, 29))
    (setup,) = section_blocks("File formats")
    outputs: list[str] = []
    assert run_block(run, setup, folder, outputs) == 5
    assert outputs[-1].splitlines() == [
        "skipped row 1 (a title): 南伦村2026年11月道德积分评议表",
        "skipped row 7 (a footer): 制表人：王会计",
        "3 entries recorded (0 repeated rows were already recorded).",
        "Logged as import #3 (to undo it: moralbank reverse --import 3 --reason TEXT)",
    ]
    statement = json.loads(ok(run("statement", "NL005", "-f", "json")))["lines"]
    assert [(line["event_date"], line["booked_on"], line["coins"]) for line in statement] == [
        ("2026-11-15", "2026-11-25", 10)
    ]


def test_the_upgrade_and_backup_commands_run_as_written(
    run: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, date(2026, 12, 1))
    blocks = section_blocks("Keeping the ledger for years: upgrades, backups and the village's clock")
    assert [run_block(run, block, folder) for block in blocks] == [3, 1]
    assert (folder / "demo-2026-12.db").is_file()


def test_the_register_and_consent_commands_run_as_written(
    run: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_today(monkeypatch, date(2026, 12, 1))
    outputs: list[str] = []
    (block,) = section_blocks("The register's history, consent, and what verify checks")
    assert run_block(run, block, folder, outputs) == 9
    assert "moved from village NL to village XY on 2026-12-01" in outputs[2]
    assert "举家迁居" in outputs[3]  # the move in NL002's history
    consent = json.loads(outputs[7])
    assert [(c["recipient"], c["action"]) for c in consent] == [
        ("board", "grant"),
        ("bank:*", "grant"),
        ("bank:高密农商银行", "withdraw"),
    ]
    assert outputs[-1].startswith("Ledger intact")
