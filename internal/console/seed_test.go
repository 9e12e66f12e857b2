package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Direct SQL inserts for what the screens show in bulk (the benchmark's
// 100,000 incidents and 1,000 open pages): the tests and benchmarks are
// about showing data, not making it, so they need not go through the
// services. Both dialects take the same statements ($n parameters).

// execBatches inserts n rows of cols values each, 500 to a statement.
func execBatches(tb testing.TB, db *store.DB, head string, n, cols int, row func(i int) []any) {
	tb.Helper()
	const batch = 500
	tx, err := db.SQL().Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for start := 0; start < n; start += batch {
		var rows []string
		var args []any
		for i := start; i < start+batch && i < n; i++ {
			ph := make([]string, cols)
			for j := range ph {
				ph[j] = fmt.Sprintf("$%d", len(args)+j+1)
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+")")
			args = append(args, row(i)...)
		}
		if _, err := tx.Exec(head+" VALUES "+strings.Join(rows, ", "), args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// seedIncidents inserts n incidents, one in six active (the rest
// resolved), declared a minute apart until at.
func seedIncidents(tb testing.TB, db *store.DB, n int, at time.Time) {
	tb.Helper()
	states := []string{"investigating", "resolved", "resolved", "resolved", "resolved", "resolved"}
	end := at.UnixMicro()
	execBatches(tb, db, `INSERT INTO incidents (id, number, reference, title, summary, severity, state, confidential, services, tenants,
		version, declared_by, declared_at, updated_at)`, n, 14, func(i int) []any {
		k := i + 1
		t := end - int64(n-i)*60_000_000
		return []any{fmt.Sprintf("seed-%07d", k), k, fmt.Sprintf("INC-%d", k), fmt.Sprintf("Seeded incident %d", k), "",
			string(herald.Severities[k%4]), states[k%len(states)], false, "[]", "[]", 1, "seed", t, t}
	})
	if _, err := db.SQL().Exec(`UPDATE counters SET value = $1 WHERE name = 'incident_number'`, n); err != nil {
		tb.Fatal(err)
	}
	analyze(tb, db, "incidents")
}

// seedPages inserts n open pages (triggered and acknowledged in turn) on a
// new service, each sent to every one of users at level 0, first seen a
// minute apart until at.
func seedPages(tb testing.TB, db *store.DB, n int, users []string, at time.Time) {
	tb.Helper()
	svc, err := db.Paging.CreateService(context.Background(), herald.ServiceInput{Name: fmt.Sprintf("Checkout API %d", at.UnixNano()%100000)})
	if err != nil {
		tb.Fatal(err)
	}
	statuses := []string{"triggered", "acknowledged"}
	end := at.UnixMicro()
	first := func(i int) int64 { return end - int64(n-i)*60_000_000 }
	id := func(i int) string { return fmt.Sprintf("%s-page-%06d", svc.ID, i) }
	execBatches(tb, db, `INSERT INTO pages (id, service_id, status, dedup_key, summary, severity, source, count, alerts, level, loops,
		first_seen, last_seen, acked_by)`, n, 14, func(i int) []any {
		return []any{id(i), svc.ID, statuses[i%2], fmt.Sprintf("seed-%d", i), fmt.Sprintf("Disk full on db-%d", i), "critical", "node-exporter",
			1, 1, 0, 0, first(i), first(i), ""}
	})
	execBatches(tb, db, `INSERT INTO notifications (id, page_id, user_id, level, loop, status, due_at, sent_at)`, n*len(users), 8, func(k int) []any {
		i, u := k/len(users), users[k%len(users)]
		return []any{fmt.Sprintf("%s-n-%d", id(i), k%len(users)), id(i), u, 0, 0, "sent", first(i), first(i)}
	})
	analyze(tb, db, "pages", "notifications")
}

// analyze refreshes PostgreSQL's statistics after a bulk insert, so the
// planner sees the rows as a long-running database would.
func analyze(tb testing.TB, db *store.DB, tables ...string) {
	tb.Helper()
	if db.Dialect() != store.Postgres {
		return
	}
	for _, t := range tables {
		if _, err := db.SQL().Exec(`ANALYZE ` + t); err != nil {
			tb.Fatal(err)
		}
	}
}
