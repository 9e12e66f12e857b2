package worker_test

// The sweeps talk to zendesktest, a stand-in that answers Zendesk's
// documented requests: no public Zendesk can run here.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
	"github.com/heraldhq/herald/internal/zendesk"
	"github.com/heraldhq/herald/internal/zendesk/zendesktest"
)

const deskToken = "zd-token-Jq8s1mWq0VxT3pLr9bN2cY7u"

type ticketFixture struct {
	db    *store.DB
	clock *testdb.Clock
	w     *worker.Worker
	desk  *zendesktest.Server
	ctx   context.Context
	ann   herald.Actor
	inc   *herald.Incident
	waits []time.Duration
	logs  *bytes.Buffer
}

func setupTickets(t *testing.T, d store.Dialect) *ticketFixture {
	t.Helper()
	f := &ticketFixture{clock: testdb.NewClock(), ctx: context.Background(), logs: &bytes.Buffer{}}
	f.db = testdb.Open(t, d, f.clock)
	u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	f.ann = herald.Actor{User: u, Role: herald.RoleResponder}
	if f.inc, err = f.db.Incidents.DeclareIncident(f.ctx, f.ann, herald.DeclareInput{Title: "Checkout errors", Severity: herald.S2, Services: []string{"checkout"}}); err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	tag := "incident_" + itoa(f.inc.Number)
	f.desk = zendesktest.New("agent@example.com", deskToken,
		zendesktest.Ticket{ID: 1, Subject: "Checkout broken", CreatedAt: now.Add(time.Minute), Tags: []string{"web"}},
		zendesktest.Ticket{ID: 2, Subject: "checkout times out", CreatedAt: now.Add(2 * time.Minute)},
		zendesktest.Ticket{ID: 3, Subject: "Checkout again", CreatedAt: now.Add(3 * time.Minute), Tags: []string{tag}}, // tagged already
		zendesktest.Ticket{ID: 4, Subject: "Checkout last week", CreatedAt: now.Add(-7 * 24 * time.Hour)},              // before the incident
		zendesktest.Ticket{ID: 5, Subject: "Invoice wrong", CreatedAt: now.Add(4 * time.Minute)},                       // another matter
	)
	f.desk.PerPage = 1 // every ticket on its own page
	t.Cleanup(f.desk.Close)
	f.w = &worker.Worker{Work: f.db.Work, Log: slog.New(slog.NewTextHandler(f.logs, nil)), Tickets: f.db.Work,
		TicketSystem: func(c herald.TicketCredentials) (herald.TicketSystem, error) {
			z, err := zendesk.New(c, f.desk.Client())
			if z != nil {
				z.Wait = func(_ context.Context, d time.Duration) error { f.waits = append(f.waits, d); return nil }
			}
			return z, err
		}}
	if _, err := f.db.Tickets.ConnectTicketSystem(f.ctx, f.ann, herald.TicketConnectionInput{Kind: "zendesk", URL: f.desk.URL, Email: "agent@example.com", Token: deskToken}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Minute)
	return f
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func (f *ticketFixture) item(t *testing.T, key string) herald.ChecklistItem {
	t.Helper()
	c, err := f.db.Incidents.Checklist(f.ctx, f.inc.Reference)
	if err != nil {
		t.Fatal(err)
	}
	_, it, err := c.Find(herald.RoleCommunications, key)
	if err != nil {
		t.Fatal(err)
	}
	return *it
}

func TestRule20_SweepFindsUntaggedTicketsAndTagsThePicked(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupTickets(t, d)
		f.desk.RateLimit(1, 2) // the first search is rate limited
		sw, err := f.db.Tickets.Sweep(f.ctx, f.ann, f.inc.Reference, herald.SweepInput{})
		if err != nil {
			t.Fatal(err)
		}
		if sw.State != herald.SweepQueued || sw.Tag != "incident_"+itoa(f.inc.Number) || !slices.Equal(sw.Keywords, []string{"checkout"}) {
			t.Fatalf("queued sweep %+v", sw)
		}
		if it := f.item(t, "answer_tickets"); it.Checked {
			t.Fatal("the sweep item is checked before any sweep ran")
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		sw, err = f.db.Tickets.TicketSweep(f.ctx, f.inc.Reference, sw.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tk := range sw.Found {
			ids = append(ids, tk.ID)
		}
		if sw.State != herald.SweepDone || !slices.Equal(ids, []string{"1", "2"}) || len(sw.Tagged) != 0 || sw.Attempts != 1 {
			t.Fatalf("sweep %s found %v tagged %v after %d attempts, want done, found [1 2] (untagged, in the window, about checkout)", sw.State, ids, sw.Tagged, sw.Attempts)
		}
		if !slices.Equal(f.waits, []time.Duration{2 * time.Second}) {
			t.Fatalf("waited %v, want the 429's Retry-After of 2s", f.waits)
		}
		// Found but not tagged: the item stays open.
		if it := f.item(t, "answer_tickets"); it.Checked {
			t.Fatal("the sweep item is checked while found tickets are untagged")
		}

		// Tag the one the person picks.
		if _, err := f.db.Tickets.TagTickets(f.ctx, f.ann, f.inc.Reference, herald.TagTicketsInput{TicketIDs: []string{"5"}}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("tagging a ticket the sweep did not find: %v", err)
		}
		tg, err := f.db.Tickets.TagTickets(f.ctx, f.ann, f.inc.Reference, herald.TagTicketsInput{TicketIDs: []string{"2"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		if tags := f.desk.Tags(2); !slices.Contains(tags, sw.Tag) {
			t.Fatalf("ticket 2 tags %v, want %s", tags, sw.Tag)
		}
		if tags := f.desk.Tags(1); slices.Contains(tags, sw.Tag) {
			t.Fatal("ticket 1 was tagged without being picked")
		}
		tg, _ = f.db.Tickets.TicketSweep(f.ctx, f.inc.Reference, tg.ID)
		if tg.State != herald.SweepDone || !slices.Equal(tg.Tagged, []string{"2"}) {
			t.Fatalf("tagging %+v", tg)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, f.inc.Reference, herald.EntryTickets)
		if len(tl) != 2 || !strings.Contains(tl[0].Text, "found 2 untagged") || !strings.Contains(tl[1].Text, "Tagged 1 support ticket "+sw.Tag) || tl[1].Actor != "Ann" {
			t.Fatalf("timeline %+v", tl)
		}
		if it := f.item(t, "answer_tickets"); !it.Checked || it.How != herald.CheckedAuto {
			t.Fatalf("the Manage sweep item after tagging: %+v", it)
		}
		// The Resolve item needs a sweep after the all-clear or resolution.
		if it := f.item(t, "final_ticket_check"); it.Checked {
			t.Fatal("the Resolve sweep item is checked by a sweep during the incident")
		}
		inc, _ := f.db.Incidents.Incident(f.ctx, f.inc.Reference)
		resolved := herald.Resolved
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.ann, f.inc.Reference, herald.UpdateInput{Version: inc.Version, State: &resolved}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if _, err := f.db.Tickets.Sweep(f.ctx, f.ann, f.inc.Reference, herald.SweepInput{Apply: true}); err != nil {
			t.Fatal(err)
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		if tags := f.desk.Tags(1); !slices.Contains(tags, sw.Tag) || !slices.Contains(tags, "web") {
			t.Fatalf("ticket 1 tags %v after the sweep with apply: tagged, other tags kept", tags)
		}
		if it := f.item(t, "final_ticket_check"); !it.Checked || it.How != herald.CheckedAuto {
			t.Fatalf("the Resolve sweep item after a sweep that tagged all: %+v", it)
		}
		// Every request carried the token only in the documented header;
		// searches were paged; tags were added with the documented body.
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("agent@example.com/token:"+deskToken))
		pages, puts := 0, 0
		for _, r := range f.desk.Requests() {
			if r.Auth != auth || strings.Contains(r.Body, deskToken) || strings.Contains(r.Query, deskToken) {
				t.Fatalf("request %+v: want the token only in basic auth as {email}/token:{token}", r)
			}
			if r.Page != "" {
				pages++
			}
			if r.Method == "PUT" {
				puts++
				if r.Body != `{"tags":["`+sw.Tag+`"]}` || !strings.HasSuffix(r.Path, "/tags.json") {
					t.Fatalf("tag request %+v", r)
				}
			}
		}
		if pages == 0 || puts != 2 {
			t.Fatalf("%d next pages followed, %d tags added; want pages and 2", pages, puts)
		}
		if strings.Contains(f.logs.String(), deskToken) {
			t.Fatal("the token is in the worker's log")
		}
	})
}

func TestRule20_FailedSweepStaysOnItsRow(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupTickets(t, d)
		f.desk.Token = "rotated" // the stored token is refused now
		sw, err := f.db.Tickets.Sweep(f.ctx, f.ann, f.inc.Reference, herald.SweepInput{})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		sw, _ = f.db.Tickets.TicketSweep(f.ctx, f.inc.Reference, sw.ID)
		if sw.State != herald.SweepQueued || sw.Attempts != 1 || !strings.Contains(sw.LastError, "401") || strings.Contains(sw.LastError, deskToken) {
			t.Fatalf("failed sweep %s attempts %d error %q", sw.State, sw.Attempts, sw.LastError)
		}
		if sw.NextAttemptAt == nil || !sw.NextAttemptAt.After(f.clock.Now()) {
			t.Fatalf("next attempt %v, want backoff", sw.NextAttemptAt)
		}
		// Not due yet: the next tick leaves it alone.
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.db.Tickets.TicketSweep(f.ctx, f.inc.Reference, sw.ID); again.Attempts != 1 {
			t.Fatalf("retried before its backoff: %d attempts", again.Attempts)
		}
		for range herald.MaxSweepAttempts {
			f.clock.Advance(time.Hour)
			if err := f.w.Tick(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		sw, _ = f.db.Tickets.TicketSweep(f.ctx, f.inc.Reference, sw.ID)
		if sw.State != herald.SweepFailed || sw.Attempts != herald.MaxSweepAttempts || sw.FinishedAt == nil {
			t.Fatalf("after %d attempts: %s", sw.Attempts, sw.State)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, f.inc.Reference, herald.EntryTickets)
		if len(tl) != 1 || !strings.Contains(tl[0].Text, "failed after 5 attempts") {
			t.Fatalf("timeline %+v", tl)
		}
		if strings.Contains(f.logs.String(), deskToken) {
			t.Fatal("the token is in the worker's log")
		}
	})
}
