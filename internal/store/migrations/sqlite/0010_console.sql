-- The console: people sign in with a password (or single sign-on) and act
-- with a role of their own, the API's roles. Users who hold an admin token
-- become console admins, so an upgraded Herald has someone to let others in.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'responder' CHECK (role IN ('viewer', 'responder', 'admin'));
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
UPDATE users SET role = 'admin' WHERE id IN (SELECT user_id FROM tokens WHERE role = 'admin' AND revoked_at IS NULL);

-- A signed-in browser. id is the SHA-256 of the cookie's secret: a copy of
-- the database opens no session.
CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	via        TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins per account ("account:<email>") and per address
-- ("addr:<ip or /64>"), in the database so every instance counts the same.
CREATE TABLE signin_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start INTEGER NOT NULL
);

-- A password reset link sent by e-mail. id is the SHA-256 of its token.
CREATE TABLE password_resets (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
