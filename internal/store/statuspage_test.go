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

func (f *fixture) component(t *testing.T, name, group string) herald.Component {
	t.Helper()
	in := herald.ComponentInput{Name: &name}
	if group != "" {
		in.Group = &group
	}
	c, err := f.db.StatusPage.CreateComponent(f.ctx, f.carol, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) shown(t *testing.T) map[string]herald.ComponentStatus {
	t.Helper()
	cs, err := f.db.StatusPage.Components(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]herald.ComponentStatus{}
	for _, c := range cs {
		out[c.Name] = c.Status
	}
	return out
}

func (f *fixture) statusIncident(t *testing.T, name string, comps map[string]herald.ComponentStatus, internal string) *herald.StatusIncident {
	t.Helper()
	if internal != "" {
		f.decideStatusPage(t, internal)
	}
	p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: name, IncidentID: internal,
		StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating.", Components: comps}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return p.Incident
}

func (f *fixture) update(t *testing.T, id string, in herald.StatusUpdateInput) *herald.StatusIncident {
	t.Helper()
	if in.Status == herald.Resolved {
		if s, err := f.db.StatusPage.StatusIncident(f.ctx, id); err == nil && s.IncidentID != "" {
			f.allClear(t, s.IncidentID)
		}
	}
	p, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, id, in, false)
	if err != nil {
		t.Fatal(err)
	}
	return p.Incident
}

func TestRule12_StateAndComponentStatusChangeOnlyByUpdates(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "Platform")
		f.component(t, "Web", "Platform")
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, "")
		got := f.shown(t)
		if got["API"] != herald.MajorOutage || got["Web"] != herald.Operational || got["Platform"] != herald.MajorOutage {
			t.Fatalf("after publishing: %v", got)
		}
		if s.Impact != herald.ImpactCritical || s.Status != herald.Investigating {
			t.Fatalf("incident: %+v", s)
		}
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found it.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}})
		if f.shown(t)["API"] != herald.PartialOutage || s.Status != herald.Identified || len(s.Updates) != 2 {
			t.Fatalf("after the update: %v %+v", f.shown(t), s)
		}
		ch := s.Updates[0].Components
		if len(ch) != 1 || ch[0].OldStatus != herald.MajorOutage || ch[0].NewStatus != herald.PartialOutage {
			t.Fatalf("update records %+v", ch)
		}
		// Renaming a component does not touch its status.
		name := "Public API"
		if _, err := f.db.StatusPage.UpdateComponent(f.ctx, f.carol, api.ID, herald.ComponentInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if f.shown(t)["Public API"] != herald.PartialOutage {
			t.Fatal("renaming changed the status")
		}
		// Unknown and group components are refused, and nothing changes.
		_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "x", Components: map[string]herald.ComponentStatus{"nope": herald.MajorOutage}}, false)
		wantCode(t, err, herald.EInvalid)
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "x", Components: map[string]herald.ComponentStatus{api.GroupID: herald.MajorOutage}}, false)
		wantCode(t, err, herald.EInvalid)
		again, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if again.Status != herald.Identified || len(again.Updates) != 2 {
			t.Fatal("a refused update changed the incident")
		}
	})
}

