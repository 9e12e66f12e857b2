-- The outbound chat lane (issue 15 item 6): everything Herald sends to a
-- chat platform (a post, an edit in place, a channel made, people invited,
-- a reply to a slash command) is a row here, sent by a loop of its own
-- with attempts, backoff and the last error on the row. The id is the
-- idempotency key: queueing the same key again is the same message.
CREATE TABLE chat_messages (
	id            TEXT PRIMARY KEY,
	platform      TEXT NOT NULL,
	kind          TEXT NOT NULL,
	channel       TEXT NOT NULL,
	incident_id   TEXT NOT NULL,
	ref           TEXT NOT NULL,
	body          TEXT NOT NULL,
	result        TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	created_at    INTEGER NOT NULL,
	due_at        INTEGER NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	claimed_until INTEGER,
	sent_at       INTEGER,
	last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX chat_messages_due ON chat_messages (status, due_at);
-- The per-channel pace: the next message of a channel is due a second
-- after the last one queued for it.
CREATE INDEX chat_messages_channel ON chat_messages (platform, channel, due_at);

-- A connected chat platform's app: its secrets sealed with the server key
-- (secrets.go), never returned.
CREATE TABLE chat_connections (
	platform              TEXT PRIMARY KEY,
	signing_secret_sealed TEXT NOT NULL,
	bot_token_sealed      TEXT NOT NULL,
	announce_channel      TEXT NOT NULL,
	pin_reaction          TEXT NOT NULL,
	updated_at            INTEGER NOT NULL,
	updated_by            TEXT NOT NULL
);
