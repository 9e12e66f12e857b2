package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The API says when the next public update is due and whether it is late
// (R13), and "no material updates" is one call that keeps the cadence
// (R15). Every answer is checked against openapi.json (setup).
func TestRule15_NoMaterialUpdatesThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		name := "API"
		api, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API errors", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := responder.StatusPage.NoMaterialUpdates(ctx, inc.Reference, false); statusOf2(err) != 422 {
			t.Fatalf("without a status incident: %v", err)
		}
		if _, err := responder.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage,
			What: "Status page needed", Rationale: "customers see errors"}); err != nil { // R10
			t.Fatal(err)
		}
		res, err := responder.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We see errors on the API.", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		due := e.clock.Now().Add(10 * time.Minute)
		got, err := viewer.Incidents.Incident(ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if got.StatusIncidentID != res.ID || got.NextUpdateDue == nil || !got.NextUpdateDue.Equal(due) || got.Overdue {
			t.Fatalf("incident: status incident %q, next update due %v, overdue %v", got.StatusIncidentID, got.NextUpdateDue, got.Overdue)
		}
		e.clock.Advance(11 * time.Minute)
		if got, _ := viewer.Incidents.Incident(ctx, inc.Reference); !got.Overdue {
			t.Fatal("not overdue a minute after the due time")
		}
		list, _ := viewer.Incidents.Incidents(ctx, herald.ListFilter{})
		if len(list.Incidents) != 1 || !list.Incidents[0].Overdue {
			t.Fatalf("list: %+v", list.Incidents)
		}
		if si, _ := viewer.StatusPage.StatusIncident(ctx, res.ID); !si.Overdue {
			t.Fatal("status incident not overdue")
		}

		if _, err := viewer.StatusPage.NoMaterialUpdates(ctx, inc.Reference, false); statusOf2(err) != 403 {
			t.Fatalf("a viewer publishes: %v", err)
		}
		prev, err := responder.StatusPage.NoMaterialUpdates(ctx, inc.Reference, true)
		if err != nil {
			t.Fatal(err)
		}
		if !prev.DryRun || !strings.HasPrefix(prev.Text, "No material updates: we are still working on API errors.") {
			t.Fatalf("preview: %+v", prev)
		}
		pub, err := responder.StatusPage.NoMaterialUpdates(ctx, inc.Reference, false)
		if err != nil {
			t.Fatal(err)
		}
		if pub.DryRun || pub.Status != herald.Investigating || len(pub.Updates) != 2 || pub.Components[api.ID] != herald.MajorOutage || pub.Overdue {
			t.Fatalf("published: %+v", pub)
		}
		if got, _ := viewer.Incidents.Incident(ctx, inc.Reference); got.Overdue || !got.NextUpdateDue.Equal(e.clock.Now().Add(10*time.Minute)) {
			t.Fatalf("after: next update due %v, overdue %v", got.NextUpdateDue, got.Overdue)
		}
	})
}

// Internal updates go to the stakeholder channels on their own cadence
// (30 minutes at S1 by default); the incident says when the next is due,
// and the prompts sent are listed.
func TestRule19_InternalUpdatesThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		if _, err := e.db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{Email: "leadership@example.com"}); err != nil {
			t.Fatal(err)
		}
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API errors", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		me, _, _ := responder.People.Me(ctx)
		if _, err := responder.Incidents.AssignRole(ctx, inc.Reference, herald.RoleCommunications, me.ID); err != nil {
			t.Fatal(err)
		}
		if resp, _ := e.raw(t, "POST", "/api/v1/incidents/"+inc.Reference+"/notify-stakeholders", adminSecret, "application/json", `{}`); resp.StatusCode != 200 {
			t.Fatalf("notify stakeholders: %d", resp.StatusCode)
		}
		got, err := viewer.Incidents.Incident(ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if got.NextInternalUpdateDue == nil || !got.NextInternalUpdateDue.Equal(e.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("internal update due %v", got.NextInternalUpdateDue)
		}
		e.clock.Advance(31 * time.Minute)
		if err := e.db.Work.RunPlaybook(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := viewer.Incidents.Incident(ctx, inc.Reference); !got.InternalUpdateOverdue {
			t.Fatal("not overdue")
		}
		prompts, err := viewer.Incidents.Prompts(ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if len(prompts) != 1 || prompts[0].Kind != herald.PromptInternalUpdateDue || prompts[0].UserName != "Rhea" {
			t.Fatalf("prompts: %+v", prompts)
		}

		if _, err := viewer.Incidents.SendInternalUpdate(ctx, inc.Reference, "Still on it."); statusOf2(err) != 403 {
			t.Fatalf("a viewer sends: %v", err)
		}
		if _, err := responder.Incidents.SendInternalUpdate(ctx, inc.Reference, ""); statusOf2(err) != 400 {
			t.Fatalf("an empty update: %v", err)
		}
		u, err := responder.Incidents.SendInternalUpdate(ctx, inc.Reference, "Rollback under way.")
		if err != nil {
			t.Fatal(err)
		}
		if u.Actor != "Rhea" || u.Kind != herald.InternalUpdateKind {
			t.Fatalf("update: %+v", u)
		}
		if got, _ := viewer.Incidents.Incident(ctx, inc.Reference); got.InternalUpdateOverdue || !got.NextInternalUpdateDue.Equal(e.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("after: due %v, overdue %v", got.NextInternalUpdateDue, got.InternalUpdateOverdue)
		}
		list, err := viewer.Incidents.InternalUpdates(ctx, inc.Reference)
		if err != nil || len(list) != 2 || list[1].Body != "Rollback under way." {
			t.Fatalf("internal updates: %+v %v", list, err)
		}
	})
}

// The document describes what the cadence added to incidents and status
// incidents, and the settings' durations.
func TestOpenAPI_DescribesTheCadence(t *testing.T) {
	doc := openAPIDoc(t)
	props := func(schema string) map[string]any {
		p, _ := at(doc, "components", "schemas", schema, "properties").(map[string]any)
		if p == nil {
			t.Fatalf("no schema %s", schema)
		}
		return p
	}
	inc := props("Incident")
	for _, f := range []string{"status_incident_id", "next_update_due", "overdue", "next_internal_update_due", "internal_update_overdue"} {
		if inc[f] == nil {
			t.Errorf("Incident.%s is not described", f)
		}
	}
	if at(inc, "overdue", "type") != "boolean" {
		t.Errorf("Incident.overdue: %v", inc["overdue"])
	}
	if props("StatusIncident")["overdue"] == nil {
		t.Error("StatusIncident.overdue is not described")
	}
	for _, path := range []string{"/api/v1/incidents/{id}/prompts", "/api/v1/incidents/{id}/internal-updates", "/api/v1/incidents/{id}/no-material-updates"} {
		if at(doc, "paths", path) == nil {
			t.Errorf("%s is not described", path)
		}
	}
}
