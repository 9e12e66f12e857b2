package herald

import (
	"sort"
	"strings"
	"time"
)

// Rotation kinds. Daily and weekly rotations hand off at a wall-clock time
// in the schedule's time zone, so a 09:00 hand-off stays at 09:00 across
// daylight-saving changes; a custom rotation hands off every Length of
// elapsed time.
const (
	RotationDaily  = "daily"
	RotationWeekly = "weekly"
	RotationCustom = "custom"
)

// Schedule says who is on call when: layers of rotations, the higher layer
// winning where it has someone, and temporary overrides above them all.
type Schedule struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	TimeZone  string     `json:"time_zone"`
	Layers    []Layer    `json:"layers"`
	Shadows   []string   `json:"shadows"` // user ids who receive every notification as shadows (R03)
	Overrides []Override `json:"overrides"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Layer is one rotation of people.
type Layer struct {
	Name     string `json:"name"`
	Rotation string `json:"rotation" required:"true" enum:"rotation"`
	// HandoffTime is the local wall-clock time of hand-off ("09:00") for
	// daily and weekly rotations.
	HandoffTime string `json:"handoff_time,omitempty"`
	// LengthHours is the shift length of a custom rotation.
	LengthHours int `json:"length_hours,omitempty"`
	// Start is when the layer begins: its first user is on call from then
	// until the next hand-off. Daily hand-offs fall at HandoffTime every
	// day; weekly ones at HandoffTime on Start's weekday; custom ones every
	// LengthHours from Start.
	Start time.Time `json:"start" required:"true"`
	Users []string  `json:"users" required:"true"` // user ids, in rotation order
}

// Override puts someone on call for a while, above every layer.
type Override struct {
	ID     string    `json:"id"`
	UserID string    `json:"user_id"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
}

// ScheduleInput creates or replaces a schedule. Users are ids or e-mail
// addresses; the store resolves them.
type ScheduleInput struct {
	Name     string   `json:"name" required:"true"`
	TimeZone string   `json:"time_zone"`
	Layers   []Layer  `json:"layers" required:"true"`
	Shadows  []string `json:"shadows"`
}

// Normalize validates the schedule's shape (not that its users exist).
func (in *ScheduleInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil {
		fe.Add("time_zone", quote(in.TimeZone)+" is not a known time zone (use names like Europe/Berlin)")
	}
	if len(in.Layers) == 0 {
		fe.Add("layers", "at least one layer is needed")
	}
	for i := range in.Layers {
		l := &in.Layers[i]
		l.Name = strings.TrimSpace(l.Name)
		if l.Name == "" {
			l.Name = "Layer " + itoa(i+1)
		}
		switch l.Rotation {
		case RotationDaily, RotationWeekly:
			if l.HandoffTime == "" {
				l.HandoffTime = "09:00"
			}
			if _, err := time.Parse("15:04", l.HandoffTime); err != nil {
				fe.Add("layers", l.Name+": handoff_time must be HH:MM, like 09:00")
			}
		case RotationCustom:
			if l.LengthHours < 1 || l.LengthHours > 24*28 {
				fe.Add("layers", l.Name+": length_hours must be between 1 and 672")
			}
		default:
			fe.Add("layers", l.Name+": rotation must be daily, weekly or custom")
		}
		if l.Start.IsZero() {
			fe.Add("layers", l.Name+": start is required (RFC 3339)")
		}
		if len(l.Users) == 0 {
			fe.Add("layers", l.Name+": at least one user is needed")
		}
	}
	return fe.Err()
}

// loc returns the schedule's location; Normalize checked it.
func (s *Schedule) loc() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// handoff returns the start of shift k of a layer (k may be negative).
func (l *Layer) handoff(k int, loc *time.Location) time.Time {
	if l.Rotation == RotationCustom {
		return l.Start.Add(time.Duration(k) * time.Duration(l.LengthHours) * time.Hour)
	}
	hm, _ := time.Parse("15:04", l.HandoffTime)
	days := k
	if l.Rotation == RotationWeekly {
		days = 7 * k
	}
	s := l.Start.In(loc)
	// time.Date normalises a wall time that does not exist (the hour
	// skipped when clocks go forward) to the same instant an hour later.
	return time.Date(s.Year(), s.Month(), s.Day()+days, hm.Hour(), hm.Minute(), 0, 0, loc)
}

