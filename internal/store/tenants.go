package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// Single-tenant customers (tenant.go) and the incidents and maintenances
// that affect them (migration 0023).

const tenantColumns = `id, name, product_version, primary_region, disaster_recovery, secondary_region, emails, contacts,
	maintenance_window, business_hours, compliance, version, created_at, updated_at, deleted_at`

func scanTenant(row interface{ Scan(...any) error }) (herald.Tenant, error) {
	var t herald.Tenant
	var emails, contacts, window, hours string
	var created, updated int64
	var deleted sql.NullInt64
	err := row.Scan(&t.ID, &t.Name, &t.ProductVersion, &t.PrimaryRegion, &t.DisasterRecovery, &t.SecondaryRegion, &emails, &contacts,
		&window, &hours, &t.Compliance, &t.Version, &created, &updated, &deleted)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt, t.DeletedAt = fromMicros(created), fromMicros(updated), fromNullMicros(deleted)
	if err := json.Unmarshal([]byte(emails), &t.Emails); err != nil {
		return t, fmt.Errorf("decode tenant emails: %w", err)
	}
	if err := json.Unmarshal([]byte(contacts), &t.Contacts); err != nil {
		return t, fmt.Errorf("decode tenant contacts: %w", err)
	}
	if window != "" {
		t.MaintenanceWindow = &herald.MaintenanceWindow{}
		if err := json.Unmarshal([]byte(window), t.MaintenanceWindow); err != nil {
			return t, fmt.Errorf("decode tenant window: %w", err)
		}
	}
	if err := json.Unmarshal([]byte(hours), &t.BusinessHours); err != nil {
		return t, fmt.Errorf("decode tenant hours: %w", err)
	}
	return t, nil
}

// queryTenants reads the tenants a query selects (its columns are
// tenantColumns, possibly prefixed) and fills in what they link to.
func (tx *tx) queryTenants(ctx context.Context, q string, args ...any) ([]herald.Tenant, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read tenants: %w", err)
	}
	var out []herald.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read tenants: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tenants: %w", err)
	}
	return out, tx.fillTenants(ctx, out)
}

