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

// BenchmarkEnqueueNewPagesMaintained is the same for a service that runs
// on three components, one of them under a maintenance in progress that
// does not mute paging: the muting lookup finds rows and joins them, and
// every page still pages, so the two benchmarks do the same work besides.
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
				for _, name := range []string{"API", "Web", "Database"} {
					c, err := db.StatusPage.CreateComponent(ctx, actor, herald.ComponentInput{Name: &name})
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, c.ID)
				}
				if _, err := db.Paging.SetServiceComponents(ctx, svc.ID, herald.ServiceComponentsInput{Components: ids}); err != nil {
					b.Fatal(err)
				}
				name, off, now := "Upgrade", false, time.Now()
				until := now.Add(time.Hour)
				if _, err := db.Maintenances.CreateMaintenance(ctx, actor, herald.MaintenanceInput{Name: &name, ScheduledFor: &now, ScheduledUntil: &until,
					Components: &[]string{ids[0]}, MutePaging: &off}); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Work.RunMaintenanceAutomation(ctx); err != nil {
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
