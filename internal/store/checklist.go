package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldhq/herald"
)

// Checklist derives an incident's checklists (R08) from its record: the
// timeline (decisions, labels, stakeholder notices, checks by hand), its
// role pages, its status incident and its reviews, read in one
// transaction.
func (db *IncidentService) Checklist(ctx context.Context, ref string) (herald.Checklist, error) {
	var c herald.Checklist
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		c, err = tx.checklist(ctx, inc)
		return err
	})
	return c, err
}

// CheckItem checks or unchecks an item by hand. The mark is a timeline
// entry (who, when, why), the only thing a checklist stores; the answer is
// the checklist after it.
func (db *IncidentService) CheckItem(ctx context.Context, actor herald.Actor, ref string, in herald.CheckInput) (herald.Checklist, error) {
	if err := in.Normalize(); err != nil {
		return herald.Checklist{}, err
	}
	var c herald.Checklist
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		before, err := tx.checklist(ctx, inc)
		if err != nil {
			return err
		}
		text, data, err := before.CheckMarkEntry(in)
		if err != nil {
			return err
		}
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryChecklist, text, data); err != nil {
			return err
		}
		if err := tx.touch(ctx, inc); err != nil {
			return err
		}
		c, err = tx.checklist(ctx, inc)
		return err
	})
	return c, err
}

// checklist loads what the incident's checklists are derived from and
// derives them.
func (tx *tx) checklist(ctx context.Context, inc *herald.Incident) (herald.Checklist, error) {
	rec := herald.ChecklistRecord{Incident: inc}
	var err error
	if rec.Settings, err = tx.settings(ctx); err != nil {
		return herald.Checklist{}, err
	}
	if rec.Timeline, err = tx.timeline(ctx, inc.ID, ""); err != nil {
		return herald.Checklist{}, err
	}
	if rec.Pages, err = tx.checklistPages(ctx, inc.ID); err != nil {
		return herald.Checklist{}, err
	}
	if rec.Status, err = tx.checklistStatus(ctx, inc.ID); err != nil {
		return herald.Checklist{}, err
	}
	if rec.Reviews, err = tx.reviews(ctx, inc.ID); err != nil {
		return herald.Checklist{}, err
	}
	if rec.TicketTag, err = tx.ticketTag(ctx, inc, rec.Settings); err != nil {
		return herald.Checklist{}, err
	}
	return herald.BuildChecklist(rec), nil
}

// checklistPages reads the pages sent for the incident's roles, leaving out
// requests to the cover service (R06): they are not the role's own page.
func (tx *tx) checklistPages(ctx context.Context, incidentID string) ([]herald.ChecklistPage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT incident_role, dedup_key, acked_at, acked_by, resolved_at FROM pages
		WHERE incident_id = $1 AND incident_role <> '' ORDER BY first_seen, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read role pages: %w", err)
	}
	defer rows.Close()
	var list []herald.ChecklistPage
	for rows.Next() {
		var p herald.ChecklistPage
		var dedup string
		var acked, resolved sql.NullInt64
		if err := rows.Scan(&p.Role, &dedup, &acked, &p.AckedBy, &resolved); err != nil {
			return nil, fmt.Errorf("read role pages: %w", err)
		}
		if dedup == coverDedupKey(incidentID, p.Role) {
			continue
		}
		p.AckedAt, p.ResolvedAt = fromNullMicros(acked), fromNullMicros(resolved)
		list = append(list, p)
	}
	return list, rows.Err()
}

// checklistStatus reads the incident's status incident and its updates;
// nil when the incident is not on the status page.
func (tx *tx) checklistStatus(ctx context.Context, incidentID string) (*herald.ChecklistStatus, error) {
	var s herald.ChecklistStatus
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT id, created_at, postmortem_url FROM status_incidents WHERE incident_id = $1`, incidentID).
		Scan(&s.ID, &created, &s.PostmortemURL)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read status incident: %w", err)
	}
	s.CreatedAt = fromMicros(created)
	rows, err := tx.QueryContext(ctx, `SELECT status, actor, created_at FROM status_updates WHERE status_incident_id = $1 ORDER BY created_at, id`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read status updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u herald.ChecklistUpdate
		var at int64
		if err := rows.Scan(&u.Status, &u.Actor, &at); err != nil {
			return nil, fmt.Errorf("read status updates: %w", err)
		}
		u.At = fromMicros(at)
		s.Updates = append(s.Updates, u)
	}
	return &s, rows.Err()
}

// checkPageResolve refuses resolving an incident role's own page while a
// stage of the role's checklist that gates the page has other items open
// (R08). Other pages, and requests for cover, are not held.
func (tx *tx) checkPageResolve(ctx context.Context, p *herald.Page) error {
	if p.IncidentID == "" || p.IncidentRole == "" || isCoverPage(p) {
		return nil
	}
	inc, err := tx.incident(ctx, p.IncidentID)
	if err != nil {
		return err
	}
	c, err := tx.checklist(ctx, inc)
	if err != nil {
		return err
	}
	return c.CheckPageResolve(inc, p.IncidentRole)
}
