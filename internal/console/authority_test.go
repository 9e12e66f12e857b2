package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R10 on the console: publishing the first update without the decision is
// refused beside the form, which keeps the text; "Save as a draft" puts it
// on the incident screen, where only whoever may decide sees "Approve and
// publish", which publishes it as drafted.
func TestRule10_ConsoleDraftWaitsForTheLeadsApproval(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		inc, err := e.db.Incidents.DeclareIncident(e.ctx, e.lead, herald.DeclareInput{Title: "Search slow", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.lead, inc.Reference, herald.RoleIncidentLead, herald.RoleInput{User: "admin@example.com"}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		form := url.Values{"name": {"Search is slow"}, "incident": {inc.Reference}, "impact": {"auto"}, "status": {"investigating"},
			"body": {"We are looking into slow searches."}, "component." + e.web.ID: {"degraded_performance"}, "action": {"publish"}}
		res, body := b.post("/app/status/incidents", form)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "R10: the first public update for "+inc.Reference) ||
			!strings.Contains(body, "We are looking into slow searches.") || !strings.Contains(body, "Save as a draft for the incident lead") {
			t.Fatalf("publish without the decision: %d %s", res.StatusCode, body)
		}
		before := e.broadcasts(t)
		form.Set("action", "draft")
		if res, body = b.post("/app/status/incidents", form); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/incidents/"+inc.Reference) {
			t.Fatalf("draft: %d %s", res.StatusCode, body)
		}
		drafts, _ := e.db.StatusPage.StatusDrafts(e.ctx, "")
		if len(drafts) != 1 || drafts[0].DraftedByName != "responder person" {
			t.Fatalf("drafts %+v", drafts)
		}
		path := "/app/incidents/" + inc.Reference
		approve := path + "/status-drafts/" + drafts[0].ID + "/approve"
		// The author sees the draft and may discard it, not approve it.
		if _, body = b.get(path); !strings.Contains(body, "Search is slow") || strings.Contains(body, approve) || !strings.Contains(body, "/discard") {
			t.Fatalf("responder's incident screen: %s", body)
		}
		if res, _ = b.post(approve, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the author approves: %d", res.StatusCode)
		}
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if _, body = viewer.get(path); !strings.Contains(body, "Search is slow") || strings.Contains(body, approve) || strings.Contains(body, "/discard") {
			t.Fatalf("viewer's incident screen: %s", body)
		}
		if res, _ = viewer.post(approve, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer approves: %d", res.StatusCode)
		}
		if e.broadcasts(t) != before {
			t.Fatal("something was published before the approval")
		}
		lead := e.browser(t)
		lead.signIn("admin@example.com")
		if _, body = lead.get(path); !strings.Contains(body, approve) || !strings.Contains(body, "Approve and publish") {
			t.Fatalf("lead's incident screen lacks Approve: %s", body)
		}
		if res, body = lead.post(approve, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", res.StatusCode, body)
		}
		sis, _ := e.db.StatusPage.StatusIncidents(e.ctx, 10)
		if len(sis) != 1 || sis[0].IncidentID != inc.ID || !strings.HasPrefix(sis[0].Updates[0].Body, "We are looking into slow searches.") || e.broadcasts(t) != before+1 {
			t.Fatalf("published %+v", sis)
		}
		found := 0
		for _, en := range e.timeline(t, inc.Reference, "") {
			if strings.Contains(en.Text, "approved the status page draft by responder person") || strings.HasPrefix(en.Text, "Status page draft by responder person") {
				found++
			}
		}
		if found != 2 {
			t.Fatalf("timeline lacks the draft or the approval")
		}
	})
}

