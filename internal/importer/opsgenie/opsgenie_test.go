package opsgenie

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/importertest"
)

const testKey = "eb24alp-faa2-4ba2-a551q-1alpf565c889"

// replay is an Opsgenie stand-in: it answers each documented endpoint the
// import reads with a fixture from testdata (testdata/replay.json),
// written in the shape Opsgenie's REST API reference documents, after
// checking the GenieKey. {{BASE}} in a fixture is the server's own URL, so
// paging.next links point back at it.
type replay struct {
	*importertest.Replay
	mu sync.Mutex
	// fail429 answers the first request to this path 429 once.
	fail429 string
}

func newReplay(t *testing.T) *replay {
	t.Helper()
	r := &replay{}
	r.Replay = importertest.New(t, importertest.Options{Dir: "testdata", Auth: "GenieKey " + testKey, Answer: func(w http.ResponseWriter, key string) bool {
		r.mu.Lock()
		busy := r.fail429 == key
		if busy {
			r.fail429 = ""
		}
		r.mu.Unlock()
		if busy {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message":"Too many requests","took":0.0,"requestId":"0"}`))
		}
		return busy
	}})
	return r
}

var testNow = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

// TestImport_ReplaysDocumentedResponses replays Opsgenie's documented API
// responses (users over two pages with their contact methods, a team with
// members and routing rules, schedules with rotations and overrides,
// escalations, and services over two pages) and checks the whole document
// and the warnings for what Herald cannot represent.
func TestImport_ReplaysDocumentedResponses(t *testing.T) {
	srv := newReplay(t)
	doc, warns, err := Import(context.Background(), Options{URL: srv.URL, Key: testKey, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv.ReadEach(t)

	// People with their contact methods.
	var users []string
	for _, u := range doc.Users {
		users = append(users, u.Email+"/"+u.Name+"/"+u.Role)
	}
	if want := []string{"ann@example.com/Ann Archer/admin", "ben@example.com/Ben Baker/responder", "cy@example.com/Cy Carter/responder"}; !slices.Equal(users, want) {
		t.Errorf("users %v, want %v", users, want)
	}
	wantAnn := []config.Contact{{Kind: "email", Target: "ann@example.com"}, {Kind: "sms", Target: "+4915112345678"}, {Kind: "voice", Target: "+4915112345678"}}
	if !slices.Equal(doc.Users[0].Contacts, wantAnn) {
		t.Errorf("ann's contacts %+v, want %+v", doc.Users[0].Contacts, wantAnn)
	}
	if !slices.Equal(doc.Users[1].Contacts, []config.Contact{{Kind: "email", Target: "ben@example.com"}}) {
		t.Errorf("ben's contacts %+v (the disabled SMS is left out)", doc.Users[1].Contacts)
	}
	if len(doc.Teams) != 1 || doc.Teams[0].Name != "Payments" || !slices.Equal(doc.Teams[0].Members, []string{"ann@example.com", "ben@example.com"}) {
		t.Errorf("teams %+v", doc.Teams)
	}

	// Rotations with start and length.
	if len(doc.Schedules) != 1 {
		t.Fatalf("schedules %+v, want only Payments_schedule (Old rotation's only rotation ended)", doc.Schedules)
	}
	s := doc.Schedules[0]
	if s.Name != "Payments_schedule" || s.Team != "Payments" || s.TimeZone != "America/New_York" {
		t.Errorf("schedule %+v", s)
	}
	wantLayers := []config.Layer{
		{Name: "Weekly", Rotation: "weekly", HandoffTime: "09:00", Start: time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC), Users: []string{"ann@example.com", "ben@example.com"}},
		{Name: "Business hours", Rotation: "daily", HandoffTime: "08:00", Start: time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC), Users: []string{"ben@example.com"}},
		{Name: "Twelve hours", Rotation: "custom", Length: "12h", Start: time.Date(2026, 11, 7, 12, 0, 0, 0, time.UTC), Users: []string{"cy@example.com", "ann@example.com"}},
	}
	importertest.Layers(t, s.Layers, wantLayers)
	wantOverrides := []config.Override{
		{User: "ann@example.com", Start: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC)},
		{User: "ben@example.com", Start: time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)},
	}
	if len(s.Overrides) != len(wantOverrides) {
		t.Fatalf("overrides %+v", s.Overrides)
	}
	for i, w := range wantOverrides {
		if g := s.Overrides[i]; g.User != w.User || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("override %d: got %+v, want %+v", i+1, g, w)
		}
	}

	// Levels: rules with the same delay share one; each level waits until
	// the next rule's delay; the last waits the repeat's interval.
	if len(doc.EscalationPolicies) != 1 {
		t.Fatalf("policies %+v, want only Payments_escalation", doc.EscalationPolicies)
	}
	p := doc.EscalationPolicies[0]
	wantLevels := []config.Level{
		{Timeout: "10m", Targets: []config.Target{{Schedule: "Payments_schedule"}}},
		{Timeout: "50m", Targets: []config.Target{{User: "ben@example.com"}, {User: "ann@example.com"}}},
		{Timeout: "20m", Targets: []config.Target{{User: "ann@example.com"}}},
	}
	if p.Name != "Payments_escalation" || p.Team != "Payments" || p.Repeat != 2 || len(p.Levels) != len(wantLevels) {
		t.Fatalf("policy %+v", p)
	}
	importertest.Levels(t, p.Levels, wantLevels)

	// Services with the policy their team routes to by default.
	if len(doc.Services) != 2 {
		t.Fatalf("services %+v", doc.Services)
	}
	if g := doc.Services[0]; g.Name != "Checkout API" || g.Team != "Payments" || g.Policy != "Payments_escalation" || g.Description != "Takes the money" {
		t.Errorf("service %+v", g)
	}
	if g := doc.Services[1]; g.Name != "Ledger" || g.Policy != "" {
		t.Errorf("service %+v, want no policy", g)
	}

	importertest.Warned(t, warns, []string{
		"custom role \"Incident Commander\"",
		"mobile contact Pixel 8: Opsgenie's mobile app has no Herald equivalent",
		"sms contact 1-5555550100: disabled",
		"notification rules",
		`rotation "Business hours": on call only within its time restriction (weekday-and-time-of-day)`,
		`rotation "Business hours": a turn with nobody on call`,
		`rotation "Twelve hours": ends at 2027-03-01T00:00:00Z`,
		"pages whoever is on call in each of its 3 rotations at once",
		`override "new-year": applies to the rotations Weekly only`,
		`schedule "Payments_schedule": overrides that ended before the import are left out (1)`,
		`schedule "Old rotation" is disabled`,
		`rotation "Last year": ended at`,
		`rule 4 (team Payments): "if not closed" is not in Herald`,
		"the team is paged as its admins at the time of the import (1)",
		`escalation "Payments_critical", rule 1 (schedule Old rotation): the schedule was not imported`,
		`escalation "Payments_critical" pages nobody`,
		`the routing rule "Critical" (to escalation Payments_critical) is not imported`,
		`service "Ledger": no escalation reached`,
	}...)

	importertest.Reparses(t, doc)
}

