-- The measures report (R62) reads every measure over a time range: these
-- indexes let each aggregate read only the period. The stakeholder
-- notice index is partial, over the entries marked as notices; its
-- predicate must stay the same text as the report's query
-- (store.stakeholderNotice).
CREATE INDEX pages_first_seen ON pages (first_seen);
CREATE INDEX status_updates_created ON status_updates (created_at);
CREATE INDEX incidents_declared ON incidents (declared_at);
CREATE INDEX timeline_stakeholder_notices ON timeline (incident_id) WHERE data LIKE '%"stakeholder_notice":true%';
CREATE INDEX notice_messages_created ON notice_messages (created_at);
CREATE INDEX notice_threads_next_due ON notice_threads (next_notice_due);
CREATE INDEX contact_requests_created ON contact_requests (created_at);
