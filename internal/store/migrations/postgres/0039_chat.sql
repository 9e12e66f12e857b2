-- Chat-ops (issue 15): which chat channel is which incident's, which chat
-- user is which Herald user, and the one-time codes that link them.

-- A channel is one incident's at a time; commands typed there act on it.
CREATE TABLE chat_channels (
	platform    TEXT NOT NULL,
	channel_id  TEXT NOT NULL,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (platform, channel_id)
);
CREATE INDEX chat_channels_incident ON chat_channels (incident_id);

-- A person on a platform (in a workspace or team; '' when it has none)
-- acts as one Herald user: linked by the e-mail address the platform
-- verified ('email') or by a confirmed linking code ('link').
CREATE TABLE chat_identities (
	platform   TEXT NOT NULL,
	team       TEXT NOT NULL,
	chat_user  TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id),
	via        TEXT NOT NULL CHECK (via IN ('email', 'link')),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (platform, team, chat_user)
);
CREATE INDEX chat_identities_user ON chat_identities (user_id);

-- One-time linking codes, kept as the code's SHA-256 (hex): spent once
-- (used_at), valid until expires_at.
CREATE TABLE chat_links (
	code_hash  TEXT PRIMARY KEY,
	platform   TEXT NOT NULL,
	team       TEXT NOT NULL,
	chat_user  TEXT NOT NULL,
	chat_name  TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT,
	used_by    TEXT REFERENCES users (id)
);
