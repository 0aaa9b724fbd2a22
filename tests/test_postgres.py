"""The county server: privileges, concurrent writers, killed writers and retries on PostgreSQL."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, func, select

from moralbank.domain.identity import synthetic_id
from moralbank.reports.integrity import verify
from moralbank.services import ledger, register, standards
from moralbank.services.decisions import Decision
from moralbank.services.sheets import Sheet
from moralbank.storage.db import Contention, lock_village, open_engine, reading, retrying, writing
from moralbank.storage.models import Entry
from moralbank.storage.roles import append_only_tables, grant_statements, tables, truncate_guarded_tables
from moralbank.storage.schema import apply_schema, schema_sections
from tests.clock import freeze_today
from tests.runner import Run, call_cli, run_on

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 30)
NEEDS_PG = "PostgreSQL only: set MORALBANK_TEST_PG to a server URL (.ci/run starts one and sets it)"


@pytest.fixture
def pg_url(db_url: str) -> str:
    """The fresh database of this test when it is PostgreSQL; skipped on SQLite."""
    if not db_url.startswith("postgresql"):
        pytest.skip(NEEDS_PG)
    return db_url


def as_role(url: str, role: str) -> str:
    """The same database, connected as another role (the test server trusts loopback)."""
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture
def app_role(pg_url: str) -> Iterator[str]:
    """A login role that does not own the tables; dropped again after the test."""
    role = "mbapp_" + uuid.uuid4().hex[:10]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role])
        conn.execute(f"DROP OWNED BY {role}")
        conn.execute(f"DROP ROLE {role}")


def seed(engine: Engine, villages: tuple[str, ...] = ("VA", "VB"), households: int = 10) -> None:
    """Villages with households and one county-wide standard worth one point, no cap."""
    rng = random.Random("".join(villages))
    with writing(engine) as session:
        rows = [{"code": v, "name": f"村{v}", "town": "镇", "county": "县"} for v in villages]
        register.add_villages(session, sheet=Sheet("", list(enumerate(rows, start=1))))
        people = [
            {
                "code": f"{v}{n:03d}",
                "village": v,
                "head_name": "户主",
                "id_number": synthetic_id(rng),
                "members": "3",
                "consent_board": "yes",
                "consent_bank": "no",
            }
            for v in villages
            for n in range(households)
        ]
        register.add_households(session, sheet=Sheet("", list(enumerate(people, start=1))), today="2026-01-01")
        meeting = {"date": "2026-01-05", "body": "村民会议", "members": 9, "present": 9, "in_favour": 9}
        data = {
            "resolution": meeting | {"against": 0, "abstain": 0},
            "standards": [{"code": "P1", "title": "志愿服务", "category": "志愿", "points": 1}],
        }
        standards.adopt(session, data=data, source="t", operator="t", today=TODAY)


def decision(village: str, number: int, key: str) -> Decision:
    """An award of one point to one of the village's ten households."""
    return Decision(f"{village}{number % 10:03d}", "P1", 1, "2026-03-01", "2026-03-02", "", key)


def entry_count(engine: Engine, village: str | None = None) -> int:
    with reading(engine) as session:
        query = select(func.count()).select_from(Entry)
        return int(session.exec(query.where(Entry.village == village) if village else query).one())


# --- the schema's guards and the grants follow schema.sql ---------------------------------------


def test_every_append_only_table_is_guarded_on_postgresql_too() -> None:
    sqlite_guarded = set(re.findall(r"BEFORE UPDATE ON (\w+)", schema_sections()["sqlite"]))
    assert {"entry", "standard", "resolution", "board", "export_log"} <= sqlite_guarded
    assert sqlite_guarded <= set(append_only_tables())
    assert sqlite_guarded <= set(truncate_guarded_tables())


def _granted(statements: list[str], role: str) -> dict[str, set[str]]:
    granted: dict[str, set[str]] = defaultdict(set)
    for statement in statements:
        if match := re.fullmatch(rf"GRANT ([A-Z, ]+) ON (?!SCHEMA|ALL)([\w, ]+) TO {role}", statement):
            for table in match[2].split(", "):
                granted[table] |= set(match[1].split(", "))
    return granted


