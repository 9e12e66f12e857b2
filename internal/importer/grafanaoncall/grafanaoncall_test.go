package grafanaoncall

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/importertest"
)

const testToken = "oncall-test-token"

// newReplay is an OnCall stand-in: it answers each documented list
// endpoint with a fixture from testdata (testdata/replay.json), written in
// the shape OnCall's public API reference documents, after checking the
// token. {{BASE}} in a fixture is the server's own URL, so `next` links
// point back at it.
func newReplay(t *testing.T) *importertest.Replay {
	return importertest.New(t, importertest.Options{Dir: "testdata", Auth: testToken})
}

var testNow = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

// TestImport_ReplaysDocumentedResponses replays OnCall's documented API
// responses (users over two pages, teams, schedules and their shifts,
// escalation chains and their steps, integrations and routes) and checks
// the whole document and the warnings for what Herald cannot represent.
func TestImport_ReplaysDocumentedResponses(t *testing.T) {
	srv := newReplay(t)
	doc, warns, err := Import(context.Background(), Options{URL: srv.URL + "/", Token: testToken, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv.ReadEach(t)

	// People: the user without an e-mail address is left out, by name.
	var emails []string
	for _, u := range doc.Users {
		emails = append(emails, u.Email+"/"+u.Role)
	}
	if want := []string{"alex@example.com/admin", "bea@example.com/responder", "cho@example.com/viewer"}; !slices.Equal(emails, want) {
		t.Errorf("users %v, want %v", emails, want)
	}
	if c := doc.Users[0].Contacts; len(c) != 1 || c[0] != (config.Contact{Kind: "email", Target: "alex@example.com"}) {
		t.Errorf("alex's contacts %+v", c)
	}
	if len(doc.Teams) != 1 || doc.Teams[0].Name != "SRE" || !slices.Equal(doc.Teams[0].Members, []string{"alex@example.com", "bea@example.com"}) {
		t.Errorf("teams %+v", doc.Teams)
	}

	// Rotations: by OnCall level (the higher last, as Herald's later layer
	// wins), with their start and length.
	if len(doc.Schedules) != 1 {
		t.Fatalf("schedules %+v, want only Primary (the iCal one is left out)", doc.Schedules)
	}
	s := doc.Schedules[0]
	if s.Name != "Primary" || s.Team != "SRE" || s.TimeZone != "Europe/Berlin" {
		t.Errorf("schedule %+v", s)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	wantLayers := []config.Layer{
		{Name: "Weekly primary", Rotation: "weekly", HandoffTime: "09:00", Start: time.Date(2026, 11, 2, 9, 0, 0, 0, berlin), Users: []string{"alex@example.com", "bea@example.com"}},
		{Name: "Half days", Rotation: "custom", Length: "12h", Start: time.Date(2026, 11, 7, 20, 0, 0, 0, time.UTC), Users: []string{"alex@example.com", "bea@example.com"}},
		{Name: "Office hours", Rotation: "daily", HandoffTime: "08:00", Start: time.Date(2026, 11, 2, 8, 0, 0, 0, berlin), Users: []string{"cho@example.com", "bea@example.com"}},
	}
	importertest.Layers(t, s.Layers, wantLayers)
	// Overrides: the future one; the one that ended is left out, counted.
	if len(s.Overrides) != 1 || s.Overrides[0].User != "cho@example.com" ||
		!s.Overrides[0].Start.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, berlin)) || !s.Overrides[0].End.Equal(time.Date(2026, 12, 25, 0, 0, 0, 0, berlin)) {
		t.Errorf("overrides %+v", s.Overrides)
	}

	// Levels with their delays and targets; the repeat step is the repeat.
	if len(doc.EscalationPolicies) != 1 {
		t.Fatalf("policies %+v, want only Default (Webhook only pages nobody)", doc.EscalationPolicies)
	}
	p := doc.EscalationPolicies[0]
	wantLevels := []config.Level{
		{Timeout: "15m", Targets: []config.Target{{Schedule: "Primary"}}},
		{Timeout: "30m", Targets: []config.Target{{User: "alex@example.com"}, {User: "bea@example.com"}}},
		{Timeout: "30m", Targets: []config.Target{{User: "alex@example.com"}, {User: "bea@example.com"}}},
	}
	if p.Name != "Default" || p.Team != "SRE" || p.Repeat != 5 || len(p.Levels) != len(wantLevels) {
		t.Fatalf("policy %+v", p)
	}
	importertest.Levels(t, p.Levels, wantLevels)

	// Services with their policy, from the default route.
	if len(doc.Services) != 2 {
		t.Fatalf("services %+v", doc.Services)
	}
	if g := doc.Services[0]; g.Name != "Grafana Alerting" || g.Policy != "Default" || g.Team != "SRE" || g.Description != "Production alerts" {
		t.Errorf("service %+v", g)
	}
	if g := doc.Services[1]; g.Name != "Webhook" || g.Policy != "" {
		t.Errorf("service %+v, want no policy", g)
	}

	importertest.Warned(t, warns, []string{
		"grafana-bot", // no e-mail address
		"notification rules",
		`schedule "Legacy iCal" is made from an iCal feed`,
		`shift "Office hours": on call for 8h of every 24h, on MO, TU, WE, TH, FR only`,
		"2 people are on call together in one turn",
		"ended before the import are left out (1)",
		`team "SRE" is paged as its 2 members`,
		`step 1 (trigger_webhook): has no Herald equivalent`,
		`escalation chain "Webhook only" pages nobody`,
		`integration "Webhook": its escalation chain "Webhook only" was not imported`,
		`the route matching "severity=\"critical\"" (to escalation chain "Webhook only")`,
	}...)

	// The document is one the configuration reader takes back.
	importertest.Reparses(t, doc)
}

// TestImport_BadToken: OnCall answering 401 (its documented answer to a
// wrong token) is a clear error that says what to fix, and nothing is
// returned.
func TestImport_BadToken(t *testing.T) {
	srv := newReplay(t)
	doc, _, err := Import(context.Background(), Options{URL: srv.URL, Token: "wrong"})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "401") || doc != nil {
		t.Fatalf("Import with a wrong token = %v, %v", doc, err)
	}
}

