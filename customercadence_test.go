package herald

import (
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