// gridIndex returns the index of the hand-off grid cell that contains t:
// the largest k with handoff(k) <= t.
func (l *Layer) gridIndex(t time.Time, loc *time.Location) int {
	period := 24 * time.Hour
	switch l.Rotation {
	case RotationWeekly:
		period = 7 * 24 * time.Hour
	case RotationCustom:
		period = time.Duration(l.LengthHours) * time.Hour
	}
	// Estimate from elapsed time, then correct for days that DST makes
	// 23 or 25 hours long.
	d := t.Sub(l.handoff(0, loc))
	k := int(d / period)
	if d < 0 {
		k--
	}
	for l.handoff(k, loc).After(t) {
		k--
	}
	for !l.handoff(k+1, loc).After(t) {
		k++
	}
	return k
}

// shiftAt returns which shift of the layer contains t (0 is the first
// user's first shift) and its bounds; ok is false before the layer starts.
// The first user is on call from Start until the next hand-off, so a layer
// that starts between hand-offs begins with a shorter shift.
func (l *Layer) shiftAt(t time.Time, loc *time.Location) (n int, from, to time.Time, ok bool) {
	if t.Before(l.Start) {
		return 0, time.Time{}, l.Start, false
	}
	k0 := l.gridIndex(l.Start, loc)
	k := l.gridIndex(t, loc)
	from = l.handoff(k, loc)
	if from.Before(l.Start) {
		from = l.Start
	}
	return k - k0, from, l.handoff(k+1, loc), true
}

// OnCall is who is on call at a moment, and why.
type OnCall struct {
	UserID   string    `json:"user_id"`
	Layer    string    `json:"layer,omitempty"` // the layer that put them there; empty for an override
	Override bool      `json:"override"`
	Shadows  []string  `json:"shadows"`
	Until    time.Time `json:"until"` // when this answer may next change
}

// OnCallAt says who is on call at t. ok is false when nobody is (no layer
// has started and no override covers t).
func (s *Schedule) OnCallAt(t time.Time) (OnCall, bool) {
	loc := s.loc()
	until := t.Add(90 * 24 * time.Hour)
	next := func(b time.Time) {
		if b.After(t) && b.Before(until) {
			until = b
		}
	}
	var answer OnCall
	found := false
	for _, o := range s.Overrides {
		if !t.Before(o.Start) && t.Before(o.End) && !found {
			answer, found = OnCall{UserID: o.UserID, Override: true}, true
		}
		next(o.Start)
		next(o.End)
	}
	for i := len(s.Layers) - 1; i >= 0; i-- {
		l := &s.Layers[i]
		k, _, to, ok := l.shiftAt(t, loc)
		next(to)
		if ok && !found {
			n := len(l.Users)
			answer, found = OnCall{UserID: l.Users[((k%n)+n)%n], Layer: l.Name}, true
		}
	}
	if !found {
		return OnCall{Shadows: []string{}, Until: until}, false
	}
	answer.Shadows = append([]string{}, s.Shadows...)
	answer.Until = until
	return answer, true
}

// Shift is a stretch of time one person is on call.
type Shift struct {
	UserID   string    `json:"user_id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Override bool      `json:"override"`
}

// Shifts returns the final schedule between from and to: consecutive
// stretches, each with the one person on call, merged where the same person
// continues.
func (s *Schedule) Shifts(from, to time.Time) []Shift {
	var out []Shift
	for t := from; t.Before(to); {
		oc, ok := s.OnCallAt(t)
		end := oc.Until
		if end.After(to) {
			end = to
		}
		if ok {
			if n := len(out); n > 0 && out[n-1].UserID == oc.UserID && out[n-1].End.Equal(t) && out[n-1].Override == oc.Override {
				out[n-1].End = end
			} else {
				out = append(out, Shift{UserID: oc.UserID, Start: t, End: end, Override: oc.Override})
			}
		}
		t = end
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
