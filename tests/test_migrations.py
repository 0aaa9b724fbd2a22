"""Schema versions and forward-only migrations: a ledger made by release 0.1.0 upgrades on every run."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlmodel import select
from typer.testing import CliRunner

import cli
from moralbank import __version__
from moralbank.errors import MoralBankError
from moralbank.messages import text as say
from moralbank.reports.integrity import verify
from moralbank.resources import migrations_dir
from moralbank.storage.db import NotInitialised, SchemaMismatch, open_engine, reading
from moralbank.storage.migrations import migrations, program_version
from moralbank.storage.models import Entry
from moralbank.storage.schema import apply_schema
from moralbank.storage.sections import dialect_script
from moralbank.storage.upgrade import MigrationFailed, backup_name, upgrade
from moralbank.storage.versions import SchemaOutOfDate, SchemaTooNew, database_version, require_current
from tests.conftest import BACKENDS, _drop_pg_database, _fresh_pg_database
from tests.ledger_fingerprint import fingerprint

DATA = Path(__file__).parent / "data"
RELEASE_DB = DATA / "release-0.1.0.db"
EXPECTED = json.loads((DATA / "release-0.1.0.expected.json").read_text(encoding="utf-8"))
# The release's tables in the order their foreign keys allow them to be filled.
V1_TABLES = ("village", "household", "resolution", "standard", "entry", "board", "export_log")
AUTO_IDS = {"resolution", "entry", "board", "export_log"}


# --- databases at version 1 -----------------------------------------------------------------------


def _v1_on_postgresql(url: str) -> None:
    """The release's schema (its own schema.sql) and the release file's rows, on PostgreSQL."""
    script = dialect_script((DATA / "schema-0.1.0.sql").read_text(encoding="utf-8"), "postgresql")
    source = sqlite3.connect(RELEASE_DB)
    engine = open_engine(url)
    with engine.begin() as connection:
        connection.connection.cursor().execute(script)
        for table in V1_TABLES:
            cursor = source.execute(f"SELECT * FROM {table} ORDER BY rowid")
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
            if rows:
                marks = ", ".join(f":{name}" for name in names)
                connection.execute(text(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"), rows)
            if table in AUTO_IDS:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}")
                )
    engine.dispose()
    source.close()


@pytest.fixture(params=BACKENDS)
def release_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database made by release 0.1.0 (schema version 1): a copy of the committed file, or the same rows on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "village.db"
        shutil.copyfile(RELEASE_DB, path)
        yield str(path)
        return
    url, name = _fresh_pg_database()
    _v1_on_postgresql(url)
    yield url
    _drop_pg_database(name)


@pytest.fixture
def release_engine(release_db: str) -> Iterator[Engine]:
    engine = open_engine(release_db)
    yield engine
    engine.dispose()


def _version(engine: Engine) -> int:
    with engine.connect() as connection:
        return database_version(connection)


# --- the upgrade of a release-0.1.0 ledger -----------------------------------------------------------


def test_upgrade_keeps_every_hash_balance_board_rating_and_checkpoint(release_db: str, release_engine: Engine) -> None:
    assert EXPECTED["verify"]["ok"] and EXPECTED["verify"]["entries"] == 579 and EXPECTED["verify"]["boards"] == 2
    assert _version(release_engine) == 1
    with pytest.raises(SchemaOutOfDate):
        require_current(release_engine, release_db)

    done = upgrade(release_engine, release_db)
    steps = tuple(step.name for step in migrations())
    assert steps[0] == "0002_schema_version" and len(steps) == program_version() - 1
    assert (done.from_version, done.to_version, done.steps) == (1, program_version(), steps)
    assert done.changed
    # What release 0.1.0 itself showed (tests/data/release-0.1.0.expected.json) is what this one shows now.
    with reading(release_engine) as session:
        assert fingerprint(session) == EXPECTED
        assert set(session.exec(select(Entry.chain_format)).all()) == {1}
    require_current(release_engine, release_db)
    with release_engine.connect() as connection:
        history = connection.execute(text("SELECT version, name, moralbank FROM schema_version")).all()
    assert [tuple(row) for row in history] == [(step.version, step.name, __version__) for step in migrations()]

    again = upgrade(release_engine, release_db)
    assert (again.from_version, again.to_version, again.steps, again.backup) == (
        program_version(),
        program_version(),
        (),
        None,
    )
    assert not again.changed


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def test_sqlite_upgrade_first_backs_the_file_up_beside_it_named_with_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    done = upgrade(open_engine(str(path)), str(path))
    assert done.backup is not None and done.backup.parent == tmp_path
    assert re.fullmatch(r"village\.v1-backup-\d{8}T\d{6}Z\.db", done.backup.name), done.backup.name
    assert not Path(f"{done.backup}-wal").exists()  # one self-contained file
    for table in V1_TABLES:
        assert _rows(done.backup, table) == _rows(RELEASE_DB, table), table
    with sqlite3.connect(done.backup) as backup:
        assert "chain_format" not in {row[1] for row in backup.execute("PRAGMA table_info(entry)")}


def test_a_backup_name_is_never_taken_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("moralbank.storage.upgrade.utc_now", lambda: datetime(2026, 12, 1, 21, 15, tzinfo=UTC))
    first = backup_name(tmp_path / "village.db", 1)
    assert first == tmp_path / "village.v1-backup-20261201T211500Z.db"
    first.write_bytes(b"an earlier backup")
    assert backup_name(tmp_path / "village.db", 1) == tmp_path / "village.v1-backup-20261201T211500Z-2.db"


def test_a_failing_step_rolls_the_whole_upgrade_back(release_db: str, release_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    shutil.copy(migrations_dir() / "0002_schema_version.sql", folder)
    (folder / "0003_broken.sql").write_text(
        "-- @common\nALTER TABLE village ADD COLUMN extra TEXT;\nCREATE TABLE oops (x INTEGER);\n"
        "INSERT INTO no_such_table VALUES (1);\n",
        encoding="utf-8",
    )
    before = _describe(release_engine)
    with release_engine.connect() as connection:
        entries_before = connection.execute(text("SELECT village, seq, hash FROM entry ORDER BY village, seq")).all()
    with pytest.raises(MigrationFailed) as failed:
        upgrade(release_engine, release_db, folder=folder)
    assert failed.value.params["step"] == "0003_broken" and failed.value.params["found"] == 1
    assert failed.value.message("en").startswith(
        "Upgrade step 0003_broken failed; the whole upgrade was rolled back and the database is still at schema version 1: "
    )
    assert _version(release_engine) == 1
    assert _describe(release_engine) == before  # no schema_version, no chain_format, no extra, no oops
    with release_engine.connect() as connection:
        assert (
            connection.execute(text("SELECT village, seq, hash FROM entry ORDER BY village, seq")).all()
            == entries_before
        )

    assert upgrade(release_engine, release_db).to_version == program_version()  # the real steps still apply


# --- fresh and upgraded databases have the same schema -------------------------------------------------


def _norm(sql: str | None) -> str:
    return " ".join((sql or "").split())


def _describe_sqlite(connection: Connection) -> dict[str, Any]:
    objects = connection.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")).all()
    tables = [name for kind, name, _, _ in objects if kind == "table" and not name.startswith("sqlite_")]
    described: dict[str, Any] = {"tables": {}, "indexes": {}, "triggers": {}}
    for table in tables:
        columns = connection.execute(text(f"PRAGMA table_info({table})")).all()
        keys = connection.execute(text(f"PRAGMA foreign_key_list({table})")).all()
        described["tables"][table] = {
            "columns": [(c[1], c[2], c[3], c[4], c[5]) for c in columns],  # name, type, notnull, default, pk
            "foreign_keys": sorted((k[2], k[3], k[4]) for k in keys),
        }
        for index in connection.execute(text(f"PRAGMA index_list({table})")).all():
            info = connection.execute(text(f"PRAGMA index_info({index[1]})")).all()
            sql = next((s for kind, name, _, s in objects if kind == "index" and name == index[1]), None)
            described["indexes"][index[1]] = (table, index[2], index[3], [i[2] for i in info], _norm(sql))
    for kind, name, table, sql in objects:
        if kind == "trigger":
            described["triggers"][name] = (table, _norm(sql))
    return described


def _describe_postgresql(connection: Connection) -> dict[str, Any]:
    columns = connection.execute(
        text(
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
    ).all()
    indexes = connection.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")
    ).all()
    constraints = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() ORDER BY 1, 2"
        )
    ).all()
    triggers = connection.execute(
        text(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
            "ORDER BY 1"
        )
    ).all()
    functions = connection.execute(
        text(
            "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() ORDER BY 1"
        )
    ).all()
    return {
        "columns": [tuple(row) for row in columns],
        "indexes": {name: _norm(sql) for name, sql in indexes},
        "constraints": [(table, name, _norm(sql)) for table, name, sql in constraints],
        "triggers": {name: _norm(sql) for name, sql in triggers},
        "functions": {name: _norm(src) for name, src in functions},
    }


def _describe(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return _describe_sqlite(connection)
        return _describe_postgresql(connection)


@pytest.fixture
def fresh_engine(release_engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database made by init, on the same kind of database as ``release_engine``."""
    if release_engine.dialect.name == "sqlite":
        url, name = str(tmp_path / "fresh.db"), None
    else:
        url, name = _fresh_pg_database()
    engine = open_engine(url)
    apply_schema(engine)
    yield engine
    engine.dispose()
    if name:
        _drop_pg_database(name)


