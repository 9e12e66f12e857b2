package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// setupPublic is setup with the public status page served too, and cfg
// applied on top of the defaults.
func setupPublic(t testing.TB, d store.Dialect, cfg func(*Config)) *env {
	t.Helper()
	e := &env{clock: testdb.NewClock()}
	e.db = testdb.Open(t, d, e.clock)
	if err := e.db.EnsureAdminToken(context.Background(), adminSecret); err != nil {
		t.Fatal(err)
	}
	pages := statuspage.NewCache(e.db, e.clock, "http://herald.test", nil)
	if err := pages.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := Config{Store: e.db, BaseURL: "http://herald.test", Version: "test", Pages: pages}
	if cfg != nil {
		cfg(&c)
	}
	e.srv = New(c)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	e.admin = client.New(e.http.URL, adminSecret)
	return e
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