// R17 on the console: the lead is offered the all-clear; resolving before
// it is refused beside the composer; after it, resolving works.
func TestRule17_ConsoleOffersTheAllClearToTheLead(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		admin := e.actor(herald.RoleAdmin)
		if _, err := e.db.Incidents.AssignRole(e.ctx, admin, e.inc.Reference, herald.RoleIncidentLead, herald.RoleInput{User: "admin@example.com"}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		if _, err := e.db.Incidents.RecordDecision(e.ctx, admin, e.inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "payments fail"}); err != nil {
			t.Fatal(err)
		}
		e.create(t, b)
		path := "/app/incidents/" + e.inc.Reference
		if _, body := b.get(path); strings.Contains(body, "Give the all-clear") || !strings.Contains(body, "waits for the incident lead's all-clear") {
			t.Fatalf("responder is offered the all-clear: %s", body)
		}
		resolve := url.Values{"status": {"resolved"}, "body": {"Payments work again."}, "action": {"publish"}}
		res, body := b.post(e.updatePath(), resolve)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "R17: resolving the status incident needs the all-clear") || !strings.Contains(body, "Payments work again.") {
			t.Fatalf("resolve before the all-clear: %d %s", res.StatusCode, body)
		}
		if res, _ = b.post(path+"/all-clear", url.Values{"rationale": {"quiet"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder gives the all-clear: %d", res.StatusCode)
		}
		lead := e.browser(t)
		lead.signIn("admin@example.com")
		if _, body = lead.get(path); !strings.Contains(body, "Give the all-clear") {
			t.Fatalf("the lead is not offered the all-clear: %s", body)
		}
		if res, _ = lead.post(path+"/all-clear", url.Values{"rationale": {""}}); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("all-clear without a reason: %d", res.StatusCode)
		}
		if res, body = lead.post(path+"/all-clear", url.Values{"rationale": {"No failed payments for 30 minutes"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("all-clear: %d %s", res.StatusCode, body)
		}
		if _, body = b.get(path); !strings.Contains(body, "All-clear given by admin person") {
			t.Fatalf("the all-clear is not shown: %s", body)
		}
		if res, body = b.post(e.updatePath(), resolve); res.StatusCode != http.StatusSeeOther || e.statusIncident(t).Status != herald.Resolved {
			t.Fatalf("resolve after the all-clear: %d %s", res.StatusCode, body)
		}
	})
}

// R51, R55 on the console: a decision waiting for a second person shows
// Concur or Approve only to whoever may give it; the decider does not.
func TestRule51_ConsoleConcurAndApproveButtons(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.declare(t, "Checkout fails", herald.S2)
		admin, resp := e.actor(herald.RoleAdmin), e.actor(herald.RoleResponder)
		e.db.Incidents.AssignRole(ctx, admin, "INC-1", herald.RoleIncidentLead, herald.RoleInput{User: "admin@example.com"})
		e.db.Incidents.AssignRole(ctx, admin, "INC-1", herald.RoleEngineerOnCall, herald.RoleInput{User: "responder@example.com"})
		sev, err := e.db.Incidents.RecordDecision(ctx, admin, "INC-1", herald.DecisionInput{Kind: herald.DecisionSeverity, What: "S1", Rationale: "every customer"})
		if err != nil {
			t.Fatal(err)
		}
		cost, err := e.db.Incidents.RecordDecision(ctx, resp, "INC-1", herald.DecisionInput{Kind: herald.DecisionCostMitigation, What: "Double the cluster", Rationale: "load"})
		if err != nil {
			t.Fatal(err)
		}
		concur := "/app/incidents/INC-1/decisions/" + strconv.FormatInt(sev.ID, 10) + "/approve"
		approveCost := "/app/incidents/INC-1/decisions/" + strconv.FormatInt(cost.ID, 10) + "/approve"
		lead := e.browser(t)
		lead.signIn("admin@example.com")
		if _, body := lead.get("/app/incidents/INC-1"); !strings.Contains(body, "Decisions awaiting a second person") || strings.Contains(body, concur) || strings.Contains(body, approveCost) {
			t.Fatalf("the lead's screen: %s", body)
		}
		eng := e.browser(t)
		eng.signIn("responder@example.com")
		_, body := eng.get("/app/incidents/INC-1")
		if !strings.Contains(body, concur) || !strings.Contains(body, ">Concur<") || strings.Contains(body, approveCost) {
			t.Fatalf("the engineer's screen: %s", body)
		}
		// Not a manager: the cost approval is refused with the reason.
		if res, body := eng.post(approveCost, url.Values{}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "engineering manager") {
			t.Fatalf("cost approval by the engineer: %d", res.StatusCode)
		}
		if res, body := eng.post(concur, url.Values{"comment": {"agreed"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("concur: %d %s", res.StatusCode, body)
		}
		decs, _ := e.db.Incidents.Decisions(ctx, "INC-1")
		if !decs[0].Complete || decs[0].Approvals[0].ByName != "responder person" || decs[1].Complete {
			t.Fatalf("decisions %+v", decs)
		}
		if _, body = eng.get("/app/incidents/INC-1"); strings.Contains(body, concur) {
			t.Fatal("a complete decision still offers Concur")
		}
	})
}

