-- moralbank migration 0006: records (issue 10): the register keeps its history, consent names its
-- recipient, and everything a rating or an export depends on is tamper-evident.
--
-- Adds record, household_change and consent, the view household_current, a unique index on the
-- household's ID number, and append-only guards on household and the new tables. It changes no
-- existing row, so no entry's hash changes. After the SQL, the upgrade writes the records of what
-- the database already holds, and turns each household's consent columns into consent records
-- (moralbank/storage/records.py: build_records).

-- @common

-- Records (issue 10): the canonical JSON of every row a rating or an export depends on
-- (resolutions, standards, households, register changes, consent, published boards, the export
-- log), hash-chained per scope (a village's code, or "*" for county-wide rows). verify compares
-- every live row with its record: a row changed, deleted or inserted past the program is named.
-- ``ref`` finds the row in this database (its natural key, or its id) and is not hashed.
CREATE TABLE IF NOT EXISTS record (
    id          {auto_id},
    scope       TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS record_chain ON record (scope, seq);
CREATE UNIQUE INDEX IF NOT EXISTS record_ref ON record (kind, ref);

-- A change to a household's details (the register keeps its history): the details after the
-- change, who made it, when and why. The household row is never updated; its current details
-- are its registration with its latest change applied (the view household_current).
CREATE TABLE IF NOT EXISTS household_change (
    id          {auto_id},
    household   TEXT NOT NULL REFERENCES household (code),
    head_name   TEXT NOT NULL,
    members     INTEGER NOT NULL CHECK (members >= 1),
    phone       TEXT NOT NULL,
    grid        TEXT NOT NULL,
    address     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS household_change_household ON household_change (household, id);

-- Consent (PIPL art. 23 and 25): a household's grant or withdrawal, from a date, for a named
-- recipient: the public board, one bank, or every bank (bank '*', a general consent). The latest
-- event on or before a date decides; a bank's own event and a general one are weighed together.
CREATE TABLE IF NOT EXISTS consent (
    id          {auto_id},
    household   TEXT NOT NULL REFERENCES household (code),
    recipient   TEXT NOT NULL CHECK (recipient IN ('board', 'bank')),
    bank        TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
    on_date     TEXT NOT NULL,
    form_ref    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    operator    TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_household ON consent (household, recipient, on_date);

-- Two households can never share an ID number, even when added at the same moment.
CREATE UNIQUE INDEX IF NOT EXISTS household_id_number ON household (id_number);

-- @sqlite

CREATE TRIGGER IF NOT EXISTS record_no_update BEFORE UPDATE ON record
BEGIN SELECT RAISE(ABORT, 'moralbank: records are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS record_no_delete BEFORE DELETE ON record
BEGIN SELECT RAISE(ABORT, 'moralbank: records are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS record_no_replace BEFORE INSERT ON record
WHEN EXISTS (SELECT 1 FROM record WHERE id = NEW.id OR (scope = NEW.scope AND seq = NEW.seq) OR (kind = NEW.kind AND ref = NEW.ref))
BEGIN SELECT RAISE(ABORT, 'moralbank: records are append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_no_update BEFORE UPDATE ON household
BEGIN SELECT RAISE(ABORT, 'moralbank: the register is append-only; use household set (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_no_delete BEFORE DELETE ON household
BEGIN SELECT RAISE(ABORT, 'moralbank: the register is append-only; use household set (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_no_replace BEFORE INSERT ON household
WHEN EXISTS (SELECT 1 FROM household WHERE code = NEW.code OR id_number = NEW.id_number)
BEGIN SELECT RAISE(ABORT, 'moralbank: the register is append-only; use household set (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_change_no_update BEFORE UPDATE ON household_change
BEGIN SELECT RAISE(ABORT, 'moralbank: register changes are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_change_no_delete BEFORE DELETE ON household_change
BEGIN SELECT RAISE(ABORT, 'moralbank: register changes are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_change_no_replace BEFORE INSERT ON household_change
WHEN EXISTS (SELECT 1 FROM household_change WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: register changes are append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS consent_no_update BEFORE UPDATE ON consent
BEGIN SELECT RAISE(ABORT, 'moralbank: consent records are append-only; withdraw instead (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS consent_no_delete BEFORE DELETE ON consent
BEGIN SELECT RAISE(ABORT, 'moralbank: consent records are append-only; withdraw instead (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS consent_no_replace BEFORE INSERT ON consent
WHEN EXISTS (SELECT 1 FROM consent WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: consent records are append-only; withdraw instead (REPLACE refused)'); END;

-- A household's current details: its registration with its latest register change applied.
CREATE VIEW IF NOT EXISTS household_current AS
SELECT h.code, h.village,
       COALESCE(c.head_name, h.head_name) AS head_name,
       h.id_number,
       COALESCE(c.phone, h.phone) AS phone,
       COALESCE(c.members, h.members) AS members,
       COALESCE(c.grid, h.grid) AS grid,
       COALESCE(c.address, h.address) AS address,
       h.consent_board, h.consent_bank, h.registered_on
FROM household h
LEFT JOIN household_change c
       ON c.id = (SELECT MAX(x.id) FROM household_change x WHERE x.household = h.code);

-- @postgresql

CREATE OR REPLACE TRIGGER record_append_only BEFORE UPDATE OR DELETE ON record
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER record_no_truncate BEFORE TRUNCATE ON record
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_append_only BEFORE UPDATE OR DELETE ON household
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_no_truncate BEFORE TRUNCATE ON household
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_change_append_only BEFORE UPDATE OR DELETE ON household_change
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_change_no_truncate BEFORE TRUNCATE ON household_change
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER consent_append_only BEFORE UPDATE OR DELETE ON consent
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER consent_no_truncate BEFORE TRUNCATE ON consent
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();

-- A household's current details: its registration with its latest register change applied.
CREATE OR REPLACE VIEW household_current AS
SELECT h.code, h.village,
       COALESCE(c.head_name, h.head_name) AS head_name,
       h.id_number,
       COALESCE(c.phone, h.phone) AS phone,
       COALESCE(c.members, h.members) AS members,
       COALESCE(c.grid, h.grid) AS grid,
       COALESCE(c.address, h.address) AS address,
       h.consent_board, h.consent_bank, h.registered_on
FROM household h
LEFT JOIN household_change c
       ON c.id = (SELECT MAX(x.id) FROM household_change x WHERE x.household = h.code);

-- On PostgreSQL the operator of a register change or a consent record is the login writing it (0007).
CREATE OR REPLACE TRIGGER household_change_operator_is_login BEFORE INSERT ON household_change
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER consent_operator_is_login BEFORE INSERT ON consent
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
