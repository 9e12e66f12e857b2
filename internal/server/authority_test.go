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

// R10 over the API: the first public update without the recorded decision
// is 403 naming the rule; a draft waits, the lead approves it in one call,
// which publishes it; a viewer may read drafts but not write them.
func TestRule10_APIRefusesTheFirstUpdateOrDraftsItForTheLead(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		api, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("API")})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API down", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com"); err != nil {
			t.Fatal(err)
		}
		in := herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.Reference,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating API errors.", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}
		_, err = eng.StatusPage.CreateStatusIncident(ctx, in, false)
		if statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R10") || !strings.Contains(err.Error(), "needs the decision that the status page is needed") {
			t.Fatalf("first update without the decision: %v", err)
		}
		if _, err := viewer.StatusPage.DraftStatusIncident(ctx, in); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("viewer drafts: %v", err)
		}
		dr, err := eng.StatusPage.DraftStatusIncident(ctx, in)
		if err != nil || dr.State != herald.DraftPending {
			t.Fatalf("draft %+v %v", dr, err)
		}
		list, err := viewer.StatusPage.StatusDrafts(ctx, "")
		if err != nil || len(list) != 1 || list[0].ID != dr.ID {
			t.Fatalf("drafts %+v %v", list, err)
		}
		if _, err := eng.StatusPage.ApproveStatusDraft(ctx, dr.ID); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("the drafter approves: %v", err)
		}
		res, err := lead.StatusPage.ApproveStatusDraft(ctx, dr.ID)
		if err != nil || res.ID == "" || res.Components[api.ID] != herald.MajorOutage {
			t.Fatalf("approve: %+v %v", res, err)
		}
		if _, err := lead.StatusPage.ApproveStatusDraft(ctx, dr.ID); statusOf2(err) != http.StatusConflict {
			t.Fatalf("approved twice: %v", err)
		}
		tl, _ := viewer.Incidents.Timeline(ctx, inc.Reference, "")
		var saw []string
		for _, en := range tl {
			for _, want := range []string{"Status page draft by Eng", "Decision (Lea): Status page needed", "Lea approved the status page draft by Eng", "Published on the status page"} {
				if strings.HasPrefix(en.Text, want) {
					saw = append(saw, want)
				}
			}
		}
		if len(saw) != 4 {
			t.Fatalf("timeline shows %q", saw)
		}
		if list, _ := viewer.StatusPage.StatusDrafts(ctx, ""); len(list) != 0 {
			t.Fatalf("still pending: %+v", list)
		}
		if list, _ := viewer.StatusPage.StatusDrafts(ctx, inc.Reference); len(list) != 1 || list[0].State != herald.DraftPublished {
			t.Fatalf("the incident's drafts: %+v", list)
		}
	})
}

// R17 over the API: resolving without the lead's all-clear is 403 naming
// the rule; after it, the Resolved update goes out.
func TestRule17_APIResolveWaitsForTheAllClear(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API down", Severity: herald.S2})
		eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com")
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "customers see errors"}); err != nil {
			t.Fatal(err)
		}
		res, err := eng.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false)
		if err != nil {
			t.Fatal(err)
		}
		resolve := herald.StatusUpdateInput{Status: herald.Resolved, Body: "Resolved."}
		if _, err := eng.StatusPage.PublishUpdate(ctx, res.ID, resolve, false); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R17") {
			t.Fatalf("resolve without the all-clear: %v", err)
		}
		if _, err := eng.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "quiet"}); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("the engineer gives the all-clear: %v", err)
		}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "quiet for 30 minutes"}); err != nil {
			t.Fatal(err)
		}
		if out, err := eng.StatusPage.PublishUpdate(ctx, res.ID, resolve, false); err != nil || out.Status != herald.Resolved {
			t.Fatalf("resolve after the all-clear: %v", err)
		}
	})
}

