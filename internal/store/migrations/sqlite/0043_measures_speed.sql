-- The measures report (R62) leaves practice incidents out (R63): the few
-- practice incidents are found by this partial index, the real ones by
-- incidents_live_declared, which also covers what the report reads of
-- them so the aggregates never visit the table. Its predicate must stay
-- the same text as the report's (store.liveIncident).
CREATE INDEX incidents_practice ON incidents (id) WHERE practice_run_id <> '';
CREATE INDEX incidents_live_declared ON incidents (declared_at, severity, resolved_at, impact_started_at, id) WHERE practice_run_id = '';
