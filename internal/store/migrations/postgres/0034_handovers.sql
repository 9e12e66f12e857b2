-- Handovers (R60): one record per shift end of the communications and
-- incident-lead rotations. sections is the draft as JSON (a list of
-- sections of items, with the outgoing person's notes); roles and
-- reassigned are JSON arrays. incoming_id is '' when nobody is on call
-- after the shift.
CREATE TABLE handovers (
	id              TEXT PRIMARY KEY,
	schedule_id     TEXT NOT NULL, -- no reference: a schedule removed by configuration as code keeps its records
	roles           TEXT NOT NULL,
	user_id         TEXT NOT NULL REFERENCES users (id),
	incoming_id     TEXT NOT NULL DEFAULT '',
	shift_start     BIGINT NOT NULL,
	shift_end       BIGINT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	sections        TEXT NOT NULL,
	reassigned      TEXT NOT NULL DEFAULT '[]',
	drafted_at      BIGINT NOT NULL,
	submitted_at    BIGINT,
	acknowledged_at BIGINT,
	acknowledged_by TEXT REFERENCES users (id),
	UNIQUE (schedule_id, shift_end)
);
CREATE INDEX handovers_open ON handovers (submitted_at, shift_end);
CREATE INDEX handovers_user ON handovers (user_id, shift_end);
