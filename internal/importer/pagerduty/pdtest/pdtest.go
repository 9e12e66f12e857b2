// Package pdtest replays PagerDuty REST API responses for tests: an
// httptest server that answers the requests an import makes with JSON
// fixtures (testdata) written in the shape PagerDuty's API reference
// documents for each endpoint, and that refuses any request it does not
// expect: a wrong path or query, a missing or wrong
// "Authorization: Token token=..." header, the wrong API version.
//
// The fixtures describe one small account, listed PageSize records to a
// page, so that users and escalation policies take two pages each
// (offset, limit, more).
package pdtest

import (
	"embed"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

//go:embed testdata/*.json
var fixtures embed.FS

// PageSize is the limit the fixtures' pages were listed with.
const PageSize = 2

// Now is the moment the fixtures were taken at: overrides are asked for
// from then, four weeks ahead.
var Now = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

// Token is the API key the server accepts.
const Token = "replay-token-0000000"

// replies maps each request the import makes, as path?query (the query
// sorted), to its fixture.
var replies = map[string]string{
	"/users?limit=2":                                           "users-1.json",
	"/users?limit=2&offset=2":                                  "users-2.json",
	"/users/PXPGF42/contact_methods":                           "contact_methods-PXPGF42.json",
	"/users/PAM4FGS/contact_methods":                           "contact_methods-PAM4FGS.json",
	"/users/PXBE8ZN/contact_methods":                           "contact_methods-PXBE8ZN.json",
	"/users/PXPGF42/notification_rules":                        "notification_rules-PXPGF42.json",
	"/users/PAM4FGS/notification_rules":                        "notification_rules-PAM4FGS.json",
	"/users/PXBE8ZN/notification_rules":                        "notification_rules-PXBE8ZN.json",
	"/teams?limit=2":                                           "teams.json",
	"/teams/PQ9K7I8/members?limit=2":                           "members-PQ9K7I8.json",
	"/schedules?limit=2":                                       "schedules.json",
	"/schedules/PI7DH85":                                       "schedule-PI7DH85.json",
	"/schedules/PSEC001":                                       "schedule-PSEC001.json",
	"/schedules/PI7DH85/overrides?" + overridesRange:           "overrides-PI7DH85.json",
	"/schedules/PSEC001/overrides?" + overridesRange:           "overrides-PSEC001.json",
	"/escalation_policies?" + strategies + "&limit=2":          "escalation_policies-1.json",
	"/escalation_policies?" + strategies + "&limit=2&offset=2": "escalation_policies-2.json",
	"/services?limit=2":                                        "services.json",
}

const strategies = "include%5B%5D=escalation_rule_assignment_strategies"

const overridesRange = "overflow=true&since=2026-11-30T06%3A00%3A00Z&until=2026-12-28T06%3A00%3A00Z"

// Server is the replay.
type Server struct {
	*httptest.Server
	mu        sync.Mutex
	seen      []string
	throttled int
}

// Throttle makes the next n requests answer 429 Too Many Requests, as
// PagerDuty does when the account's rate limit is reached, with
// Retry-After: 0.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled = n
}

// NewServer starts a replay that accepts Token; it closes with the test.
// A request it does not expect fails the test.
func NewServer(t testing.TB) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if q := r.URL.Query(); len(q) > 0 {
			key += "?" + q.Encode()
		}
		s.mu.Lock()
		s.seen = append(s.seen, r.Method+" "+key)
		throttle := s.throttled > 0
		if throttle {
			s.throttled--
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if throttle {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error": {"message": "Too Many Requests"}}`))
			return
		}
		if r.Header.Get("Authorization") != "Token token="+Token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(fixture(t, "401.json"))
			return
		}
		if got := r.Header.Get("Accept"); got != "application/vnd.pagerduty+json;version=2" {
			t.Errorf("pdtest: %s %s: Accept %q, want the version 2 media type", r.Method, key, got)
		}
		file, ok := replies[key]
		if r.Method != http.MethodGet || !ok {
			t.Errorf("pdtest: unexpected request %s %s", r.Method, key)
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error": {"message": "Not Found", "code": 2100}}`))
			return
		}
		w.Write(fixture(t, file))
	}))
	t.Cleanup(s.Close)
	return s
}

func fixture(t testing.TB, name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		t.Errorf("pdtest: %v", err)
	}
	return b
}

// Requests are the requests served so far, as "GET path?query".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// Unrequested are the replies the import has not asked for yet.
// (A request answered 429 counts as asked for.)
func (s *Server) Unrequested() []string {
	seen := s.Requests()
	var out []string
	for k := range replies {
		if !slices.Contains(seen, "GET "+k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
