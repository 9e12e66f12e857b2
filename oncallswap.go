package herald

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// On-call change notices and shift swaps. At each hand-off of a schedule
// the incoming person is told what they take over; a person on call may
// offer a shift, or a window of one, and another person takes it, which
// puts the taker on call through an override recorded with the offer.

// Prompt kinds of the on-call rules.
const (
	// PromptOnCallChange tells the incoming person of a schedule, at the
	// hand-off (or settings oncall.notice_before ahead of it), what they
	// take over.
	PromptOnCallChange = "oncall_change"
	// PromptShiftTaken tells the person who offered a shift that someone
	// took it.
	PromptShiftTaken = "shift_taken"
)

// OnCallSettings time the on-call change notices.
type OnCallSettings struct {
	// Off turns the change notices off; offers and swaps still work.
	Off bool `json:"off,omitempty"`
	// NoticeBefore is how long before a hand-off the incoming person is
	// told; 0s tells them at the hand-off.
	NoticeBefore Duration `json:"notice_before"`
	// LateLimit bounds how late a notice may still go: a hand-off further
	// in the past than this when Herald looks (it was down, say) is not
	// told any more, since the person has long taken over. Read it with
	// Late (0s is the default).
	LateLimit Duration `json:"late_limit"`
}

// defaultLateLimit is the late limit when none is set.
const defaultLateLimit = time.Hour

// Late is how late a notice may still go.
func (o OnCallSettings) Late() time.Duration {
	if o.LateLimit <= 0 {
		return defaultLateLimit
	}
	return time.Duration(o.LateLimit)
}

// DefaultOnCallSettings tell the incoming person at the hand-off, and up to
// an hour late.
func DefaultOnCallSettings() OnCallSettings {
	return OnCallSettings{LateLimit: Duration(defaultLateLimit)}
}

func (o OnCallSettings) validate(fe FieldErrors) {
	if d := time.Duration(o.NoticeBefore); d < 0 || d > 24*time.Hour {
		fe.Add("oncall", "notice_before must be between 0s and 24h")
	}
	// At least a minute: the playbook loop looks every few seconds, and a
	// notice due for an instant only would never go. 0s (a document saved
	// without it) is the default.
	if d := time.Duration(o.LateLimit); d != 0 && (d < time.Minute || d > 24*time.Hour) {
		fe.Add("oncall", "late_limit must be between 1m and 24h (0s: the default, 1h)")
	}
}

// HandoffDue reports whether the notice of a hand-off at start is due at
// now: from NoticeBefore ahead of it until LateLimit after it.
func (o OnCallSettings) HandoffDue(now, start time.Time) bool {
	if o.Off {
		return false
	}
	return !now.Before(start.Add(-time.Duration(o.NoticeBefore))) && !now.After(start.Add(o.Late()))
}

// Handoff is one change of hands on a schedule's final rotation: UserID
// is on call from Start (someone else, or nobody, was before) to End.
type Handoff struct {
	UserID     string
	Start, End time.Time
}

// Handoffs returns the hand-offs of a final schedule (Shifts over a window
// that starts before the first hand-off of interest): stretches of the same
// person that follow each other without a gap are one shift, whether a
// layer or an override put them there, so a person on call for consecutive
// shifts is handed over to once. The first stretch is no hand-off when it
// starts at from, where the window cuts it.
func Handoffs(shifts []Shift, from time.Time) []Handoff {
	var out []Handoff
	var prev *Shift
	for i := range shifts {
		sh := shifts[i]
		if prev != nil && prev.UserID == sh.UserID && prev.End.Equal(sh.Start) {
			if n := len(out); n > 0 && out[n-1].UserID == sh.UserID {
				out[n-1].End = sh.End
			}
			prev = &shifts[i]
			continue
		}
		if sh.Start.After(from) {
			out = append(out, Handoff{UserID: sh.UserID, Start: sh.Start, End: sh.End})
		}
		prev = &shifts[i]
	}
	return out
}

