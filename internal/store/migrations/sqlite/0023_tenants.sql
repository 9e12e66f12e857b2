-- Single-tenant customers (issue 13, item 1; R40, R34). Lists that keep
-- their order and are read whole (operational addresses, the account
-- team, the weekly window, business hours) are JSON; what other tables
-- join on (components, services, incidents, maintenances) has tables of
-- its own. A deleted tenant keeps its row (deleted_at) so that past
-- incidents still name it; names are unique among the others.
CREATE TABLE tenants (
	id                 TEXT PRIMARY KEY,
	name               TEXT NOT NULL,
	product_version    TEXT NOT NULL,
	primary_region     TEXT NOT NULL,
	disaster_recovery  INTEGER NOT NULL,
	secondary_region   TEXT NOT NULL,
	emails             TEXT NOT NULL,
	contacts           TEXT NOT NULL,
	maintenance_window TEXT NOT NULL, -- JSON, '' for none agreed
	business_hours     TEXT NOT NULL,
	compliance         TEXT NOT NULL CHECK (compliance IN ('standard', 'fedramp')),
	version            INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	deleted_at         INTEGER
);
CREATE UNIQUE INDEX tenants_name ON tenants (name) WHERE deleted_at IS NULL;

CREATE TABLE tenant_components (
	tenant_id    TEXT NOT NULL REFERENCES tenants (id),
	component_id TEXT NOT NULL REFERENCES components (id),
	PRIMARY KEY (tenant_id, component_id)
);
CREATE TABLE tenant_services (
	tenant_id  TEXT NOT NULL REFERENCES tenants (id),
	service_id TEXT NOT NULL REFERENCES services (id),
	PRIMARY KEY (tenant_id, service_id)
);
CREATE INDEX tenant_services_service ON tenant_services (service_id, tenant_id);

-- The tenants an incident or a maintenance affects. incidents.tenants,
-- free-text names from before, stays as it was.
CREATE TABLE incident_tenants (
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	tenant_id   TEXT NOT NULL REFERENCES tenants (id),
	PRIMARY KEY (incident_id, tenant_id)
);
CREATE INDEX incident_tenants_tenant ON incident_tenants (tenant_id, incident_id);
CREATE TABLE maintenance_tenants (
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	tenant_id      TEXT NOT NULL REFERENCES tenants (id),
	PRIMARY KEY (maintenance_id, tenant_id)
);
CREATE INDEX maintenance_tenants_tenant ON maintenance_tenants (tenant_id, maintenance_id);
