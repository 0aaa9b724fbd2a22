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
    key_id       TEXT NOT NULL,
    replaced     INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1))
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
-- Covering: the consent in force is read from the index alone (migration 0011).
CREATE INDEX IF NOT EXISTS consent_household ON consent (household, recipient, on_date, source, bank, action);

-- Two households can never share an ID number, even when added at the same moment.
CREATE UNIQUE INDEX IF NOT EXISTS household_id_number ON household (id_number);

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

CREATE TRIGGER IF NOT EXISTS operator_no_update BEFORE UPDATE ON operator
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS operator_no_delete BEFORE DELETE ON operator
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS operator_no_replace BEFORE INSERT ON operator
WHEN EXISTS (SELECT 1 FROM operator WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: the operator register is append-only (REPLACE refused)'); END;

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

CREATE TRIGGER IF NOT EXISTS household_move_no_update BEFORE UPDATE ON household_move
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (UPDATE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_move_no_delete BEFORE DELETE ON household_move
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (DELETE refused)'); END;
CREATE TRIGGER IF NOT EXISTS household_move_no_replace BEFORE INSERT ON household_move
WHEN EXISTS (SELECT 1 FROM household_move WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'moralbank: household moves are append-only (REPLACE refused)'); END;

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
CREATE OR REPLACE TRIGGER household_change_operator_is_login BEFORE INSERT ON household_change
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();
CREATE OR REPLACE TRIGGER consent_operator_is_login BEFORE INSERT ON consent
    FOR EACH ROW EXECUTE FUNCTION moralbank_operator_is_login();


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
