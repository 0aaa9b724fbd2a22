"""Privacy: no output shows a whole ID number or phone, except a bank export made with --full-id."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from moralbank.domain.identity import synthetic_id, synthetic_phone
from tests.golden_files import GOLDEN
from tests.runner import Run, run_on
from tests.town import build_register

# A whole ID number or mobile number standing alone: not part of a longer run of letters and digits
# (a SHA-256 in hex, say, may hold eleven digits in a row by chance).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9A-Za-z])1\d{10}(?![0-9A-Za-z])")
LANGS = ("zh", "en")


class Demo:
    """The demo database, and a way to run any command on it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = str(folder / "demo.db")
        self.cli = run_on(self.db, operator="隐私测试")
        self.outputs: dict[str, str] = {}

    def run(self, *args: str, lang: str = "en") -> Any:
        result = self.cli(*args, lang=lang)
        assert result.exit_code == 0, (args, result.output)
        self.outputs[f"{lang}: {' '.join(args)}"] = result.output
        return result

    def secrets(self) -> tuple[set[str], set[str]]:
        """Every stored ID number and phone."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("SELECT id_number, phone FROM household").fetchall()
        return {i for i, _ in rows}, {p for _, p in rows if p}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo loaded once, with every read command run over it in both languages and formats."""
    place = Demo(tmp_path_factory.mktemp("privacy"))
    place.run("demo", lang="zh")
    place.run("keys", "generate", "--out", str(place.folder / "keys"))
    yield place


def read_commands(demo: Demo) -> list[tuple[str, ...]]:
    today = date.today().isoformat()
    key = str(demo.folder / "keys" / "moralbank_signing.key")
    commands: list[tuple[str, ...]] = [
        ("checkpoint",),
        ("verify",),
        ("export", "journal"),
        ("board", "list"),
        ("credit", "exports"),
        ("credit", "export", "--as-of", today, "--bank", "高密农商银行", "--out", str(demo.folder / "list.csv"),
         "--signing-key", key, "--replace"),  # run once per language: the second replaces the first
        ("credit", "verify", str(demo.folder / "list.csv"), "--public-key",
         str(demo.folder / "keys" / "moralbank_signing.pub")),
    ]  # fmt: skip
    for fmt in ("table", "json", "csv"):
        commands += [
            ("village", "list", "-f", fmt),
            ("household", "list", "-f", fmt),
            ("household", "show", "NL001", "-f", fmt),
            ("standard", "list", "-f", fmt),
            ("balance", "NL001", "-f", fmt),
            ("statement", "BG030", "-f", fmt),
            ("credit", "rate", "--as-of", today, "-f", fmt),
            ("credit", "summary", "--as-of", today, "-f", fmt),
            ("credit", "exports", "-f", fmt),
        ]
    for fmt in ("table", "json", "csv", "md", "html"):
        commands += [
            ("board", "show", "--village", "NL", "--month", "2026-11", "-f", fmt),
            ("board", "show", "--county", "--month", "2026-11", "-f", fmt),
        ]
    for fmt in ("table", "json", "md", "html"):
        commands.append(("notice", "show", "--village", "BG", "-f", fmt))
    for fmt in ("table", "json"):
        commands += [
            ("credit", "explain", "BG030", "--as-of", today, "-f", fmt),
            ("credit", "explain", "NL036", "--as-of", today, "-f", fmt),
            ("report", "trend", "--village", "XY", "--until", "2026-11", "-f", fmt),
            ("report", "trend", "--household", "NL001", "--until", "2026-11", "-f", fmt),
        ]
    return commands


def leaks(text: str, ids: set[str], phones: set[str]) -> list[str]:
    found = ID_NUMBER.findall(text) + PHONE.findall(text)
    found += [secret for secret in ids | phones if secret in text]
    return found


