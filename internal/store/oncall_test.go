package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// primary makes the schedule "Primary": 4-hour shifts from 10:00 UTC on
// the fixture's first day (the clock starts at 09:00), in the order given;
// a user named twice in a row is on call for two consecutive shifts.
func (f *fixture) primary(t *testing.T, users ...herald.Actor) *herald.Schedule {
	t.Helper()
	var ids []string
	for _, u := range users {
		ids = append(ids, u.User.ID)
	}
	s, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{
		Rotation: herald.RotationCustom, LengthHours: 4, Start: onDay1(10, 0), Users: ids}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onDay1 is a time on the fixture clock's first day (2026-11-23), UTC; hours
// past 23 run into the next days.
func onDay1(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }

// advanceTo moves the fixture's clock to t.
func (f *fixture) advanceTo(t *testing.T, to time.Time) {
	t.Helper()
	d := to.Sub(f.clock.Now())
	if d < 0 {
		t.Fatalf("the clock is at %s, past %s", f.clock.Now(), to)
	}
	f.clock.Advance(d)
}

func (f *fixture) oncallSettings(t *testing.T, fn func(*herald.OnCallSettings)) {
	t.Helper()
	s, _ := f.db.Settings.Settings(f.ctx)
	fn(&s.OnCall)
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
}

// The incoming person of each hand-off is told once, with the shift's
// end; the outgoing person is not told again; a person on call for
// consecutive shifts (two rotation turns, or a turn and an override) is
// told once for the whole stretch.
func TestOnCall_IncomingToldOncePerShift(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob, f.bob, f.carol)
		steps := []struct {
			to   time.Time
			want string
		}{
			{onDay1(9, 0), ""},
			{onDay1(10, 0), "alice@example.com: You are on call for Primary until 2026-11-23 14:00 UTC"},
			{onDay1(10, 1), ""}, // once
			{onDay1(14, 0), "bob@example.com: You are on call for Primary until 2026-11-23 22:00 UTC"},
			{onDay1(18, 0), ""}, // bob's second turn follows his first
		}
		for i, st := range steps {
			f.advanceTo(t, st.to)
			if got := f.sentSorted(t); got != st.want {
				t.Fatalf("step %d (%s): sent %q, want %q", i, st.to.Format("15:04"), got, st.want)
			}
		}
		// Carol's turn (22:00-02:00) runs on into an override of hers.
		if _, err := f.db.Schedules.AddOverride(f.ctx, f.alice, s.ID, herald.OverrideInput{User: f.carol.User.ID, Start: onDay1(26, 0), End: onDay1(28, 0)}); err != nil {
			t.Fatal(err)
		}
		for i, st := range []struct {
			to   time.Time
			want string
		}{
			{onDay1(22, 0), "carol@example.com: You are on call for Primary until 2026-11-24 04:00 UTC"},
			{onDay1(26, 0), ""},
			{onDay1(28, 0), "alice@example.com: You are on call for Primary until 2026-11-24 06:00 UTC"},
		} {
			f.advanceTo(t, st.to)
			if got := f.sentSorted(t); got != st.want {
				t.Fatalf("override step %d: sent %q, want %q", i, got, st.want)
			}
		}
	})
}

// With oncall.notice_before the incoming person is told that long ahead,
// and not again at the hand-off.
func TestOnCall_NoticeBeforeTheHandoff(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.oncallSettings(t, func(o *herald.OnCallSettings) { o.NoticeBefore = herald.Duration(15 * time.Minute) })
		f.primary(t, f.alice, f.bob)
		for i, st := range []struct {
			to   time.Time
			want string
		}{
			{onDay1(9, 44), ""},
			{onDay1(9, 45), "alice@example.com: On call for Primary in 15 minutes, until 2026-11-23 14:00 UTC"},
			{onDay1(10, 0), ""},
			{onDay1(13, 45), "bob@example.com: On call for Primary in 15 minutes, until 2026-11-23 18:00 UTC"},
		} {
			f.advanceTo(t, st.to)
			if got := f.sentSorted(t); got != st.want {
				t.Fatalf("step %d: sent %q, want %q", i, got, st.want)
			}
		}
	})
}

