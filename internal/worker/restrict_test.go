package worker

import (
	"context"
	"encoding/json"
	"io"
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
)

// Every lane of the outbox on every kind of contact method: a restricted
// message (R46) carries, on the wire, its reference and console link and
// none of the words of the page, prompt or notice it stands for; the same
// message unrestricted does carry them (so the check can fail).
func TestRule46_EveryChannelAndLaneCarriesOnlyTheReference(t *testing.T) {
	lk := links.New("https://herald.example.com")
	secret := []string{"Zephyr", "quartz-otter", "marigold-falcon", "Kestrel"}
	page := herald.Page{ID: "pg1", ServiceID: "svc1", Status: herald.PageTriggered, Summary: "quartz-otter replica lag", Severity: "critical",
		Source: "Zephyr monitor", DedupKey: "Zephyr/db", Details: json.RawMessage(`{"note":"marigold-falcon"}`), FirstSeen: time.Now(), Count: 1}
	lanes := map[string]func() *store.Outgoing{
		"page": func() *store.Outgoing {
			return &store.Outgoing{Page: &store.PageNotice{Page: page, Service: "Zephyr ledger", AckToken: "tok.sig"}}
		},
		"broadcast": func() *store.Outgoing {
			return &store.Outgoing{Broadcast: &store.BroadcastNotice{Notice: herald.Notice{Event: "incident.stakeholders", Subject: "INC-7 S1: Zephyr down",
				Body: "Kestrel shards unreachable for quartz-otter", URL: lk.Incident("INC-7")}, UnsubscribeURL: "https://herald.example.com/unsubscribe?id=s"}}
		},
		"prompt": func() *store.Outgoing {
			return &store.Outgoing{Prompt: &store.PromptNotice{Notice: herald.Notice{Event: "prompt.update_due", Subject: "INC-7: follow-up overdue: rotate Zephyr keys",
				Body: "INC-7: Zephyr down (Kestrel, quartz-otter)", URL: lk.Incident("INC-7")}, Kind: herald.PromptUpdateDue, IncidentID: "inc7"}}
		},
	}
	refs := map[string]herald.Restriction{
		"page":      {Reference: herald.PageReference("pg1", "INC-7"), URL: lk.Page("pg1")},
		"broadcast": {Reference: "INC-7", URL: lk.Incident("INC-7")},
		"prompt":    {Reference: "INC-7", URL: lk.Incident("INC-7")},
	}
	var mu sync.Mutex
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got += string(b)
		mu.Unlock()
	}))
	defer srv.Close()
	// What a sender puts on the wire: webhooks, chat and the phone
	// provider are posted to the test server; e-mail is what it would
	// write (subject and text).
	wire := func(m notify.Message) string {
		mu.Lock()
		got = ""
		mu.Unlock()
		m.Target = srv.URL
		var err error
		switch m.Kind {
		case "sms", "voice":
			err = (&notify.Provider{URL: srv.URL, Webhook: notify.NewWebhook()}).Send(context.Background(), m)
		case "email":
			return m.Subject + "\n" + m.Text + "\n" + m.URL
		default:
			err = notify.NewWebhook().Send(context.Background(), m)
		}
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	for lane, make := range lanes {
		for _, kind := range herald.ContactKinds {
			o := make()
			o.ID, o.Kind, o.Target = "d1", kind, "x"
			open := wire(compose(lk, o))
			if !containsAny(open, secret) {
				t.Errorf("%s by %s, unrestricted, lacks its words: %s", lane, kind, open)
			}
			r := refs[lane]
			o.Restricted = &r
			body := wire(compose(lk, o))
			for _, w := range secret {
				if strings.Contains(body, w) {
					t.Errorf("%s by %s carries %q: %s", lane, kind, w, body)
				}
			}
			link := r.URL
			if lane == "page" && (kind == "sms" || kind == "voice") {
				link = lk.Ack("tok.sig") // a text message carries the one link, to acknowledge
			}
			if kind == "voice" {
				link = `"url":"` + link
			}
			if !strings.Contains(body, r.Reference) || !strings.Contains(body, link) {
				t.Errorf("%s by %s lacks %q or %q: %s", lane, kind, r.Reference, link, body)
			}
		}
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