func TestRule14_UpdatesAreCheckedBeforePublishing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		link := f.db.Links().StatusIncident(s.ID)
		if !strings.HasSuffix(s.Updates[0].Body, " "+link) {
			t.Fatalf("the link was not appended: %q", s.Updates[0].Body)
		}
		long := strings.Repeat("a", herald.DefaultUpdateLimits.BeforeLink+1)
		_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: long}, false)
		he, _ := err.(*herald.Error)
		if he == nil || he.Code != herald.EUnprocessable || he.Fields["body_length"] == "" {
			t.Fatalf("a 221-character body: %v", err)
		}
		// 220 characters before the link fit: 220 + 1 + 23 = 244 <= 280.
		ok := strings.Repeat("a", herald.DefaultUpdateLimits.BeforeLink)
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: ok}, false); err != nil {
			t.Fatal(err)
		}
		// Other links count 23 each toward the 280.
		links := strings.Repeat("https://example.com/a/very/long/path/to/somewhere ", 11)
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: links}, true)
		he, _ = err.(*herald.Error)
		if he == nil || he.Fields["total_length"] == "" {
			t.Fatalf("11 links: %v", err)
		}
		// A dry run returns the checks and the text and publishes nothing.
		p, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Fix deployed."}, true)
		if err != nil || p.Text != "Fix deployed. "+link || len(p.Checks) != 3 || p.Incident.Status != herald.Monitoring {
			t.Fatalf("dry run: %+v %v", p, err)
		}
		cur, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if cur.Status != herald.Identified || len(cur.Updates) != 2 {
			t.Fatalf("the dry run published: %+v", cur)
		}
		// Overriding publishes and says so.
		cur = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: long, OverrideChecks: true})
		if !cur.Updates[0].ChecksOverridden {
			t.Fatal("override not recorded")
		}
		// With "require", a text without the link is refused.
		st, _ := f.db.Settings.Settings(f.ctx)
		st.IncidentLink = herald.LinkRequire
		f.db.Settings.SaveSettings(f.ctx, st)
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "No link here."}, false)
		he, _ = err.(*herald.Error)
		if he == nil || he.Fields["incident_link"] == "" {
			t.Fatalf("no link with require: %v", err)
		}
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Details: " + link}, false); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRule13_CadenceSetsTheNextUpdateDue(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		for _, tt := range []struct {
			sev             herald.Severity
			inv, ident, mon time.Duration
		}{
			{herald.S1, 10 * time.Minute, 10 * time.Minute, 30 * time.Minute},
			{herald.S2, 15 * time.Minute, 30 * time.Minute, 60 * time.Minute},
			{herald.S3, 15 * time.Minute, 30 * time.Minute, 60 * time.Minute},
		} {
			inc := f.declare(t, tt.sev)
			s := f.statusIncident(t, "x", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
			due := func(s *herald.StatusIncident, want time.Duration) {
				t.Helper()
				if s.NextUpdateDue == nil || !s.NextUpdateDue.Equal(f.clock.Now().Add(want)) {
					t.Fatalf("%s %s: next update due %v, want now+%v", tt.sev, s.Status, s.NextUpdateDue, want)
				}
			}
			due(s, tt.inv)
			f.clock.Advance(3 * time.Minute)
			due(f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "found"}), tt.ident)
			due(f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "fixed"}), tt.mon)
			// An update that says when the next one comes sets the interval.
			due(f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "watching", NextUpdateIn: 45}), 45*time.Minute)
			if r := f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "done"}); r.NextUpdateDue != nil {
				t.Fatal("a resolved incident owes no update")
			}
		}
	})
}

func TestRule15_NoMaterialUpdatesTemplate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s := f.statusIncident(t, "Slow API", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Investigating, Template: "no_material_updates"})
		want := "No material updates: we are still working on Slow API. Next update in 15 minutes. " + f.db.Links().StatusIncident(s.ID)
		if s.Updates[0].Body != want {
			t.Fatalf("got %q\nwant %q", s.Updates[0].Body, want)
		}
		_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Investigating, Template: "nope"}, false)
		wantCode(t, err, herald.EInvalid)
	})
}

func TestRule17_ResolveSetsComponentsOperationalUnlessStillAffected(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		a := f.statusIncident(t, "Errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, "")
		b := f.statusIncident(t, "Slowness", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		_, err := f.db.StatusPage.SetPostmortem(f.ctx, f.alice, a.ID, "https://example.com/pm")
		wantCode(t, err, herald.EUnprocessable)
		f.update(t, a.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Errors fixed."})
		if got := f.shown(t)["API"]; got != herald.DegradedPerformance {
			t.Fatalf("after resolving one of two: %s, want the other's degraded_performance", got)
		}
		res := f.update(t, b.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "All good."})
		if got := f.shown(t)["API"]; got != herald.Operational || res.Components[api.ID] != herald.Operational || res.ResolvedAt == nil {
			t.Fatalf("after resolving both: %s %+v", got, res)
		}
		if !strings.Contains(res.Updates[0].Body, f.db.Links().StatusIncident(b.ID)) {
			t.Fatal("the resolving update lacks the incident link")
		}
		pm, err := f.db.StatusPage.SetPostmortem(f.ctx, f.alice, a.ID, "https://example.com/pm")
		if err != nil || pm.PostmortemURL != "https://example.com/pm" {
			t.Fatal(pm, err)
		}
		_, err = f.db.StatusPage.SetPostmortem(f.ctx, f.alice, a.ID, "javascript:alert(1)")
		wantCode(t, err, herald.EInvalid)
	})
}

func TestRule18_StatusPageLabelsTheIncident(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc, _ := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "x", Severity: "S2", Labels: []string{"Incident-Comms::Internal"}})
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}, inc.Reference)
		got, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if strings.Join(got.Labels, ",") != herald.LabelStatusPage {
			t.Fatalf("labels %v", got.Labels)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryNote)
		if len(tl) == 0 || !strings.Contains(tl[len(tl)-1].Text, s.URL) {
			t.Fatalf("timeline: %+v", tl)
		}
		// One internal incident has one public face.
		_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: "again", IncidentID: inc.ID, StatusUpdateInput: herald.StatusUpdateInput{Body: "x"}}, false)
		wantCode(t, err, herald.EConflict)
	})
}