// ShiftEnd returns when the stretch of user that covers start ends on a
// final schedule (Shifts from start), joining stretches as Handoffs does;
// the zero time when user is not on call at start.
func ShiftEnd(shifts []Shift, user string, start time.Time) time.Time {
	var end time.Time
	for _, sh := range shifts {
		if sh.UserID != user {
			break
		}
		if end.IsZero() {
			if sh.Start.After(start) || !sh.End.After(start) {
				break
			}
		} else if !sh.Start.Equal(end) {
			break
		}
		end = sh.End
	}
	return end
}

// Holds reports whether user is on call for the whole window [start, end)
// on a final schedule (Shifts over at least that window).
func Holds(shifts []Shift, user string, start, end time.Time) bool {
	at := start
	for _, sh := range shifts {
		if !sh.End.After(at) {
			continue
		}
		if sh.Start.After(at) || sh.UserID != user {
			return false
		}
		at = sh.End
		if !at.Before(end) {
			return true
		}
	}
	return false
}

// HandoffBrief is what the incoming person of a schedule is told.
type HandoffBrief struct {
	Schedule   string
	Start, End time.Time
	Now        time.Time
	// Pages are the open pages of the services whose escalation policies
	// reach the schedule ("[triggered] API: error rate"); PagesMore counts
	// those left out.
	Pages     []string
	PagesMore int
	// Incidents are the ongoing incidents ("INC-7 S1 investigating:
	// title"); IncidentsMore counts those left out.
	Incidents     []string
	IncidentsMore int
	// HandoversURL is the console's handover screen; ScheduleURL the
	// schedule's.
	HandoversURL, ScheduleURL string
}

// OnCallChangeNotice tells the incoming person what they take over.
func OnCallChangeNotice(b HandoffBrief) Notice {
	at := b.Start.UTC().Format("2006-01-02 15:04") + " UTC"
	until := b.End.UTC().Format("2006-01-02 15:04") + " UTC"
	subject := fmt.Sprintf("You are on call for %s until %s", b.Schedule, until)
	lead := fmt.Sprintf("You are on call for %s from %s until %s.", b.Schedule, at, until)
	if b.Now.Before(b.Start) {
		subject = fmt.Sprintf("On call for %s in %s, until %s", b.Schedule, roundMinute(b.Start.Sub(b.Now)), until)
		lead = fmt.Sprintf("You take over %s at %s, until %s.", b.Schedule, at, until)
	}
	var w strings.Builder
	w.WriteString(lead + "\n")
	list := func(title, none string, items []string, more int) {
		if len(items) == 0 {
			w.WriteString("\n" + none + "\n")
			return
		}
		fmt.Fprintf(&w, "\n%s (%d):\n", title, len(items)+more)
		for _, it := range items {
			w.WriteString("- " + it + "\n")
		}
		if more > 0 {
			fmt.Fprintf(&w, "- and %d more\n", more)
		}
	}
	list("Open pages on the services this schedule answers for", "No open pages on the services this schedule answers for.", b.Pages, b.PagesMore)
	list("Ongoing incidents", "No ongoing incidents.", b.Incidents, b.IncidentsMore)
	w.WriteString("\nRead the handover from the outgoing shift: " + b.HandoversURL + "\n")
	if b.ScheduleURL != "" {
		w.WriteString("The schedule: " + b.ScheduleURL + "\n")
	}
	return Notice{Event: "prompt." + PromptOnCallChange, Subject: subject, Body: w.String(), URL: b.HandoversURL}
}

// ShiftTakenNotice tells the person who offered a shift that someone took
// it: they are no longer on call for that window.
func ShiftTakenNotice(schedule, taker string, start, end time.Time, url string) Notice {
	from := start.UTC().Format("2006-01-02 15:04") + " UTC"
	to := end.UTC().Format("2006-01-02 15:04") + " UTC"
	subject := fmt.Sprintf("%s took your shift on %s", taker, schedule)
	body := fmt.Sprintf("%s took the shift you offered on %s: they are on call from %s until %s (an override), and you are not.\n%s",
		taker, schedule, from, to, url)
	return Notice{Event: "prompt." + PromptShiftTaken, Subject: subject, Body: body, URL: url}
}

// ShiftOfferStatus is where a shift offer stands.
type ShiftOfferStatus string

