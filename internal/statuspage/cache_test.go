package statuspage_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// No page reads a query, so a query (a campaign tag, a widget's
// cache-buster) gets the page as without it, and cannot make a 404.
func TestCache_IgnoresQueries(t *testing.T) {
	f := setup(t, store.SQLite)
	c := f.component(t, "API")
	p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Errors",
		StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking.", Components: map[string]herald.ComponentStatus{c.ID: herald.PartialOutage}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.rebuild(t)
	for _, tc := range []struct{ url, page string }{
		{"/?utm_source=slack", "/"},
		{"/api/v2/summary.json?_=1700000000", "/api/v2/summary.json"},
		{"/history.rss?x=1", "/history.rss"},
		{"/history.atom?utm_source=feedly&utm_medium=rss", "/history.atom"},
		{"/history?page=2", "/history"},
		{"/api/v2/status.json?callback=jsonp", "/api/v2/status.json"},
		{"/api/v2/components.json?", "/api/v2/components.json"},
		{"/incidents/" + p.Incident.ID + "?ref=twitter", "/incidents/" + p.Incident.ID},
		{"/components/" + c.ID + "/maintenances.ics?%zz", "/components/" + c.ID + "/maintenances.ics"},
		{"/maintenances.ics?component=" + c.ID, "/maintenances.ics"},
		{"/static/style.css?v=3", "/static/style.css"},
	} {
		want, wantBody := f.get(t, tc.page)
		got, body := f.get(t, tc.url)
		if want.StatusCode != 200 || got.StatusCode != 200 || got.Header.Get("ETag") != want.Header.Get("ETag") || !bytes.Equal(body, wantBody) {
			t.Errorf("GET %s: %d, want %s (%d)", tc.url, got.StatusCode, tc.page, want.StatusCode)
		}
	}
	for _, url := range []string{"/nothing?x=1", "/history/9?x=1", "/incidents/ghost?utm_source=slack"} {
		if resp, _ := f.get(t, url); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", url, resp.StatusCode)
		}
	}
	if f.cache.Lookup("/api/v2/status.json") == nil || f.cache.Lookup("/nothing") != nil {
		t.Error("Lookup by path")
	}
}

// What this process commits is served from the next request, with no
// Rebuild and no Run: the cache checks the store's local change count.
func TestCache_NextRequestShowsOwnWrite(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.rebuild(t)
		body := func(path string) string { _, b := f.get(t, path); return string(b) }
		c := f.component(t, "Checkout")
		if !strings.Contains(body("/api/v2/components.json"), `"Checkout"`) {
			t.Fatal("a new component is not served on the next request")
		}
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Checkout down",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking.", Components: map[string]herald.ComponentStatus{c.ID: herald.MajorOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		if s := f.cache.Snapshot(); s == nil || len(s.Incidents) != 1 || !strings.Contains(body("/api/v2/status.json"), `"critical"`) {
			t.Fatalf("a new incident is not served on the next request: %s", body("/api/v2/status.json"))
		}
		// The worker's steps are local changes too.
		from, until := f.clock.Now().Add(time.Minute), f.clock.Now().Add(time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.actor, herald.MaintenanceInput{Name: ptr("Upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{c.ID}})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		if n, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil || n == 0 {
			t.Fatalf("automation: %d %v", n, err)
		}
		if !strings.Contains(body("/api/v2/scheduled-maintenances/active.json"), m.ID) {
			t.Fatal("a maintenance the worker started is not served on the next request")
		}
		// A write that fails changes nothing and costs no rebuild.
		before := f.cache.Snapshot()
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.actor, "ghost", herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err == nil {
			t.Fatal("an update to no incident was accepted")
		}
		body("/")
		if f.cache.Snapshot() != before {
			t.Error("a failed write made the page rebuild")
		}
	})
}

// Serving reads no database: with the store closed, the pages still
// answer from memory.
func TestCache_ServesWithoutQueryingTheDatabase(t *testing.T) {
	f := setup(t, store.SQLite)
	f.component(t, "API")
	f.rebuild(t)
	want, wantBody := f.get(t, "/")
	f.db.Close()
	for _, path := range []string{"/", "/?utm_source=slack", "/api/v2/summary.json", "/history.rss?x=1"} {
		resp, body := f.get(t, path)
		if resp.StatusCode != 200 || (path == "/" && !bytes.Equal(body, wantBody)) {
			t.Errorf("GET %s with the database closed: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	if want.StatusCode != 200 {
		t.Fatal(want.StatusCode)
	}
}