func TestRule21_ComponentChangesAreRecorded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		c := f.component(t, "API", "Platform")
		name := "Public API"
		f.db.StatusPage.UpdateComponent(f.ctx, f.carol, c.ID, herald.ComponentInput{Name: &name})
		if err := f.db.StatusPage.DeleteComponent(f.ctx, f.carol, c.GroupID); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("deleting a group with members: %v", err)
		}
		if err := f.db.StatusPage.DeleteComponent(f.ctx, f.carol, c.ID); err != nil {
			t.Fatal(err)
		}
		rows, _ := f.db.SQL().Query(`SELECT action, actor FROM component_changes ORDER BY id`)
		var got []string
		for rows.Next() {
			var a, who string
			if err := rows.Scan(&a, &who); err != nil {
				t.Fatal(err)
			}
			got = append(got, a+" by "+who)
		}
		rows.Close()
		want := "created by Carol,created by Carol,updated by Carol,deleted by Carol"
		if strings.Join(got, ",") != want {
			t.Fatalf("recorded %v, want %s", got, want)
		}
	})
}

func (f *fixture) maintenance(t *testing.T, start, length time.Duration, comps []string, reminders ...herald.Duration) *herald.Maintenance {
	t.Helper()
	from, until := f.clock.Now().Add(start), f.clock.Now().Add(start+length)
	name, body := "Database upgrade", "Upgrading the primary."
	in := herald.MaintenanceInput{Name: &name, Body: &body, ScheduledFor: &from, ScheduledUntil: &until, Components: &comps}
	if len(reminders) > 0 {
		in.Reminders = &reminders
	}
	m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.carol, in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) automate(t *testing.T) int {
	t.Helper()
	n, err := f.db.Work.RunMaintenanceAutomation(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func events(m *herald.Maintenance) string {
	var out []string
	for i := len(m.Updates) - 1; i >= 0; i-- {
		out = append(out, m.Updates[i].Event)
	}
	return strings.Join(out, ",")
}

func TestRule30_MaintenanceAutomationStartsAndFinishesOnTime(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		m := f.maintenance(t, time.Hour, 2*time.Hour, []string{db.ID})
		if f.automate(t) != 0 {
			t.Fatal("something happened before the window")
		}
		f.clock.Advance(time.Hour)
		f.automate(t)
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Status != herald.MaintenanceInProgress || f.shown(t)["Database"] != herald.UnderMaintenance {
			t.Fatalf("at the start: %s, %v", m.Status, f.shown(t))
		}
		// An incident during the maintenance shows over it.
		s := f.statusIncident(t, "Replica lag", map[string]herald.ComponentStatus{db.ID: herald.DegradedPerformance}, "")
		if f.shown(t)["Database"] != herald.DegradedPerformance {
			t.Fatal("the incident is hidden by the maintenance")
		}
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "ok"})
		f.clock.Advance(2 * time.Hour)
		f.automate(t)
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Status != herald.MaintenanceCompleted || f.shown(t)["Database"] != herald.Operational || events(m) != "scheduled,started,completed" {
			t.Fatalf("at the end: %s %v %s", m.Status, f.shown(t), events(m))
		}
		if f.automate(t) != 0 {
			t.Fatal("a second run did something again")
		}
	})
}

func TestRule30_CatchesUpAfterDowntime(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		m := f.maintenance(t, time.Hour, time.Hour, []string{db.ID}, herald.Duration(30*time.Minute))
		f.clock.Advance(5 * time.Hour) // Herald was down through the whole window
		if n := f.automate(t); n != 3 {
			t.Fatalf("%d steps, want reminder, start and completion", n)
		}
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Status != herald.MaintenanceCompleted || events(m) != "scheduled,reminder,started,completed" {
			t.Fatalf("%s %s", m.Status, events(m))
		}
	})
}

func TestRule30_AutomationOffCannotBeUndone(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		m := f.maintenance(t, time.Hour, time.Hour, []string{db.ID})
		off, on := false, true
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.carol, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.carol, m.ID, herald.MaintenanceInput{AutoTransition: &on})
		wantCode(t, err, herald.EUnprocessable)
		f.clock.Advance(3 * time.Hour)
		if f.automate(t) != 0 {
			t.Fatal("automation ran after it was turned off")
		}
		// By hand: start, then finish.
		if m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting late."}); err != nil || m.Status != herald.MaintenanceInProgress {
			t.Fatal(m, err)
		}
		if m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCompleted, Body: "Done."}); err != nil || m.Status != herald.MaintenanceCompleted {
			t.Fatal(m, err)
		}
		_, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "late note"})
		wantCode(t, err, herald.EUnprocessable)
	})
}

