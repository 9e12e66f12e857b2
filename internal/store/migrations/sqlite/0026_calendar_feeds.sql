-- A person's calendar feed: the token in the link calendar apps subscribe
-- to, stored as its SHA-256 (a 256-bit random token needs no slow hash).
-- One per person; a new link replaces the old, so the old stops working.
CREATE TABLE calendar_feeds (
	user_id    TEXT PRIMARY KEY REFERENCES users (id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);
