package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// setupPublic is setup with the public status page served too, and cfg
// applied on top of the defaults.
func setupPublic(t testing.TB, d store.Dialect, cfg func(*Config)) *env {
	t.Helper()
	clock := testdb.NewClock()
	return serve(t, testdb.Open(t, d, clock), clock, cfg)
}

func serve(t testing.TB, db *store.DB, clock *testdb.Clock, cfg func(*Config)) *env {
	t.Helper()
	e := &env{clock: clock, db: db}
	if err := e.db.People.EnsureAdminToken(context.Background(), adminSecret); err != nil {
		t.Fatal(err)
	}
	pages := statuspage.NewCache(e.db.Services(), e.clock, links.New("http://herald.test"), nil)
	if err := pages.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	cons, err := console.New(console.Config{Services: e.db.Services(), Auth: e.db.Auth, Clock: e.clock, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Services: e.db.Services(), Database: e.db, Links: links.New("http://herald.test"), Version: "test", Pages: pages, Console: cons}
	if cfg != nil {
		cfg(&c)
	}
	e.srv = New(c)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	e.admin = client.New(e.http.URL, adminSecret)
	return e
}

// logTo makes the server log into b (safe: the handler serialises writes).
func logTo(b *bytes.Buffer) func(*Config) {
	return func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(b, nil)) }
}

