-- moralbank schema: the single source of truth for tables, indexes and append-only guards.
--
-- The file has sections. "@common" is portable SQL run on every database; "{auto_id}" becomes
-- the dialect's auto-assigned integer key. "@sqlite" and "@postgresql" hold each database's own
-- guards. Every statement is idempotent, so `moralbank init` is safe to run twice.
-- This file is the full current schema for a fresh database. A database made by an older
-- release is brought here by the forward-only steps in migrations/ (`moralbank upgrade`); every
-- change to this file comes with a migration that makes the same change (migrations/README.md).
-- Dates are ISO text (YYYY-MM-DD), timestamps ISO text in UTC, booleans 0/1, points integers.

-- @common

CREATE TABLE IF NOT EXISTS village (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    town         TEXT NOT NULL,
    county       TEXT NOT NULL,
    notice_days  INTEGER NOT NULL DEFAULT 0 CHECK (notice_days >= 0),
    black_list   INTEGER NOT NULL DEFAULT 0 CHECK (black_list IN (0, 1)),
    maker_checker INTEGER NOT NULL DEFAULT 0 CHECK (maker_checker IN (0, 1)),
    created_at   TEXT NOT NULL,
    committee    TEXT NOT NULL DEFAULT '',   -- printed on notices and boards (migration 0004)
    contact      TEXT NOT NULL DEFAULT ''    -- who takes objections to the notice, and how
);

CREATE TABLE IF NOT EXISTS household (
    code          TEXT PRIMARY KEY,
    village       TEXT NOT NULL REFERENCES village (code),
    head_name     TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    members       INTEGER NOT NULL CHECK (members >= 1),
    grid          TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    consent_board INTEGER NOT NULL CHECK (consent_board IN (0, 1)),
    consent_bank  INTEGER NOT NULL CHECK (consent_bank IN (0, 1)),
    registered_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS household_village ON household (village, code);

-- A meeting that adopted standards: the statutory quorum is checked before it is stored.
CREATE TABLE IF NOT EXISTS resolution (
    id          {auto_id},
    village     TEXT REFERENCES village (code),   -- NULL: county-wide
    held_on     TEXT NOT NULL,
    body        TEXT NOT NULL,
    members     INTEGER NOT NULL,
    present     INTEGER NOT NULL,
    in_favour   INTEGER NOT NULL,
    against     INTEGER NOT NULL,
    abstain     INTEGER NOT NULL,
    minutes     TEXT NOT NULL DEFAULT '',
    operator    TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    CHECK (3 * present > 2 * members AND 2 * in_favour > present)
);

-- One version of one standard; never changed. Its id is a natural key "scope:code:version"
-- (scope "*" for county-wide) so that entries hash the same on every database.
CREATE TABLE IF NOT EXISTS standard (
    id             TEXT PRIMARY KEY,
    scope          TEXT NOT NULL,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    points         INTEGER NOT NULL CHECK (points <> 0),
    monthly_cap    INTEGER CHECK (monthly_cap IS NULL OR monthly_cap > 0),
    veto           INTEGER NOT NULL DEFAULT 0 CHECK (veto IN (0, 1)),
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    resolution_id  INTEGER NOT NULL REFERENCES resolution (id),
    UNIQUE (scope, code, version)
);

-- The ledger. Every entry moves `amount` whole coins from `debit` to `credit`; `coins` and
-- `earned` are its signed effect on the household's spendable coins and earned points.
-- Entries of one village form a hash chain ordered by `seq`; `chain_format` names the rule that
-- hashed the entry (domain/chain.py), which verify applies to it.
CREATE TABLE IF NOT EXISTS entry (
    id          {auto_id},
    village     TEXT NOT NULL REFERENCES village (code),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT NOT NULL,
    household   TEXT NOT NULL REFERENCES household (code),
    debit       TEXT NOT NULL,
    credit      TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    coins       INTEGER NOT NULL,
    earned      INTEGER NOT NULL,
    standard_id TEXT REFERENCES standard (id),
    qty         INTEGER,
    event_date  TEXT NOT NULL,
    booked_on   TEXT NOT NULL,
    ref_seq     INTEGER,          -- the entry (same village) this one reverses, posts or voids
    note        TEXT NOT NULL DEFAULT '',
    operator    TEXT NOT NULL,
    idem_key    TEXT,
    recorded_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    chain_format INTEGER NOT NULL DEFAULT 1,
    CHECK (debit <> credit),
    CHECK (coins = amount OR coins = -amount OR coins = 0)
);
-- The chain position is unique: two writers can never fork a village's chain.
CREATE UNIQUE INDEX IF NOT EXISTS entry_chain ON entry (village, seq);
-- Partial: most entries carry no key or refer to none, and an index of them costs every
-- append and is never read (a lookup by key or by reference implies NOT NULL; issue 16).
CREATE UNIQUE INDEX IF NOT EXISTS entry_key ON entry (idem_key) WHERE idem_key IS NOT NULL;
-- An entry is reversed (or a proposal posted or voided) at most once.
CREATE UNIQUE INDEX IF NOT EXISTS entry_ref ON entry (village, ref_seq) WHERE ref_seq IS NOT NULL;
-- Covering indexes for the reports: a household's passbook, a village's and the county's month.
CREATE INDEX IF NOT EXISTS entry_household ON entry (household, booked_on, coins, earned);
CREATE INDEX IF NOT EXISTS entry_village_month ON entry (village, booked_on, household, earned);
CREATE INDEX IF NOT EXISTS entry_month ON entry (booked_on, household, earned);
-- Proposals (拟记) waiting out their public-notice period; a partial index keeps it small.
CREATE INDEX IF NOT EXISTS entry_proposal ON entry (village, booked_on) WHERE kind = 'proposal';
-- Posted deductions by booking date, for the credit rating's veto check; a partial index keeps it small.
CREATE INDEX IF NOT EXISTS entry_deduction ON entry (booked_on) WHERE kind = 'deduction';
-- Year-end clearings, which close a village's year: read by every write, a handful of rows.
CREATE INDEX IF NOT EXISTS entry_clearing ON entry (village, booked_on) WHERE kind = 'clearing';

-- A published monthly board: an immutable snapshot (canonical JSON) with the village checkpoint
-- (seq, head hash; seq 0 for an empty chain) it was made at. Publishing closes the month for
-- booking in that village.
CREATE TABLE IF NOT EXISTS board (
    id            {auto_id},
    village       TEXT NOT NULL REFERENCES village (code),
    month         TEXT NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 0),
    head_hash     TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    snapshot_hash TEXT NOT NULL,
    operator      TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    UNIQUE (village, month)
);

