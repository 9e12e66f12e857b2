package store

import (
	"context"
	"database/sql"
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
	rows, err := db.r.QueryContext(ctx, `SELECT `+policyColumns+` FROM escalation_policies ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list escalation policies: %w", err)
	}
	defer rows.Close()
	out := []*herald.EscalationPolicy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// OpenPages lists the pages not yet resolved, newest first, each with who
// was notified, in one query: the newest open pages (found through the
// pages_escalation index, which starts with status) joined to their
// notifications. The Now screen asked for each page's notifications apart,
// one query per page, which cost more than the rest of the screen.
func (db *PagingService) OpenPages(ctx context.Context, limit int) ([]herald.OpenPage, error) {
	q := `SELECT p.*, COALESCE(n.user_id, '') FROM (SELECT ` + pageColumns + ` FROM pages WHERE status IN ('triggered', 'acknowledged')
		ORDER BY first_seen DESC, id DESC LIMIT $1) AS p LEFT JOIN notifications n ON n.page_id = p.id
		ORDER BY p.first_seen DESC, p.id DESC, n.due_at, n.id`
	rows, err := db.r.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("list open pages: %w", err)
	}
	defer rows.Close()
	out := []herald.OpenPage{}
	var seen map[string]bool
	for rows.Next() {
		var user string
		p, err := scanPage(withExtra{rows, []any{&user}})
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != p.ID {
			out = append(out, herald.OpenPage{Page: p})
			seen = map[string]bool{}
		}
		if op := &out[len(out)-1]; user != "" && !seen[user] {
			seen[user] = true
			op.Notified = append(op.Notified, user)
		}
	}
	return out, rows.Err()
}

// withExtra scans a row's leading columns with the given scanner's
// destinations and the trailing ones into extra.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }
