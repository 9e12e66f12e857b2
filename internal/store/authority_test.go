package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func (f *fixture) broadcasts(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.SQL().QueryRow(`SELECT count(*) FROM broadcasts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func timelineHas(t *testing.T, f *fixture, ref, text string) bool {
	t.Helper()
	tl, err := f.db.Incidents.Timeline(f.ctx, ref, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tl {
		if strings.Contains(e.Text, text) {
			return true
		}
	}
	return false
}

// R10: the first public update for an incident needs the recorded status
// page decision; whoever lacks it is refused (naming the rule) or drafts,
// and the lead approves the draft in one action, which publishes it as
// drafted through the same path, broadcast included.
func TestRule10_FirstPublicUpdateNeedsTheDecisionOrTheLeadsApproval(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S2)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		in := herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.Reference,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating errors on the API.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}

		// Without the decision: refused, naming the rule; nothing published.
		before := f.broadcasts(t)
		_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.bob, in, false)
		wantCode(t, err, herald.EForbidden)
		if !strings.Contains(err.Error(), "R10") || !strings.Contains(err.Error(), "Incident Lead") || !strings.Contains(err.Error(), "draft") {
			t.Fatalf("refusal does not say the rule in plain words: %v", err)
		}
		// The lead herself needs the decision recorded too.
		_, err = f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, in, false)
		wantCode(t, err, herald.EForbidden)
		if list, _ := f.db.StatusPage.StatusIncidents(f.ctx, 10); len(list) != 0 || f.broadcasts(t) != before {
			t.Fatalf("a refused update was published: %d incidents", len(list))
		}
		// A preview is anyone's.
		if p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.bob, in, true); err != nil || p.Text == "" {
			t.Fatalf("dry run: %v", err)
		}

		// Bob drafts; the timeline says it waits for the lead.
		dr, err := f.db.StatusPage.DraftStatusIncident(f.ctx, f.bob, in)
		if err != nil {
			t.Fatal(err)
		}
		if dr.State != herald.DraftPending || dr.DraftedByName != "Bob" || dr.Reference != inc.Reference || !strings.Contains(dr.Text, "investigating errors") {
			t.Fatalf("draft %+v", dr)
		}
		if !timelineHas(t, f, inc.ID, "Status page draft by Bob") {
			t.Fatal("the draft is not on the timeline")
		}
		if list, _ := f.db.StatusPage.StatusDrafts(f.ctx, ""); len(list) != 1 || list[0].ID != dr.ID {
			t.Fatalf("pending drafts: %+v", list)
		}
		// A draft that cannot be published is refused at once.
		bad := in
		bad.Body = strings.Repeat("x", 400)
		_, err = f.db.StatusPage.DraftStatusIncident(f.ctx, f.bob, bad)
		if err == nil {
			t.Fatal("a draft failing its checks was saved")
		}

		// Bob cannot approve his own draft (he may not decide), nor Carol.
		_, err = f.db.StatusPage.ApproveStatusDraft(f.ctx, f.bob, dr.ID)
		wantCode(t, err, herald.EForbidden)
		_, err = f.db.StatusPage.ApproveStatusDraft(f.ctx, f.carol, dr.ID)
		wantCode(t, err, herald.EForbidden)
		// Carol (not its author, not the lead) cannot discard it either.
		_, err = f.db.StatusPage.DiscardStatusDraft(f.ctx, f.carol, dr.ID)
		wantCode(t, err, herald.EForbidden)

		// The lead approves: decision, publication and broadcast in one.
		f.clock.Advance(time.Minute)
		p, err := f.db.StatusPage.ApproveStatusDraft(f.ctx, f.alice, dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Incident == nil || p.Incident.IncidentID != inc.ID || p.Incident.Updates[0].Body != dr.Text+" "+p.Incident.URL || p.Incident.Components[api.ID] != herald.PartialOutage {
			t.Fatalf("published %+v, want the draft %q", p.Incident, dr.Text)
		}
		if f.broadcasts(t) != before+1 {
			t.Fatal("approving did not broadcast the update")
		}
		decs, _ := f.db.Incidents.Decisions(f.ctx, inc.ID)
		if len(decs) != 1 || decs[0].Decision.Kind != herald.DecisionStatusPage || decs[0].Decision.DecidedByName != "Alice" {
			t.Fatalf("decisions %+v", decs)
		}
		for _, want := range []string{"Alice approved the status page draft by Bob", "Published on the status page: API errors"} {
			if !timelineHas(t, f, inc.ID, want) {
				t.Fatalf("timeline lacks %q", want)
			}
		}
		got, _ := f.db.StatusPage.StatusDrafts(f.ctx, inc.Reference)
		if len(got) != 1 || got[0].State != herald.DraftPublished || got[0].StatusIncidentID != p.Incident.ID || got[0].SettledByName != "Alice" {
			t.Fatalf("settled draft %+v", got)
		}
		// Approved once only.
		_, err = f.db.StatusPage.ApproveStatusDraft(f.ctx, f.alice, dr.ID)
		wantCode(t, err, herald.EConflict)

		// With the decision recorded, anyone may publish the first update.
		inc2 := f.declare(t, herald.S3)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc2.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		in.IncidentID = inc2.ID
		dr2, err := f.db.StatusPage.DraftStatusIncident(f.ctx, f.bob, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.StatusPage.DiscardStatusDraft(f.ctx, f.bob, dr2.ID); err != nil {
			t.Fatal(err)
		}
		if !timelineHas(t, f, inc2.ID, "Bob discarded the status page draft by Bob") {
			t.Fatal("the discard is not on the timeline")
		}
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc2.ID, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Status page needed", Rationale: "customers see errors"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.bob, in, false); err != nil {
			t.Fatal(err)
		}
		// A status incident of no incident has nobody to decide: unchanged.
		in.IncidentID = ""
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.bob, in, false); err != nil {
			t.Fatal(err)
		}
	})
}

// R17: the Resolved update needs the incident lead's all-clear, recorded
// since the incident last went back to investigating or identified; the
// setting turns it off.
func TestRule17_ResolvingNeedsTheLeadsAllClear(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S2)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		resolve := herald.StatusUpdateInput{Status: herald.Resolved, Body: "Resolved."}
		_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.bob, s.ID, resolve, false)
		wantCode(t, err, herald.EForbidden)
		if !strings.Contains(err.Error(), "R17") || !strings.Contains(err.Error(), "all-clear") {
			t.Fatalf("refusal: %v", err)
		}
		// A preview still shows what resolving would publish.
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.bob, s.ID, resolve, true); err != nil {
			t.Fatal(err)
		}
		// Only the lead gives the all-clear.
		allClear := herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "no errors for 30 minutes"}
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, allClear)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, allClear); err != nil {
			t.Fatal(err)
		}
		// Back to identified: the all-clear no longer holds.
		f.clock.Advance(time.Minute)
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "The errors are back."})
		f.clock.Advance(time.Minute)
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.bob, s.ID, resolve, false)
		wantCode(t, err, herald.EForbidden)
		f.clock.Advance(time.Minute)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, allClear); err != nil {
			t.Fatal(err)
		}
		p, err := f.db.StatusPage.PublishUpdate(f.ctx, f.bob, s.ID, resolve, false)
		if err != nil || p.Incident.Status != herald.Resolved {
			t.Fatalf("resolve after the all-clear: %v", err)
		}

		// The setting turns the requirement off.
		st, _ := f.db.Settings.Settings(f.ctx)
		if !st.RequireAllClear {
			t.Fatal("the all-clear is not required by default")
		}
		st.RequireAllClear = false
		if _, err := f.db.Settings.SaveSettings(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		inc2 := f.declare(t, herald.S3)
		s2 := f.statusIncident(t, "Web errors", map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}, inc2.ID)
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.bob, s2.ID, resolve, false); err != nil {
			t.Fatal(err)
		}
	})
}

// R51: a severity decision is the lead's with the engineer's: one records
// it, the other concurs, and only then is it complete. Nobody concurs
// with their own decision or for a role they do not hold.
func TestRule51_SeverityDecisionCompleteOnlyWithTheOthersConcurrence(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, herald.DecisionInput{Kind: herald.DecisionSeverity, What: "S1", Rationale: "all customers"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.Text, "Awaits the concurrence of the Incident Lead or Engineer on Call") {
			t.Fatalf("entry %q", e.Text)
		}
		decs, _ := f.db.Incidents.Decisions(f.ctx, inc.ID)
		if len(decs) != 1 || decs[0].Complete {
			t.Fatalf("a severity decision by one is complete: %+v", decs)
		}
		// Her own concurrence does not count; nor does Carol's, who holds no role.
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		// Nobody holds the engineer's role yet.
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.carol, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EUnprocessable)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.bob.User.ID})
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.carol, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		st, err := f.db.Incidents.ApproveDecision(f.ctx, f.bob, inc.ID, e.ID, herald.ApprovalInput{Comment: "agreed"})
		if err != nil || !st.Complete || st.Approvals[0].ByName != "Bob" {
			t.Fatalf("concurrence %+v %v", st, err)
		}
		if !timelineHas(t, f, inc.ID, "Concurred with Alice's decision (severity): S1. agreed") {
			t.Fatal("the concurrence is not on the timeline")
		}
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.bob, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EConflict)
		// The engineer may record it too; then the lead concurs.
		e2, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{Kind: herald.DecisionSeverity, What: "S2", Rationale: "contained"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, e2.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		// A general decision needs nobody else.
		g, _ := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{What: "restart", Rationale: "stuck"})
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, g.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EUnprocessable)
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, 999999, herald.ApprovalInput{})
		wantCode(t, err, herald.ENotFound)
	})
}

// R55: a cost-impacting mitigation is recorded as a decision that waits
// for an engineering manager's approval, recorded on the timeline.
func TestRule55_CostImpactingMitigationNeedsAManagersApproval(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{Kind: herald.DecisionCostMitigation,
			What: "Double the database cluster", Rationale: "the load is twice the capacity"})
		if err != nil {
			t.Fatal(err)
		}
		var dec herald.Decision
		if err := json.Unmarshal(e.Data, &dec); err != nil {
			t.Fatal(err)
		}
		if dec.Awaits != "the approval of an engineering manager or above, other than the decider" {
			t.Fatalf("awaits %q", dec.Awaits)
		}
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		if decs, _ := f.db.Incidents.Decisions(f.ctx, inc.ID); decs[0].Complete {
			t.Fatal("complete without the approval")
		}
		st, err := f.db.Incidents.ApproveDecision(f.ctx, f.carol, inc.ID, e.ID, herald.ApprovalInput{Comment: "within budget"})
		if err != nil || !st.Complete {
			t.Fatalf("approval %+v %v", st, err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryApproval)
		if len(tl) != 1 || tl[0].Actor != "Carol" || !strings.Contains(tl[0].Text, "Approved Bob's decision (cost_mitigation): Double the database cluster") {
			t.Fatalf("approval entries %+v", tl)
		}
		// A manager's own cost decision still needs another manager.
		e2, _ := f.db.Incidents.RecordDecision(f.ctx, f.carol, inc.ID, herald.DecisionInput{Kind: herald.DecisionCostMitigation, What: "More cache", Rationale: "hit rate"})
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.carol, inc.ID, e2.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		md := func() string { r, _ := f.db.Incidents.Export(f.ctx, inc.ID); return r.Markdown() }()
		if !strings.Contains(md, "Double the database cluster") {
			t.Fatalf("export lacks the decision:\n%s", md)
		}
	})
}

// R56: a failover is decided and approved only by people trained for it
// (dated qualifications), and recording one tracks the manual failback.
func TestRule56_FailoverByTrainedPeopleOnlyAndFailbackFollowUp(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		failover := herald.DecisionInput{Kind: herald.DecisionFailover, What: "Fail over to eu-west-2", Rationale: "30-45 minutes against 2-4 hours"}
		_, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		if !strings.Contains(err.Error(), "qualified for failover") {
			t.Fatalf("refusal %v", err)
		}
		// Trained from a future day does not count yet.
		tomorrow := f.clock.Now().AddDate(0, 0, 1).Format(time.DateOnly)
		if _, err := f.db.People.SetQualification(f.ctx, f.carol, "alice@example.com", "failover", herald.QualificationInput{Since: tomorrow}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		_, err = f.db.People.SetQualification(f.ctx, f.carol, "alice@example.com", "failover", herald.QualificationInput{Since: "2026-13-01"})
		wantCode(t, err, herald.EInvalid)
		_, err = f.db.People.SetQualification(f.ctx, f.carol, "alice@example.com", "Fail Over!", herald.QualificationInput{})
		wantCode(t, err, herald.EInvalid)
		f.qualify(t, f.alice, "failover")
		if qs, _ := f.db.People.Qualifications(f.ctx, "alice@example.com"); len(qs) != 1 || qs[0].Since != "2026-01-01" || qs[0].GrantedBy != "Carol" {
			t.Fatalf("qualifications %+v", qs)
		}
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover)
		if err != nil {
			t.Fatal(err)
		}
		fus, _ := f.db.Incidents.FollowUps(f.ctx, inc.ID)
		if len(fus) != 1 || fus[0].Title != "Manual failback" || fus[0].Owner != "Alice" || fus[0].Done {
			t.Fatalf("follow-ups %+v", fus)
		}
		// The follow-up comes after the failover on the timeline.
		if tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, ""); len(tl) < 2 || tl[len(tl)-2].ID != e.ID || !strings.HasPrefix(tl[len(tl)-1].Text, "Follow-up added: Manual failback") {
			t.Fatalf("timeline ends %+v", tl[len(tl)-2:])
		}
		// Approval: only someone else trained for failover.
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.carol, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		f.qualify(t, f.bob, "failover")
		if st, err := f.db.Incidents.ApproveDecision(f.ctx, f.bob, inc.ID, e.ID, herald.ApprovalInput{}); err != nil || !st.Complete {
			t.Fatalf("approval %+v %v", st, err)
		}
		// Removing the qualification takes the right away.
		if err := f.db.People.RemoveQualification(f.ctx, f.carol, "alice@example.com", "failover"); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		err = f.db.People.RemoveQualification(f.ctx, f.carol, "alice@example.com", "failover")
		wantCode(t, err, herald.ENotFound)
	})
}

// R55: who is a manager changes over time; an admin marks a person later,
// and from then on their approval counts.
func TestRule55_ManagerMarkedLaterMayApprove(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{Kind: herald.DecisionCostMitigation,
			What: "Add two app servers", Rationale: "CPU at 95%"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Incidents.ApproveDecision(f.ctx, f.alice, inc.ID, e.ID, herald.ApprovalInput{})
		wantCode(t, err, herald.EForbidden)
		u, err := f.db.People.SetManager(f.ctx, "alice@example.com", true)
		if err != nil || !u.Manager {
			t.Fatalf("set manager: %+v %v", u, err)
		}
		alice, err := f.db.People.User(f.ctx, f.alice.User.ID)
		if err != nil || !alice.Manager {
			t.Fatalf("read back: %+v %v", alice, err)
		}
		if st, err := f.db.Incidents.ApproveDecision(f.ctx, herald.Actor{User: alice, Role: herald.RoleResponder}, inc.ID, e.ID, herald.ApprovalInput{}); err != nil || !st.Complete {
			t.Fatalf("approval by the new manager: %+v %v", st, err)
		}
		if u, err = f.db.People.SetManager(f.ctx, alice.ID, false); err != nil || u.Manager {
			t.Fatalf("unset: %+v %v", u, err)
		}
		_, err = f.db.People.SetManager(f.ctx, "nobody@example.com", true)
		wantCode(t, err, herald.ENotFound)
	})
}
