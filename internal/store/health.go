package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Probe writes this instance's row in probes: it fails when the database
// cannot take a write (disk full, read-only, gone), which a ping does not
// notice. /readyz calls it.
func (db *Work) Probe(ctx context.Context, instance string) error {
	return db.write(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO probes (instance, at) VALUES ($1, $2) ON CONFLICT (instance) DO UPDATE SET at = excluded.at`,
			instance, micros(tx.now))
		if err != nil {
			return fmt.Errorf("write probe: %w", err)
		}
		return nil
	})
}

// OutboxCount is how many outbox rows of a lane and channel are in a state.
type OutboxCount struct {
	Lane  Lane
	Kind  string
	State string // pending, retrying (pending after a failed attempt), failed
	N     int
}

// WorkStats is the state of the background work, read from the database so
// that every instance reports the same figures.
type WorkStats struct {
	Outbox []OutboxCount
	// OldestDue is, for each loop, how long the oldest unit of work that is
	// due has been waiting: the loop's lag. Loops with nothing due are 0.
	OldestDue map[string]time.Duration
	// UnplannedBroadcasts is how many broadcasts wait for their audience
	// to be planned.
	UnplannedBroadcasts int
	// FailingRows counts the rows whose last step failed and waits for its
	// retry, by kind (escalation, maintenance).
	FailingRows map[string]int
	// FoldedTriggers is how many trigger events folded into a page that
	// was open already (deduplicated), over all time.
	FoldedTriggers int64
}

// WorkStats reads the state of the background work.
func (db *Work) WorkStats(ctx context.Context) (WorkStats, error) {
	st := WorkStats{OldestDue: map[string]time.Duration{}, FailingRows: map[string]int{}}
	err := db.read(ctx, func(tx *tx) error {
		now := micros(tx.now)
		for _, q := range []struct {
			lane Lane
			sql  string
		}{
			{LanePage, `SELECT m.kind, d.status, d.attempts > 0, count(*) FROM deliveries d JOIN contact_methods m ON m.id = d.contact_method_id
				WHERE d.status IN ('pending', 'failed') GROUP BY m.kind, d.status, d.attempts > 0`},
			{LaneBulk, `SELECT s.kind, d.status, d.attempts > 0, count(*) FROM broadcast_deliveries d JOIN subscribers s ON s.id = d.subscriber_id
				WHERE d.status IN ('pending', 'failed') GROUP BY s.kind, d.status, d.attempts > 0`},
			{LaneNotice, `SELECT 'email', status, attempts > 0, count(*) FROM notice_deliveries
				WHERE status IN ('pending', 'failed') GROUP BY status, attempts > 0`},
			// The chat lane, by platform (a rate-limited or unreachable
			// platform shows here and in the lag, never in /readyz).
			{LaneChat, `SELECT platform, status, attempts > 0, count(*) FROM chat_messages
				WHERE status IN ('pending', 'failed') GROUP BY platform, status, attempts > 0`},
		} {
			rows, err := tx.QueryContext(ctx, q.sql)
			if err != nil {
				return fmt.Errorf("count %s deliveries: %w", q.lane, err)
			}
			for rows.Next() {
				c := OutboxCount{Lane: q.lane}
				var tried bool
				if err := rows.Scan(&c.Kind, &c.State, &tried, &c.N); err != nil {
					rows.Close()
					return err
				}
				if c.State == "pending" && tried {
					c.State = "retrying"
				}
				st.Outbox = append(st.Outbox, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for loop, q := range map[string]string{
			"escalation": `SELECT MIN(next_escalation_at) FROM pages WHERE status IN ('triggered', 'acknowledged') AND next_escalation_at <= $1`,
			"paging":     `SELECT MIN(due_at) FROM deliveries WHERE status = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)`,
			"broadcast":  `SELECT MIN(due_at) FROM broadcast_deliveries WHERE status = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)`,
			"notices":    `SELECT MIN(due_at) FROM notice_deliveries WHERE status = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)`,
			"chat":       `SELECT MIN(due_at) FROM chat_messages WHERE status = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)`,
			"maintenance": `SELECT MIN(CASE WHEN status = 'scheduled' THEN scheduled_for ELSE scheduled_until END) FROM maintenances
				WHERE auto_transition = TRUE AND ((status = 'scheduled' AND scheduled_for <= $1) OR (status = 'in_progress' AND scheduled_until <= $1))
				AND (step_retry_at IS NULL OR step_retry_at <= $1)`,
		} {
			var oldest sql.NullInt64
			if err := tx.QueryRowContext(ctx, q, now).Scan(&oldest); err != nil {
				return fmt.Errorf("oldest due %s work: %w", loop, err)
			}
			st.OldestDue[loop] = 0
			if oldest.Valid {
				st.OldestDue[loop] = time.Duration(now-oldest.Int64) * time.Microsecond
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(count - 1), 0) FROM pages`).Scan(&st.FoldedTriggers); err != nil {
			return fmt.Errorf("count folded triggers: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM broadcasts WHERE planned = $1`, false).Scan(&st.UnplannedBroadcasts); err != nil {
			return fmt.Errorf("count unplanned broadcasts: %w", err)
		}
		for kind, q := range map[string]string{
			"escalation":  `SELECT count(*) FROM pages WHERE status = 'triggered' AND step_error <> ''`,
			"maintenance": `SELECT count(*) FROM maintenances WHERE step_error <> ''`,
		} {
			var n int
			if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
				return fmt.Errorf("count failing %s rows: %w", kind, err)
			}
			st.FailingRows[kind] = n
		}
		return nil
	})
	return st, err
}

// StepsAtOnce is how many escalation steps one instance may take at once:
// on PostgreSQL rows are claimed with SKIP LOCKED, so several can; SQLite
// has one writer anyway.
func (db *Work) StepsAtOnce() int {
	if db.dialect == Postgres {
		return 4
	}
	return 1
}
