package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/heraldhq/herald"
)

// Subscribers of tenants' private pages (issue 13, item 9; migration
// 0033). They are rows of subscribers with a tenant_id: confirmed, paused
// and unsubscribed like public subscribers, through the same links. What
// is broadcast to the public page's subscribers about an incident or a
// maintenance that the tenant's page shows (linked to the tenant, or
// affecting one of its components, as internal/statuspage/private.go
// filters the page) is recorded once more for each such tenant with
// subscribers, as a broadcast with that tenant_id; planning sends a
// tenant's broadcast to its subscribers only, and a public one to
// subscribers without a tenant only. So a tenant's subscribers hear of
// their tenant only, and the public never hears of them.

// SubscribeTenantPage subscribes an address or endpoint to a tenant's
// private page: an e-mail address is sent a confirmation first (unless an
// admin adds it confirmed).
func (db *TenantService) SubscribeTenantPage(ctx context.Context, ref string, in herald.SubscriberInput, admin bool) (herald.Subscriber, error) {
	var tenant string
	err := db.read(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tenant_pages WHERE tenant_id = $1 AND token_hash IS NOT NULL`, t.ID).Scan(&n); err != nil {
			return fmt.Errorf("read tenant page: %w", err)
		}
		if n == 0 {
			return herald.Errorf(herald.EUnprocessable, "%s has no private page: make its URL first", t.Name)
		}
		tenant = t.ID
		return nil
	})
	if err != nil {
		return herald.Subscriber{}, err
	}
	// A tenant's page shows only its components: its subscribers hear of
	// everything on it.
	in.Components = nil
	s, err := db.subscribe(ctx, in, admin, tenant)
	if err == nil {
		db.kickBulk()
	}
	return s, err
}

// TenantPageSubscribers lists the active subscribers of a tenant's page.
func (db *TenantService) TenantPageSubscribers(ctx context.Context, ref string) ([]herald.Subscriber, error) {
	out := []herald.Subscriber{}
	err := db.read(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE tenant_id = $1 AND unsubscribed_at IS NULL ORDER BY created_at, id`, t.ID)
		if err != nil {
			return fmt.Errorf("read tenant page subscribers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSubscriber(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// tenantComponentIDs lists the components that serve a tenant.
func (tx *tx) tenantComponentIDs(ctx context.Context, tenantID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT component_id FROM tenant_components WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("read tenant components: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// tenantPageName is how mails to a tenant page's subscribers name the
// page: "<page> for <tenant>".
func (tx *tx) tenantPageName(ctx context.Context, s herald.Settings, tenantID string) (string, error) {
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM tenants WHERE id = $1`, tenantID).Scan(&name); err != nil {
		return "", fmt.Errorf("read tenant: %w", err)
	}
	return s.Page.Name + " for " + name, nil
}

// broadcastToTenantPages records n once more for each tenant whose
// private page shows it and that has subscribers: tenants linked to the
// incident (incidentID) or the maintenance (maintenanceID), and tenants
// served by one of components. dedup, when set, is kept per tenant.
func (tx *tx) broadcastToTenantPages(ctx context.Context, n herald.Notice, channels map[string]bool, dedup, incidentID, maintenanceID string, components []string) error {
	// A practice stays in its sandbox (R63): no tenant hears of it.
	if run, err := tx.practiceRunOf(ctx, incidentID); err != nil || run != "" {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.id,
		CASE WHEN EXISTS (SELECT 1 FROM incident_tenants it WHERE it.tenant_id = t.id AND it.incident_id = $1)
			OR EXISTS (SELECT 1 FROM maintenance_tenants mt WHERE mt.tenant_id = t.id AND mt.maintenance_id = $2) THEN 1 ELSE 0 END
		FROM tenants t JOIN tenant_pages p ON p.tenant_id = t.id
		WHERE p.token_hash IS NOT NULL AND t.deleted_at IS NULL
		AND EXISTS (SELECT 1 FROM subscribers s WHERE s.tenant_id = t.id AND s.unsubscribed_at IS NULL) ORDER BY t.id`, incidentID, maintenanceID)
	if err != nil {
		return fmt.Errorf("read the tenants a broadcast concerns: %w", err)
	}
	var tenants, others []string
	for rows.Next() {
		var id string
		var linked int
		if err := rows.Scan(&id, &linked); err != nil {
			rows.Close()
			return err
		}
		if linked == 1 {
			tenants = append(tenants, id)
		} else {
			others = append(others, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The others are told when one of their components is affected.
	for _, id := range others {
		served, err := tx.tenantComponentIDs(ctx, id)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(components, func(c string) bool { return slices.Contains(served, c) }) {
			tenants = append(tenants, id)
		}
	}
	chans, _ := json.Marshal(orEmptyMap(channels))
	for _, tenant := range tenants {
		id := newID()
		if dedup != "" {
			sum := sha256.Sum256([]byte(dedup + "|tenant|" + tenant))
			id = "b-" + base64.RawURLEncoding.EncodeToString(sum[:18])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO broadcasts (id, event, subject, body, url, components, channels, only_to, cursor, created_at, incident_id, tenant_id)
			VALUES ($1, $2, $3, $4, $5, '[]', $6, '', '', $7, '', $8) ON CONFLICT (id) DO NOTHING`,
			id, n.Event, n.Subject, n.Body, n.URL, string(chans), micros(tx.now), tenant); err != nil {
			return fmt.Errorf("record tenant broadcast: %w", err)
		}
	}
	if len(tenants) > 0 {
		tx.db.kickBulk()
	}
	return nil
}
