"""Consent names its recipient (issue 10, PIPL art. 23 and 25): bank lists and boards follow what is in force."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.clock import freeze_today
from tests.runner import Run, failed, invoke, ok, one_line
from tests.town import AS_OF, RATINGS, TODAY, build_credit_town

BANK, OTHER = "高密农商银行", "潍坊银行"
# Rated households that consented on the register sheet (同意报送银行 = 是): DZ08 did not.
CONSENTING_RATED = sorted(code for code, (_, tier, _, _) in RATINGS.items() if tier and code != "DZ08")


@pytest.fixture
def office(run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The credit town and a signing key."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    return tmp_path


def listed(run: Run, office: Path, name: str, bank: str = BANK, as_of: str = AS_OF) -> list[str]:
    """The household codes a bank list for ``bank`` holds."""
    out = office / name
    key = str(office / "keys" / "moralbank_signing.key")
    invoke(run, "credit", "export", "--as-of", as_of, "--bank", bank, "--out", str(out), "--signing-key", key)
    return [row[0] for row in list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))[1:]]


def test_the_register_sheets_consent_is_a_general_bank_consent(office: Path, run: Run) -> None:
    assert listed(run, office, "a.csv") == CONSENTING_RATED
    assert listed(run, office, "b.csv", bank=OTHER) == CONSENTING_RATED
    rows = json.loads(ok(run("consent", "list", "DZ01", "--format", "json")))
    assert [(r["recipient"], r["general"], r["action"], r["source"]) for r in rows] == [
        ("board", False, "grant", "register"),
        ("bank:*", True, "grant", "register"),
    ]


def test_a_withdrawal_for_one_bank_removes_the_household_from_that_banks_later_lists_only(
    office: Path, run: Run
) -> None:
    household = CONSENTING_RATED[0]
    said = ok(run("consent", "withdraw", household, "--bank", BANK, "--on", "2026-11-20", "--reason", "本人撤回"))
    assert said == f"Household {household}'s withdrawal of consent for bank:{BANK} is recorded, from 2026-11-20.\n"
    assert listed(run, office, "a.csv") == [c for c in CONSENTING_RATED if c != household]
    assert listed(run, office, "b.csv", bank=OTHER) == CONSENTING_RATED
    # A list dated before the withdrawal still holds it: consent follows the date of the list.
    assert household in listed(run, office, "c.csv", as_of="2026-11-19")


def test_a_named_bank_consent_adds_a_household_to_that_bank_only(office: Path, run: Run) -> None:
    if "DZ08" not in {code for code, (_, tier, _, _) in RATINGS.items() if tier}:
        pytest.skip("DZ08 is not rated in this town")
    ok(run("consent", "grant", "DZ08", "--bank", BANK, "--ref", "TY-2026-008", "--on", "2026-11-01"))
    assert listed(run, office, "a.csv") == sorted([*CONSENTING_RATED, "DZ08"])
    assert "DZ08" not in listed(run, office, "b.csv", bank=OTHER)


def test_withdrawing_the_general_consent_removes_the_household_from_every_bank(office: Path, run: Run) -> None:
    household = CONSENTING_RATED[0]
    ok(run("consent", "withdraw", household, "--all-banks", "--ref", "CH-1"))
    assert household not in listed(run, office, "a.csv")
    assert household not in listed(run, office, "b.csv", bank=OTHER)
    ok(run("consent", "grant", household, "--bank", OTHER, "--ref", "TY-9"))
    assert household in listed(run, office, "c.csv", bank=OTHER)
    assert household not in listed(run, office, "d.csv")


def test_consent_commands_refuse_what_a_form_cannot_say(office: Path, run: Run) -> None:
    assert "exactly one recipient" in failed(run("consent", "grant", "DZ01", "--ref", "F1"))
    assert "exactly one recipient" in failed(run("consent", "grant", "DZ01", "--board", "--bank", BANK, "--ref", "F1"))
    assert "--ref" in failed(run("consent", "grant", "DZ08", "--bank", BANK, "--ref", " "))
    assert "after today" in failed(run("consent", "grant", "DZ08", "--bank", BANK, "--ref", "F1", "--on", "2026-12-25"))
    already = one_line(failed(run("consent", "grant", "DZ01", "--board", "--ref", "F1")))
    assert already.startswith("Error: household DZ01's consent for board is already in force")
    nothing = one_line(failed(run("consent", "withdraw", "DZ08", "--bank", BANK, "--reason", "x")))
    assert f"household DZ08 has no consent for bank:{BANK} in force on 2026-11-29: nothing to withdraw" in nothing
    assert "--reason" in failed(run("consent", "withdraw", "DZ01", "--board"))
    assert "no household NL404" in failed(run("consent", "list", "NL404"))
    leaked = failed(run("consent", "grant", "DZ08", "--bank", "370702195107298378", "--ref", "F1"))
    assert "370702195107298378" not in leaked


def test_a_board_withdrawal_hides_the_name_on_later_boards_only(office: Path, run: Run) -> None:
    named = json.loads(ok(run("board", "show", "--village", "DZ", "--month", "2026-10", "--format", "json")))
    names = {row["household"]: row["name"] for row in named["rows"]}
    household = sorted(names)[0]
    ok(run("consent", "withdraw", household, "--board", "--on", "2026-11-01", "--reason", "不愿公示"))
    october = json.loads(ok(run("board", "show", "--village", "DZ", "--month", "2026-10", "--format", "json")))
    assert {row["household"]: row["name"] for row in october["rows"]} == names  # October's consent stood
    # November's board (computed now, after the withdrawal's date) no longer names the household.
    ok(run("award", household, "ZY01", "--on", "2026-11-05", "--booked", "2026-11-05"))
    november = json.loads(ok(run("board", "show", "--village", "DZ", "--month", "2026-11", "--format", "json")))
    later = {row["household"]: row["name"] for row in november["rows"]}
    assert later[household] != names[household]
    assert {code: name for code, name in later.items() if code != household} == {
        code: name for code, name in names.items() if code in later and code != household
    }