func TestRule31_RescheduleAndUpdateWithoutStarting(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		m := f.maintenance(t, 2*time.Hour, time.Hour, []string{db.ID}, herald.Duration(time.Hour))
		m, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "Still on for tonight."})
		if err != nil || m.Status != herald.MaintenanceScheduled || f.shown(t)["Database"] != herald.Operational {
			t.Fatalf("an update started it: %v %v", m, err)
		}
		// Move it a day later: the reminder moves with it.
		from, until := m.ScheduledFor.Add(24*time.Hour), m.ScheduledUntil.Add(24*time.Hour)
		m, err = f.db.Maintenances.UpdateMaintenance(f.ctx, f.carol, m.ID, herald.MaintenanceInput{ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil || len(m.Reminders) != 1 || !m.Reminders[0].DueAt.Equal(from.Add(-time.Hour)) {
			t.Fatalf("rescheduled: %+v %v", m, err)
		}
		f.clock.Advance(2 * time.Hour) // the old start: nothing
		if f.automate(t) != 0 {
			t.Fatal("the old window still fired")
		}
		f.clock.Advance(23 * time.Hour) // one hour before the new start
		if f.automate(t) != 1 || f.automate(t) != 0 {
			t.Fatal("the reminder did not fire exactly once")
		}
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if events(m) != "scheduled,update,rescheduled,reminder" {
			t.Fatalf("events %s", events(m))
		}
		var js []byte
		js, _ = json.Marshal(m.Reminders[0])
		if !strings.Contains(string(js), `"before":"1h0m0s"`) {
			t.Fatalf("reminder JSON %s", js)
		}
	})
}

func TestRule16_MonitoringLasts30MinutesAndKeepsComponentsDegraded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s := f.statusIncident(t, "Slow API", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Fix deployed; watching."})
		if s.MonitoringUntil == nil || !s.MonitoringUntil.Equal(f.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("monitoring until %v, want now+30m", s.MonitoringUntil)
		}
		if f.shown(t)["API"] != herald.DegradedPerformance {
			t.Fatal("components recovered while monitoring")
		}
		// The incident lead may lengthen it.
		f.clock.Advance(10 * time.Minute)
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching longer.", MonitorFor: 60})
		if !s.MonitoringUntil.Equal(f.clock.Now().Add(time.Hour)) {
			t.Fatalf("monitoring until %v after extending", s.MonitoringUntil)
		}
		// A plain update while monitoring keeps the end.
		end := *s.MonitoringUntil
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "All quiet."})
		if !s.MonitoringUntil.Equal(end) {
			t.Fatal("an update moved the end of monitoring")
		}
		// A recurrence returns to managing.
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Investigating, Body: "Errors are back.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}})
		if s.MonitoringUntil != nil || f.shown(t)["API"] != herald.PartialOutage {
			t.Fatalf("recurrence: %+v %v", s.MonitoringUntil, f.shown(t))
		}
		// Monitoring may be skipped.
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found it."})
		if r := f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}); r.Status != herald.Resolved {
			t.Fatal("could not resolve without monitoring")
		}
	})
}

func TestRule11_StatusIncidentHasItsPartsAndGoesToEveryChannel(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: "Login failures",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Some users cannot log in.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		s := p.Incident
		if s.Name != "Login failures" || s.Status != herald.Investigating || s.Components[api.ID] != herald.PartialOutage ||
			!strings.HasPrefix(s.Updates[0].Body, "Some users cannot log in.") || len(s.Updates[0].Channels) != 0 {
			t.Fatalf("incident %+v", s)
		}
		// Unchecking a channel is recorded with the update.
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found.", Channels: map[string]bool{"email": false}})
		again, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if again.Updates[0].Channels["email"] != false || len(again.Updates[0].Channels) != 1 {
			t.Fatalf("channels %v", again.Updates[0].Channels)
		}
	})
}

// An organisation that posts to a network with other limits sets its own
// (R14's 220/280/23 are defaults), and the checks follow them.
func TestRule14_LimitsAreSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, "")
		set, err := f.db.Settings.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		set.UpdateLimits = herald.UpdateLimits{BeforeLink: 400, Total: 500, LinkCountsAs: 30}
		if _, err := f.db.Settings.SaveSettings(f.ctx, set); err != nil {
			t.Fatal(err)
		}
		body := strings.Repeat("a", 300) // too long by default, fine now
		p, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: body}, true)
		if err != nil {
			t.Fatalf("300 characters within a 400 limit: %v", err)
		}
		if p.Checks[1].Message != "331 of 500 characters in all, each link counted as 30" {
			t.Fatalf("checks %+v", p.Checks)
		}
		set.UpdateLimits = herald.UpdateLimits{BeforeLink: 300, Total: 200, LinkCountsAs: 23}
		_, err = f.db.Settings.SaveSettings(f.ctx, set)
		wantCode(t, err, herald.EInvalid)
		if got, _ := f.db.Settings.Settings(f.ctx); got.UpdateLimits.BeforeLink != 400 {
			t.Fatalf("a refused setting changed the limits: %+v", got.UpdateLimits)
		}
	})
}
