-- Support ticket coupling (R20). incident_tickets holds what is set by
-- hand on an incident: the tag of a confidential incident (a public
-- incident's tag is derived from its number) and the keywords searched
-- for (a JSON array; empty: the incident's services).
CREATE TABLE incident_tickets (
	incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
	tag         TEXT NOT NULL DEFAULT '',
	keywords    TEXT NOT NULL DEFAULT '[]',
	updated_at  INTEGER NOT NULL
);
-- The connected ticket system: one row. The API token is sealed with the
-- server key (AES-GCM), never stored in the clear.
CREATE TABLE ticket_connection (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	kind         TEXT NOT NULL,
	url          TEXT NOT NULL,
	email        TEXT NOT NULL,
	token_sealed TEXT NOT NULL,
	updated_at   INTEGER NOT NULL,
	updated_by   TEXT NOT NULL
);
-- Sweeps: searches for untagged tickets and taggings of the tickets
-- picked, run in the background. A failure stays on the row (attempts,
-- last_error) and the row is tried again at next_attempt_at; a claimed
-- row is someone's until claimed_until. keywords, ticket_ids, found and
-- tagged are JSON.
CREATE TABLE ticket_sweeps (
	id              TEXT PRIMARY KEY,
	incident_id     TEXT NOT NULL REFERENCES incidents (id),
	kind            TEXT NOT NULL CHECK (kind IN ('search', 'tag')),
	state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
	tag             TEXT NOT NULL,
	keywords        TEXT NOT NULL,
	window_start    INTEGER NOT NULL,
	window_end      INTEGER,
	apply_all       INTEGER NOT NULL DEFAULT 0,
	ticket_ids      TEXT NOT NULL DEFAULT '[]',
	found           TEXT NOT NULL DEFAULT '[]',
	tagged          TEXT NOT NULL DEFAULT '[]',
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	next_attempt_at INTEGER NOT NULL,
	claimed_until   INTEGER,
	requested_by    TEXT NOT NULL,
	requested_by_id TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	finished_at     INTEGER
);
CREATE INDEX ticket_sweeps_due ON ticket_sweeps (state, next_attempt_at);
CREATE INDEX ticket_sweeps_incident ON ticket_sweeps (incident_id, created_at);
