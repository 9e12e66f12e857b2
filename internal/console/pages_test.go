package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// pagedService is a service whose policy pages the responder, then the
// admin; the responder has an e-mail address to be reached at. Grouping
// is off, so every alert is a page of its own.
func pagedService(t *testing.T, e *env) *herald.Service {
	t.Helper()
	ctx := context.Background()
	responder, admin := e.people[herald.RoleResponder], e.people[herald.RoleAdmin]
	if _, err := e.db.People.CreateContactMethod(ctx, responder.ID, herald.ContactMethodInput{Kind: "email", Target: "responder@example.com"}); err != nil {
		t.Fatal(err)
	}
	p, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "Checkout", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: responder.ID}}},
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: admin.ID}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout", EscalationPolicyID: p.ID, Grouping: &herald.Grouping{}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// trigger opens a page on svc and runs the escalation step that pages its
// first level.
func trigger(t *testing.T, e *env, svc *herald.Service, dedup, summary string) *herald.Page {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: dedup,
		Payload: &herald.EventPayload{Summary: summary, Source: "prometheus", Severity: "critical"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Work.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := e.db.Paging.OpenPage(ctx, svc.ID, dedup)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPages_AcknowledgeEscalateResolveThroughForms(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		svc := pagedService(t, e)
		p := trigger(t, e, svc, "db-down", "Database down")
		page := func() *herald.Page {
			t.Helper()
			got, err := e.db.Paging.Page(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// A viewer reads the page, sees no buttons and cannot act.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		res, body := v.get("/app/pages/" + p.ID)
		if res.StatusCode != 200 || !strings.Contains(body, "Database down") || !strings.Contains(body, "<dd>Checkout</dd>") {
			t.Fatalf("page detail: %d %s", res.StatusCode, body)
		}
		// Who was notified at which level, and how the delivery stands.
		if !strings.Contains(body, `<th scope="row">responder person</th>`) || !strings.Contains(body, "email: <strong>pending</strong>, 0 attempts") {
			t.Errorf("notifications and deliveries not shown:\n%s", body)
		}
		if strings.Contains(body, ">Acknowledge<") || strings.Contains(body, ">Escalate<") || strings.Contains(body, ">Resolve<") || strings.Contains(body, svc.IntegrationKey) {
			t.Error("a viewer is offered page actions (or sees the key)")
		}
		for _, action := range []string{"acknowledge", "resolve"} {
			if res, _ := v.post("/app/pages/"+p.ID+"/"+action, url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Errorf("viewer %s: %d", action, res.StatusCode)
			}
		}
		if res, _ := v.post("/app/pages/"+p.ID+"/escalate", url.Values{"level": {"2"}}); res.StatusCode != http.StatusForbidden || page().Status != herald.PageTriggered {
			t.Fatalf("viewer escalate: %d, page %s", res.StatusCode, page().Status)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body = b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, ">Acknowledge</button>") || !strings.Contains(body, `<option value="2">Level 2: admin person</option>`) {
			t.Fatalf("responder's actions missing:\n%s", body)
		}

		// Acknowledge.
		res, _ = b.post("/app/pages/"+p.ID+"/acknowledge", url.Values{})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/pages/"+p.ID+"?flash=") {
			t.Fatalf("acknowledge: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if got := page(); got.Status != herald.PageAcknowledged || got.AckedBy != "responder person" {
			t.Fatalf("after acknowledge: %s by %q", got.Status, got.AckedBy)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, "Acknowledged by responder person") {
			t.Error("the log does not show the acknowledgement")
		}

		// Escalate to a level that does not exist: shown again with why.
		res, body = b.post("/app/pages/"+p.ID+"/escalate", url.Values{"level": {"9"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "level must be between 1 and 2") || page().Status != herald.PageAcknowledged {
			t.Fatalf("escalate to 9: %d %s", res.StatusCode, page().Status)
		}
		// Escalate to level 2: triggered again, the admin notified.
		if res, _ := b.post("/app/pages/"+p.ID+"/escalate", url.Values{"level": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate: %d", res.StatusCode)
		}
		if got := page(); got.Status != herald.PageTriggered || got.Level != 1 {
			t.Fatalf("after escalate: %s level %d", got.Status, got.Level)
		}
		ns, err := e.db.Paging.Notifications(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := ns[len(ns)-1]; last.UserID != e.people[herald.RoleAdmin].ID || last.Level != 1 {
			t.Fatalf("notifications after escalate: %+v", ns)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, "responder person escalated to level 2") || !strings.Contains(body, `<th scope="row">admin person</th>`) {
			t.Error("the detail does not show the escalation")
		}

		// Resolve; a resolved page offers no actions.
		if res, _ := b.post("/app/pages/"+p.ID+"/resolve", url.Values{}); res.StatusCode != http.StatusSeeOther || page().Status != herald.PageResolved {
			t.Fatalf("resolve: %d %s", res.StatusCode, page().Status)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if strings.Contains(body, ">Resolve</button>") || !strings.Contains(body, "Resolved by responder person") {
			t.Error("resolved page still offers resolve, or the log lacks it")
		}
		// Escalating a resolved page is refused with the reason.
		if res, body := b.post("/app/pages/"+p.ID+"/escalate", url.Values{"level": {"1"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "the page is resolved") {
			t.Errorf("escalate resolved: %d", res.StatusCode)
		}
	})
}

func TestPages_ListFiltersAndPaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		svc := pagedService(t, e)
		other, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Search", Grouping: &herald.Grouping{}})
		if err != nil {
			t.Fatal(err)
		}
		const n = 52
		for i := 0; i < n; i++ {
			trigger(t, e, svc, fmt.Sprintf("alert-%02d", i), fmt.Sprintf("Alert number %02d", i))
			e.clock.Advance(time.Second)
		}
		trigger(t, e, other, "search-slow", "Search is slow")
		first := trigger(t, e, svc, "late", "The newest alert")
		if _, err := e.db.Paging.ResolvePage(ctx, herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}, first.ID); err != nil {
			t.Fatal(err)
		}

		b := e.browser(t)
		b.signIn("viewer@example.com")
		res, body := b.get("/app/pages")
		if res.StatusCode != 200 || strings.Index(body, "The newest alert") > strings.Index(body, "Search is slow") || strings.Index(body, "Search is slow") > strings.Index(body, "Alert number 51") {
			t.Fatalf("not newest first: %d", res.StatusCode)
		}
		if strings.Count(body, `<th scope="row"><a href="/app/pages/`) != 50 || strings.Contains(body, "Alert number 03") {
			t.Errorf("first screen holds %d pages", strings.Count(body, `<th scope="row"><a href="/app/pages/`))
		}
		i := strings.Index(body, `<a href="/app/pages?before=`)
		if i < 0 {
			t.Fatal("no link to older pages")
		}
		older := body[i+len(`<a href="`) : i+strings.Index(body[i:], `" rel="next"`)]
		_, body = b.get(strings.ReplaceAll(older, "&amp;", "&"))
		if strings.Count(body, `<th scope="row"><a href="/app/pages/`) != 4 || !strings.Contains(body, "Alert number 00") || strings.Contains(body, "Alert number 04") || strings.Contains(body, `rel="next"`) {
			t.Errorf("second screen:\n%s", body)
		}

		// Filters: one service; one status.
		_, body = b.get("/app/pages?service=" + other.ID)
		if !strings.Contains(body, "Search is slow") || strings.Contains(body, "Alert number") {
			t.Error("service filter")
		}
		_, body = b.get("/app/pages?status=resolved")
		if !strings.Contains(body, "The newest alert") || strings.Contains(body, "Alert number") || !strings.Contains(body, `<option value="resolved" selected>`) {
			t.Error("status filter")
		}
		if res, _ := b.get("/app/pages?status=burning"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown status: %d", res.StatusCode)
		}
	})
}
