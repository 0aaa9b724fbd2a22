"""Records (issue 10): everything a rating or an export depends on is tamper-evident, and verify names it.

Each attack is what someone with the SQLite file does: drop every guard trigger, then rewrite a
row with raw SQL. verify must fail (exit 1) and name the record by kind and key, never a value.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from moralbank.domain.records import body_text, differing_fields, record_hash
from tests.clock import freeze_today
from tests.database import fresh_sqlite
from tests.runner import Run, failed, invoke, ok, one_line
from tests.town import AS_OF, TODAY, build_credit_town

BANK = "高密农商银行"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """These attacks work on the SQLite file itself: SQLite only."""
    return fresh_sqlite(tmp_path)


@pytest.fixture
def town(run: Run, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The credit town with a published board (DZ, 2026-10) and one logged bank export; the engine closed."""
    freeze_today(monkeypatch, TODAY)
    build_credit_town(engine)
    invoke(run, "board", "publish", "--village", "DZ", "--month", "2026-10", "--out-of-order")
    invoke(run, "keys", "generate", "--out", str(tmp_path / "keys"))
    key = str(tmp_path / "keys" / "moralbank_signing.key")
    args = ("credit", "export", "--as-of", AS_OF, "--bank", BANK, "--out", str(tmp_path / "list.csv"))
    invoke(run, *args, "--signing-key", key)
    engine.dispose()
    return db_url


def attack(path: str, *statements: str) -> None:
    """Drop every guard trigger, then run the statements: what the file's owner can always do."""
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def problems(run: Run, *args: str) -> list[str]:
    """verify's problem lines, after checking it failed with exit 1."""
    lines = failed(run("verify", *args)).splitlines()
    count = len(lines) - 1
    assert lines[0] == f"Verification failed with {count} problem{'s' if count > 1 else ''}:"
    return [one_line(line) for line in lines[1:]]


def test_an_untouched_town_verifies_with_its_records(town: str, run: Run) -> None:
    out = ok(run("verify"))
    assert (
        "record(s) (resolutions, standards, the register with its changes and moves, consent, boards, the export log)"
        in out
    )


ATTACKS = [
    (
        "UPDATE standard SET points = 50 WHERE id = '*:ZY01:1'",
        ["standard *:ZY01:1 differs from its record (altered): points"],
    ),
    ("UPDATE standard SET veto = 0 WHERE veto = 1", None),  # every veto standard, named below
    (
        "UPDATE household SET consent_bank = 1 WHERE code = 'DZ08'",
        ["household DZ08 differs from its record (altered): consent_bank"],
    ),
    (
        "UPDATE household SET id_number = '110101199003070000' WHERE code = 'DZ01'",
        ["household DZ01 differs from its record (altered): id_number"],
    ),
    (
        "UPDATE resolution SET in_favour = 20, against = 10 WHERE id = 1",
        None,  # the resolution, and every standard it adopted, named below
    ),
    ("UPDATE export_log SET row_count = 99", ["export log entry 1 differs from its record (altered): row_count"]),
    (  # a blob in a text column: no JSON holds it, and it is still named, not a crash
        "UPDATE household SET head_name = X'41' WHERE code = 'DZ02'",
        ["household DZ02 differs from its record (altered): head_name"],
    ),
    ("DELETE FROM export_log", ["export log entry 1 is on record but no longer in the database (deleted)"]),
]


@pytest.mark.parametrize(("statement", "expected"), ATTACKS)
def test_verify_names_every_row_changed_behind_its_back(
    town: str, run: Run, statement: str, expected: list[str] | None
) -> None:
    attack(town, statement)
    found = problems(run)
    if "veto" in statement:  # each veto standard is named, with the field
        assert found == ["standard *:ZF03:1 differs from its record (altered): veto"]
    elif expected is None:  # a resolution's votes: it, and each standard it adopted (they name it by content)
        assert found[0] == "resolution 1 differs from its record (altered): against, in_favour"
        assert len(found) == 5 and all(
            line.endswith("differs from its record (altered): resolution") for line in found[1:]
        )
    else:
        assert found == expected
    assert not any(ch.isdigit() and len(ch) > 10 for ch in " ".join(found).split())  # no ID number shown


