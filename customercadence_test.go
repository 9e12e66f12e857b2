package herald

import (
	"strings"
	"testing"
	"time"
)

// The next customer notice falls in the tenant's business hours, in its
// time zone; outside them it waits for the next start of the hours (where
// the summary goes, R47); at S1 it is due within the hour at any time.
func TestRule43_NextCustomerNoticeInTheTenantsBusinessHours(t *testing.T) {
	n := DefaultNoticeSettings() // 2h in hours, 1h at S1
	berlin := DefaultBusinessHours("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name string
		sent string
		sev  Severity
		want string
	}{
		{"in hours", "2026-12-01T10:00:00+01:00", S2, "2026-12-01T12:00:00+01:00"},
		{"would fall after hours: next morning", "2026-12-01T16:00:00+01:00", S2, "2026-12-02T09:00:00+01:00"},
		{"friday evening: monday morning", "2026-12-04T16:30:00+01:00", S3, "2026-12-07T09:00:00+01:00"},
		{"sent at night: the start of hours", "2026-12-02T02:00:00+01:00", S2, "2026-12-02T09:00:00+01:00"},
		{"S1 at night: within the hour", "2026-12-05T02:00:00+01:00", S1, "2026-12-05T03:00:00+01:00"},
		{"across the spring change: 09:00 local", "2027-03-26T16:00:00+01:00", S2, "2027-03-29T09:00:00+02:00"},
	} {
		got := NextCustomerNotice(at(tc.sent), tc.sev, berlin, n)
		if !got.Equal(at(tc.want)) {
			t.Errorf("%s: sent %s, next due %s, want %s", tc.name, tc.sent, got.In(time.FixedZone("", 0)).Format(time.RFC3339), tc.want)
		}
	}
	// Hours that cannot be read leave the plain interval.
	if got := NextCustomerNotice(at("2026-12-01T16:00:00Z"), S2, BusinessHours{}, n); !got.Equal(at("2026-12-01T18:00:00Z")) {
		t.Errorf("no hours: %s", got)
	}
}

// The cadence settings refuse what cannot work, naming the field; a
// notice from a template is substantial unless the writer says not, and a
// text written as is is not unless the writer says so (R47).
func TestRule47_CadenceSettingsAndWhatIsSubstantial(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	s.Notices.Cadence.SummaryAfter = Duration(time.Minute)
	s.Notices.Cadence.Reminders.Every = Duration(time.Second)
	err := s.Validate()
	e, ok := err.(*Error)
	if !ok || e.Fields["notices.cadence.summary_after"] == "" || e.Fields["notices.cadence.reminders.every"] == "" {
		t.Fatalf("bad cadence: %#v", err)
	}
	yes, no := true, false
	for _, tc := range []struct {
		in   NoticeSendInput
		want bool
	}{
		{NoticeSendInput{Template: NoticeUpdate}, true},
		{NoticeSendInput{Template: NoticeUpdate, Substantial: &no}, false},
		{NoticeSendInput{Body: "Nothing new."}, false},
		{NoticeSendInput{Body: "We found the cause.", Substantial: &yes}, true},
	} {
		if got := tc.in.IsSubstantial(); got != tc.want {
			t.Errorf("%+v: substantial %v", tc.in, got)
		}
	}
	// Outside the hours a check-in is warned of; at S1, in hours, or
	// substantial, it is not.
	ny := DefaultBusinessHours("America/New_York")
	night := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) // 22:00 Monday in New York
	if w := CustomerNoticeWarnings(night, S2, ny, false); len(w) != 1 || !strings.Contains(w[0], "Mon 22:00 in America/New_York") || !strings.Contains(w[0], "until Tue 09:00") {
		t.Errorf("warning: %q", w)
	}
	for _, w := range [][]string{CustomerNoticeWarnings(night, S1, ny, false), CustomerNoticeWarnings(night, S2, ny, true),
		CustomerNoticeWarnings(night.Add(12*time.Hour), S2, ny, false)} {
		if len(w) != 0 {
			t.Errorf("unexpected warning: %q", w)
		}
	}
}
