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

// An S1 whose second public update comes 17 minutes after the first, where
// the cadence allows 10: one interval 7 minutes late. The update after it
// announces its own next time and keeps it. The communications role's page
// is acknowledged after 6 minutes, and the stakeholders are told once.
func TestRule13_MeasuresThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)

		// The communications role pages Rhea.
		pol, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "comms", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "rhea@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Communications", EscalationPolicyID: pol.ID}); err != nil {
			t.Fatal(err)
		}
		s, _ := e.db.Settings.Settings(ctx)
		s.RoleServices = map[string]string{herald.RoleCommunications: "Communications"}
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		name := "API"
		api, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}

		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API errors", Severity: herald.S1, Summary: "5xx"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := responder.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "customers see errors"}); err != nil {
			t.Fatal(err)
		}
		res, err := responder.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We see errors on the API.", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		pages, _ := e.db.Paging.Pages(ctx, "", "", 10)
		var comms *herald.Page
		for _, p := range pages {
			if p.IncidentID == inc.ID && p.IncidentRole == herald.RoleCommunications {
				comms = p
			}
		}
		if comms == nil {
			t.Fatalf("no communications page in %+v", pages)
		}
		e.clock.Advance(6 * time.Minute)
		if _, err := responder.Paging.AcknowledgePage(ctx, comms.ID); err != nil {
			t.Fatal(err)
		}
		publish := func(after time.Duration, in herald.StatusUpdateInput) {
			t.Helper()
			e.clock.Advance(after)
			if in.Status == herald.Resolved { // R17: the all-clear first
				if _, err := responder.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "quiet"}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := responder.StatusPage.PublishUpdate(ctx, res.ID, in, false); err != nil {
				t.Fatal(err)
			}
		}
		publish(2*time.Minute, herald.StatusUpdateInput{Status: herald.Identified, Body: "We found the cause."})                  // 8 of 10
		publish(17*time.Minute, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "A fix is out.", NextUpdateIn: 20})     // 17 of 10
		publish(20*time.Minute, herald.StatusUpdateInput{Status: herald.Resolved, Body: "The API works again.", NextUpdateIn: 0}) // 20 of 20
		if resp, _ := e.raw(t, "POST", "/api/v1/incidents/"+inc.ID+"/notify-stakeholders", adminSecret, "application/json", `{}`); resp.StatusCode != 200 {
			t.Fatalf("notify stakeholders: %d", resp.StatusCode)
		}

		m, err := viewer.Incidents.Measures(ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Intervals) != 3 || m.LateIntervals != 1 || m.MinutesLate != 7 {
			t.Fatalf("measures %+v", m)
		}
		if iv := m.Intervals[1]; !iv.Late || iv.LateS != 420 || iv.MaxMinutes != 10 || iv.State != herald.Identified || iv.Severity != herald.S1 {
			t.Fatalf("the late interval %+v", iv)
		}
		if iv := m.Intervals[2]; iv.Late || !iv.Announced || iv.MaxMinutes != 20 {
			t.Fatalf("the announced interval %+v", iv)
		}
		if len(m.Acknowledgements) != 1 || m.Acknowledgements[0].Role != herald.RoleCommunications ||
			m.Acknowledgements[0].AckS == nil || *m.Acknowledgements[0].AckS != 360 {
			t.Fatalf("acknowledgements %+v", m.Acknowledgements)
		}
		if m.StakeholderNotices != 1 {
			t.Fatalf("stakeholder notices %d", m.StakeholderNotices)
		}
		md, err := viewer.Incidents.ExportMarkdown(ctx, inc.Reference)
		if err != nil || !strings.Contains(md, "## Measures") || !strings.Contains(md, "3 intervals, 1 late, 7 minutes late") ||
			!strings.Contains(md, "Communications Manager paged") || !strings.Contains(md, "acknowledged after 6m0s") || !strings.Contains(md, "Stakeholder notices: 1") {
			t.Fatalf("export: %v\n%s", err, md)
		}
		if _, err := viewer.Incidents.Measures(ctx, "INC-999"); statusOf2(err) != 404 {
			t.Fatalf("measures of no incident: %v", err)
		}
	})
}
