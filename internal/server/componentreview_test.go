package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// reviewOn sets page.component_review to mode.
func reviewOn(t *testing.T, c *client.Client, mode string) {
	t.Helper()
	ctx := context.Background()
	set, err := c.Settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.Page.ComponentReview = mode
	if _, err := c.Settings.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
}

func componentNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	comps, err := c.StatusPage.Components(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range comps {
		out = append(out, x.Name)
	}
	return out
}

// R21: with review required, a change by admin A is a proposal that is
// not applied until admin B approves it; A cannot approve it (403 naming
// R21); a viewer or a responder can neither propose nor approve; the
// approval applies it and the record names both people.
func TestRule21_ProposalAppliesOnlyWhenAnotherAdminApproves(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		adminA := e.admin // Administrator
		adminB := e.token(t, "Bea", herald.RoleAdmin)
		resp := e.token(t, "Rex", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		api, err := adminA.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("API")})
		if err != nil {
			t.Fatal(err)
		}
		reviewOn(t, adminA, herald.ComponentReviewRequired)

		// Direct changes are refused, naming the rule; nothing changes.
		if _, err := adminA.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("Search")}); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R21") {
			t.Fatalf("direct create: %v", err)
		}
		if _, err := adminA.StatusPage.UpdateComponent(ctx, api.ID, herald.ComponentInput{Name: ptr("Public API")}); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R21") {
			t.Fatalf("direct rename: %v", err)
		}
		if err := adminA.StatusPage.DeleteComponent(ctx, api.ID); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R21") {
			t.Fatalf("direct delete: %v", err)
		}

		// Only admins propose.
		for who, c := range map[string]*client.Client{"viewer": viewer, "responder": resp} {
			if _, err := c.StatusPage.ProposeComponentChange(ctx, herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: herald.ComponentInput{Name: ptr("Search")}}); statusOf2(err) != http.StatusForbidden {
				t.Fatalf("%s proposes: %v", who, err)
			}
		}
		add, err := adminA.StatusPage.ProposeComponentChange(ctx, herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: herald.ComponentInput{Name: ptr("Search"), Group: ptr("Platform")}})
		if err != nil || add.State != herald.ProposalPending || add.ProposedByName != "Administrator" || add.Summary != `Add "Search" in group "Platform"` {
			t.Fatalf("propose: %+v %v", add, err)
		}
		rename, err := adminA.StatusPage.ProposeComponentChange(ctx, herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: "API", Change: herald.ComponentInput{Name: ptr("Public API")}})
		if err != nil || rename.ComponentID != api.ID || rename.Summary != `Change "API": rename to "Public API"` {
			t.Fatalf("propose rename: %+v %v", rename, err)
		}
		// Proposed is not applied.
		if got := strings.Join(componentNames(t, viewer), ","); got != "API" {
			t.Fatalf("components before approval: %s", got)
		}
		if list, err := viewer.StatusPage.ComponentProposals(ctx, herald.ProposalPending); err != nil || len(list) != 2 {
			t.Fatalf("pending: %+v %v", list, err)
		}

		// The proposer cannot approve; nor a viewer or a responder.
		if _, err := adminA.StatusPage.ApproveComponentProposal(ctx, add.ID); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R21") {
			t.Fatalf("the proposer approves: %v", err)
		}
		for who, c := range map[string]*client.Client{"viewer": viewer, "responder": resp} {
			if _, err := c.StatusPage.ApproveComponentProposal(ctx, add.ID); statusOf2(err) != http.StatusForbidden {
				t.Fatalf("%s approves: %v", who, err)
			}
			if _, err := c.StatusPage.RejectComponentProposal(ctx, add.ID, "no"); statusOf2(err) != http.StatusForbidden {
				t.Fatalf("%s rejects: %v", who, err)
			}
		}
		if got := strings.Join(componentNames(t, viewer), ","); got != "API" {
			t.Fatalf("components after refusals: %s", got)
		}

		// A second admin approves: applied, recorded with both people.
		ok, err := adminB.StatusPage.ApproveComponentProposal(ctx, add.ID)
		if err != nil || ok.State != herald.ProposalApproved || ok.DecidedByName != "Bea" || ok.ComponentID == "" {
			t.Fatalf("approve: %+v %v", ok, err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, add.ID); statusOf2(err) != http.StatusConflict {
			t.Fatalf("approved twice: %v", err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, rename.ID); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(componentNames(t, viewer), ","); got != "Platform,Search,Public API" {
			t.Fatalf("components after approval: %s", got)
		}
		changes, err := viewer.StatusPage.ComponentChanges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var viaProposal int
		for _, c := range changes {
			if c.Via == "proposal" {
				viaProposal++
				if c.Actor != "Administrator" || c.ApprovedBy != "Bea" || c.ProposalID == "" {
					t.Fatalf("change recorded as %+v", c)
				}
			}
		}
		if viaProposal != 3 { // the group, Search, the rename
			t.Fatalf("%d changes via proposals in %+v", viaProposal, changes)
		}

		// Removing goes the same way.
		rm, err := adminB.StatusPage.ProposeComponentChange(ctx, herald.ComponentProposalInput{Action: herald.ProposalDelete, Component: "Search"})
		if err != nil || rm.Summary != `Remove "Search"` {
			t.Fatalf("propose removal: %+v %v", rm, err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, rm.ID); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("B approves own removal: %v", err)
		}
		if _, err := adminA.StatusPage.ApproveComponentProposal(ctx, rm.ID); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(componentNames(t, viewer), ","); got != "Platform,Public API" {
			t.Fatalf("components after removal: %s", got)
		}
	})
}

