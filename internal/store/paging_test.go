package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func (f *fixture) service(t *testing.T, name, policy string, g *herald.Grouping) *herald.Service {
	t.Helper()
	s, err := f.db.Paging.CreateService(f.ctx, herald.ServiceInput{Name: name, EscalationPolicyID: policy, Grouping: g})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func trigger(key, dedup, summary string) herald.Event {
	return herald.Event{RoutingKey: key, EventAction: "trigger", DedupKey: dedup,
		Payload: &herald.EventPayload{Summary: summary, Source: "db-1", Severity: "critical"}}
}

func (f *fixture) enqueue(t *testing.T, ev herald.Event) string {
	t.Helper()
	k, err := f.db.Paging.Enqueue(f.ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRule02_PageIsTriggeredAcknowledgedResolved(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := f.service(t, "Database", "", nil)
		f.enqueue(t, trigger(svc.IntegrationKey, "disk-full", "Disk full on db-1"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 10)
		if len(pages) != 1 || pages[0].Status != herald.PageTriggered {
			t.Fatalf("pages %+v", pages)
		}
		p, err := f.db.Paging.AcknowledgePage(f.ctx, f.alice, pages[0].ID)
		if err != nil || p.Status != herald.PageAcknowledged || p.AckedBy != "Alice" || p.NextEscalation != nil {
			t.Fatalf("ack: %+v %v", p, err)
		}
		_, err = f.db.Paging.AcknowledgePage(f.ctx, f.alice, p.ID)
		wantCode(t, err, herald.EUnprocessable)
		// Monitoring resolves by dedup key.
		f.enqueue(t, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "resolve", DedupKey: "disk-full"})
		p, _ = f.db.Paging.Page(f.ctx, p.ID)
		if p.Status != herald.PageResolved || p.ResolvedAt == nil {
			t.Fatalf("resolve: %+v", p)
		}
		// A new trigger with the same key after resolution is a new page.
		f.enqueue(t, trigger(svc.IntegrationKey, "disk-full", "Disk full again"))
		if pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, herald.PageTriggered, 10); len(pages) != 1 || pages[0].ID == p.ID {
			t.Fatalf("re-trigger: %+v", pages)
		}
	})
}

func TestEnqueue_DedupKeyFoldsRepeatedTriggers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := f.service(t, "API", "", nil)
		for range 5 {
			f.clock.Advance(time.Minute)
			f.enqueue(t, trigger(svc.IntegrationKey, "http-5xx", "5xx above 2%"))
		}
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 10)
		if len(pages) != 1 || pages[0].Count != 5 || pages[0].DedupKey != "http-5xx" || !pages[0].LastSeen.Equal(f.clock.Now()) || pages[0].LastSeen.Equal(pages[0].FirstSeen) {
			t.Fatalf("pages %+v", pages)
		}
		// No dedup key: Herald makes one and returns it.
		k := f.enqueue(t, trigger(svc.IntegrationKey, "", "something else"))
		if k == "" {
			t.Fatal("no dedup key returned")
		}
		// Unknown keys and bad events change nothing.
		_, err := f.db.Paging.Enqueue(f.ctx, trigger("nope", "x", "y"))
		wantCode(t, err, herald.ENotFound)
		_, err = f.db.Paging.Enqueue(f.ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", Payload: &herald.EventPayload{Summary: "x"}})
		he, _ := err.(*herald.Error)
		if he == nil || !strings.Contains(he.Fields["errors"], "payload.source") || !strings.Contains(he.Fields["errors"], "payload.severity") {
			t.Fatalf("bad event: %v", err)
		}
		if pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 10); len(pages) != 2 {
			t.Fatalf("%d pages", len(pages))
		}
	})
}

func TestEnqueue_FloodOfDistinctAlertsIsGrouped(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := f.service(t, "Web", "", &herald.Grouping{Threshold: 3, WindowMinutes: 5})
		for i := range 100 {
			f.enqueue(t, trigger(svc.IntegrationKey, "host-"+string(rune('a'+i%26))+string(rune('a'+i/26)), "host down"))
		}
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 200)
		if len(pages) != 3 || pages[0].Alerts != 98 {
			t.Fatalf("%d pages, newest groups %d alerts", len(pages), pages[0].Alerts)
		}
		// Outside the window, a new alert pages again.
		f.clock.Advance(6 * time.Minute)
		f.enqueue(t, trigger(svc.IntegrationKey, "late", "another"))
		if pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 200); len(pages) != 4 {
			t.Fatalf("%d pages after the window", len(pages))
		}
	})
}

