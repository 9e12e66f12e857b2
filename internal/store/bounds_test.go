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

// promptly fails the test when fn does not return within seconds. An
// evaluation that spins would otherwise hold SQLite's only writer and hang
// every test after it. fn runs on another goroutine: it reports with
// t.Errorf.
func promptly(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

// A database that already holds a layer starting in 1700 (written by a
// version that did not check starts) wedges nothing: the escalation step
// that evaluates it returns and pages whoever is on call, and the repair
// that replaces the layer goes through. Out-of-range times are refused on
// input, naming the field.
func TestSchedule_BadRowFromAnOlderVersionWedgesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		old := []herald.Layer{{Name: "nights", Rotation: herald.RotationCustom, LengthHours: 12,
			Start: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), Users: []string{f.alice.User.ID}}}
		b, _ := json.Marshal(old)
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE schedules SET layers = $1 WHERE name = 'EOC'`, string(b)); err != nil {
			t.Fatal(err)
		}
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "Tenant acme is down"))
		pages, _ := f.db.Pages(f.ctx, svc.ID, "", 1)
		promptly(t, "the escalation step", func() {
			if _, err := f.db.RunEscalations(f.ctx); err != nil {
				t.Error(err)
			}
		})
		if got := notified(t, f, pages[0].ID); got != "alice,carol(shadow)" {
			t.Fatalf("level 1 paged %q", got)
		}

		// The same start is refused on input, naming the field...
		in := herald.ScheduleInput{Name: "EOC", Layers: old}
		_, err := f.db.UpdateSchedule(f.ctx, "EOC", in)
		var he *herald.Error
		if !asError(err, &he) || he.Code != herald.EInvalid || !strings.Contains(he.Fields["layers"], "start must be between 2000-01-01 and 2200-01-01") {
			t.Fatalf("a layer from 1700: %v", err)
		}
		// ... and the repair goes through.
		in.Layers[0].Start = f.clock.Now()
		promptly(t, "the repair", func() {
			if _, err := f.db.UpdateSchedule(f.ctx, "EOC", in); err != nil {
				t.Error(err)
			}
		})

		// Overrides and maintenance windows: the same range.
		for _, o := range []store.OverrideInput{
			{User: "bob@example.com", Start: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), End: f.clock.Now().Add(time.Hour)},
			{User: "bob@example.com", Start: f.clock.Now(), End: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		} {
			_, err := f.db.AddOverride(f.ctx, f.alice, "EOC", o)
			if !asError(err, &he) || he.Code != herald.EInvalid || (he.Fields["start"] == "" && he.Fields["end"] == "") {
				t.Fatalf("override %s to %s: %v", o.Start, o.End, err)
			}
		}
		name, from, until := "Database upgrade", f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour)
		m, err := f.db.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until,
			Reminders: &[]herald.Duration{herald.Duration(30 * time.Minute)}})
		if err != nil {
			t.Fatal(err)
		}
		bad := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err = f.db.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{ScheduledFor: &bad})
		if !asError(err, &he) || he.Fields["scheduled_for"] == "" {
			t.Fatalf("maintenance from 1700: %v", err)
		}
		// A window from 1700 already stored runs its course at once.
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE maintenances SET scheduled_for = $1, scheduled_until = $2 WHERE id = $3`,
			bad.UnixMicro(), bad.Add(time.Hour).UnixMicro(), m.ID); err != nil {
			t.Fatal(err)
		}
		promptly(t, "maintenance automation", func() {
			if _, err := f.db.RunMaintenanceAutomation(f.ctx); err != nil {
				t.Error(err)
			}
		})
		if got, _ := f.db.Maintenance(f.ctx, m.ID); got.Status != herald.MaintenanceCompleted {
			t.Fatalf("the maintenance from 1700 is %s", got.Status)
		}
	})
}
