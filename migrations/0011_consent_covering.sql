-- moralbank migration 0011: the consent in force read from its index alone (issue 16).
--
-- Every read of the consent in force (a board's names, a bank's list, consent show) finds a
-- household's events for one recipient and orders them by the day they count from (source,
-- on_date) and their id, then takes the action of the first. consent_household held only
-- (household, recipient, on_date): each event was a table lookup for its source, bank and
-- action. Holding them too, the index answers alone: at L, the county board's query 12 ms
-- faster (0.14 s -> 0.13 s in the sqlite3 shell) and a bank's list's probe of 125,000
-- households 0.11 s -> 0.08 s (bench/RESULTS.md, round five). An index only: no row changes,
-- so no record's hash changes.

-- @common

DROP INDEX IF EXISTS consent_household;
CREATE INDEX IF NOT EXISTS consent_household ON consent (household, recipient, on_date, source, bank, action);
