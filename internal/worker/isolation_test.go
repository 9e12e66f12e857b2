package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// stalled is a webhook endpoint that never answers until released: what an
// attacker signs up as a status page subscriber.
type stalled struct {
	srv     *httptest.Server
	hits    atomic.Int64
	release chan struct{}
	once    sync.Once
}

func newStalled(t *testing.T) *stalled {
	s := &stalled{release: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { s.free(); s.srv.Close() })
	return s
}

func (s *stalled) free() { s.once.Do(func() { close(s.release) }) }

// eventually polls cond until it holds or the wait is over.
func eventually(t *testing.T, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, wait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A broadcast whose every receiver hangs keeps all broadcast senders busy;
// a page triggered meanwhile still goes out, because paging has loops of its
// own. Before, one loop ran broadcasts and pages in turn, and 40 stalled
// subscribers held a page back for 45 seconds.
func TestPaging_NotDelayedByStalledSubscribers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		hang := newStalled(t)
		f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(true)}
		f.w.BulkSenders = 4
		f.w.BulkTimeout = time.Minute // longer than the test: the senders stay stuck
		api := f.component(t, "API")
		for i := range 40 {
			if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: fmt.Sprintf("%s/%d", hang.srv.URL, i)}, true); err != nil {
				t.Fatal(err)
			}
		}
		f.publish(t, api.ID, nil)
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan struct{})
		go func() { f.w.Run(ctx, 50*time.Millisecond); close(done) }()
		defer func() { hang.free(); cancel(); <-done }()

		eventually(t, 30*time.Second, "every broadcast sender stuck on a subscriber", func() bool { return hang.hits.Load() >= 4 })
		f.trigger(t, "while-broadcasting")
		eventually(t, 30*time.Second, "the page delivered while the broadcast hangs", func() bool { return f.hook.count() == 1 })
		if n := hang.hits.Load(); n != 4 {
			t.Fatalf("%d requests reached the stalled endpoint; want the 4 senders still stuck", n)
		}
	})
}

// A subscriber that answers too slowly is paused after three slow answers
// in a row, and its pending deliveries are dropped: it costs a few
// timeouts, not one per update.
func TestBroadcast_SlowSubscriberIsPaused(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		hang := newStalled(t)
		f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(true)}
		f.w.BulkTimeout = 100 * time.Millisecond
		f.w.BulkSenders = 1 // in order, so the count of tries is exact
		api := f.component(t, "API")
		slow, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: hang.srv.URL}, true)
		if err != nil {
			t.Fatal(err)
		}
		fine := newReceiver(t)
		ok, _ := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: fine.srv.URL}, true)
		fine.secret = ok.Secret
		for range 5 {
			f.publish(t, api.ID, nil)
		}
		for range 4 {
			f.tick(t)
			f.clock.Advance(10 * time.Minute) // past every backoff
		}
		if n := hang.hits.Load(); n != 3 {
			t.Fatalf("the slow subscriber was tried %d times; want 3, then paused", n)
		}
		if fine.count() != 5 {
			t.Fatalf("the healthy subscriber got %d of 5 updates", fine.count())
		}
		counts, err := f.db.Subscribers.SubscriberCounts(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["webhook"]["paused"] != 1 {
			t.Fatalf("counts %v; want the slow one paused (%s)", counts, slow.ID)
		}
	})
}

