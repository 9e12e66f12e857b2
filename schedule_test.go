package herald

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSchedule_DailyRotation(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	s := &Schedule{TimeZone: "UTC", Layers: []Layer{{Name: "primary", Rotation: RotationDaily, HandoffTime: "09:00", Start: start, Users: []string{"ann", "bob", "cat"}}}}
	tests := []struct {
		at   time.Time
		want string
	}{
		{start.Add(-time.Minute), ""},
		{start, "ann"},
		{start.Add(24*time.Hour - time.Minute), "ann"},
		{start.Add(24 * time.Hour), "bob"},
		{start.Add(49 * time.Hour), "cat"},
		{start.Add(73 * time.Hour), "ann"},
		{start.AddDate(0, 0, 300).Add(time.Hour), []string{"ann", "bob", "cat"}[300%3]},
	}
	for _, tt := range tests {
		oc, ok := s.OnCallAt(tt.at)
		if oc.UserID != tt.want || ok != (tt.want != "") {
			t.Errorf("at %s: %q %v, want %q", tt.at, oc.UserID, ok, tt.want)
		}
	}
	oc, _ := s.OnCallAt(start.Add(time.Hour))
	if !oc.Until.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("until %s", oc.Until)
	}
}

// A 09:00 hand-off stays at 09:00 local time when the clocks change, so in
// UTC it moves by an hour.
func TestSchedule_HandoffFollowsWallClockAcrossDST(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	start := time.Date(2026, 3, 27, 9, 0, 0, 0, berlin)
	s := &Schedule{TimeZone: "Europe/Berlin", Layers: []Layer{{Rotation: RotationDaily, HandoffTime: "09:00", Start: start, Users: []string{"ann", "bob"}}}}
	// 28 March, CET (UTC+1): hand-off at 08:00 UTC. 29 March, CEST (UTC+2): 07:00 UTC.
	for _, tt := range []struct {
		utc  string
		want string
	}{
		{"2026-03-28T07:59:00Z", "ann"},
		{"2026-03-28T08:00:00Z", "bob"},
		{"2026-03-29T06:59:00Z", "bob"},
		{"2026-03-29T07:00:00Z", "ann"},
	} {
		at, _ := time.Parse(time.RFC3339, tt.utc)
		if oc, _ := s.OnCallAt(at); oc.UserID != tt.want {
			t.Errorf("at %s: %s, want %s", tt.utc, oc.UserID, tt.want)
		}
	}
	// In autumn the clocks go back: 25 October's hand-off is at 08:00 UTC.
	shifts, err := s.Shifts(time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, sh := range shifts {
		starts = append(starts, sh.Start.UTC().Format("01-02 15:04"))
	}
	want := []string{"10-24 00:00", "10-24 07:00", "10-25 08:00", "10-26 08:00"}
	if len(starts) != len(want) {
		t.Fatalf("shift starts %v, want %v", starts, want)
	}
	for i := range want {
		if starts[i] != want[i] {
			t.Fatalf("shift starts %v, want %v", starts, want)
		}
	}
	// A 25-hour day is a 25-hour shift.
	if d := shifts[2].End.Sub(shifts[2].Start); d != 24*time.Hour {
		t.Errorf("the shift after the change lasts %s", d)
	}
	if d := shifts[1].End.Sub(shifts[1].Start); d != 25*time.Hour {
		t.Errorf("the shift across the change lasts %s, want 25h", d)
	}
}

func TestSchedule_WeeklyCustomLayersAndOverrides(t *testing.T) {
	t.Parallel()
	mon := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday
	s := &Schedule{TimeZone: "UTC", Layers: []Layer{
		{Name: "weekly", Rotation: RotationWeekly, HandoffTime: "10:00", Start: mon, Users: []string{"ann", "bob"}},
		// A higher layer that starts later and covers nights in 12-hour shifts.
		{Name: "follow-the-sun", Rotation: RotationCustom, LengthHours: 12, Start: mon.AddDate(0, 0, 14), Users: []string{"eve", "fay"}},
	}}
	check := func(at time.Time, want, layer string) {
		t.Helper()
		oc, ok := s.OnCallAt(at)
		if !ok || oc.UserID != want || oc.Layer != layer {
			t.Errorf("at %s: %+v, want %s from %q", at, oc, want, layer)
		}
	}
	check(mon.Add(time.Hour), "ann", "weekly")
	check(mon.AddDate(0, 0, 7).Add(time.Hour), "bob", "weekly")
	check(mon.AddDate(0, 0, 14).Add(time.Hour), "eve", "follow-the-sun") // the higher layer wins
	check(mon.AddDate(0, 0, 14).Add(13*time.Hour), "fay", "follow-the-sun")
	// An override beats every layer, for exactly its window.
	s.Overrides = []Override{{UserID: "zed", Start: mon.Add(2 * time.Hour), End: mon.Add(4 * time.Hour)}}
	if oc, _ := s.OnCallAt(mon.Add(3 * time.Hour)); oc.UserID != "zed" || !oc.Override || !oc.Until.Equal(mon.Add(4*time.Hour)) {
		t.Errorf("override: %+v", oc)
	}
	check(mon.Add(4*time.Hour), "ann", "weekly")
	shifts, err := s.Shifts(mon, mon.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(shifts) != 3 || shifts[0].UserID != "ann" || shifts[1].UserID != "zed" || shifts[2].UserID != "ann" || !shifts[2].End.Equal(mon.Add(24*time.Hour)) {
		t.Errorf("shifts %+v", shifts)
	}
	// Shadows ride along with whoever is on call.
	s.Shadows = []string{"new"}
	if oc, _ := s.OnCallAt(mon.Add(time.Hour)); len(oc.Shadows) != 1 || oc.Shadows[0] != "new" {
		t.Errorf("shadows %+v", oc.Shadows)
	}
}

func TestScheduleInput_Validation(t *testing.T) {
	t.Parallel()
	in := ScheduleInput{Name: "x", TimeZone: "Mars/Olympus", Layers: []Layer{{Rotation: "hourly"}, {Rotation: RotationDaily, HandoffTime: "25:00", Start: time.Now(), Users: []string{"a"}}}}
	err := in.Normalize()
	e, ok := err.(*Error)
	if !ok || e.Fields["time_zone"] == "" || e.Fields["layers"] == "" {
		t.Fatalf("%#v", err)
	}
}

func TestSchedule_LayerStartingBetweenHandoffs(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	start := time.Date(2026, 11, 23, 5, 14, 0, 0, ny) // before the 09:00 hand-off
	s := &Schedule{TimeZone: "America/New_York", Layers: []Layer{{Rotation: RotationWeekly, HandoffTime: "09:00", Start: start, Users: []string{"ann", "bob"}}}}
	if _, ok := s.OnCallAt(start.Add(-time.Minute)); ok {
		t.Error("on call before the layer starts")
	}
	oc, _ := s.OnCallAt(start)
	if oc.UserID != "ann" || !oc.Until.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, ny)) {
		t.Errorf("at the start: %+v", oc)
	}
	if oc, _ := s.OnCallAt(time.Date(2026, 11, 25, 12, 0, 0, 0, ny)); oc.UserID != "bob" {
		t.Errorf("two days later: %+v", oc)
	}
	if oc, _ := s.OnCallAt(time.Date(2026, 11, 30, 9, 0, 0, 0, ny)); oc.UserID != "ann" {
		t.Errorf("a week after the first hand-off: %+v", oc)
	}
}

