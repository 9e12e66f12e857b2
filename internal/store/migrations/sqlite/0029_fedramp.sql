-- FedRAMP tenants (R46): the incident a broadcast is about (a stakeholder
-- notice, an internal update; '' for none), so that its deliveries carry
-- only the reference and the console link while the incident affects a
-- FedRAMP tenant.
ALTER TABLE broadcasts ADD COLUMN incident_id TEXT NOT NULL DEFAULT '';
