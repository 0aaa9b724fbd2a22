-- 0002: the database records its schema version, and every entry names its chain format.
--
-- Release 0.1.0 (schema version 1) had neither. Existing entries were all hashed by format 1,
-- which the column's default records; their hashes do not change (format 1's canonical bytes
-- never include chain_format). The step's own row in schema_version is written by the upgrade.

-- @common

CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    moralbank  TEXT NOT NULL
);

ALTER TABLE entry ADD COLUMN chain_format INTEGER NOT NULL DEFAULT 1;

-- @sqlite

CREATE TRIGGER schema_version_no_update BEFORE UPDATE ON schema_version
BEGIN SELECT RAISE(ABORT, 'moralbank: the schema version history is append-only'); END;
CREATE TRIGGER schema_version_no_delete BEFORE DELETE ON schema_version
BEGIN SELECT RAISE(ABORT, 'moralbank: the schema version history is append-only'); END;

-- @postgresql

CREATE TRIGGER schema_version_append_only BEFORE UPDATE OR DELETE ON schema_version
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE TRIGGER schema_version_no_truncate BEFORE TRUNCATE ON schema_version
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