// promptly fails the test when fn does not return within a few seconds: a
// schedule evaluation that loops forever would otherwise hang the suite
// (it did, and held SQLite's only writer while it did). fn runs on another
// goroutine, so it reports with t.Errorf, not t.Fatalf.
func promptly(t testing.TB, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

// A layer that starts centuries ago (a row written before starts were
// checked) is evaluated by arithmetic on whole periods: the answer is
// exact and immediate, for every rotation kind.
func TestSchedule_LayerFromLongAgoIsEvaluatedPromptly(t *testing.T) {
	t.Parallel()
	start := time.Date(1700, 1, 1, 9, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	days := int((at.Unix() - start.Unix()) / 86400) // whole days since the start: 09:00 to 10:00 adds none
	users := []string{"ann", "bob", "cat", "dan", "eve"}
	for _, tt := range []struct {
		layer Layer
		want  string
		until time.Time
	}{
		{Layer{Rotation: RotationCustom, LengthHours: 12}, users[(2*days)%5], time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)},
		{Layer{Rotation: RotationCustom, LengthHours: 7}, users[((days*24+1)/7)%5], time.Time{}},
		{Layer{Rotation: RotationDaily, HandoffTime: "09:00"}, users[days%5], time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)},
		{Layer{Rotation: RotationWeekly, HandoffTime: "09:00"}, users[(days/7)%5], time.Time{}},
	} {
		l := tt.layer
		l.Name, l.Start, l.Users = l.Rotation, start, users
		s := &Schedule{TimeZone: "UTC", Layers: []Layer{l}}
		var oc OnCall
		var ok bool
		promptly(t, l.Rotation, func() { oc, ok = s.OnCallAt(at) })
		if !ok || oc.UserID != tt.want {
			t.Errorf("%s %dh: %+v, want %s", l.Rotation, l.LengthHours, oc, tt.want)
		}
		if !oc.Until.After(at) {
			t.Errorf("%s: until %s is not after %s", l.Rotation, oc.Until, at)
		}
		if !tt.until.IsZero() && !oc.Until.Equal(tt.until) {
			t.Errorf("%s: until %s, want %s", l.Rotation, oc.Until, tt.until)
		}
		// The next 92 days, as the shifts query asks, and the furthest
		// times RFC 3339 can carry, also answer at once.
		promptly(t, l.Rotation+" shifts", func() {
			if shifts, err := s.Shifts(at, at.AddDate(0, 0, 92)); err != nil || len(shifts) == 0 {
				t.Errorf("%s shifts: %d %v", l.Rotation, len(shifts), err)
			}
			s.OnCallAt(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC))
			s.OnCallAt(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
		})
	}
}