def test_grants_never_allow_rewriting_history() -> None:
    statements = grant_statements("mb_app")
    granted = _granted(statements, "mb_app")
    assert set(granted) == {*tables(), "household_current"}  # the view of current details: read only
    assert granted["household_current"] == {"SELECT"}
    assert "household" in append_only_tables()  # register changes are inserts (issue 10)
    township_only = {"resolution", "standard", "operator", "village", "village_policy", "household_move"}
    for table in tables():
        # No login may UPDATE anything; the clerks' role may not write what points are worth.
        assert granted[table] == ({"SELECT"} if table in township_only else {"SELECT", "INSERT"}), table
    assert f"REVOKE ALL ON {', '.join(tables())} FROM mb_app" in statements
    township = _granted(grant_statements("mb_town", township=True), "mb_town")
    for table in tables():
        expected = {"SELECT", "INSERT", "UPDATE"} if table in ("village", "village_policy") else {"SELECT", "INSERT"}
        assert township[table] == expected, table


def test_init_app_role_prints_grants_or_refuses_sqlite(run: Run, db_url: str) -> None:
    result = run("init", "--app-role", "mb_app")
    if db_url.startswith("postgresql"):
        assert result.exit_code == 0, result.output
        assert re.search(r"^GRANT INSERT ON household, entry\b.* TO mb_app;$", result.output, re.M)
        assert "UPDATE" not in result.output  # only the township role updates a village's settings
        both = run("init", "--app-role", "mb_app", "--township-role", "mb_town")
        assert "GRANT UPDATE ON village, village_policy TO mb_town;" in both.output
    else:
        assert result.exit_code == 1
        assert "PostgreSQL only" in result.output
    assert run("init", "--app-role", "App").exit_code == 1
    assert "--app-role" in run("init", "--apply").output


def test_init_never_prints_the_password(pg_url: str) -> None:
    with_password = make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    result = run_on(with_password, operator=None)("init")
    assert result.exit_code == 0, result.output  # the test server trusts loopback, password or not
    assert "s3cret-pw" not in result.output
    assert "Database ready: postgresql://postgres:***@" in result.output


# --- the application role reads and appends, and nothing more ---------------------------------


def test_app_role_appends_but_cannot_update_delete_or_truncate(run: Run, pg_url: str, app_role: str) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    engine.dispose()
    applied = run("init", "--app-role", app_role, "--apply")
    assert applied.exit_code == 0, applied.output
    app_url = as_role(pg_url, app_role)
    app = run_on(app_url, operator=None)  # the operator is the login
    unregistered = app("award", "VA001", "P1", "--on", "2026-03-01", "--booked", "2026-03-02")
    assert unregistered.exit_code == 1 and f"The operator {app_role} is not registered" in unregistered.output
    assert run("operator", "add", app_role, "--role", "clerk").exit_code == 0
    award = app("award", "VA001", "P1", "--on", "2026-03-01", "--booked", "2026-03-02")
    assert award.exit_code == 0, award.output
    assert app("reverse", "1", "--reason", "错记").exit_code == 0
    assert app("verify").exit_code == 0
    other = app("award", "VA001", "P1", "--on", "2026-03-01", operator="会计")  # typing another's name
    assert other.exit_code == 1
    assert f"On PostgreSQL the operator is the login connected, {app_role}: nothing may be written as 会计" in (
        " ".join(other.output.split())
    )
    upgrade = app("init")
    assert upgrade.exit_code == 1 and "Only the owner of the tables may create or upgrade" in upgrade.output
    with psycopg.connect(app_url, autocommit=True) as conn:
        for statement in (
            "UPDATE entry SET amount = 100",
            "DELETE FROM entry",
            "TRUNCATE entry",
            "UPDATE standard SET points = 100",
            "DELETE FROM resolution",
            "TRUNCATE board",
            "UPDATE board SET snapshot = ''",
            "DELETE FROM export_log",
            "TRUNCATE export_log",
            "ALTER TABLE entry DISABLE TRIGGER USER",
            "UPDATE household SET consent_bank = 1, members = 4 WHERE code = 'VA001'",
            "UPDATE household SET village = 'VB' WHERE code = 'VA001'",
            "UPDATE village SET name = 'x'",
            # A directly inserted 3-member resolution (and so any standard it would adopt).
            "INSERT INTO resolution (village, held_on, body, members, present, in_favour, against, abstain,"
            " operator, recorded_at) VALUES"
            " ('VA', '2026-01-05', '村民代表会议', 3, 3, 3, 0, 0, current_user, '2026-01-05T00:00:00+00:00')",
            "INSERT INTO operator (name, role, added_by, recorded_at) VALUES ('x', 'township', 'x', 'now')",
            # A household moved by raw SQL (a move is the township's, through household move).
            "INSERT INTO household_move (household, from_village, to_village, on_date, out_seq, in_seq, reason,"
            " operator, recorded_at) VALUES ('VA001', 'VA', 'VB', '2026-03-02', 1, 1, 'x', current_user, 'now')",
            # The recorded operator must be the login inserting the row, even with raw SQL.
            "INSERT INTO sheet_import (kind, file_name, file_sha256, row_count, operator, imported_at)"
            " VALUES ('decisions', 'f.csv', 'ab', 0, '会计', '2026-01-05T00:00:00+00:00')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        conn.execute(
            "INSERT INTO sheet_import (kind, file_name, file_sha256, row_count, operator, imported_at)"
            " VALUES ('decisions', 'f.csv', 'ab', 0, current_user, '2026-01-05T00:00:00+00:00')"
        )
    assert entry_count(open_engine(pg_url)) == 2


