package console_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// pager pages the responder and the viewer (level 1, each through a
// webhook of their own) and the admin (level 2) for a service, and
// delivers with the real worker, so the acknowledge links tested are the
// ones a notification carries.
type pager struct {
	e   *env
	svc *herald.Service
	w   *worker.Worker
	mu  sync.Mutex
	// got holds the webhook bodies each person received.
	got map[string][]string
}

func newPager(t *testing.T, e *env) *pager {
	t.Helper()
	ctx := context.Background()
	pg := &pager{e: e, got: map[string][]string{}}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		pg.mu.Lock()
		pg.got[strings.TrimPrefix(r.URL.Path, "/")] = append(pg.got[strings.TrimPrefix(r.URL.Path, "/")], string(b))
		pg.mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	for _, role := range herald.APIRoles {
		if _, err := e.db.People.CreateContactMethod(ctx, e.people[role].ID, herald.ContactMethodInput{Kind: "webhook", Target: hook.URL + "/" + string(role)}); err != nil {
			t.Fatal(err)
		}
	}
	pol, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "Default", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "responder@example.com"}, {Type: "user", ID: "viewer@example.com"}}},
		{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "admin@example.com"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pg.svc, err = e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout API", EscalationPolicyID: pol.ID}); err != nil {
		t.Fatal(err)
	}
	pg.w = &worker.Worker{Work: e.db.Work, Sender: &notify.Router{Webhook: notify.NewWebhook()}, Log: slog.New(slog.DiscardHandler),
		Links: links.New(e.http.URL), Senders: 1}
	return pg
}

// page triggers a page and returns it with the path of the acknowledge
// link each person's webhook received for it.
func (pg *pager) page(t *testing.T, dedup, summary string) (*herald.Page, map[herald.APIRole]string) {
	t.Helper()
	ctx := context.Background()
	if _, err := pg.e.db.Paging.Enqueue(ctx, herald.Event{RoutingKey: pg.svc.IntegrationKey, EventAction: "trigger", DedupKey: dedup,
		Payload: &herald.EventPayload{Summary: summary, Source: "prometheus", Severity: "critical"}}); err != nil {
		t.Fatal(err)
	}
	p, err := pg.e.db.Paging.OpenPage(ctx, pg.svc.ID, dedup)
	if err != nil {
		t.Fatal(err)
	}
	return p, pg.deliver(t, p)
}

