package server

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A shift swap over the API and the Go client: offer, list, take (the
// taker is on call in the final schedule, the override says whose offer
// it was), a second take refused; bad input is 400/404/422 naming the
// field; a viewer may read offers but not take them.
func TestAPI_ShiftOffers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		ann := e.token(t, "Ann", herald.RoleResponder)
		bob := e.token(t, "Bob", herald.RoleResponder)
		vic := e.token(t, "Vic", herald.RoleViewer)
		now := e.clock.Now()
		sch, err := e.admin.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{Rotation: "custom", LengthHours: 12,
			Start: now.Add(-time.Hour), Users: []string{"ann@example.com", "bob@example.com"}}}})
		if err != nil {
			t.Fatal(err)
		}
		start, end := now.Add(time.Hour), now.Add(3*time.Hour)

		field := func(err error, status int, name string) {
			t.Helper()
			ce, ok := err.(*client.Error)
			if !ok || ce.Status != status || (name != "" && ce.Fields[name] == "") {
				t.Fatalf("got %v, want %d naming %q", err, status, name)
			}
		}
		_, err = ann.Schedules.OfferShift(ctx, "Primary", herald.ShiftOfferInput{Start: end, End: start})
		field(err, 400, "end")
		_, err = ann.Schedules.OfferShift(ctx, "Primary", herald.ShiftOfferInput{Start: now.Add(10 * time.Hour), End: now.Add(13 * time.Hour)})
		field(err, 422, "start")
		_, err = ann.Schedules.OfferShift(ctx, "Secondary", herald.ShiftOfferInput{Start: start, End: end})
		field(err, 404, "")
		_, err = ann.Schedules.ShiftOffers(ctx, "", "lost")
		field(err, 400, "status")

		o, err := ann.Schedules.OfferShift(ctx, "Primary", herald.ShiftOfferInput{Start: start, End: end, Note: "school run"})
		if err != nil || o.Status != herald.OfferOpen || o.OfferedByName != "Ann" {
			t.Fatalf("offer: %+v %v", o, err)
		}
		list, err := vic.Schedules.ShiftOffers(ctx, "Primary", "open")
		if err != nil || len(list) != 1 || list[0].Note != "school run" {
			t.Fatalf("open offers: %+v %v", list, err)
		}
		_, err = vic.Schedules.TakeShiftOffer(ctx, o.ID)
		field(err, 403, "")
		taken, err := bob.Schedules.TakeShiftOffer(ctx, o.ID)
		if err != nil || taken.Status != herald.OfferTaken || taken.TakenByName != "Bob" || taken.OverrideID == "" {
			t.Fatalf("take: %+v %v", taken, err)
		}
		_, err = e.admin.Schedules.TakeShiftOffer(ctx, o.ID)
		field(err, 409, "")
		shifts, err := vic.Schedules.Shifts(ctx, sch.ID, start, end)
		if err != nil || len(shifts) != 1 || shifts[0].User.Name != "Bob" || !shifts[0].Override {
			t.Fatalf("final schedule: %+v %v", shifts, err)
		}
		got, err := vic.Schedules.ShiftOffer(ctx, o.ID)
		if err != nil || got.Status != herald.OfferTaken {
			t.Fatalf("read: %+v %v", got, err)
		}

		w, err := ann.Schedules.OfferShift(ctx, "Primary", herald.ShiftOfferInput{Start: now.Add(4 * time.Hour), End: now.Add(5 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = bob.Schedules.WithdrawShiftOffer(ctx, w.ID)
		field(err, 403, "")
		if w, err = ann.Schedules.WithdrawShiftOffer(ctx, w.ID); err != nil || w.Status != herald.OfferWithdrawn {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		_, err = bob.Schedules.TakeShiftOffer(ctx, "nope")
		field(err, 404, "")
	})
}