// oncallSetup makes an escalation policy like the handbook's: the engineer
// on call first, the incident lead after 30 minutes without an answer.
func oncallSetup(t *testing.T, f *fixture) *herald.Service {
	t.Helper()
	start := f.clock.Now().Add(-time.Hour)
	if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "EOC", Shadows: []string{"carol@example.com"},
		Layers: []herald.Layer{{Rotation: herald.RotationDaily, HandoffTime: "00:00", Start: start, Users: []string{"alice@example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "IMOC",
		Layers: []herald.Layer{{Rotation: herald.RotationWeekly, HandoffTime: "09:00", Start: start, Users: []string{"bob@example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "Dedicated", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "schedule", ID: "EOC"}}},
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "schedule", ID: "IMOC"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return f.service(t, "Tenant acme", pol.ID, nil)
}

func (f *fixture) escalate(t *testing.T) int {
	t.Helper()
	n, err := f.db.Work.RunEscalations(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func notified(t *testing.T, f *fixture, pageID string) string {
	t.Helper()
	ns, err := f.db.Paging.Notifications(f.ctx, pageID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{f.alice.User.ID: "alice", f.bob.User.ID: "bob", f.carol.User.ID: "carol"}
	var out []string
	for _, n := range ns {
		s := names[n.UserID]
		if n.Shadow {
			s += "(shadow)"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

func TestRule05_UnacknowledgedPageEscalatesAfter30Minutes(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "Tenant acme is down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		id := pages[0].ID
		f.escalate(t)
		if got := notified(t, f, id); got != "alice,carol(shadow)" {
			t.Fatalf("level 1 paged %q", got)
		}
		f.clock.Advance(29 * time.Minute)
		if f.escalate(t) != 0 {
			t.Fatal("escalated before 30 minutes")
		}
		f.clock.Advance(time.Minute)
		f.escalate(t)
		if got := notified(t, f, id); got != "alice,carol(shadow),bob" {
			t.Fatalf("after 30 minutes paged %q", got)
		}
		// The page list says the same, by e-mail address.
		pages, _ = f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		if got := strings.Join(pages[0].Notified, ","); got != f.alice.User.Email+","+f.carol.User.Email+" (shadow),"+f.bob.User.Email {
			t.Fatalf("the page list says it notified %q", got)
		}
		// The lead acknowledges: nothing more happens.
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, id); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour)
		if f.escalate(t) != 0 {
			t.Fatal("escalated after the acknowledgement")
		}
	})
}

func TestEscalation_RepeatsAndCatchesUpAfterDowntime(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		pol, _ := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "p", Repeat: 1, Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}},
		}})
		svc := f.service(t, "s", pol.ID, nil)
		f.enqueue(t, trigger(svc.IntegrationKey, "k", "x"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		// Herald was down for an hour: on start it takes the overdue step at
		// once, then keeps the normal timeouts rather than paging every
		// level in one burst.
		f.clock.Advance(time.Hour)
		if n := f.escalate(t); n != 1 {
			t.Fatalf("%d steps after downtime, want 1", n)
		}
		for range 4 {
			f.clock.Advance(10 * time.Minute)
			if n := f.escalate(t); n != 1 {
				t.Fatalf("%d steps", n)
			}
		}
		if got := notified(t, f, pages[0].ID); got != "alice,bob,alice,bob" {
			t.Fatalf("paged %q", got)
		}
		if f.escalate(t) != 0 {
			t.Fatal("an exhausted policy keeps paging")
		}
	})
}

func TestRule03_ShadowsAreNotifiedButCannotAcknowledge(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		f.escalate(t)
		if got := notified(t, f, pages[0].ID); !strings.Contains(got, "carol(shadow)") {
			t.Fatalf("the shadow was not notified: %q", got)
		}
		_, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, pages[0].ID)
		wantCode(t, err, herald.EForbidden)
		if p, _ := f.db.Paging.Page(f.ctx, pages[0].ID); p.Status != herald.PageTriggered {
			t.Fatal("the shadow's attempt changed the page")
		}
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.alice, pages[0].ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRule05_ManualEscalationToLevel2PagesTheIncidentLeadNow(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		f.escalate(t)
		f.clock.Advance(5 * time.Minute)
		p, err := f.db.Paging.EscalatePage(f.ctx, f.alice, pages[0].ID, 2)
		if err != nil || p.Status != herald.PageTriggered {
			t.Fatal(p, err)
		}
		if got := notified(t, f, pages[0].ID); got != "alice,carol(shadow),bob" {
			t.Fatalf("after escalating to level 2: %q", got)
		}
		_, err = f.db.Paging.EscalatePage(f.ctx, f.alice, pages[0].ID, 3)
		wantCode(t, err, herald.EInvalid)
	})
}

// A repeated trigger, an acknowledgement or a resolution gives the worker
// nothing to do; waking it for each (as every trigger did) made it run a
// full round of queries per event under an event storm.
func TestEnqueue_OnlyANewPageWakesTheWorker(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := f.service(t, "API", "", nil)
		woken := func() bool {
			select {
			case <-f.db.Work.Wake():
				return true
			default:
				return false
			}
		}
		woken()
		for i, step := range []struct {
			ev   herald.Event
			want bool
		}{
			{trigger(svc.IntegrationKey, "5xx", "5xx above 2%"), true},
			{trigger(svc.IntegrationKey, "5xx", "5xx above 2%"), false},
			{trigger(svc.IntegrationKey, "5xx", "5xx above 2%"), false},
			{herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "acknowledge", DedupKey: "5xx"}, false},
			{herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "resolve", DedupKey: "5xx"}, false},
			{trigger(svc.IntegrationKey, "5xx", "5xx again"), true},
		} {
			f.enqueue(t, step.ev)
			if got := woken(); got != step.want {
				t.Fatalf("event %d (%s): woke the worker %v, want %v", i, step.ev.EventAction, got, step.want)
			}
		}
	})
}