def test_only_the_township_role_writes_standards_and_village_settings(
    run: Run, pg_url: str, app_role: str, tmp_path: Path
) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    engine.dispose()
    town = "mbtown_" + uuid.uuid4().hex[:10]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {town} LOGIN")
    try:
        assert run("init", "--app-role", app_role, "--township-role", town, "--apply").exit_code == 0
        assert run("operator", "add", town, "--role", "township").exit_code == 0
        township = run_on(as_role(pg_url, town), operator=None)
        # The township login registers the clerk (a login of the application role).
        assert township("operator", "add", app_role, "--role", "clerk").exit_code == 0
        missing = township("operator", "add", "nobody_here", "--role", "clerk")
        assert missing.exit_code == 1 and "PostgreSQL has no login role nobody_here" in missing.output
        clerk = run_on(as_role(pg_url, app_role), operator=None)
        rules = Path(__file__).resolve().parent.parent / "fixtures" / "standards.toml"
        refused = clerk("standard", "adopt", str(rules))
        assert refused.exit_code == 1 and "is a clerk; this needs the role township" in refused.output
        move = ("household", "move", "VA002", "--to", "VB", "--reason", "迁居", "--on", "2026-03-02")
        assert "is a clerk; this needs the role township" in clerk(*move).output
        moved = township(*move)
        assert moved.exit_code == 0, moved.output
        assert township("verify").exit_code == 0
        assert township("village", "set", "VA", "--notice-days", "3").exit_code == 0
        assert clerk("village", "set", "VA", "--notice-days", "0").exit_code == 1
        with psycopg.connect(as_role(pg_url, town), autocommit=True) as conn:
            conn.execute("UPDATE village SET notice_days = 5 WHERE code = 'VA'")  # settings: township only
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE entry SET amount = 100")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE household SET members = 9")
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [town])
            conn.execute(f"DROP OWNED BY {town}")
            conn.execute(f"DROP ROLE {town}")


