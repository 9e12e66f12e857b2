package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R16 in the console: the composer's "Monitor for" is the incident lead's
// call. A responder who is not the lead is refused with 403 naming the
// rule and nothing is published; the lead's update sets the period.
func TestRule16_ConsoleMonitoringPeriodIsTheLeads(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.lead, e.inc.Reference, herald.RoleIncidentLead, herald.RoleInput{User: "admin@example.com"}); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"status": {"monitoring"}, "body": {"A fix is out; we are watching."}, "monitor_for": {"90"}, "action": {"publish"}}
		res, body := b.post(e.updatePath(), form)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "R16") {
			t.Fatalf("a responder lengthens monitoring: %d %s", res.StatusCode, body)
		}
		if si := e.statusIncident(t); len(si.Updates) != 1 || si.Status != herald.Investigating {
			t.Fatalf("a refused update published: %+v", si)
		}
		lead := e.browser(t)
		lead.signIn("admin@example.com")
		res, body = lead.post(e.updatePath(), form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the lead lengthens monitoring: %d %s", res.StatusCode, body)
		}
		if si := e.statusIncident(t); si.Status != herald.Monitoring || si.MonitoringUntil == nil || !si.MonitoringUntil.Equal(e.clock.Now().Add(90*time.Minute)) {
			t.Fatalf("monitoring until %v", si.MonitoringUntil)
		}
	})
}