// Walking over time is bounded: a window with more hand-overs than the cap
// is refused, never walked for ever.
func TestSchedule_ShiftsRefuseTooManyHandovers(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := &Schedule{TimeZone: "UTC", Layers: []Layer{{Rotation: RotationCustom, LengthHours: 1, Start: start, Users: []string{"ann", "bob"}}}}
	if _, err := s.shifts(start, start.Add(100*time.Hour), 50); ErrorCode(err) != EUnprocessable {
		t.Fatalf("100 hand-overs with a cap of 50: %v", err)
	}
	if got, err := s.shifts(start, start.Add(40*time.Hour), 50); err != nil || len(got) != 40 {
		t.Fatalf("40 hand-overs: %d %v", len(got), err)
	}
}

func TestScheduleAndMaintenanceTimesAreInRange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		start time.Time
		ok    bool
	}{
		{time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2199, 12, 31, 23, 0, 0, 0, time.UTC), true},
		{time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), false},
	} {
		in := ScheduleInput{Name: "x", Layers: []Layer{{Rotation: RotationCustom, LengthHours: 12, Start: tt.start, Users: []string{"a"}}}}
		err := in.Normalize()
		if tt.ok != (err == nil) {
			t.Errorf("layer start %s: %v", tt.start, err)
		}
		if e, _ := err.(*Error); e != nil && !strings.Contains(e.Fields["layers"], "start must be between 2000-01-01 and 2200-01-01") {
			t.Errorf("layer start %s: %#v", tt.start, e.Fields)
		}
		name, until := "window", tt.start.Add(time.Minute)
		m := MaintenanceInput{Name: &name, ScheduledFor: &tt.start, ScheduledUntil: &until}
		err = m.Normalize(true)
		if e, _ := err.(*Error); tt.ok != (err == nil) || (e != nil && e.Fields["scheduled_for"] == "") {
			t.Errorf("maintenance from %s: %v", tt.start, err)
		}
	}
	name, from, until := "window", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	m := MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until}
	if e, _ := m.Normalize(true).(*Error); e == nil || e.Fields["scheduled_until"] == "" {
		t.Errorf("maintenance until 2200: %v", e)
	}
}

