-- moralbank migration 0004: what a village prints on its notices and boards.
--
-- Adds the committee's name (村民委员会) and the contact for objections to the village's
-- settings; both are empty until set (`moralbank village set V --committee ... --contact ...`),
-- and a notice or board without them prints the village's name with 村民委员会. No entry
-- changes, so no hash changes.

-- @common

ALTER TABLE village ADD COLUMN committee TEXT NOT NULL DEFAULT '';
ALTER TABLE village ADD COLUMN contact TEXT NOT NULL DEFAULT '';
