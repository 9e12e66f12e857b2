package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// public is one Herald instance serving its public pages: the server with a
// page cache, as herald serve wires them.
type public struct {
	db    *store.DB
	pages *statuspage.Cache
	http  *httptest.Server
	admin *client.Client
}

// startPublic serves db's public pages and API. The cache is built once and
// not polled unless the test runs it.
func startPublic(t testing.TB, db *store.DB, clock herald.Clock, log *slog.Logger) *public {
	t.Helper()
	ctx := context.Background()
	if err := db.People.EnsureAdminToken(ctx, adminSecret); err != nil {
		t.Fatal(err)
	}
	p := &public{db: db, pages: statuspage.NewCache(db.Services(), clock, links.New("http://herald.test"), log)}
	if err := p.pages.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	p.http = httptest.NewServer(New(Config{Services: db.Services(), Database: db, Links: links.New("http://herald.test"), Version: "test", Pages: p.pages, Logger: log}))
	t.Cleanup(p.http.Close)
	p.admin = client.New(p.http.URL, adminSecret)
	return p
}

// rawTransport asks for gzip only when a test says so, and never unpacks.
var rawTransport = &http.Transport{DisableCompression: true}

// do sends a request as a browser or widget would, without transparent
// decompression, and returns the answer with its body read.
func (p *public) do(t testing.TB, method, path string, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := rawTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// headers returns h without the ones that differ between any two answers.
func headers(h http.Header) http.Header {
	h = h.Clone()
	h.Del("Date")
	h.Del(RequestIDHeader) // each request's own
	return h
}

func (p *public) fill(t testing.TB) (component, incident, maintenance string) {
	t.Helper()
	ctx := context.Background()
	name := "API"
	c, err := p.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", StatusUpdateInput: herald.StatusUpdateInput{
		Body: "We see errors.", Components: map[string]herald.ComponentStatus{c.ID: herald.PartialOutage}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	until := from.Add(time.Hour)
	m, err := p.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Database upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, res.ID, m.ID
}

// Shared links and widgets add queries the page does not read (campaign
// tags, cache-busters); the page must answer as without them, HEAD must
// answer like GET without a body, and other methods 405 with Allow.
func TestPublic_QueriesHeadAndMethods(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		p := startPublic(t, testdb.Open(t, d, clock), clock, nil)
		comp, inc, mnt := p.fill(t)

		pages := []string{"/", "/history", "/history.rss", "/history.atom", "/maintenances.ics", "/static/style.css",
			"/incidents/" + inc, "/maintenances/" + mnt, "/maintenances/" + mnt + ".ics", "/components/" + comp + "/maintenances.ics",
			"/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
			"/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json",
			"/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/scheduled-maintenances/active.json"}
		queries := []string{"?utm_source=slack", "?_=1700000000", "?x=1", "?utm_source=slack&utm_medium=chat&utm_campaign=outage",
			"?", "?page=2&component=" + comp, "?%zz&;;", "?callback=x"}
	nextPath:
		for _, path := range pages {
			for _, enc := range []string{"", "gzip"} {
				want, wantBody := p.do(t, "GET", path, "", "Accept-Encoding", enc)
				if want.StatusCode != 200 || len(wantBody) == 0 {
					t.Fatalf("GET %s: %d", path, want.StatusCode)
				}
				for _, q := range append(queries, "") {
					for _, method := range []string{"GET", "HEAD"} {
						resp, body := p.do(t, method, path+q, "", "Accept-Encoding", enc)
						// The first difference per page is enough to read.
						if resp.StatusCode != 200 {
							t.Errorf("%s %s%s: %d, want 200", method, path, q, resp.StatusCode)
							continue nextPath
						}
						if got := headers(resp.Header); !equalHeaders(got, headers(want.Header)) {
							t.Errorf("%s %s%s (Accept-Encoding %q): headers\n%v\nwant (GET %s)\n%v", method, path, q, enc, got, path, headers(want.Header))
							continue nextPath
						}
						if (method == "HEAD" && len(body) != 0) || (method == "GET" && !bytes.Equal(body, wantBody)) {
							t.Errorf("%s %s%s: %d bytes of body, not as GET %s", method, path, q, len(body), path)
							continue nextPath
						}
					}
				}
			}
		}
		// A page that does not exist stays one, with or without a query.
		for _, path := range []string{"/nothing-here?utm_source=slack", "/history/2?x=1", "/incidents/ghost?_=1", "/api/v2/nothing.json?_=1"} {
			for _, method := range []string{"GET", "HEAD"} {
				if resp, _ := p.do(t, method, path, ""); resp.StatusCode != 404 {
					t.Errorf("%s %s: %d, want 404", method, path, resp.StatusCode)
				}
			}
		}

		// The forms' own pages read only their parameters.
		for _, path := range []string{"/unsubscribe?id=sub_1&token=tok", "/subscribe/confirm?id=sub_1&token=tok"} {
			for _, method := range []string{"GET", "HEAD"} {
				want, wantBody := p.do(t, method, path, "")
				for _, q := range []string{"&utm_source=mail", "&_=1700000000&x=1"} {
					resp, body := p.do(t, method, path+q, "")
					if resp.StatusCode != want.StatusCode || !bytes.Equal(body, wantBody) || !equalHeaders(headers(resp.Header), headers(want.Header)) {
						t.Errorf("%s %s%s: %d %q, want %d %q as without the extra parameters", method, path, q, resp.StatusCode, body, want.StatusCode, wantBody)
					}
				}
			}
		}
		resp, body := p.do(t, "POST", "/subscribe?utm_source=slack", "email=ada%40example.com", "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Check your inbox") {
			t.Errorf("POST /subscribe?utm_source=slack: %d %s", resp.StatusCode, body)
		}
		if resp, _ := p.do(t, "HEAD", "/unsubscribe?id=a&token=b&x=1", ""); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("HEAD /unsubscribe: %d %v", resp.StatusCode, resp.Header)
		}

		// Wrong methods: 405 naming the methods the path takes.
		for _, tc := range []struct {
			method, path string
			allow        []string
			json         bool
		}{
			{"POST", "/", []string{"GET", "HEAD"}, false},
			{"POST", "/?utm_source=slack", []string{"GET", "HEAD"}, false},
			{"PUT", "/history.rss", []string{"GET", "HEAD"}, false},
			{"DELETE", "/incidents/" + inc, []string{"GET", "HEAD"}, false},
			{"OPTIONS", "/static/style.css", []string{"GET", "HEAD"}, false},
			{"POST", "/nothing-here", []string{"GET", "HEAD"}, false},
			{"POST", "/api/v2/summary.json", []string{"GET", "HEAD"}, true},
			{"DELETE", "/api/v2/status.json?_=1700000000", []string{"GET", "HEAD"}, true},
			{"PATCH", "/api/v2/incidents/unresolved.json", []string{"GET", "HEAD"}, true},
			{"GET", "/subscribe", []string{"POST"}, false},
			{"HEAD", "/subscribe?utm_source=slack", []string{"POST"}, false},
			{"PUT", "/subscribe", []string{"POST"}, false},
			{"PATCH", "/unsubscribe?id=a&token=b", []string{"GET", "HEAD", "POST"}, false},
			{"DELETE", "/subscribe/confirm", []string{"GET", "HEAD"}, false},
		} {
			resp, body := p.do(t, tc.method, tc.path, "")
			allow := strings.Split(resp.Header.Get("Allow"), ", ")
			if resp.StatusCode != 405 || slices.Contains(allow, tc.method) {
				t.Errorf("%s %s: %d, Allow %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"))
				continue
			}
			for _, m := range tc.allow {
				if !slices.Contains(allow, m) {
					t.Errorf("%s %s: Allow %q lacks %s", tc.method, tc.path, resp.Header.Get("Allow"), m)
				}
			}
			var eb ErrorBody
			isJSON := json.Unmarshal(body, &eb) == nil && eb.Error.Code == "method_not_allowed" && eb.Error.Message != ""
			if tc.json && (!isJSON || resp.Header.Get("Content-Type") != "application/json; charset=utf-8") && tc.method != "HEAD" {
				t.Errorf("%s %s: not the JSON error shape: %s %s", tc.method, tc.path, resp.Header.Get("Content-Type"), body)
			}
		}
	})
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// getJSON reads a public JSON document into v.
func (p *public) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, body := p.do(t, "GET", path, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func (p *public) statusDescription(t testing.TB) string {
	t.Helper()
	var doc struct{ Status struct{ Description string } }
	p.getJSON(t, "/api/v2/status.json", &doc)
	return doc.Status.Description
}

// Read your own writes: after the answer to a change of what the public
// page shows, the very next request to the same instance shows it. The
// cache here never polls, so only the instance's own signal can do it.
func TestPublic_NextRequestShowsOwnWrite(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		p := startPublic(t, db, clock, nil)
		ctx := context.Background()
		var comp, inc, mnt string
		page := func(path string) string { _, b := p.do(t, "GET", path, ""); return string(b) }
		for _, step := range []struct {
			name  string
			write func() error
			check func() bool
		}{
			{"add a component", func() error {
				c, err := p.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("Checkout")})
				comp = c.ID
				return err
			}, func() bool { return strings.Contains(page("/api/v2/components.json"), `"Checkout"`) }},
			{"rename it", func() error {
				_, err := p.admin.StatusPage.UpdateComponent(ctx, comp, herald.ComponentInput{Name: ptr("Payments")})
				return err
			}, func() bool { return strings.Contains(page("/"), "Payments") }},
			{"publish a status incident", func() error {
				res, err := p.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "Payments fail", StatusUpdateInput: herald.StatusUpdateInput{
					Body: "Card payments fail.", Components: map[string]herald.ComponentStatus{comp: herald.MajorOutage}}}, false)
				inc = res.ID
				return err
			}, func() bool { return p.statusDescription(t) != "All Systems Operational" }},
			{"publish an update", func() error {
				_, err := p.admin.StatusPage.PublishUpdate(ctx, inc, herald.StatusUpdateInput{Status: herald.Identified, Body: "A bad deploy; rolling back."}, false)
				return err
			}, func() bool { return strings.Contains(page("/api/v2/incidents/unresolved.json"), "rolling back") }},
			{"resolve it", func() error {
				_, err := p.admin.StatusPage.PublishUpdate(ctx, inc, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false)
				return err
			}, func() bool { return p.statusDescription(t) == "All Systems Operational" }},
			{"add the post-mortem", func() error {
				_, err := p.admin.StatusPage.SetPostmortem(ctx, inc, "https://example.com/pm/7")
				return err
			}, func() bool { return strings.Contains(page("/incidents/"+inc), "https://example.com/pm/7") }},
			{"schedule a maintenance", func() error {
				from, until := clock.Now().Add(time.Hour), clock.Now().Add(2*time.Hour)
				m, err := p.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Card vault upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{comp}})
				mnt = m.ID
				return err
			}, func() bool {
				return strings.Contains(page("/api/v2/scheduled-maintenances/upcoming.json"), "Card vault upgrade")
			}},
			{"rename the maintenance", func() error {
				_, err := p.admin.Maintenances.UpdateMaintenance(ctx, mnt, herald.MaintenanceInput{Name: ptr("Vault upgrade")})
				return err
			}, func() bool { return strings.Contains(page("/maintenances/"+mnt), "Vault upgrade") }},
			{"the worker starts the maintenance when due", func() error {
				clock.Advance(time.Hour)
				_, err := db.Work.RunMaintenanceAutomation(ctx)
				return err
			}, func() bool {
				return strings.Contains(page("/api/v2/scheduled-maintenances/active.json"), "Vault upgrade")
			}},
			{"post a maintenance update", func() error {
				_, err := p.admin.Maintenances.PostMaintenanceUpdate(ctx, mnt, herald.MaintenanceUpdateInput{Body: "Half the nodes are done."})
				return err
			}, func() bool { return strings.Contains(page("/maintenances/"+mnt), "Half the nodes are done.") }},
			{"complete it by hand", func() error {
				off := false // R30: by hand only once automation is off
				if _, err := p.admin.Maintenances.UpdateMaintenance(ctx, mnt, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
					return err
				}
				_, err := p.admin.Maintenances.PostMaintenanceUpdate(ctx, mnt, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCompleted, Body: "Done."})
				return err
			}, func() bool {
				return !strings.Contains(page("/api/v2/scheduled-maintenances/active.json"), "Vault upgrade")
			}},
			{"rename the page", func() error {
				s, err := p.admin.Settings.Settings(ctx)
				if err != nil {
					return err
				}
				s.Page.Name = "Acme Status"
				_, err = p.admin.Settings.SaveSettings(ctx, s)
				return err
			}, func() bool { return strings.Contains(page("/"), "Acme Status") }},
			{"remove the component", func() error { return p.admin.StatusPage.DeleteComponent(ctx, comp) },
				func() bool { return !strings.Contains(page("/api/v2/components.json"), "Payments") }},
		} {
			if step.check() {
				t.Fatalf("%s: the page shows it before the change", step.name)
			}
			if err := step.write(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if !step.check() {
				t.Errorf("%s: the next request does not show it", step.name)
			}
		}
	})
}