// behindProxy opens a migrated PostgreSQL store that reaches the server
// through a TCP proxy; cut closes the proxy and every connection through
// it, as when PostgreSQL goes down.
func behindProxy(t *testing.T, clock *testdb.Clock) (db *store.DB, cut func()) {
	t.Helper()
	u, err := url.Parse(testdb.URL(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go io.Copy(up, c)
			go io.Copy(c, up)
		}
	}()
	cut = func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	t.Cleanup(cut)
	u.Host = ln.Addr().String()
	db, err = store.Open(context.Background(), store.Config{URL: u.String(), DataDir: t.TempDir(), Clock: clock, SecretKey: testdb.TestSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, cut
}

func randomToken(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// Clients choose methods and paths; neither may create metric series.
func TestMetrics_MethodsAndPathsDoNotMakeSeries(t *testing.T) {
	e := setupPublic(t, store.SQLite, nil)
	paths := []string{"/api/v1/", "/api/v1/incidents/", "/", "/incidents/", "/v2/", "/nothing/"}
	for i := 0; i < 40; i++ {
		method := "M" + randomToken(4096)
		path := paths[i%len(paths)] + strings.ToLower(randomToken(2048))
		for _, m := range []string{method, "GET", "POST"} {
			req, err := http.NewRequest(m, e.http.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+adminSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	resp, err := http.Get(e.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	series := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "herald_http_requests_total{") {
			series++
			if len(line) > 200 {
				t.Errorf("a long series: %.300s", line)
			}
		}
	}
	if strings.Contains(string(b), `method="M`) || !strings.Contains(string(b), `method="OTHER"`) {
		t.Error("unknown methods are not counted as OTHER")
	}
	// Each pattern that answered, by method and code: a handful, not one per request.
	if series == 0 || series > 20 {
		t.Errorf("%d request series", series)
	}
	if len(b) > 256<<10 {
		t.Errorf("/metrics is %d bytes", len(b))
	}
}

// Every answer, page or API, success or error, tells the browser what it
// may do with it.
func TestSecurityHeaders_OnEveryAnswer(t *testing.T) {
	e := setupPublic(t, store.SQLite, nil)
	for _, c := range []struct{ method, path, token, body string }{
		{"GET", "/", "", ""},
		{"HEAD", "/", "", ""},
		{"GET", "/?utm_source=chat", "", ""},
		{"GET", "/no-such-page", "", ""},
		{"GET", "/history.rss", "", ""},
		{"GET", "/static/style.css", "", ""},
		{"GET", "/api/v2/summary.json", "", ""},
		{"POST", "/", "", ""},
		{"GET", "/unsubscribe?id=x&token=y", "", ""},
		{"POST", "/subscribe", "", "email=a%40example.com"},
		{"GET", "/healthz", "", ""},
		{"GET", "/readyz", "", ""},
		{"GET", "/metrics", "", ""},
		{"GET", "/api/v1/openapi.json", "", ""},
		{"GET", "/api/v1/me", adminSecret, ""},
		{"GET", "/api/v1/me", "", ""},
		{"GET", "/api/v1/no-such-route", adminSecret, ""},
		{"POST", "/api/v1/incidents", adminSecret, "{"},
		{"POST", "/v2/enqueue", "", "{}"},
		{"POST", "/api/v1/ingest/alertmanager/nokey", "", "{}"},
	} {
		ct := "application/json"
		if c.path == "/subscribe" {
			ct = "application/x-www-form-urlencoded"
		}
		resp, _ := e.raw(t, c.method, c.path, c.token, ct, c.body)
		for h, want := range map[string]string{
			"Content-Security-Policy": statuspage.ContentSecurityPolicy,
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "same-origin",
			"X-Content-Type-Options":  "nosniff",
		} {
			if got := resp.Header.Values(h); len(got) != 1 || got[0] != want {
				t.Errorf("%s %s (%d): %s is %q", c.method, c.path, resp.StatusCode, h, got)
			}
		}
	}
	if !strings.Contains(statuspage.ContentSecurityPolicy, "script-src 'none'") || !strings.Contains(statuspage.ContentSecurityPolicy, "frame-ancestors 'none'") {
		t.Errorf("policy %q", statuspage.ContentSecurityPolicy)
	}
}

// An answer that cannot be encoded is a 500 with the JSON error and one
// log line, never a 200 with an empty body.
func TestWriteJSON_EncodingFailureIs500NotAnEmpty200(t *testing.T) {
	var logs bytes.Buffer
	e := setupPublic(t, store.SQLite, logTo(&logs))
	type far struct {
		At time.Time `json:"at"`
	}
	rt := op("GET", "/api/v1/test/far", herald.RoleViewer, 200, "test", func(*http.Request, herald.Actor, noBody) (far, error) {
		return far{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
	})
	e.srv.mux.Handle(rt.method+" "+rt.path, e.srv.api(rt))
	resp, eb := e.raw(t, "GET", "/api/v1/test/far", adminSecret, "", "")
	if resp.StatusCode != 500 || eb.Error.Code != herald.EInternal || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("unencodable answer: %d %+v", resp.StatusCode, eb)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 || !strings.Contains(logs.String(), "year outside of range") {
		t.Errorf("%d error lines: %s", n, logs.String())
	}

	// The case that was found: on call at the end of year 9999 (refused
	// as out of range, or answered; never an empty body).
	ctx := context.Background()
	e.token(t, "Ann", herald.RoleViewer)
	if _, err := e.admin.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Primary", TimeZone: "UTC",
		Layers: []herald.Layer{{Rotation: "weekly", Start: e.clock.Now(), Users: []string{"ann@example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/schedules/Primary/oncall?at=9999-12-31T23:59:59Z", nil)
	req.Header.Set("Authorization", "Bearer "+adminSecret)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if !json.Valid(body) {
		t.Fatalf("on call in 9999: %d %q", r2.StatusCode, body)
	}
}

// PostgreSQL down (or the store closed): 503 with Retry-After, on the API
// and on ingestion, so senders retry; not a 500 that reads as a bug.
func TestUnavailable_DatabaseDownIs503WithRetryAfter(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		var db *store.DB
		var down func()
		if d == store.Postgres {
			db, down = behindProxy(t, clock)
		} else {
			db = testdb.Open(t, d, clock)
			down = func() { db.Close() }
		}
		var logs bytes.Buffer
		e := serve(t, db, clock, logTo(&logs))
		svc, err := e.db.Paging.CreateService(context.Background(), herald.ServiceInput{Name: "Checkout"})
		if err != nil {
			t.Fatal(err)
		}
		down()
		for _, c := range []struct{ method, path, token, body string }{
			{"GET", "/api/v1/incidents", adminSecret, ""},
			{"POST", "/api/v1/incidents", adminSecret, `{"title":"Checkout down","severity":"S1"}`},
			{"POST", "/v2/enqueue", "", `{"routing_key":"` + svc.IntegrationKey + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"critical"}}`},
			{"POST", "/api/v1/ingest/alertmanager/" + svc.IntegrationKey, "", `{"version":"4","groupKey":"g","status":"firing","alerts":[]}`},
		} {
			resp, eb := e.raw(t, c.method, c.path, c.token, "application/json", c.body)
			if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s with the database down: %d %+v", c.method, c.path, resp.StatusCode, eb)
			}
			if strings.HasPrefix(c.path, "/api/v1/incidents") && eb.Error.Code != herald.EUnavailable {
				t.Errorf("%s %s: code %q", c.method, c.path, eb.Error.Code)
			}
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("an outage logged as an internal error: %s", logs.String())
		}
	})
}

// Under /api and on ingestion, a wrong method is a 405 that says which
// methods the path takes, in the JSON error shape; HEAD works wherever GET
// does.
func TestAPI_WrongMethodIs405WithAllowInJSON(t *testing.T) {
	for _, public := range []bool{false, true} {
		var e *env
		if public {
			e = setupPublic(t, store.SQLite, nil)
		} else {
			e = setup(t, store.SQLite, 0)
		}
		for _, c := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{"DELETE", "/api/v1/me", 405, "GET, HEAD"},
			{"OPTIONS", "/api/v1/me", 405, "GET, HEAD"},
			{"BREW", "/api/v1/me", 405, "GET, HEAD"},
			{"PUT", "/api/v1/incidents", 405, "GET, HEAD, POST"},
			{"DELETE", "/api/v1/incidents/INC-1", 405, "GET, HEAD, PATCH"},
			{"GET", "/api/v1/subscribers", 405, "POST"},
			{"POST", "/api/v1/subscribers/counts", 405, "GET, HEAD"},
			{"GET", "/api/v1/ingest/alertmanager/some-key", 405, "POST"},
			{"GET", "/v2/enqueue", 405, "POST"},
			{"PUT", "/v2/enqueue", 405, "POST"},
			{"POST", "/api/v1/openapi.json", 405, "GET, HEAD"},
			{"GET", "/api/v1/no-such-route", 404, ""},
			{"DELETE", "/api/v1/no-such-route", 404, ""},
		} {
			resp, eb := e.raw(t, c.method, c.path, adminSecret, "", "")
			want := map[int]string{404: herald.ENotFound, 405: herald.EMethod}[c.status]
			if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow || eb.Error.Code != want ||
				resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("public %v: %s %s: %d Allow %q %+v", public, c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), eb)
			}
		}
		if public {
			resp, eb := e.raw(t, "POST", "/api/v2/summary.json", "", "", "")
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" || eb.Error.Code != herald.EMethod {
				t.Errorf("POST summary.json: %d %q %+v", resp.StatusCode, resp.Header.Get("Allow"), eb)
			}
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/incidents", "/api/v1/openapi.json"} {
			req, _ := http.NewRequest("HEAD", e.http.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+adminSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(b) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("public %v: HEAD %s: %d %q", public, path, resp.StatusCode, b)
			}
		}
	}
}

// A client that trickles a body is cut off after the read timeout on every
// route, those outside the route table included.
func TestSlowBody_CutOffOnEveryRoute(t *testing.T) {
	e := setupPublic(t, store.SQLite, func(c *Config) { c.ReadTimeout = 300 * time.Millisecond })
	addr := strings.TrimPrefix(e.http.URL, "http://")
	for _, c := range []struct{ method, path, ctype, start string }{
		{"POST", "/v2/enqueue", "application/json", `{"routing_key":"`},
		{"POST", "/api/v1/ingest/alertmanager/some-key", "application/json", `{"version":"`},
		{"POST", "/api/v1/subscribers", "application/json", `{"email":"`},
		{"POST", "/api/v1/subscribers/import", "text/csv", "kind,target\nemail,"},
		{"POST", "/subscribe", "application/x-www-form-urlencoded", "email="},
		{"POST", "/unsubscribe", "application/x-www-form-urlencoded", "id="},
		{"GET", "/unsubscribe", "application/x-www-form-urlencoded", "id="},
		{"GET", "/subscribe/confirm", "application/x-www-form-urlencoded", "id="},
		{"POST", "/subscribe/confirm", "application/x-www-form-urlencoded", "id="},
		{"POST", "/api/v1/incidents", "application/json", `{"title":"`},
		{"POST", "/", "application/x-www-form-urlencoded", "a="},
	} {
		t.Run(c.method+c.path, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: herald.test\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\n%s",
				c.method, c.path, adminSecret, c.ctype, c.start)
			closed := make(chan struct{})
			go func() { io.Copy(io.Discard, conn); close(closed) }()
			start := time.Now()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-closed:
					if d := time.Since(start); d < 250*time.Millisecond {
						t.Errorf("cut after %s, before the timeout", d)
					}
					return
				case <-tick.C:
					if time.Since(start) > 5*time.Second {
						t.Fatal("still reading a trickled body after 5 s")
					}
					conn.Write([]byte("a"))
				}
			}
		})
	}
}

// A public page through the whole handler chain (headers, metrics,
// deadline check, dispatch, cache), as the load during an outage takes it.
func BenchmarkServer_PublicSummaryJSON(b *testing.B) {
	e := setupPublic(b, store.SQLite, nil)
	req := httptest.NewRequest("GET", "/api/v2/summary.json", nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
