package store_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// escalationBench opens a store with a one-level policy paging a reachable
// person, a service on it, and open pages: acked acknowledged (none with
// an end) and waiting triggered ones not yet due.
func escalationBench(b *testing.B, d store.Dialect, clock *testdb.Clock, acked, waiting int) (*store.DB, *herald.Service) {
	b.Helper()
	db := testdb.Open(b, d, clock)
	ctx := context.Background()
	u, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Bench", Email: "bench@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
		b.Fatal(err)
	}
	pol, err := db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "bench", Repeat: 10, Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: u.ID}}}}})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench", EscalationPolicyID: pol.ID, Grouping: &herald.Grouping{}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range acked + waiting {
		key := fmt.Sprintf("open-%05d", i)
		if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: key,
			Payload: &herald.EventPayload{Summary: "disk full", Source: "node-exporter", Severity: "critical"}}); err != nil {
			b.Fatal(err)
		}
		if i < acked {
			if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "acknowledge", DedupKey: key}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := db.Work.RunEscalations(ctx); err != nil { // every first level paged: nothing due
		b.Fatal(err)
	}
	return db, svc
}

// cpuPerOp reports the CPU time of this process per operation
// ("cpu-ns/op"): on a shared machine wall time swings with the load, the
// CPU a step costs much less. (On PostgreSQL the server's CPU is not in it.)
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}

// BenchmarkEscalationStep is one escalation step that pages a level: the
// unit of the escalation loop, among 1,000 open pages.
func BenchmarkEscalationStep(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			clock := testdb.NewClock()
			db, _ := escalationBench(b, d, clock, 500, 500)
			ctx := context.Background()
			defer cpuPerOp(b)()
			for b.Loop() {
				// Every waiting page's next level (the first again, a new
				// round) is due: each loop takes one step.
				b.StopTimer()
				clock.Advance(31 * time.Minute)
				b.StartTimer()
				n, err := db.Work.EscalationStep(ctx)
				if err != nil || !n {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkRunEscalationsIdle is the escalation loop's tick when nothing
// is due, among 1,000 open pages (half acknowledged): what every tick of
// every instance costs.
func BenchmarkRunEscalationsIdle(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := escalationBench(b, d, testdb.NewClock(), 500, 500)
			ctx := context.Background()
			defer cpuPerOp(b)()
			for b.Loop() {
				if n, err := db.Work.RunEscalations(ctx); err != nil || n != 0 {
					b.Fatal(n, err)
				}
			}
		})
	}
}
