package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// mailings plans the recorded broadcasts and counts the deliveries of one
// maintenance event ("update", "reminder").
func (f *fixture) mailings(t *testing.T, event string) int {
	t.Helper()
	if _, err := f.db.Work.PlanBroadcasts(f.ctx); err != nil {
		t.Fatal(err)
	}
	counts, err := f.db.Subscribers.BroadcastCounts(f.ctx, "maintenance."+event)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func (f *fixture) emailSubscriber(t *testing.T) {
	t.Helper()
	if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "reader@example.com", Confirmed: true}, true); err != nil {
		t.Fatal(err)
	}
}

func TestRule31_ManualUpdateReplacesThePendingReminderItComesBefore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		f.emailSubscriber(t)
		m := f.maintenance(t, 30*time.Hour, time.Hour, []string{db.ID}, herald.Duration(24*time.Hour), herald.Duration(time.Hour))
		// 29 hours before the start: within the 24h reminder's lead time
		// before it is due, not within the 1h reminder's.
		f.clock.Advance(time.Hour)
		m, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "Heads up: the database upgrade is tomorrow night, as planned!"})
		if err != nil {
			t.Fatal(err)
		}
		fired := map[time.Duration]bool{}
		for _, r := range m.Reminders {
			fired[time.Duration(r.Before)] = r.FiredAt != nil
		}
		if !fired[24*time.Hour] || fired[time.Hour] {
			t.Fatalf("reminders after the update: %+v", fired)
		}
		f.clock.Advance(5 * time.Hour) // the 24h reminder's due time
		if n := f.automate(t); n != 0 {
			t.Fatalf("%d steps: the replaced reminder went out", n)
		}
		f.clock.Advance(23 * time.Hour) // the 1h reminder's due time
		if n := f.automate(t); n != 1 {
			t.Fatalf("%d steps, want the 1h reminder", n)
		}
		if u, r := f.mailings(t, herald.EventUpdate), f.mailings(t, herald.EventReminder); u != 1 || r != 1 {
			t.Fatalf("mails: %d updates, %d reminders; want one of each", u, r)
		}
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if events(m) != "scheduled,update,reminder" {
			t.Fatalf("events %s", events(m))
		}
	})
}

func TestRule31_ReminderThenSlightlyDifferentManualUpdateIsOneEmail(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		f.emailSubscriber(t)
		m := f.maintenance(t, 2*time.Hour, time.Hour, []string{db.ID}, herald.Duration(time.Hour))
		f.clock.Advance(time.Hour)
		if f.automate(t) != 1 {
			t.Fatal("the reminder did not fire")
		}
		// The reminder's text, retyped by hand: other case, spacing and
		// punctuation.
		text := "reminder -  " + strings.ToLower(m.Name) + " starts " + m.ScheduledFor.Format("2006-01-02 15:04") + " utc"
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: text}); err != nil {
			t.Fatal(err)
		}
		if r, u := f.mailings(t, herald.EventReminder), f.mailings(t, herald.EventUpdate); r != 1 || u != 0 {
			t.Fatalf("mails: %d reminders, %d updates; want the reminder only", r, u)
		}
		// Other words are another notice.
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "Starting ten minutes late."}); err != nil {
			t.Fatal(err)
		}
		if u := f.mailings(t, herald.EventUpdate); u != 1 {
			t.Fatalf("%d update mails, want 1", u)
		}
	})
}

func TestRule31_MaintenanceUpdateChoosesItsChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		f.emailSubscriber(t)
		m := f.maintenance(t, 90*time.Minute, time.Hour, []string{db.ID}, herald.Duration(time.Hour))
		_, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "x", Channels: map[string]bool{"pager": false}})
		wantCode(t, err, herald.EInvalid)
		m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "Webhooks only.", Channels: map[string]bool{"email": false}})
		if err != nil {
			t.Fatal(err)
		}
		if u := f.mailings(t, herald.EventUpdate); u != 0 {
			t.Fatalf("an unchecked channel got %d mails", u)
		}
		// E-mail subscribers did not get the update, so their reminder stays.
		if m.Reminders[0].FiredAt != nil {
			t.Fatal("an update without e-mail replaced the e-mail reminder")
		}
		f.clock.Advance(30 * time.Minute)
		if f.automate(t) != 1 || f.mailings(t, herald.EventReminder) != 1 {
			t.Fatal("the reminder did not reach the e-mail subscriber")
		}
	})
}

func TestRule30_ManualStartOrFinishNeedsAutomationOff(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.component(t, "Database", "")
		m := f.maintenance(t, time.Hour, time.Hour, []string{db.ID})
		wantR30 := func(err error) {
			t.Helper()
			wantCode(t, err, herald.EUnprocessable)
			if !strings.Contains(err.Error(), "R30") || !strings.Contains(err.Error(), "turn automation off first") {
				t.Fatalf("refusal does not say why: %v", err)
			}
		}
		_, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting early."})
		wantR30(err)
		// A plain update is not a step of the automation: allowed.
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Body: "On track."}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		f.automate(t) // Herald starts it
		_, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCompleted, Body: "Done early."})
		wantR30(err)
		if m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID); m.Status != herald.MaintenanceInProgress || events(m) != "scheduled,update,started" {
			t.Fatalf("after the refusal: %s %s", m.Status, events(m))
		}
		off := false
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.carol, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		if m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCompleted, Body: "Done early."}); err != nil || m.Status != herald.MaintenanceCompleted {
			t.Fatal(m, err)
		}
		// Cancelling is no step of the automation, so it needs no switch.
		m = f.maintenance(t, time.Hour, time.Hour, []string{db.ID})
		if m, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.carol, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCancelled, Body: "Called off."}); err != nil || m.Status != herald.MaintenanceCancelled {
			t.Fatal(m, err)
		}
	})
}
