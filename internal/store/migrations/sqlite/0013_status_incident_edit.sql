-- R22: a correction of an open status incident's title and components waits
-- here until the next update publishes it. pending_components is a JSON list
-- of component ids, NULL when no change of components is pending. The update
-- that publishes a new title records it in status_updates.name.
ALTER TABLE status_incidents ADD COLUMN pending_name TEXT NOT NULL DEFAULT '';
ALTER TABLE status_incidents ADD COLUMN pending_components TEXT;
ALTER TABLE status_updates ADD COLUMN name TEXT NOT NULL DEFAULT '';