// deliver runs the worker and returns the acknowledge links of page p.
func (pg *pager) deliver(t *testing.T, p *herald.Page) map[herald.APIRole]string {
	t.Helper()
	ctx := context.Background()
	if err := pg.w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	pg.mu.Lock()
	defer pg.mu.Unlock()
	paths := map[herald.APIRole]string{}
	for role, bodies := range pg.got {
		for _, b := range bodies {
			var msg struct {
				Type string `json:"type"`
				Data struct {
					Page   herald.Page `json:"page"`
					URL    string      `json:"url"`
					AckURL string      `json:"ack_url"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(b), &msg); err != nil {
				t.Fatal(err)
			}
			if msg.Data.Page.ID != p.ID {
				continue
			}
			if msg.Type != "page.triggered" || msg.Data.URL != pg.e.http.URL+"/app/pages/"+p.ID || !strings.HasPrefix(msg.Data.AckURL, pg.e.http.URL+"/ack/") {
				t.Fatalf("the page notification to the %s carries no acknowledge link: %s", role, b)
			}
			paths[herald.APIRole(role)] = strings.TrimPrefix(msg.Data.AckURL, pg.e.http.URL)
		}
	}
	if paths[herald.RoleResponder] == "" || paths[herald.RoleViewer] == "" || paths[herald.RoleAdmin] != "" {
		t.Fatalf("acknowledge links delivered: %v; want the responder's and the viewer's", paths)
	}
	return paths
}

func (e *env) pageNow(t *testing.T, id string) (*herald.Page, []herald.PageLogEntry) {
	t.Helper()
	p, err := e.db.Paging.Page(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	log, err := e.db.Paging.PageLog(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p, log
}

// The link from a page notification opens the page without signing in;
// GET changes nothing; the buttons acknowledge, escalate and resolve as
// the person it was sent to; once the page is resolved, it acts no more.
func TestAck_FromTheNotificationLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		pg := newPager(t, e)
		p, paths := pg.page(t, "k1", "Checkout 5xx above 5%")
		ack := paths[herald.RoleResponder]
		b := e.browser(t) // never signed in
		_, log0 := e.pageNow(t, p.ID)

		for range 2 { // a mail scanner and then the person
			res, body := b.get(ack)
			if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Referrer-Policy") != "same-origin" {
				t.Fatalf("GET %s: %d %v", ack, res.StatusCode, res.Header)
			}
			for _, want := range []string{"Checkout 5xx above 5%", "Checkout API", "triggered", `name="viewport"`,
				`value="acknowledge"`, ">Acknowledge</button>", ">Escalate</button>", ">Resolve</button>", `<option value="2" selected>`, "For responder person"} {
				if !strings.Contains(body, want) {
					t.Fatalf("ack page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, `action="/logout"`) {
				t.Fatal("the ack page shows the signed-in header")
			}
		}
		if now, log := e.pageNow(t, p.ID); now.Status != herald.PageTriggered || len(log) != len(log0) {
			t.Fatalf("GET changed the page: %s, log %d -> %d", now.Status, len(log0), len(log))
		}

		res, _ := b.post(ack, url.Values{"action": {"acknowledge"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), ack+"?flash=") {
			t.Fatalf("acknowledge: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		now, log := e.pageNow(t, p.ID)
		if now.Status != herald.PageAcknowledged || now.AckedBy != "responder person" || !strings.Contains(log[len(log)-1].Text, "responder person") {
			t.Fatalf("after acknowledge: %s by %q, log %+v", now.Status, now.AckedBy, log)
		}
		_, body := b.get(res.Header.Get("Location"))
		if !strings.Contains(body, "acknowledged</span> by responder person") || strings.Contains(body, `value="acknowledge"`) || !strings.Contains(body, "Acknowledged: escalation stopped.") {
			t.Fatalf("after acknowledge, the page shows:\n%s", body)
		}

		if res, body := b.post(ack, url.Values{"action": {"escalate"}, "level": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate: %d %s", res.StatusCode, body)
		}
		if now, log = e.pageNow(t, p.ID); now.Status != herald.PageTriggered || !hasLog(log, "responder person escalated to level 2") {
			t.Fatalf("after escalate: %s, log %+v", now.Status, log)
		}

		if res, body := b.post(ack, url.Values{"action": {"resolve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve: %d %s", res.StatusCode, body)
		}
		now, log = e.pageNow(t, p.ID)
		if now.Status != herald.PageResolved || !hasLog(log, "Resolved by responder person") {
			t.Fatalf("after resolve: %s, log %+v", now.Status, log)
		}

		// Resolved: the link says so, shows no buttons, and acts no more.
		res, body = b.get(ack)
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "This page is resolved") || strings.Contains(body, "<button") && strings.Contains(body, `name="action"`) {
			t.Fatalf("resolved page: %d\n%s", res.StatusCode, body)
		}
		for _, action := range []string{"acknowledge", "escalate", "resolve"} {
			res, body := b.post(ack, url.Values{"action": {action}, "level": {"1"}})
			if res.StatusCode != http.StatusGone || !strings.Contains(body, "This page is resolved") {
				t.Fatalf("%s after resolve: %d\n%s", action, res.StatusCode, body)
			}
		}
		if again, log2 := e.pageNow(t, p.ID); again.Status != herald.PageResolved || len(log2) != len(log) {
			t.Fatalf("the link acted after resolve: %s, log %d -> %d", again.Status, len(log), len(log2))
		}
	})
}

func hasLog(log []herald.PageLogEntry, text string) bool {
	for _, l := range log {
		if strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// A link acts only on its own page, as its own person: a changed token, a
// token put together from two links, another page's link, a form from
// another site and a viewer's link change nothing they should not.
func TestAck_RefusesWhatTheLinkDoesNotGive(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		pg := newPager(t, e)
		p1, paths1 := pg.page(t, "k1", "Checkout 5xx above 5%")
		p2, paths2 := pg.page(t, "k2", "Payments timing out")
		b := e.browser(t)

		tok1 := strings.TrimPrefix(paths1[herald.RoleResponder], "/ack/")
		tok2 := strings.TrimPrefix(paths2[herald.RoleResponder], "/ack/")
		id1, sig1, _ := strings.Cut(tok1, ".")
		id2, _, _ := strings.Cut(tok2, ".")
		flipped := []byte(sig1)
		flipped[3] = map[bool]byte{true: 'B', false: 'A'}[flipped[3] == 'A']
		idViewer, _, _ := strings.Cut(strings.TrimPrefix(paths1[herald.RoleViewer], "/ack/"), ".")
		for name, tok := range map[string]string{
			"tampered signature":            id1 + "." + string(flipped),
			"another page's notification":   id2 + "." + sig1,
			"another person's notification": idViewer + "." + sig1,
			"no signature":                  id1,
			"empty signature":               id1 + ".",
			"signature only":                "." + sig1,
			"truncated signature":           id1 + "." + sig1[:len(sig1)-2],
		} {
			for _, method := range []string{"GET", "POST"} {
				var form url.Values
				if method == "POST" {
					form = url.Values{"action": {"acknowledge"}}
				}
				res, body := b.do(method, "/ack/"+url.PathEscape(tok), form, "")
				if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "this link is not valid") || strings.Contains(body, "Checkout 5xx") {
					t.Errorf("%s, %s: %d %.300s", name, method, res.StatusCode, body)
				}
			}
		}

		// A form from another site is refused, even with a good link.
		if res, _ := b.do("POST", paths1[herald.RoleResponder], url.Values{"action": {"acknowledge"}}, "https://evil.example"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST: %d", res.StatusCode)
		}
		// A viewer's link shows the page but has no buttons, and a post
		// is refused.
		res, body := b.get(paths1[herald.RoleViewer])
		if res.StatusCode != 200 || !strings.Contains(body, "Checkout 5xx above 5%") || strings.Contains(body, `name="action"`) || !strings.Contains(body, "needs the responder role") {
			t.Errorf("viewer's link: %d\n%s", res.StatusCode, body)
		}
		if res, _ := b.post(paths1[herald.RoleViewer], url.Values{"action": {"acknowledge"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer's POST: %d", res.StatusCode)
		}
		if now, _ := e.pageNow(t, p1.ID); now.Status != herald.PageTriggered {
			t.Fatalf("page 1 is %s after refused attempts", now.Status)
		}

		// Page 2's link acknowledges page 2, and only page 2.
		if res, body := b.post(paths2[herald.RoleResponder], url.Values{"action": {"acknowledge"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge page 2: %d %s", res.StatusCode, body)
		}
		if now, _ := e.pageNow(t, p2.ID); now.Status != herald.PageAcknowledged || now.AckedBy != "responder person" {
			t.Errorf("page 2: %s by %q", now.Status, now.AckedBy)
		}
		if now, _ := e.pageNow(t, p1.ID); now.Status != herald.PageTriggered {
			t.Errorf("page 1 is %s after page 2's link was used", now.Status)
		}
	})
}

// An incident's role page acknowledged from the link: the incident's
// timeline records the person, who takes the role, as from the console.
func TestAck_IncidentRolePageRecordsThePerson(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		pg := newPager(t, e)
		ctx := context.Background()
		settings, err := e.db.Settings.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		settings.RoleServices = map[string]string{herald.RoleIncidentLead: pg.svc.Name}
		if _, err := e.db.Settings.SaveSettings(ctx, settings); err != nil {
			t.Fatal(err)
		}
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		inc, err := e.db.Incidents.DeclareIncident(ctx, admin, herald.DeclareInput{Title: "Checkout down", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		pages, err := e.db.Paging.Pages(ctx, pg.svc.ID, herald.PageTriggered, 10)
		if err != nil || len(pages) != 1 || pages[0].IncidentID != inc.ID {
			t.Fatalf("the lead's page: %+v %v", pages, err)
		}
		paths := pg.deliver(t, pages[0])
		e.clock.Advance(3 * time.Minute)
		b := e.browser(t)
		if res, body := b.post(paths[herald.RoleResponder], url.Values{"action": {"acknowledge"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d %s", res.StatusCode, body)
		}
		tl, err := e.db.Incidents.Timeline(ctx, inc.Reference, "")
		if err != nil {
			t.Fatal(err)
		}
		acked := false
		for _, en := range tl {
			if en.ActorID == e.people[herald.RoleResponder].ID && strings.Contains(en.Text, "responder person acknowledged the page") && strings.Contains(en.Text, "after 3m0s") {
				acked = true
			}
		}
		if !acked {
			t.Fatalf("the timeline does not record the acknowledgement by the responder: %+v", tl)
		}
		got, _ := e.db.Incidents.Incident(ctx, inc.ID)
		if who, ok := got.Role(herald.RoleIncidentLead); !ok || who.UserID != e.people[herald.RoleResponder].ID {
			t.Fatalf("the lead role: %+v %v", who, ok)
		}
	})
}

// The acknowledge link needs no sign-in: once the page's service serves a
// FedRAMP tenant, its page shows the page's reference and the way to the
// console, and nothing monitoring sent nor the service's name (R46). The
// same link showed them before, so the test can fail.
func TestRule46_AckLinkOfAFedRAMPTenantsPageShowsOnlyTheReference(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		pg := newPager(t, e)
		p, paths := pg.page(t, "k1", "quartz-otter replica lag")
		ack := paths[herald.RoleResponder]
		b := e.browser(t) // never signed in
		secrets := []string{"quartz-otter", "Checkout API", "critical"}
		_, body := b.get(ack)
		for _, w := range secrets {
			if !strings.Contains(body, w) {
				t.Fatalf("a standard page's link lacks %q:\n%s", w, body)
			}
		}
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		if _, err := e.db.Tenants.CreateTenant(context.Background(), admin, herald.TenantInput{Name: "Zephyr Gov", PrimaryRegion: "us-east-1",
			Compliance: herald.ComplianceFedRAMP, Services: []string{pg.svc.ID}}); err != nil {
			t.Fatal(err)
		}
		res, body := b.get(ack)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", ack, res.StatusCode)
		}
		for _, w := range append(secrets, "Zephyr") {
			if strings.Contains(body, w) {
				t.Errorf("the restricted page's link shows %q:\n%s", w, body)
			}
		}
		for _, want := range []string{"page " + p.ID, "Restricted (FedRAMP tenant)", "/app/pages/" + p.ID, ">Acknowledge</button>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the restricted page's link lacks %q:\n%s", want, body)
			}
		}
		// It still acts.
		if res, _ := b.post(ack, url.Values{"action": {"acknowledge"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", res.StatusCode)
		}
		if now, _ := e.pageNow(t, p.ID); now.Status != herald.PageAcknowledged {
			t.Fatalf("after acknowledge: %s", now.Status)
		}
		// Signed in, the console shows the page whole, and says what its
		// notifications carry.
		in := e.browser(t)
		in.signIn("viewer@example.com")
		_, body = in.get("/app/pages/" + p.ID)
		for _, want := range []string{"quartz-otter", "Checkout API", "Reference and links only"} {
			if !strings.Contains(body, want) {
				t.Errorf("the console's page lacks %q:\n%s", want, body)
			}
		}
	})
}
