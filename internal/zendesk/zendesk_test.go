package zendesk_test

// No public Zendesk can run here: these tests talk to zendesktest, a
// server that answers the documented requests (Search API, Add Tags, API
// token authentication, 429 with Retry-After) the way Zendesk's API
// reference shows them, and records what it received.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/zendesk"
	"github.com/heraldhq/herald/internal/zendesk/zendesktest"
)

const (
	email = "agent@example.com"
	token = "zd-secret-token-6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"
)

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func desk(t *testing.T) *zendesktest.Server {
	var tickets []zendesktest.Ticket
	for i := range 7 {
		tickets = append(tickets, zendesktest.Ticket{ID: int64(100 + i), Subject: "Checkout fails with 502", Description: "The checkout page errors",
			Status: "open", CreatedAt: start.Add(time.Duration(i) * 10 * time.Minute), Tags: []string{"web"}})
	}
	tickets = append(tickets,
		zendesktest.Ticket{ID: 90, Subject: "Checkout fails", CreatedAt: start.Add(-time.Hour)},                     // before the window
		zendesktest.Ticket{ID: 91, Subject: "Password reset mail late", CreatedAt: start.Add(time.Minute)},          // another matter
		zendesktest.Ticket{ID: 92, Subject: "checkout FAILS again", CreatedAt: start.Add(3 * time.Hour), Tags: nil}, // after the window's end
	)
	s := zendesktest.New(email, token, tickets...)
	t.Cleanup(s.Close)
	return s
}

func client(t *testing.T, s *zendesktest.Server, waits *[]time.Duration) *zendesk.Client {
	c, err := zendesk.New(herald.TicketCredentials{Kind: "zendesk", URL: s.URL, Email: email, Token: token}, s.Client())
	if err != nil {
		t.Fatal(err)
	}
	c.Wait = func(_ context.Context, d time.Duration) error { *waits = append(*waits, d); return nil }
	return c
}

func TestZendesk_SearchFollowsNextPageWithTokenAuth(t *testing.T) {
	s := desk(t)
	s.PerPage = 3
	var waits []time.Duration
	c := client(t, s, &waits)
	end := start.Add(2 * time.Hour)
	got, err := c.Search(context.Background(), herald.TicketWindow{Start: start, End: &end}, "checkout fails")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if want := []string{"100", "101", "102", "103", "104", "105", "106"}; !slices.Equal(ids, want) {
		t.Fatalf("tickets %v, want %v (window and text, every page)", ids, want)
	}
	if got[0].Subject != "Checkout fails with 502" || !slices.Equal(got[0].Tags, []string{"web"}) || got[0].URL != s.URL+"/agent/tickets/100" || !got[0].CreatedAt.Equal(start) {
		t.Fatalf("ticket %+v", got[0])
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+"/token:"+token))
	for i, r := range reqs {
		if r.Method != "GET" || r.Path != "/api/v2/search.json" || r.Auth != wantAuth {
			t.Fatalf("request %d: %s %s auth %q", i, r.Method, r.Path, r.Auth)
		}
		if want := `type:ticket created>2026-11-23T08:59:59Z created<2026-11-23T11:00:01Z "checkout fails"`; r.Query != want {
			t.Fatalf("query %q, want %q", r.Query, want)
		}
	}
	if reqs[1].Page != "2" || reqs[2].Page != "3" {
		t.Fatalf("pages %q %q: next_page not followed", reqs[1].Page, reqs[2].Page)
	}
}

func TestZendesk_RateLimitWaitsOutRetryAfter(t *testing.T) {
	s := desk(t)
	s.RateLimit(2, 7)
	var waits []time.Duration
	c := client(t, s, &waits)
	got, err := c.Search(context.Background(), herald.TicketWindow{Start: start}, "checkout")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 { // 100-106 and 92: open-ended window
		t.Fatalf("%d tickets after the rate limit, want 8", len(got))
	}
	if !slices.Equal(waits, []time.Duration{7 * time.Second, 7 * time.Second}) {
		t.Fatalf("waited %v, want Retry-After 7s twice", waits)
	}
	if n := len(s.Requests()); n != 3 {
		t.Fatalf("%d requests, want 2 limited and 1 answered", n)
	}

	// A Retry-After longer than the client waits in place fails the call,
	// for the sweep to retry later from its row.
	s.RateLimit(1, 3600)
	waits = nil
	if _, err := c.Search(context.Background(), herald.TicketWindow{Start: start}, "checkout"); err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("long Retry-After: %v", err)
	}
	if len(waits) != 0 {
		t.Fatalf("waited %v for an hour-long Retry-After", waits)
	}
}

func TestZendesk_AddTagPutsTheDocumentedBody(t *testing.T) {
	s := desk(t)
	var waits []time.Duration
	c := client(t, s, &waits)
	if err := c.AddTag(context.Background(), "101", "incident_42"); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if r.Method != "PUT" || r.Path != "/api/v2/tickets/101/tags.json" || r.ContentType != "application/json" || !slices.Equal(body.Tags, []string{"incident_42"}) {
		t.Fatalf("request %+v", r)
	}
	if tags := s.Tags(101); !slices.Equal(tags, []string{"web", "incident_42"}) {
		t.Fatalf("tags after Add Tags %v: the ticket's other tags must stay", tags)
	}
	if err := c.AddTag(context.Background(), "999", "incident_42"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown ticket: %v", err)
	}
	if err := c.AddTag(context.Background(), "../users/1", "incident_42"); err == nil {
		t.Fatal("a ticket id that is not a number was sent")
	}
}

func TestZendesk_RefusedTokenNamesNoSecret(t *testing.T) {
	s := desk(t)
	c, err := zendesk.New(herald.TicketCredentials{Kind: "zendesk", URL: s.URL, Email: email, Token: "wrong-" + token}, s.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(context.Background(), herald.TicketWindow{Start: start}, "checkout")
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), token) {
		t.Fatalf("refused token: %v", err)
	}
	if s := fmtCreds(); strings.Contains(s, token) {
		t.Fatalf("credentials print their token: %s", s)
	}
}

func fmtCreds() string {
	c := herald.TicketCredentials{Kind: "zendesk", URL: "https://example.zendesk.com", Email: email, Token: token}
	return fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
}