// R21: a rejection needs a reason, changes nothing and is kept with it.
func TestRule21_RejectionNeedsAReason(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		adminB := e.token(t, "Bea", herald.RoleAdmin)
		reviewOn(t, e.admin, herald.ComponentReviewRequired)
		p, err := e.admin.StatusPage.ProposeComponentChange(ctx, herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: herald.ComponentInput{Name: ptr("Billing")}})
		if err != nil {
			t.Fatal(err)
		}
		resp, eb := e.raw(t, "POST", "/api/v1/component-proposals/"+p.ID+"/reject", adminSecret, "application/json", `{"reason":"  "}`)
		if resp.StatusCode != http.StatusBadRequest || eb.Error.Fields["reason"] == "" {
			t.Fatalf("reject without a reason: %d %+v", resp.StatusCode, eb)
		}
		r, err := adminB.StatusPage.RejectComponentProposal(ctx, p.ID, "Billing is internal; it stays off the page")
		if err != nil || r.State != herald.ProposalRejected || r.Reason != "Billing is internal; it stays off the page" || r.DecidedByName != "Bea" {
			t.Fatalf("reject: %+v %v", r, err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, p.ID); statusOf2(err) != http.StatusConflict {
			t.Fatalf("approve a rejected proposal: %v", err)
		}
		if names := componentNames(t, e.admin); len(names) != 0 {
			t.Fatalf("components after rejection: %v", names)
		}
		got, err := e.admin.StatusPage.ComponentProposal(ctx, p.ID)
		if err != nil || got.State != herald.ProposalRejected || got.Reason == "" {
			t.Fatalf("read back: %+v %v", got, err)
		}
	})
}

// R21: a proposal another change made stale (its component renamed or
// removed meanwhile) is refused with 409 and applies nothing.
func TestRule21_StaleProposalIsRefused(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		adminB := e.token(t, "Bea", herald.RoleAdmin)
		for _, n := range []string{"API", "Search"} {
			if _, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr(n)}); err != nil {
				t.Fatal(err)
			}
		}
		reviewOn(t, e.admin, herald.ComponentReviewRequired)
		propose := func(in herald.ComponentProposalInput) herald.ComponentProposal {
			t.Helper()
			p, err := e.admin.StatusPage.ProposeComponentChange(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		describe := propose(herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: "API", Change: herald.ComponentInput{Description: ptr("The public API")}})
		rename := propose(herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: "API", Change: herald.ComponentInput{Name: ptr("Public API")}})
		rmSearch := propose(herald.ComponentProposalInput{Action: herald.ProposalDelete, Component: "Search"})
		renameSearch := propose(herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: "Search", Change: herald.ComponentInput{Name: ptr("Find")}})
		addAgain := propose(herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: herald.ComponentInput{Name: ptr("Status")}})
		addFirst := propose(herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: herald.ComponentInput{Name: ptr("Status")}})

		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, rename.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, describe.ID); statusOf2(err) != http.StatusConflict || !strings.Contains(err.Error(), "stale") {
			t.Fatalf("proposal on a renamed component: %v", err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, rmSearch.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, renameSearch.ID); statusOf2(err) != http.StatusConflict || !strings.Contains(err.Error(), "removed") {
			t.Fatalf("proposal on a removed component: %v", err)
		}
		toStatus := propose(herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: "Public API", Change: herald.ComponentInput{Name: ptr("Status")}})
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, addFirst.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, toStatus.ID); statusOf2(err) != http.StatusConflict || !strings.Contains(err.Error(), "already on the page") {
			t.Fatalf("renaming to a name taken since: %v", err)
		}
		if _, err := adminB.StatusPage.ApproveComponentProposal(ctx, addAgain.ID); statusOf2(err) != http.StatusConflict {
			t.Fatalf("adding a name taken since: %v", err)
		}
		if got := strings.Join(componentNames(t, e.admin), ","); got != "Public API,Status" {
			t.Fatalf("components: %s", got)
		}
		if p, _ := e.admin.StatusPage.ComponentProposal(ctx, describe.ID); p.State != herald.ProposalPending {
			t.Fatalf("a refused stale proposal is %s", p.State)
		}
	})
}

// R21 with the setting off (the default): admins change components at
// once, as before, and proposals are still possible.
func TestRule21_SettingOffChangesApplyAtOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		set, _ := e.admin.Settings.Settings(ctx)
		if set.Page.ComponentReview != herald.ComponentReviewOff {
			t.Fatalf("default component_review %q", set.Page.ComponentReview)
		}
		c, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("API")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.StatusPage.UpdateComponent(ctx, c.ID, herald.ComponentInput{Name: ptr("Public API")}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(componentNames(t, e.admin), ","); got != "Public API" {
			t.Fatalf("components: %s", got)
		}
		changes, _ := e.admin.StatusPage.ComponentChanges(ctx)
		if len(changes) != 2 || changes[0].Via != "" || changes[0].ApprovedBy != "" {
			t.Fatalf("changes %+v", changes)
		}
		set.Page.ComponentReview = "sometimes"
		if _, err := e.admin.Settings.SaveSettings(ctx, set); statusOf2(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "component_review") {
			t.Fatalf("an unknown mode: %v", err)
		}
	})
}
