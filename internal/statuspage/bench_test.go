package statuspage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// benchPage is a page with 8 components and 30 past incidents, as in
// bench/statuspage.
func benchPage(b *testing.B) *fixture {
	f := setup(b, store.SQLite)
	var ids []string
	for i := range 8 {
		c := f.component(b, fmt.Sprintf("Component %d", i))
		ids = append(ids, c.ID)
	}
	for i := range 30 {
		p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: fmt.Sprintf("Incident %d", i),
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating.", Components: map[string]herald.ComponentStatus{ids[i%8]: herald.PartialOutage}}}, false)
		if err != nil {
			b.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		f.db.StatusPage.PublishUpdate(f.ctx, f.actor, p.Incident.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false)
	}
	if err := f.cache.Rebuild(f.ctx); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkRebuild is what every change costs each instance.
func BenchmarkRebuild(b *testing.B) {
	f := benchPage(b)
	for b.Loop() {
		if err := f.cache.Rebuild(f.ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServe is the cost of one request for a cached page, in process.
func BenchmarkServe(b *testing.B) {
	f := benchPage(b)
	for _, path := range []string{"/", "/api/v2/summary.json"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.cache.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

// BenchmarkServeWhilePublishing is the cost of one request for a cached
// page while a status update is published every 100 ms (ten times more
// often than the load test's one a second) and the cache is kept current
// as herald serve does: readers in parallel, the page rebuilt after each
// change.
func BenchmarkServeWhilePublishing(b *testing.B) {
	f := benchPage(b)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	go f.cache.Run(ctx)
	var ids []string
	comps, _ := f.db.StatusPage.Components(f.ctx)
	for _, c := range comps {
		ids = append(ids, c.ID)
	}
	p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Ongoing",
		StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating.", Components: map[string]herald.ComponentStatus{ids[0]: herald.PartialOutage}}}, false)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			f.db.StatusPage.PublishUpdate(f.ctx, f.actor, p.Incident.ID, herald.StatusUpdateInput{Body: fmt.Sprintf("Still looking (%d).", i)}, false)
		}
	}()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/api/v2/summary.json", nil)
		for pb.Next() {
			w := httptest.NewRecorder()
			f.cache.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Error(w.Code)
				return
			}
		}
	})
	b.StopTimer()
	cancel()
	<-done
}
