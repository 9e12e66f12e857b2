-- The measures report (R62) leaves practice incidents out (R63): the few
-- practice incidents are found by this partial index, the real ones by
-- incidents_live_declared, which also covers what the report reads of
-- them so the aggregates never visit the table. Its predicate must stay
-- the same text as the report's (store.liveIncident).
CREATE INDEX incidents_practice ON incidents (id) WHERE practice_run_id <> '';
CREATE INDEX incidents_live_declared ON incidents (declared_at, severity, resolved_at, impact_started_at, id) WHERE practice_run_id = '';

-- Covering indexes: each measure's aggregate reads one index and never
-- the table (a lookup per row was most of the report's time on SQLite).
-- The role pages by time, with what time to acknowledge reads of them.
CREATE INDEX pages_role_measures ON pages (first_seen, incident_role, acked_at, incident_id, dedup_key) WHERE incident_role <> '';
-- The pages by time, with the id the notifications join on.
DROP INDEX pages_first_seen;
CREATE INDEX pages_first_seen ON pages (first_seen, id, incident_id);
-- An incident's pages, with their times (MTTA).
DROP INDEX pages_incident;
CREATE INDEX pages_incident ON pages (incident_id, first_seen, acked_at) WHERE incident_id IS NOT NULL;
-- Who a page reached.
CREATE INDEX notifications_page_measures ON notifications (page_id, shadow, user_id);
-- The public updates by time, with what cadence reads of them.
DROP INDEX status_updates_created;
CREATE INDEX status_updates_created ON status_updates (created_at, status_incident_id, id, status, next_update_in);