// Shift offer statuses. Expired is never stored: an open offer whose
// window has ended reads as expired.
const (
	OfferOpen      ShiftOfferStatus = "open"
	OfferTaken     ShiftOfferStatus = "taken"
	OfferWithdrawn ShiftOfferStatus = "withdrawn"
	OfferExpired   ShiftOfferStatus = "expired"
)

// ShiftOfferStatuses are the statuses of a shift offer.
var ShiftOfferStatuses = []ShiftOfferStatus{OfferOpen, OfferTaken, OfferWithdrawn, OfferExpired}

// Enum lists the statuses for the OpenAPI document.
func (ShiftOfferStatus) Enum() []string { return enumStrings(ShiftOfferStatuses) }

// MaxOfferNoteLen bounds the note of a shift offer.
const MaxOfferNoteLen = 1000

// ShiftOffer is a shift, or a window of one, that the person on call
// offers to others. Taking it puts the taker on call for the window (from
// the moment they take it, if it has begun) through an override; the
// offer keeps who offered, who took and when, as the record of the swap.
type ShiftOffer struct {
	ID            string           `json:"id"`
	ScheduleID    string           `json:"schedule_id"`
	ScheduleName  string           `json:"schedule_name"`
	OfferedBy     string           `json:"offered_by"` // user id
	OfferedByName string           `json:"offered_by_name"`
	Start         time.Time        `json:"start"`
	End           time.Time        `json:"end"`
	Note          string           `json:"note"`
	Status        ShiftOfferStatus `json:"status"`
	CreatedAt     time.Time        `json:"created_at"`
	TakenBy       string           `json:"taken_by,omitempty"` // user id
	TakenByName   string           `json:"taken_by_name,omitempty"`
	TakenAt       *time.Time       `json:"taken_at,omitempty"`
	// OverrideID is the override taking made; it starts at TakenAt when
	// the window had begun.
	OverrideID  string     `json:"override_id,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// ShiftOfferInput offers a window of one's shift on a schedule.
type ShiftOfferInput struct {
	Start time.Time `json:"start" required:"true"`
	End   time.Time `json:"end" required:"true"`
	Note  string    `json:"note,omitempty"`
}

// Normalize checks the window's shape and the note; the store checks that
// the window lies in the offerer's shift.
func (in *ShiftOfferInput) Normalize(now time.Time) error {
	fe := FieldErrors{}
	in.Note = strings.TrimSpace(in.Note)
	checkText(fe, "note", in.Note, MaxOfferNoteLen, false)
	switch {
	case in.Start.IsZero():
		fe.Add("start", "is required (RFC 3339)")
	case in.End.IsZero():
		fe.Add("end", "is required (RFC 3339)")
	case !in.End.After(in.Start):
		fe.Add("end", "must be after start")
	case !TimeInRange(in.Start):
		CheckTimeRange(fe, "start", in.Start)
	case !TimeInRange(in.End):
		CheckTimeRange(fe, "end", in.End)
	case !in.End.After(now):
		fe.Add("end", "the window has already ended")
	}
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	return fe.Err()
}

// ShiftOfferFilter narrows a list of offers: Schedule an id or name, Status
// one of ShiftOfferStatuses (empty: all), Limit 1 to 500 (0: 100).
type ShiftOfferFilter struct {
	Schedule string
	Status   string
	Limit    int
}

// Normalize checks the filter.
func (f *ShiftOfferFilter) Normalize() error {
	fe := FieldErrors{}
	if f.Status != "" && !slices.Contains(ShiftOfferStatuses, ShiftOfferStatus(f.Status)) {
		fe.Add("status", "must be open, taken, withdrawn or expired")
	}
	switch {
	case f.Limit == 0:
		f.Limit = 100
	case f.Limit < 1 || f.Limit > 500:
		fe.Add("limit", "must be between 1 and 500")
	}
	return fe.Err()
}

// OverrideSwap says an override came from a shift offer that was taken.
type OverrideSwap struct {
	OfferID   string    `json:"offer_id"`
	OfferedBy string    `json:"offered_by"` // user id
	TakenAt   time.Time `json:"taken_at"`
}