def test_a_standard_changed_after_a_saved_checkpoint_fails_even_when_its_record_is_rehashed(
    town: str, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(ok(run("checkpoint", "--format", "json")), encoding="utf-8")
    conn = sqlite3.connect(town)
    rows = conn.execute("SELECT id, scope, seq, kind, body, recorded_at FROM record WHERE scope = '*' ORDER BY seq")
    chain = rows.fetchall()
    conn.close()
    # The forger rewrites the standard and its record, then re-hashes the county chain from there on.
    statements = ["UPDATE standard SET points = 50 WHERE id = '*:ZY01:1'"]
    prev = "0" * 64
    for ident, scope, seq, kind, body, recorded_at in chain:
        data = json.loads(body)
        if kind == "standard" and data["code"] == "ZY01" and data["version"] == 1:
            data["points"] = 50
            body = body_text(data)
        digest = record_hash(prev, scope, seq, kind, body, recorded_at)
        statements.append(
            f"UPDATE record SET body = '{body.replace(chr(39), chr(39) * 2)}', prev_hash = '{prev}', "
            f"hash = '{digest}' WHERE id = {ident}"
        )
        prev = digest
    attack(town, *statements)
    assert ok(run("verify")).startswith("Ledger intact")  # a perfect forgery passes plain verify...
    found = problems(run, "--checkpoint", str(saved))
    assert found == [f"records chain *, record {chain[-1][2]} does not match the saved checkpoint (records rewritten)"]


def test_a_records_chain_cut_after_a_saved_checkpoint_fails(town: str, run: Run, tmp_path: Path) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(ok(run("checkpoint", "--format", "json")), encoding="utf-8")
    attack(town, "DELETE FROM export_log", "DELETE FROM record WHERE kind = 'export_log'")
    assert ok(run("verify")).startswith("Ledger intact")  # the tail is gone without a trace inside
    found = problems(run, "--checkpoint", str(saved))
    assert len(found) == 1 and found[0].startswith("records chain *: the checkpoint's record")
    assert found[0].endswith("is gone (its tail was cut)")


def test_an_old_checkpoint_file_without_records_heads_still_loads(town: str, run: Run, tmp_path: Path) -> None:
    heads = json.loads(ok(run("checkpoint", "--format", "json")))
    old = [{name: h[name] for name in ("village", "seq", "hash")} for h in heads if h["village"] != "*"]
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(old), encoding="utf-8")
    assert ok(run("verify", "--checkpoint", str(saved))).startswith("Ledger intact")


def test_a_deleted_board_is_named_and_its_month_stays_closed(town: str, run: Run) -> None:
    attack(town, "DELETE FROM board")
    assert problems(run) == ["board DZ:2026-10 is on record but no longer in the database (deleted)"]
    again = failed(run("board", "publish", "--village", "DZ", "--month", "2026-10", "--out-of-order"))
    assert "the records say village DZ's board for 2026-10 was published, but the board is gone" in one_line(again)
    booked = failed(run("award", "DZ01", "ZY01", "--booked", "2026-10-20", "--on", "2026-10-20"))
    assert "2026-10" in booked


def test_rows_inserted_past_the_program_are_named(town: str, run: Run) -> None:
    attack(
        town,
        "INSERT INTO resolution (village, held_on, body, members, present, in_favour, against, abstain, minutes, "
        "operator, recorded_at) VALUES (NULL, '2026-11-01', '村民代表会议', 3, 3, 2, 1, 0, '', 'x', "
        "'2026-11-01T00:00:00+00:00')",
        "INSERT INTO standard (id, scope, code, version, title, category, points, monthly_cap, veto, "
        "effective_from, effective_to, resolution_id) VALUES ('*:BIG:1', '*', 'BIG', 1, '大奖', '其他', 1000, NULL, "
        "0, '2026-11-01', NULL, 2)",
    )
    assert problems(run) == [
        "resolution 2 has no record: it was not written through moralbank (inserted into the database directly)",
        "standard *:BIG:1 has no record: it was not written through moralbank (inserted into the database directly)",
    ]