// A hand-off further back than oncall.late_limit when Herald looks (it was
// down) is not told; one within it is told late.
func TestOnCall_LateHandoffsWithinTheBoundOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.primary(t, f.alice, f.bob, f.carol)
		f.advanceTo(t, onDay1(11, 1)) // down from 09:00 to 11:01; the bound is an hour
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("after the bound: %q", got)
		}
		f.advanceTo(t, onDay1(14, 59)) // down over bob's hand-off at 14:00
		if got := f.sentSorted(t); got != "bob@example.com: You are on call for Primary until 2026-11-23 18:00 UTC" {
			t.Fatalf("within the bound: %q", got)
		}
		f.oncallSettings(t, func(o *herald.OnCallSettings) { o.Off = true })
		f.advanceTo(t, onDay1(18, 0))
		if got := f.sentSorted(t); got != "" {
			t.Fatalf("notices off: %q", got)
		}
	})
}

// The notice says what the incoming person takes over: the open pages of
// the services whose policies reach the schedule (not those of others),
// the ongoing incidents, and where the handover is.
func TestOnCall_NoticeBriefsPagesAndIncidents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob)
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "Primary policy", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: herald.TargetSchedule, ID: s.ID}}}}})
		if err != nil {
			t.Fatal(err)
		}
		api := f.service(t, "API", pol.ID, nil)
		other := f.service(t, "Billing", "", nil)
		f.enqueue(t, trigger(api.IntegrationKey, "5xx", "Error rate above 5%"))
		f.enqueue(t, trigger(other.IntegrationKey, "late", "Invoices late"))
		inc := f.declare(t, herald.S2)
		f.advanceTo(t, onDay1(10, 0))
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		var body string
		for {
			o, err := f.db.Work.Claim(f.ctx, store.LanePrompt)
			if err != nil {
				t.Fatal(err)
			}
			if o == nil {
				break
			}
			if o.Prompt.Kind == herald.PromptOnCallChange {
				body = o.Prompt.Body
			}
			_ = f.db.Work.Complete(f.ctx, o, store.Result{})
		}
		for _, want := range []string{"from 2026-11-23 10:00 UTC until 2026-11-23 14:00 UTC", "[triggered] API: Error rate above 5%",
			inc.Reference + " S2 investigating: Database latency", "/app/handovers"} {
			if !strings.Contains(body, want) {
				t.Errorf("the notice lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "Invoices late") {
			t.Errorf("the notice names a page of a service the schedule does not answer for:\n%s", body)
		}
	})
}