// Each kind of poison row records its failure on itself, and a healthy page
// on the same instance is still escalated and delivered.
func TestPoisonRows_FailOnTheirRowAndThePageStillGoesOut(t *testing.T) {
	kinds := []struct {
		name   string
		poison func(t *testing.T, f *fixture)
		check  func(t *testing.T, f *fixture)
	}{
		{"delivery whose secret no longer decrypts", func(t *testing.T, f *fixture) {
			bob := f.user(t, "bob@example.com")
			hook := newReceiver(t)
			m, err := f.db.People.CreateContactMethod(f.ctx, bob.ID, herald.ContactMethodInput{Kind: "webhook", Target: hook.srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			f.exec(t, `UPDATE contact_methods SET secret_enc = 'v1:garbage' WHERE id = $1`, m.ID)
			f.policyService(t, "Bob's", "bob@example.com").trigger(t, f, "poison")
		}, func(t *testing.T, f *fixture) {
			var status, lastErr string
			var attempts int
			f.query(t, `SELECT d.status, d.attempts, d.last_error FROM deliveries d JOIN contact_methods m ON m.id = d.contact_method_id
				JOIN users u ON u.id = m.user_id WHERE u.email = 'bob@example.com'`, &status, &attempts, &lastErr)
			if status != "pending" || attempts != 1 || !strings.Contains(lastErr, "secret") {
				t.Fatalf("poisoned delivery: %s, %d attempts, %q", status, attempts, lastErr)
			}
		}},
		{"escalation whose policy cannot be read", func(t *testing.T, f *fixture) {
			f.user(t, "bob@example.com")
			svc := f.policyService(t, "Broken", "bob@example.com")
			f.exec(t, `UPDATE escalation_policies SET levels = 'not json' WHERE name = 'Broken'`)
			svc.trigger(t, f, "poison")
		}, func(t *testing.T, f *fixture) {
			var attempts int
			var stepErr string
			f.query(t, `SELECT p.step_attempts, p.step_error FROM pages p JOIN services s ON s.id = p.service_id WHERE s.name = 'Broken service'`, &attempts, &stepErr)
			if attempts != 1 || !strings.Contains(stepErr, "escalation policy") {
				t.Fatalf("poisoned page: %d attempts, %q", attempts, stepErr)
			}
		}},
		{"maintenance step that fails", func(t *testing.T, f *fixture) {
			from := f.clock.Now().Add(-time.Minute)
			until := from.Add(time.Hour)
			name := "Broken maintenance"
			m, err := f.db.Maintenances.CreateMaintenance(f.ctx, herald.Actor{User: f.ann, Role: herald.RoleAdmin}, herald.MaintenanceInput{Name: &name, Body: &name,
				ScheduledFor: &from, ScheduledUntil: &until})
			if err != nil {
				t.Fatal(err)
			}
			f.refuseUpdatesOf(t, m.ID)
		}, func(t *testing.T, f *fixture) {
			ms, err := f.db.Maintenances.Maintenances(f.ctx, 10)
			if err != nil || len(ms) != 1 {
				t.Fatal(ms, err)
			}
			if m := ms[0]; m.Status != herald.MaintenanceScheduled || m.StepAttempts != 1 || !strings.Contains(m.StepError, "poison") {
				t.Fatalf("poisoned maintenance: %s, %d attempts, %q", m.Status, m.StepAttempts, m.StepError)
			}
		}},
		{"two rules on one method with different delays", func(t *testing.T, f *fixture) {
			bob := f.user(t, "bob@example.com")
			m, err := f.db.People.CreateContactMethod(f.ctx, bob.ID, herald.ContactMethodInput{Kind: "email", Target: "bob@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			for _, delay := range []int{0, 5} {
				if _, err := f.db.People.AddNotificationRule(f.ctx, bob.ID, m.ID, delay); err != nil {
					t.Fatal(err)
				}
			}
			f.policyService(t, "Bob's", "bob@example.com").trigger(t, f, "twice")
		}, func(t *testing.T, f *fixture) {
			f.clock.Advance(6 * time.Minute)
			f.tick(t)
			n := 0
			for _, m := range f.mail.Messages(t) {
				if m.ToList() == "bob@example.com" {
					n++
				}
			}
			if n != 2 {
				t.Fatalf("bob got %d mails; want one now and one after 5 minutes", n)
			}
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
				f := setup(t, d)
				k.poison(t, f)
				f.trigger(t, "healthy")
				f.tick(t)
				if f.hook.count() != 1 {
					t.Fatalf("the healthy page reached %d webhooks; want 1", f.hook.count())
				}
				k.check(t, f)
			})
		})
	}
}

// A manual escalation answers with the page even while another page's
// escalation fails: that failure is recorded on its own page. Before, the
// manual escalation ran every due step and answered 500 with the first
// failure.
func TestEscalatePage_NotFailedByAnotherPagesPoison(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.user(t, "bob@example.com")
		f.policyService(t, "Broken", "bob@example.com").trigger(t, f, "poison")
		f.exec(t, `UPDATE escalation_policies SET levels = 'not json' WHERE name = 'Broken'`)
		p := f.trigger(t, "healthy")
		got, err := f.db.Paging.EscalatePage(f.ctx, herald.Actor{User: f.ann, Role: herald.RoleResponder}, p.ID, 1)
		if err != nil {
			t.Fatalf("escalate: %v", err)
		}
		if got.Level != 0 || got.StepError != "" {
			t.Fatalf("the escalated page: level %d, error %q", got.Level, got.StepError)
		}
		f.tick(t)
		if f.hook.count() != 1 {
			t.Fatalf("the escalated page reached %d webhooks", f.hook.count())
		}
	})
}

type testService struct{ *herald.Service }

func (s testService) trigger(t *testing.T, f *fixture, dedup string) {
	t.Helper()
	if _, err := f.db.Paging.Enqueue(f.ctx, herald.Event{RoutingKey: s.IntegrationKey, EventAction: "trigger", DedupKey: dedup,
		Payload: &herald.EventPayload{Summary: "Poison " + dedup, Source: "test", Severity: "critical"}}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) user(t *testing.T, email string) herald.User {
	t.Helper()
	u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: strings.Split(email, "@")[0], Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) policyService(t *testing.T, name, email string) testService {
	t.Helper()
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: name, Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: email}}}}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := f.db.Paging.CreateService(f.ctx, herald.ServiceInput{Name: name + " service", EscalationPolicyID: pol.ID})
	if err != nil {
		t.Fatal(err)
	}
	return testService{svc}
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.SQL().ExecContext(f.ctx, q, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) query(t *testing.T, q string, dest ...any) {
	t.Helper()
	if err := f.db.SQL().QueryRowContext(f.ctx, q).Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

// refuseUpdatesOf makes every write of an update to one maintenance fail,
// as a row the code cannot handle would.
func (f *fixture) refuseUpdatesOf(t *testing.T, id string) {
	t.Helper()
	if f.db.Dialect() == store.SQLite {
		f.exec(t, `CREATE TRIGGER poison BEFORE INSERT ON maintenance_updates WHEN NEW.maintenance_id = '`+id+`' BEGIN SELECT RAISE(ABORT, 'poison'); END`)
		return
	}
	f.exec(t, `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
		IF NEW.maintenance_id = '`+id+`' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$`)
	f.exec(t, `CREATE TRIGGER poison BEFORE INSERT ON maintenance_updates FOR EACH ROW EXECUTE FUNCTION poison()`)
}