// fillTenants sets each tenant's components, services, support region and
// the current name and address of account contacts who are Herald users.
func (tx *tx) fillTenants(ctx context.Context, list []herald.Tenant) error {
	if len(list) == 0 {
		return nil
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	byID := map[string]*herald.Tenant{}
	needUsers := false
	for i := range list {
		t := &list[i]
		t.Components, t.Services = []string{}, []string{}
		t.SupportRegion = s.SupportRegions[t.PrimaryRegion]
		byID[t.ID] = t
		t.Contacts.Each(func(_ string, c *herald.TenantContact) { needUsers = needUsers || c.User != "" })
	}
	// One query each for the whole list: there are hundreds of tenants at
	// most, and a list of ids in a query would be longer than the table.
	// One tenant (a read, a link) reads its own rows only.
	where, args := "", []any{}
	if len(list) == 1 {
		where, args = " AND tenant_id = $1", []any{list[0].ID}
	}
	links := func(q string, set func(t *herald.Tenant, v string)) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("read tenant links: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				return fmt.Errorf("read tenant links: %w", err)
			}
			if t := byID[id]; t != nil {
				set(t, v)
			}
		}
		return rows.Err()
	}
	if err := links(`SELECT tc.tenant_id, tc.component_id FROM tenant_components tc JOIN components c ON c.id = tc.component_id
		WHERE c.deleted_at IS NULL`+where+` ORDER BY tc.tenant_id, c.position, c.name`, func(t *herald.Tenant, v string) { t.Components = append(t.Components, v) }); err != nil {
		return err
	}
	if err := links(`SELECT tenant_id, service_id FROM tenant_services ts JOIN services s ON s.id = ts.service_id WHERE TRUE`+where+` ORDER BY ts.tenant_id, s.name`,
		func(t *herald.Tenant, v string) { t.Services = append(t.Services, v) }); err != nil {
		return err
	}
	if !needUsers {
		return nil
	}
	users := map[string][2]string{}
	q, uargs := `SELECT id, name, email FROM users`, []any{}
	if len(list) == 1 {
		q, uargs = `SELECT id, name, email FROM users WHERE id IN ($1, $2, $3)`, []any{"", "", ""}
		i := 0
		list[0].Contacts.Each(func(_ string, c *herald.TenantContact) { uargs[i] = c.User; i++ })
	}
	rows, err := tx.QueryContext(ctx, q, uargs...)
	if err != nil {
		return fmt.Errorf("read contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, email string
		if err := rows.Scan(&id, &name, &email); err != nil {
			return fmt.Errorf("read contacts: %w", err)
		}
		users[id] = [2]string{name, email}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range list {
		list[i].Contacts.Each(func(_ string, c *herald.TenantContact) {
			if u, ok := users[c.User]; ok {
				c.Name, c.Email = u[0], u[1]
			}
		})
	}
	return nil
}

// tenant finds a tenant that is not deleted by id or name.
func (tx *tx) tenant(ctx context.Context, ref string) (herald.Tenant, error) {
	ref = strings.TrimSpace(ref)
	list, err := tx.queryTenants(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE (id = $1 OR name = $1) AND deleted_at IS NULL ORDER BY id = $1 DESC LIMIT 1`, ref)
	if err != nil {
		return herald.Tenant{}, err
	}
	if len(list) == 0 {
		return herald.Tenant{}, herald.Errorf(herald.ENotFound, "no tenant %q", ref)
	}
	return list[0], nil
}

// Tenants lists the tenants by name.
func (db *TenantService) Tenants(ctx context.Context) ([]herald.Tenant, error) {
	var out []herald.Tenant
	err := db.read(ctx, func(tx *tx) (err error) {
		out, err = tx.queryTenants(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE deleted_at IS NULL ORDER BY name`)
		return err
	})
	if out == nil {
		out = []herald.Tenant{}
	}
	return out, err
}

// Tenant reads one tenant by id or name.
func (db *TenantService) Tenant(ctx context.Context, ref string) (herald.Tenant, error) {
	var t herald.Tenant
	err := db.read(ctx, func(tx *tx) (err error) {
		t, err = tx.tenant(ctx, ref)
		return err
	})
	return t, err
}

// CreateTenant adds a tenant.
func (db *TenantService) CreateTenant(ctx context.Context, actor herald.Actor, in herald.TenantInput) (herald.Tenant, error) {
	var id string
	err := db.write(ctx, func(tx *tx) error {
		regions, err := tx.regions(ctx)
		if err != nil {
			return err
		}
		if err := in.Normalize(regions); err != nil {
			return err
		}
		id, err = tx.saveTenant(ctx, nil, in)
		return err
	})
	if err != nil {
		return herald.Tenant{}, err
	}
	db.log.Info("tenant created", "tenant", id, "by", actor.User.ID)
	return db.Tenant(ctx, id)
}

// UpdateTenant replaces a tenant's fields.
func (db *TenantService) UpdateTenant(ctx context.Context, actor herald.Actor, ref string, in herald.TenantInput) (herald.Tenant, error) {
	var id string
	err := db.write(ctx, func(tx *tx) error {
		cur, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		regions, err := tx.regions(ctx)
		if err != nil {
			return err
		}
		if err := in.Normalize(regions); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != cur.Version {
			return &herald.Error{Code: herald.EConflict, Message: fmt.Sprintf("tenant %s was changed since version %d (now %d)", cur.Name, in.Version, cur.Version), Current: cur}
		}
		id, err = tx.saveTenant(ctx, &cur, in)
		return err
	})
	if err != nil {
		return herald.Tenant{}, err
	}
	db.log.Info("tenant updated", "tenant", id, "by", actor.User.ID)
	return db.Tenant(ctx, id)
}