// FuzzScheduleEvaluation evaluates arbitrary layers (any start a row can
// hold, any rotation, any zone) at arbitrary times: evaluation returns, the
// answer is one of the layer's users, the override's user or nobody, the
// answer holds until a later time, hand-offs never go back, and the shifts
// follow each other in order.
func FuzzScheduleEvaluation(f *testing.F) {
	f.Add(int64(-8520336000), int64(1795424400), uint8(2), uint16(12), uint8(9), uint8(0), uint8(3), uint8(0), int64(0))
	f.Add(int64(1795424400), int64(253402300799), uint8(0), uint16(1), uint8(23), uint8(30), uint8(1), uint8(1), int64(3600))
	f.Add(int64(1774600000), int64(1774900000), uint8(1), uint16(0), uint8(2), uint8(30), uint8(2), uint8(2), int64(-7200))
	f.Add(int64(1324771200), int64(1325116800), uint8(0), uint16(0), uint8(9), uint8(0), uint8(1), uint8(3), int64(0)) // Samoa skips 30 December 2011
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Pacific/Apia", "Australia/Lord_Howe"}
	rotations := []string{RotationDaily, RotationWeekly, RotationCustom}
	f.Fuzz(func(t *testing.T, startUnix, atUnix int64, rot uint8, length uint16, hh, mm, nUsers, zone uint8, overrideOffset int64) {
		// Every time a stored row or a query can carry: years 1 to 9999.
		clamp := func(u int64) int64 { return min(max(u, evalMin), evalMax-1) }
		start, at := time.Unix(clamp(startUnix), 0).UTC(), time.Unix(clamp(atUnix), 0).UTC()
		users := make([]string, 1+int(nUsers)%6)
		for i := range users {
			users[i] = "u" + itoa(i)
		}
		l := Layer{Name: "l", Rotation: rotations[int(rot)%3], HandoffTime: time.Date(0, 1, 1, int(hh)%24, int(mm)%60, 0, 0, time.UTC).Format("15:04"),
			LengthHours: 1 + int(length)%672, Start: start, Users: users}
		s := &Schedule{TimeZone: zones[int(zone)%len(zones)], Layers: []Layer{l}}
		if overrideOffset != 0 {
			o := at.Add(time.Duration(overrideOffset%(48*3600)) * time.Second)
			s.Overrides = []Override{{UserID: "ov", Start: o, End: o.Add(2 * time.Hour)}}
		}
		promptly(t, "evaluation", func() {
			oc, ok := s.OnCallAt(at)
			if ok && oc.UserID != "ov" && !slices.Contains(users, oc.UserID) {
				t.Errorf("on call: %q, not one of %v", oc.UserID, users)
				return
			}
			if !ok && oc.UserID != "" {
				t.Errorf("nobody on call, yet %q", oc.UserID)
				return
			}
			if !oc.Until.After(at) {
				t.Errorf("until %s is not after %s", oc.Until, at)
				return
			}
			loc := s.loc()
			if k, err := l.gridIndex(at, loc); err == nil {
				prev := l.handoff(k-1, loc)
				for j := k; j < k+3; j++ {
					h := l.handoff(j, loc)
					// Equal only where a zone skips a whole day (Samoa,
					// 30 December 2011): that day's shift is empty.
					if h.Before(prev) {
						t.Errorf("hand-off %d at %s is before hand-off %d at %s", j, h, j-1, prev)
						return
					}
					prev = h
				}
				if l.handoff(k, loc).After(at) || !l.handoff(k+1, loc).After(at) {
					t.Errorf("%s is not in grid cell %d", at, k)
					return
				}
			} else if TimeInRange(at) && TimeInRange(start) {
				t.Errorf("in range, yet: %v", err)
				return
			}
			shifts, err := s.Shifts(at, at.Add(3*24*time.Hour))
			if err != nil {
				t.Errorf("shifts: %v", err)
				return
			}
			for i, sh := range shifts {
				if !sh.End.After(sh.Start) || (i > 0 && sh.Start.Before(shifts[i-1].End)) {
					t.Errorf("shifts out of order: %+v", shifts)
					return
				}
			}
		})
	})
}

func TestSchedule_EvaluationBounds(t *testing.T) {
	t.Parallel()
	if got := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); got != evalMin {
		t.Errorf("evalMin %d, want %d", int64(evalMin), got)
	}
	if got := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); got != evalMax {
		t.Errorf("evalMax %d, want %d", int64(evalMax), got)
	}
}

// BenchmarkSchedule_Shifts92Days is the largest shifts query the API
// takes: 92 days of a 1-hour rotation under a daily one, in a zone with
// daylight saving.
func BenchmarkSchedule_Shifts92Days(b *testing.B) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Schedule{TimeZone: "Europe/Berlin", Layers: []Layer{
		{Rotation: RotationDaily, HandoffTime: "09:00", Start: start, Users: []string{"ann", "bob"}},
		{Rotation: RotationCustom, LengthHours: 1, Start: start.Add(30 * time.Minute), Users: []string{"cat", "dan", "eve"}},
	}}
	for b.Loop() {
		if _, err := s.Shifts(start, start.AddDate(0, 0, 92)); err != nil {
			b.Fatal(err)
		}
	}
}