def test_a_fresh_database_and_an_upgraded_one_have_the_same_schema(
    release_engine: Engine, fresh_engine: Engine
) -> None:
    upgrade(release_engine, "old")
    fresh, upgraded = _describe(fresh_engine), _describe(release_engine)
    assert fresh == upgraded
    if fresh_engine.dialect.name == "sqlite":
        assert ("chain_format", "INTEGER", 1, "1", 0) in fresh["tables"]["entry"]["columns"]
        assert {"schema_version_no_update", "schema_version_no_delete", "entry_no_update"} <= set(fresh["triggers"])
    else:
        assert {"schema_version_append_only", "schema_version_no_truncate"} <= set(fresh["triggers"])


# --- init, and the refusal of other versions ------------------------------------------------------------


def test_init_records_the_version_once_and_stays_idempotent(engine: Engine, db_url: str) -> None:
    apply_schema(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version, name, moralbank FROM schema_version")).all()
    assert [tuple(row) for row in rows] == [(program_version(), "schema.sql", __version__)]
    require_current(engine, db_url)
    done = upgrade(engine, db_url)
    assert (done.steps, done.backup) == ((), None)


def test_the_program_version_is_the_last_migration() -> None:
    steps = migrations()
    assert [step.version for step in steps] == list(range(2, 2 + len(steps)))
    assert program_version() == steps[-1].version


def _out_of_date(db: str) -> str:
    return (
        f"The database {db} was made by an older moralbank (schema version 1); this moralbank ({__version__}) "
        f"needs schema version {program_version()}. Upgrade it first (a backup is made before): "
        f"moralbank --db {db} upgrade"
    )


def test_an_old_file_is_refused_by_every_check_and_by_init(release_db: str, release_engine: Engine) -> None:
    for refuse in (require_current, apply_schema):
        with pytest.raises(SchemaOutOfDate) as refused:
            refuse(release_engine, release_db)
        assert refused.value.message("en") == _out_of_date(release_db)
        assert "moralbank --db" in refused.value.message("zh") and "upgrade" in refused.value.message("zh")
    assert _version(release_engine) == 1  # init changed nothing


def test_a_quoted_path_in_the_command(tmp_path: Path) -> None:
    path = tmp_path / "my village.db"
    shutil.copyfile(RELEASE_DB, path)
    with pytest.raises(SchemaOutOfDate) as refused:
        require_current(open_engine(str(path)), str(path))
    assert refused.value.message("en").endswith(f"moralbank --db '{path}' upgrade")


def test_a_file_from_a_newer_moralbank_is_refused(engine: Engine, db_url: str) -> None:
    newer = program_version() + 1
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO schema_version VALUES (:v, '9999_future', '2030-01-01T00:00:00+00:00', '9.0')"),
            {"v": newer},
        )
    expected = (
        f"The database {db_url} was made by a newer moralbank (schema version {newer}); this moralbank "
        f"({__version__}) knows schema versions up to {program_version()}: upgrade moralbank."
    )
    for refuse in (require_current, apply_schema, upgrade):
        with pytest.raises(SchemaTooNew) as refused:
            refuse(engine, db_url)
        assert refused.value.message("en") == expected


