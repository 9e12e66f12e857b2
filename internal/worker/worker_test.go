package worker_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

// receiver is a webhook endpoint that checks Standard Webhooks signatures
// and records what it got.
type receiver struct {
	mu     sync.Mutex
	secret string
	fail   bool
	got    []http.Header
	bodies []string
	bad    int
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := notify.Verify(req.Header, body, r.secret, time.Now(), 5*time.Minute); err != nil {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.got = append(r.got, req.Header.Clone())
		r.bodies = append(r.bodies, string(body))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type fixture struct {
	db    *store.DB
	clock *testdb.Clock
	w     *worker.Worker
	ctx   context.Context
	ann   herald.User
	svc   *herald.Service
	hook  *receiver
	mail  *testdb.Mailpit
}

func setup(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	f := &fixture{clock: testdb.NewClock(), ctx: context.Background()}
	f.db = testdb.Open(t, d, f.clock)
	f.mail = testdb.StartMailpit(t)
	smtp, err := notify.NewSMTP("smtp://"+f.mail.SMTP, "herald@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.w = &worker.Worker{Work: f.db.Work, Sender: &notify.Router{Webhook: notify.NewWebhook(), Email: smtp}, Log: slog.New(slog.DiscardHandler), Links: links.New("https://herald.example.com"), Senders: 4}
	if f.ann, err = f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"}); err != nil {
		t.Fatal(err)
	}
	f.hook = newReceiver(t)
	m, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, herald.ContactMethodInput{Kind: "webhook", Target: f.hook.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.hook.secret = m.Secret
	if _, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, herald.ContactMethodInput{Kind: "email", Target: "ann@example.com"}); err != nil {
		t.Fatal(err)
	}
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "p", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "ann@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if f.svc, err = f.db.Paging.CreateService(f.ctx, herald.ServiceInput{Name: "API", EscalationPolicyID: pol.ID}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) trigger(t *testing.T, dedup string) *herald.Page {
	t.Helper()
	if _, err := f.db.Paging.Enqueue(f.ctx, herald.Event{RoutingKey: f.svc.IntegrationKey, EventAction: "trigger", DedupKey: dedup,
		Payload: &herald.EventPayload{Summary: "API errors above 5%", Source: "prometheus", Severity: "critical"}}); err != nil {
		t.Fatal(err)
	}
	pages, _ := f.db.Paging.Pages(f.ctx, f.svc.ID, herald.PageTriggered, 1)
	return pages[0]
}

func (f *fixture) tick(t *testing.T) {
	t.Helper()
	if err := f.w.Tick(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDeliver_SignedWebhookAndEmailToARealSMTPServer(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		p := f.trigger(t, "k1")
		f.tick(t)
		if f.hook.count() != 1 || f.hook.bad != 0 {
			t.Fatalf("webhook got %d (bad signatures %d)", f.hook.count(), f.hook.bad)
		}
		h := f.hook.got[0]
		if h.Get("webhook-id") == "" || !strings.Contains(f.hook.bodies[0], `"type":"page.triggered"`) || !strings.Contains(f.hook.bodies[0], "API errors above 5%") {
			t.Fatalf("webhook %v %s", h, f.hook.bodies[0])
		}
		msgs := f.mail.Messages(t)
		if len(msgs) != 1 || msgs[0].ToList() != "ann@example.com" || !strings.Contains(msgs[0].Subject, "API errors above 5%") {
			t.Fatalf("mail %+v", msgs)
		}
		ds, _ := f.db.Paging.Deliveries(f.ctx, p.ID)
		if len(ds) != 2 || ds[0].Status != "sent" || ds[1].Status != "sent" {
			t.Fatalf("deliveries %+v", ds)
		}
		// Another tick sends nothing again.
		f.tick(t)
		if f.hook.count() != 1 || len(f.mail.Messages(t)) != 1 {
			t.Fatal("a second tick delivered again")
		}
	})
}

func TestDeliver_FailingWebhookRetriesThenTheNextMethodTakesOver(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		// Only the webhook at first; e-mail is the fallback.
		methods, _ := f.db.People.ContactMethods(f.ctx, f.ann.ID)
		if _, err := f.db.People.AddNotificationRule(f.ctx, f.ann.ID, methods[0].ID, 0); err != nil {
			t.Fatal(err)
		}
		f.hook.fail = true
		p := f.trigger(t, "k1")
		f.tick(t)
		for i := 1; i < 5; i++ {
			f.clock.Advance(10 * time.Second << (i - 1))
			f.tick(t)
		}
		methods, _ = f.db.People.ContactMethods(f.ctx, f.ann.ID)
		if !methods[0].Failing {
			t.Fatalf("the webhook is not marked failing: %+v", methods[0])
		}
		if msgs := f.mail.Messages(t); len(msgs) != 1 {
			t.Fatalf("fallback e-mail: %d messages", len(msgs))
		}
		ds, _ := f.db.Paging.Deliveries(f.ctx, p.ID)
		if len(ds) != 2 || ds[0].Status != "failed" || ds[0].Attempts != 5 || ds[1].Status != "sent" {
			t.Fatalf("deliveries %+v", ds)
		}
		// A later page skips the failing method.
		f.db.Paging.ResolvePage(f.ctx, herald.Actor{User: f.ann}, p.ID)
		f.trigger(t, "k2")
		f.tick(t)
		if len(f.mail.Messages(t)) != 2 {
			t.Fatal("the second page did not go by e-mail")
		}
	})
}

