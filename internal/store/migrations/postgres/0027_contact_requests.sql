-- Contact requests (R61): infrastructure or security asks to reach
-- particular users; tracked to done (with what was sent and any reply) or
-- cancelled. recipients is a JSON array of addresses or account names.
CREATE TABLE contact_requests (
	id            TEXT PRIMARY KEY,
	from_team     TEXT NOT NULL,
	recipients    TEXT NOT NULL,
	reason        TEXT NOT NULL,
	message       TEXT NOT NULL,
	due_at        BIGINT,
	incident_id   TEXT REFERENCES incidents (id),
	owner_id      TEXT NOT NULL REFERENCES users (id),
	status        TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	sent          TEXT NOT NULL DEFAULT '',
	reply         TEXT NOT NULL DEFAULT '',
	cancel_reason TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	closed_at     BIGINT
);
CREATE INDEX contact_requests_status ON contact_requests (status, due_at);
CREATE TABLE contact_request_notes (
	request_id TEXT NOT NULL REFERENCES contact_requests (id),
	seq        BIGINT NOT NULL,
	at         BIGINT NOT NULL,
	author     TEXT NOT NULL,
	text       TEXT NOT NULL,
	PRIMARY KEY (request_id, seq)
);
