-- Subscribers of the public status page, the broadcasts they receive, and
-- one delivery per broadcast and subscriber (so nobody is told twice).

CREATE TABLE subscribers (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('email', 'webhook', 'slack', 'teams')),
	target          TEXT NOT NULL,
	components      TEXT NOT NULL, -- JSON list of component ids; [] for all
	secret_enc      TEXT NOT NULL, -- webhook signing secret, encrypted; '' for none
	confirmed       INTEGER NOT NULL DEFAULT 0,
	paused          INTEGER NOT NULL DEFAULT 0,
	internal        INTEGER NOT NULL DEFAULT 0, -- a stakeholder channel (R19), never public broadcasts
	failures        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	confirmed_at    INTEGER,
	unsubscribed_at INTEGER
);
CREATE UNIQUE INDEX subscribers_target ON subscribers (kind, target) WHERE unsubscribed_at IS NULL;

CREATE TABLE broadcasts (
	id          TEXT PRIMARY KEY,
	event       TEXT NOT NULL,
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,
	url         TEXT NOT NULL,
	components  TEXT NOT NULL, -- JSON list of affected component ids; [] for all
	channels    TEXT NOT NULL, -- JSON object of unchecked channels
	only_to     TEXT NOT NULL, -- one subscriber id (a confirmation mail), or ''
	cursor      TEXT NOT NULL, -- the last subscriber id planned
	planned     INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);
CREATE INDEX broadcasts_planned ON broadcasts (planned, created_at);

CREATE TABLE broadcast_deliveries (
	broadcast_id  TEXT NOT NULL REFERENCES broadcasts (id),
	subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at        INTEGER NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	claimed_until INTEGER,
	sent_at       INTEGER,
	last_error    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (broadcast_id, subscriber_id)
);
CREATE INDEX broadcast_deliveries_due ON broadcast_deliveries (status, due_at);