def test_no_command_output_shows_a_whole_id_or_phone(demo: Demo) -> None:
    ids, phones = demo.secrets()
    assert len(ids) == 165 and phones  # the demo stores whole numbers: there is something to leak
    for lang in LANGS:
        for args in read_commands(demo):
            demo.run(*args, lang=lang)
    assert len(demo.outputs) > 100
    leaked = {name: found for name, output in demo.outputs.items() if (found := leaks(output, ids, phones))}
    assert leaked == {}


def test_masked_export_and_signature_files_hold_no_whole_id(demo: Demo) -> None:
    ids, phones = demo.secrets()
    key = str(demo.folder / "keys" / "moralbank_signing.key")
    today = date.today().isoformat()
    for fmt in ("csv", "json"):
        out = demo.folder / f"masked.{fmt}"
        demo.run(
            "credit",
            "export",
            "--as-of",
            today,
            "--bank",
            "潍坊银行",
            "--out",
            str(out),
            "-f",
            fmt,
            "--signing-key",
            key,
        )
        for path in (out, out.with_name(out.name + ".sig")):
            assert leaks(path.read_text(encoding="utf-8-sig"), ids, phones) == []


def test_the_scan_does_catch_whole_ids_in_a_full_id_export(demo: Demo) -> None:
    ids, _ = demo.secrets()
    out = demo.folder / "full.csv"
    key = str(demo.folder / "keys" / "moralbank_signing.key")
    demo.run("credit", "export", "--as-of", date.today().isoformat(), "--bank", "高密农商银行", "--out", str(out),
             "--signing-key", key, "--full-id")  # fmt: skip
    body = out.read_text(encoding="utf-8-sig")
    found = ID_NUMBER.findall(body)
    assert found and set(found) <= ids
    assert PHONE.findall("电话 13812345678，") == ["13812345678"]
    assert PHONE.findall("hash 9a13812345678f") == []  # inside a hex hash is no phone


@pytest.mark.parametrize("path", sorted(p for p in GOLDEN.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_golden_files_hold_no_whole_id_or_phone(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert ID_NUMBER.findall(text) == [] and PHONE.findall(text) == []


def test_there_are_golden_files_to_scan() -> None:
    names = {p.name for p in GOLDEN.iterdir()}
    assert {"credit_summary.json", "credit_rate.csv", "board_dz.csv"} <= names


# --- free text that would carry a number onto passbooks, notices and exports ---------------------

_RNG = random.Random(4242)
AN_ID, A_PHONE = synthetic_id(_RNG), synthetic_phone(_RNG)


def _entries(run: Run) -> int:
    return len(run("statement", "NL001", "--format", "json").stdout.split('"id":')) - 1


def test_free_text_with_an_id_or_phone_is_refused_and_nothing_is_written(
    run: Run, engine: Engine, tmp_path: Path
) -> None:
    build_register(engine)
    note = run("award", "NL001", "ZY01", "--on", "2026-09-02", "--booked", "2026-09-25", "--note", f"电话{A_PHONE}")
    assert note.exit_code == 1
    assert "field note: must not contain an ID or mobile number" in note.output
    assert A_PHONE not in note.output
    assert _entries(run) == 0
    sheet = tmp_path / "d.csv"
    sheet.write_text(
        f"household,standard,event_date,booked_on,note\nNL001,ZY01,2026-09-02,2026-09-25,身份证{AN_ID}\n",
        encoding="utf-8",
    )
    rows = run("import", "decisions", str(sheet), lang="zh")
    assert rows.exit_code == 1
    assert "第 2 行，字段 备注：不得含身份证号或手机号" in rows.output
    awarded = run("award", "NL001", "ZY01", "--on", "2026-09-02", "--booked", "2026-09-25")  # 4 coins
    entry = awarded.stdout.split()[-1]
    reason = run("reverse", entry, "--reason", f"联系{A_PHONE}")
    assert reason.exit_code == 1 and "reason must not contain" in reason.output
    item = run("redeem", "NL001", "4", "--item", f"肥皂 {AN_ID}")
    assert item.exit_code == 1 and "item must not contain" in item.output
    assert _entries(run) == 1
