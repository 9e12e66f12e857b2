package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldhq/herald"
)

// Measures loads what measuring an incident needs (its timeline, the updates
// of its status incident, its role pages) in one read and computes the
// measures (R13, R62).
func (db *IncidentService) Measures(ctx context.Context, ref string) (herald.Measures, error) {
	var in herald.MeasureInput
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		in.Severity, in.Now = inc.Severity, tx.now
		if in.Settings, err = tx.settings(ctx); err != nil {
			return err
		}
		if in.Timeline, err = tx.timeline(ctx, inc.ID, ""); err != nil {
			return err
		}
		if in.Updates, err = tx.measureUpdates(ctx, inc.ID); err != nil {
			return err
		}
		in.Pages, err = tx.measurePages(ctx, inc.ID)
		return err
	})
	if err != nil {
		return herald.Measures{}, err
	}
	return herald.Measure(in), nil
}

// measureUpdates reads the public updates of the incident's status
// incident, oldest first.
func (tx *tx) measureUpdates(ctx context.Context, incidentID string) ([]herald.MeasureUpdate, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.status, u.next_update_in, u.created_at FROM status_updates u
		JOIN status_incidents s ON s.id = u.status_incident_id
		WHERE s.incident_id = $1 ORDER BY u.created_at, u.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read status updates: %w", err)
	}
	defer rows.Close()
	var list []herald.MeasureUpdate
	for rows.Next() {
		var u herald.MeasureUpdate
		var at int64
		if err := rows.Scan(&u.Status, &u.NextUpdateIn, &at); err != nil {
			return nil, fmt.Errorf("read status updates: %w", err)
		}
		u.At = fromMicros(at)
		list = append(list, u)
	}
	return list, rows.Err()
}

// measurePages reads the pages sent for the incident's roles. A request to
// the cover service to find someone (R06) is not the role's page: it is
// left out.
func (tx *tx) measurePages(ctx context.Context, incidentID string) ([]herald.MeasurePage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT incident_role, dedup_key, first_seen, acked_at FROM pages
		WHERE incident_id = $1 AND incident_role <> '' ORDER BY first_seen, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read role pages: %w", err)
	}
	defer rows.Close()
	var list []herald.MeasurePage
	for rows.Next() {
		var p herald.MeasurePage
		var dedup string
		var first int64
		var acked sql.NullInt64
		if err := rows.Scan(&p.Role, &dedup, &first, &acked); err != nil {
			return nil, fmt.Errorf("read role pages: %w", err)
		}
		if dedup == coverDedupKey(incidentID, p.Role) {
			continue
		}
		p.PagedAt = fromMicros(first)
		if acked.Valid {
			t := fromMicros(acked.Int64)
			p.AckedAt = &t
		}
		list = append(list, p)
	}
	return list, rows.Err()
}