def test_a_village_file_is_copied_in_by_the_owner_not_the_app_role(
    run: Run, pg_url: str, app_role: str, tmp_path: Path
) -> None:
    assert run("init", "--app-role", app_role, "--apply").exit_code == 0
    terminal = open_engine(str(tmp_path / "vc.db"))
    apply_schema(terminal)
    seed(terminal, villages=("VC",))
    for n in range(3):
        retrying(
            terminal, lambda s, n=n: ledger.award(s, decision=decision("VC", n, f"vc-{n}"), operator="t", today=TODAY)
        )
    # The copy keeps every row's recorded operator: only the owner of the tables may write those.
    as_app = call_cli("copy", "--from", str(tmp_path / "vc.db"), "--to", as_role(pg_url, app_role))
    assert as_app.exit_code == 1 and "Traceback" not in as_app.output, as_app.output
    assert "The database does not permit this login that write; nothing was written" in as_app.output
    assert entry_count(open_engine(pg_url), "VC") == 0
    result = call_cli("copy", "--from", str(tmp_path / "vc.db"), "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert entry_count(open_engine(pg_url), "VC") == 3


def test_even_the_owner_cannot_rewrite_history(pg_url: str) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    retrying(engine, lambda s: ledger.award(s, decision=decision("VA", 1, "k1"), operator="t", today=TODAY))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in ("UPDATE entry SET amount = 100", "DELETE FROM entry", "TRUNCATE entry CASCADE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
    assert entry_count(engine) == 1


# --- retries: a rolled-back attempt never leaves a second entry --------------------------------


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_retry_after_serialization_failure_or_deadlock_writes_once(pg_url: str, sqlstate: str) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    attempts = []

    def award_then_fail_once(session: Session) -> int:
        entry_id = ledger.award(session, decision=decision("VA", 1, "once"), operator="t", today=TODAY)
        attempts.append(entry_id)
        if len(attempts) == 1:  # the server aborts the transaction after the entry was inserted
            session.execute(text(f"DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '{sqlstate}'; END $$"))
        return entry_id

    entry_id = retrying(engine, award_then_fail_once)
    assert len(attempts) == 2
    assert entry_count(engine) == 1
    with reading(engine) as session:
        assert session.get(Entry, entry_id) is not None


def test_retries_give_up_with_a_clear_error(pg_url: str) -> None:
    engine = open_engine(pg_url)

    def always_fails(session: Session) -> None:
        session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$"))

    with pytest.raises(Contention) as caught:
        retrying(engine, always_fails, attempts=3)
    assert "try again" in caught.value.message("en")


def test_a_real_deadlock_is_retried_and_each_writer_writes_once(pg_url: str) -> None:
    import threading

    seed(open_engine(pg_url))
    both_locked = threading.Barrier(2, timeout=10)
    results: dict[str, int] = {}

    def writer(first: str, second: str) -> None:
        engine = open_engine(pg_url)
        tries = 0

        def op(session: Session) -> int:
            nonlocal tries
            tries += 1
            lock_village(session, first)
            if tries == 1:
                both_locked.wait()  # each holds one chain and wants the other's: a deadlock
            lock_village(session, second)
            return ledger.award(session, decision=decision(first, 2, f"dl-{first}"), operator="t", today=TODAY)

        results[first] = retrying(engine, op)
        results[first + "-tries"] = tries
        engine.dispose()

    threads = [threading.Thread(target=writer, args=pair) for pair in (("VA", "VB"), ("VB", "VA"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["VA-tries"] + results["VB-tries"] == 3  # exactly one was chosen as the victim
    engine = open_engine(pg_url)
    assert entry_count(engine, "VA") == 1
    assert entry_count(engine, "VB") == 1


# --- concurrent writers ------------------------------------------------------------------------


WRITERS, AWARDS = 8, 200


def _writer(job: tuple[str, int]) -> list[tuple[str, str, int, float, float]]:
    """One writer process: its own engine, AWARDS awards, each in its own retried transaction.

    Returns (village, key, entry id, start, end) per award, where start and end are the server's
    clock just after the village lock was taken and just before commit: the time it held the lock.
    """
    url, number = job
    village = ("VA", "VB")[number % 2]
    engine = open_engine(url)
    clock = text("SELECT extract(epoch FROM clock_timestamp())")
    done = []
    for n in range(AWARDS):
        key = f"w{number}-{n}"

        def award(session: Session, key: str = key, n: int = n) -> tuple[int, float, float]:
            lock_village(session, village)
            start = float(session.execute(clock).scalar_one())
            entry_id = ledger.award(session, decision=decision(village, n, key), operator="t", today=TODAY)
            return entry_id, start, float(session.execute(clock).scalar_one())

        entry_id, start, end = retrying(engine, award)
        done.append((village, key, entry_id, start, end))
    engine.dispose()
    return done


def test_concurrent_writers_serialize_per_village_and_overlap_across(pg_url: str) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    engine.dispose()
    with multiprocessing.get_context("fork").Pool(WRITERS) as pool:
        results = [row for rows in pool.map(_writer, [(pg_url, n) for n in range(WRITERS)]) for row in rows]

    assert len(results) == WRITERS * AWARDS
    with reading(engine) as session:
        stored = session.exec(select(Entry.idem_key, Entry.id, Entry.village, Entry.seq)).all()
        report = verify(session)
    assert report.ok, report.problems
    assert sorted(key or "" for key, *_ in stored) == sorted(key for _, key, *_ in results)  # each exactly once
    assert {key: entry_id for key, entry_id, *_ in stored} == {key: entry_id for _, key, entry_id, *_ in results}
    for village in ("VA", "VB"):
        assert sorted(seq for _, _, v, seq in stored if v == village) == list(range(1, WRITERS * AWARDS // 2 + 1))

    held: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for village, _, _, start, end in results:
        held[village].append((start, end))
    for spans in held.values():  # one village: one holder of its chain at a time
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))
    overlapping = [a for a in held["VA"] if any(b[0] < a[1] and a[0] < b[1] for b in held["VB"])]
    # Different villages do not wait for each other: most of VA's transactions ran while a VB
    # transaction held VB's chain. (With one shared lock this would be zero.)
    assert len(overlapping) > len(held["VA"]) // 4


def test_racing_retries_of_the_same_keys_write_each_entry_once(pg_url: str) -> None:
    import threading

    engine = open_engine(pg_url)
    seed(engine)
    ids: list[list[int]] = []

    def terminal() -> None:
        mine = open_engine(pg_url)
        got = []
        for n in range(30):
            d = decision("VA", n, f"same-{n}")
            got.append(
                retrying(mine, lambda s, d=d: ledger.award(s, decision=d, operator="t", today=TODAY, repeat=True))
            )
        ids.append(got)
        mine.dispose()

    threads = [threading.Thread(target=terminal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 4 and ids[0] == ids[1] == ids[2] == ids[3]
    assert entry_count(engine) == 30


# --- a writer killed mid-transaction -----------------------------------------------------------


_HOLDING_WRITER = """
import sys, time
from datetime import date
from pathlib import Path
from moralbank.services.decisions import decisions_from_sheet
from moralbank.services.ledger import record_decisions
from moralbank.services.sheets import DECISION_COLUMNS, read_sheet
from moralbank.storage.db import open_engine, writing

url, path = sys.argv[1], sys.argv[2]
sheet = read_sheet(Path(path), DECISION_COLUMNS, ("household", "standard"))
decisions, problems = decisions_from_sheet(sheet, date(2026, 6, 30))
with writing(open_engine(url)) as session:
    written = record_decisions(
        session, decisions=decisions, problems=problems, operator="t", today=date(2026, 6, 30), source="s"
    )
    session.flush()
    print(len(written.ids), flush=True)
    time.sleep(600)  # killed here, holding the transaction and the village's lock
"""


def test_killed_writer_leaves_nothing_and_its_retry_writes_each_entry_once(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_engine(pg_url)
    seed(engine)
    sheet = tmp_path / "meeting.csv"
    lines = ["household,standard,qty,event_date,booked_on,key"]
    lines += [f"VA{n % 10:03d},P1,1,2026-03-01,2026-03-02,meeting-{n}" for n in range(50)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", _HOLDING_WRITER, pg_url, str(sheet)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "50"  # written, not committed
        with psycopg.connect(pg_url, autocommit=True) as conn:
            query = (
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"
            )
            state = conn.execute(query)
            assert state.fetchone() is not None
        assert entry_count(engine) == 0
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert entry_count(engine) == 0

    freeze_today(monkeypatch, TODAY)
    import_sheet = ("import", "decisions", str(sheet))
    first = run_on(pg_url, operator="tester")(*import_sheet)  # the village's lock went with the killed connection
    assert first.exit_code == 0, first.output
    assert "50 entries recorded (0 repeated" in first.output
    again = run_on(pg_url, operator="tester")(*import_sheet, "--again")
    assert "0 entries recorded (50 repeated" in again.output
    assert entry_count(engine) == 50
    with reading(engine) as session:
        assert verify(session).ok
