package store_test

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

// twoLevels is a policy paging Alice, then Bob after 10 minutes, with
// the given acknowledgement expiry, on a service of its own.
func twoLevels(t *testing.T, f *fixture, expiry time.Duration) (svc *herald.Service, pageID string) {
	t.Helper()
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "two levels", AckExpiry: herald.Duration(expiry), Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pol.AckExpiry != herald.Duration(expiry) {
		t.Fatalf("ack_expiry %v stored as %v", expiry, pol.AckExpiry)
	}
	svc = f.service(t, "API", pol.ID, nil)
	f.enqueue(t, trigger(svc.IntegrationKey, "5xx", "5xx above 2%"))
	pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
	f.escalate(t)
	f.clock.Advance(10 * time.Minute)
	f.escalate(t)
	if got := notified(t, f, pages[0].ID); got != "alice,bob" {
		t.Fatalf("before acknowledging: %q", got)
	}
	return svc, pages[0].ID
}

func logKinds(t *testing.T, f *fixture, pageID, kind string) []herald.PageLogEntry {
	t.Helper()
	log, err := f.db.Paging.PageLog(f.ctx, pageID)
	if err != nil {
		t.Fatal(err)
	}
	var out []herald.PageLogEntry
	for _, e := range log {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestAckExpiry_UnresolvedAcknowledgementTriggersThePageAgainAndRepagesTheLevel(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		_, id := twoLevels(t, f, 30*time.Minute)
		p, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := f.clock.Now().Add(30 * time.Minute); p.Status != herald.PageAcknowledged || p.RetriggerAt == nil || !p.RetriggerAt.Equal(want) || p.NextEscalation != nil {
			t.Fatalf("acknowledged page %+v, want retrigger_at %s", p, want)
		}
		f.clock.Advance(29 * time.Minute)
		if n := f.escalate(t); n != 0 {
			t.Fatalf("%d steps before the acknowledgement expired", n)
		}
		f.clock.Advance(time.Minute)
		if n := f.escalate(t); n != 2 {
			t.Fatalf("%d steps when it expired, want 2 (trigger again, page)", n)
		}
		// Bob acknowledged at level 2: level 2 is paged again.
		if got := notified(t, f, id); got != "alice,bob,bob" {
			t.Fatalf("after the expiry: %q", got)
		}
		p, _ = f.db.Paging.Page(f.ctx, id)
		if p.Status != herald.PageTriggered || p.AckedBy != "" || p.RetriggerAt != nil || p.Level != 1 {
			t.Fatalf("page after the expiry %+v", p)
		}
		if l := logKinds(t, f, id, "retriggered"); len(l) != 1 || !strings.Contains(l[0].Text, "Acknowledgement by Bob expired") {
			t.Fatalf("log %+v", l)
		}
		// An acknowledgement by monitoring expires as well; resolving ends it.
		svc, _ := f.db.Paging.Service(f.ctx, "API")
		f.enqueue(t, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "acknowledge", DedupKey: "5xx"})
		if p, _ := f.db.Paging.Page(f.ctx, id); p.AckedBy != "monitoring (API)" || p.RetriggerAt == nil || !p.RetriggerAt.Equal(f.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("acknowledged by monitoring: %+v", p)
		}
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.alice, id); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour)
		if n := f.escalate(t); n != 0 {
			t.Fatalf("a resolved page took %d steps", n)
		}
	})
}

func TestAckExpiry_OffByDefault(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc, id := twoLevels(t, f, 0)
		// Monitoring acknowledges: the acknowledgement lasts until resolved.
		f.enqueue(t, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "acknowledge", DedupKey: "5xx"})
		p, _ := f.db.Paging.Page(f.ctx, id)
		if p.Status != herald.PageAcknowledged || p.RetriggerAt != nil {
			t.Fatalf("page %+v", p)
		}
		f.clock.Advance(48 * time.Hour)
		if n := f.escalate(t); n != 0 {
			t.Fatalf("%d steps without ack_expiry", n)
		}
	})
}

func TestSnooze_PageIsTriggeredAgainFromLevel1WhenTheSnoozeEnds(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		_, id := twoLevels(t, f, 0)
		p, err := f.db.Paging.SnoozePage(f.ctx, f.bob, id, herald.SnoozeInput{For: herald.Duration(time.Hour)})
		end := f.clock.Now().Add(time.Hour)
		if err != nil || p.Status != herald.PageAcknowledged || p.AckedBy != "Bob" || p.SnoozedUntil == nil || !p.SnoozedUntil.Equal(end) || !p.RetriggerAt.Equal(end) {
			t.Fatalf("snoozed page %+v, %v", p, err)
		}
		if l := logKinds(t, f, id, "snoozed"); len(l) != 1 || !strings.Contains(l[0].Text, "Snoozed by Bob until 2026-11-23 10:10 UTC") {
			t.Fatalf("log %+v", l)
		}
		f.clock.Advance(59 * time.Minute)
		if n := f.escalate(t); n != 0 {
			t.Fatalf("%d steps while snoozed", n)
		}
		f.clock.Advance(time.Minute)
		f.escalate(t)
		if got := notified(t, f, id); got != "alice,bob,alice" {
			t.Fatalf("when the snooze ended: %q", got)
		}
		if l := logKinds(t, f, id, "retriggered"); len(l) != 1 || !strings.Contains(l[0].Text, "Snooze by Bob ended") || !strings.Contains(l[0].Text, "from level 1") {
			t.Fatalf("log %+v", l)
		}
		p, _ = f.db.Paging.Page(f.ctx, id)
		if p.Status != herald.PageTriggered || p.SnoozedUntil != nil || p.Level != 0 {
			t.Fatalf("page after the snooze %+v", p)
		}
		// A fresh escalation: level 2 follows after its timeout.
		f.clock.Advance(10 * time.Minute)
		f.escalate(t)
		if got := notified(t, f, id); got != "alice,bob,alice,bob" {
			t.Fatalf("after the snooze's level 1 timed out: %q", got)
		}
		// Snoozing until a time; snoozing again moves the end.
		until := f.clock.Now().Add(20 * time.Minute)
		if _, err := f.db.Paging.SnoozePage(f.ctx, f.alice, id, herald.SnoozeInput{Until: &until}); err != nil {
			t.Fatal(err)
		}
		p, err = f.db.Paging.SnoozePage(f.ctx, f.alice, id, herald.SnoozeInput{For: herald.Duration(2 * time.Hour)})
		if err != nil || !p.SnoozedUntil.Equal(f.clock.Now().Add(2*time.Hour)) {
			t.Fatalf("snoozed again: %+v %v", p, err)
		}
		f.clock.Advance(time.Hour)
		if n := f.escalate(t); n != 0 {
			t.Fatalf("%d steps at the first snooze's end", n)
		}
	})
}

