package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// approvalsEnv is an incident with a tenant's thread, its lead Leo, its
// communications manager Cara (who writes), and the security team: Sam,
// and Cara too, so that her own approval can be refused.
type approvalsEnv struct {
	*env
	lead, cara, sam, olga *client.Client
	inc                   *herald.Incident
	thread                herald.NoticeThread
}

func newApprovalsEnv(t *testing.T, d store.Dialect) approvalsEnv {
	t.Helper()
	e := setup(t, d, 0)
	ctx := context.Background()
	a := approvalsEnv{env: e, lead: e.token(t, "Leo", herald.RoleResponder), cara: e.token(t, "Cara", herald.RoleResponder),
		sam: e.token(t, "Sam", herald.RoleResponder), olga: e.token(t, "Olga", herald.RoleResponder)}
	s, _ := e.admin.Settings.Settings(ctx)
	s.Notices.ReplyDomain = "reply.example.com"
	if _, err := e.admin.Settings.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Teams.Create(ctx, herald.TeamInput{Name: "Security", Members: []string{"sam@example.com", "cara@example.com"}}); err != nil {
		t.Fatal(err)
	}
	inc, err := a.lead.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Certificate exposure", Severity: herald.S2})
	if err != nil {
		t.Fatal(err)
	}
	a.inc = inc
	for role, who := range map[string]string{herald.RoleIncidentLead: "leo@example.com", herald.RoleCommunications: "cara@example.com"} {
		if _, err := a.lead.Incidents.AssignRole(ctx, inc.Reference, role, who); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.lead.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{"Acme"}); err != nil {
		t.Fatal(err)
	}
	res, err := a.lead.Notices.OpenIncidentNotices(ctx, inc.Reference)
	if err != nil || len(res.Threads) != 1 {
		t.Fatalf("open: %+v %v", res, err)
	}
	a.thread = res.Threads[0]
	return a
}

// approvalEvents are the approval events of the incident's timeline, in
// order ("requested", "approved", "rejected", "sent").
func approvalEvents(t *testing.T, c *client.Client, ref string) []string {
	t.Helper()
	entries, err := c.Incidents.Timeline(context.Background(), ref, herald.EntryNotice)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		var d struct {
			Approval string `json:"approval"`
		}
		_ = json.Unmarshal(e.Data, &d)
		if d.Approval != "" {
			out = append(out, d.Approval)
		}
	}
	return out
}

func wantR44(t *testing.T, what string, err error, status int, contains string) *client.Error {
	t.Helper()
	st, ce := apiStatus(err)
	if st != status || ce == nil || !strings.Contains(ce.Message+" "+ce.Code, contains) {
		t.Fatalf("%s: want %d with %q, got %v", what, status, contains, err)
	}
	return ce
}

