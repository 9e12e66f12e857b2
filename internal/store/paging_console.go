package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldhq/herald"
)

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
