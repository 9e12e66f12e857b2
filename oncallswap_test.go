package herald

import (
	"strings"
	"testing"
	"time"
)

func hm(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }

// Hand-offs join the stretches of one person that follow each other,
// whether a layer or an override put them there; a stretch cut by the
// window's start is none; a gap before a person is a hand-off to them.
func TestHandoffs_JoinConsecutiveShiftsOfOnePerson(t *testing.T) {
	shifts := []Shift{
		{UserID: "a", Start: hm(8, 0), End: hm(10, 0)},
		{UserID: "b", Start: hm(10, 0), End: hm(12, 0)},
		{UserID: "b", Start: hm(12, 0), End: hm(13, 0), Override: true},
		{UserID: "c", Start: hm(13, 0), End: hm(14, 0)},
		{UserID: "c", Start: hm(15, 0), End: hm(16, 0)}, // after a gap
	}
	got := Handoffs(shifts, hm(8, 0))
	want := []Handoff{{"b", hm(10, 0), hm(13, 0)}, {"c", hm(13, 0), hm(14, 0)}, {"c", hm(15, 0), hm(16, 0)}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].UserID != want[i].UserID || !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("hand-off %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if end := ShiftEnd(shifts[1:], "b", hm(10, 0)); !end.Equal(hm(13, 0)) {
		t.Errorf("b's shift ends %s", end)
	}
	if end := ShiftEnd(shifts, "b", hm(10, 0)); !end.IsZero() {
		t.Errorf("b is not on call at the start of the list, yet ends %s", end)
	}
	for _, c := range []struct {
		user       string
		start, end time.Time
		want       bool
	}{
		{"b", hm(10, 0), hm(13, 0), true},
		{"b", hm(11, 0), hm(12, 30), true},
		{"b", hm(9, 0), hm(11, 0), false},
		{"b", hm(12, 0), hm(13, 30), false},
		{"c", hm(13, 0), hm(16, 0), false}, // the gap
	} {
		if got := Holds(shifts, c.user, c.start, c.end); got != c.want {
			t.Errorf("Holds(%s, %s-%s) = %v", c.user, c.start.Format("15:04"), c.end.Format("15:04"), got)
		}
	}
}

func TestOnCallSettings_DueWindowAndBounds(t *testing.T) {
	o := OnCallSettings{NoticeBefore: Duration(15 * time.Minute), LateLimit: Duration(time.Hour)}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{{hm(9, 44), false}, {hm(9, 45), true}, {hm(10, 0), true}, {hm(11, 0), true}, {hm(11, 1), false}} {
		if got := o.HandoffDue(c.now, hm(10, 0)); got != c.want {
			t.Errorf("due at %s: %v", c.now.Format("15:04"), got)
		}
	}
	for _, c := range []struct {
		o    OnCallSettings
		want string
	}{
		{OnCallSettings{NoticeBefore: Duration(25 * time.Hour), LateLimit: Duration(time.Hour)}, "notice_before"},
		{OnCallSettings{LateLimit: Duration(time.Second)}, "late_limit"},
	} {
		s := DefaultSettings()
		s.OnCall = c.o
		err := s.Validate()
		if e, ok := err.(*Error); !ok || !strings.Contains(e.Fields["oncall"], c.want) {
			t.Errorf("%+v: %v", c.o, err)
		}
	}
	if s := DefaultSettings(); s.Validate() != nil {
		t.Fatal(s.Validate())
	}
	// A document saved without the key has the default.
	if late := (OnCallSettings{}).Late(); late != time.Hour {
		t.Fatalf("late limit of a zero setting: %s", late)
	}
}

func TestOnCallChangeNotice_SaysWhatIsTakenOver(t *testing.T) {
	n := OnCallChangeNotice(HandoffBrief{Schedule: "Primary", Start: hm(10, 0), End: hm(14, 0), Now: hm(9, 45),
		Pages: []string{"[triggered] API: errors"}, PagesMore: 2, HandoversURL: "https://h.example/app/handovers"})
	if n.Subject != "On call for Primary in 15 minutes, until 2026-11-23 14:00 UTC" {
		t.Errorf("subject %q", n.Subject)
	}
	for _, want := range []string{"(3):", "- [triggered] API: errors", "- and 2 more", "No ongoing incidents.", "https://h.example/app/handovers"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, n.Body)
		}
	}
}
