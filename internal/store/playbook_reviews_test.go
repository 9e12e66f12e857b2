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

// sentSorted is sendPrompts in a stable order, for steps that send several.
func (f *fixture) sentSorted(t *testing.T) string {
	t.Helper()
	got := f.sendPrompts(t)
	slices.Sort(got)
	return strings.Join(got, "|")
}

// R54: the incident lead is reminded of each review not completed two days
// before it is due and at the due time (settings), once each, and not of a
// review completed meanwhile.
func TestRule54_ReviewRemindersBeforeAndOnTheDueDate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleIncidentLead, f.carol)
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		// Carol leads: resolving without monitoring is hers (R16).
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.carol, inc.ID, herald.UpdateInput{Version: cur.Version, State: ptr(herald.Resolved)}); err != nil {
			t.Fatal(err)
		}
		ref := inc.Reference
		steps := []struct {
			advance time.Duration
			want    string
		}{
			{0, ""},
			{5*24*time.Hour - time.Minute, ""}, // two days and a minute before
			{time.Minute, "carol@example.com: " + ref + ": external review due in 48 hours|carol@example.com: " + ref + ": internal review due in 48 hours"},
			{time.Hour, ""}, // once
		}
		for i, st := range steps {
			f.clock.Advance(st.advance)
			if got := f.sentSorted(t); got != st.want {
				t.Fatalf("step %d: sent %q, want %q", i, got, st.want)
			}
		}
		// The internal review is completed: only the external one is due.
		if _, err := f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "internal", Completed: true, Link: "https://docs.example.com/rca"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2*24*time.Hour - time.Hour)
		if got := f.sentSorted(t); got != "carol@example.com: "+ref+": external review due now" {
			t.Fatalf("at the due time: %q", got)
		}
		f.clock.Advance(12 * time.Hour)
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("after the due time: %q", got)
		}
		entries, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryPrompt)
		if len(entries) != 3 || !strings.Contains(entries[2].Text, "external review due now; reminded Carol") {
			t.Fatalf("timeline: %+v", entries)
		}

		// A reminder queued for a review completed before it goes is not sent.
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Playbook.Reviews.Before = []herald.Duration{herald.Duration(time.Hour)}
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		s3 := f.declare(t, herald.S3)
		f.assign(t, s3, herald.RoleIncidentLead, f.bob)
		if _, err := f.db.Incidents.Review(f.ctx, f.alice, s3.ID, herald.ReviewInput{Kind: "internal"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(7*24*time.Hour - time.Hour)
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.Review(f.ctx, f.alice, s3.ID, herald.ReviewInput{Kind: "internal", Completed: true}); err != nil {
			t.Fatal(err)
		}
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("a reminder of a completed review went: %q", got)
		}
		if ps, _ := f.db.Incidents.Prompts(f.ctx, s3.ID); len(ps) != 1 || ps[0].Delivered != 0 || ps[0].Subject != s3.Reference+": internal review due in 1 hour" {
			t.Fatalf("prompts: %+v", ps)
		}
	})
}

// R54: a follow-up's owner is told once when it becomes overdue; an owner
// who is no user is not; one done before the reminder goes is not.
func TestRule54_OverdueFollowUpReachesItsOwner(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t) // R52 and R53 would prompt too; they have tests of their own
		inc := f.declare(t, herald.S2)
		today := f.clock.Now().Format(time.DateOnly)
		add := func(title, owner string) herald.FollowUp {
			t.Helper()
			fu, err := f.db.Incidents.AddFollowUp(f.ctx, f.alice, inc.ID, herald.FollowUpInput{Title: &title, Owner: &owner, DueDate: &today})
			if err != nil {
				t.Fatal(err)
			}
			return fu
		}
		add("Add an index", "bob@example.com")
		add("Alert on latency", "Platform team")
		done := add("Runbook", "carol@example.com")
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("due today: %q", got)
		}
		f.clock.Advance(15 * time.Hour) // the next midnight (UTC)
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.UpdateFollowUp(f.ctx, f.alice, inc.ID, done.ID, herald.FollowUpInput{Done: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		want := "bob@example.com: " + inc.Reference + ": follow-up overdue: Add an index"
		if got := f.sentSorted(t); got != want {
			t.Fatalf("overdue: %q, want %q", got, want)
		}
		f.clock.Advance(24 * time.Hour)
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("told twice: %q", got)
		}
		entries, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryPrompt)
		if len(entries) != 2 || !strings.Contains(entries[0].Text+entries[1].Text, "follow-up overdue: Add an index; reminded Bob") {
			t.Fatalf("timeline: %+v", entries)
		}
		// Off is off.
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Playbook.Reviews.FollowUpOwners = false
		f.db.Settings.SaveSettings(f.ctx, s)
		add("Another", "bob@example.com")
		f.clock.Advance(24 * time.Hour)
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("with follow_up_owners off: %q", got)
		}
	})
}
