-- moralbank migration 0005: the import log (a clerk's real month, issue 11).
--
-- Adds sheet_import, with the same append-only guards as schema.sql. It changes no existing
-- row, so no entry's hash changes.

-- @common

-- Every sheet imported: which file (its name and SHA-256), what kind, how many rows, who and
-- when, and the entries it wrote as each village's chain range ("DZ:12-40 XZ:3-9"; a batch
-- holds each village's lock, so its seqs are contiguous). The same file is then not booked
-- twice by accident, and a whole import can be reversed. Append-only.
CREATE TABLE IF NOT EXISTS sheet_import (
    id          {auto_id},
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    entry_count INTEGER NOT NULL DEFAULT 0 CHECK (entry_count >= 0),
    entries     TEXT NOT NULL DEFAULT '',
    operator    TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sheet_import_file ON sheet_import (file_sha256);

-- @sqlite

CREATE TRIGGER IF NOT EXISTS sheet_import_no_update BEFORE UPDATE ON sheet_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS sheet_import_no_delete BEFORE DELETE ON sheet_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS sheet_import_no_replace BEFORE INSERT ON sheet_import
WHEN EXISTS (SELECT 1 FROM sheet_import WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (REPLACE refused)'); END;

-- @postgresql

CREATE OR REPLACE TRIGGER sheet_import_append_only BEFORE UPDATE OR DELETE ON sheet_import
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER sheet_import_no_truncate BEFORE TRUNCATE ON sheet_import
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