// Events are committed in batches (several keys and repeats in one
// statement on PostgreSQL); the result must be what taking them one by one
// gives, also with two instances on one database racing for the same keys.
// Each key sees 10 triggers at once, an acknowledgement, 5 triggers at
// once, a resolution and 3 triggers at once, spread over both instances.
func TestEnqueue_ConcurrentEventsFoldAsIfOneByOne(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		url, dir := testdb.URL(t, d), t.TempDir()
		var dbs [2]*store.DB
		for i := range dbs {
			db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: dir, Clock: clock, SecretKey: testdb.TestSecretKey})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			dbs[i] = db
		}
		ctx := context.Background()
		svc, err := dbs[0].Paging.CreateService(ctx, herald.ServiceInput{Name: "API", Grouping: &herald.Grouping{}})
		if err != nil {
			t.Fatal(err)
		}
		const keys = 20
		var wg sync.WaitGroup
		errs := make(chan error, keys*20)
		burst := func(k, n int, action string) {
			var bw sync.WaitGroup
			for i := range n {
				bw.Add(1)
				go func() {
					defer bw.Done()
					ev := herald.Event{RoutingKey: svc.IntegrationKey, EventAction: action, DedupKey: fmt.Sprintf("key-%02d", k)}
					if action == "trigger" {
						ev.Payload = &herald.EventPayload{Summary: "disk full", Source: "db-1", Severity: "critical"}
					}
					if _, err := dbs[(k+i)%2].Paging.Enqueue(ctx, ev); err != nil {
						errs <- err
					}
				}()
			}
			bw.Wait()
		}
		for k := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				burst(k, 10, "trigger")
				burst(k, 1, "acknowledge")
				burst(k, 5, "trigger")
				burst(k, 1, "resolve")
				burst(k, 3, "trigger")
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		pages, err := dbs[1].Paging.Pages(ctx, svc.ID, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, p := range pages {
			got[p.DedupKey] = append(got[p.DedupKey], fmt.Sprintf("%s %d alerts %d acked by %q", p.Status, p.Count, p.Alerts, p.AckedBy))
		}
		for k := range keys {
			key := fmt.Sprintf("key-%02d", k)
			slices.Sort(got[key])
			want := []string{`resolved 15 alerts 1 acked by "monitoring (API)"`, `triggered 3 alerts 1 acked by ""`}
			if !slices.Equal(got[key], want) {
				t.Errorf("%s: pages %q, want %q", key, got[key], want)
			}
			if p, err := dbs[0].Paging.OpenPage(ctx, svc.ID, key); err != nil || p.Count != 3 {
				t.Errorf("%s: open page %+v, %v", key, p, err)
			}
		}
	})
}
