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

// sendPrompts runs the playbook's rules and sends every due prompt, as the
// worker would; it returns "address: subject" for each, sorted.
func (f *fixture) sendPrompts(t *testing.T) []string {
	t.Helper()
	if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for {
		o, err := f.db.Work.Claim(f.ctx, store.LanePrompt)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			slices.Sort(sent) // prompts due at one time are claimed in any order
			return sent
		}
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		sent = append(sent, o.Target+": "+o.Prompt.Subject)
		if err := f.db.Work.Complete(f.ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) assign(t *testing.T, inc *herald.Incident, role string, who herald.Actor) {
	t.Helper()
	if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, role, herald.RoleInput{User: who.User.ID}); err != nil {
		t.Fatal(err)
	}
}

func TestRule13_UpdateRemindersBeforeAtAndAfterTheDueTime(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleCommunications, f.bob)
		f.assign(t, inc, herald.RoleIncidentLead, f.carol)
		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		due := *s.NextUpdateDue // S1 investigating: 10 minutes
		ref := inc.Reference

		steps := []struct {
			advance time.Duration
			want    []string
		}{
			{0, nil},               // 10 minutes to go
			{7 * time.Minute, nil}, // 3 minutes to go: not yet within the 2 minutes
			{time.Minute, []string{"bob@example.com: " + ref + ": public update due in 2 minutes"}},
			{30 * time.Second, nil}, // that reminder went once
			{90 * time.Second, []string{"bob@example.com: " + ref + ": public update due now"}},
			{9 * time.Minute, nil},
			{time.Minute, []string{"bob@example.com: " + ref + ": public update overdue by 10 minutes"}},
			// Twice the interval late: the incident lead is told too.
			{10 * time.Minute, []string{"bob@example.com: " + ref + ": public update overdue by 20 minutes", "carol@example.com: " + ref + ": public update overdue by 20 minutes"}},
			{5 * time.Minute, nil},
		}
		for i, st := range steps {
			f.clock.Advance(st.advance)
			if got := f.sendPrompts(t); strings.Join(got, "|") != strings.Join(st.want, "|") {
				t.Fatalf("step %d (%v after due): sent %q, want %q", i, f.clock.Now().Sub(due), got, st.want)
			}
		}
		got, err := f.db.Incidents.Incident(f.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Overdue || got.NextUpdateDue == nil || !got.NextUpdateDue.Equal(due) || got.StatusIncidentID != s.ID {
			t.Fatalf("incident: overdue %v, next update due %v, status incident %q", got.Overdue, got.NextUpdateDue, got.StatusIncidentID)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryPrompt)
		if len(tl) != 3 || !strings.Contains(tl[2].Text, "reminded Bob, Carol") {
			t.Fatalf("timeline: %+v", tl)
		}

		// An update moves the due time: the reminders start over from it.
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found the bad deploy; rolling back."})
		if s.Overdue {
			t.Fatal("still overdue after an update")
		}
		f.clock.Advance(8*time.Minute + time.Second)
		if got := f.sendPrompts(t); len(got) != 1 || !strings.HasSuffix(got[0], "due in 2 minutes") {
			t.Fatalf("after the update: %q", got)
		}
		// A reminder made but not yet sent when the update is published
		// no longer goes: it would tell of an update already given.
		f.clock.Advance(2 * time.Minute)
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Rolled back; watching.", NextUpdateIn: 45})
		if got := f.sendPrompts(t); len(got) != 0 {
			t.Fatalf("a reminder of a published update went: %q", got)
		}
		// Resolved: nothing is owed, nobody is reminded.
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "All good."})
		f.clock.Advance(2 * time.Hour)
		if got := f.sendPrompts(t); len(got) != 0 {
			t.Fatalf("after resolving: %q", got)
		}
	})
}

func TestRule13_UpdateRemindersSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		set, err := f.db.Settings.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		set.Playbook.Engagement = herald.EngagementRules{} // R52, R53 off: only R13 here
		set.Playbook.Updates = herald.UpdateReminders{Before: herald.Duration(5 * time.Minute), Every: herald.Duration(3 * time.Minute), LeadAfter: herald.Duration(4 * time.Minute)}
		if _, err := f.db.Settings.SaveSettings(f.ctx, set); err != nil {
			t.Fatal(err)
		}
		inc := f.declare(t, herald.S2)
		// Nobody holds the communications role: the lead is reminded.
		f.assign(t, inc, herald.RoleIncidentLead, f.carol)
		f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID) // due in 15 minutes
		f.clock.Advance(10 * time.Minute)
		if got := f.sendPrompts(t); len(got) != 1 || !strings.HasPrefix(got[0], "carol@example.com: ") || !strings.HasSuffix(got[0], "due in 5 minutes") {
			t.Fatalf("5 minutes before: %q", got)
		}
		// Herald was down from 1 minute to 9 minutes late: one reminder says
		// where things stand (the third overdue one), not all it missed.
		f.clock.Advance(14 * time.Minute)
		if got := f.sendPrompts(t); len(got) != 1 || !strings.HasSuffix(got[0], "overdue by 9 minutes") {
			t.Fatalf("after a pause: %q", got)
		}

		set.Playbook.Updates.Off = true
		if _, err := f.db.Settings.SaveSettings(f.ctx, set); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if got := f.sendPrompts(t); len(got) != 0 {
			t.Fatalf("reminders off: %q", got)
		}
		set.Playbook.Updates.Every = herald.Duration(-time.Minute)
		_, err = f.db.Settings.SaveSettings(f.ctx, set)
		wantCode(t, err, herald.EInvalid)
	})
}
