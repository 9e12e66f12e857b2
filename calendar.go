package herald

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarFeed is a person's link for calendar apps (Outlook, Google,
// Apple) to subscribe to their shifts and to the schedules' final
// rotations. Calendar apps cannot send an API token, so the link itself is
// the credential: a token of its own, never the API token, shown once when
// made and revocable at any time.
type CalendarFeed struct {
	UserID    string    `json:"user_id"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Token is the link's secret, in the answer that makes it only.
	Token string `json:"-"`
	// URL is the person's shifts feed and SchedulesURL the start of the
	// schedule feeds (SchedulesURL + schedule id + "/shifts.ics"), in the
	// answer that makes them only.
	URL          string `json:"url,omitempty"`
	SchedulesURL string `json:"schedules_url,omitempty"`
}

// CalendarTokenPrefix starts every calendar feed token.
const CalendarTokenPrefix = "hcal_"

// CalendarEvent is one event of a calendar feed.
type CalendarEvent struct {
	// UID must stay the same for the same shift across fetches, or calendar
	// apps show duplicates and lose reminders people set on it.
	UID     string
	Summary string
	Start   time.Time
	End     time.Time
	// Stamp is when the event's source last changed (the schedule's
	// update): a stable DTSTAMP keeps a feed that did not change byte for
	// byte the same.
	Stamp time.Time
}

// CalendarWindow is the stretch a feed covers: from the Monday (00:00 UTC)
// at least a week back to 29 weeks after it, so always more than six months
// ahead. Aligning the start to a week means a shift clipped by the window's
// start keeps its start, and so its UID, for a week rather than changing
// on every fetch.
func CalendarWindow(now time.Time) (from, to time.Time) {
	d := now.UTC().Add(-7 * 24 * time.Hour)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	from = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return from, from.AddDate(0, 0, 7*(2+27))
}

// Calendar writes an iCalendar (RFC 5545) document of events. Every event
// is TRANSP:TRANSPARENT: being on call is not being busy, and Outlook
// would otherwise block whole weeks of a person's calendar.
func Calendar(name string, events []CalendarEvent) string {
	var b strings.Builder
	line := func(s string) {
		// Lines longer than 75 octets are folded: CRLF and a space, the
		// space counting in the next line, never inside a UTF-8 sequence.
		limit := 75
		for len(s) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n ")
			s, limit = s[cut:], 74
		}
		b.WriteString(s + "\r\n")
	}
	ts := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Herald//On-call shifts//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsText(name))
	line("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
	line("X-PUBLISHED-TTL:PT1H")
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + ts(e.Stamp))
		line("DTSTART:" + ts(e.Start))
		line("DTEND:" + ts(e.End))
		line("SUMMARY:" + icsText(e.Summary))
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// icsText escapes a TEXT value.
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}
