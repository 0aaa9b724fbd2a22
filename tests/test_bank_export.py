"""Signed bank exports: keys, the column allowlist, consent, masking, the export log, and verify."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from moralbank.domain.credit_policy import load_policy
from moralbank.errors import InputError, Refused
from moralbank.render.bank_export import bank_headings
from moralbank.reports.credit import BANK_COLUMNS, export_log
from moralbank.resources import fixtures_dir
from moralbank.services.signing import read_signature
from moralbank.storage.db import EngineAccess, reading, writing
from moralbank.workflows import credit_export
from tests.clock import freeze_today
from tests.golden_files import assert_golden
from tests.runner import Run, call_cli, invoke
from tests.town import AS_OF, CREDIT_HOUSEHOLDS, RATINGS, TODAY, build_credit_town, credit_id_numbers

BANK = "高密农商银行"
CONSENTING_RATED = sorted(code for code, (_, tier, _, _) in RATINGS.items() if tier and code != "DZ08")
POLICY_HASH = load_policy(fixtures_dir() / "credit_policy.toml").hash


@pytest.fixture
def office(run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The credit town, a signing key pair and a second (foreign) key pair."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    invoke(run, "keys", "generate", "--out", str(tmp_path / "other"))
    return {
        "key": tmp_path / "keys" / "moralbank_signing.key",
        "pub": tmp_path / "keys" / "moralbank_signing.pub",
        "other_pub": tmp_path / "other" / "moralbank_signing.pub",
        "dir": tmp_path,
    }


def export(run: Run, office: dict[str, Path], name: str, *more: str, bank: str = BANK, as_of: str = AS_OF) -> Path:
    """Make an export and return its path."""
    out = office["dir"] / name
    invoke(
        run,
        "credit",
        "export",
        "--as-of",
        as_of,
        "--bank",
        bank,
        "--out",
        str(out),
        "--signing-key",
        str(office["key"]),
        *more,
    )
    return out


def verify(run: Run, office: dict[str, Path], path: Path, *more: str, key: str = "pub", lang: str = "en") -> Any:
    return run("credit", "verify", str(path), "--public-key", str(office[key]), *more, lang=lang, operator=None)


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


# --- keys ----------------------------------------------------------------------------------------


def test_keys_generate_writes_an_owner_only_private_key_and_never_overwrites(run: Run, tmp_path: Path) -> None:
    result = invoke(run, "keys", "generate", "--out", str(tmp_path / "k"))
    private, public = tmp_path / "k" / "moralbank_signing.key", tmp_path / "k" / "moralbank_signing.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "fingerprint" in result.stdout
    before = private.read_bytes()
    again = run("keys", "generate", "--out", str(tmp_path / "k"))
    assert again.exit_code == 1 and "already exists; it is never overwritten" in again.output
    assert private.read_bytes() == before


def test_export_refuses_a_bad_key_and_writes_nothing(run: Run, office: dict[str, Path]) -> None:
    out = office["dir"] / "list.csv"
    common = ["credit", "export", "--as-of", AS_OF, "--bank", BANK, "--out", str(out)]
    public = run(*common, "--signing-key", str(office["pub"]))
    assert public.exit_code == 1 and "is not an Ed25519 private key (PEM)" in public.output
    missing = run(*common, "--signing-key", str(office["dir"] / "none.key"))
    assert missing.exit_code == 1 and "File not found" in missing.output
    nobody = run(*common, "--signing-key", str(office["key"]), operator=None)
    assert nobody.exit_code == 1 and "operator" in nobody.output
    blank = run(
        "credit", "export", "--as-of", AS_OF, "--bank", " ", "--out", str(out), "--signing-key", str(office["key"])
    )
    assert blank.exit_code == 1 and "--bank" in blank.output
    wrong = run(*common, "--signing-key", str(office["key"]), "--format", "pdf")
    assert wrong.exit_code == 1 and "Unsupported format pdf" in wrong.output
    assert list(office["dir"].glob("list.csv*")) == []
    assert json.loads(invoke(run, "credit", "exports", "-f", "json").stdout) == []


# --- the list ------------------------------------------------------------------------------------


def test_csv_export_has_only_the_allowed_columns_consenting_rated_households_and_masked_ids(
    run: Run, office: dict[str, Path]
) -> None:
    path = export(run, office, "list.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # UTF-8 with BOM, CRLF: Excel and WPS
    rows = csv_rows(path)
    assert tuple(rows[0]) == bank_headings("en")  # the tests run with --lang en; Chinese is the default
    assert [r[0] for r in rows[1:]] == CONSENTING_RATED  # DZ08 did not consent; DZ06, DZ07 not rated
    ids = credit_id_numbers()
    by_code = {r[0]: dict(zip(BANK_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_code["XZ01"] == {
        "household": "XZ01",
        "village": "XZ",
        "village_name": "西庄村",
        "head_name": "孙明涛",
        "id_number": ids["XZ01"][:6] + "********" + ids["XZ01"][-4:],
        "tier": "AAA",
        "credit_line": "300000",
        "rated_on": AS_OF,
        "valid_until": "2027-11-28",
        "policy_hash": POLICY_HASH,
    }
    text_ = raw.decode("utf-8-sig")
    assert not any(ids[code] in text_ for code, *_ in CREDIT_HOUSEHOLDS)


def test_signature_file_names_hash_rows_date_bank_checkpoints_and_policy(
    run: Run, office: dict[str, Path], engine: Engine
) -> None:
    path = export(run, office, "list.csv")
    sig = json.loads((office["dir"] / "list.csv.sig").read_text(encoding="utf-8"))
    assert sig["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (sig["rows"], sig["as_of"], sig["bank"], sig["full_id"]) == (len(CONSENTING_RATED), AS_OF, BANK, False)
    assert sig["policy_hash"] == POLICY_HASH and sig["file"] == "list.csv" and sig["file_format"] == "csv"
    with reading(engine) as session:
        heads = session.execute(text("SELECT village, MAX(seq) FROM entry GROUP BY village ORDER BY village")).all()
    assert [(c["village"], c["seq"]) for c in sig["checkpoints"]] == [tuple(h) for h in heads]
    assert sig["format"] == "moralbank-credit-export/1" and sig["signature"]


def test_full_id_only_when_asked_and_recorded_in_the_log(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "full.csv", "--full-id")
    ids = credit_id_numbers()
    rows = {r[0]: r for r in csv_rows(path)[1:]}
    assert rows["DZ01"][BANK_COLUMNS.index("id_number")] == ids["DZ01"]
    assert "DZ08" not in rows  # consent is still required
    log = json.loads(invoke(run, "credit", "exports", "-f", "json").stdout)
    assert [(e["bank"], e["rows"], e["full_id"], e["file"]) for e in log] == [
        (BANK, len(CONSENTING_RATED), True, "full.csv")
    ]
    assert verify(run, office, path).exit_code == 0


def test_json_and_xlsx_exports_hold_the_same_rows_and_verify(run: Run, office: dict[str, Path]) -> None:
    rows = csv_rows(export(run, office, "list.csv"))[1:]
    doc = json.loads(export(run, office, "list.json", "--format", "json").read_text(encoding="utf-8"))
    assert (doc["format"], doc["bank"], doc["as_of"], doc["policy_hash"]) == (
        "moralbank-credit-list/1",
        BANK,
        AS_OF,
        POLICY_HASH,
    )
    assert [[str(r[c]) for c in BANK_COLUMNS] for r in doc["rows"]] == rows
    xlsx = export(run, office, "list.xlsx", "--format", "xlsx")
    book = load_workbook(xlsx, read_only=True)
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert book.sheetnames == ["Credit households"] and tuple(sheet[0]) == bank_headings("en")
    dates = [BANK_COLUMNS.index("rated_on"), BANK_COLUMNS.index("valid_until")]
    assert [[v.date().isoformat() if i in dates else str(v) for i, v in enumerate(r)] for r in sheet[1:]] == rows
    assert isinstance(sheet[1][BANK_COLUMNS.index("credit_line")], int)
    for name in ("list.csv", "list.json", "list.xlsx"):
        result = verify(run, office, office["dir"] / name)
        assert result.exit_code == 0, result.output
    log = json.loads(invoke(run, "credit", "exports", "-f", "json").stdout)
    assert [(e["id"], e["format"], e["operator"]) for e in log] == [
        (1, "csv", "tester"),
        (2, "json", "tester"),
        (3, "xlsx", "tester"),
    ]


def test_exports_table_and_empty_log(run: Run, office: dict[str, Path]) -> None:
    assert "No exports yet." in invoke(run, "credit", "exports").stdout
    assert "尚无导出记录" in invoke(run, "credit", "exports", lang="zh").stdout
    export(run, office, "list.csv")
    table = invoke(run, "credit", "exports").stdout
    assert BANK in table and "list.csv" in table and "tester" in table


def test_the_export_log_is_append_only(run: Run, office: dict[str, Path], engine: Engine) -> None:
    export(run, office, "list.csv")
    for statement in ("UPDATE export_log SET bank = 'x'", "DELETE FROM export_log"):
        with pytest.raises(DBAPIError, match="append-only"), writing(engine) as session:
            session.execute(text(statement))
    assert len(json.loads(invoke(run, "credit", "exports", "-f", "json").stdout)) == 1


def _export_signed(engine: Engine, office: dict[str, Path], name: str, bank: str = f" {BANK} ") -> Any:
    return credit_export.export_signed(
        database=EngineAccess(engine),
        policy=load_policy(fixtures_dir() / "credit_policy.toml"),
        as_of=date.fromisoformat(AS_OF),
        bank=bank,
        out=office["dir"] / name,
        file_format="csv",
        signing_key=office["key"],
        operator="clerk",
    )


def test_export_signed_places_signs_and_logs_one_export(office: dict[str, Path], engine: Engine) -> None:
    done = _export_signed(engine, office, "list.csv")
    out = office["dir"] / "list.csv"
    assert (done.id, done.rows, done.path, done.signature) == (
        1,
        len(CONSENTING_RATED),
        out,
        office["dir"] / "list.csv.sig",
    )
    assert (done.bank, done.full_id, done.file_format) == (BANK, False, "csv")
    assert [row[0] for row in csv_rows(out)[1:]] == CONSENTING_RATED
    with reading(engine) as session:
        (logged,) = export_log(session)
    assert (logged.id, logged.bank, logged.operator, logged.rows, logged.sha256) == (
        1,
        BANK,
        "clerk",
        done.rows,
        hashlib.sha256(out.read_bytes()).hexdigest(),
    )
    manifest, _ = read_signature(done.signature)
    assert (manifest.sha256, manifest.rows, manifest.bank, manifest.file) == (
        logged.sha256,
        done.rows,
        BANK,
        "list.csv",
    )


def test_export_signed_takes_the_file_back_when_the_log_cannot_record_it(
    office: dict[str, Path], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(session: Any, **_: Any) -> int:
        raise Refused("month.closed", month="2026-11")

    monkeypatch.setattr(credit_export, "record_export", refuse)
    with pytest.raises(Refused):
        _export_signed(engine, office, "list.csv")
    assert list(office["dir"].glob("list.csv*")) == []  # neither the list, its signature nor a partial file
    monkeypatch.undo()
    with pytest.raises(InputError) as blank:
        _export_signed(engine, office, "other.csv", bank=" ")
    assert blank.value.message("en") == "Name the bank receiving the list with --bank"
    assert list(office["dir"].glob("other.csv*")) == []


# --- verify --------------------------------------------------------------------------------------


def test_verify_accepts_an_untouched_export_with_its_summary(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    result = verify(run, office, path)
    assert result.exit_code == 0
    assert "Verified: list.csv matches its signature and is unaltered." in result.stdout
    assert f"{len(CONSENTING_RATED)} households, rated as of {AS_OF}, for {BANK}; ID numbers masked" in result.stdout
    assert f"Policy SHA-256: {POLICY_HASH}" in result.stdout and "Ledger checkpoint: DZ seq" in result.stdout
    zh = verify(run, office, path, lang="zh")
    assert zh.exit_code == 0 and "验证通过：list.csv 与签名一致" in zh.stdout
    # A bank has no moralbank database: verify never opens one.
    away = [
        "--db",
        str(office["dir"] / "no" / "such.db"),
        "credit",
        "verify",
        str(path),
        "--public-key",
        str(office["pub"]),
    ]
    assert call_cli(*away).exit_code == 0


def test_verify_catches_one_changed_byte(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    data = bytearray(path.read_bytes())
    where = data.index(b"300000")
    data[where] = ord("9")  # 300000 -> 900000
    path.write_bytes(bytes(data))
    result = verify(run, office, path)
    assert result.exit_code == 1 and "a byte was changed" in result.output
    assert "字节被改动" in verify(run, office, path, lang="zh").output


def test_verify_catches_a_dropped_row(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:3] + lines[4:]))
    result = verify(run, office, path)
    assert result.exit_code == 1
    assert (
        f"The file has {len(CONSENTING_RATED) - 1} row(s), the signature says {len(CONSENTING_RATED)}" in result.output
    )


def test_verify_catches_a_file_swapped_for_another_export(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    older = export(run, office, "older.csv", as_of="2026-11-28")
    os.replace(older, path)  # the older list, under the signed list's name, beside its signature
    result = verify(run, office, path)
    assert result.exit_code == 1 and "This is another export (rated on 2026-11-28)" in result.output
    # Another bank's list of the same day, same rows: only the hash tells them apart.
    first, second = export(run, office, "a.csv"), export(run, office, "b.csv", "--full-id", bank="潍坊银行")
    os.replace(second, first)
    assert "differs from the one signed" in verify(run, office, first).output


def test_verify_refuses_the_wrong_key(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    result = verify(run, office, path, key="other_pub")
    assert result.exit_code == 1 and "not made with this public key's private key" in result.output
    as_public = run("credit", "verify", str(path), "--public-key", str(office["key"]))
    assert as_public.exit_code == 1 and "is not an Ed25519 public key" in as_public.output


def test_verify_catches_an_altered_signature_file(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.csv")
    sig_path = office["dir"] / "list.csv.sig"
    original = sig_path.read_text(encoding="utf-8")
    sig = json.loads(original)
    sig["rows"] -= 1  # someone "fixes" the count after dropping a row
    sig_path.write_text(json.dumps(sig), encoding="utf-8")
    result = verify(run, office, path)
    assert result.exit_code == 1 and "the signature file was altered" in result.output
    sig_path.write_text("not json", encoding="utf-8")
    assert "cannot be read or is damaged" in verify(run, office, path).output
    sig_path.unlink()
    assert "File not found" in verify(run, office, path).output
    moved = office["dir"] / "elsewhere.sig"
    moved.write_text(original, encoding="utf-8")
    assert verify(run, office, path, "--signature", str(moved)).exit_code == 0


def test_verify_catches_a_tampered_xlsx(run: Run, office: dict[str, Path]) -> None:
    path = export(run, office, "list.xlsx", "--format", "xlsx")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(run, office, path)
    assert result.exit_code == 1 and ("changed or damaged" in result.output or "a byte was changed" in result.output)


def test_golden_export(run: Run, office: dict[str, Path]) -> None:
    """The masked list a bank receives, byte for byte (the policy's hash normalised)."""
    body = export(run, office, "list.csv").read_bytes().decode("utf-8-sig").replace(POLICY_HASH, "<policy>")
    assert_golden("bank_export.csv", body)


def test_the_bank_list_is_in_chinese_by_default_with_real_date_cells(
    run: Run, office: dict[str, Path], db_url: str
) -> None:
    out = office["dir"] / "名单.xlsx"
    key = str(office["key"])
    args = ("credit", "export", "--as-of", AS_OF, "--bank", BANK, "--out", str(out), "-f", "xlsx", "--signing-key", key)
    env = {"MORALBANK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}
    done = call_cli("--db", db_url, "--operator", "tester", *args, env=env)
    assert done.exit_code == 0, done.output
    book = load_workbook(out)
    sheet = book["文明信用户名单"]
    assert [c.value for c in sheet[1]] == [
        "户编号", "村编号", "村名", "户主姓名", "身份证号", "信用等级", "授信额度（元）", "评定日期", "有效期至", "评定办法 SHA-256",
    ]  # fmt: skip
    first = [c.value for c in sheet[2]]
    assert first[:3] == ["DZ01", "DZ", "东庄村"] and sheet["H2"].is_date and sheet["I2"].is_date
    assert sheet["H2"].value.date().isoformat() == AS_OF and sheet["G2"].data_type == "n"
    assert verify(run, office, out).exit_code == 0  # the signature rules are those of every list