-- Every signed credit export handed to a bank (信): who, when, which bank, how many rows, the
-- file's hash and the policy and key it was made with. Append-only.
CREATE TABLE IF NOT EXISTS export_log (
    id           {auto_id},
    exported_at  TEXT NOT NULL,
    operator     TEXT NOT NULL,
    bank         TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    format       TEXT NOT NULL,
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    full_id      INTEGER NOT NULL CHECK (full_id IN (0, 1)),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    policy_hash  TEXT NOT NULL,
    key_id       TEXT NOT NULL
);

-- The schema version: one row per step applied (a fresh database gets one row, for schema.sql
-- at the current version). The database's version is MAX(version). Append-only.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    moralbank  TEXT NOT NULL
);

-- The points supermarket (积分超市). One version of one catalogue item; never changed: a price
-- change or a retirement is a new version in force from its date. Its id is the natural key
-- "scope:code:version" (scope "*" for the county-wide catalogue). Prices are whole coins.
CREATE TABLE IF NOT EXISTS shop_item (
    id             TEXT PRIMARY KEY,
    scope          TEXT NOT NULL,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL DEFAULT '',
    price          INTEGER NOT NULL CHECK (price > 0),
    low_stock      INTEGER NOT NULL DEFAULT 0 CHECK (low_stock >= 0),
    effective_from TEXT NOT NULL,
    retired        INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    operator       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (scope, code, version)
);

