-- moralbank migration 0006: registered operators and replaced exports (issue 10, "guards").
--
-- Adds the operator register (append-only: a role change is a new row) and records in the
-- export log whether an export replaced a file already at its name. On PostgreSQL a trigger on
-- every table with an `operator` column refuses a row whose operator is not the login inserting
-- it (superusers and the tables' owner excepted). It changes no existing row, so no entry's hash
-- changes. An existing database has no operator yet: the first `operator add` registers one, as
-- township. On PostgreSQL the owner re-runs `init --app-role ... [--township-role ...] --apply`.

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

-- On PostgreSQL an operator writes as a database login: a row's operator must be the login
-- inserting it. Only a superuser or the owner of the tables (who could rewrite anything anyway,
-- as the owner of a SQLite file can) records rows under other names, e.g. when copying a
-- village's file in.
CREATE OR REPLACE FUNCTION moralbank_operator_is_login() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.operator IS DISTINCT FROM current_user
       AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper)
       AND NOT EXISTS (
           SELECT 1 FROM pg_tables
           WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME AND tableowner = current_user
       ) THEN
        RAISE EXCEPTION 'moralbank: the login % may not write as the operator %', current_user, NEW.operator
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER resolution_operator_is_login BEFORE INSERT ON resolution
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER entry_operator_is_login BEFORE INSERT ON entry
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER board_operator_is_login BEFORE INSERT ON board
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER export_log_operator_is_login BEFORE INSERT ON export_log
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER shop_item_operator_is_login BEFORE INSERT ON shop_item
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER stock_movement_operator_is_login BEFORE INSERT ON stock_movement
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER sheet_import_operator_is_login BEFORE INSERT ON sheet_import
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER bank_import_operator_is_login BEFORE INSERT ON bank_import
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
