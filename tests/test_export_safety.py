"""Signed exports are logged before they exist: temporary names, --replace, 0600 files, open keys, validity."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from moralbank.reports.credit import export_log
from moralbank.storage.db import EngineAccess, reading
from moralbank.storage.migrations import program_version
from moralbank.storage.reads import SqliteAccess
from moralbank.workflows import credit_export
from tests.clock import freeze_today
from tests.runner import Run, failed, invoke, ok, one_line, run_on
from tests.town import AS_OF, TODAY, build_credit_town

BANK = "高密农商银行"


@pytest.fixture
def office(run: Run, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The credit town and a signing key pair."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    return {"key": tmp_path / "keys" / "moralbank_signing.key", "pub": tmp_path / "keys" / "moralbank_signing.pub"}


def export(run: Run, office: dict[str, Path], out: Path, *more: str, lang: str = "en") -> Any:
    args = [
        "credit",
        "export",
        "--as-of",
        AS_OF,
        "--bank",
        BANK,
        "--out",
        str(out),
        "--signing-key",
        str(office["key"]),
    ]
    return run(*args, *more, lang=lang)


def test_the_log_row_commits_before_the_list_takes_its_name(
    run: Run, office: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "list.csv"
    seen: list[tuple[bool, bool, bool]] = []
    real = credit_export.record_export

    def logging(session: Any, **kwargs: Any) -> int:
        # While the row is being written, nothing carries the requested name yet.
        names = (out.exists(), (tmp_path / "list.csv.sig").exists(), (tmp_path / "list.csv.partial").exists())
        seen.append(names)
        return real(session, **kwargs)

    monkeypatch.setattr(credit_export, "record_export", logging)
    ok(export(run, office, out))
    assert seen == [(False, False, True)]
    assert sorted(p.name for p in tmp_path.glob("list.csv*")) == ["list.csv", "list.csv.sig"]


@pytest.mark.parametrize("through", ["session", "driver"])
def test_a_crash_while_logging_leaves_no_file_and_no_log_row(
    office: dict[str, Path], engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, through: str
) -> None:
    if through == "driver" and "://" in db_url:
        pytest.skip("the driver's own write is a SQLite file's")
    real = credit_export.record_export

    def killed(session: Any, **kwargs: Any) -> int:
        real(session, **kwargs)  # the row, the listed households and the record, all written
        raise KeyboardInterrupt  # then the operator's Ctrl-C (or the power), before the commit

    monkeypatch.setattr(credit_export, "record_export", killed)
    database = EngineAccess(engine) if through == "session" else SqliteAccess(Path(db_url), db_url, program_version())
    with pytest.raises(KeyboardInterrupt):
        credit_export.export_signed(
            database=database,
            policy=_policy(),
            as_of=date.fromisoformat(AS_OF),
            bank=BANK,
            out=tmp_path / "list.csv",
            file_format="csv",
            signing_key=office["key"],
            operator="tester",
            full_id=True,
        )
    assert list(tmp_path.glob("list.csv*")) == []
    with reading(engine) as session:
        assert export_log(session) == []
        counts = [session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("export_row", "record")]
    assert counts[0] == 0 and counts[1] == records_before(engine)
    monkeypatch.undo()
    ok(export(run_on(db_url), office, tmp_path / "list.csv"))  # the lock was let go: the next export is logged


def records_before(engine: Engine) -> int:
    """The records the town has (none of them an export's)."""
    with reading(engine) as session:
        return int(session.execute(text("SELECT count(*) FROM record WHERE kind <> 'export_log'")).scalar_one())


def _policy() -> Any:
    from moralbank.domain.credit_policy import load_policy
    from moralbank.resources import fixtures_dir

    return load_policy(fixtures_dir() / "credit_policy.toml")


def test_an_existing_out_is_refused_unless_replace_which_is_logged(
    run: Run, office: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "list.csv"
    ok(export(run, office, out))
    first = out.read_bytes()
    refused = export(run, office, out, "--full-id")
    assert one_line(failed(refused)) == (
        f"Error: {out} already exists: an exported list is never overwritten; "
        "add --replace to replace it (the log records it)"
    )
    assert out.read_bytes() == first
    assert "已存在" in failed(export(run, office, out, lang="zh"))
    ok(export(run, office, out, "--replace"))
    log = json.loads(ok(run("credit", "exports", "-f", "json")))
    assert [(row["id"], row["replaced"]) for row in log] == [(1, False), (2, True)]


def test_a_full_id_list_is_created_owner_only(run: Run, office: dict[str, Path], tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for fmt in ("csv", "xlsx", "json"):
            ok(export(run, office, tmp_path / f"full.{fmt}", "--full-id", "--format", fmt))
            assert stat.S_IMODE((tmp_path / f"full.{fmt}").stat().st_mode) == 0o600, fmt
        ok(export(run, office, tmp_path / "masked.csv"))
        assert stat.S_IMODE((tmp_path / "masked.csv").stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_a_signing_key_others_can_read_is_refused_with_the_reason(
    run: Run, office: dict[str, Path], tmp_path: Path
) -> None:
    office["key"].chmod(0o640)
    out = tmp_path / "list.csv"
    message = one_line(failed(export(run, office, out)))
    assert message == (
        f"Error: The signing key {office['key']} has mode 640, readable by its group or others: "
        f"whoever reads it can sign as the office. Run chmod 600 {office['key']}"
    )
    assert list(tmp_path.glob("list.csv*")) == []
    office["key"].chmod(0o600)
    ok(export(run, office, out))


def test_credit_verify_names_the_file_and_its_validity_and_exits_2_once_it_has_passed(
    run: Run, office: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "list.csv"
    ok(export(run, office, out))
    verify = ["credit", "verify", str(out), "--public-key", str(office["pub"])]
    shown = ok(run(*verify, operator=None))
    assert f"File checked: {out}" in shown and "Ratings valid until 2027-11-28" in shown
    freeze_today(monkeypatch, date(2027, 11, 28))  # the last valid day
    assert ok(run(*verify, operator=None))
    freeze_today(monkeypatch, date(2027, 11, 29))
    late = run(*verify, operator=None)
    assert late.exit_code == 2
    assert one_line(late.stderr) == (
        "This list's validity ended on 2027-11-28 (today is 2027-11-29): ask the signing office for a new list"
    )
    assert "有效期已于 2027-11-28 结束" in run(*verify, operator=None, lang="zh").stderr