def test_a_missing_sqlite_file_is_not_initialised_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    for check in (require_current, upgrade):
        with pytest.raises(NotInitialised):
            check(open_engine(str(path)), str(path))
    assert not path.exists()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_empty_database_is_not_initialised(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url, name = str(tmp_path / "empty.db"), None
        sqlite3.connect(url).close()
    else:
        url, name = _fresh_pg_database()
    engine = open_engine(url)
    try:
        for check in (require_current, upgrade):
            with pytest.raises(NotInitialised) as refused:
                check(engine, url)
            assert refused.value.message("en") == "The database is not initialised; run `moralbank init` first."
    finally:
        engine.dispose()
        if name:
            _drop_pg_database(name)


def test_a_missing_column_is_a_schema_error_never_cannot_open(release_engine: Engine) -> None:
    # A v1 file the upgrade never reached: this program's queries name entry.chain_format.
    with pytest.raises(SchemaMismatch) as mismatch, reading(release_engine) as session:
        session.exec(select(Entry)).first()
    assert "chain_format" in mismatch.value.params["reason"]
    assert mismatch.value.message("en").startswith("The database's tables do not match this moralbank (")
    assert "moralbank upgrade" in mismatch.value.message("en")
    with pytest.raises(SchemaMismatch), reading(release_engine) as session:
        verify(session)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_commands_on_an_old_file_say_to_upgrade(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    runner = CliRunner()
    init = runner.invoke(cli.app, ["--db", str(path), "--lang", lang, "init"])
    assert init.exit_code == 1 and "Traceback" not in init.output
    refusal = SchemaOutOfDate(db=str(path), found=1, program=program_version()).message(lang)
    assert init.stderr == say("error.prefix", lang) + refusal + "\n"
    for args in (["verify"], ["balance", "BG001"], ["statement", "BG001"], ["checkpoint"], ["board", "list"]):
        result = runner.invoke(cli.app, ["--db", str(path), "--lang", "en", *args])
        if result.exit_code != 0:  # (until every command checks the version first, some still run)
            assert isinstance(result.exception, SystemExit), (args, result.exception)
            assert "Cannot open the database" not in result.stderr, args
            assert "upgrade" in result.stderr, (args, result.stderr)


COMMANDS = (
    ["verify"],
    ["balance", "BG001"],
    ["statement", "BG001"],
    ["checkpoint"],
    ["board", "list"],
    ["village", "list"],
)


def test_every_command_refuses_an_old_file_with_the_exact_message(tmp_path: Path) -> None:
    path = tmp_path / "village.db"
    shutil.copyfile(RELEASE_DB, path)
    runner = CliRunner()
    for args in COMMANDS:
        result = runner.invoke(cli.app, ["--db", str(path), "--lang", "en", *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == "Error: " + _out_of_date(str(path)) + "\n", args
    missing = tmp_path / "typo.db"
    result = runner.invoke(cli.app, ["--db", str(missing), "--lang", "en", "village", "list"])
    assert result.stderr == "Error: The database is not initialised; run `moralbank init` first.\n"
    assert not missing.exists()


# --- chain formats -------------------------------------------------------------------------------------


def test_an_unknown_chain_format_is_reported_naming_the_entry(release_db: str, release_engine: Engine) -> None:
    upgrade(release_engine, release_db)
    with release_engine.begin() as connection:
        if release_engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER entry_no_update"))
        else:
            connection.execute(text("ALTER TABLE entry DISABLE TRIGGER entry_append_only"))
        target = connection.execute(text("SELECT id, seq FROM entry WHERE village = 'NL' AND seq = 10")).one()
        connection.execute(text("UPDATE entry SET chain_format = 7 WHERE id = :id"), {"id": target[0]})
    with reading(release_engine) as session:
        report = verify(session)
    assert report.entries == 579
    [problem] = report.problems
    assert (problem.village, problem.seq, problem.entry, problem.key) == ("NL", 10, target[0], "chain.unknown_format")
    assert say(problem.key, "en", **problem.params) == (
        f"entry #{target[0]} has chain format 7, which this moralbank does not know (written by a newer one, or altered)"
    )


def test_new_entries_are_written_with_chain_format_1(release_db: str, release_engine: Engine) -> None:
    from datetime import date

    from moralbank.services import ledger
    from moralbank.services.decisions import Decision
    from moralbank.storage.db import retrying

    upgrade(release_engine, release_db)
    decision = Decision(household="NL001", standard="XL01", qty=1, event_date="2026-12-01", booked_on="2026-12-01")
    retrying(release_engine, lambda s: ledger.award(s, decision=decision, operator="clerk", today=date(2026, 12, 1)))
    with reading(release_engine) as session:
        newest = session.exec(select(Entry).where(Entry.village == "NL").order_by(Entry.seq.desc())).first()  # type: ignore[attr-defined]
        assert newest is not None and newest.seq == 204 and newest.chain_format == 1
        assert verify(session).ok


def test_errors_of_this_module_are_moralbank_errors() -> None:
    for error in (SchemaOutOfDate, SchemaTooNew, SchemaMismatch, NotInitialised, MigrationFailed):
        assert issubclass(error, MoralBankError)


def test_two_upgrades_at_once_apply_the_steps_once(release_db: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engines = [open_engine(release_db), open_engine(release_db)]
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda engine: upgrade(engine, release_db), engines))
        assert sorted(len(result.steps) for result in results) == [0, program_version() - 1]  # the second waited
        with engines[0].connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM schema_version")).scalar() == program_version() - 1
    finally:
        for engine in engines:
            engine.dispose()
