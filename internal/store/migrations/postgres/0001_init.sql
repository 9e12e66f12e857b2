-- Herald's first schema. Times are integer microseconds since the Unix epoch
-- (UTC) on both databases: exact, sortable and the same in every driver.
-- See docs/adr/0001-two-databases.md.

CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('incident_number', 0);

CREATE TABLE settings (
	id         BIGINT PRIMARY KEY CHECK (id = 1),
	data       TEXT NOT NULL,
	version    BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL UNIQUE,
	manager    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
	user_id    TEXT NOT NULL REFERENCES users (id),
	hash       TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);

CREATE TABLE incidents (
	id           TEXT PRIMARY KEY,
	number       BIGINT NOT NULL UNIQUE,
	reference    TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL,
	severity     TEXT NOT NULL CHECK (severity IN ('S1', 'S2', 'S3', 'S4')),
	state        TEXT NOT NULL CHECK (state IN ('investigating', 'identified', 'monitoring', 'resolved')),
	confidential BOOLEAN NOT NULL DEFAULT FALSE,
	services     TEXT NOT NULL DEFAULT '[]',
	tenants      TEXT NOT NULL DEFAULT '[]',
	version      BIGINT NOT NULL,
	declared_by  TEXT NOT NULL,
	declared_at  BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	resolved_at  BIGINT
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
	assigned_at BIGINT NOT NULL,
	PRIMARY KEY (incident_id, role)
);

CREATE TABLE timeline (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	kind        TEXT NOT NULL,
	at          BIGINT NOT NULL,
	actor_id    TEXT NOT NULL,
	actor       TEXT NOT NULL,
	text        TEXT NOT NULL,
	data        TEXT
);
CREATE INDEX timeline_incident ON timeline (incident_id, id);

-- The timeline is the record a review is written from: nothing edits it.
CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'timeline is append-only';
END
$$;
CREATE TRIGGER timeline_no_change BEFORE UPDATE OR DELETE ON timeline
FOR EACH ROW EXECUTE FUNCTION timeline_append_only();

CREATE TABLE follow_ups (
	id          TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	title       TEXT NOT NULL,
	owner       TEXT NOT NULL,
	due_date    TEXT NOT NULL,
	link        TEXT NOT NULL,
	done        BOOLEAN NOT NULL DEFAULT FALSE,
	created_at  BIGINT NOT NULL,
	done_at     BIGINT
);
CREATE INDEX follow_ups_incident ON follow_ups (incident_id, created_at);

CREATE TABLE reviews (
	incident_id  TEXT NOT NULL REFERENCES incidents (id),
	kind         TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
	due_at       BIGINT NOT NULL,
	requested_by TEXT NOT NULL,
	completed_at BIGINT,
	link         TEXT NOT NULL,
	PRIMARY KEY (incident_id, kind)
);
