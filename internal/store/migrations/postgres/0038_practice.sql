-- Practice events (R63): a run plays a scenario against a sandbox. The
-- practice incident and the sandbox subscribers carry the run's id; the
-- outbox refuses, when it claims a row, anything of a run that would reach
-- someone outside it (internal/store/practice_guard.go).
CREATE TABLE practice_runs (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	scenario    TEXT NOT NULL, -- the scenario as JSON (herald.Scenario)
	incident_id TEXT REFERENCES incidents (id),
	started_by  TEXT NOT NULL REFERENCES users (id),
	started_at  BIGINT NOT NULL,
	finished_at BIGINT,
	next_step   BIGINT NOT NULL DEFAULT 0, -- the first step not yet played
	components  TEXT NOT NULL DEFAULT '{}', -- the sandbox page's component statuses (JSON)
	status      TEXT NOT NULL DEFAULT '' -- the sandbox page's incident status
);
CREATE INDEX practice_runs_started ON practice_runs (started_at);
CREATE TABLE practice_participants (
	run_id   TEXT NOT NULL REFERENCES practice_runs (id),
	user_id  TEXT NOT NULL REFERENCES users (id),
	added_at BIGINT NOT NULL,
	PRIMARY KEY (run_id, user_id)
);
CREATE INDEX practice_participants_user ON practice_participants (user_id, run_id);
-- What happened in a run: the steps played, what was held back at the
-- sandbox's edge, and the sandbox page's updates.
CREATE TABLE practice_events (
	id      TEXT PRIMARY KEY,
	run_id  TEXT NOT NULL REFERENCES practice_runs (id),
	at      BIGINT NOT NULL,
	step    BIGINT NOT NULL, -- the scenario step, or -1
	kind    TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	text    TEXT NOT NULL
);
CREATE INDEX practice_events_run ON practice_events (run_id, at);
ALTER TABLE incidents ADD COLUMN practice_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN practice_run_id TEXT NOT NULL DEFAULT '';
