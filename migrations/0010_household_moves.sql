-- moralbank migration 0010: household moves (issue 10): moving out of one village and into another
-- are their own recorded events.
--
-- Adds household_move (append-only, covered by the records chain) and makes the view
-- household_current take a household's village from its latest move. The household keeps its
-- code (unique in the county) and its one ID number; the coins it holds are carried by two
-- entries, move_out in the old village's chain and move_in in the new one's. No existing row
-- changes, so no entry's or record's hash changes.

-- @common

-- A household's move from one village of the county to another, on a date, with the reason, who
-- recorded it and when, and the chain positions of the two entries that carried its coins
-- (move_out in the old village, move_in in the new one). The household keeps its code; its
-- current village is the latest move's (the view household_current).
CREATE TABLE IF NOT EXISTS household_move (
    id           {auto_id},
    household    TEXT NOT NULL REFERENCES household (code),
    from_village TEXT NOT NULL REFERENCES village (code),
    to_village   TEXT NOT NULL REFERENCES village (code),
    on_date      TEXT NOT NULL,
    out_seq      INTEGER NOT NULL CHECK (out_seq >= 1),
    in_seq       INTEGER NOT NULL CHECK (in_seq >= 1),
    reason       TEXT NOT NULL,
    operator     TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    CHECK (from_village <> to_village)
);
CREATE INDEX IF NOT EXISTS household_move_household ON household_move (household, id);
-- The move entries alone, for verify's check that every one of them is recorded by a move.
CREATE INDEX IF NOT EXISTS entry_move ON entry (village, seq) WHERE kind IN ('move_out', 'move_in');

-- @sqlite

CREATE TRIGGER IF NOT EXISTS household_move_no_update BEFORE UPDATE ON household_move
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_move_no_delete BEFORE DELETE ON household_move
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_move_no_replace BEFORE INSERT ON household_move
WHEN EXISTS (SELECT 1 FROM household_move WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (REPLACE refused)'); END;

DROP VIEW IF EXISTS household_current;
-- A household's current details: its registration with its latest register change applied, in
-- the village of its latest move.
CREATE VIEW IF NOT EXISTS household_current AS
SELECT h.code, COALESCE(m.to_village, h.village) AS village,
       COALESCE(c.head_name, h.head_name) AS head_name,
       h.id_number,
       COALESCE(c.phone, h.phone) AS phone,
       COALESCE(c.members, h.members) AS members,
       COALESCE(c.grid, h.grid) AS grid,
       COALESCE(c.address, h.address) AS address,
       h.consent_board, h.consent_bank, h.registered_on
FROM household h
LEFT JOIN household_change c
       ON c.id = (SELECT MAX(x.id) FROM household_change x WHERE x.household = h.code)
LEFT JOIN household_move m
       ON m.id = (SELECT MAX(y.id) FROM household_move y WHERE y.household = h.code);

-- @postgresql

CREATE OR REPLACE TRIGGER household_move_append_only BEFORE UPDATE OR DELETE ON household_move
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_move_no_truncate BEFORE TRUNCATE ON household_move
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER household_move_operator_is_login BEFORE INSERT ON household_move
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();

-- A household's current details: its registration with its latest register change applied, in
-- the village of its latest move.
CREATE OR REPLACE VIEW household_current AS
SELECT h.code, COALESCE(m.to_village, h.village) AS village,
       COALESCE(c.head_name, h.head_name) AS head_name,
       h.id_number,
       COALESCE(c.phone, h.phone) AS phone,
       COALESCE(c.members, h.members) AS members,
       COALESCE(c.grid, h.grid) AS grid,
       COALESCE(c.address, h.address) AS address,
       h.consent_board, h.consent_bank, h.registered_on
FROM household h
LEFT JOIN household_change c
       ON c.id = (SELECT MAX(x.id) FROM household_change x WHERE x.household = h.code)
LEFT JOIN household_move m
       ON m.id = (SELECT MAX(y.id) FROM household_move y WHERE y.household = h.code);
