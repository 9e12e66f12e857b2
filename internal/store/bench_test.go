package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Run with: ./scripts/bench (starts PostgreSQL), or on SQLite alone:
// go test -run '^$' -bench . -benchtime 2s ./internal/store/

func benchActor(b *testing.B, db *store.DB) herald.Actor {
	u, err := db.People.CreateUser(context.Background(), herald.UserInput{Name: "Bench", Email: "bench@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	return herald.Actor{User: u, Role: herald.RoleResponder}
}

func BenchmarkDeclareWith10Entries(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d, herald.SystemClock{})
			ctx := context.Background()
			actor := benchActor(b, db)
			b.ReportAllocs()
			for b.Loop() {
				inc, err := db.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: "Bench incident", Severity: herald.S2, Summary: "load"})
				if err != nil {
					b.Fatal(err)
				}
				for j := range 10 {
					if _, err := db.Incidents.AddNote(ctx, actor, inc.ID, herald.NoteInput{Text: fmt.Sprintf("entry %d", j)}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// seed inserts n incidents directly, in batches: the benchmark measures
// listing, not declaring, so the setup need not go through the service.
func seed(b *testing.B, db *store.DB, n int) {
	const batch = 500
	sqlDB := db.SQL()
	tx, err := sqlDB.Begin()
	if err != nil {
		b.Fatal(err)
	}
	states := []string{"investigating", "identified", "monitoring", "resolved", "resolved", "resolved"}
	for start := 1; start <= n; start += batch {
		var rows []string
		var args []any
		for i := start; i < start+batch && i <= n; i++ {
			k := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, '', $%d, $%d, $%d, '[]', '[]', 1, 'seed', $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9))
			at := int64(1_700_000_000_000_000) + int64(i)*60_000_000
			args = append(args, fmt.Sprintf("seed-%07d", i), i, fmt.Sprintf("INC-%d", i), fmt.Sprintf("Seeded incident %d", i),
				herald.Severities[i%4], states[i%len(states)], false, at, at)
		}
		_, err := tx.Exec(`INSERT INTO incidents (id, number, reference, title, summary, severity, state, confidential, services, tenants,
			version, declared_by, declared_at, updated_at) VALUES `+strings.Join(rows, ", "), args...)
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := tx.Exec(`UPDATE counters SET value = $1 WHERE name = 'incident_number'`, n); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		if _, err := sqlDB.Exec(`ANALYZE incidents`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkList50NewestOf100k(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d, herald.SystemClock{})
			seed(b, db, testdb.BenchSize(100_000))
			ctx := context.Background()
			active := true
			for _, f := range []struct {
				name   string
				filter herald.ListFilter
			}{
				{"all", herald.ListFilter{Limit: 50}},
				{"active", herald.ListFilter{Limit: 50, Active: &active}},
			} {
				b.Run(f.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						list, err := db.Incidents.Incidents(ctx, f.filter)
						if err != nil || len(list) != 50 {
							b.Fatalf("%d, %v", len(list), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkEnqueue is sustained ingestion: trigger events spread over 1,000
// dedup keys on one service, most folding into open alerts. Events per
// second = 1e9 / ns/op.
func BenchmarkEnqueue(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d, herald.SystemClock{})
			ctx := context.Background()
			svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench", Grouping: &herald.Grouping{}})
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]string, 1000)
			for i := range keys {
				keys[i] = fmt.Sprintf("alert-%04d", i)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				_, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: keys[i%len(keys)],
					Payload: &herald.EventPayload{Summary: "disk full", Source: "node-exporter", Severity: "critical"}})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkEnqueueParallel is ingestion from many senders at once.
func BenchmarkEnqueueParallel(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d, herald.SystemClock{})
			ctx := context.Background()
			svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench", Grouping: &herald.Grouping{}})
			if err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := n.Add(1) % 1000
					if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: fmt.Sprintf("alert-%04d", k),
						Payload: &herald.EventPayload{Summary: "disk full", Source: "node-exporter", Severity: "critical"}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
