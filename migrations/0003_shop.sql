-- moralbank migration 0003: the points supermarket (积分超市) and the village year.
--
-- Adds the catalogue (shop_item), the goods ledger (stock_movement, hash-chained per village)
-- and the village policy (village_policy), with the same append-only guards as schema.sql.
-- Applied to a database at version 2 it yields exactly what schema.sql creates for these
-- tables; it changes no existing row, so no entry's hash changes.

-- @common

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

-- @sqlite

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

-- @postgresql

CREATE OR REPLACE TRIGGER shop_item_append_only BEFORE UPDATE OR DELETE ON shop_item
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER shop_item_no_truncate BEFORE TRUNCATE ON shop_item
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement
    FOR EACH ROW EXECUTE FUNCTION moralbank_append_only();
CREATE OR REPLACE TRIGGER stock_movement_no_truncate BEFORE TRUNCATE ON stock_movement
    FOR EACH STATEMENT EXECUTE FUNCTION moralbank_append_only();