func TestDeliver_DelayedRuleIsCancelledByTheAcknowledgement(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		methods, _ := f.db.People.ContactMethods(f.ctx, f.ann.ID)
		f.db.People.AddNotificationRule(f.ctx, f.ann.ID, methods[0].ID, 0) // webhook at once
		f.db.People.AddNotificationRule(f.ctx, f.ann.ID, methods[1].ID, 2) // e-mail after 2 minutes
		p := f.trigger(t, "k1")
		f.tick(t)
		if f.hook.count() != 1 || len(f.mail.Messages(t)) != 0 {
			t.Fatal("the e-mail went out at once")
		}
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, herald.Actor{User: f.ann}, p.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Minute)
		f.tick(t)
		if len(f.mail.Messages(t)) != 0 {
			t.Fatal("e-mailed after the acknowledgement")
		}
		ds, _ := f.db.Paging.Deliveries(f.ctx, p.ID)
		if ds[1].Status != "cancelled" {
			t.Fatalf("deliveries %+v", ds)
		}
	})
}

// A sender that dies after claiming a delivery loses nothing: the claim
// expires and the delivery goes out, with the same idempotency key.
func TestDeliver_ClaimedButUnsentIsRetriedAfterTheClaimExpires(t *testing.T) {
	f := setup(t, store.SQLite)
	methods, _ := f.db.People.ContactMethods(f.ctx, f.ann.ID)
	f.db.People.AddNotificationRule(f.ctx, f.ann.ID, methods[0].ID, 0)
	f.trigger(t, "k1")
	if _, err := f.db.Work.RunEscalations(f.ctx); err != nil {
		t.Fatal(err)
	}
	d, err := f.db.Work.Claim(f.ctx, store.LanePage) // ... and the process dies here
	if err != nil || d == nil {
		t.Fatal(d, err)
	}
	f.tick(t)
	if f.hook.count() != 0 {
		t.Fatal("delivered while another sender held the claim")
	}
	f.clock.Advance(61 * time.Second)
	f.tick(t)
	if f.hook.count() != 1 || f.hook.got[0].Get("webhook-id") != d.ID {
		t.Fatalf("after the claim expired: %d deliveries", f.hook.count())
	}
}

func TestDeliver_SMSThroughTheProviderWebhook(t *testing.T) {
	f := setup(t, store.SQLite)
	provider := newReceiver(t)
	provider.secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	f.w.Sender.(*notify.Router).Phone = &notify.Provider{URL: provider.srv.URL, Secret: provider.secret, Webhook: notify.NewWebhook()}
	sms, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, herald.ContactMethodInput{Kind: "sms", Target: "+1 (555) 123-4567"})
	if err != nil || sms.Target != "+15551234567" {
		t.Fatalf("sms method %+v %v", sms, err)
	}
	f.db.People.AddNotificationRule(f.ctx, f.ann.ID, sms.ID, 0)
	f.trigger(t, "k1")
	f.tick(t)
	if provider.count() != 1 || !strings.Contains(provider.bodies[0], `"to":"+15551234567"`) || !strings.Contains(provider.bodies[0], `"kind":"sms"`) {
		t.Fatalf("provider got %d: %v", provider.count(), provider.bodies)
	}
	// The text message carries the acknowledge link.
	var sent struct{ Data struct{ Text, URL string } }
	if err := json.Unmarshal([]byte(provider.bodies[0]), &sent); err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(sent.Data.Text, " https://herald.example.com/ack/"); i < 0 || !strings.HasSuffix(sent.Data.Text, sent.Data.URL) {
		t.Fatalf("SMS text %q, url %q", sent.Data.Text, sent.Data.URL)
	}
	if _, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, herald.ContactMethodInput{Kind: "voice", Target: "555-1234"}); herald.ErrorCode(err) != herald.EInvalid {
		t.Fatalf("a local number: %v", err)
	}
}
