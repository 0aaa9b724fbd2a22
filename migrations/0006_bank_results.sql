-- moralbank migration 0006: the bank's answer comes back (issue 15).
--
-- Adds export_row (who was in each export), bank_import and bank_result, with the same
-- append-only guards as schema.sql. It changes no existing row, so no entry's hash changes.

-- @common

-- Who was in each signed credit export (issue 15): one row per household of the list, in the
-- file's order, with what the list showed that a bank's answer is matched on (the ID number
-- masked as a masked list prints it, the head's name). Never a full ID number, even for a
-- --full-id list. Exports made before this table existed have no rows. Append-only.
CREATE TABLE IF NOT EXISTS export_row (
    export_id INTEGER NOT NULL REFERENCES export_log (id),
    row_no    INTEGER NOT NULL CHECK (row_no >= 1),
    household TEXT NOT NULL REFERENCES household (code),
    id_masked TEXT NOT NULL,
    head_name TEXT NOT NULL,
    PRIMARY KEY (export_id, row_no)
);

-- Every table a bank sent back (授信 approvals, 用信 drawings, arrears): which bank, which
-- export it answers, the file's name and SHA-256 (the same file is never read twice), rows,
-- who and when. Append-only.
CREATE TABLE IF NOT EXISTS bank_import (
    id          {auto_id},
    bank        TEXT NOT NULL,
    export_id   INTEGER NOT NULL REFERENCES export_log (id),
    kind        TEXT NOT NULL CHECK (kind IN ('approval', 'drawing', 'arrears')),
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL UNIQUE,
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    operator    TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- One line of a bank's table, matched to a household of the export it answers (by the export's
-- row): an approval (amount authorised, term, approved or refused with the reason in `note`), a
-- drawing (amount drawn as of the date) or an arrears report (amount and days overdue as of the
-- date). Amounts in fen. Each is a new record, never an edit: a household's state with a bank
-- is its latest record of each kind. Append-only.
CREATE TABLE IF NOT EXISTS bank_result (
    id           {auto_id},
    import_id    INTEGER NOT NULL REFERENCES bank_import (id),
    source_row   INTEGER NOT NULL CHECK (source_row >= 1),
    bank         TEXT NOT NULL,
    export_id    INTEGER NOT NULL,
    export_row   INTEGER NOT NULL,
    household    TEXT NOT NULL REFERENCES household (code),
    kind         TEXT NOT NULL CHECK (kind IN ('approval', 'drawing', 'arrears')),
    on_date      TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
    approved     INTEGER CHECK (approved IS NULL OR approved IN (0, 1)),
    term_months  INTEGER CHECK (term_months IS NULL OR term_months >= 1),
    overdue_days INTEGER CHECK (overdue_days IS NULL OR overdue_days >= 0),
    note         TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (export_id, export_row) REFERENCES export_row (export_id, row_no)
);
CREATE INDEX IF NOT EXISTS bank_result_state ON bank_result (bank, household, kind, on_date);

-- @sqlite

CREATE TRIGGER IF NOT EXISTS export_row_no_update BEFORE UPDATE ON export_row
BEGIN SELECT RAISE(ABORT, 'moralbank: the export rows are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS export_row_no_delete BEFORE DELETE ON export_row
BEGIN SELECT RAISE(ABORT, 'moralbank: the export rows are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS export_row_no_replace BEFORE INSERT ON export_row
WHEN EXISTS (SELECT 1 FROM export_row WHERE export_id = NEW.export_id AND row_no = NEW.row_no)
BEGIN SELECT RAISE(ABORT, 'moralbank: the export rows are append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_import_no_update BEFORE UPDATE ON bank_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the bank import log is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_import_no_delete BEFORE DELETE ON bank_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the bank import log is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_import_no_replace BEFORE INSERT ON bank_import
WHEN EXISTS (SELECT 1 FROM bank_import WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the bank import log is append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_result_no_update BEFORE UPDATE ON bank_result
BEGIN SELECT RAISE(ABORT, 'moralbank: bank results are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_result_no_delete BEFORE DELETE ON bank_result
BEGIN SELECT RAISE(ABORT, 'moralbank: bank results are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS bank_result_no_replace BEFORE INSERT ON bank_result
WHEN EXISTS (SELECT 1 FROM bank_result WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: bank results are append-only (REPLACE refused)'); END;

-- @postgresql

CREATE OR REPLACE TRIGGER export_row_append_only BEFORE UPDATE OR DELETE ON export_row
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER export_row_no_truncate BEFORE TRUNCATE ON export_row
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER bank_import_append_only BEFORE UPDATE OR DELETE ON bank_import
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER bank_import_no_truncate BEFORE TRUNCATE ON bank_import
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER bank_result_append_only BEFORE UPDATE OR DELETE ON bank_result
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER bank_result_no_truncate BEFORE TRUNCATE ON bank_result
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
