package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The maintenance forms take a kind (R32), the screen shows R34's window
// warning, and only a manager sees and uses the approve button (R33).
func TestRule33_ConsoleEmergencyMaintenanceKindWarningAndApproval(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		if _, err := e.db.Tenants.CreateTenant(ctx, admin, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"},
			MaintenanceWindow: &herald.MaintenanceWindow{Weekday: "sunday", Start: "02:00", Duration: herald.Duration(2 * time.Hour), TimeZone: "Europe/Berlin"}}); err != nil {
			t.Fatal(err)
		}
		// The security team approves the tenants' notices (R44).
		if _, err := e.db.Teams.CreateTeam(ctx, herald.TeamInput{Name: "Security", Members: []string{"responder@example.com", "admin@example.com"}}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		// Monday 2026-11-30 09:00 UTC: not Acme's Sunday night window.
		from := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		f := url.Values{"name": {"Kernel patch"}, "scheduled_for": {from.Format("2006-01-02T15:04")}, "scheduled_until": {from.Add(time.Hour).Format("2006-01-02T15:04")},
			"auto_transition": {"on"}, "kind_shown": {"1"}, "kind": {"emergency"}}

		// Emergency without security work is refused naming the kind, the input kept.
		res, body := b.post("/app/status/maintenances", f)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "security work only") || !strings.Contains(body, `value="Kernel patch"`) {
			t.Fatalf("emergency, not security: %d %s", res.StatusCode, body)
		}
		if ms, _ := e.db.Maintenances.Maintenances(ctx, 10); len(ms) != 0 {
			t.Fatalf("a refused form scheduled %d maintenances", len(ms))
		}
		f.Set("security", "on")
		res, body = b.post("/app/status/maintenances", f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		page, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		ms, _ := e.db.Maintenances.Maintenances(ctx, 10)
		if len(ms) != 1 || ms[0].Kind != herald.KindEmergency || !ms[0].Security {
			t.Fatalf("created: %+v", ms)
		}
		m := ms[0]
		if _, err := e.db.Tenants.SetMaintenanceTenants(ctx, admin, m.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}

		// The responder is no manager: told it waits, no button, refused.
		_, body = b.get(page)
		if !strings.Contains(body, "awaits an engineering manager") || strings.Contains(body, "Approve emergency maintenance") {
			t.Fatalf("responder's page: %s", body)
		}
		if res, body := b.post(page+"/approve", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder's approval: %d %s", res.StatusCode, body)
		}
		if got, _ := e.db.Maintenances.Maintenance(ctx, m.ID); got.Approval != nil {
			t.Fatal("a refused approval approved")
		}

		// A scheduled one outside Acme's window is kept, with the warning shown.
		f.Set("kind", "scheduled")
		f.Del("security")
		f.Set("name", "Disk resize")
		res, body = b.post("/app/status/maintenances", f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create scheduled: %d %s", res.StatusCode, body)
		}
		sched, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		if _, err := e.db.Tenants.SetMaintenanceTenants(ctx, admin, strings.TrimPrefix(sched, "/app/status/maintenances/"), herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}
		if _, body = b.get(sched); !strings.Contains(body, "Warning: outside Acme&#39;s maintenance window (sunday 02:00 2h Europe/Berlin)") {
			t.Fatalf("no warning: %s", body)
		}

		vb := e.browser(t)
		vb.signIn("viewer@example.com")
		if _, body = vb.get(page); strings.Contains(body, "Approve emergency maintenance") || strings.Contains(body, `name="kind"`) {
			t.Fatalf("viewer's page has write controls: %s", body)
		}
		if res, _ := vb.post(page+"/approve", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer's approval: %d", res.StatusCode)
		}

		// A manager sees the button and approves; the tenant's notice is listed.
		if _, err := e.db.People.SetManager(ctx, "admin@example.com", true); err != nil {
			t.Fatal(err)
		}
		mb := e.browser(t)
		mb.signIn("admin@example.com")
		if _, body = mb.get(page); !strings.Contains(body, "Approve emergency maintenance") {
			t.Fatalf("manager's page: %s", body)
		}
		res, body = mb.post(page+"/approve", url.Values{"comment": {"CVE-2026-0001"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", res.StatusCode, body)
		}
		got, _ := e.db.Maintenances.Maintenance(ctx, m.ID)
		if got.Approval == nil || got.Approval.Comment != "CVE-2026-0001" || len(got.TenantNotices) != 0 || len(got.NoticeApprovals) != 1 {
			t.Fatalf("approved: %+v", got)
		}
		if _, body = mb.get(page); !strings.Contains(body, "approved by admin person") || !strings.Contains(body, "Waiting for a member of the Security team") || strings.Contains(body, "Approve emergency maintenance") {
			t.Fatalf("approved page: %s", body)
		}
		// The words wait for the security team (R44): the responder, a
		// member, approves them on the Approvals screen; the manager who
		// asked may not.
		ap := got.NoticeApprovals[0]
		if _, body = b.get("/app/approvals"); !strings.Contains(body, "To each tenant linked to Kernel patch") {
			t.Fatalf("approvals list: %s", body)
		}
		if res, body := mb.post("/app/approvals/"+ap.ID, url.Values{"action": {"approve"}, "hash": {ap.Hash}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the manager approving the words: %d %s", res.StatusCode, body)
		}
		if _, body = b.get("/app/approvals/" + ap.ID); !strings.Contains(body, "Hello {tenant},") || !strings.Contains(body, "The emergency maintenance") {
			t.Fatalf("approval screen: %s", body)
		}
		if res, body := b.post("/app/approvals/"+ap.ID, url.Values{"action": {"approve"}, "hash": {ap.Hash}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("security approval: %d %s", res.StatusCode, body)
		}
		if got, _ = e.db.Maintenances.Maintenance(ctx, m.ID); len(got.TenantNotices) != 1 || got.NoticeApprovals[0].Status != herald.ApprovalSent {
			t.Fatalf("after the security approval: %+v", got)
		}
		if _, body = mb.get(page); !strings.Contains(body, "ops@acme.example") || !strings.Contains(body, "Approved by responder person; sent to the tenants") {
			t.Fatalf("page after the security approval: %s", body)
		}
	})
}