// Another instance on the same PostgreSQL shows a change within a second,
// through its poll of the status version (at the default interval).
func TestPublic_OtherInstanceShowsChangeWithinOneSecond(t *testing.T) {
	u := testdb.URL(t, store.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := startPublic(t, testdb.Instance(t, u), herald.SystemClock{}, nil)
	b := startPublic(t, testdb.Instance(t, u), herald.SystemClock{}, nil)
	if b.pages.PollInterval != 250*time.Millisecond {
		t.Fatalf("the default poll interval is %v", b.pages.PollInterval)
	}
	go a.pages.Run(ctx)
	go b.pages.Run(ctx)
	c, err := a.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("API")})
	if err != nil {
		t.Fatal(err)
	}
	// The median of three rounds must be within the second; each round
	// within 5 s, so that one scheduling stall on a loaded CI machine does
	// not fail the test while a poll that stopped would.
	var took []time.Duration
	for round := range 3 {
		name := "Outage " + string(rune('A'+round))
		_, err := a.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: name, StatusUpdateInput: herald.StatusUpdateInput{
			Body: "Errors.", Components: map[string]herald.ComponentStatus{c.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		published := time.Now()
		if _, body := a.do(t, "GET", "/api/v2/incidents/unresolved.json", ""); !strings.Contains(string(body), name) {
			t.Fatalf("the instance that took the write does not show it on the next request")
		}
		for {
			if _, body := b.do(t, "GET", "/api/v2/incidents/unresolved.json", ""); strings.Contains(string(body), name) {
				took = append(took, time.Since(published))
				t.Logf("round %d: the other instance showed it after %v", round, took[round].Round(time.Millisecond))
				break
			}
			if time.Since(published) > 5*time.Second {
				t.Fatalf("round %d: the other instance did not show the change within 5 s", round)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	slices.Sort(took)
	if took[1] > time.Second {
		t.Fatalf("the other instance showed changes after %v (median); want within 1 s", took[1])
	}
}

// ownDatabase makes a PostgreSQL database for one test, and functions that
// make it unreachable (no new connections, the open ones terminated) and
// reachable again.
func ownDatabase(t *testing.T) (dbURL string, down, up func()) {
	t.Helper()
	base := os.Getenv("HERALD_TEST_DATABASE_URL")
	if base == "" {
		testdb.URL(t, store.Postgres) // skips, or fails when PostgreSQL is required
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "herald_down_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("test database %s left behind: %v", name, err) // harmless to the result
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	exec := func(q string) {
		t.Helper()
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	down = func() {
		exec(`ALTER DATABASE ` + name + ` WITH ALLOW_CONNECTIONS false`)
		exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + name + `'`)
	}
	up = func() { exec(`ALTER DATABASE ` + name + ` WITH ALLOW_CONNECTIONS true`) }
	return u.String(), down, up
}

// When the database cannot be reached, the public pages keep answering
// with the last good render, and the cache says so in the log, once; when
// the database is back, changes show again.
func TestPublic_DatabaseDownServesLastGoodPage(t *testing.T) {
	dbURL, down, up := ownDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := store.Open(ctx, store.Config{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var logs testdb.SyncBuffer
	p := startPublic(t, db, herald.SystemClock{}, slog.New(slog.NewTextHandler(&logs, nil)))
	p.pages.Timeout = time.Second
	comp, inc, mnt := p.fill(t)

	paths := []string{"/", "/history", "/history.rss", "/incidents/" + inc, "/maintenances/" + mnt, "/components/" + comp + "/maintenances.ics",
		"/api/v2/summary.json", "/api/v2/status.json?_=1700000000"}
	type answer struct {
		etag string
		body []byte
	}
	before := map[string]answer{}
	for _, path := range paths {
		resp, body := p.do(t, "GET", path, "")
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("GET %s before: %d", path, resp.StatusCode)
		}
		before[path] = answer{resp.Header.Get("ETag"), body}
	}
	lastGood := func(when string) {
		t.Helper()
		for _, path := range paths {
			for _, method := range []string{"GET", "HEAD"} {
				resp, body := p.do(t, method, path, "")
				if resp.StatusCode != 200 || resp.Header.Get("ETag") != before[path].etag || (method == "GET" && !bytes.Equal(body, before[path].body)) {
					t.Errorf("%s %s %s: %d, not the last good page", method, path, when, resp.StatusCode)
				}
			}
		}
	}

	down()
	if err := db.Ping(ctx); err == nil {
		t.Fatal("the database still answers")
	}
	lastGood("right after the database went down")
	// A write fails now, and changes nothing on the page.
	if _, err := p.admin.StatusPage.PublishUpdate(ctx, inc, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err == nil {
		t.Fatal("a write succeeded with the database down")
	}
	lastGood("after a failed write")

	// The polls fail too (with Refresh due); the page stays, one warning is logged.
	p.pages.PollInterval = 20 * time.Millisecond
	p.pages.Refresh = 50 * time.Millisecond
	go p.pages.Run(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "cannot read the database") {
		if time.Now().After(deadline) {
			t.Fatalf("no warning in the log while the database is down:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // more polls fail meanwhile
	lastGood("while the database is down")
	if n := strings.Count(logs.String(), "cannot read the database"); n != 1 {
		t.Errorf("%d warnings, want one until a minute passes:\n%s", n, logs.String())
	}

	// Back: the log says so, and changes show at once again.
	up()
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "database readable again") {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery in the log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := p.admin.StatusPage.PublishUpdate(ctx, inc, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err != nil {
		t.Fatal(err)
	}
	if got := p.statusDescription(t); got != "All Systems Operational" {
		t.Errorf("after the outage, the next request does not show the instance's own write: %q", got)
	}
}