// R44 with three people: Cara writes, Sam of the security team approves,
// Leo (the incident lead, outside the team) is refused; Cara may not
// approve her own text; a security text goes only as approved, an edit
// after the approval is refused and nothing is queued; every request,
// decision and send is on the timeline, and the approvers are prompted.
func TestRule44_SecurityMessageNeedsTheSecurityTeamsApprovalOfItsExactText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		a := newApprovalsEnv(t, d)
		ctx := context.Background()
		th, ref := a.thread, a.inc.Reference
		text := herald.NoticeSendInput{Body: "We rotated a certificate that may have been exposed. No action is needed on your side.", Class: herald.ClassSecurity}

		// Unapproved: refused with the R44 code, nothing queued.
		_, err := a.cara.Notices.SendNotice(ctx, th.ID, text)
		ce := wantR44(t, "unapproved send", err, http.StatusConflict, "R44")
		if ce.Code != herald.EApprovalRequired {
			t.Fatalf("code %q", ce.Code)
		}
		if got, _ := a.cara.Notices.NoticeThread(ctx, th.ID); got.MessageCount != 0 {
			t.Fatalf("a refused send queued %d messages", got.MessageCount)
		}
		// The lead writes to nobody (R49), so cannot ask either.
		_, err = a.lead.Notices.RequestNoticeApproval(ctx, th.ID, text)
		wantR44(t, "lead asks", err, http.StatusForbidden, "R49")

		req, err := a.cara.Notices.RequestNoticeApproval(ctx, th.ID, text)
		if err != nil || req.Status != herald.ApprovalPending || req.Class != herald.ClassSecurity || req.Hash != herald.NoticeTextHash(th.Subject, req.Body) ||
			!strings.Contains(req.Body, "rotated a certificate") || !strings.Contains(req.Approvers, "Security") {
			t.Fatalf("request: %+v %v", req, err)
		}
		// Pending: on the incident, in the list of all, on the incident's view.
		if l, err := a.olga.Notices.PendingApprovals(ctx); err != nil || len(l) != 1 || l[0].ID != req.ID || l[0].Reference != ref {
			t.Fatalf("pending: %+v %v", l, err)
		}
		if l, err := a.olga.Notices.IncidentPendingApprovals(ctx, ref); err != nil || len(l) != 1 {
			t.Fatalf("incident pending: %+v %v", l, err)
		}
		if v, err := a.olga.Notices.IncidentNotices(ctx, ref); err != nil || len(v.PendingApprovals) != 1 || v.PendingApprovals[0].Body != req.Body {
			t.Fatalf("view: %+v %v", v, err)
		}
		// Sam is prompted, Cara (the requester) is not.
		prompts, err := a.admin.Incidents.Prompts(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var asked []string
		for _, p := range prompts {
			if p.Kind == herald.PromptNoticeApproval {
				asked = append(asked, p.UserName)
			}
		}
		if strings.Join(asked, ",") != "Sam" {
			t.Fatalf("prompted %v, want Sam", asked)
		}

		// Leo is outside the security team; Cara asked; a stale hash is refused.
		_, err = a.lead.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{})
		wantR44(t, "outsider approves", err, http.StatusForbidden, "R44")
		_, err = a.cara.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{})
		wantR44(t, "self-approval", err, http.StatusForbidden, "own text")
		_, err = a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{Hash: strings.Repeat("0", 64)})
		wantR44(t, "stale hash", err, http.StatusConflict, "not the text you read")
		if got, _ := a.olga.Notices.NoticeApproval(ctx, req.ID); got.Status != herald.ApprovalPending {
			t.Fatalf("refused decisions changed it: %+v", got)
		}
		ok, err := a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{Hash: req.Hash})
		if err != nil || ok.Status != herald.ApprovalApproved || ok.DecidedByName != "Sam" {
			t.Fatalf("approve: %+v %v", ok, err)
		}
		_, err = a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{})
		wantR44(t, "approved twice", err, http.StatusConflict, "approved already")
		if l, _ := a.olga.Notices.PendingApprovals(ctx); len(l) != 0 {
			t.Fatalf("still pending: %+v", l)
		}

		// An edit after the approval: refused, nothing queued.
		edited := text
		edited.Body += " Thanks."
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, edited)
		wantR44(t, "edited send", err, http.StatusConflict, "exact text")
		if got, _ := a.cara.Notices.NoticeThread(ctx, th.ID); got.MessageCount != 0 {
			t.Fatalf("an edited send queued %d messages", got.MessageCount)
		}
		// The exact text goes.
		m, err := a.cara.Notices.SendNotice(ctx, th.ID, text)
		if err != nil || m.Body != req.Body || m.Delivery != "pending" {
			t.Fatalf("send: %+v %v", m, err)
		}
		got, err := a.olga.Notices.NoticeApproval(ctx, req.ID)
		if err != nil || got.Status != herald.ApprovalSent || got.MessageID != m.ID {
			t.Fatalf("after send: %+v %v", got, err)
		}
		// Used once: the same text again needs a new approval.
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, text)
		wantR44(t, "second send", err, http.StatusConflict, "R44")

		if ev := strings.Join(approvalEvents(t, a.olga, ref), ","); ev != "requested,approved,sent" {
			t.Fatalf("timeline: %s", ev)
		}
	})
}

