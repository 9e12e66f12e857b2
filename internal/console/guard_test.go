package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The composer lists the content guard's findings with their positions
// (R45); publishing is refused with nothing sent until the box is ticked
// with a reason, and the override is recorded on the update and the
// incident's timeline.
func TestRule45_ComposerShowsFindingsAndOverrides(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		before, sent := e.statusIncident(t), e.broadcasts(t)
		leak := "Payments fail on db1.corp.\npanic: runtime error"
		for _, action := range []string{"check", "publish"} {
			res, body := b.post(e.updatePath(), url.Values{"status": {"identified"}, "body": {leak}, "action": {action}})
			body = html.UnescapeString(body)
			want := http.StatusOK
			if action == "publish" {
				want = http.StatusUnprocessableEntity
			}
			if res.StatusCode != want || !strings.Contains(body, "Content guard") || !strings.Contains(body, "line 1, column 18") ||
				!strings.Contains(body, "<code>db1.corp</code>") || !strings.Contains(body, "line 2, column 1") || !strings.Contains(body, `name="override_guard"`) {
				t.Fatalf("%s: %d %s", action, res.StatusCode, body)
			}
			if action == "publish" && !strings.Contains(body, "nothing was published or sent") {
				t.Fatalf("publish refusal says nothing: %s", body)
			}
		}
		after := e.statusIncident(t)
		if len(after.Updates) != len(before.Updates) || e.broadcasts(t) != sent {
			t.Fatalf("a refused update was published: %d updates, %d broadcasts", len(after.Updates), e.broadcasts(t))
		}
		// Ticked without a reason: refused, the box stays ticked.
		res, body := b.post(e.updatePath(), url.Values{"status": {"identified"}, "body": {leak}, "override_guard": {"1"}, "action": {"publish"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is required with override_guard") || !strings.Contains(body, `name="override_guard" value="1" checked`) {
			t.Fatalf("override without a reason: %d %s", res.StatusCode, body)
		}
		// With a reason: published, and recorded.
		res, body = b.post(e.updatePath(), url.Values{"status": {"identified"}, "body": {leak}, "override_guard": {"1"},
			"override_guard_reason": {"the customer's own host"}, "action": {"publish"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("override: %d %s", res.StatusCode, body)
		}
		after = e.statusIncident(t)
		if o := after.Updates[0].GuardOverride; o == nil || o.Reason != "the customer's own host" || len(o.Findings) != 2 {
			t.Fatalf("override not recorded: %+v", after.Updates[0])
		}
		found := false
		for _, en := range e.timeline(t, e.inc.Reference, "") {
			if strings.Contains(en.Text, "Content guard overridden by") && strings.Contains(en.Text, `"db1.corp" at line 1, column 18`) {
				found = true
			}
		}
		if !found {
			t.Fatal("the override is not on the incident's timeline")
		}
		_, body = b.get("/app/status/incidents/" + e.si)
		if !strings.Contains(html.UnescapeString(body), "Content guard overridden (R45): the customer's own host") {
			t.Fatalf("the screen does not show the override: %s", body)
		}
		// A viewer sees no override box.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body := v.get("/app/status/incidents/" + e.si); strings.Contains(body, `name="override_guard"`) {
			t.Fatal("a viewer sees the override box")
		}
	})
}

// The maintenance forms refuse internal details with each finding's place
// and keep the input; the override box with a reason schedules it and the
// screen shows the override (R45).
func TestRule45_MaintenanceFormsAreGuarded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		from := e.clock.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		f := url.Values{"name": {"Database upgrade"}, "body": {"Failover to pg-2.corp at 10.0.0.9"},
			"scheduled_for": {from.Format("2006-01-02T15:04")}, "scheduled_until": {from.Add(time.Hour).Format("2006-01-02T15:04")}}
		res, body := b.post("/app/status/maintenances", f)
		body = html.UnescapeString(body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `body, line 1, column 13: internal_host "pg-2.corp"`) ||
			!strings.Contains(body, `body, line 1, column 26: ip_address "10.0.0.9"`) || !strings.Contains(body, "Failover to pg-2.corp at 10.0.0.9</textarea>") {
			t.Fatalf("refusal: %d %s", res.StatusCode, body)
		}
		if ms, _ := e.db.Maintenances.Maintenances(context.Background(), 10); len(ms) != 0 {
			t.Fatalf("a refused form scheduled %d maintenances", len(ms))
		}
		f.Set("override_guard", "1")
		f.Set("override_guard_reason", "the customer runs this replica")
		res, body = b.post("/app/status/maintenances", f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("override: %d %s", res.StatusCode, body)
		}
		ms, _ := e.db.Maintenances.Maintenances(context.Background(), 10)
		if len(ms) != 1 || ms[0].GuardOverride == nil || ms[0].GuardOverride.Reason != "the customer runs this replica" {
			t.Fatalf("override not recorded: %+v", ms)
		}
		_, body = b.get("/app/status/maintenances/" + ms[0].ID)
		if !strings.Contains(html.UnescapeString(body), "Content guard overridden (R45): the customer runs this replica") {
			t.Fatalf("the screen does not show the override: %s", body)
		}
	})
}