func TestSnooze_RefusesBadTimesShadowsAndResolvedPages(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f) // Carol shadows the engineers
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		id := pages[0].ID
		f.escalate(t)
		past := f.clock.Now().Add(-time.Minute)
		for _, in := range []herald.SnoozeInput{{}, {For: herald.Duration(30 * time.Second)}, {For: herald.Duration(25 * time.Hour)}, {Until: &past},
			{Until: &past, For: herald.Duration(time.Hour)}} {
			_, err := f.db.Paging.SnoozePage(f.ctx, f.alice, id, in)
			wantCode(t, err, herald.EInvalid)
		}
		_, err := f.db.Paging.SnoozePage(f.ctx, f.carol, id, herald.SnoozeInput{For: herald.Duration(time.Hour)})
		wantCode(t, err, herald.EForbidden)
		if p, _ := f.db.Paging.Page(f.ctx, id); p.Status != herald.PageTriggered || p.SnoozedUntil != nil {
			t.Fatalf("a refused snooze changed the page: %+v", p)
		}
		f.db.Paging.ResolvePage(f.ctx, f.alice, id)
		_, err = f.db.Paging.SnoozePage(f.ctx, f.alice, id, herald.SnoozeInput{For: herald.Duration(time.Hour)})
		wantCode(t, err, herald.EUnprocessable)
		_, err = f.db.Paging.SnoozePage(f.ctx, f.alice, "nope", herald.SnoozeInput{For: herald.Duration(time.Hour)})
		wantCode(t, err, herald.ENotFound)
	})
}

// The end of a snooze is a row, not a timer: an instance other than the
// one that snoozed (or one started after a restart) triggers the page
// again, and of several instances racing for it exactly one does.
func TestSnooze_EndIsTakenOnceAcrossInstancesAndRestarts(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		url, dir := testdb.URL(t, d), t.TempDir()
		open := func() *store.DB {
			db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: dir, Clock: clock, SecretKey: testdb.TestSecretKey})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return db
		}
		// The instance that snoozes stops (a restart) before the end.
		f := &fixture{db: open(), clock: clock, ctx: context.Background()}
		for _, name := range []string{"Alice", "Bob", "Carol"} {
			u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Manager: name == "Carol"})
			if err != nil {
				t.Fatal(err)
			}
			f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email})
			*map[string]*herald.Actor{"Alice": &f.alice, "Bob": &f.bob, "Carol": &f.carol}[name] = herald.Actor{User: u, Role: herald.RoleResponder}
		}
		_, id := twoLevels(t, f, 0)
		if _, err := f.db.Paging.SnoozePage(f.ctx, f.bob, id, herald.SnoozeInput{For: herald.Duration(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		f.db.Close()
		var dbs [3]*store.DB
		for i := range dbs {
			dbs[i] = open()
			t.Cleanup(func() { dbs[i].Close() })
		}
		f.db = dbs[0]
		clock.Advance(time.Hour)
		var wg sync.WaitGroup
		for _, db := range dbs {
			wg.Go(func() {
				if _, err := db.Work.RunEscalations(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := notified(t, f, id); got != "alice,bob,alice" {
			t.Fatalf("after the snooze ended on three instances: %q", got)
		}
		if l := logKinds(t, f, id, "retriggered"); len(l) != 1 {
			t.Fatalf("triggered again %d times: %+v", len(l), l)
		}
	})
}

func TestEscalation_RepeatRoundsStartAtTheChosenLevel(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		levels := []herald.EscalationLevel{
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}},
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "carol@example.com"}}},
		}
		_, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "bad", Repeat: 1, RepeatFromLevel: 4, Levels: levels})
		wantCode(t, err, herald.EInvalid)
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "p", Repeat: 1, RepeatFromLevel: 2, Levels: levels})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Paging.EscalationPolicy(f.ctx, pol.ID); got.RepeatFromLevel != 2 {
			t.Fatalf("stored policy %+v", got)
		}
		svc := f.service(t, "s", pol.ID, nil)
		f.enqueue(t, trigger(svc.IntegrationKey, "k", "x"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		f.escalate(t)
		for range 6 {
			f.clock.Advance(10 * time.Minute)
			f.escalate(t)
		}
		if got := notified(t, f, pages[0].ID); got != "alice,bob,carol,bob,carol" {
			t.Fatalf("paged %q, want the repeat round from level 2", got)
		}
	})
}