func (f *fixture) offer(t *testing.T, who herald.Actor, schedule string, from, to time.Time, note string) herald.ShiftOffer {
	t.Helper()
	o, err := f.db.Schedules.OfferShift(f.ctx, who, schedule, herald.ShiftOfferInput{Start: from, End: to, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// finalAt is who the final schedule has on call at t.
func (f *fixture) finalAt(t *testing.T, s *herald.Schedule, at time.Time) string {
	t.Helper()
	got, err := f.db.Schedules.Schedule(f.ctx, s.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	shifts, err := got.Shifts(at, at.Add(time.Minute))
	if err != nil || len(shifts) == 0 {
		return ""
	}
	return shifts[0].UserID
}

// A taken offer is an override for the taker over the window, recorded
// with who offered and who took; the final schedule shows the taker; the
// offerer is told; the taker is told at the hand-off like anyone.
func TestShiftOffer_TakenBecomesAnOverride(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob, f.carol)
		o := f.offer(t, f.alice, "Primary", onDay1(11, 0), onDay1(13, 0), "dentist")
		if o.Status != herald.OfferOpen || o.OfferedBy != f.alice.User.ID || o.Note != "dentist" || o.ScheduleName != "Primary" {
			t.Fatalf("offer: %+v", o)
		}
		open, _ := f.db.Schedules.ShiftOffers(f.ctx, herald.ShiftOfferFilter{Status: "open"})
		if len(open) != 1 || open[0].ID != o.ID {
			t.Fatalf("open offers: %+v", open)
		}
		f.advanceTo(t, onDay1(9, 30))
		taken, err := f.db.Schedules.TakeShiftOffer(f.ctx, f.bob, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if taken.Status != herald.OfferTaken || taken.TakenBy != f.bob.User.ID || taken.TakenByName != "Bob" || taken.TakenAt == nil || !taken.TakenAt.Equal(onDay1(9, 30)) || taken.OverrideID == "" {
			t.Fatalf("taken: %+v", taken)
		}
		got, _ := f.db.Schedules.Schedule(f.ctx, s.ID, time.Time{})
		if len(got.Overrides) != 1 {
			t.Fatalf("overrides: %+v", got.Overrides)
		}
		ov := got.Overrides[0]
		if ov.ID != taken.OverrideID || ov.UserID != f.bob.User.ID || !ov.Start.Equal(onDay1(11, 0)) || !ov.End.Equal(onDay1(13, 0)) ||
			ov.Swap == nil || ov.Swap.OfferID != o.ID || ov.Swap.OfferedBy != f.alice.User.ID || !ov.Swap.TakenAt.Equal(onDay1(9, 30)) {
			t.Fatalf("override: %+v %+v", ov, ov.Swap)
		}
		for _, c := range []struct {
			at   time.Time
			want string
		}{{onDay1(10, 30), f.alice.User.ID}, {onDay1(11, 0), f.bob.User.ID}, {onDay1(12, 59), f.bob.User.ID}, {onDay1(13, 0), f.alice.User.ID}} {
			if who := f.finalAt(t, s, c.at); who != c.want {
				t.Fatalf("on call at %s: %s, want %s", c.at.Format("15:04"), who, c.want)
			}
		}
		if got := f.sentSorted(t); got != "alice@example.com: Bob took your shift on Primary" {
			t.Fatalf("the offerer was told %q", got)
		}
		// Taken once: a second taker is refused.
		_, err = f.db.Schedules.TakeShiftOffer(f.ctx, f.carol, o.ID)
		wantCode(t, err, herald.EConflict)
		for i, st := range []struct {
			to   time.Time
			want string
		}{
			{onDay1(10, 0), "alice@example.com: You are on call for Primary until 2026-11-23 11:00 UTC"},
			{onDay1(11, 0), "bob@example.com: You are on call for Primary until 2026-11-23 13:00 UTC"},
			{onDay1(13, 0), "alice@example.com: You are on call for Primary until 2026-11-23 14:00 UTC"},
		} {
			f.advanceTo(t, st.to)
			if got := f.sentSorted(t); got != st.want {
				t.Fatalf("step %d: sent %q, want %q", i, got, st.want)
			}
		}
	})
}

// A window of the offerer's own override is taken from that override: the
// taker is on call there (the earlier override would win otherwise), the
// offerer before and after.
func TestShiftOffer_WindowOfAnOverride(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob)
		if _, err := f.db.Schedules.AddOverride(f.ctx, f.carol, s.ID, herald.OverrideInput{User: f.carol.User.ID, Start: onDay1(10, 0), End: onDay1(18, 0)}); err != nil {
			t.Fatal(err)
		}
		o := f.offer(t, f.carol, s.ID, onDay1(12, 0), onDay1(14, 0), "")
		if _, err := f.db.Schedules.TakeShiftOffer(f.ctx, f.alice, o.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at   time.Time
			want string
		}{{onDay1(11, 59), f.carol.User.ID}, {onDay1(12, 0), f.alice.User.ID}, {onDay1(13, 59), f.alice.User.ID}, {onDay1(14, 0), f.carol.User.ID}, {onDay1(17, 59), f.carol.User.ID}, {onDay1(18, 0), f.alice.User.ID}} {
			if who := f.finalAt(t, s, c.at); who != c.want {
				t.Fatalf("on call at %s: %s, want %s", c.at.Format("15:04"), who, c.want)
			}
		}
	})
}

