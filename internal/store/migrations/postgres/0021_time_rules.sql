-- The playbook's time rules (R16, R52, R53). impact_started_at is when
-- customers were first affected, when that was before the declaration
-- (NULL: at the declaration); the rules that count from the start of impact
-- read it. playbook_once records that a rule acted on an incident (a
-- recurrence returned it to managing, the director was paged), so that it
-- acts once also when it runs again or on several instances at once.
ALTER TABLE incidents ADD COLUMN impact_started_at BIGINT;
CREATE TABLE playbook_once (
	rule        TEXT NOT NULL,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	occurrence  TEXT NOT NULL,
	at          BIGINT NOT NULL,
	PRIMARY KEY (rule, incident_id, occurrence)
);
CREATE INDEX playbook_once_incident ON playbook_once (incident_id, rule, at);
