package worker_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

// A page notification links to the page with the worker's link builder.
func TestDeliver_PageLinkComesFromTheLinkBuilder(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		p := f.trigger(t, "k1")
		f.tick(t)
		if f.hook.count() != 1 {
			t.Fatalf("webhook got %d", f.hook.count())
		}
		want := links.New("https://herald.example.com").Page(p.ID)
		if want != "https://herald.example.com/app/pages/"+p.ID {
			t.Fatalf("builder: %q", want)
		}
		if body := f.hook.bodies[0]; !strings.Contains(body, `"url":"`+want+`"`) {
			t.Fatalf("webhook body has no link %q: %s", want, body)
		}
	})
}

// A page notification carries the person's signed acknowledge link: in the
// webhook payload beside the console link, and in the e-mail's text, once.
// A store without a secret key cannot sign one, and the notification
// carries the console link alone.
func TestDeliver_PageCarriesTheAckLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		p := f.trigger(t, "k1")
		f.tick(t)
		if f.hook.count() != 1 {
			t.Fatalf("webhook got %d", f.hook.count())
		}
		var body struct {
			Data struct {
				URL    string `json:"url"`
				AckURL string `json:"ack_url"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(f.hook.bodies[0]), &body); err != nil {
			t.Fatal(err)
		}
		const ack = "https://herald.example.com/ack/"
		if body.Data.URL != "https://herald.example.com/app/pages/"+p.ID || !strings.HasPrefix(body.Data.AckURL, ack) || len(body.Data.AckURL) < len(ack)+40 {
			t.Fatalf("webhook links: url %q ack_url %q", body.Data.URL, body.Data.AckURL)
		}
		// The link is this person's for this page.
		l, err := f.db.Paging.AckLink(f.ctx, strings.TrimPrefix(body.Data.AckURL, ack))
		if err != nil || l.Page.ID != p.ID || l.Actor.User.ID != f.ann.ID {
			t.Fatalf("AckLink: %+v, %v", l, err)
		}
		msgs := f.mail.Messages(t)
		if len(msgs) != 1 {
			t.Fatalf("mail %+v", msgs)
		}
		text := f.mail.Text(t, msgs[0].ID)
		if strings.Count(text, "/ack/") != 1 || !strings.Contains(text, "Acknowledge, escalate or resolve (no sign-in needed): "+ack) ||
			!strings.Contains(text, "In the console: https://herald.example.com/app/pages/"+p.ID) {
			t.Fatalf("mail text:\n%s", text)
		}
	})
}

func TestDeliver_PageWithoutSecretKeyCarriesTheConsoleLink(t *testing.T) {
	f := setup(t, store.SQLite)
	keyless := testdb.Open(t, store.SQLite, f.clock, func(c *store.Config) { c.SecretKey = nil })
	ctx := f.ctx
	ann, err := keyless.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// Without a key no webhook secret or URL can be sealed: an e-mail
	// address needs none.
	if _, err := keyless.People.CreateContactMethod(ctx, ann.ID, herald.ContactMethodInput{Kind: "email", Target: "ann@example.com"}); err != nil {
		t.Fatal(err)
	}
	pol, err := keyless.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "p", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: ann.ID}}}}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := keyless.Paging.CreateService(ctx, herald.ServiceInput{Name: "API", EscalationPolicyID: pol.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyless.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: "k",
		Payload: &herald.EventPayload{Summary: "API errors", Source: "prometheus", Severity: "critical"}}); err != nil {
		t.Fatal(err)
	}
	w := &worker.Worker{Work: keyless.Work, Sender: f.w.Sender, Log: f.w.Log, Links: f.w.Links, Senders: 1}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	pages, _ := keyless.Paging.Pages(ctx, svc.ID, "", 1)
	msgs := f.mail.Messages(t)
	if len(msgs) != 1 {
		t.Fatalf("mails: %+v", msgs)
	}
	if text := f.mail.Text(t, msgs[0].ID); !strings.Contains(text, "https://herald.example.com/app/pages/"+pages[0].ID) || strings.Contains(text, "/ack/") {
		t.Fatalf("mail text:\n%s", text)
	}
}

// chat is a Slack-style endpoint: it records what it got.
type chat struct {
	mu  sync.Mutex
	got []string
	srv *httptest.Server
}

func newChat(t *testing.T) *chat {
	c := &chat{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.got = append(c.got, string(b))
		c.mu.Unlock()
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *chat) bodies() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}