// R56 on the people screen: an admin records and removes dated
// qualifications; bad input is shown again; a responder may not.
func TestRule56_ConsolePeopleScreenQualifications(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		id := e.people[herald.RoleResponder].ID
		path := "/app/people/" + id
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		if _, body := admin.get(path); !strings.Contains(body, "Qualifications") || !strings.Contains(body, "No qualifications recorded") {
			t.Fatalf("person screen: %s", body)
		}
		res, body := admin.post(path+"/qualifications", url.Values{"name": {"failover"}, "since": {"1 March"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "since must be a date") || !strings.Contains(body, `value="1 March"`) {
			t.Fatalf("bad date: %d %s", res.StatusCode, body)
		}
		if res, _ = admin.post(path+"/qualifications", url.Values{"name": {"failover"}, "since": {"2026-03-01"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d", res.StatusCode)
		}
		qs, _ := e.db.People.Qualifications(ctx, id)
		if len(qs) != 1 || qs[0].Name != "failover" || qs[0].Since != "2026-03-01" || qs[0].GrantedBy != "admin person" {
			t.Fatalf("qualifications %+v", qs)
		}
		if _, body = admin.get(path); !strings.Contains(body, "<td>2026-03-01</td>") {
			t.Fatalf("the qualification is not shown: %s", body)
		}
		resp := e.browser(t)
		resp.signIn("responder@example.com")
		if res, _ = resp.post(path+"/qualifications", url.Values{"name": {"failover"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder records: %d", res.StatusCode)
		}
		if res, _ = admin.post(path+"/qualifications/failover/remove", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.StatusCode)
		}
		if qs, _ := e.db.People.Qualifications(ctx, id); len(qs) != 0 {
			t.Fatalf("after removing: %+v", qs)
		}
	})
}

// decideStatusPage records R10's decision on an incident as actor (who may
// while nobody leads), so a test can publish its first update.
func decideStatusPage(t testing.TB, db *store.DB, actor herald.Actor, ref string) {
	t.Helper()
	if _, err := db.Incidents.RecordDecision(context.Background(), actor, ref, herald.DecisionInput{Kind: herald.DecisionStatusPage,
		What: "Status page needed", Rationale: "customers are affected"}); err != nil {
		t.Fatal(err)
	}
}

// allClear records R17's all-clear on an incident as actor.
func allClear(t testing.TB, db *store.DB, actor herald.Actor, ref string) {
	t.Helper()
	if _, err := db.Incidents.RecordDecision(context.Background(), actor, ref, herald.DecisionInput{Kind: herald.DecisionAllClear,
		What: "All clear", Rationale: "no errors for 30 minutes"}); err != nil {
		t.Fatal(err)
	}
}

// R55: an admin marks a person as an engineering manager on the person
// screen, and unmarks them.
func TestRule55_ConsoleMarksAManager(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		id := e.people[herald.RoleResponder].ID
		path := "/app/people/" + id
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		if _, body := admin.get(path); !strings.Contains(body, `name="manager" value="on">`) {
			t.Fatalf("person screen: %s", body)
		}
		if res, _ := admin.post(path+"/manager", url.Values{"manager": {"on"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark: %d", res.StatusCode)
		}
		if u, _ := e.db.People.User(ctx, id); !u.Manager {
			t.Fatal("not marked")
		}
		if _, body := admin.get(path); !strings.Contains(body, `name="manager" value="on" checked>`) || !strings.Contains(body, "· manager") {
			t.Fatalf("shown after marking: %s", body)
		}
		if res, _ := admin.post(path+"/manager", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unmark: %d", res.StatusCode)
		}
		if u, _ := e.db.People.User(ctx, id); u.Manager {
			t.Fatal("still marked")
		}
	})
}
