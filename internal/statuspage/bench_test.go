package statuspage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// privatePage adds n tenants to the bench page, each served by two of its
// components, and returns the path of the first one's private page. The
// first is served by every component, so its page shows what the public
// one does: the comparison is of the serving, not of the page's size.
func privatePage(b *testing.B, f *fixture, n int) string {
	comps, _ := f.db.StatusPage.Components(f.ctx)
	var first string
	for i := range n {
		mine := []string{comps[i%len(comps)].ID, comps[(i+1)%len(comps)].ID}
		if i == 0 {
			mine = nil
			for _, c := range comps {
				mine = append(mine, c.ID)
			}
		}
		tn, err := f.db.Tenants.CreateTenant(f.ctx, f.actor, herald.TenantInput{Name: fmt.Sprintf("Tenant %d", i), PrimaryRegion: "us-east-1", Components: mine})
		if err != nil {
			b.Fatal(err)
		}
		p, err := f.db.Tenants.RotateTenantPage(f.ctx, f.actor, tn.ID)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = strings.TrimPrefix(p.URL, "https://status.example.com")
		}
	}
	if err := f.cache.Rebuild(f.ctx); err != nil {
		b.Fatal(err)
	}
	return first
}

// BenchmarkServePrivate compares a request for a tenant's private page
// with the same request for the public page (docs/BENCHMARKS.md): both
// are served from memory; the private one also hashes its token.
func BenchmarkServePrivate(b *testing.B) {
	f := benchPage(b)
	home := privatePage(b, f, 20)
	for _, c := range []struct{ name, path string }{
		{"public/", "/"}, {"private/", home},
		{"public/summary.json", "/api/v2/summary.json"}, {"private/summary.json", home + "api/v2/summary.json"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
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

// BenchmarkRebuildWithTenants is what every change costs each instance
// with 100 private pages beside the public one (their pages render at
// their first request, not here).
func BenchmarkRebuildWithTenants(b *testing.B) {
	f := benchPage(b)
	privatePage(b, f, 100)
	for b.Loop() {
		if err := f.cache.Rebuild(f.ctx); err != nil {
			b.Fatal(err)
		}
	}
}