func (tx *tx) regions(ctx context.Context) (herald.RegionTable, error) {
	s, err := tx.settings(ctx)
	return s.SupportRegions, err
}

// saveTenant writes a normalized input as a new tenant (cur nil) or over
// cur, with its contacts, components and services resolved.
func (tx *tx) saveTenant(ctx context.Context, cur *herald.Tenant, in herald.TenantInput) (string, error) {
	fe := herald.FieldErrors{}
	var ferr error
	in.Contacts.Each(func(field string, c *herald.TenantContact) {
		if ferr != nil {
			return
		}
		ref, byUser := c.User, c.User != ""
		if !byUser {
			ref = c.Email
		}
		u, err := tx.user(ctx, ref)
		switch {
		case err == nil:
			// A contact who is a Herald user is linked: a new name or
			// address of the user is the contact's too.
			c.User, c.Name, c.Email = u.ID, "", ""
		case herald.ErrorCode(err) == herald.ENotFound && byUser:
			fe.Add("contacts."+field, "no user "+ref)
		case herald.ErrorCode(err) != herald.ENotFound:
			ferr = err
		}
	})
	if ferr != nil {
		return "", ferr
	}
	if err := tx.checkComponents(ctx, &in.Components); err != nil {
		return "", err
	}
	services := make([]string, 0, len(in.Services))
	for _, ref := range in.Services {
		var sid string
		err := tx.QueryRowContext(ctx, `SELECT id FROM services WHERE id = $1 OR name = $1 ORDER BY id = $1 DESC LIMIT 1`, ref).Scan(&sid)
		if errors.Is(err, sql.ErrNoRows) {
			fe.Add("services", "no service "+ref)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("find service: %w", err)
		}
		services = append(services, sid)
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	emails, _ := json.Marshal(in.Emails)
	contacts, _ := json.Marshal(in.Contacts)
	hours, _ := json.Marshal(in.BusinessHours)
	window := ""
	if in.MaintenanceWindow != nil {
		b, _ := json.Marshal(in.MaintenanceWindow)
		window = string(b)
	}
	var id string
	if cur == nil {
		id = newID()
		_, err := tx.ExecContext(ctx, `INSERT INTO tenants (id, name, product_version, primary_region, disaster_recovery, secondary_region, emails, contacts,
			maintenance_window, business_hours, compliance, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)`,
			id, in.Name, in.ProductVersion, in.PrimaryRegion, in.DisasterRecovery, in.SecondaryRegion, string(emails), string(contacts),
			window, string(hours), string(in.Compliance), micros(tx.now))
		if err := conflictAs(err, "insert tenant", "a tenant named %s exists already", in.Name); err != nil {
			return "", tenantNameConflict(err)
		}
	} else {
		id = cur.ID
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET name = $2, product_version = $3, primary_region = $4, disaster_recovery = $5, secondary_region = $6,
			emails = $7, contacts = $8, maintenance_window = $9, business_hours = $10, compliance = $11, version = version + 1, updated_at = $12 WHERE id = $1`,
			id, in.Name, in.ProductVersion, in.PrimaryRegion, in.DisasterRecovery, in.SecondaryRegion, string(emails), string(contacts),
			window, string(hours), string(in.Compliance), micros(tx.now))
		if err := conflictAs(err, "update tenant", "a tenant named %s exists already", in.Name); err != nil {
			return "", tenantNameConflict(err)
		}
		for _, t := range []string{"tenant_components", "tenant_services"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE tenant_id = $1`, id); err != nil {
				return "", fmt.Errorf("reset %s: %w", t, err)
			}
		}
	}
	for _, c := range in.Components {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_components (tenant_id, component_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, c); err != nil {
			return "", fmt.Errorf("tenant component: %w", err)
		}
	}
	for _, s := range services {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_services (tenant_id, service_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, s); err != nil {
			return "", fmt.Errorf("tenant service: %w", err)
		}
	}
	// A private page shows the tenant's name and components (tenantpages.go).
	return id, tx.bumpStatusVersion(ctx)
}