// Bad input names the field and changes nothing.
func TestShiftOffer_BadInput(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.primary(t, f.alice, f.bob)
		cases := []struct {
			name       string
			who        herald.Actor
			schedule   string
			start, end time.Time
			note       string
			code       string
			field      string
		}{
			{"end before start", f.alice, "Primary", onDay1(12, 0), onDay1(11, 0), "", herald.EInvalid, "end"},
			{"no start", f.alice, "Primary", time.Time{}, onDay1(11, 0), "", herald.EInvalid, "start"},
			{"window ended", f.alice, "Primary", onDay1(7, 0), onDay1(8, 0), "", herald.EInvalid, "end"},
			{"note too long", f.alice, "Primary", onDay1(11, 0), onDay1(12, 0), strings.Repeat("x", herald.MaxOfferNoteLen+1), herald.EInvalid, "note"},
			{"outside the offerer's shift", f.alice, "Primary", onDay1(13, 0), onDay1(15, 0), "", herald.EUnprocessable, "start"},
			{"someone else's shift", f.bob, "Primary", onDay1(11, 0), onDay1(12, 0), "", herald.EUnprocessable, "end"},
			{"before the rotation starts", f.alice, "Primary", onDay1(9, 0), onDay1(11, 0), "", herald.EUnprocessable, "start"},
			{"unknown schedule", f.alice, "Secondary", onDay1(11, 0), onDay1(12, 0), "", herald.ENotFound, ""},
		}
		for _, c := range cases {
			_, err := f.db.Schedules.OfferShift(f.ctx, c.who, c.schedule, herald.ShiftOfferInput{Start: c.start, End: c.end, Note: c.note})
			wantCode(t, err, c.code)
			if c.field != "" {
				if he, ok := err.(*herald.Error); !ok || he.Fields[c.field] == "" {
					t.Errorf("%s: %v does not name %s", c.name, err, c.field)
				}
			}
		}
		if all, _ := f.db.Schedules.ShiftOffers(f.ctx, herald.ShiftOfferFilter{}); len(all) != 0 {
			t.Fatalf("a refused offer was stored: %+v", all)
		}
		o := f.offer(t, f.alice, "Primary", onDay1(10, 0), onDay1(12, 0), "")
		_, err := f.db.Schedules.OfferShift(f.ctx, f.alice, "Primary", herald.ShiftOfferInput{Start: onDay1(11, 0), End: onDay1(13, 0)})
		wantCode(t, err, herald.EConflict) // overlaps her open offer
		_, err = f.db.Schedules.TakeShiftOffer(f.ctx, f.alice, o.ID)
		wantCode(t, err, herald.EUnprocessable) // her own
		_, err = f.db.Schedules.TakeShiftOffer(f.ctx, f.bob, "no-such-offer")
		wantCode(t, err, herald.ENotFound)
		_, err = f.db.Schedules.ShiftOffers(f.ctx, herald.ShiftOfferFilter{Status: "lost"})
		wantCode(t, err, herald.EInvalid)
	})
}

