-- Private status pages of tenants (issue 13, item 9). The token in a
-- page's URL is kept only as its SHA-256 (hex), so the URL is shown once,
-- when it is made; a rotation replaces the hash, and the old URL stops.
-- sign_in, when on, makes the page ask for an operational address first.
CREATE TABLE tenant_pages (
	tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
	token_hash TEXT,
	sign_in    INTEGER NOT NULL,
	rotated_at INTEGER
);
CREATE UNIQUE INDEX tenant_pages_token ON tenant_pages (token_hash);

-- One-time sign-in links of private pages whose sign-in is on: kept as the
-- token's hash, spent once, valid 15 minutes. Each row is also the mail
-- that carries the link, an outbox row (store.LaneSignIn) with the queue
-- columns every lane has; the link, which names the page's own token, is
-- sealed under the server key.
CREATE TABLE tenant_page_signins (
	id            TEXT PRIMARY KEY,
	tenant_id     TEXT NOT NULL REFERENCES tenants (id),
	token_hash    TEXT NOT NULL,
	address       TEXT NOT NULL,
	link_enc      TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	used_at       INTEGER,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at        INTEGER NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	claimed_until INTEGER,
	sent_at       INTEGER,
	last_error    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tenant_page_signins_token ON tenant_page_signins (token_hash);
CREATE INDEX tenant_page_signins_due ON tenant_page_signins (status, due_at);
CREATE INDEX tenant_page_signins_address ON tenant_page_signins (address, created_at);
