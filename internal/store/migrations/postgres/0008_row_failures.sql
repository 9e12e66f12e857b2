-- Failures belong to the row that caused them. An escalation or maintenance
-- step that fails records how often it was tried, its last error and when it
-- is tried again, and the loop moves on to the other rows.
ALTER TABLE pages ADD COLUMN step_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN step_error TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenances ADD COLUMN step_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE maintenances ADD COLUMN step_error TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenances ADD COLUMN step_retry_at BIGINT;

-- Two notification rules may use one contact method with different delays
-- ("e-mail now, and again after 5 minutes"): a delivery is one rule's use of
-- a method, so the pair (notification, method) is no longer unique.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_notification_id_contact_method_id_key;
CREATE INDEX deliveries_notification ON deliveries (notification_id, contact_method_id);

-- Broadcast deliveries get the single id that page deliveries have, so one
-- outbox implementation claims and settles both.
ALTER TABLE broadcast_deliveries ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE broadcast_deliveries SET id = broadcast_id || '.' || subscriber_id;
CREATE UNIQUE INDEX broadcast_deliveries_id ON broadcast_deliveries (id);

-- /readyz proves the database takes writes by writing here.
CREATE TABLE probes (
	instance TEXT PRIMARY KEY,
	at       BIGINT NOT NULL
);