// tenantNameConflict names the field of a duplicate name.
func tenantNameConflict(err error) error {
	if e, ok := err.(*herald.Error); ok && e.Code == herald.EConflict {
		e.Fields = map[string]string{"name": "is the name of another tenant"}
	}
	return err
}

// DeleteTenant removes a tenant no open incident or maintenance references.
func (db *TenantService) DeleteTenant(ctx context.Context, actor herald.Actor, ref string) error {
	var name string
	err := db.write(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		name = t.Name
		var incidents, maintenances []string
		if incidents, err = tx.ids(ctx, "tenant's open incidents", `SELECT i.reference FROM incident_tenants it JOIN incidents i ON i.id = it.incident_id
			WHERE it.tenant_id = $1 AND i.state <> $2 ORDER BY i.number`, t.ID, herald.Resolved); err != nil {
			return err
		}
		if maintenances, err = tx.ids(ctx, "tenant's open maintenances", `SELECT m.name FROM maintenance_tenants mt JOIN maintenances m ON m.id = mt.maintenance_id
			WHERE mt.tenant_id = $1 AND m.status IN ($2, $3) ORDER BY m.scheduled_for`, t.ID, herald.MaintenanceScheduled, herald.MaintenanceInProgress); err != nil {
			return err
		}
		if len(incidents)+len(maintenances) > 0 {
			return herald.Errorf(herald.EUnprocessable, "%s is still referenced by %s", t.Name, strings.Join(append(incidents, maintenances...), ", "))
		}
		_, err = tx.ExecContext(ctx, `UPDATE tenants SET deleted_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, t.ID, micros(tx.now))
		if err != nil {
			return fmt.Errorf("delete tenant: %w", err)
		}
		return tx.bumpStatusVersion(ctx) // its private page goes
	})
	if err == nil {
		db.log.Info("tenant deleted", "tenant", name, "by", actor.User.ID)
	}
	return err
}

// ImportTenants creates or replaces every row by name, all or none.
func (db *TenantService) ImportTenants(ctx context.Context, actor herald.Actor, rows []herald.TenantInput) (herald.TenantImportResult, error) {
	var res herald.TenantImportResult
	err := db.write(ctx, func(tx *tx) error {
		res = herald.TenantImportResult{}
		regions, err := tx.regions(ctx)
		if err != nil {
			return err
		}
		lines := map[string]int{}
		for i, in := range rows {
			line := i + 2 // the header is line 1
			if err := in.Normalize(regions); err != nil {
				return herald.TenantRowError(line, err)
			}
			if first, dup := lines[in.Name]; dup {
				return herald.TenantRowError(line, &herald.Error{Code: herald.EInvalid, Fields: map[string]string{"name": fmt.Sprintf("is on line %d already", first)}})
			}
			lines[in.Name] = line
			cur, err := tx.tenant(ctx, in.Name)
			var curp *herald.Tenant
			switch {
			case err == nil:
				curp = &cur
				res.Updated++
			case herald.ErrorCode(err) == herald.ENotFound:
				res.Created++
			default:
				return err
			}
			if _, err := tx.saveTenant(ctx, curp, in); err != nil {
				return herald.TenantRowError(line, err)
			}
		}
		return nil
	})
	if err != nil {
		return herald.TenantImportResult{}, err
	}
	db.log.Info("tenants imported", "created", res.Created, "updated", res.Updated, "by", actor.User.ID)
	return res, nil
}

// resolveTenants finds each tenant of a link list; an unknown one is
// ENotFound.
func (tx *tx) resolveTenants(ctx context.Context, refs []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, ref := range refs {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE (id = $1 OR name = $1) AND deleted_at IS NULL ORDER BY id = $1 DESC LIMIT 1`, ref).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, herald.Errorf(herald.ENotFound, "no tenant %q", ref)
		}
		if err != nil {
			return nil, fmt.Errorf("find tenant: %w", err)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func tenantNames(list []herald.Tenant) []string {
	names := make([]string, len(list))
	for i, t := range list {
		names[i] = t.Name
	}
	return names
}

// SetIncidentTenants replaces the tenants an incident affects.
func (db *TenantService) SetIncidentTenants(ctx context.Context, actor herald.Actor, ref string, in herald.TenantLinksInput) ([]herald.Tenant, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var out []herald.Tenant
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		ids, err := tx.resolveTenants(ctx, in.Tenants)
		if err != nil {
			return err
		}
		before, err := tx.linkedTenants(ctx, "incident_tenants", "incident_id", inc.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_tenants WHERE incident_id = $1`, inc.ID); err != nil {
			return fmt.Errorf("reset incident tenants: %w", err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_tenants (incident_id, tenant_id) VALUES ($1, $2)`, inc.ID, id); err != nil {
				return fmt.Errorf("link incident tenant: %w", err)
			}
		}
		if out, err = tx.linkedTenants(ctx, "incident_tenants", "incident_id", inc.ID); err != nil {
			return err
		}
		if slicesEqual(tenantNames(before), tenantNames(out)) {
			return nil
		}
		if err := tx.bumpStatusVersion(ctx); err != nil { // the private pages show linked incidents
			return err
		}
		text := "Affected tenants: none"
		if len(out) > 0 {
			text = "Affected tenants: " + strings.Join(tenantNames(out), ", ")
		}
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryUpdate, text,
			map[string]any{"fields": []string{"tenant_ids"}, "tenant_ids": ids, "tenant_names": tenantNames(out)})
	})
	return out, err
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