// R44: a new text on the thread voids the approval of the earlier one; a
// rejection needs a reason and is on the timeline; a rejected text cannot
// be sent by its approval id.
func TestRule44_AnEditVoidsTheApprovalAndRejectionsCarryAReason(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		a := newApprovalsEnv(t, d)
		ctx := context.Background()
		th, ref := a.thread, a.inc.Reference
		first := herald.NoticeSendInput{Body: "A security fix is being rolled out to your deployment.", Class: herald.ClassSecurity}
		r1, err := a.cara.Notices.RequestNoticeApproval(ctx, th.ID, first)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.sam.Notices.ApproveNotice(ctx, r1.ID, herald.NoticeDecisionInput{Hash: r1.Hash}); err != nil {
			t.Fatal(err)
		}
		second := first
		second.Body = "A security fix is being rolled out to your deployment tonight."
		r2, err := a.cara.Notices.RequestNoticeApproval(ctx, th.ID, second)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := a.olga.Notices.NoticeApproval(ctx, r1.ID); got.Status != herald.ApprovalVoid {
			t.Fatalf("earlier approval after the edit: %s", got.Status)
		}
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, first)
		wantR44(t, "voided text", err, http.StatusConflict, "R44")
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{ApprovalID: r1.ID})
		wantR44(t, "voided by id", err, http.StatusConflict, "void")

		_, err = a.sam.Notices.RejectNotice(ctx, r2.ID, herald.NoticeDecisionInput{})
		if st, ce := apiStatus(err); st != http.StatusBadRequest || ce.Fields["reason"] == "" {
			t.Fatalf("reject without a reason: %v", err)
		}
		_, err = a.olga.Notices.RejectNotice(ctx, r2.ID, herald.NoticeDecisionInput{Reason: "no"})
		wantR44(t, "outsider rejects", err, http.StatusForbidden, "R44")
		rej, err := a.sam.Notices.RejectNotice(ctx, r2.ID, herald.NoticeDecisionInput{Reason: "Do not give the time: say within the maintenance window."})
		if err != nil || rej.Status != herald.ApprovalRejected || !strings.Contains(rej.Reason, "maintenance window") {
			t.Fatalf("reject: %+v %v", rej, err)
		}
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{ApprovalID: r2.ID})
		wantR44(t, "rejected by id", err, http.StatusConflict, "rejected")
		if got, _ := a.cara.Notices.NoticeThread(ctx, th.ID); got.MessageCount != 0 || len(got.Approvals) != 2 || got.Approvals[0].ID != r2.ID {
			t.Fatalf("thread: %d messages, approvals %+v", got.MessageCount, got.Approvals)
		}
		if ev := strings.Join(approvalEvents(t, a.olga, ref), ","); ev != "requested,approved,requested,rejected" {
			t.Fatalf("timeline: %s", ev)
		}
		entries, _ := a.olga.Incidents.Timeline(ctx, ref, herald.EntryNotice)
		if last := entries[len(entries)-1]; !strings.Contains(last.Text, "rejected") || !strings.Contains(last.Text, "maintenance window") || last.Actor != "Sam" {
			t.Fatalf("rejection entry: %+v", last)
		}
	})
}

// R44 for the other classes: an incident message goes without review
// while the review is optional; when approvals.review.incident is
// required it waits for the incident lead or an engineer, never for the
// security team as such; a class other than the thread's or security is
// refused; the settings name bad fields.
func TestRule44_ReviewOfOtherClassesFollowsTheSetting(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		a := newApprovalsEnv(t, d)
		ctx := context.Background()
		th := a.thread
		if _, err := a.cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatalf("optional review: %v", err)
		}
		_, err := a.cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{Body: "x", Class: herald.ClassOutOfBand})
		if st, ce := apiStatus(err); st != http.StatusUnprocessableEntity || ce.Fields["class"] == "" {
			t.Fatalf("dodging class: %v", err)
		}

		s, _ := a.admin.Settings.Settings(ctx)
		s.Approvals.Review = map[herald.NoticeClass]string{herald.ClassIncident: "sometimes", herald.ClassSecurity: "off"}
		_, err = a.admin.Settings.SaveSettings(ctx, s)
		if st, ce := apiStatus(err); st != http.StatusBadRequest || ce.Fields["approvals.review.incident"] == "" || ce.Fields["approvals.review.security"] == "" {
			t.Fatalf("bad review settings: %v", err)
		}
		s.Approvals.Review = map[herald.NoticeClass]string{herald.ClassIncident: herald.ReviewModeRequired}
		if _, err := a.admin.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		update := herald.NoticeSendInput{Template: herald.NoticeUpdate, Status: "Mitigated", ActionsTaken: "Rotated", NextSteps: "Watch", NextUpdate: "15:00 UTC"}
		_, err = a.cara.Notices.SendNotice(ctx, th.ID, update)
		wantR44(t, "required review", err, http.StatusConflict, "approvals.review.incident")
		req, err := a.cara.Notices.RequestNoticeApproval(ctx, th.ID, update)
		if err != nil || req.Class != herald.ClassIncident || !strings.Contains(req.Approvers, "incident lead") {
			t.Fatalf("request: %+v %v", req, err)
		}
		_, err = a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{})
		wantR44(t, "security member reviews an incident message", err, http.StatusForbidden, "R44")
		if _, err := a.lead.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{Hash: req.Hash}); err != nil {
			t.Fatal(err)
		}
		m, err := a.cara.Notices.SendNotice(ctx, th.ID, herald.NoticeSendInput{ApprovalID: req.ID})
		if err != nil || m.Body != req.Body || m.Template != herald.NoticeUpdate {
			t.Fatalf("send approved: %+v %v", m, err)
		}
	})
}

