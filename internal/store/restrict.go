package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// FedRAMP tenants (R46): which messages may carry only a reference and a
// console link (herald.Restriction). It is decided when a message is
// prepared to go (outbox.go, prompts.go) and when the acknowledge link's
// page is read, not when it was queued: a tenant linked in between still
// counts. A service counts while it serves a FedRAMP tenant that is not
// deleted; an incident counts while it is linked to a FedRAMP tenant,
// deleted or not, since the incident was about that tenant all the same.

// fedrampServing says whether a service serves a FedRAMP tenant, or an
// incident ("" for none) affects one.
func (tx *tx) fedrampServing(ctx context.Context, serviceID, incidentID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM tenant_services s JOIN tenants t ON t.id = s.tenant_id
			WHERE s.service_id = $1 AND t.compliance = $3 AND t.deleted_at IS NULL) +
		(SELECT count(*) FROM incident_tenants i JOIN tenants t ON t.id = i.tenant_id
			WHERE i.incident_id = $2 AND t.compliance = $3)`, serviceID, incidentID, string(herald.ComplianceFedRAMP)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the tenants' compliance: %w", err)
	}
	return n > 0, nil
}

// pageRestriction is the restriction of messages about a page, nil when
// they may carry its details.
func (tx *tx) pageRestriction(ctx context.Context, p *herald.Page) (*herald.Restriction, error) {
	restricted, err := tx.fedrampServing(ctx, p.ServiceID, p.IncidentID)
	if err != nil || !restricted {
		return nil, err
	}
	ref := ""
	if p.IncidentID != "" {
		if err := tx.QueryRowContext(ctx, `SELECT reference FROM incidents WHERE id = $1`, p.IncidentID).Scan(&ref); err != nil {
			return nil, fmt.Errorf("read the page's incident: %w", err)
		}
	}
	return &herald.Restriction{Reference: herald.PageReference(p.ID, ref), URL: tx.db.links.Page(p.ID)}, nil
}

// incidentRestriction is the restriction of messages about an incident
// ("" for none: nil), nil when they may carry its details.
func (tx *tx) incidentRestriction(ctx context.Context, incidentID string) (*herald.Restriction, error) {
	if incidentID == "" {
		return nil, nil
	}
	restricted, err := tx.fedrampServing(ctx, "", incidentID)
	if err != nil || !restricted {
		return nil, err
	}
	var ref string
	if err := tx.QueryRowContext(ctx, `SELECT reference FROM incidents WHERE id = $1`, incidentID).Scan(&ref); err != nil {
		return nil, fmt.Errorf("read the incident: %w", err)
	}
	return &herald.Restriction{Reference: ref, URL: tx.db.links.Incident(ref)}, nil
}
