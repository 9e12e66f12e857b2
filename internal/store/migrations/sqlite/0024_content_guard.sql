-- R45: an update published despite the content guard's findings records
-- the override with it: JSON {"reason": ..., "findings": [...]}, '' when
-- the guard found nothing or was not overridden. It is the status incident's
-- (and the maintenance's) own log of the override; a linked incident also
-- has it on its timeline.
ALTER TABLE status_updates ADD COLUMN guard_override TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenance_updates ADD COLUMN guard_override TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenances ADD COLUMN guard_override TEXT NOT NULL DEFAULT '';
