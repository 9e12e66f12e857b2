-- R56: what a person is trained for, from a date (YYYY-MM-DD, UTC): a
-- failover is decided and approved only by people qualified for it.
CREATE TABLE user_qualifications (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    since TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- R10: a first public update written by someone without the status page
-- decision waits here for whoever may decide. input is the
-- StatusIncidentInput as JSON; state is pending, published or discarded.
CREATE TABLE status_drafts (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    input TEXT NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    drafted_by TEXT NOT NULL,
    drafted_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    settled_by_name TEXT NOT NULL DEFAULT '',
    settled_at INTEGER,
    status_incident_id TEXT
);
CREATE INDEX status_drafts_incident ON status_drafts (incident_id, created_at);
CREATE INDEX status_drafts_pending ON status_drafts (state, created_at);
