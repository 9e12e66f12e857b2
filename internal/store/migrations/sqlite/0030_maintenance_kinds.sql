-- Maintenance kinds (R32, R33, R34): scheduled (inside each tenant's
-- weekly window), out_of_band (outside it, not security) and emergency
-- (security only, approved by an engineering manager). The approval is
-- kept on the maintenance; the notices it and the completion send each
-- linked tenant are an outbox lane of their own (tenant_notices), kept so
-- that they can later be routed into customer notice threads.
ALTER TABLE maintenances ADD COLUMN kind TEXT NOT NULL DEFAULT 'scheduled' CHECK (kind IN ('scheduled', 'out_of_band', 'emergency'));
ALTER TABLE maintenances ADD COLUMN security INTEGER NOT NULL DEFAULT 0;
ALTER TABLE maintenances ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenances ADD COLUMN approved_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenances ADD COLUMN approved_at INTEGER;
ALTER TABLE maintenances ADD COLUMN approval_comment TEXT NOT NULL DEFAULT '';

CREATE TABLE tenant_notices (
	id             TEXT PRIMARY KEY,
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	tenant_id      TEXT NOT NULL REFERENCES tenants (id),
	event          TEXT NOT NULL, -- approved, completed
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
	UNIQUE (maintenance_id, tenant_id, event)
);
CREATE INDEX tenant_notices_due ON tenant_notices (status, due_at);
