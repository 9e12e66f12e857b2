-- Private status pages of tenants (issue 13, item 9). The token in a
-- page's URL is kept only as its SHA-256 (hex), so the URL is shown once,
-- when it is made; a rotation replaces the hash, and the old URL stops.
-- sign_in, when on, makes the page ask for an operational address first.
CREATE TABLE tenant_pages (
	tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
	token_hash TEXT,
	sign_in    BOOLEAN NOT NULL,
	rotated_at BIGINT
);
CREATE UNIQUE INDEX tenant_pages_token ON tenant_pages (token_hash);
