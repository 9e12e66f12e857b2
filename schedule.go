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
	// Swap is set when the override came from a shift offer that was
	// taken (oncallswap.go).
	Swap *OverrideSwap `json:"swap,omitempty"`
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
		} else if !TimeInRange(l.Start) {
			fe.Add("layers", l.Name+": start must be between "+itoa(MinYear)+"-01-01 and "+itoa(MaxYear)+"-01-01 (UTC)")
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

// Times that schedules, overrides and maintenance windows may name: from
// the year MinYear up to (not including) MaxYear, in UTC. Nobody plans a
// rotation in 1700 or 9999; refusing such times on input keeps every
// answer Herald computes from them (hand-offs, "until", shift lists,
// reminders) representable in RFC 3339 and JSON, and keeps the loops over
// them short. Evaluation itself stays exact and prompt for any time a row
// can hold, so a row written before this check cannot stall anything.
const (
	MinYear = 2000
	MaxYear = 2200
)

// TimeInRange reports whether t lies in [MinYear, MaxYear).
func TimeInRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y < MaxYear
}

// CheckTimeRange adds a field error when t lies outside [MinYear, MaxYear).
func CheckTimeRange(fe FieldErrors, field string, t time.Time) {
	if !TimeInRange(t) {
		fe.Add(field, "must be between "+itoa(MinYear)+"-01-01 and "+itoa(MaxYear)+"-01-01 (UTC)")
	}
}

// evalMin and evalMax (Unix seconds) bound the times a schedule is
// evaluated at and from: years 1 to 9999, every time RFC 3339 can carry.
// Within them the rotation arithmetic below cannot overflow.
const (
	evalMin = -62135596800 // 0001-01-01T00:00:00Z
	evalMax = 253402300800 // 10000-01-01T00:00:00Z
)

func evaluable(t time.Time) bool { u := t.Unix(); return u >= evalMin && u < evalMax }

// errUnbounded says a schedule could not be evaluated within the bounds
// above; callers treat the layer as not on call rather than spin.
var errUnbounded = Errorf(EUnprocessable, "the schedule cannot be evaluated at that time")

// maxCorrection bounds the steps that correct an arithmetic estimate of a
// hand-off index; one or two are needed (a day that daylight saving makes
// 23 or 25 hours long), never more.
const maxCorrection = 8

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civilDay numbers the calendar day of t in its own location (days since
// 1970-01-01), so day differences are exact whatever the zone's offsets.
func civilDay(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// handoff returns the start of shift k of a layer (k may be negative). It
// is plain integer arithmetic on whole periods: no time.Duration, which
// overflows after 292 years.
func (l *Layer) handoff(k int64, loc *time.Location) time.Time {
	if l.Rotation == RotationCustom {
		return time.Unix(l.Start.Unix()+k*int64(l.LengthHours)*3600, int64(l.Start.Nanosecond())).In(l.Start.Location())
	}
	hm, _ := time.Parse("15:04", l.HandoffTime)
	days := k
	if l.Rotation == RotationWeekly {
		days = 7 * k
	}
	s := l.Start.In(loc)
	// time.Date normalises a wall time that does not exist (the hour
	// skipped when clocks go forward) to the same instant an hour later.
	return time.Date(s.Year(), s.Month(), s.Day()+int(days), hm.Hour(), hm.Minute(), 0, 0, loc)
}

// gridIndex returns the index of the hand-off grid cell that contains t:
// the largest k with handoff(k) <= t. It jumps to the right period by
// arithmetic (elapsed seconds over the period for custom rotations,
// calendar days for daily and weekly ones), then corrects by at most
// maxCorrection steps; it never walks from the start.
func (l *Layer) gridIndex(t time.Time, loc *time.Location) (int64, error) {
	if !evaluable(t) || !evaluable(l.Start) {
		return 0, errUnbounded
	}
	var k int64
	switch l.Rotation {
	case RotationCustom:
		if l.LengthHours < 1 || l.LengthHours > 1<<20 {
			return 0, errUnbounded
		}
		k = floorDiv(t.Unix()-l.Start.Unix(), int64(l.LengthHours)*3600)
	case RotationWeekly:
		k = floorDiv(civilDay(t.In(loc))-civilDay(l.Start.In(loc)), 7)
	default:
		k = civilDay(t.In(loc)) - civilDay(l.Start.In(loc))
	}
	for i := 0; l.handoff(k, loc).After(t); i++ {
		if i == maxCorrection {
			return 0, errUnbounded
		}
		k--
	}
	for i := 0; !l.handoff(k+1, loc).After(t); i++ {
		if i == maxCorrection {
			return 0, errUnbounded
		}
		k++
	}
	return k, nil
}

// shiftAt returns which shift of the layer contains t (0 is the first
// user's first shift) and its bounds; ok is false before the layer starts.
// The first user is on call from Start until the next hand-off, so a layer
// that starts between hand-offs begins with a shorter shift.
func (l *Layer) shiftAt(t time.Time, loc *time.Location) (n int64, from, to time.Time, ok bool, err error) {
	if t.Before(l.Start) {
		return 0, time.Time{}, l.Start, false, nil
	}
	k0, err := l.gridIndex(l.Start, loc)
	if err != nil {
		return 0, time.Time{}, time.Time{}, false, err
	}
	k, err := l.gridIndex(t, loc)
	if err != nil {
		return 0, time.Time{}, time.Time{}, false, err
	}
	from = l.handoff(k, loc)
	if from.Before(l.Start) {
		from = l.Start
	}
	return k - k0, from, l.handoff(k+1, loc), true, nil
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
	return s.onCallAt(t, s.loc())
}

func (s *Schedule) onCallAt(t time.Time, loc *time.Location) (OnCall, bool) {
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
		n := int64(len(l.Users))
		k, _, to, ok, err := l.shiftAt(t, loc)
		if err != nil || n == 0 {
			// A layer that cannot be evaluated (a row from before times
			// were checked, with no users left) puts nobody on call; the
			// layers below and the escalation's next level still can.
			continue
		}
		next(to)
		if ok && !found {
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

// maxShiftSteps bounds the hand-overs one Shifts call walks through: a
// 92-day window of hourly rotations on a dozen layers stays far below it.
const maxShiftSteps = 100_000

// Shifts returns the final schedule between from and to: consecutive
// stretches, each with the one person on call, merged where the same person
// continues. It walks from one hand-over to the next, at most maxShiftSteps
// of them, and refuses rather than spin.
func (s *Schedule) Shifts(from, to time.Time) ([]Shift, error) {
	return s.shifts(from, to, maxShiftSteps)
}

func (s *Schedule) shifts(from, to time.Time, maxSteps int) ([]Shift, error) {
	var out []Shift
	steps := 0
	loc := s.loc() // once: loading a zone reads its file
	for t := from; t.Before(to); {
		if steps++; steps > maxSteps {
			return nil, Errorf(EUnprocessable, "the schedule changes hands more than %d times between %s and %s; ask for a shorter window",
				maxSteps, from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
		oc, ok := s.onCallAt(t, loc)
		end := oc.Until
		if end.After(to) {
			end = to
		}
		if !end.After(t) {
			return nil, Errorf(EUnprocessable, "the schedule cannot be evaluated at %s", t.Format(time.RFC3339))
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
	return out, nil
}

// OverrideInput puts someone on call for a window.
type OverrideInput struct {
	User  string    `json:"user"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}
