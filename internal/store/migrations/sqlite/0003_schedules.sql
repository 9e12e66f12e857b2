-- On-call schedules. Layers and shadows are one JSON document: they are
-- always read and replaced together, and the rotation logic lives in Go.

CREATE TABLE schedules (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	time_zone  TEXT NOT NULL,
	layers     TEXT NOT NULL,
	shadows    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE schedule_overrides (
	id          TEXT PRIMARY KEY,
	schedule_id TEXT NOT NULL REFERENCES schedules (id),
	user_id     TEXT NOT NULL REFERENCES users (id),
	start_at    INTEGER NOT NULL,
	end_at      INTEGER NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX schedule_overrides_window ON schedule_overrides (schedule_id, end_at);
