package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// manager adds an engineering manager who can sign in (R54's approver).
func (e *env) manager(t *testing.T) herald.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: "Grace Manager", Email: "manager@example.com", Manager: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Auth.SetPassword(ctx, u.ID, pw); err != nil {
		t.Fatal(err)
	}
	return herald.Actor{User: u, Role: herald.RoleResponder}
}

// approveExternalReview drafts and approves an incident's external review
// through the store, as a manager would.
func approveExternalReview(t *testing.T, e *env, ref, link string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.Incidents.Review(ctx, e.actor(herald.RoleResponder), ref, herald.ReviewInput{Kind: herald.ReviewExternal, Link: link}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Incidents.ApproveReview(ctx, e.manager(t), ref, herald.ReviewApprovalInput{Link: link}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) externalReview(t *testing.T, ref string) herald.Review {
	t.Helper()
	rs, err := e.db.Incidents.Reviews(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Kind == herald.ReviewExternal {
			return r
		}
	}
	t.Fatalf("no external review: %+v", rs)
	return herald.Review{}
}

// R54 on the incident screen: a responder adds the draft; publishing it
// before approval is refused with the rule named; only a manager sees and
// uses the approve button; then it is published to the status page.
func TestRule54_ConsoleExternalReviewApproveAndPublish(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		inc := e.declare(t, "Checkout fails", herald.S1)
		mgr := e.manager(t)
		responder := e.browser(t)
		responder.signIn("responder@example.com")
		path := "/app/incidents/" + inc.Reference
		draft := "https://docs.example.com/pm/1"

		if res, page := responder.post(path+"/reviews", url.Values{"kind": {"external"}, "completed": {"false"}, "link": {draft}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("draft: %d %s", res.StatusCode, page)
		}
		if r := e.externalReview(t, inc.Reference); r.State != herald.ReviewDraft || r.Link != draft {
			t.Fatalf("draft stored: %+v", r)
		}
		_, page := responder.get(path)
		if !strings.Contains(page, "Draft") || strings.Contains(page, "/reviews/external/approve") || strings.Contains(page, "/reviews/external/publish") {
			t.Fatalf("a responder's screen with a draft offers approving or publishing:\n%s", page)
		}
		// Posting anyway: refused, naming R54, and nothing changes.
		res, page := responder.post(path+"/reviews/external/publish", nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "R54") {
			t.Fatalf("publish before approval: %d", res.StatusCode)
		}
		res, page = responder.post(path+"/reviews/external/approve", url.Values{"link": {draft}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(page, "R54") {
			t.Fatalf("approval by a responder who is no manager: %d", res.StatusCode)
		}
		if r := e.externalReview(t, inc.Reference); r.State != herald.ReviewDraft {
			t.Fatalf("refusals changed the review: %+v", r)
		}

		manager := e.browser(t)
		manager.signIn("manager@example.com")
		if _, page = manager.get(path); !strings.Contains(page, "/reviews/external/approve") {
			t.Fatalf("the manager is not offered the approval:\n%s", page)
		}
		if res, _ = manager.post(path+"/reviews/external/approve", url.Values{"link": {draft}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		if r := e.externalReview(t, inc.Reference); r.State != herald.ReviewApproved || r.ApprovedBy != mgr.User.ID {
			t.Fatalf("approved: %+v", r)
		}
		if _, page = responder.get(path); !strings.Contains(page, "Approved by Grace Manager") || !strings.Contains(page, "/reviews/external/publish") {
			t.Fatalf("approved review on the screen:\n%s", page)
		}
		if res, _ = responder.post(path+"/reviews/external/publish", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", res.StatusCode)
		}
		if r := e.externalReview(t, inc.Reference); r.State != herald.ReviewPublished {
			t.Fatalf("published: %+v", r)
		}
		if _, page = responder.get(path); !strings.Contains(page, "Published to customers") {
			t.Fatalf("published review on the screen:\n%s", page)
		}
		entries, _ := e.db.Incidents.Timeline(ctx, inc.Reference, herald.EntryReview)
		if n := len(entries); n < 3 || !strings.Contains(entries[n-1].Text, "published to customers") {
			t.Fatalf("timeline: %+v", entries)
		}

		// A viewer gets 403 and changes nothing.
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		for _, p := range []string{"/reviews/external/approve", "/reviews/external/publish"} {
			if res, _ := viewer.post(path+p, nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer POST %s: %d", p, res.StatusCode)
			}
		}
	})
}

// The follow-ups screen lists the overdue follow-ups of every incident, by
// the injected clock, with the status in words.
func TestRule54_ConsoleOverdueFollowUps(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		one, two := e.declare(t, "Checkout fails", herald.S1), e.declare(t, "Search slow", herald.S3)
		r := e.actor(herald.RoleResponder)
		today := e.clock.Now().Format(time.DateOnly)
		add := func(inc *herald.Incident, title, owner, due string) {
			t.Helper()
			if _, err := e.db.Incidents.AddFollowUp(ctx, r, inc.Reference, herald.FollowUpInput{Title: &title, Owner: &owner, DueDate: &due}); err != nil {
				t.Fatal(err)
			}
		}
		add(one, "Add an index", "responder@example.com", today)
		add(two, "Tune the cache", "Search team", e.clock.Now().AddDate(0, 0, 3).Format(time.DateOnly))
		b := e.browser(t)
		b.signIn("viewer@example.com")
		if _, page := b.get("/app/follow-ups"); !strings.Contains(page, "No follow-up is overdue.") {
			t.Fatalf("nothing overdue yet:\n%s", page)
		}
		e.clock.Advance(24 * time.Hour)
		b = e.browser(t) // a day later the session has expired
		b.signIn("viewer@example.com")
		_, page := b.get("/app/follow-ups")
		if !strings.Contains(page, "Add an index") || !strings.Contains(page, ">Overdue<") || !strings.Contains(page, "responder person") ||
			!strings.Contains(page, `href="/app/incidents/`+one.Reference+`#h-follow"`) || strings.Contains(page, "Tune the cache") {
			t.Fatalf("overdue list:\n%s", page)
		}
		if _, page = b.get("/app/follow-ups?show=open"); !strings.Contains(page, "Tune the cache") || !strings.Contains(page, "not a user: no reminders") {
			t.Fatalf("open list:\n%s", page)
		}
		if _, page = b.get("/app/incidents/" + one.Reference); !strings.Contains(page, `<span class="state fu-overdue">Overdue</span>`) {
			t.Fatalf("the incident screen does not say overdue:\n%s", page)
		}
		b2 := e.browser(t)
		b2.signIn("responder@example.com")
		if _, page = b2.get("/app/follow-ups?show=mine"); !strings.Contains(page, "Add an index") || strings.Contains(page, "Tune the cache") {
			t.Fatalf("mine:\n%s", page)
		}
	})
}
