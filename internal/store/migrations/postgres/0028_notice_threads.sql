-- Customer notice threads (issue 13, items 2, 3, 10; R41, R42, R48, R49):
-- one thread per tenant told about an incident or a maintenance, with the
-- messages out and replies in. token is the reply address's secret part;
-- awaiting_since is when a customer's reply arrived and has not been
-- answered yet (the owner is reminded after notices.reply_reminder).
CREATE TABLE notice_threads (
	id             TEXT PRIMARY KEY,
	token          TEXT NOT NULL UNIQUE,
	source_kind    TEXT NOT NULL CHECK (source_kind IN ('incident', 'maintenance')),
	source_id      TEXT NOT NULL,
	incident_id    TEXT REFERENCES incidents (id),
	tenant_id      TEXT NOT NULL REFERENCES tenants (id),
	subject        TEXT NOT NULL,
	tag            TEXT NOT NULL,
	support_region TEXT NOT NULL,
	to_addr        TEXT NOT NULL,
	cc             TEXT NOT NULL, -- JSON array
	owner_id       TEXT NOT NULL REFERENCES users (id),
	created_at     BIGINT NOT NULL,
	first_sent_at  BIGINT,
	last_message_at BIGINT,
	awaiting_since BIGINT,
	next_notice_due BIGINT,
	UNIQUE (source_kind, source_id, tenant_id)
);
CREATE INDEX notice_threads_incident ON notice_threads (incident_id);
CREATE INDEX notice_threads_awaiting ON notice_threads (awaiting_since);

CREATE TABLE notice_messages (
	id             TEXT PRIMARY KEY,
	thread_id      TEXT NOT NULL REFERENCES notice_threads (id),
	direction      TEXT NOT NULL CHECK (direction IN ('out', 'in')),
	template       TEXT NOT NULL,
	subject        TEXT NOT NULL,
	body           TEXT NOT NULL,
	message_id     TEXT NOT NULL UNIQUE, -- RFC 5322 Message-ID, without <>
	in_reply_to    TEXT NOT NULL,
	from_addr      TEXT NOT NULL,
	author_id      TEXT NOT NULL,
	author         TEXT NOT NULL,
	guard_override TEXT NOT NULL,
	created_at     BIGINT NOT NULL
);
CREATE INDEX notice_messages_thread ON notice_messages (thread_id, created_at);

-- The outbox lane of notices: one row per outbound message (its To and Cc
-- in one SMTP transaction), with the queue columns of the other lanes.
CREATE TABLE notice_deliveries (
	id            TEXT PRIMARY KEY,
	message_id    TEXT NOT NULL UNIQUE REFERENCES notice_messages (id),
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at        BIGINT NOT NULL,
	attempts      BIGINT NOT NULL DEFAULT 0,
	claimed_until BIGINT,
	sent_at       BIGINT,
	last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notice_deliveries_due ON notice_deliveries (status, due_at);