def test_a_household_moved_by_sql_is_named(town: str, run: Run) -> None:
    attack(town, "UPDATE household SET village = 'XZ' WHERE code = 'DZ01'")
    found = problems(run)
    assert "household DZ01 differs from its record (altered): village" in found


def test_a_junk_board_row_is_reported_and_closes_nothing(town: str, run: Run) -> None:
    attack(
        town,
        "INSERT INTO board (village, month, seq, head_hash, snapshot, snapshot_hash, operator, published_at) "
        "VALUES ('XZ', '2026-09', 0, 'x', 'x', 'x', 'x', 'x')",
    )
    found = problems(run)
    assert (
        "board XZ:2026-09 has no record: it was not written through moralbank (inserted into the database directly)"
        in found
    )
    assert any("2026-09" in line and "cannot be read" in line for line in found)
    assert "2026-09" in ok(run("board", "list"))
    # The month is not closed by a row the records do not know.
    ok(run("award", "XZ01", "ZY01", "--booked", "2026-09-20", "--on", "2026-09-20"))


def test_the_records_refuse_raw_rewrites_while_the_guards_stand(town: str) -> None:
    conn = sqlite3.connect(town)
    for statement in (
        "UPDATE record SET body = '{}'",
        "DELETE FROM record",
        "UPDATE household SET members = 9",
        "DELETE FROM consent",
        "INSERT OR REPLACE INTO household SELECT * FROM household WHERE code = 'DZ01'",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="moralbank: "):
            conn.execute(statement)
    conn.close()


# --- the invariant: any single-field change of any covered row is caught ---------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.dictionaries(
        st.sampled_from(["code", "points", "veto", "name", "on_date", "village"]),
        st.one_of(st.integers(-(10**6), 10**6), st.text(max_size=8), st.none()),
        min_size=1,
    ),
    data=st.data(),
)
def test_any_single_field_change_changes_the_body_and_is_named(row: dict[str, object], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(row)))
    new = data.draw(st.one_of(st.integers(), st.text(max_size=8), st.none()).filter(lambda v: v != row[name]))
    changed = row | {name: new}
    assert body_text(changed) != body_text(row)
    assert differing_fields(json.loads(body_text(row)), changed) == [name]
    prev = "0" * 64
    assert record_hash(prev, "DZ", 1, "standard", body_text(row), "t") != record_hash(
        prev, "DZ", 1, "standard", body_text(changed), "t"
    )


json_values = st.one_of(
    st.integers(-(10**12), 10**12), st.text(max_size=8), st.none(), st.booleans(), st.floats(allow_nan=False)
)


@given(row=st.dictionaries(st.text(max_size=6), json_values), scope=st.text(max_size=4), seq=st.integers(1, 10**9))
def test_bodies_and_record_hashes_are_the_text_json_dumps_gave(row: dict[str, object], scope: str, seq: int) -> None:
    # The C encoder built once (round four) writes what json.dumps wrote: every stored record hashes as before.
    assert body_text(row) == json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    body = body_text(row)
    values = json.dumps(
        [scope, seq, "consent", body, "2026-12-01T00:00:00Z"], ensure_ascii=False, separators=(",", ":")
    )
    expected = hashlib.sha256(("a" * 64 + values).encode()).hexdigest()
    assert record_hash("a" * 64, scope, seq, "consent", body, "2026-12-01T00:00:00Z") == expected


# --- the upgrade builds the records of what a database already holds --------------------------------