// TestImport_BadKey: Opsgenie answering 401 (its documented answer to a
// key it does not know) is a clear error, and nothing is returned.
func TestImport_BadKey(t *testing.T) {
	srv := newReplay(t)
	doc, _, err := Import(context.Background(), Options{URL: srv.URL, Key: "wrong"})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Could not authenticate") || doc != nil {
		t.Fatalf("Import with a wrong key = %v, %v", doc, err)
	}
}

// TestImport_WaitsOutRateLimit: a 429 (Opsgenie's rate limit) is waited
// out and the request tried again, rather than failing the import.
func TestImport_WaitsOutRateLimit(t *testing.T) {
	srv := newReplay(t)
	srv.fail429 = "/v2/teams"
	c, err := newClient(srv.URL, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	var waited []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	teams, err := list[team](context.Background(), c, "/v2/teams", "teams")
	if err != nil || len(teams) != 1 || !slices.Equal(waited, []time.Duration{time.Second}) {
		t.Fatalf("teams %+v, err %v, waited %v", teams, err, waited)
	}
}

// TestList_NextOnAnotherHostStaysHere: a paging link naming another host
// (Opsgenie's own, behind a proxy given as --api-url) is read from the
// API URL given, so the key goes nowhere else.
func TestList_NextOnAnotherHostStaysHere(t *testing.T) {
	var hosts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts = append(hosts, r.Host+r.URL.RequestURI())
		if r.URL.Query().Get("offset") == "1" {
			w.Write([]byte(`{"data":[{"id":"y","username":"y@example.com"}],"paging":{}}`))
			return
		}
		w.Write([]byte(`{"data":[{"id":"x","username":"x@example.com"}],"paging":{"next":"https://elsewhere.example.com/v2/users?limit=1&offset=1"}}`))
	}))
	defer srv.Close()
	c, err := newClient(srv.URL, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := list[user](context.Background(), c, "/v2/users?limit=1&offset=0", "users")
	if err != nil || len(users) != 2 || users[1].Username != "y@example.com" {
		t.Fatalf("users %+v, err %v", users, err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if !slices.Equal(hosts, []string{host + "/v2/users?limit=1&offset=0", host + "/v2/users?limit=1&offset=1"}) {
		t.Errorf("requests %v", hosts)
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{"49-15112345678": "+4915112345678", "1-555 555 0100": "+15555550100", "+44-7700900123": "+447700900123"} {
		if got := phone(in); got != want {
			t.Errorf("phone(%q) = %q, want %q", in, got, want)
		}
	}
}
