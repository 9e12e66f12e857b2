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
	event_at          BIGINT NOT NULL,
	subject           TEXT NOT NULL,
	body              TEXT NOT NULL,
	hash              TEXT NOT NULL,
	status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'void', 'sent')),
	requested_by      TEXT NOT NULL REFERENCES users (id),
	requested_by_name TEXT NOT NULL,
	requested_at      BIGINT NOT NULL,
	decided_by        TEXT NOT NULL DEFAULT '',
	decided_by_name   TEXT NOT NULL DEFAULT '',
	decided_at        BIGINT,
	reason            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX emergency_notice_approvals_maintenance ON emergency_notice_approvals (maintenance_id, requested_at);
CREATE INDEX emergency_notice_approvals_status ON emergency_notice_approvals (status, requested_at);

-- A tenant notice belongs to the approval whose text it carries; a
-- maintenance rescheduled twice tells each tenant twice, so the pair
-- (maintenance, tenant, event) is unique per approval. Notices queued
-- before this migration have none ('').
ALTER TABLE tenant_notices ADD COLUMN approval_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tenant_notices DROP CONSTRAINT tenant_notices_maintenance_id_tenant_id_event_key;
ALTER TABLE tenant_notices ADD CONSTRAINT tenant_notices_maintenance_id_tenant_id_event_approval_id_key UNIQUE (maintenance_id, tenant_id, event, approval_id);
