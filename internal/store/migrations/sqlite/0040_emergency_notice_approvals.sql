-- The security team approves the text of an emergency maintenance's
-- notices before they go to the linked tenants (issue 13; R33 with R44).
-- A row is one event's text (approved, rescheduled, cancelled,
-- completed), with the tenant's name and whether it is affected as
-- placeholders, and hash, the SHA-256 of subject and body, which is what
-- the approval binds to. status: pending, approved, rejected, void (an
-- edit of the maintenance, or newer news, replaced it), sent (the
-- tenants' notices were queued). The requester is the person whose act
-- caused the event, or, for the automation's completion, the manager who
-- approved the work.
CREATE TABLE emergency_notice_approvals (
	id                TEXT PRIMARY KEY,
	maintenance_id    TEXT NOT NULL REFERENCES maintenances (id),
	event             TEXT NOT NULL CHECK (event IN ('approved', 'rescheduled', 'cancelled', 'completed')),
	event_at          INTEGER NOT NULL,
	subject           TEXT NOT NULL,
	body              TEXT NOT NULL,
	hash              TEXT NOT NULL,
	status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'void', 'sent')),
	requested_by      TEXT NOT NULL REFERENCES users (id),
	requested_by_name TEXT NOT NULL,
	requested_at      INTEGER NOT NULL,
	decided_by        TEXT NOT NULL DEFAULT '',
	decided_by_name   TEXT NOT NULL DEFAULT '',
	decided_at        INTEGER,
	reason            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX emergency_notice_approvals_maintenance ON emergency_notice_approvals (maintenance_id, requested_at);
CREATE INDEX emergency_notice_approvals_status ON emergency_notice_approvals (status, requested_at);

-- A tenant notice belongs to the approval whose text it carries; a
-- maintenance rescheduled twice tells each tenant twice, so the pair
-- (maintenance, tenant, event) is unique per approval. Notices queued
-- before this migration have none (''). SQLite drops a constraint by
-- rebuilding the table.
CREATE TABLE tenant_notices_new (
	id             TEXT PRIMARY KEY,
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	tenant_id      TEXT NOT NULL REFERENCES tenants (id),
	event          TEXT NOT NULL, -- approved, rescheduled, cancelled, completed
	affected       INTEGER NOT NULL,
	recipient      TEXT NOT NULL, -- the first operational address
	cc             TEXT NOT NULL, -- JSON array: the other addresses and the account manager
	subject        TEXT NOT NULL,
	body           TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
	due_at         INTEGER NOT NULL,
	attempts       INTEGER NOT NULL DEFAULT 0,
	claimed_until  INTEGER,
	sent_at        INTEGER,
	last_error     TEXT NOT NULL DEFAULT '',
	approval_id    TEXT NOT NULL DEFAULT '',
	UNIQUE (maintenance_id, tenant_id, event, approval_id)
);
INSERT INTO tenant_notices_new (id, maintenance_id, tenant_id, event, affected, recipient, cc, subject, body, created_at, status, due_at, attempts, claimed_until, sent_at, last_error)
	SELECT id, maintenance_id, tenant_id, event, affected, recipient, cc, subject, body, created_at, status, due_at, attempts, claimed_until, sent_at, last_error FROM tenant_notices;
DROP TABLE tenant_notices;
ALTER TABLE tenant_notices_new RENAME TO tenant_notices;
CREATE INDEX tenant_notices_due ON tenant_notices (status, due_at);
