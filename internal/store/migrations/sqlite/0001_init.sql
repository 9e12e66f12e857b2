-- Herald's first schema. Times are integer microseconds since the Unix epoch
-- (UTC) on both databases: exact, sortable and the same in every driver.
-- See docs/adr/0001-two-databases.md.

CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('incident_number', 0);

CREATE TABLE settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	data       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL UNIQUE,
	manager    INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
	user_id    TEXT NOT NULL REFERENCES users (id),
	hash       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE incidents (
	id           TEXT PRIMARY KEY,
	number       INTEGER NOT NULL UNIQUE,
	reference    TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL,
	severity     TEXT NOT NULL CHECK (severity IN ('S1', 'S2', 'S3', 'S4')),
	state        TEXT NOT NULL CHECK (state IN ('investigating', 'identified', 'monitoring', 'resolved')),
	confidential INTEGER NOT NULL DEFAULT 0,
	services     TEXT NOT NULL DEFAULT '[]',
	tenants      TEXT NOT NULL DEFAULT '[]',
	version      INTEGER NOT NULL,
	declared_by  TEXT NOT NULL,
	declared_at  INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	resolved_at  INTEGER
);
CREATE INDEX incidents_state_number ON incidents (state, number);

CREATE TABLE incident_labels (
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	slot        TEXT NOT NULL,
	name        TEXT NOT NULL,
	PRIMARY KEY (incident_id, slot)
);

CREATE TABLE incident_roles (
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	role        TEXT NOT NULL,
	user_id     TEXT NOT NULL REFERENCES users (id),
	assigned_at INTEGER NOT NULL,
	PRIMARY KEY (incident_id, role)
);

CREATE TABLE timeline (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	actor_id    TEXT NOT NULL,
	actor       TEXT NOT NULL,
	text        TEXT NOT NULL,
	data        TEXT
);
CREATE INDEX timeline_incident ON timeline (incident_id, id);

-- The timeline is the record a review is written from: nothing edits it.
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;

CREATE TABLE follow_ups (
	id          TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	title       TEXT NOT NULL,
	owner       TEXT NOT NULL,
	due_date    TEXT NOT NULL,
	link        TEXT NOT NULL,
	done        INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	done_at     INTEGER
);
CREATE INDEX follow_ups_incident ON follow_ups (incident_id, created_at);

CREATE TABLE reviews (
	incident_id  TEXT NOT NULL REFERENCES incidents (id),
	kind         TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
	due_at       INTEGER NOT NULL,
	requested_by TEXT NOT NULL,
	completed_at INTEGER,
	link         TEXT NOT NULL,
	PRIMARY KEY (incident_id, kind)
);