-- Goods moving in and out of one village's supermarket: receipts (with their value in fen when
-- known), redemptions and their returns (linked to the ledger entry by `entry_seq`), stocktake
-- adjustments. A village's movements form their own hash chain ordered by `seq`; the stock of an
-- item is the sum of its `qty`.
CREATE TABLE IF NOT EXISTS stock_movement (
    id          {auto_id},
    village     TEXT NOT NULL REFERENCES village (code),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    item        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'redemption', 'return', 'stocktake')),
    qty         INTEGER NOT NULL,
    value_fen   INTEGER CHECK (value_fen IS NULL OR value_fen >= 0),
    entry_seq   INTEGER,          -- the ledger entry (same village) of a redemption or its reversal
    household   TEXT REFERENCES household (code),
    booked_on   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    operator    TEXT NOT NULL,
    idem_key    TEXT,
    recorded_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    CHECK (qty <> 0 OR kind = 'stocktake')
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_movement_chain ON stock_movement (village, seq);
CREATE UNIQUE INDEX IF NOT EXISTS stock_movement_key ON stock_movement (idem_key);
CREATE UNIQUE INDEX IF NOT EXISTS stock_movement_entry ON stock_movement (village, entry_seq);
CREATE INDEX IF NOT EXISTS stock_movement_item ON stock_movement (village, item, booked_on);

-- A village's supermarket and year policy (all optional): the balance a household needs to
-- redeem, the days of the month it may redeem on ("10,25"; empty: any day), year-end clearing
-- (年底清零), the yearly base score, and the 星级文明户 titles for months on the red list
-- ("6:二星级文明户,10:三星级文明户"). Mutable like the village's other settings.
CREATE TABLE IF NOT EXISTS village_policy (
    village           TEXT PRIMARY KEY REFERENCES village (code),
    min_balance       INTEGER NOT NULL DEFAULT 0 CHECK (min_balance >= 0),
    redemption_days   TEXT NOT NULL DEFAULT '',
    year_end_clearing INTEGER NOT NULL DEFAULT 0 CHECK (year_end_clearing IN (0, 1)),
    base_score        INTEGER NOT NULL DEFAULT 0 CHECK (base_score >= 0),
    star_titles       TEXT NOT NULL DEFAULT ''
);

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