// R51, R55 over the API: decisions that need a second person list as
// awaiting; the approval is 403 for the decider and for someone without
// the standing, and completes the decision for someone with it.
func TestRule55_APIApprovalsOfDecisions(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		eng := e.token(t, "Eng", herald.RoleResponder)
		mgrUser, err := e.admin.People.CreateUser(ctx, herald.UserInput{Name: "Meg", Email: "meg@example.com", Manager: true})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := e.admin.People.CreateToken(ctx, herald.TokenInput{Name: "meg", Role: herald.RoleResponder, UserID: mgrUser.ID})
		mgr := client.New(e.http.URL, tok.Secret)
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Load", Severity: herald.S1})
		en, err := eng.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionCostMitigation, What: "Scale the cluster up", Rationale: "twice the load"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := eng.Incidents.Decisions(ctx, inc.Reference)
		if err != nil || len(list) != 1 || list[0].Complete || !strings.Contains(list[0].Decision.Awaits, "engineering manager") {
			t.Fatalf("decisions %+v %v", list, err)
		}
		if _, err := eng.Incidents.ApproveDecision(ctx, inc.Reference, en.ID, herald.ApprovalInput{}); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("the decider approves: %v", err)
		}
		st, err := mgr.Incidents.ApproveDecision(ctx, inc.Reference, en.ID, herald.ApprovalInput{Comment: "ok"})
		if err != nil || !st.Complete || st.Approvals[0].ByName != "Meg" {
			t.Fatalf("approval %+v %v", st, err)
		}
		resp, _ := e.raw(t, "POST", "/api/v1/incidents/"+inc.Reference+"/decisions/abc/approve", adminSecret, "application/json", `{}`)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a decision id that is not a number: %d", resp.StatusCode)
		}
	})
}

// R56 over the API: qualifications are an admin's to record, anyone's to
// read; a failover needs them and leaves the failback follow-up.
func TestRule56_APIQualificationsGateTheFailover(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Region down", Severity: herald.S1})
		eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com")
		failover := herald.DecisionInput{Kind: herald.DecisionFailover, What: "Fail over", Rationale: "faster than restore"}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, failover); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R56") {
			t.Fatalf("untrained failover: %v", err)
		}
		if _, err := eng.People.SetQualification(ctx, "lea@example.com", "failover", "2026-03-01"); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("a responder records a qualification: %v", err)
		}
		if _, err := e.admin.People.SetQualification(ctx, "lea@example.com", "failover", "March"); statusOf2(err) != http.StatusBadRequest {
			t.Fatalf("a bad date: %v", err)
		}
		q, err := e.admin.People.SetQualification(ctx, "lea@example.com", "failover", "2026-03-01")
		if err != nil || q.Since != "2026-03-01" {
			t.Fatalf("qualification %+v %v", q, err)
		}
		if qs, err := eng.People.Qualifications(ctx, "lea@example.com"); err != nil || len(qs) != 1 {
			t.Fatalf("read qualifications %+v %v", qs, err)
		}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, failover); err != nil {
			t.Fatal(err)
		}
		fus, _ := eng.Incidents.FollowUps(ctx, inc.Reference)
		if len(fus) != 1 || fus[0].Title != "Manual failback" {
			t.Fatalf("follow-ups %+v", fus)
		}
		if err := e.admin.People.RemoveQualification(ctx, "lea@example.com", "failover"); err != nil {
			t.Fatal(err)
		}
		if err := e.admin.People.RemoveQualification(ctx, "lea@example.com", "failover"); statusOf2(err) != http.StatusNotFound {
			t.Fatalf("removed twice: %v", err)
		}
	})
}

// R55 over HTTP: an admin marks a manager later (PUT .../manager); a
// responder may not, and the new manager's approval then counts.
func TestRule55_APIMarksAManager(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		eng := e.token(t, "Eng", herald.RoleResponder)
		mgr := e.token(t, "Mia", herald.RoleResponder)
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Slow checkout", Severity: herald.S2})
		entry, err := eng.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionCostMitigation, What: "Scale out", Rationale: "CPU at 95%"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mgr.Incidents.ApproveDecision(ctx, inc.Reference, entry.ID, herald.ApprovalInput{}); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("approval before being a manager: %v", err)
		}
		if _, err := eng.People.SetManager(ctx, "mia@example.com", true); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("a responder marks a manager: %v", err)
		}
		u, err := e.admin.People.SetManager(ctx, "mia@example.com", true)
		if err != nil || !u.Manager {
			t.Fatalf("mark: %+v %v", u, err)
		}
		if st, err := mgr.Incidents.ApproveDecision(ctx, inc.Reference, entry.ID, herald.ApprovalInput{}); err != nil || !st.Complete {
			t.Fatalf("approval as a manager: %+v %v", st, err)
		}
	})
}
