-- Teams: a name and its members. Schedules, escalation policies and
-- services may belong to one (NULL: to none). Stakeholder channels get a
-- name, so configuration as code can name them without their URL.
CREATE TABLE teams (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);
CREATE TABLE team_members (
	team_id TEXT NOT NULL REFERENCES teams (id),
	user_id TEXT NOT NULL REFERENCES users (id),
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);
ALTER TABLE schedules ADD COLUMN team_id TEXT REFERENCES teams (id);
ALTER TABLE escalation_policies ADD COLUMN team_id TEXT REFERENCES teams (id);
ALTER TABLE services ADD COLUMN team_id TEXT REFERENCES teams (id);
ALTER TABLE subscribers ADD COLUMN name TEXT NOT NULL DEFAULT '';