-- The database itself refuses to rewrite history, whoever connects.
CREATE TRIGGER IF NOT EXISTS entry_no_update BEFORE UPDATE ON entry
BEGIN SELECT RAISE(ABORT, 'moralbank: entries are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS entry_no_delete BEFORE DELETE ON entry
BEGIN SELECT RAISE(ABORT, 'moralbank: entries are append-only (DELETE refused)'); END;
-- INSERT OR REPLACE deletes the conflicting row without firing delete triggers (unless
-- recursive_triggers is on), so refuse any insert that would collide before it happens.
CREATE TRIGGER IF NOT EXISTS entry_no_replace BEFORE INSERT ON entry
WHEN EXISTS (
    SELECT 1 FROM entry
    WHERE id = NEW.id
       OR (village = NEW.village AND seq = NEW.seq)
       OR idem_key = NEW.idem_key
       OR (village = NEW.village AND ref_seq = NEW.ref_seq)
)
BEGIN SELECT RAISE(ABORT, 'moralbank: entries are append-only (REPLACE refused)'); END;

CREATE TRIGGER IF NOT EXISTS standard_no_update BEFORE UPDATE ON standard
BEGIN SELECT RAISE(ABORT, 'moralbank: standards never change; adopt a new version'); END;
CREATE TRIGGER IF NOT EXISTS standard_no_delete BEFORE DELETE ON standard
BEGIN SELECT RAISE(ABORT, 'moralbank: standards never change; adopt a new version'); END;
CREATE TRIGGER IF NOT EXISTS standard_no_replace BEFORE INSERT ON standard
WHEN EXISTS (SELECT 1 FROM standard WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: standards never change; adopt a new version'); END;
CREATE TRIGGER IF NOT EXISTS resolution_no_update BEFORE UPDATE ON resolution
BEGIN SELECT RAISE(ABORT, 'moralbank: resolutions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS resolution_no_delete BEFORE DELETE ON resolution
BEGIN SELECT RAISE(ABORT, 'moralbank: resolutions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS board_no_update BEFORE UPDATE ON board
BEGIN SELECT RAISE(ABORT, 'moralbank: published boards are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS board_no_delete BEFORE DELETE ON board
BEGIN SELECT RAISE(ABORT, 'moralbank: published boards are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS board_no_replace BEFORE INSERT ON board
WHEN EXISTS (SELECT 1 FROM board WHERE id = NEW.id OR (village = NEW.village AND month = NEW.month))
BEGIN SELECT RAISE(ABORT, 'moralbank: published boards are append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS export_log_no_update BEFORE UPDATE ON export_log
BEGIN SELECT RAISE(ABORT, 'moralbank: the export log is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS export_log_no_delete BEFORE DELETE ON export_log
BEGIN SELECT RAISE(ABORT, 'moralbank: the export log is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS export_log_no_replace BEFORE INSERT ON export_log
WHEN EXISTS (SELECT 1 FROM export_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the export log is append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS schema_version_no_update BEFORE UPDATE ON schema_version
BEGIN SELECT RAISE(ABORT, 'moralbank: the schema version history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS schema_version_no_delete BEFORE DELETE ON schema_version
BEGIN SELECT RAISE(ABORT, 'moralbank: the schema version history is append-only'); END;

CREATE TRIGGER IF NOT EXISTS shop_item_no_update BEFORE UPDATE ON shop_item
BEGIN SELECT RAISE(ABORT, 'moralbank: catalogue items never change; add a new version'); END;
CREATE TRIGGER IF NOT EXISTS shop_item_no_delete BEFORE DELETE ON shop_item
BEGIN SELECT RAISE(ABORT, 'moralbank: catalogue items never change; add a new version'); END;
CREATE TRIGGER IF NOT EXISTS shop_item_no_replace BEFORE INSERT ON shop_item
WHEN EXISTS (SELECT 1 FROM shop_item WHERE id = NEW.id OR (scope = NEW.scope AND code = NEW.code AND version = NEW.version))
BEGIN SELECT RAISE(ABORT, 'moralbank: catalogue items never change; add a new version'); END;
CREATE TRIGGER IF NOT EXISTS stock_movement_no_update BEFORE UPDATE ON stock_movement
BEGIN SELECT RAISE(ABORT, 'moralbank: stock movements are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS stock_movement_no_delete BEFORE DELETE ON stock_movement
BEGIN SELECT RAISE(ABORT, 'moralbank: stock movements are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS stock_movement_no_replace BEFORE INSERT ON stock_movement
WHEN EXISTS (
    SELECT 1 FROM stock_movement
    WHERE id = NEW.id
       OR (village = NEW.village AND seq = NEW.seq)
       OR idem_key = NEW.idem_key
       OR (village = NEW.village AND entry_seq = NEW.entry_seq)
)
BEGIN SELECT RAISE(ABORT, 'moralbank: stock movements are append-only (REPLACE refused)'); END;
CREATE TRIGGER IF NOT EXISTS sheet_import_no_update BEFORE UPDATE ON sheet_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS sheet_import_no_delete BEFORE DELETE ON sheet_import
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS sheet_import_no_replace BEFORE INSERT ON sheet_import
WHEN EXISTS (SELECT 1 FROM sheet_import WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the import log is append-only (REPLACE refused)'); END;

-- @postgresql

CREATE OR REPLACE FUNCTION moralbank_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'moralbank: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER entry_no_truncate BEFORE TRUNCATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER standard_append_only BEFORE UPDATE OR DELETE ON standard
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER standard_no_truncate BEFORE TRUNCATE ON standard
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER resolution_append_only BEFORE UPDATE OR DELETE ON resolution
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER resolution_no_truncate BEFORE TRUNCATE ON resolution
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER board_append_only BEFORE UPDATE OR DELETE ON board
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER board_no_truncate BEFORE TRUNCATE ON board
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER export_log_append_only BEFORE UPDATE OR DELETE ON export_log
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER export_log_no_truncate BEFORE TRUNCATE ON export_log
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER schema_version_append_only BEFORE UPDATE OR DELETE ON schema_version
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER schema_version_no_truncate BEFORE TRUNCATE ON schema_version
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER shop_item_append_only BEFORE UPDATE OR DELETE ON shop_item
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER shop_item_no_truncate BEFORE TRUNCATE ON shop_item
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER stock_movement_no_truncate BEFORE TRUNCATE ON stock_movement
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER sheet_import_append_only BEFORE UPDATE OR DELETE ON sheet_import
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER sheet_import_no_truncate BEFORE TRUNCATE ON sheet_import
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
