package worker_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The communications role is reminded of a due update through every
// contact method, like a page: a signed webhook and a real e-mail.
func TestRule13_UpdateReminderReachesTheCommunicationsRole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, ann, herald.DeclareInput{Title: "Checkout errors", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.AssignRole(f.ctx, ann, inc.ID, herald.RoleCommunications, herald.RoleInput{User: f.ann.ID}); err != nil {
			t.Fatal(err)
		}
		api := f.component(t, "API")
		decideStatusPage(t, f.db, ann, inc.ID)
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, ann, herald.StatusIncidentInput{Name: "Checkout errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		if f.hook.count() != 0 {
			t.Fatal("reminded 15 minutes before the update is due")
		}
		f.clock.Advance(15 * time.Minute) // S2 investigating: due now
		f.tick(t)
		if f.hook.count() != 1 || f.hook.bad != 0 {
			t.Fatalf("webhook got %d (bad signatures %d)", f.hook.count(), f.hook.bad)
		}
		body := f.hook.bodies[0]
		if !strings.Contains(body, `"type":"prompt.update_due"`) || !strings.Contains(body, inc.Reference+": public update due now") {
			t.Fatalf("webhook body %s", body)
		}
		msgs := f.mail.Messages(t)
		if len(msgs) != 1 || msgs[0].ToList() != "ann@example.com" || msgs[0].Subject != inc.Reference+": public update due now" {
			t.Fatalf("mail: %+v", msgs)
		}
		text := f.mail.Text(t, msgs[0].ID)
		if !strings.Contains(text, "no material updates") || !strings.Contains(text, "is due now (") || !strings.Contains(text, f.db.Links().Incident(inc.Reference)) {
			t.Fatalf("mail text: %s", text)
		}
		f.tick(t)
		if f.hook.count() != 1 || len(f.mail.Messages(t)) != 1 {
			t.Fatal("the reminder went twice")
		}
	})
}

// Two instances on one PostgreSQL run the playbook's rules at the same
// time, again and again: each reminder is made, and sent, once.
func TestPrompts_OnceAcrossInstances(t *testing.T) {
	u := testdb.URL(t, store.Postgres)
	a, b := testdb.Instance(t, u), testdb.Instance(t, u)
	ctx := context.Background()
	s, err := a.Settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Playbook.Updates.Before = herald.Duration(24 * time.Hour) // due within the lead time at once
	if _, err := a.Settings.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	var incidents []string
	for i := range 5 {
		user, err := a.People.CreateUser(ctx, herald.UserInput{Name: "Comms " + string(rune('A'+i)), Email: "comms" + string(rune('a'+i)) + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.People.CreateContactMethod(ctx, user.ID, herald.ContactMethodInput{Kind: "email", Target: user.Email}); err != nil {
			t.Fatal(err)
		}
		actor := herald.Actor{User: user, Role: herald.RoleResponder}
		inc, err := a.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: "Outage", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Incidents.AssignRole(ctx, actor, inc.ID, herald.RoleCommunications, herald.RoleInput{User: user.ID}); err != nil {
			t.Fatal(err)
		}
		decideStatusPage(t, a, actor, inc.ID)
		if _, err := a.StatusPage.CreateStatusIncident(ctx, actor, herald.StatusIncidentInput{Name: "Outage", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false); err != nil {
			t.Fatal(err)
		}
		incidents = append(incidents, inc.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for _, db := range []*store.DB{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				errs <- db.Work.RunPlaybook(ctx)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sent := 0
	for _, db := range []*store.DB{a, b} {
		for {
			o, err := db.Work.Claim(ctx, store.LanePrompt)
			if err != nil {
				t.Fatal(err)
			}
			if o == nil {
				break
			}
			sent++
			if err := db.Work.Complete(ctx, o, store.Result{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sent != len(incidents) {
		t.Fatalf("%d reminders sent for %d incidents; want one each", sent, len(incidents))
	}
	for _, id := range incidents {
		ps, err := b.Incidents.Prompts(ctx, id)
		if err != nil || len(ps) != 1 || ps[0].Delivered != 1 {
			t.Fatalf("prompts of %s: %+v %v", id, ps, err)
		}
	}
}

// Reminders go to people through the senders that page them, but on a loop
// of their own: a reminder whose receiver hangs holds up no page.
func TestPaging_NotDelayedByStalledPrompts(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		hang := newStalled(t)
		f.w.BulkTimeout = time.Minute // longer than the test: the prompt senders stay stuck
		s, err := f.db.Settings.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Playbook.Updates.Before = herald.Duration(24 * time.Hour)
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		// As many hanging reminders as there are page senders (4): were
		// reminders sent by the paging loop, no sender would be left.
		for i := range 4 {
			u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Comms", Email: "comms" + string(rune('a'+i)) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "webhook", Target: hang.srv.URL}); err != nil {
				t.Fatal(err)
			}
			actor := herald.Actor{User: u, Role: herald.RoleResponder}
			inc, err := f.db.Incidents.DeclareIncident(f.ctx, actor, herald.DeclareInput{Title: "Outage", Severity: herald.S3})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.Incidents.AssignRole(f.ctx, actor, inc.ID, herald.RoleCommunications, herald.RoleInput{User: u.ID}); err != nil {
				t.Fatal(err)
			}
			decideStatusPage(t, f.db, actor, inc.ID)
			if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, actor, herald.StatusIncidentInput{Name: "Outage", IncidentID: inc.ID,
				StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan struct{})
		go func() { f.w.Run(ctx, 50*time.Millisecond); close(done) }()
		defer func() { hang.free(); cancel(); <-done }()

		eventually(t, 30*time.Second, "both prompt senders stuck on a reminder", func() bool { return hang.hits.Load() >= 2 })
		f.trigger(t, "while-reminding")
		eventually(t, 30*time.Second, "the page delivered while reminders hang", func() bool { return f.hook.count() == 1 })
		if n := hang.hits.Load(); n != 2 {
			t.Fatalf("%d requests reached the stalled endpoint; want the 2 prompt senders still stuck", n)
		}
	})
}

// decideStatusPage records R10's decision that the status page is needed
// (nobody leads these incidents, so any responder may), so that the first
// public update can go out.
func decideStatusPage(t *testing.T, db *store.DB, actor herald.Actor, ref string) {
	t.Helper()
	if _, err := db.Incidents.RecordDecision(context.Background(), actor, ref, herald.DecisionInput{Kind: herald.DecisionStatusPage,
		What: "Status page needed", Rationale: "customers are affected"}); err != nil {
		t.Fatal(err)
	}
}
