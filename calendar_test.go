package herald

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Long lines fold at 75 octets without splitting a character, and
// unfolding gives the text back.
func TestCalendar_FoldsLongLinesWithoutSplittingCharacters(t *testing.T) {
	name := strings.Repeat("Bereitschaft für Zahlungen – Überlauf ", 5)
	doc := Calendar(name, []CalendarEvent{{UID: "u1@herald", Summary: name, Start: time.Unix(0, 0), End: time.Unix(3600, 0), Stamp: time.Unix(0, 0)}})
	for _, l := range strings.Split(doc, "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Fatalf("line of %d octets (valid UTF-8: %v): %q", len(l), utf8.ValidString(l), l)
		}
	}
	if !strings.Contains(strings.ReplaceAll(doc, "\r\n ", ""), "SUMMARY:"+strings.TrimSpace(name)) {
		t.Fatalf("unfolded, the summary is not the name:\n%s", doc)
	}
}

// The window starts on a Monday at least a week back, so it moves once a
// week, and reaches more than six months ahead.
func TestCalendarWindow(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC),  // a Monday
		time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC), // a Sunday
		time.Date(2027, 3, 28, 1, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
	} {
		from, to := CalendarWindow(now)
		if from.Weekday() != time.Monday || from.Hour() != 0 || now.Sub(from) < 7*24*time.Hour || now.Sub(from) >= 14*24*time.Hour {
			t.Errorf("%v: window from %v", now, from)
		}
		if to.Before(now.AddDate(0, 6, 0)) {
			t.Errorf("%v: window to %v, less than six months ahead", now, to)
		}
		if f2, _ := CalendarWindow(now.Add(time.Hour)); now.Weekday() != time.Sunday && !f2.Equal(from) {
			t.Errorf("%v: the window moved within the week", now)
		}
	}
}
