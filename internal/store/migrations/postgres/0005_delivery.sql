-- How people are reached, and the deliveries of notifications to them.

CREATE TABLE contact_methods (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	kind       TEXT NOT NULL CHECK (kind IN ('email', 'webhook', 'slack', 'teams', 'sms', 'voice')),
	target     TEXT NOT NULL,
	secret_enc TEXT NOT NULL, -- webhook signing secret, AES-GCM encrypted; '' for none
	failures   BIGINT NOT NULL DEFAULT 0,
	failing    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL
);
CREATE INDEX contact_methods_user ON contact_methods (user_id);

CREATE TABLE notification_rules (
	id                TEXT PRIMARY KEY,
	user_id           TEXT NOT NULL REFERENCES users (id),
	contact_method_id TEXT NOT NULL REFERENCES contact_methods (id),
	delay_s           BIGINT NOT NULL,
	UNIQUE (contact_method_id, delay_s)
);

-- One delivery per notification and contact method: the idempotency key
-- goes with every attempt, so a receiver can drop a repeat.
CREATE TABLE deliveries (
	id                TEXT PRIMARY KEY,
	notification_id   TEXT NOT NULL REFERENCES notifications (id),
	contact_method_id TEXT NOT NULL REFERENCES contact_methods (id),
	status            TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at            BIGINT NOT NULL,
	attempts          BIGINT NOT NULL DEFAULT 0,
	claimed_until     BIGINT,
	sent_at           BIGINT,
	last_error        TEXT NOT NULL DEFAULT '',
	UNIQUE (notification_id, contact_method_id)
);
CREATE INDEX deliveries_due ON deliveries (status, due_at);
