package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// TestAccessLog_OneJSONLinePerRequestWithItsID: every request gets one
// access log line (method, route pattern, status, duration, request id) in
// JSON; the id is the caller's X-Request-ID when it is a short printable
// token and a new one otherwise, and comes back in the header and in a JSON
// error body.
func TestAccessLog_OneJSONLinePerRequestWithItsID(t *testing.T) {
	var logs bytes.Buffer
	incidents := &fakeIncidents{byRef: map[string]*herald.Incident{"INC-7": {ID: "i7", Number: 7, Reference: "INC-7", Title: "Checkout errors", Severity: herald.S2, State: herald.Identified}}}
	srv := New(Config{
		Services: herald.Services{Incidents: incidents, People: fakePeople{actor: herald.Actor{User: herald.User{ID: "u1", Name: "Ada"}, Role: herald.RoleViewer}}},
		Links:    links.New("https://herald.example.com"), Version: "test",
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	generated := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, tc := range []struct {
		name, method, path, sentID string
		status                     int
		route                      string
		keepsID                    bool
	}{
		{"found, the proxy's id kept", "GET", "/api/v1/incidents/INC-7", "lb-7f3a:91", 200, "GET /api/v1/incidents/{id}", true},
		{"error body carries the id", "GET", "/api/v1/incidents/INC-8", "req-404", 404, "GET /api/v1/incidents/{id}", true},
		{"no id sent: one is made", "GET", "/healthz", "", 200, "GET /healthz", false},
		{"too long: replaced", "GET", "/healthz", strings.Repeat("a", 65), 200, "GET /healthz", false},
		{"a space: replaced", "GET", "/healthz", "two words", 200, "GET /healthz", false},
		{"a control character: replaced", "GET", "/healthz", "x\x1by", 200, "GET /healthz", false},
		{"a path with a secret is logged by its pattern", "POST", "/api/v1/integrations/alertmanager/SECRETKEY", "", 0, "", false},
		{"unknown API path: the catch-all pattern", "GET", "/api/v1/nothing-here", "", 404, "/api/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(""))
			req.Header.Set("Authorization", "Bearer right")
			if tc.sentID != "" {
				req.Header.Set(RequestIDHeader, tc.sentID)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			id := rec.Header().Get(RequestIDHeader)
			if tc.keepsID && id != tc.sentID || !tc.keepsID && !generated.MatchString(id) {
				t.Errorf("X-Request-ID %q (sent %q)", id, tc.sentID)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			var entry map[string]any
			var access []map[string]any
			for _, l := range lines {
				if err := json.Unmarshal([]byte(l), &entry); err != nil {
					t.Fatalf("a log line is not JSON: %q", l)
				}
				if entry["msg"] == "request" {
					access = append(access, entry)
				}
				entry = nil
			}
			if len(access) != 1 {
				t.Fatalf("%d access lines:\n%s", len(access), logs.String())
			}
			a := access[0]
			if a["method"] != tc.method || a["status"] != float64(rec.Code) || a["request_id"] != id || a["level"] != "INFO" {
				t.Errorf("access line %v; answer %d, id %s", a, rec.Code, id)
			}
			if d, ok := a["duration_ms"].(float64); !ok || d < 0 {
				t.Errorf("duration_ms %v", a["duration_ms"])
			}
			if tc.route != "" && a["route"] != tc.route {
				t.Errorf("route %v, want %s", a["route"], tc.route)
			}
			if tc.status != 0 && rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if strings.Contains(logs.String(), "SECRETKEY") {
				t.Errorf("the path's secret is in the log:\n%s", logs.String())
			}
			if rec.Code >= 400 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				var body ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.RequestID != id {
					t.Errorf("error body %s: request_id %q, want %q (%v)", rec.Body, body.Error.RequestID, id, err)
				}
			}
		})
	}
}
