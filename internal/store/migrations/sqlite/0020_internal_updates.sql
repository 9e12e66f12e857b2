-- Updates to the internal stakeholder channels about an incident: R19's
-- notice once severity is confirmed, and the updates written after it. The
-- latest one sets when the next is due (the internal cadence, by severity).
CREATE TABLE internal_updates (
	id          TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	kind        TEXT NOT NULL CHECK (kind IN ('notice', 'update')),
	body        TEXT NOT NULL,
	actor       TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX internal_updates_incident ON internal_updates (incident_id, created_at);
