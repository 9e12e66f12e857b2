package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// PageList lists pages newest first, a screen at a time. Paging is by the
// last page shown (keyset on first_seen, id), so new pages arriving while
// someone reads never shift the next screen.
func (db *PagingService) PageList(ctx context.Context, f herald.PageFilter) ([]*herald.Page, error) {
	if f.Limit < 1 || f.Limit > 500 {
		f.Limit = 50
	}
	switch f.Status {
	case "", herald.PageTriggered, herald.PageAcknowledged, herald.PageResolved:
	default:
		return nil, &herald.Error{Code: herald.EInvalid, Message: "status must be triggered, acknowledged or resolved", Fields: map[string]string{"status": "unknown status"}}
	}
	var out []*herald.Page
	err := db.read(ctx, func(tx *tx) error {
		q := `SELECT ` + pageColumns + ` FROM pages WHERE ($1 = '' OR service_id = $1) AND ($2 = '' OR status = $2)`
		args := []any{f.ServiceID, string(f.Status), f.Limit}
		if f.Before != "" {
			var at int64
			var id string
			err := tx.QueryRowContext(ctx, `SELECT first_seen, id FROM pages WHERE id = $1`, f.Before).Scan(&at, &id)
			if errors.Is(err, sql.ErrNoRows) {
				return &herald.Error{Code: herald.EInvalid, Message: "no page " + f.Before + " to continue after", Fields: map[string]string{"before": "no such page"}}
			}
			if err != nil {
				return fmt.Errorf("read page cursor: %w", err)
			}
			q += ` AND (first_seen < $4 OR (first_seen = $4 AND id < $5))`
			args = append(args, at, id)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY first_seen DESC, id DESC LIMIT $3`, args...)
		if err != nil {
			return fmt.Errorf("list pages: %w", err)
		}
		defer rows.Close()
		out = []*herald.Page{}
		for rows.Next() {
			p, err := scanPage(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// EscalationPolicies lists every escalation policy by name.
func (db *PagingService) EscalationPolicies(ctx context.Context) ([]*herald.EscalationPolicy, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, levels, repeat, created_at FROM escalation_policies ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list escalation policies: %w", err)
	}
	defer rows.Close()
	out := []*herald.EscalationPolicy{}
	for rows.Next() {
		p := &herald.EscalationPolicy{}
		var levels string
		var created int64
		if err := rows.Scan(&p.ID, &p.Name, &levels, &p.Repeat, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = fromMicros(created)
		if err := json.Unmarshal([]byte(levels), &p.Levels); err != nil {
			return nil, fmt.Errorf("escalation policy %s: %w", p.ID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
