package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const leaky = "Requests to db1.prod.internal fail.\nWe saw 2026-11-30T05:00:01Z ERROR pool exhausted on 10.0.3.17"

// wantFindings checks a refusal names every finding with its place.
func wantFindings(t *testing.T, err error, keys ...string) {
	t.Helper()
	he, _ := err.(*herald.Error)
	if he == nil || he.Code != herald.EUnprocessable {
		t.Fatalf("error = %v, want 422 with findings", err)
	}
	for _, k := range keys {
		if he.Fields[k] == "" {
			t.Errorf("the refusal lacks %s: %+v", k, he.Fields)
		}
	}
	if len(he.Fields) != len(keys) {
		t.Errorf("fields = %+v, want %v", he.Fields, keys)
	}
}

func TestRule45_PublishingIsRefusedWithPositions(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		before := f.broadcasts(t)
		// A new incident: refused with each finding and its line:column;
		// nothing is published.
		_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: "Errors on api-7.corp",
			StatusUpdateInput: herald.StatusUpdateInput{Body: leaky, Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false)
		wantFindings(t, err, "name:1:11", "body:1:13", "body:2:8")
		if !strings.Contains(err.(*herald.Error).Fields["body:1:13"], `internal_host "db1.prod.internal" (byte 12)`) {
			t.Errorf("finding text: %q", err.(*herald.Error).Fields["body:1:13"])
		}
		list, _ := f.db.StatusPage.StatusIncidents(f.ctx, 10)
		if len(list) != 0 || f.broadcasts(t) != before {
			t.Fatalf("a refused incident was published: %d incidents", len(list))
		}
		comps, _ := f.db.StatusPage.Components(f.ctx)
		if comps[0].Status != herald.Operational {
			t.Fatalf("a refused incident changed a component: %+v", comps[0])
		}
		// An update on an open incident: refused, and nothing changes.
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		before = f.broadcasts(t)
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified,
			Body: "Staff: mail jane@acme.com or see https://grafana.acme.com/d/x"}, false)
		st, _ := f.db.Settings.Settings(f.ctx)
		if err == nil || herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("dashboard link: %v", err)
		}
		wantFindings(t, err, "body:1:34") // the Grafana link; no staff domain is set yet
		st.Guard.StaffDomains = []string{"acme.com"}
		st.Guard.AllowedAddresses = []string{"support@acme.com"}
		if _, err := f.db.Settings.SaveSettings(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified,
			Body: "Staff: mail jane@acme.com or see https://grafana.acme.com/d/x"}, false)
		wantFindings(t, err, "body:1:13", "body:1:34")
		cur, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if cur.Status != herald.Investigating || len(cur.Updates) != 1 || f.broadcasts(t) != before {
			t.Fatalf("a refused update was published: %+v", cur)
		}
		// Important negatives go out: a version, times, the page's own link,
		// the support address.
		link := f.db.Links().StatusIncident(s.ID)
		ok := "Version 2.4.1 fixed it between 05:00 and 05:42 UTC; questions to support@acme.com. " + link
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: ok}, false); err != nil {
			t.Fatalf("a clean update was refused: %v", err)
		}
		// A template is guarded as filled in.
		st.StatusTemplates["leak"] = "Node 10.1.2.3 of {components} is down."
		if _, err := f.db.Settings.SaveSettings(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Template: "leak"}, false)
		wantFindings(t, err, "body:1:6")
		// Maintenances: creating, editing and posting updates.
		from := f.clock.Now().Add(time.Hour)
		_, err = f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: ptr("Upgrade"), Body: ptr("Failover to pg-2.corp"),
			ScheduledFor: &from, ScheduledUntil: ptr(from.Add(time.Hour))})
		wantFindings(t, err, "body:1:13")
		if ms, _ := f.db.Maintenances.Maintenances(f.ctx, 10); len(ms) != 0 {
			t.Fatalf("a refused maintenance was created: %+v", ms)
		}
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: ptr("Upgrade"), Body: ptr("Database upgrade."),
			ScheduledFor: &from, ScheduledUntil: ptr(from.Add(time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Body: ptr("Upgrading 192.168.0.10")})
		wantFindings(t, err, "body:1:11")
		_, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Body: "panic: runtime error: index out of range"})
		wantFindings(t, err, "body:1:1")
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Body != "Database upgrade." || len(m.Updates) != 1 {
			t.Fatalf("a refused maintenance text was written: %q, %d updates", m.Body, len(m.Updates))
		}
	})
}

