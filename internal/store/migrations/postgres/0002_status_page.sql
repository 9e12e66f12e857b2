-- The public status page: components, status incidents and their updates,
-- maintenances, and the history that uptime is computed from.

INSERT INTO counters (name, value) VALUES ('status_version', 0);

CREATE TABLE components (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	group_id    TEXT REFERENCES components (id),
	is_group    BOOLEAN NOT NULL DEFAULT FALSE,
	position    BIGINT NOT NULL,
	status      TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	deleted_at  BIGINT
);

-- Every change of a component's shown status, for uptime and history.
CREATE TABLE component_history (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	component_id TEXT NOT NULL REFERENCES components (id),
	status       TEXT NOT NULL,
	at           BIGINT NOT NULL
);
CREATE INDEX component_history_at ON component_history (component_id, at);

-- Who changed the set of components, and how (R21).
CREATE TABLE component_changes (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	component_id TEXT NOT NULL,
	action       TEXT NOT NULL,
	actor        TEXT NOT NULL,
	at           BIGINT NOT NULL,
	data         TEXT NOT NULL
);

CREATE TABLE status_incidents (
	id              TEXT PRIMARY KEY,
	incident_id     TEXT UNIQUE REFERENCES incidents (id),
	name            TEXT NOT NULL,
	status          TEXT NOT NULL,
	impact          TEXT NOT NULL,
	postmortem_url  TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL,
	resolved_at     BIGINT,
	next_update_due BIGINT,
	monitoring_until BIGINT
);
CREATE INDEX status_incidents_created ON status_incidents (created_at);

CREATE TABLE status_incident_components (
	status_incident_id TEXT NOT NULL REFERENCES status_incidents (id),
	component_id       TEXT NOT NULL REFERENCES components (id),
	status             TEXT NOT NULL,
	PRIMARY KEY (status_incident_id, component_id)
);

CREATE TABLE status_updates (
	id                 TEXT PRIMARY KEY,
	status_incident_id TEXT NOT NULL REFERENCES status_incidents (id),
	status             TEXT NOT NULL,
	body               TEXT NOT NULL,
	components         TEXT NOT NULL,
	actor              TEXT NOT NULL,
	checks_overridden  BOOLEAN NOT NULL DEFAULT FALSE,
	next_update_in     BIGINT NOT NULL DEFAULT 0,
	channels           TEXT NOT NULL,
	created_at         BIGINT NOT NULL
);
CREATE INDEX status_updates_incident ON status_updates (status_incident_id, created_at);

CREATE TABLE maintenances (
	id              TEXT PRIMARY KEY,
	name            TEXT NOT NULL,
	body            TEXT NOT NULL,
	status          TEXT NOT NULL,
	scheduled_for   BIGINT NOT NULL,
	scheduled_until BIGINT NOT NULL,
	auto_transition BOOLEAN NOT NULL,
	started_at      BIGINT,
	completed_at    BIGINT,
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL
);
CREATE INDEX maintenances_due ON maintenances (status, scheduled_for);

CREATE TABLE maintenance_components (
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	component_id   TEXT NOT NULL REFERENCES components (id),
	PRIMARY KEY (maintenance_id, component_id)
);

CREATE TABLE maintenance_updates (
	id             TEXT PRIMARY KEY,
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	event          TEXT NOT NULL,
	status         TEXT NOT NULL,
	body           TEXT NOT NULL,
	actor          TEXT NOT NULL,
	created_at     BIGINT NOT NULL
);
CREATE INDEX maintenance_updates_m ON maintenance_updates (maintenance_id, created_at);

CREATE TABLE maintenance_reminders (
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	before_s       BIGINT NOT NULL,
	due_at         BIGINT NOT NULL,
	fired_at       BIGINT,
	PRIMARY KEY (maintenance_id, before_s)
);
CREATE INDEX maintenance_reminders_due ON maintenance_reminders (fired_at, due_at);
