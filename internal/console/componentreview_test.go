package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R21 in the console: with review required the components screen's forms
// propose; the proposal waits, listed, until another admin approves it
// there; the proposer sees no approve button (and the store refuses
// them); a rejection needs a reason; a viewer sees the list and no
// buttons, and cannot post.
func TestRule21_ConsoleProposesAndAnotherAdminApproves(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		bea, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: "Bea", Email: "bea@example.com", Role: herald.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Auth.SetPassword(ctx, bea.ID, pw); err != nil {
			t.Fatal(err)
		}
		s, _ := e.db.Settings.Settings(ctx)
		s.Page.ComponentReview = herald.ComponentReviewRequired
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		if _, page := admin.get("/app/settings"); !strings.Contains(page, `<option value="required" selected>`) {
			t.Fatalf("the settings screen does not show review required:\n%s", page)
		}
		res, body := admin.post("/app/status/components", url.Values{"name": {"API"}, "description": {""}, "group": {""}, "position": {"0"}})
		wantRedirect(t, "propose", res, body, "/app/status/components")
		if _, ok := componentNamed(t, e, "API"); ok {
			t.Fatal("a proposal changed the page")
		}
		list, _ := e.db.StatusPage.ComponentProposals(ctx, herald.ProposalPending)
		if len(list) != 1 || list[0].ProposedByName != "admin person" {
			t.Fatalf("proposals %+v", list)
		}
		p := list[0]
		_, page := admin.get("/app/status/components")
		if !strings.Contains(page, `Add &#34;API&#34;`) || !strings.Contains(page, "Yours: another admin approves it.") || strings.Contains(page, "/proposals/"+p.ID+"/approve") {
			t.Fatalf("the proposer's screen:\n%s", page)
		}
		if res, _ := admin.post("/app/status/components/proposals/"+p.ID+"/approve", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the proposer approves: %d", res.StatusCode)
		}

		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if _, page := viewer.get("/app/status/components"); !strings.Contains(page, `Add &#34;API&#34;`) || strings.Contains(page, "/approve") || strings.Contains(page, "Reject") {
			t.Fatalf("the viewer's screen:\n%s", page)
		}
		if res, _ := viewer.post("/app/status/components/proposals/"+p.ID+"/approve", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer approves: %d", res.StatusCode)
		}

		b := e.browser(t)
		b.signIn("bea@example.com")
		if _, page := b.get("/app/status/components"); !strings.Contains(page, "/proposals/"+p.ID+"/approve") {
			t.Fatalf("Bea's screen lacks approve:\n%s", page)
		}
		res, body = b.post("/app/status/components/proposals/"+p.ID+"/approve", url.Values{})
		wantRedirect(t, "approve", res, body, "/app/status/components")
		if _, ok := componentNamed(t, e, "API"); !ok {
			t.Fatal("approved but not applied")
		}

		// An edit proposes only what changed; a rejection needs a reason.
		api, _ := componentNamed(t, e, "API")
		res, body = admin.post("/app/status/components/"+api.ID, url.Values{"name": {"Public API"}, "description": {""}, "group": {""}, "position": {"0"}})
		wantRedirect(t, "propose rename", res, body, "/app/status/components")
		list, _ = e.db.StatusPage.ComponentProposals(ctx, herald.ProposalPending)
		if len(list) != 1 || list[0].Summary != `Change "API": rename to "Public API"` {
			t.Fatalf("rename proposal %+v", list)
		}
		res, body = b.post("/app/status/components/proposals/"+list[0].ID+"/reject", url.Values{"reason": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "field-error") {
			t.Fatalf("reject without a reason: %d", res.StatusCode)
		}
		res, body = b.post("/app/status/components/proposals/"+list[0].ID+"/reject", url.Values{"reason": {"Customers know it as API"}})
		wantRedirect(t, "reject", res, body, "/app/status/components")
		if got, _ := e.db.StatusPage.ComponentProposal(ctx, list[0].ID); got.State != herald.ProposalRejected || got.Reason != "Customers know it as API" {
			t.Fatalf("rejected %+v", got)
		}
		if _, ok := componentNamed(t, e, "API"); !ok {
			t.Fatal("a rejected rename applied")
		}
	})
}
