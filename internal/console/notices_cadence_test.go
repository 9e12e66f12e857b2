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

// R43 on the console: for a tenant in Tokyo at 18:00 its time, a check-in
// marked "not substantial" is warned of in the preview and on sending
// (sent all the same) and shown as such; the thread and the incident's
// notices say in words when the next notice is due, and that it is
// overdue.
func TestRule43_ConsoleWarnsOutOfHoursAndSaysOverdue(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.people[herald.RoleAdmin]
		s, _ := e.db.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		act := herald.Actor{User: admin, Role: herald.RoleAdmin}
		inc, err := e.db.Incidents.DeclareIncident(ctx, act, herald.DeclareInput{Title: "Slow exports", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AssignRole(ctx, act, inc.ID, herald.RoleCommunications, herald.RoleInput{User: admin.ID}); err != nil {
			t.Fatal(err)
		}
		hours := herald.DefaultBusinessHours("Asia/Tokyo")
		if _, err := e.db.Tenants.CreateTenant(ctx, act, herald.TenantInput{Name: "Umbrella", PrimaryRegion: "ap-northeast-1", Emails: []string{"ops@umbrella.example"},
			BusinessHours: &hours}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(ctx, act, inc.ID, herald.TenantLinksInput{Tenants: []string{"Umbrella"}}); err != nil {
			t.Fatal(err)
		}
		res0, err := e.db.Notices.OpenIncidentNotices(ctx, act, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		th := res0.Threads[0]
		if _, err := e.db.Notices.SendNotice(ctx, act, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("admin@example.com")
		path := "/app/notices/" + th.ID
		checkIn := url.Values{"template": {"update"}, "body": {"Still on it, nothing new."}, "use_body": {"on"}, "substantial": {"no"}, "action": {"preview"}}
		res, body := b.post(path, checkIn)
		mustStatus(t, "preview", res, body, http.StatusOK)
		if !strings.Contains(body, "Warning: It is Mon 18:00 in Asia/Tokyo") || !strings.Contains(body, `<option value="no" selected>`) {
			t.Fatalf("preview without the warning:\n%s", body)
		}
		checkIn.Set("action", "send")
		res, body = b.post(path, checkIn)
		mustStatus(t, "send", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.Contains(loc, "Warning") {
			t.Fatalf("the flash does not warn: %s", loc)
		}
		got, _ := e.db.Notices.NoticeThread(ctx, th.ID)
		if len(got.Messages) != 2 || got.Messages[1].Substantial || !got.Messages[0].Substantial {
			t.Fatalf("messages: %+v", got.Messages)
		}
		_, body = b.get(path)
		if !strings.Contains(body, "not substantial news") || !strings.Contains(body, "(due in 15 hours)") {
			t.Fatalf("thread screen:\n%s", body)
		}
		e.clock.Advance(16 * time.Hour)
		b = e.browser(t) // the session has ended meanwhile
		b.signIn("admin@example.com")
		_, body = b.get("/app/incidents/" + inc.Reference + "/notices")
		if !strings.Contains(body, "overdue by 1 hour") {
			t.Fatalf("notices screen does not say overdue:\n%s", body)
		}
	})
}
