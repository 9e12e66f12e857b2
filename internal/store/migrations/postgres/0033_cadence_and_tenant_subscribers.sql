-- The customer cadence (R43, R47): whether a notice carried substantial
-- news. The summary prompt counts the hours since the last one; outside a
-- tenant's business hours only such news should go. Notices sent before
-- were substantial when filled in from a template.
ALTER TABLE notice_messages ADD COLUMN substantial BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE notice_messages SET substantial = TRUE WHERE direction = 'out' AND template <> '';

-- Subscribers of a tenant's private status page (issue 13, item 9): a
-- subscriber with a tenant hears only of what concerns that tenant (its
-- page's incidents and maintenances), through broadcasts recorded for that
-- tenant; a public subscriber (no tenant) never hears of those copies.
-- One address may subscribe to the public page and to a tenant's page.
ALTER TABLE subscribers ADD COLUMN tenant_id TEXT REFERENCES tenants (id);
DROP INDEX subscribers_target;
CREATE UNIQUE INDEX subscribers_target ON subscribers (kind, target, COALESCE(tenant_id, '')) WHERE unsubscribed_at IS NULL;
CREATE INDEX subscribers_tenant ON subscribers (tenant_id, id);
-- A broadcast with a tenant goes to that tenant's subscribers only.
ALTER TABLE broadcasts ADD COLUMN tenant_id TEXT;
