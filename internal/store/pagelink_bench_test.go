package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testdb"
)

// BenchmarkEnqueueNewPages is ingestion where every event opens a new
// page: the path that looks for a maintenance muting the service (a
// repeat folds without it). Events per second = 1e9 / ns/op.
func BenchmarkEnqueueNewPages(b *testing.B) { benchNewPages(b, false) }

// BenchmarkEnqueueNewPagesMaintained is the same while a maintenance in
// progress mutes another service, running on another component: the
// lookup finds a muted service, not this one, and every page still pages,
// so the two benchmarks do the same work besides.
func BenchmarkEnqueueNewPagesMaintained(b *testing.B) { benchNewPages(b, true) }

func benchNewPages(b *testing.B, maintained bool) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d, herald.SystemClock{})
			ctx := context.Background()
			svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench", Grouping: &herald.Grouping{}})
			if err != nil {
				b.Fatal(err)
			}
			if maintained {
				actor := benchActor(b, db)
				var ids []string
				for _, name := range []string{"API", "Web"} {
					c, err := db.StatusPage.CreateComponent(ctx, actor, herald.ComponentInput{Name: &name})
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, c.ID)
				}
				other, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "other", Components: ids[:1]})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.Paging.SetServiceComponents(ctx, svc.ID, herald.ServiceComponentsInput{Components: ids[1:]}); err != nil {
					b.Fatal(err)
				}
				name, now := "Upgrade", time.Now()
				until := now.Add(time.Hour)
				if _, err := db.Maintenances.CreateMaintenance(ctx, actor, herald.MaintenanceInput{Name: &name, ScheduledFor: &now, ScheduledUntil: &until,
					Components: &[]string{ids[0]}}); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Work.RunMaintenanceAutomation(ctx); err != nil {
					b.Fatal(err)
				}
				if p, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: other.IntegrationKey, EventAction: "trigger",
					Payload: &herald.EventPayload{Summary: "muted", Source: "bench", Severity: "critical"}}); err != nil || p == "" {
					b.Fatal(err)
				}
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				_, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: fmt.Sprintf("alert-%07d", i),
					Payload: &herald.EventPayload{Summary: "disk full", Source: "node-exporter", Severity: "critical"}})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
