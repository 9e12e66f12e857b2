package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// wantRefusal checks an API refusal's status and that its message names
// the rule.
func wantRefusal(t *testing.T, err error, status int, rule string) {
	t.Helper()
	ce, ok := err.(*client.Error)
	if !ok || ce.Status != status || !strings.Contains(ce.Message, rule) {
		t.Fatalf("got %v, want %d naming %s", err, status, rule)
	}
}

// R54 over HTTP: the external review is approved by an engineering manager
// before it is published to customers; publishing it puts its link on the
// status page.
func TestRule54_APIExternalReviewApprovalAndPublication(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lead", herald.RoleResponder)
		mgrUser, err := e.admin.People.CreateUser(ctx, herald.UserInput{Name: "Grace", Email: "grace@example.com", Manager: true})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.admin.People.CreateToken(ctx, herald.TokenInput{Name: "grace", Role: herald.RoleResponder, UserID: mgrUser.ID})
		if err != nil {
			t.Fatal(err)
		}
		mgr := client.New(e.http.URL, tok.Secret)
		viewer := e.token(t, "Viewer", herald.RoleViewer)

		name := "API"
		comp, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := lead.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API errors", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		// R10 and R17: the status page decided, later the all-clear (nobody
		// leads, so the caller may).
		decide := func(kind string) {
			t.Helper()
			if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: kind, What: kind, Rationale: "customers see errors"}); err != nil {
				t.Fatal(err)
			}
		}
		decide(herald.DecisionStatusPage)
		p, err := lead.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.Reference,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating.", Components: map[string]herald.ComponentStatus{comp.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		si := p.ID
		decide(herald.DecisionAllClear)
		if _, err := lead.StatusPage.PublishUpdate(ctx, si, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err != nil {
			t.Fatal(err)
		}
		draft := "https://docs.example.com/pm/1"
		r, err := lead.Incidents.Review(ctx, inc.Reference, herald.ReviewInput{Kind: "external", Link: draft})
		if err != nil || r.State != herald.ReviewDraft {
			t.Fatalf("draft: %+v %v", r, err)
		}

		_, err = lead.Incidents.PublishReview(ctx, inc.Reference)
		wantRefusal(t, err, 422, "R54")
		_, err = lead.StatusPage.SetPostmortem(ctx, si, draft)
		wantRefusal(t, err, 422, "R54")
		_, err = lead.Incidents.ApproveReview(ctx, inc.Reference, herald.ReviewApprovalInput{Link: draft})
		wantRefusal(t, err, 403, "R54")
		_, err = viewer.Incidents.ApproveReview(ctx, inc.Reference, herald.ReviewApprovalInput{})
		if statusOf2(err) != 403 {
			t.Fatalf("viewer approving: %v", err)
		}
		_, err = mgr.Incidents.ApproveReview(ctx, inc.Reference, herald.ReviewApprovalInput{Link: "javascript:alert(1)"})
		if ce, _ := err.(*client.Error); ce == nil || ce.Status != 400 || ce.Fields["link"] == "" {
			t.Fatalf("a bad link: %v", err)
		}
		e.clock.Advance(time.Hour)
		r, err = mgr.Incidents.ApproveReview(ctx, inc.Reference, herald.ReviewApprovalInput{Link: draft})
		if err != nil || r.State != herald.ReviewApproved || r.ApprovedByName != "Grace" || r.ApprovedAt == nil || !r.ApprovedAt.Equal(e.clock.Now()) {
			t.Fatalf("approve: %+v %v", r, err)
		}
		r, err = lead.Incidents.PublishReview(ctx, inc.Reference)
		if err != nil || r.State != herald.ReviewPublished || r.PublishedAt == nil {
			t.Fatalf("publish: %+v %v", r, err)
		}
		got, err := lead.StatusPage.StatusIncident(ctx, si)
		if err != nil || got.PostmortemURL != draft {
			t.Fatalf("status incident after publishing: %+v %v", got, err)
		}
		rs, _ := viewer.Incidents.Reviews(ctx, inc.Reference)
		if len(rs) != 1 || rs[0].State != herald.ReviewPublished || rs[0].ApprovedBy != mgrUser.ID {
			t.Fatalf("reviews as a viewer reads them: %+v", rs)
		}
	})
}

// GET /api/v1/follow-ups?overdue=true lists the overdue follow-ups of every
// incident, moved by the injected clock; owners given by e-mail are users.
func TestRule54_APIOverdueFollowUps(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lead", herald.RoleResponder)
		viewer := e.token(t, "Viewer", herald.RoleViewer)
		a, _ := lead.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "One", Severity: herald.S1})
		b, _ := lead.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Two", Severity: herald.S3})
		today := e.clock.Now().Format(time.DateOnly)
		later := e.clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
		fu, err := lead.Incidents.AddFollowUp(ctx, a.Reference, herald.FollowUpInput{Title: ptr("Add an index"), Owner: ptr("viewer@example.com"), DueDate: &today})
		if err != nil || fu.OwnerID == "" || fu.Owner != "Viewer" || fu.Overdue {
			t.Fatalf("follow-up owned by a user: %+v %v", fu, err)
		}
		if _, err := lead.Incidents.AddFollowUp(ctx, b.Reference, herald.FollowUpInput{Title: ptr("Tune"), DueDate: &later}); err != nil {
			t.Fatal(err)
		}
		_, err = lead.Incidents.AddFollowUp(ctx, b.Reference, herald.FollowUpInput{Title: ptr("x"), Owner: ptr("ghost@example.com")})
		if ce, _ := err.(*client.Error); ce == nil || ce.Status != 400 || ce.Fields["owner"] == "" {
			t.Fatalf("an owner e-mail nobody has: %v", err)
		}
		list, err := viewer.Incidents.ListFollowUps(ctx, herald.FollowUpFilter{Overdue: true})
		if err != nil || len(list) != 0 {
			t.Fatalf("nothing overdue yet: %+v %v", list, err)
		}
		e.clock.Advance(24 * time.Hour)
		list, err = viewer.Incidents.ListFollowUps(ctx, herald.FollowUpFilter{Overdue: true})
		if err != nil || len(list) != 1 || list[0].ID != fu.ID || !list[0].Overdue || list[0].IncidentReference != a.Reference {
			t.Fatalf("overdue: %+v %v", list, err)
		}
		list, _ = viewer.Incidents.ListFollowUps(ctx, herald.FollowUpFilter{Owner: "viewer@example.com"})
		if len(list) != 1 || list[0].ID != fu.ID {
			t.Fatalf("by owner: %+v", list)
		}
		if list, _ = viewer.Incidents.ListFollowUps(ctx, herald.FollowUpFilter{}); len(list) != 2 {
			t.Fatalf("all: %+v", list)
		}
		resp, eb := e.raw(t, "GET", "/api/v1/follow-ups?overdue=soon", adminSecret, "", "")
		if resp.StatusCode != 400 || eb.Error.Fields["overdue"] == "" {
			t.Fatalf("a bad overdue value: %d %+v", resp.StatusCode, eb)
		}
	})
}
