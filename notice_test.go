package herald

import (
	"strings"
	"testing"
	"time"
)

// Every word Herald sends is written in notice.go; these pin what each
// notice says, without a database or a sender.
func TestNotices(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	start := time.Date(2026, 12, 1, 3, 0, 0, 0, berlin)
	m := &Maintenance{Name: "Database upgrade", ScheduledFor: start, ScheduledUntil: start.Add(time.Hour)}
	inc := &Incident{Reference: "INC-7", Severity: S1, Title: "Checkout down", Summary: "Payments fail."}
	page := &Page{ID: "p1", Summary: "5xx above 5%", Severity: "critical", Source: "alertmanager", Count: 3, FirstSeen: start}
	for _, tc := range []struct {
		name          string
		n             Notice
		event, subj   string
		body, notBody []string
	}{
		{"maintenance with words", MaintenanceNotice("Acme", EventReminder, m, "Writes pause for a minute.", "https://s/m/1"),
			"maintenance.reminder", "[Acme] Maintenance reminder: Database upgrade", []string{"Writes pause for a minute.", "Window: 2026-12-01 02:00 to 2026-12-01 03:00 UTC."}, nil},
		{"maintenance without words says its name", MaintenanceNotice("Acme", EventStarted, m, "", "https://s/m/1"),
			"maintenance.started", "[Acme] Maintenance started: Database upgrade", []string{"Database upgrade\n\nWindow:"}, nil},
		{"confirmation", ConfirmationNotice("Acme", "https://s/confirm?t=x"),
			"subscription.confirm", "Confirm your subscription to Acme", []string{"Acme status updates", "https://s/confirm?t=x", "ignore this mail"}, nil},
		{"stakeholders without a chat", StakeholderNotice("Acme", inc, "https://h/incidents/INC-7", "https://s/"),
			"incident.stakeholders", "[Acme] S1 INC-7: Checkout down", []string{"INC-7 (S1, confirmed): Checkout down", "Payments fail.", "Chat: (none yet)", "Status page: https://s/"}, nil},
		{"page", PageNotice(page, "Web", 0, false, "https://h/app/pages/p1", "https://h/ack/n1.sig"),
			"page.triggered", "[Herald] 5xx above 5% (Web)", []string{"You are paged for Web (level 1).", "First seen: 2026-12-01 02:00 UTC", "Triggered 3 times",
				"Acknowledge, escalate or resolve (no sign-in needed): https://h/ack/n1.sig", "In the console: https://h/app/pages/p1"}, []string{"shadow"}},
		{"shadow page", PageNotice(page, "Web", 1, true, "https://h/app/pages/p1", "https://h/ack/n1.sig"),
			"page.triggered", "[Herald] 5xx above 5% (Web)", []string{"You shadow the responder who is paged for Web (level 2).", "do not acknowledge", "See the page (no sign-in needed): https://h/ack/n1.sig"}, []string{"Acknowledge, escalate"}},
		{"page without an acknowledge link", PageNotice(page, "Web", 0, false, "https://h/app/pages/p1", ""),
			"page.triggered", "[Herald] 5xx above 5% (Web)", []string{"In the console: https://h/app/pages/p1"}, []string{"no sign-in needed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.n.Event != tc.event || tc.n.Subject != tc.subj {
				t.Errorf("event %q subject %q, want %q %q", tc.n.Event, tc.n.Subject, tc.event, tc.subj)
			}
			for _, want := range tc.body {
				if !strings.Contains(tc.n.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, tc.n.Body)
				}
			}
			for _, not := range tc.notBody {
				if strings.Contains(tc.n.Body, not) {
					t.Errorf("body has %q:\n%s", not, tc.n.Body)
				}
			}
			if tc.n.URL == "" {
				t.Error("no URL")
			}
		})
	}
}
