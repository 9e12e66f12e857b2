-- Services name the status page components they run on, so that a
-- maintenance of a component can mute paging for its services (issue 11,
-- item 15). A page that arrives while such a maintenance is in progress
-- records it (maintenance_id, kept afterwards) and is muted (muted: nobody
-- is notified) until the maintenance ends.
CREATE TABLE service_components (
	service_id   TEXT NOT NULL REFERENCES services (id),
	component_id TEXT NOT NULL REFERENCES components (id),
	PRIMARY KEY (service_id, component_id)
);
CREATE INDEX maintenance_components_component ON maintenance_components (component_id, maintenance_id);
ALTER TABLE maintenances ADD COLUMN mute_paging INTEGER NOT NULL DEFAULT 1;
ALTER TABLE pages ADD COLUMN maintenance_id TEXT REFERENCES maintenances (id);
ALTER TABLE pages ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX pages_maintenance ON pages (maintenance_id) WHERE maintenance_id IS NOT NULL;
-- The services whose paging is muted now, each by the maintenance that
-- started first: kept by every change that can alter it (a maintenance
-- starting or ending, its components or setting, a service's components),
-- so that opening a page looks up one row by its key.
CREATE TABLE paging_mutes (
	service_id     TEXT PRIMARY KEY REFERENCES services (id),
	maintenance_id TEXT NOT NULL REFERENCES maintenances (id),
	name           TEXT NOT NULL
);
-- Pages linked to an incident (item 14) are read by incident. Both
-- indexes are partial: most pages have neither, and a new page then
-- writes no entry in them.
CREATE INDEX pages_incident ON pages (incident_id) WHERE incident_id IS NOT NULL;
