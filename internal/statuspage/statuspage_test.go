package statuspage_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

type fixture struct {
	db    *store.DB
	clock *testdb.Clock
	cache *statuspage.Cache
	srv   *httptest.Server
	actor herald.Actor
	ctx   context.Context
}

func setup(t testing.TB, d store.Dialect) *fixture {
	t.Helper()
	f := &fixture{clock: testdb.NewClock(), ctx: context.Background()}
	f.db = testdb.Open(t, d, f.clock)
	u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Cleo", Email: "cleo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	f.actor = herald.Actor{User: u, Role: herald.RoleAdmin}
	f.cache = statuspage.NewCache(f.db.Services(), f.clock, links.New("https://status.example.com"), nil)
	f.srv = httptest.NewServer(f.cache)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) rebuild(t testing.TB) {
	t.Helper()
	if err := f.cache.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) get(t *testing.T, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (f *fixture) component(t testing.TB, name string) herald.Component {
	t.Helper()
	c, err := f.db.StatusPage.CreateComponent(f.ctx, f.actor, herald.ComponentInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPublicPage_EscapesUpdateText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		c := f.component(t, `<b>API</b>`)
		evil := `<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) "quoted"`
		p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: `<i>Outage</i>`,
			StatusUpdateInput: herald.StatusUpdateInput{Body: evil, Components: map[string]herald.ComponentStatus{c.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		f.rebuild(t)
		for _, path := range []string{"/", "/incidents/" + p.Incident.ID, "/history"} {
			_, body := f.get(t, path)
			s := string(body)
			for _, bad := range []string{"<script>alert", "<img src=x", "<b>API</b>", "<i>Outage</i>", `href="javascript:`} {
				if strings.Contains(s, bad) {
					t.Errorf("%s contains unescaped %q", path, bad)
				}
			}
			if path != "/history" && !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s does not show the text escaped", path)
			}
		}
	})
}

func TestPublicPage_ETagGzipAndCacheHeaders(t *testing.T) {
	f := setup(t, store.SQLite)
	f.component(t, "API")
	f.rebuild(t)
	resp, plain := f.get(t, "/")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "public, max-age=") || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = f.get(t, "/", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	resp, gz := f.get(t, "/", "Accept-Encoding", "gzip, deflate")
	if resp.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(plain) {
		t.Fatalf("gzip: %q, %d bytes vs %d", resp.Header.Get("Content-Encoding"), len(gz), len(plain))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	if !bytes.Equal(unz, plain) {
		t.Fatal("gzip body differs from the plain one")
	}
	// A change makes a new ETag.
	f.component(t, "Web")
	f.rebuild(t)
	resp, _ = f.get(t, "/", "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a change: %d %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp, _ := f.get(t, "/nothing-here"); resp.StatusCode != 404 {
		t.Fatalf("unknown page: %d", resp.StatusCode)
	}
}

func TestStatuspageCompatibleJSON(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API")
		grp := "Platform"
		web, _ := f.db.StatusPage.CreateComponent(f.ctx, f.actor, herald.ComponentInput{Name: ptr("Web"), Group: &grp})
		_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Security issue",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating.", Components: map[string]herald.ComponentStatus{api.ID: herald.SecurityEvent, web.ID: herald.DegradedPerformance}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		from, until := f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour)
		if _, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.actor, herald.MaintenanceInput{Name: ptr("Upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{web.ID}}); err != nil {
			t.Fatal(err)
		}
		f.rebuild(t)

		var summary struct {
			Page       struct{ ID, Name, URL, UpdatedAt string }
			Components []struct {
				ID, Name, Status string
				Group            bool
				GroupID          *string  `json:"group_id"`
				Components       []string `json:"components"`
			}
			Incidents []struct {
				ID, Name, Status, Impact, Shortlink string
				IncidentUpdates                     []struct {
					Status, Body       string
					AffectedComponents []struct{ Code, Name, OldStatus, NewStatus string } `json:"affected_components"`
				} `json:"incident_updates"`
			}
			ScheduledMaintenances []struct {
				Name, Status, Impact string
				ScheduledFor         string `json:"scheduled_for"`
			} `json:"scheduled_maintenances"`
			Status struct{ Indicator, Description string }
		}
		resp, body := f.get(t, "/api/v2/summary.json")
		if resp.Header.Get("Content-Type") != "application/json; charset=utf-8" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("headers %v", resp.Header)
		}
		if err := json.Unmarshal(body, &summary); err != nil {
			t.Fatal(err)
		}
		if summary.Status.Indicator != "critical" || len(summary.Incidents) != 1 || len(summary.ScheduledMaintenances) != 1 {
			t.Fatalf("summary: %s", body)
		}
		for _, c := range summary.Components {
			if c.Name == "API" && c.Status != "major_outage" {
				t.Errorf("a security event is %q in the Statuspage JSON, want major_outage", c.Status)
			}
			if c.Name == "Platform" && (!c.Group || len(c.Components) != 1) {
				t.Errorf("group %+v", c)
			}
			if c.Name == "Web" && (c.GroupID == nil || c.Status != "degraded_performance") {
				t.Errorf("member %+v", c)
			}
		}
		u := summary.Incidents[0].IncidentUpdates[0]
		if u.Status != "investigating" || len(u.AffectedComponents) != 2 || summary.ScheduledMaintenances[0].Impact != "maintenance" {
			t.Fatalf("incident update %+v", u)
		}
		for path, key := range map[string]string{
			"/api/v2/status.json": "status", "/api/v2/components.json": "components", "/api/v2/incidents.json": "incidents",
			"/api/v2/incidents/unresolved.json": "incidents", "/api/v2/scheduled-maintenances.json": "scheduled_maintenances",
			"/api/v2/scheduled-maintenances/upcoming.json": "scheduled_maintenances", "/api/v2/scheduled-maintenances/active.json": "scheduled_maintenances",
		} {
			resp, body := f.get(t, path)
			var doc map[string]json.RawMessage
			if resp.StatusCode != 200 || json.Unmarshal(body, &doc) != nil || doc["page"] == nil || doc[key] == nil {
				t.Errorf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
		var status struct{ Status struct{ Indicator string } }
		_, body = f.get(t, "/api/v2/status.json")
		if err := json.Unmarshal(body, &status); err != nil {
			t.Fatalf("status.json: %v", err)
		}
		if status.Status.Indicator != "critical" {
			t.Errorf("status.json indicator %q", status.Status.Indicator)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestFeedsParseWithRealParsers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API")
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Errors & timeouts",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking; more soon.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		from, until := f.clock.Now().Add(24*time.Hour), f.clock.Now().Add(26*time.Hour)
		long := strings.Repeat("A long description, with commas; semicolons and ünïcödé. ", 5)
		if _, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.actor, herald.MaintenanceInput{Name: ptr("DB upgrade"), Body: &long, ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		f.rebuild(t)
		for _, path := range []string{"/history.rss", "/history.atom"} {
			_, body := f.get(t, path)
			feed, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatalf("%s: %v\n%s", path, err, body)
			}
			if len(feed.Items) != 2 || feed.Title == "" {
				t.Fatalf("%s: %d items", path, len(feed.Items))
			}
			titles := feed.Items[0].Title + "|" + feed.Items[1].Title
			if !strings.Contains(titles, "Errors & timeouts") || !strings.Contains(titles, "Maintenance: DB upgrade") {
				t.Fatalf("%s titles %q", path, titles)
			}
		}
		for _, path := range []string{"/maintenances.ics", "/components/" + api.ID + "/maintenances.ics"} {
			_, body := f.get(t, path)
			for _, line := range strings.Split(string(body), "\r\n") {
				if len(line) > 75 {
					t.Fatalf("%s: line over 75 octets: %q", path, line)
				}
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			evs := cal.Events()
			if len(evs) != 1 {
				t.Fatalf("%s: %d events", path, len(evs))
			}
			start, err := evs[0].GetStartAt()
			if err != nil || !start.Equal(from) {
				t.Fatalf("DTSTART %v %v, want %v", start, err, from)
			}
			if desc := evs[0].GetProperty(ics.ComponentPropertyDescription); desc == nil || !strings.Contains(desc.Value, "ünïcödé") {
				t.Fatalf("description %v", desc)
			}
		}
		// Another component's calendar is empty.
		other := f.component(t, "Web")
		f.rebuild(t)
		_, body := f.get(t, "/components/"+other.ID+"/maintenances.ics")
		cal, err := ics.ParseCalendar(bytes.NewReader(body))
		if err != nil || len(cal.Events()) != 0 {
			t.Fatalf("other component: %v %d", err, len(cal.Events()))
		}
	})
}

func TestUptime_WeightsAndDays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 8, 26, 0, 0, 0, 0, time.UTC) // 89 days before today
	created := start.AddDate(0, 0, -10)
	day := func(d int, h int) time.Time { return start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	points := []herald.StatusPoint{
		{Status: herald.Operational, At: created},
		{Status: herald.PartialOutage, At: day(87, 0)}, // 10 h partial: 3 h of downtime
		{Status: herald.Operational, At: day(87, 10)},
		{Status: herald.MajorOutage, At: day(88, 0)},         // 6 h major
		{Status: herald.DegradedPerformance, At: day(88, 6)}, // degraded counts nothing
		{Status: herald.Operational, At: day(88, 12)},
	}
	u := statuspage.ComputeUptime(points, created, start, now)
	if len(u.Days) != statuspage.Days {
		t.Fatalf("%d days", len(u.Days))
	}
	d87, d88, today := u.Days[87], u.Days[88], u.Days[89]
	if got := d87.Percent; got < 87.49 || got > 87.51 { // 1 - 3/24
		t.Errorf("partial day %.3f%%, want 87.5%%", got)
	}
	if got := d88.Percent; got < 74.99 || got > 75.01 { // 1 - 6/24
		t.Errorf("major day %.3f%%, want 75%%", got)
	}
	if d88.Worst != herald.MajorOutage || d88.Minutes[herald.MajorOutage] != 360 || d88.Minutes[herald.DegradedPerformance] != 360 {
		t.Errorf("major day %+v", d88)
	}
	if today.Percent != 100 || !today.Known {
		t.Errorf("today %+v", today)
	}
	total := 89*24.0 + 12 // 89 whole days and half of today
	want := 100 * (1 - 9/total)
	if u.Percent < want-0.001 || u.Percent > want+0.001 {
		t.Errorf("90-day uptime %.4f, want %.4f", u.Percent, want)
	}
	// Before a component existed there is no data, not 100%.
	young := statuspage.ComputeUptime([]herald.StatusPoint{{Status: herald.Operational, At: day(89, 1)}}, day(89, 1), start, now)
	if young.Days[10].Known || !young.Days[89].Known {
		t.Error("days before creation are counted")
	}
}

// Several instances on one PostgreSQL: a change made through one shows on
// the page the other serves, without a restart.
func TestCache_OtherInstancePicksUpChanges(t *testing.T) {
	url := testdb.URL(t, store.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := testdb.Instance(t, url), testdb.Instance(t, url)
	cache := statuspage.NewCache(b.Services(), herald.SystemClock{}, links.New("https://status.example.com"), nil)
	cache.PollInterval = 50 * time.Millisecond
	if err := cache.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	go cache.Run(ctx)
	u, _ := a.People.CreateUser(ctx, herald.UserInput{Name: "A", Email: "a@example.com"})
	name := "Checkout"
	if _, err := a.StatusPage.CreateComponent(ctx, herald.Actor{User: u, Role: herald.RoleAdmin}, herald.ComponentInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if e := cache.Lookup("/api/v2/components.json"); e != nil && strings.Contains(string(e.Body), `"Checkout"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance never showed the new component")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
