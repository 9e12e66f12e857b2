package herald

import (
	"strings"
	"testing"
	"time"
)

// A window is read in its own time zone: Sunday 02:00 for 3h in New York
// is 07:00-10:00 UTC in winter and 06:00-09:00 UTC in summer, and the
// week the clocks change (2027-03-14, at 02:00 local) the window opens
// at 02:00 local, which that night does not exist: Go's time.Date reads it
// as 01:00 EST, 06:00 UTC, and the window keeps its three hours.
func TestRule34_WindowCoversWorkInItsOwnTimeZone(t *testing.T) {
	w := MaintenanceWindow{Weekday: "sunday", Start: "02:00", Duration: Duration(3 * time.Hour), TimeZone: "America/New_York"}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, until string
		want        bool
	}{
		{"2027-01-10T07:00:00Z", "2027-01-10T10:00:00Z", true},  // winter, the whole window
		{"2027-01-10T06:30:00Z", "2027-01-10T08:00:00Z", false}, // starts before it opens
		{"2027-01-10T09:00:00Z", "2027-01-10T10:30:00Z", false}, // ends after it closes
		{"2027-07-11T06:00:00Z", "2027-07-11T09:00:00Z", true},  // summer: an hour earlier in UTC
		{"2027-07-11T07:00:00Z", "2027-07-11T10:00:00Z", false}, // winter's UTC hours in summer
		{"2027-01-11T07:00:00Z", "2027-01-11T08:00:00Z", false}, // a Monday
		{"2027-03-14T06:00:00Z", "2027-03-14T09:00:00Z", true},  // the night the clocks change
		{"2027-03-14T07:00:00Z", "2027-03-14T10:00:00Z", false}, // that night it ends at 09:00 UTC
	} {
		if got := w.Covers(at(c.from), at(c.until)); got != c.want {
			t.Errorf("%s to %s: covered %v, want %v", c.from, c.until, got, c.want)
		}
	}
}

func TestRule32_KindAndSecurity(t *testing.T) {
	for _, c := range []struct {
		kind     MaintenanceKind
		security bool
		ok       bool
	}{
		{KindScheduled, false, true}, {KindScheduled, true, true},
		{KindOutOfBand, false, true}, {KindOutOfBand, true, false},
		{KindEmergency, true, true}, {KindEmergency, false, false},
		{"", false, false}, {"Emergency", true, false},
	} {
		fe := FieldErrors{}
		CheckMaintenanceKind(fe, c.kind, c.security)
		if ok := fe["kind"] == ""; ok != c.ok || len(fe) > 1 {
			t.Errorf("%q security=%v: %v", c.kind, c.security, fe)
		}
	}
}

// The security team approves one text per event with the tenant's name and
// whether it is affected as placeholders (R44); each tenant reads that
// text with only those filled in, a name that looks like a placeholder
// included.
func TestRule44_EmergencyNoticeFillsOnlyThePlaceholders(t *testing.T) {
	from := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := &Maintenance{Name: "OpenSSL patch", Body: "We patch every host.", ScheduledFor: from, ScheduledUntil: from.Add(2 * time.Hour)}
	for _, c := range []struct {
		event, subject, line string
	}{
		{TenantNoticeApproved, "Acme Cloud Notice: Emergency maintenance planned: OpenSSL patch", "Your deployment is affected: yes."},
		{TenantNoticeRescheduled, "Acme Cloud Notice: Emergency maintenance rescheduled: OpenSSL patch", "Your deployment is affected: yes."},
		{TenantNoticeCancelled, "Acme Cloud Notice: Emergency maintenance cancelled: OpenSSL patch", "Your deployment would have been affected: yes."},
		{TenantNoticeCompleted, "Acme Cloud Notice: Emergency maintenance completed: OpenSSL patch", "Your deployment was affected: yes."},
	} {
		text := EmergencyMaintenanceNoticeText("Acme Cloud", c.event, m, from.Add(-time.Hour))
		if text.Subject != c.subject || !strings.Contains(text.Body, "Hello {tenant},") || !strings.Contains(text.Body, "Window: 2026-11-23 10:00 UTC to 2026-11-23 12:00 UTC") ||
			!strings.Contains(text.Body, "at 2026-11-23 09:00 UTC") || !strings.HasSuffix(text.Body, "\n\nWe patch every host.") {
			t.Errorf("%s: %q\n%s", c.event, text.Subject, text.Body)
		}
		n := FillEmergencyNotice(text, "Initech {affected}", true)
		want := strings.Replace(strings.Replace(text.Body, "{tenant}", "Initech {affected}", 1), "{affected}.", "yes.", 1)
		if n.Subject != text.Subject || n.Body != want || !strings.Contains(n.Body, c.line) {
			t.Errorf("%s filled:\n%s\nwant:\n%s", c.event, n.Body, want)
		}
		if no := FillEmergencyNotice(text, "Acme", false); !strings.Contains(no.Body, strings.Replace(c.line, "yes.", "no.", 1)) {
			t.Errorf("%s, not affected:\n%s", c.event, no.Body)
		}
	}
}