// An offer is withdrawn by its offerer (or an admin), and then cannot be
// taken; an offer whose window has ended expires.
func TestShiftOffer_WithdrawAndExpiry(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob)
		o := f.offer(t, f.alice, "Primary", onDay1(12, 0), onDay1(14, 0), "")
		_, err := f.db.Schedules.WithdrawShiftOffer(f.ctx, f.carol, o.ID)
		wantCode(t, err, herald.EForbidden)
		w, err := f.db.Schedules.WithdrawShiftOffer(f.ctx, f.alice, o.ID)
		if err != nil || w.Status != herald.OfferWithdrawn || w.WithdrawnAt == nil {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		_, err = f.db.Schedules.TakeShiftOffer(f.ctx, f.bob, o.ID)
		wantCode(t, err, herald.EConflict)
		_, err = f.db.Schedules.WithdrawShiftOffer(f.ctx, f.alice, o.ID)
		wantCode(t, err, herald.EConflict)

		e := f.offer(t, f.alice, "Primary", onDay1(10, 0), onDay1(11, 0), "")
		f.advanceTo(t, onDay1(11, 0))
		got, _ := f.db.Schedules.ShiftOffer(f.ctx, e.ID)
		if got.Status != herald.OfferExpired {
			t.Fatalf("status at the window's end: %s", got.Status)
		}
		if open, _ := f.db.Schedules.ShiftOffers(f.ctx, herald.ShiftOfferFilter{Status: "open"}); len(open) != 0 {
			t.Fatalf("open offers after expiry: %+v", open)
		}
		if exp, _ := f.db.Schedules.ShiftOffers(f.ctx, herald.ShiftOfferFilter{Status: "expired", Schedule: "Primary"}); len(exp) != 1 || exp[0].ID != e.ID {
			t.Fatalf("expired offers: %+v", exp)
		}
		_, err = f.db.Schedules.TakeShiftOffer(f.ctx, f.bob, e.ID)
		wantCode(t, err, herald.EConflict)
		if sched, _ := f.db.Schedules.Schedule(f.ctx, s.ID, time.Time{}); len(sched.Overrides) != 0 {
			t.Fatalf("overrides: %+v", sched.Overrides)
		}
	})
}

// Several people take the same offer at once: one wins, the others are
// refused, and there is one override.
func TestShiftOffer_ConcurrentTakeOneWins(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s := f.primary(t, f.alice, f.bob)
		takers := []herald.Actor{f.bob, f.carol}
		for i := 0; i < 6; i++ {
			u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: fmt.Sprintf("Taker %d", i), Email: fmt.Sprintf("taker%d@example.com", i)})
			if err != nil {
				t.Fatal(err)
			}
			takers = append(takers, herald.Actor{User: u, Role: herald.RoleResponder})
		}
		for round := 0; round < 8; round++ {
			start := onDay1(10, 0).Add(time.Duration(round) * 30 * time.Minute) // alice's shift is 10:00-14:00
			o := f.offer(t, f.alice, "Primary", start, start.Add(30*time.Minute), "")
			var wg sync.WaitGroup
			ready := make(chan struct{})
			errs := make([]error, len(takers))
			for i, who := range takers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-ready
					_, errs[i] = f.db.Schedules.TakeShiftOffer(f.ctx, who, o.ID)
				}()
			}
			close(ready)
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else if herald.ErrorCode(err) != herald.EConflict {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d takers won: %v", round, won, errs)
			}
			sched, _ := f.db.Schedules.Schedule(f.ctx, s.ID, time.Time{})
			if len(sched.Overrides) != round+1 {
				t.Fatalf("round %d: overrides %+v", round, sched.Overrides)
			}
		}
	})
}

// A notice queued ahead of a hand-off is not sent when, by the time it
// goes, someone else takes over at that start (a swap since): the person
// who now takes over is told instead.
func TestOnCall_NoticeAheadCancelledBySwap(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.oncallSettings(t, func(o *herald.OnCallSettings) { o.NoticeBefore = herald.Duration(15 * time.Minute) })
		f.primary(t, f.alice, f.bob)
		f.advanceTo(t, onDay1(9, 45))
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil { // alice's notice is queued
			t.Fatal(err)
		}
		o := f.offer(t, f.alice, "Primary", onDay1(10, 0), onDay1(14, 0), "")
		if _, err := f.db.Schedules.TakeShiftOffer(f.ctx, f.carol, o.ID); err != nil {
			t.Fatal(err)
		}
		want := "alice@example.com: Carol took your shift on Primary|carol@example.com: On call for Primary in 15 minutes, until 2026-11-23 14:00 UTC"
		if got := f.sentSorted(t); got != want {
			t.Fatalf("sent %q, want %q", got, want)
		}
	})
}