def test_the_upgrade_records_what_release_0_1_0_holds_and_its_consent(tmp_path: Path) -> None:
    import shutil

    from moralbank.storage.db import open_engine
    from moralbank.storage.upgrade import upgrade
    from tests.runner import run_on

    release = tmp_path / "village.db"
    shutil.copy(Path(__file__).parent / "data" / "release-0.1.0.db", release)
    with sqlite3.connect(release) as conn:
        held = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("resolution", "standard", "household", "board", "export_log")
        }
        consenting = conn.execute("SELECT SUM(consent_board), SUM(consent_bank) FROM household").fetchone()
        hashes = conn.execute("SELECT village, seq, hash FROM entry ORDER BY village, seq").fetchall()
    engine = open_engine(str(release))
    upgrade(engine, str(release))
    engine.dispose()
    with sqlite3.connect(release) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM record GROUP BY kind").fetchall())
        consent = conn.execute(
            "SELECT recipient, bank, source, COUNT(*) FROM consent GROUP BY recipient, bank, source ORDER BY recipient"
        ).fetchall()
        assert conn.execute("SELECT village, seq, hash FROM entry ORDER BY village, seq").fetchall() == hashes
    assert consent == [("bank", "*", "register", consenting[1]), ("board", "", "register", consenting[0])]
    assert kinds == {name: count for name, count in held.items() if count} | {"consent": sum(consenting)}
    run = run_on(str(release))
    assert ok(run("verify")).startswith("Ledger intact: 3 village(s), 579 entries")
    with sqlite3.connect(release) as conn:
        (first,) = conn.execute("SELECT MIN(id) FROM standard").fetchone()
    attack(str(release), f"UPDATE standard SET points = 50 WHERE id = '{first}'")
    assert problems(run) == [f"standard {first} differs from its record (altered): points"]


# --- the invariant on a real database: any single-field change of any covered row is named ---------

COVERED_COLUMNS = {
    "resolution": ("id", ("held_on", "body", "members", "present", "in_favour", "against", "abstain", "minutes")),
    "standard": ("id", ("title", "category", "points", "monthly_cap", "veto", "effective_from", "effective_to")),
    "household": ("code", ("head_name", "id_number", "phone", "members", "grid", "address", "consent_board")),
    "board": ("id", ("seq", "head_hash", "snapshot", "snapshot_hash", "operator", "published_at")),
}


@pytest.fixture(scope="module")
def upgraded_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Release 0.1.0's file, upgraded (its records built by the upgrade); copied for each example."""
    import shutil

    from moralbank.storage.db import open_engine
    from moralbank.storage.upgrade import upgrade

    path = tmp_path_factory.mktemp("release") / "village.db"
    shutil.copy(Path(__file__).parent / "data" / "release-0.1.0.db", path)
    engine = open_engine(str(path))
    upgrade(engine, str(path))
    engine.dispose()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(sorted(COVERED_COLUMNS)), data=st.data())
def test_any_single_field_change_of_a_covered_row_is_named_by_verify(
    upgraded_release: Path, tmp_path: Path, table: str, data: st.DataObject
) -> None:
    import shutil

    from moralbank.reports.records import check_records
    from moralbank.storage.db import open_engine, reading

    key, columns = COVERED_COLUMNS[table]
    column = data.draw(st.sampled_from(columns))
    import tempfile

    target = Path(tempfile.mkdtemp(dir=tmp_path)) / "village.db"  # a WAL beside it must not outlive the example
    shutil.copy(upgraded_release, target)
    with sqlite3.connect(target) as conn:
        keys = [row[0] for row in conn.execute(f"SELECT {key} FROM {table} ORDER BY {key}")]
        chosen = data.draw(st.sampled_from(keys))
        (before,) = conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (chosen,)).fetchone()
    after: object = (before + 1) if isinstance(before, int) else 7 if before is None else str(before) + "改"
    if column in ("veto", "consent_board"):
        after = 1 - int(before)
    attack(str(target), f"UPDATE {table} SET {column} = {after!r} WHERE {key} = {chosen!r}")
    engine = open_engine(str(target))
    with reading(engine) as session:
        findings = check_records(session.connection()).findings
    engine.dispose()
    shutil.rmtree(target.parent)
    ref = f"{chosen}" if table != "board" else None
    named = [f for f in findings if f.key == "records.changed" and f.params["kind"] == table]
    assert named, findings
    assert column in named[0].params["fields"].split(", ")
    if ref is not None:
        assert named[0].params["ref"] == ref
