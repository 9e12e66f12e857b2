-- Paging: escalation policies, services with integration keys, alerts
-- (one per open dedup key) grouped into pages, and each page's log.

CREATE TABLE escalation_policies (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	levels     TEXT NOT NULL,
	repeat     BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE services (
	id                   TEXT PRIMARY KEY,
	name                 TEXT NOT NULL UNIQUE,
	description          TEXT NOT NULL,
	escalation_policy_id TEXT REFERENCES escalation_policies (id),
	integration_key      TEXT NOT NULL UNIQUE,
	group_threshold      BIGINT NOT NULL,
	group_window_s       BIGINT NOT NULL,
	created_at           BIGINT NOT NULL
);

CREATE TABLE pages (
	id                 TEXT PRIMARY KEY,
	service_id         TEXT NOT NULL REFERENCES services (id),
	status             TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
	dedup_key          TEXT NOT NULL,
	summary            TEXT NOT NULL,
	severity           TEXT NOT NULL,
	source             TEXT NOT NULL,
	details            TEXT,
	count              BIGINT NOT NULL,
	alerts             BIGINT NOT NULL,
	level              BIGINT NOT NULL, -- the level paged last; -1 before the first
	loops              BIGINT NOT NULL,
	first_seen         BIGINT NOT NULL,
	last_seen          BIGINT NOT NULL,
	acked_at           BIGINT,
	acked_by           TEXT NOT NULL,
	resolved_at        BIGINT,
	next_escalation_at BIGINT,
	incident_id        TEXT REFERENCES incidents (id),
	incident_role      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pages_service ON pages (service_id, status, first_seen);
CREATE INDEX pages_escalation ON pages (status, next_escalation_at);

CREATE TABLE alerts (
	id         TEXT PRIMARY KEY,
	service_id TEXT NOT NULL REFERENCES services (id),
	page_id    TEXT NOT NULL REFERENCES pages (id),
	dedup_key  TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
	count      BIGINT NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen  BIGINT NOT NULL
);
-- One open alert per dedup key: repeated triggers fold into it.
CREATE UNIQUE INDEX alerts_open ON alerts (service_id, dedup_key) WHERE status = 'open';
CREATE INDEX alerts_page ON alerts (page_id, status);

CREATE TABLE page_log (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	page_id TEXT NOT NULL REFERENCES pages (id),
	at      BIGINT NOT NULL,
	kind    TEXT NOT NULL,
	text    TEXT NOT NULL
);
CREATE INDEX page_log_page ON page_log (page_id, id);

-- Who was paged for what: one row per person, page, level and round of
-- the policy, so a repeated escalation step cannot notify twice. Delivery
-- works through the pending rows.
CREATE TABLE notifications (
	id            TEXT PRIMARY KEY,
	page_id       TEXT NOT NULL REFERENCES pages (id),
	user_id       TEXT NOT NULL REFERENCES users (id),
	level         BIGINT NOT NULL,
	loop          BIGINT NOT NULL,
	shadow        BOOLEAN NOT NULL DEFAULT FALSE,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	due_at        BIGINT NOT NULL,
	attempts      BIGINT NOT NULL DEFAULT 0,
	claimed_until BIGINT,
	sent_at       BIGINT,
	last_error    TEXT NOT NULL DEFAULT '',
	UNIQUE (page_id, user_id, level, loop)
);
CREATE INDEX notifications_due ON notifications (status, due_at);
