package herald

import (
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
	shifts := s.Shifts(time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC))
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
	shifts := s.Shifts(mon, mon.Add(24*time.Hour))
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
