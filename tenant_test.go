package herald

import (
	"testing"
	"time"
)

// The weekly window and business hours are read in the tenant's own time
// zone, across a daylight saving change.
func TestRule34_WindowAndHoursInTheirTimeZone(t *testing.T) {
	w := MaintenanceWindow{Weekday: "saturday", Start: "23:00", Duration: Duration(4 * time.Hour), TimeZone: "America/New_York"}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		at   string
		want bool
	}{
		{"2026-03-07T03:59:00Z", false}, // Friday 22:59 EST
		{"2026-03-08T04:00:00Z", true},  // Saturday 23:00 EST
		{"2026-03-08T07:59:00Z", true},  // Sunday 03:59 EDT (the clocks moved): inside by elapsed time
		{"2026-03-08T08:00:00Z", false},
		{"2026-07-05T03:00:00Z", true}, // Saturday 23:00 EDT
		{"2026-07-05T02:59:00Z", false},
	} {
		if got := w.Contains(at(c.at)); got != c.want {
			t.Errorf("window contains %s: %v, want %v", c.at, got, c.want)
		}
	}
	if next := w.Next(at("2026-07-01T00:00:00Z")); !next.Equal(at("2026-07-05T03:00:00Z")) {
		t.Errorf("next window: %s", next)
	}
	b := BusinessHours{Days: []string{"monday", "friday"}, Start: "09:00", End: "17:00", TimeZone: "Europe/Berlin"}
	for _, c := range []struct {
		at   string
		want bool
	}{
		{"2026-07-06T07:00:00Z", true},  // Monday 09:00 CEST
		{"2026-07-06T06:59:00Z", false}, // 08:59
		{"2026-07-06T15:00:00Z", false}, // 17:00
		{"2026-07-07T10:00:00Z", false}, // Tuesday
		{"2026-01-09T08:00:00Z", true},  // Friday 09:00 CET
	} {
		if got := b.Contains(at(c.at)); got != c.want {
			t.Errorf("hours contain %s: %v, want %v", c.at, got, c.want)
		}
	}
}

// What the CSV writes, it reads back.
func TestTenant_WindowAndHoursTextRoundTrip(t *testing.T) {
	w := &MaintenanceWindow{Weekday: "sunday", Start: "01:30", Duration: Duration(90 * time.Minute), TimeZone: "Asia/Tokyo"}
	got, err := ParseMaintenanceWindow(w.String())
	if err != nil || *got != *w || w.String() != "sunday 01:30 1h30m Asia/Tokyo" {
		t.Fatalf("window %q: %+v %v", w.String(), got, err)
	}
	h := DefaultBusinessHours("UTC")
	gh, err := ParseBusinessHours(h.String())
	if err != nil || gh.String() != h.String() {
		t.Fatalf("hours %q: %+v %v", h.String(), gh, err)
	}
	in := TenantInput{Name: "X", PrimaryRegion: "us-east-1", BusinessHours: gh}
	if err := in.Normalize(DefaultSupportRegions()); err != nil || len(in.BusinessHours.Days) != 5 || in.BusinessHours.Days[0] != "monday" {
		t.Fatalf("hours read back: %+v %v", in.BusinessHours, err)
	}
	for _, bad := range []string{"monday 02:00", "monday 02:00 soon UTC"} {
		if _, err := ParseMaintenanceWindow(bad); err == nil {
			t.Errorf("window %q read", bad)
		}
	}
	if _, err := ParseBusinessHours("mon 09:00 UTC"); err == nil {
		t.Error("hours without an end read")
	}
}

func TestTenant_DefaultRegionTableIsValid(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-2", "europe-west1", "asia-east1"} {
		if s.SupportRegions[r] == "" {
			t.Errorf("%s is not in the default table", r)
		}
	}
}

// R41: a notice goes to the first operational address, copies the others
// and the account manager; without an address it cannot go (422).
func TestRule41_NoticeRecipients(t *testing.T) {
	tn := Tenant{Name: "Acme", Emails: []string{"ops@acme.example", "sre@acme.example"},
		Contacts: TenantContacts{AccountManager: &TenantContact{User: "u1", Name: "Carol", Email: "carol@example.com"}}}
	to, cc, err := tn.NoticeRecipients()
	if err != nil || to != "ops@acme.example" || len(cc) != 2 || cc[0] != "sre@acme.example" || cc[1] != "carol@example.com" {
		t.Fatalf("to %q cc %v: %v", to, cc, err)
	}
	tn.Emails = nil
	if _, _, err := tn.NoticeRecipients(); ErrorCode(err) != EUnprocessable {
		t.Fatalf("no address: %v", err)
	}
	// What a read shows of a user contact may be sent back as it is.
	in := TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Contacts: TenantContacts{AccountManager: &TenantContact{User: "u1", Name: "Carol", Email: "carol@example.com"}}}
	if err := in.Normalize(DefaultSupportRegions()); err != nil || in.Contacts.AccountManager.Email != "" {
		t.Fatalf("user contact read back: %+v %v", in.Contacts.AccountManager, err)
	}
}
