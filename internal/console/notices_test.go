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

// The notice screens: the incident shows its customers; a responder opens
// the threads; the incident lead (not the communications manager) is
// refused with R49 and nothing is queued; the communications manager
// previews and sends; a viewer sees no forms and gets 403 on a post; the
// notice settings refuse an unknown template variable and keep the input.
func TestConsole_NoticeThreadsComposeAndSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		resp, admin := e.people[herald.RoleResponder], e.people[herald.RoleAdmin]
		s, _ := e.db.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		lead := herald.Actor{User: resp, Role: herald.RoleResponder}
		inc, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Slow exports", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		for role, u := range map[string]herald.User{herald.RoleIncidentLead: resp, herald.RoleCommunications: admin} {
			if _, err := e.db.Incidents.AssignRole(ctx, lead, inc.ID, role, herald.RoleInput{User: u.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.db.Tenants.CreateTenant(ctx, herald.Actor{User: admin, Role: herald.RoleAdmin}, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(ctx, lead, inc.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		res, body := b.get("/app/incidents/" + inc.Reference)
		mustStatus(t, "incident", res, body, http.StatusOK)
		if !strings.Contains(body, `id="h-notices"`) || !strings.Contains(body, "Not yet") {
			t.Fatalf("incident screen has no customers section:\n%s", body)
		}
		res, body = b.post("/app/incidents/"+inc.Reference+"/notices", url.Values{})
		mustStatus(t, "open", res, body, http.StatusSeeOther)
		threads, _ := e.db.Notices.NoticeThreads(ctx, "incident", inc.ID)
		if len(threads) != 1 || threads[0].OwnerID != admin.ID {
			t.Fatalf("threads: %+v", threads)
		}
		path := "/app/notices/" + threads[0].ID
		res, body = b.get(path)
		mustStatus(t, "thread", res, body, http.StatusOK)
		if !strings.Contains(body, `<label for="n-template">`) || !strings.Contains(body, "ops@acme.example") {
			t.Fatalf("thread screen:\n%s", body)
		}
		res, body = b.post(path, url.Values{"template": {"investigation_start"}, "action": {"send"}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "R49") {
			t.Fatalf("the lead sent: %d\n%s", res.StatusCode, body)
		}
		if th, _ := e.db.Notices.NoticeThread(ctx, threads[0].ID); len(th.Messages) != 0 {
			t.Fatal("a refused send queued a message")
		}

		cm := e.browser(t)
		cm.signIn("admin@example.com")
		res, body = cm.post(path, url.Values{"template": {"update"}, "status": {"Degraded"}, "action": {"preview"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "vars.NextSteps") || !strings.Contains(body, `value="Degraded"`) {
			t.Fatalf("preview with missing variables: %d\n%s", res.StatusCode, body)
		}
		res, body = cm.post(path, url.Values{"template": {"investigation_start"}, "action": {"preview"}})
		mustStatus(t, "preview", res, body, http.StatusOK)
		if !strings.Contains(body, "Hello Acme team") {
			t.Fatalf("preview:\n%s", body)
		}
		res, body = cm.post(path, url.Values{"template": {"investigation_start"}, "action": {"send"}})
		mustStatus(t, "send", res, body, http.StatusSeeOther)
		_, body = cm.get(path)
		if !strings.Contains(body, "Sent by admin person") || !strings.Contains(body, "queued") {
			t.Fatalf("thread after sending:\n%s", body)
		}
		tl, _ := e.db.Incidents.Timeline(ctx, inc.ID, herald.EntryNotice)
		if len(tl) != 2 {
			t.Fatalf("timeline: %+v", tl)
		}

		v := e.browser(t)
		v.signIn("viewer@example.com")
		res, body = v.get(path)
		mustStatus(t, "viewer reads", res, body, http.StatusOK)
		if strings.Contains(body, `name="template"`) {
			t.Fatal("a viewer sees the compose form")
		}
		if res, _ = v.post(path, url.Values{"template": {"resolved"}, "action": {"send"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer posts: %d", res.StatusCode)
		}

		res, body = cm.get("/app/settings/notices")
		mustStatus(t, "settings", res, body, http.StatusOK)
		form := url.Values{"product": {"Acme Cloud"}, "reply_domain": {"reply.example.com"}, "update_interval": {"1h"}, "reply_reminder": {"30m"}, "check_interval": {"45m"}, "summary_after": {"6h"}}
		for k, text := range s.Notices.Templates {
			form.Set("template_"+k, text)
		}
		form.Set("template_resolved", "Fixed on {{.Hostname}}")
		res, body = cm.post("/app/settings/notices", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Hostname") || !strings.Contains(body, `value="Acme Cloud"`) {
			t.Fatalf("bad template: %d\n%s", res.StatusCode, body)
		}
		if cur, _ := e.db.Settings.Settings(ctx); cur.Notices.Product != "Herald" {
			t.Fatal("a refused form changed the settings")
		}
		form.Set("template_resolved", "{{.Title}} is fixed.")
		res, body = cm.post("/app/settings/notices", form)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		if cur, _ := e.db.Settings.Settings(ctx); cur.Notices.Product != "Acme Cloud" || cur.Notices.Templates["resolved"] != "{{.Title}} is fixed." ||
			time.Duration(cur.Notices.CheckInterval) != 45*time.Minute || time.Duration(cur.Notices.Cadence.SummaryAfter) != 6*time.Hour {
			t.Fatalf("saved: %+v", cur.Notices)
		}
	})
}
