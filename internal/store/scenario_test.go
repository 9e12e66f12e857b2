package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestScenario_S1ByThePlaybook plays a whole S1, an hour and a half of
// incident, on the injected clock: the declaration pages the three roles,
// they engage, the lead decides on public communication, the first update
// goes out, the communications manager is reminded before the next one is
// due and again when it is late, monitoring runs its course, the lead
// gives the all-clear, the incident resolves and its reviews come due.
// Each step asserts what the playbook did, and the measures at the end
// count what was late.
func TestScenario_S1ByThePlaybook(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f) // lead Bob, engineer Alice, communications Carol
		api := f.component(t, "Checkout API", "")
		start := f.clock.Now()
		at := func(minutes int) { // move the clock to minutes after the declaration
			t.Helper()
			f.clock.Advance(start.Add(time.Duration(minutes) * time.Minute).Sub(f.clock.Now()))
		}
		expectPrompts := func(when string, want ...string) {
			t.Helper()
			got := f.sendPrompts(t)
			slices.Sort(got) // prompts due at one time go in any order
			slices.Sort(want)
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("%s: prompted %q, want %q", when, got, want)
			}
		}

		// 00:00 Alice declares an S1: the three roles are paged (R01).
		inc := f.declare(t, herald.S1)
		ref := inc.Reference
		f.escalate(t)
		pages := map[string]*herald.Page{}
		all, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		for _, p := range all {
			pages[p.IncidentRole] = p
		}
		if len(pages) != 3 {
			t.Fatalf("paged roles: %v", pages)
		}

		// 00:03 Everyone engages: an acknowledged role page takes the role.
		at(3)
		for role, who := range map[string]herald.Actor{herald.RoleIncidentLead: f.bob, herald.RoleEngineerOnCall: f.alice, herald.RoleCommunications: f.carol} {
			if _, err := f.db.Paging.AcknowledgePage(f.ctx, who, pages[role].ID); err != nil {
				t.Fatal(err)
			}
		}

		// 00:05 The lead decides the status page is needed (R10).
		at(5)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, ref, herald.DecisionInput{Kind: herald.DecisionStatusPage,
			What: "Post on the status page", Rationale: "Customers see failed checkouts"}); err != nil {
			t.Fatal(err)
		}

		// 00:06 Carol publishes the first update: the next is due at 00:16.
		at(6)
		p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.carol, herald.StatusIncidentInput{Name: "Checkout errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating failed checkouts.", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		s := p.Incident
		expectPrompts("00:06")

		// 00:14 Two minutes before it is due, Carol is reminded (R13).
		at(14)
		expectPrompts("00:14", "carol@example.com: "+ref+": public update due in 2 minutes")
		// 00:16 Due now; 00:26 overdue by an interval.
		at(16)
		expectPrompts("00:16", "carol@example.com: "+ref+": public update due now")
		at(26)
		expectPrompts("00:26", "carol@example.com: "+ref+": public update overdue by 10 minutes")
		if got, _ := f.db.Incidents.Incident(f.ctx, ref); !got.Overdue {
			t.Fatal("00:26: the incident is not shown overdue")
		}

		// 00:27 Nothing new: "no material updates" keeps the cadence (R15).
		at(27)
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Investigating, Template: "no_material_updates"})
		if !strings.HasPrefix(s.Updates[0].Body, "No material updates") || s.NextUpdateDue == nil || !s.NextUpdateDue.Equal(start.Add(37*time.Minute)) {
			t.Fatalf("00:27: %q, next due %v", s.Updates[0].Body, s.NextUpdateDue)
		}

		// 00:35 Identified; 00:45 the fix is in, monitoring for 30 minutes
		// (R16), the next update due in 30 (S1 monitoring).
		at(35)
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "A bad deploy of the payment client; rolling back."})
		at(45)
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Rolled back; checkouts succeed again. Watching."})
		// The lead records the mitigation: within the hour, so the
		// director is not paged (R53).
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, ref, herald.DecisionInput{What: "Mitigated: the payment client is rolled back",
			Rationale: "Checkouts succeed again"}); err != nil {
			t.Fatal(err)
		}
		if s.MonitoringUntil == nil || !s.MonitoringUntil.Equal(start.Add(75*time.Minute)) {
			t.Fatalf("00:45: monitoring until %v", s.MonitoringUntil)
		}
		at(73)
		expectPrompts("01:13", "carol@example.com: "+ref+": public update due in 2 minutes")

		// 01:15 Monitoring passed without a recurrence: the lead is
		// prompted to resolve (R16), as the next update falls due.
		at(75)
		expectPrompts("01:15", "carol@example.com: "+ref+": public update due now",
			"bob@example.com: "+ref+": monitoring over without recurrence; ready to resolve")
		if pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50); len(pages) != 3 {
			t.Fatalf("01:15: %d pages; the mitigated S1 paged someone new", len(pages))
		}
		// Resolving needs the lead's all-clear (R17): refused before it,
		// and it sets the components operational.
		resolve := herald.StatusUpdateInput{Status: herald.Resolved, Body: "Resolved: checkouts work normally."}
		_, err = f.db.StatusPage.PublishUpdate(f.ctx, f.carol, s.ID, resolve, false)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, ref, herald.DecisionInput{Kind: herald.DecisionAllClear,
			What: "All clear", Rationale: "No failed checkout for 30 minutes"}); err != nil {
			t.Fatal(err)
		}
		p, err = f.db.StatusPage.PublishUpdate(f.ctx, f.carol, s.ID, resolve, false)
		if err != nil {
			t.Fatal(err)
		}
		s = p.Incident
		if s.Components[api.ID] != herald.Operational {
			t.Fatalf("01:15: the API is %s after resolving", s.Components[api.ID])
		}
		v, _ := f.db.Incidents.Incident(f.ctx, ref)
		resolved := herald.Resolved
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.bob, ref, herald.UpdateInput{Version: v.Version, State: &resolved, Note: "All clear"}); err != nil {
			t.Fatal(err)
		}
		at(200)
		expectPrompts("after resolving") // nothing is owed any more

		// The communications manager's Engage stage is done, so her page
		// may be resolved (R08); the lead's list shows the decisions.
		c, err := f.db.Incidents.Checklist(f.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range c.Lists {
			for _, st := range l.Stages {
				for _, it := range st.Items {
					if l.Role == herald.RoleIncidentLead && (it.Key == "decide_status_page" || it.Key == "all_clear") && !it.Checked {
						t.Errorf("the lead's %s is open", it.Key)
					}
				}
			}
		}
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.carol, pages[herald.RoleCommunications].ID); err != nil {
			t.Fatalf("the communications page after Engage: %v", err)
		}

		// The reviews an S1 needs are due within 7 days (R54); the lead
		// is reminded two days before.
		reviews, err := f.db.Incidents.Reviews(f.ctx, ref)
		if err != nil || len(reviews) != 2 {
			t.Fatalf("reviews %+v %v", reviews, err)
		}
		due := start.Add(75*time.Minute).AddDate(0, 0, 7)
		for _, r := range reviews {
			if !r.DueAt.Equal(due) {
				t.Fatalf("%s review due %v", r.Kind, r.DueAt)
			}
		}
		f.clock.Advance(due.Add(-48 * time.Hour).Sub(f.clock.Now()))
		expectPrompts("two days before the reviews are due",
			"bob@example.com: "+ref+": internal review due in 48 hours", "bob@example.com: "+ref+": external review due in 48 hours")

		// The measures: one interval late (00:06 to 00:27 against 10
		// minutes: 11 minutes late), three roles acknowledged in 3 minutes.
		m, err := f.db.Incidents.Measures(f.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if m.LateIntervals != 1 || m.MinutesLate != 11 {
			t.Fatalf("measures: %d late, %d minutes", m.LateIntervals, m.MinutesLate)
		}
		if len(m.Acknowledgements) != 3 {
			t.Fatalf("acknowledgements %+v", m.Acknowledgements)
		}
	})
}
