package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Customer notices over the API: a tenant without an address refuses the
// opening (422, nothing opened), the lead may not send (R49, 403), the
// communications manager sends, templates are validated, and the
// incident's view shows who was told.
func TestAPI_Notices(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		viewer := e.token(t, "Vera", herald.RoleViewer)
		lead := e.token(t, "Leo", herald.RoleResponder)
		cara := e.token(t, "Cara", herald.RoleResponder)
		s, _ := e.admin.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := e.admin.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		inc, err := lead.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Login failures", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		for role, who := range map[string]string{herald.RoleIncidentLead: "leo@example.com", herald.RoleCommunications: "cara@example.com"} {
			if _, err := lead.Incidents.AssignRole(ctx, inc.Reference, role, who); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range []herald.TenantInput{{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}}, {Name: "Silent", PrimaryRegion: "us-east-1"}} {
			if _, err := e.admin.Tenants.CreateTenant(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := lead.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{"Acme", "Silent"}); err != nil {
			t.Fatal(err)
		}
		_, err = lead.Notices.OpenIncidentNotices(ctx, inc.Reference)
		if st, ce := apiStatus(err); st != http.StatusUnprocessableEntity || ce.Fields["tenants.Silent"] == "" {
			t.Fatalf("tenant without an address: %v", err)
		}
		if list, _ := viewer.Notices.NoticeThreads(ctx, "incident", inc.Reference); len(list) != 0 {
			t.Fatalf("a refused opening opened %d threads", len(list))
		}
		view, err := viewer.Notices.IncidentNotices(ctx, inc.Reference)
		if err != nil || len(view.Tenants) != 2 || view.Tenants[1].Problem == "" || view.Tenants[0].Told {
			t.Fatalf("view before: %+v %v", view, err)
		}
		if _, err := lead.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{"Acme"}); err != nil {
			t.Fatal(err)
		}
		if _, err := viewer.Notices.OpenIncidentNotices(ctx, inc.Reference); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("viewer opens: %v", err)
		}
		res, err := lead.Notices.OpenIncidentNotices(ctx, inc.Reference)
		if err != nil || len(res.Threads) != 1 || res.Threads[0].OwnerName != "Cara" {
			t.Fatalf("open: %+v %v", res, err)
		}
		th := res.Threads[0]
		_, err = lead.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart})
		if st, ce := apiStatus(err); st != http.StatusForbidden || !strings.Contains(ce.Message, "R49") {
			t.Fatalf("lead sends: %v", err)
		}
		pre, err := cara.Notices.PreviewNotice(ctx, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart})
		if err != nil || !strings.Contains(pre.Body, "Login failures") {
			t.Fatalf("preview: %+v %v", pre, err)
		}
		if _, err := cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		view, err = viewer.Notices.IncidentNotices(ctx, inc.Reference)
		if err != nil || len(view.Tenants) != 1 || !view.Tenants[0].Told || view.Tenants[0].NextNoticeDue == nil || view.Tenants[0].LastMessage == nil {
			t.Fatalf("view after: %+v %v", view, err)
		}

		// R43, R47: a check-in is not substantial news; the answer and the
		// thread say so, and the thread says in words when the next is due.
		no := false
		sent, err := cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{Template: herald.NoticeUpdate, Body: "Nothing new yet.", Substantial: &no})
		if err != nil || sent.Substantial {
			t.Fatalf("check-in: %+v %v", sent, err)
		}
		got0, err := viewer.Notices.NoticeThread(ctx, th.ID)
		if err != nil || len(got0.Messages) != 2 || !got0.Messages[0].Substantial || got0.Messages[1].Substantial || !strings.HasPrefix(got0.NoticeDue, "due in ") {
			t.Fatalf("thread: %+v %v", got0, err)
		}

		// Templates: admins edit them; an unknown variable is named.
		if _, err := cara.Notices.SetNoticeTemplate(ctx, herald.NoticeResolved, "Done"); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("responder edits a template: %v", err)
		}
		_, err = e.admin.Notices.SetNoticeTemplate(ctx, herald.NoticeResolved, "{{.Title}} fixed on {{.Host}}")
		if st, ce := apiStatus(err); st != http.StatusBadRequest || !strings.Contains(ce.Fields["notices.templates.resolved"], "Host") {
			t.Fatalf("unknown variable: %v", err)
		}
		got, err := e.admin.Notices.SetNoticeTemplate(ctx, herald.NoticeResolved, "{{.Title}} is fixed.")
		if err != nil || got.Templates[herald.NoticeResolved] != "{{.Title}} is fixed." || len(got.Variables) == 0 {
			t.Fatalf("set template: %+v %v", got, err)
		}
	})
}
