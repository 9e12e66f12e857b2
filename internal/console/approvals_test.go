package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The approval screens (R44): the communications manager (admin person)
// asks for the approval of a security text from the thread; sending it
// before is refused with the form kept and nothing queued; the incident
// shows the pending approval; the security team's member (responder
// person) reads the exact text and approves it with its hash, after a
// rejection without a reason is refused; the requester's own approval and
// a viewer's post are refused; the approved text is sent from the thread.
func TestRule44_ConsoleAsksApprovesAndSendsTheApprovedText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		resp, admin := e.people[herald.RoleResponder], e.people[herald.RoleAdmin]
		s, _ := e.db.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Teams.CreateTeam(ctx, herald.TeamInput{Name: "Security", Members: []string{resp.Email}}); err != nil {
			t.Fatal(err)
		}
		adm := herald.Actor{User: admin, Role: herald.RoleAdmin}
		inc, err := e.db.Incidents.DeclareIncident(ctx, adm, herald.DeclareInput{Title: "Token leak", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AssignRole(ctx, adm, inc.ID, herald.RoleCommunications, herald.RoleInput{User: admin.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.CreateTenant(ctx, adm, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(ctx, adm, inc.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}
		res0, err := e.db.Notices.OpenIncidentNotices(ctx, adm, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		th := res0.Threads[0]
		path := "/app/notices/" + th.ID
		text := url.Values{"body": {"We revoked the exposed tokens; no action is needed."}, "use_body": {"on"}, "class": {"security"}}
		with := func(action string) url.Values {
			v := url.Values{"action": {action}}
			for k, x := range text {
				v[k] = x
			}
			return v
		}

		cm := e.browser(t)
		cm.signIn("admin@example.com")
		res, body := cm.post(path, with("send"))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "R44") || !strings.Contains(body, "We revoked the exposed tokens") {
			t.Fatalf("unapproved send: %d\n%s", res.StatusCode, body)
		}
		if got, _ := e.db.Notices.NoticeThread(ctx, th.ID); len(got.Messages) != 0 {
			t.Fatal("a refused send queued a message")
		}
		res, body = cm.post(path, with("ask"))
		mustStatus(t, "ask", res, body, http.StatusSeeOther)
		pending, _ := e.db.Notices.PendingApprovals(ctx)
		if len(pending) != 1 || pending[0].Class != herald.ClassSecurity || pending[0].RequestedBy != admin.ID {
			t.Fatalf("pending: %+v", pending)
		}
		ap := pending[0]
		apPath := "/app/approvals/" + ap.ID
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, apPath) {
			t.Fatalf("ask redirects to %q", loc)
		}

		sec := e.browser(t)
		sec.signIn("responder@example.com")
		_, body = sec.get("/app/incidents/" + inc.Reference)
		if !strings.Contains(body, `id="h-approvals"`) || !strings.Contains(body, apPath) {
			t.Fatalf("incident screen without the pending approval:\n%s", body)
		}
		_, body = sec.get("/app/approvals")
		if !strings.Contains(body, apPath) || !strings.Contains(body, "To Acme") {
			t.Fatalf("approvals list:\n%s", body)
		}
		res, body = sec.get(apPath)
		mustStatus(t, "approval", res, body, http.StatusOK)
		if !strings.Contains(body, "We revoked the exposed tokens") || !strings.Contains(body, `name="hash" value="`+ap.Hash+`"`) ||
			!strings.Contains(body, "Approve this exact text") || !strings.Contains(body, `<label for="ap-reason">`) {
			t.Fatalf("approval screen:\n%s", body)
		}

		v := e.browser(t)
		v.signIn("viewer@example.com")
		_, body = v.get(apPath)
		if strings.Contains(body, "Approve this exact text") {
			t.Fatal("a viewer sees the decision form")
		}
		res, _ = v.post(apPath, url.Values{"action": {"approve"}, "hash": {ap.Hash}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer approves: %d", res.StatusCode)
		}
		res, body = cm.post(apPath, url.Values{"action": {"approve"}, "hash": {ap.Hash}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "own text") {
			t.Fatalf("self-approval: %d\n%s", res.StatusCode, body)
		}
		res, body = sec.post(apPath, url.Values{"action": {"reject"}, "hash": {ap.Hash}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason") {
			t.Fatalf("reject without a reason: %d\n%s", res.StatusCode, body)
		}
		if got, _ := e.db.Notices.NoticeApproval(ctx, ap.ID); got.Status != herald.ApprovalPending {
			t.Fatalf("refused decisions changed it: %s", got.Status)
		}
		res, body = sec.post(apPath, url.Values{"action": {"approve"}, "hash": {ap.Hash}, "reason": {"Fine."}})
		mustStatus(t, "approve", res, body, http.StatusSeeOther)
		if got, _ := e.db.Notices.NoticeApproval(ctx, ap.ID); got.Status != herald.ApprovalApproved || got.DecidedBy != resp.ID {
			t.Fatalf("after approving: %+v", got)
		}

		_, body = cm.get(path)
		if !strings.Contains(body, "Send this approved text") {
			t.Fatalf("thread without the approved text's send button:\n%s", body)
		}
		res, body = cm.post(path, url.Values{"action": {"send_approved"}, "approval_id": {ap.ID}})
		mustStatus(t, "send approved", res, body, http.StatusSeeOther)
		got, _ := e.db.Notices.NoticeThread(ctx, th.ID)
		if len(got.Messages) != 1 || got.Messages[0].Body != ap.Body || got.Approvals[0].Status != herald.ApprovalSent {
			t.Fatalf("after sending: %+v", got)
		}
		entries, _ := e.db.Incidents.Timeline(ctx, inc.ID, herald.EntryNotice)
		var texts []string
		for _, en := range entries {
			texts = append(texts, en.Text)
		}
		all := strings.Join(texts, "\n")
		if !strings.Contains(all, "Approval of a security message to Acme asked by admin person") || !strings.Contains(all, "responder person approved") ||
			!strings.Contains(all, "approved by responder person (R44)") {
			t.Fatalf("timeline:\n%s", all)
		}
	})
}

// R44's settings on the notice settings screen: the security team and
// each class's review; a mode that is not one is refused naming it, and
// the settings stay as they were.
func TestRule44_ConsoleApprovalSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s, _ := e.db.Settings.Settings(ctx)
		b := e.browser(t)
		b.signIn("admin@example.com")
		res, body := b.get("/app/settings/notices")
		mustStatus(t, "settings", res, body, http.StatusOK)
		if !strings.Contains(body, `<label for="ns-secteam">`) || !strings.Contains(body, `value="Security"`) || !strings.Contains(body, `name="review_out_of_band"`) {
			t.Fatalf("settings screen without approvals:\n%s", body)
		}
		form := url.Values{"product": {"Herald"}, "reply_domain": {""}, "update_interval": {"2h"}, "reply_reminder": {"30m"}, "check_interval": {"30m"}, "summary_after": {"4h"},
			"security_team": {"SecOps"}, "review_incident": {"always"}, "review_out_of_band": {"required"}, "review_other": {"off"}}
		for k, text := range s.Notices.Templates {
			form.Set("template_"+k, text)
		}
		res, body = b.post("/app/settings/notices", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "approvals.review.incident") || !strings.Contains(body, `value="SecOps"`) {
			t.Fatalf("bad review mode: %d\n%s", res.StatusCode, body)
		}
		if cur, _ := e.db.Settings.Settings(ctx); cur.Approvals.SecurityTeam != "Security" {
			t.Fatal("a refused form changed the settings")
		}
		form.Set("review_incident", "required")
		res, body = b.post("/app/settings/notices", form)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		cur, _ := e.db.Settings.Settings(ctx)
		if cur.Approvals.SecurityTeam != "SecOps" || cur.Approvals.Mode(herald.ClassIncident) != herald.ReviewModeRequired ||
			cur.Approvals.Mode(herald.ClassOther) != herald.ReviewModeOff || cur.Approvals.Mode(herald.ClassOutOfBand) != herald.ReviewModeRequired {
			t.Fatalf("saved: %+v", cur.Approvals)
		}
	})
}