func TestRule45_DryRunShowsFindingsAsChecks(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		p, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: leaky}, true)
		if err != nil {
			t.Fatalf("a dry run failed on the guard: %v", err)
		}
		if len(p.Findings) != 2 || p.Findings[1].Kind != herald.GuardLogLine || p.Findings[1].Line != 2 || p.Findings[1].Column != 8 {
			t.Fatalf("findings = %+v", p.Findings)
		}
		var guard int
		for _, c := range p.Checks {
			if c.Name == "content_guard" && !c.OK && strings.Contains(c.Message, "line ") {
				guard++
			}
		}
		if guard != 2 {
			t.Fatalf("checks = %+v, want 2 failed content_guard checks", p.Checks)
		}
		cur, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if len(cur.Updates) != 1 {
			t.Fatal("the dry run published")
		}
		// A clean dry run has no guard checks and no findings.
		p, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Fixed."}, true)
		if err != nil || len(p.Findings) != 0 || len(p.Checks) != 3 {
			t.Fatalf("clean dry run: %+v %v", p, err)
		}
	})
}

func TestRule45_OverrideIsRecorded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S2)
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, inc.Reference)
		// The reason is required.
		_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: leaky, OverrideGuard: true}, false)
		if he, _ := err.(*herald.Error); he == nil || he.Code != herald.EInvalid || he.Fields["override_guard_reason"] == "" {
			t.Fatalf("override without a reason: %v", err)
		}
		// A viewer cannot override.
		viewer := herald.Actor{User: f.bob.User, Role: herald.RoleViewer}
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, viewer, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: leaky, OverrideGuard: true, OverrideGuardReason: "x"}, false)
		wantCode(t, err, herald.EForbidden)
		// A responder overrides with a reason: published, and recorded with
		// the findings on the update and on the incident's timeline.
		reason := "the customer asked for the address to allow-list"
		cur := f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: leaky, OverrideGuard: true, OverrideGuardReason: reason})
		o := cur.Updates[0].GuardOverride
		if o == nil || o.Reason != reason || len(o.Findings) != 2 || o.Findings[0].Text != "db1.prod.internal" {
			t.Fatalf("override on the update: %+v", o)
		}
		again, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if again.Updates[0].GuardOverride == nil || again.Updates[0].GuardOverride.Findings[1].Line != 2 || again.Updates[1].GuardOverride != nil {
			t.Fatalf("override not stored: %+v", again.Updates)
		}
		tl, err := f.db.Incidents.Timeline(f.ctx, inc.Reference, "")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, e := range tl {
			if strings.HasPrefix(e.Text, "Content guard overridden by Alice (R45): "+reason) &&
				strings.Contains(e.Text, `internal_host "db1.prod.internal" at line 1, column 13`) &&
				strings.Contains(string(e.Data), `"guard_override"`) {
				found = true
			}
		}
		if !found {
			t.Fatalf("the override is not on the timeline: %+v", tl)
		}
		// A maintenance override is kept on the maintenance and its update.
		from := f.clock.Now().Add(time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: ptr("Upgrade"), Body: ptr("Failover to pg-2.corp"),
			ScheduledFor: &from, ScheduledUntil: ptr(from.Add(time.Hour)), OverrideGuard: true, OverrideGuardReason: "named in the contract"})
		if err != nil {
			t.Fatal(err)
		}
		if m.GuardOverride == nil || m.GuardOverride.Findings[0].Text != "pg-2.corp" || m.Updates[0].GuardOverride == nil {
			t.Fatalf("maintenance override: %+v / %+v", m.GuardOverride, m.Updates)
		}
		m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Body: "Now on 10.0.0.9", OverrideGuard: true, OverrideGuardReason: "agreed"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Updates[0].GuardOverride == nil || m.Updates[0].GuardOverride.Reason != "agreed" {
			t.Fatalf("maintenance update override: %+v", m.Updates[0])
		}
	})
}

func TestRule45_DraftsAreGuarded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S2)
		in := herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.Reference,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Traceback (most recent call last): boom", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}
		_, err := f.db.StatusPage.DraftStatusIncident(f.ctx, f.alice, in)
		wantFindings(t, err, "body:1:1")
		if ds, _ := f.db.StatusPage.StatusDrafts(f.ctx, inc.Reference); len(ds) != 0 {
			t.Fatalf("a refused draft was saved: %+v", ds)
		}
		in.OverrideGuard, in.OverrideGuardReason = true, "the trace is the customer's own"
		dr, err := f.db.StatusPage.DraftStatusIncident(f.ctx, f.alice, in)
		if err != nil {
			t.Fatal(err)
		}
		lead := f.holder(t, inc.Reference, herald.RoleIncidentLead)
		p, err := f.db.StatusPage.ApproveStatusDraft(f.ctx, lead, dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o := p.Incident.Updates[0].GuardOverride; o == nil || o.Reason != "the trace is the customer's own" {
			t.Fatalf("approved draft's override: %+v", o)
		}
	})
}
