package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R16 over the API: only the incident lead shortens, lengthens or skips
// monitoring. Another responder's update that does is 403 naming the rule
// and changes nothing; an admin does not act for the lead either (decision
// authority has no admin override); the lead's own change goes through.
func TestRule16_OnlyTheLeadChangesTheMonitoringPeriod(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		// Without R17's all-clear, so that resolving is R16's question alone.
		set, _ := e.admin.Settings.Settings(ctx)
		set.RequireAllClear = false
		if _, err := e.admin.Settings.SaveSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API down", Severity: herald.S2})
		if _, err := eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "customers see errors"}); err != nil {
			t.Fatal(err)
		}
		res, err := eng.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false)
		if err != nil {
			t.Fatal(err)
		}
		id := res.ID
		refused := func(who string, err error) {
			t.Helper()
			if statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R16") || !strings.Contains(err.Error(), "Incident Lead") {
				t.Fatalf("%s: want 403 naming R16 and the lead, got %v", who, err)
			}
		}
		// Skipping: the engineer resolves straight from Investigating.
		_, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false)
		refused("engineer skips monitoring", err)
		// Lengthening on entering Monitoring.
		_, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching.", MonitorFor: 90}, false)
		refused("engineer lengthens", err)
		// An admin is not the lead either.
		_, err = e.admin.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching.", MonitorFor: 90}, false)
		refused("admin lengthens", err)
		if s, _ := eng.StatusPage.StatusIncident(ctx, id); s.Status != herald.Investigating || len(s.Updates) != 1 {
			t.Fatalf("a refused update changed the incident: %s, %d updates", s.Status, len(s.Updates))
		}
		// Monitoring as the setting says is anyone's update.
		s, err := eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Fix deployed; watching."}, false)
		if err != nil || s.MonitoringUntil == nil || !s.MonitoringUntil.Equal(e.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("monitoring by the setting: %+v %v", s.MonitoringUntil, err)
		}
		end := *s.MonitoringUntil
		// Shortening, by a new period or by resolving early.
		_, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Shorter.", MonitorFor: 5}, false)
		refused("engineer shortens", err)
		e.clock.Advance(10 * time.Minute)
		_, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false)
		refused("engineer resolves early", err)
		// A plain update keeps the period: anyone's.
		if s, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "All quiet."}, false); err != nil || !s.MonitoringUntil.Equal(end) {
			t.Fatalf("plain update: %v %v", s.MonitoringUntil, err)
		}
		// The lead lengthens it.
		if s, err = lead.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching for an hour.", MonitorFor: 60}, false); err != nil ||
			!s.MonitoringUntil.Equal(e.clock.Now().Add(time.Hour)) {
			t.Fatalf("the lead lengthens: %v %v", s.MonitoringUntil, err)
		}
		// Once the period has run, anyone resolves.
		e.clock.Advance(61 * time.Minute)
		if s, err = eng.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err != nil || s.Status != herald.Resolved {
			t.Fatalf("resolve after monitoring: %v", err)
		}
	})
}

// R16 with nobody leading: like the all-clear, the decision is open to
// any responder (decision authority's rule for a role nobody holds).
func TestRule16_WithoutALeadAnyResponderDecides(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		eng := e.token(t, "Eng", herald.RoleResponder)
		set, _ := e.admin.Settings.Settings(ctx)
		set.RequireAllClear = false
		if _, err := e.admin.Settings.SaveSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API slow", Severity: herald.S3})
		if _, err := eng.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "visible"}); err != nil {
			t.Fatal(err)
		}
		res, err := eng.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "API slow", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false)
		if err != nil {
			t.Fatal(err)
		}
		s, err := eng.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching.", MonitorFor: 10}, false)
		if err != nil || !s.MonitoringUntil.Equal(e.clock.Now().Add(10*time.Minute)) {
			t.Fatalf("no lead: %v %v", s.MonitoringUntil, err)
		}
		cur, _ := eng.Incidents.Incident(ctx, inc.Reference)
		st := herald.Resolved
		if _, err := eng.Incidents.UpdateIncident(ctx, inc.Reference, herald.UpdateInput{Version: cur.Version, State: &st}); err != nil {
			t.Fatalf("no lead, resolving without monitoring: %v", err)
		}
	})
}

// R16 on the incident itself: resolving it without monitoring, or before
// its period ends, is the lead's call; the lead's all-clear lets anyone
// resolve.
func TestRule16_ResolvingTheIncidentEarlyIsTheLeadsCall(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		inc, _ := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API down", Severity: herald.S2})
		if _, err := eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com"); err != nil {
			t.Fatal(err)
		}
		resolve := func(who *client.IncidentClient) error {
			cur, err := who.Incident(ctx, inc.Reference)
			if err != nil {
				return err
			}
			st := herald.Resolved
			_, err = who.UpdateIncident(ctx, inc.Reference, herald.UpdateInput{Version: cur.Version, State: &st})
			return err
		}
		if err := resolve(eng.Incidents); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "R16") || !strings.Contains(err.Error(), "without monitoring") {
			t.Fatalf("engineer resolves without monitoring: %v", err)
		}
		cur, _ := eng.Incidents.Incident(ctx, inc.Reference)
		mon := herald.Monitoring
		if _, err := eng.Incidents.UpdateIncident(ctx, inc.Reference, herald.UpdateInput{Version: cur.Version, State: &mon}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(5 * time.Minute)
		if err := resolve(eng.Incidents); statusOf2(err) != http.StatusForbidden || !strings.Contains(err.Error(), "before monitoring ends") {
			t.Fatalf("engineer resolves early: %v", err)
		}
		if got, _ := eng.Incidents.Incident(ctx, inc.Reference); got.State != herald.Monitoring {
			t.Fatalf("state %s after a refusal", got.State)
		}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "quiet"}); err != nil {
			t.Fatal(err)
		}
		if err := resolve(eng.Incidents); err != nil {
			t.Fatalf("resolve after the lead's all-clear: %v", err)
		}
	})
}
