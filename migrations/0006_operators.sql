-- moralbank migration 0006: registered operators and replaced exports (issue 10, "guards").
--
-- Adds the operator register (append-only: a role change is a new row) and records in the
-- export log whether an export replaced a file already at its name. It changes no existing
-- row, so no entry's hash changes. An existing database has no operator yet: the first
-- `operator add` registers one as township.

-- @common

-- The operators allowed to write: a name and a role (clerk, checker, township). A name's role
-- is its latest row; a role change is a new row, never an edit. On PostgreSQL the name is the
-- database login the operator connects as. Append-only.
CREATE TABLE IF NOT EXISTS operator (
    id          {auto_id},
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('clerk', 'checker', 'township')),
    added_by    TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operator_name ON operator (name, id);

ALTER TABLE export_log ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1));

-- @sqlite

CREATE TRIGGER IF NOT EXISTS operator_no_update BEFORE UPDATE ON operator
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS operator_no_delete BEFORE DELETE ON operator
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS operator_no_replace BEFORE INSERT ON operator
WHEN EXISTS (SELECT 1 FROM operator WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (REPLACE refused)'); END;

-- @postgresql

CREATE OR REPLACE TRIGGER operator_append_only BEFORE UPDATE OR DELETE ON operator
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER operator_no_truncate BEFORE TRUNCATE ON operator
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