// R44 on a maintenance's threads: an emergency maintenance's message is a
// security message by default and waits for the security team; an
// out-of-band one, when its review is required, waits for an engineering
// manager (a maintenance has no incident lead), never its writer.
func TestRule44_MaintenanceThreadsTakeTheirClassFromTheKind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		a := newApprovalsEnv(t, d)
		ctx := context.Background()
		from := a.clock.Now().Add(2 * time.Hour)
		until := from.Add(time.Hour)
		mk := func(name string, kind herald.MaintenanceKind, security bool) herald.NoticeThread {
			t.Helper()
			m, err := a.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until, Kind: &kind, Security: &security})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.admin.Tenants.SetMaintenanceTenants(ctx, m.ID, []string{"Acme"}); err != nil {
				t.Fatal(err)
			}
			res, err := a.cara.Notices.OpenMaintenanceNotices(ctx, m.ID)
			if err != nil || len(res.Threads) != 1 {
				t.Fatalf("open: %+v %v", res, err)
			}
			return res.Threads[0]
		}
		em := mk("Kernel patch", herald.KindEmergency, true)
		planned := herald.NoticeSendInput{Template: herald.NoticeEmergencyPlanned}
		_, err := a.cara.Notices.SendNotice(ctx, em.ID, planned)
		wantR44(t, "emergency notice unapproved", err, http.StatusConflict, "security")
		req, err := a.cara.Notices.RequestNoticeApproval(ctx, em.ID, planned)
		if err != nil || req.Class != herald.ClassSecurity || req.MaintenanceID == "" {
			t.Fatalf("request: %+v %v", req, err)
		}
		if _, err := a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{Hash: req.Hash}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.cara.Notices.SendNotice(ctx, em.ID, planned); err != nil {
			t.Fatalf("approved emergency notice: %v", err)
		}

		s, _ := a.admin.Settings.Settings(ctx)
		s.Approvals.Review = map[herald.NoticeClass]string{herald.ClassOutOfBand: herald.ReviewModeRequired}
		if _, err := a.admin.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		oob := mk("Disk swap", herald.KindOutOfBand, false)
		text := herald.NoticeSendInput{Body: "We will swap a disk tonight; no downtime is expected."}
		_, err = a.cara.Notices.SendNotice(ctx, oob.ID, text)
		wantR44(t, "out-of-band unreviewed", err, http.StatusConflict, "approvals.review.out_of_band")
		_, err = a.cara.Notices.RequestNoticeApproval(ctx, oob.ID, text)
		wantR44(t, "nobody to review", err, http.StatusUnprocessableEntity, "engineering manager")
		if _, err := a.admin.People.SetManager(ctx, "leo@example.com", true); err != nil {
			t.Fatal(err)
		}
		req, err = a.cara.Notices.RequestNoticeApproval(ctx, oob.ID, text)
		if err != nil || req.Class != herald.ClassOutOfBand {
			t.Fatalf("request: %+v %v", req, err)
		}
		_, err = a.sam.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{})
		wantR44(t, "not a manager", err, http.StatusForbidden, "engineering manager")
		if _, err := a.lead.Notices.ApproveNotice(ctx, req.ID, herald.NoticeDecisionInput{Hash: req.Hash}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.cara.Notices.SendNotice(ctx, oob.ID, text); err != nil {
			t.Fatalf("reviewed out-of-band notice: %v", err)
		}
	})
}