// TestList_NextOnAnotherHostStaysHere: a `next` link naming another host
// (or http behind a TLS proxy) is read from the URL given, so the token
// goes nowhere else.
func TestList_NextOnAnotherHostStaysHere(t *testing.T) {
	var hosts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts = append(hosts, r.Host+r.URL.RequestURI())
		if r.URL.Query().Get("page") == "2" {
			w.Write([]byte(`{"count":2,"next":null,"previous":null,"results":[{"id":"U2","email":"b@example.com"}]}`))
			return
		}
		w.Write([]byte(`{"count":2,"next":"http://elsewhere.example.com/api/v1/users/?page=2","previous":null,"results":[{"id":"U1","email":"a@example.com"}]}`))
	}))
	defer srv.Close()
	c, err := newClient(srv.URL, testToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := list[user](context.Background(), c, "users")
	if err != nil || len(users) != 2 || users[1].Email != "b@example.com" {
		t.Fatalf("users %+v, err %v", users, err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if !slices.Equal(hosts, []string{host + "/api/v1/users/", host + "/api/v1/users/?page=2"}) {
		t.Errorf("requests %v", hosts)
	}
}

// TestImport_NotOnCall: a URL that is not OnCall's (404 on its API) says
// which URL is wanted.
func TestImport_NotOnCall(t *testing.T) {
	srv := newReplay(t)
	_, _, err := Import(context.Background(), Options{URL: srv.URL + "/grafana", Token: testToken})
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "OnCall engine") {
		t.Fatalf("err = %v", err)
	}
}

func TestImport_NeedsURLAndToken(t *testing.T) {
	for _, o := range []Options{{URL: "", Token: "x"}, {URL: "oncall.example.com", Token: "x"}, {URL: "https://oncall.example.com", Token: ""}} {
		if _, _, err := Import(context.Background(), o); err == nil {
			t.Errorf("Import(%+v) succeeded", o)
		}
	}
}