// IncidentTenants lists the tenants an incident affects.
func (db *TenantService) IncidentTenants(ctx context.Context, ref string) ([]herald.Tenant, error) {
	var out []herald.Tenant
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.linkedTenants(ctx, "incident_tenants", "incident_id", inc.ID)
		return err
	})
	return out, err
}

// SetMaintenanceTenants replaces the tenants a maintenance affects.
func (db *TenantService) SetMaintenanceTenants(ctx context.Context, actor herald.Actor, id string, in herald.TenantLinksInput) ([]herald.Tenant, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var out []herald.Tenant
	err := db.write(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		ids, err := tx.resolveTenants(ctx, in.Tenants)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM maintenance_tenants WHERE maintenance_id = $1`, m.ID); err != nil {
			return fmt.Errorf("reset maintenance tenants: %w", err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_tenants (maintenance_id, tenant_id) VALUES ($1, $2)`, m.ID, id); err != nil {
				return fmt.Errorf("link maintenance tenant: %w", err)
			}
		}
		if out, err = tx.linkedTenants(ctx, "maintenance_tenants", "maintenance_id", m.ID); err != nil {
			return err
		}
		return tx.bumpStatusVersion(ctx) // the private pages show linked maintenances
	})
	if err == nil {
		db.log.Info("maintenance tenants set", "maintenance", id, "tenants", len(out), "by", actor.User.ID)
	}
	return out, err
}

// MaintenanceTenants lists the tenants a maintenance affects.
func (db *TenantService) MaintenanceTenants(ctx context.Context, id string) ([]herald.Tenant, error) {
	var out []herald.Tenant
	err := db.read(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		out, err = tx.linkedTenants(ctx, "maintenance_tenants", "maintenance_id", m.ID)
		return err
	})
	return out, err
}

// linkedTenants reads the tenants a link table (incident_tenants,
// maintenance_tenants) gives for one row, by name, deleted ones included.
func (tx *tx) linkedTenants(ctx context.Context, table, column, id string) ([]herald.Tenant, error) {
	cols := strings.Fields(strings.ReplaceAll(tenantColumns, ",", " "))
	for i, c := range cols {
		cols[i] = "t." + c
	}
	list, err := tx.queryTenants(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+` l JOIN tenants t ON t.id = l.tenant_id WHERE l.`+column+` = $1 ORDER BY t.name`, id)
	if list == nil {
		list = []herald.Tenant{}
	}
	return list, err
}
