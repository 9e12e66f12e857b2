-- Prompts are what the playbook tells a person: an update is due, monitoring
-- is over, a review is near. One row per person and occurrence (kind,
-- subject, occurrence), so a rule that runs again, on this instance or
-- another, prompts nobody twice. The words are written when the prompt is
-- made, like a broadcast's.
CREATE TABLE prompts (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	incident_id TEXT NOT NULL DEFAULT '', -- '' when the prompt is about no one incident
	occurrence  TEXT NOT NULL,            -- what makes this prompt once (a due time, a stage)
	user_id     TEXT NOT NULL REFERENCES users (id),
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,
	url         TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	UNIQUE (kind, incident_id, occurrence, user_id)
);
CREATE INDEX prompts_incident ON prompts (incident_id, created_at);

-- The third lane of the outbox: one row per prompt and contact method, with
-- the same queue columns as deliveries and broadcast_deliveries.
CREATE TABLE prompt_deliveries (
	id                TEXT PRIMARY KEY,
	prompt_id         TEXT NOT NULL REFERENCES prompts (id),
	contact_method_id TEXT NOT NULL REFERENCES contact_methods (id),
	status            TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at            BIGINT NOT NULL,
	attempts          BIGINT NOT NULL DEFAULT 0,
	claimed_until     BIGINT,
	sent_at           BIGINT,
	last_error        TEXT NOT NULL DEFAULT '',
	UNIQUE (prompt_id, contact_method_id)
);
CREATE INDEX prompt_deliveries_due ON prompt_deliveries (status, due_at);
