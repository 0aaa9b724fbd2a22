-- moralbank migration 0006: the entry table's indexes as the queries use them (issue 16).
--
-- Every query's plan was read with EXPLAIN QUERY PLAN (bench/RESULTS.md, "The entry table's
-- indexes"). Two unique indexes become partial: an entry without an idempotency key, or that
-- refers to no other entry, is no longer in entry_key or entry_ref (NULLs never collide, and
-- every lookup by key or by reference implies NOT NULL), so most appends update two indexes
-- fewer. The year-end clearings that close a year get a partial index of their own: the
-- check that a year is closed read the whole of entry_village_month before. Indexes only: no
-- row changes, so no entry's hash changes.

-- @common

DROP INDEX IF EXISTS entry_key;
CREATE UNIQUE INDEX IF NOT EXISTS entry_key ON entry (idem_key) WHERE idem_key IS NOT NULL;
DROP INDEX IF EXISTS entry_ref;
CREATE UNIQUE INDEX IF NOT EXISTS entry_ref ON entry (village, ref_seq) WHERE ref_seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS entry_clearing ON entry (village, booked_on) WHERE kind = 'clearing';
