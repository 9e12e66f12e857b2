package worker_test

import (
	"context"
	"log/slog"
	"net"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/inbound"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// noticeFixture is an incident affecting one tenant, with Ann as its
// communications manager and Leo as its lead, and the reply domain set.
type noticeFixture struct {
	*fixture
	leo    herald.User
	inc    *herald.Incident
	tenant herald.Tenant
	thread herald.NoticeThread
}

func setupNotices(t *testing.T, d store.Dialect) *noticeFixture {
	t.Helper()
	f := &noticeFixture{fixture: setup(t, d)}
	var err error
	if f.leo, err = f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Leo", Email: "leo@example.com"}); err != nil {
		t.Fatal(err)
	}
	s, _ := f.db.Settings.Settings(f.ctx)
	s.Notices.Product = "Acme Cloud"
	s.Notices.ReplyDomain = "reply.example.com"
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	admin := herald.Actor{User: f.ann, Role: herald.RoleAdmin}
	if f.tenant, err = f.db.Tenants.CreateTenant(f.ctx, admin, herald.TenantInput{Name: "Globex", PrimaryRegion: "eu-west-1",
		Emails:   []string{"ops@globex.example", "sre@globex.example"},
		Contacts: herald.TenantContacts{AccountManager: &herald.TenantContact{Name: "Tam Lee", Email: "tam@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
	if f.inc, err = f.db.Incidents.DeclareIncident(f.ctx, ann, herald.DeclareInput{Title: "Slow dashboards", Severity: herald.S2, Summary: "Dashboards load slowly."}); err != nil {
		t.Fatal(err)
	}
	for role, u := range map[string]herald.User{herald.RoleCommunications: f.ann, herald.RoleIncidentLead: f.leo} {
		if _, err := f.db.Incidents.AssignRole(f.ctx, ann, f.inc.ID, role, herald.RoleInput{User: u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, ann, f.inc.ID, herald.TenantLinksInput{Tenants: []string{"Globex"}}); err != nil {
		t.Fatal(err)
	}
	// The lead opens the threads: anyone on the incident may; they are
	// owned by the communications manager.
	res, err := f.db.Notices.OpenIncidentNotices(f.ctx, herald.Actor{User: f.leo, Role: herald.RoleResponder}, f.inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Threads) != 1 || len(res.Opened) != 1 {
		t.Fatalf("open: %+v", res)
	}
	f.thread = res.Threads[0]
	return f
}

// R49: the incident lead cannot write to the customer; the communications
// manager can, and an admin can. Nothing is queued by the refusal.
func TestRule49_OnlyCommunicationsOrAdminSendsToCustomers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		in := herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}
		_, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.leo, Role: herald.RoleResponder}, f.thread.ID, in)
		if herald.ErrorCode(err) != herald.EForbidden || !strings.Contains(err.Error(), "R49") {
			t.Fatalf("lead sent: %v", err)
		}
		th, _ := f.db.Notices.NoticeThread(f.ctx, f.thread.ID)
		if len(th.Messages) != 0 || th.FirstSentAt != nil {
			t.Fatalf("the refusal changed the thread: %+v", th)
		}
		if _, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.ann, Role: herald.RoleResponder}, f.thread.ID, in); err != nil {
			t.Fatalf("communications manager: %v", err)
		}
		if _, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.leo, Role: herald.RoleAdmin}, f.thread.ID,
			herald.NoticeSendInput{Template: herald.NoticeResolved}); err != nil {
			t.Fatalf("admin: %v", err)
		}
	})
}

// The whole thread over real SMTP both ways: Herald sends the notice
// through mailpit (addressed, copied, threaded and tagged as R41 says), a
// real SMTP client replies to Herald's listener, and the reply lands on
// the thread and the timeline and prompts the owner; unanswered for 30
// minutes, it reminds the owner again (R48).
func TestNotices_WholeThreadOverRealSMTP(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		if f.thread.Subject != "Acme Cloud Notice: Slow dashboards" || f.thread.Tag != "dedicated_contacted_request" || f.thread.SupportRegion != "EMEA" ||
			f.thread.OwnerID != f.ann.ID || f.thread.To != "ops@globex.example" || strings.Join(f.thread.Cc, ",") != "sre@globex.example,tam@example.com" {
			t.Fatalf("thread: %+v", f.thread)
		}
		// A template with its variables missing is refused, naming them.
		_, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Template: herald.NoticeUpdate, Status: "Degraded"})
		if e, ok := err.(*herald.Error); !ok || e.Code != herald.EUnprocessable || e.Fields["vars.ActionsTaken"] == "" || e.Fields["vars.NextSteps"] == "" || e.Fields["vars.NextUpdate"] == "" {
			t.Fatalf("missing variables: %#v", err)
		}
		// The content guard refuses an internal host, then takes an override with its reason.
		bad := herald.NoticeSendInput{Body: "We restarted db-7.corp.internal and it is fine now."}
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, bad); herald.ErrorCode(err) != herald.EUnprocessable || !strings.Contains(err.Error(), "R45") {
			t.Fatalf("guard: %v", err)
		}
		msg, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg.Body, "Hello Globex team") || !strings.Contains(msg.Body, "at least every 2h") {
			t.Fatalf("first notice must say how often (R48): %s", msg.Body)
		}
		f.tick(t)
		mails := f.mail.Messages(t)
		if len(mails) != 1 {
			t.Fatalf("mails: %+v", mails)
		}
		h := f.mail.Headers(t, mails[0].ID)
		replyTo := f.thread.ReplyTo
		if mails[0].Subject != f.thread.Subject || h["Reply-To"][0] != replyTo || h["Message-Id"] == nil && h["Message-ID"] == nil ||
			h["Cc"][0] != "sre@globex.example, tam@example.com" || h["X-Herald-Tag"][0] != "dedicated_contacted_request" {
			t.Fatalf("headers: %v", h)
		}
		if mails[0].MessageID != msg.MessageID {
			t.Fatalf("Message-ID %q, recorded %q", mails[0].MessageID, msg.MessageID)
		}
		if !strings.HasPrefix(replyTo, "notices+") || !strings.HasSuffix(replyTo, "@reply.example.com") {
			t.Fatalf("reply address %q", replyTo)
		}
		th, _ := f.db.Notices.NoticeThread(f.ctx, f.thread.ID)
		if th.Messages[0].Delivery != "sent" || th.NextNoticeDue == nil || !th.NextNoticeDue.Equal(th.FirstSentAt.Add(2*time.Hour)) {
			t.Fatalf("after sending: %+v", th)
		}

		// The customer replies over SMTP to Herald's listener.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := inbound.New(f.db.Notices, "herald.test", slog.New(slog.DiscardHandler))
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		if err := smtp.SendMail(ln.Addr().String(), nil, "ops@globex.example", []string{"nobody@reply.example.com"}, []byte("Subject: x\r\n\r\nhi\r\n")); err == nil ||
			!strings.Contains(err.Error(), "550") {
			t.Fatalf("unknown recipient: %v", err)
		}
		reply := "From: Olga Ops <ops@globex.example>\r\nTo: " + replyTo + "\r\nSubject: Re: " + f.thread.Subject + "\r\n" +
			"Message-ID: <r1@globex.example>\r\nIn-Reply-To: <" + msg.MessageID + ">\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"Is our EU data affected? We need to know by noon.=0A\r\n\r\nOn Mon, 30 Nov 2026 Ann wrote:\r\n> Hello Globex team\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b1--\r\n"
		if err := smtp.SendMail(ln.Addr().String(), nil, "ops@globex.example", []string{replyTo}, []byte(reply)); err != nil {
			t.Fatal(err)
		}
		th, _ = f.db.Notices.NoticeThread(f.ctx, f.thread.ID)
		if len(th.Messages) != 2 || th.Messages[1].Direction != "in" || th.Messages[1].Body != "Is our EU data affected? We need to know by noon." ||
			th.Messages[1].From != "ops@globex.example" || th.AwaitingReplySince == nil {
			t.Fatalf("thread after the reply: %+v", th.Messages)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, f.inc.ID, "")
		var onTimeline bool
		for _, e := range tl {
			onTimeline = onTimeline || (e.Kind == herald.EntryNotice && strings.Contains(e.Text, "Is our EU data affected?") && strings.Contains(e.Text, "told Ann"))
		}
		if !onTimeline {
			t.Fatalf("timeline: %+v", tl)
		}
		prompts, _ := f.db.Incidents.Prompts(f.ctx, f.inc.ID)
		if len(prompts) != 1 || prompts[0].Kind != herald.PromptNoticeReply || prompts[0].UserID != f.ann.ID {
			t.Fatalf("prompts: %+v", prompts)
		}
		f.tick(t)
		if f.hook.count() != 1 || !strings.Contains(f.hook.bodies[0], "prompt.notice_reply") {
			t.Fatalf("owner not prompted: %d %v", f.hook.count(), f.hook.bodies)
		}
		// The same mail again (a retry) is one message.
		if err := smtp.SendMail(ln.Addr().String(), nil, "ops@globex.example", []string{replyTo}, []byte(reply)); err != nil {
			t.Fatal(err)
		}
		if th, _ = f.db.Notices.NoticeThread(f.ctx, f.thread.ID); len(th.Messages) != 2 {
			t.Fatalf("a repeated mail was kept twice: %d", len(th.Messages))
		}
		// A reply to the bare address (its token dropped) finds its thread
		// by In-Reply-To; without one it is refused.
		bare := strings.Replace(strings.Replace(reply, "r1@globex.example", "r2@globex.example", 1), "To: "+replyTo, "To: notices@reply.example.com", 1)
		bare = strings.Replace(bare, "Is our EU data affected?", "Also: is the US affected?", 1)
		if err := smtp.SendMail(ln.Addr().String(), nil, "ops@globex.example", []string{"notices@reply.example.com"}, []byte(bare)); err != nil {
			t.Fatal(err)
		}
		if th, _ = f.db.Notices.NoticeThread(f.ctx, f.thread.ID); len(th.Messages) != 3 || !strings.HasPrefix(th.Messages[2].Body, "Also: is the US affected?") {
			t.Fatalf("reply to the bare address: %+v", th.Messages)
		}
		if err := smtp.SendMail(ln.Addr().String(), nil, "ops@globex.example", []string{"notices@reply.example.com"}, []byte("Subject: hi\r\nMessage-ID: <r3@x>\r\n\r\nhello\r\n")); err == nil ||
			!strings.Contains(err.Error(), "550") {
			t.Fatalf("bare address without In-Reply-To: %v", err)
		}
		// Unanswered for 30 minutes: the owner is reminded, once.
		f.clock.Advance(29 * time.Minute)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeUnanswered); n != 0 {
			t.Fatal("reminded before 30 minutes")
		}
		f.clock.Advance(2 * time.Minute)
		f.tick(t)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeUnanswered); n != 1 {
			t.Fatalf("unanswered reminders: %d", n)
		}
		// Answering clears the wait; the answer is threaded on the reply.
		ans, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Body: "No EU data is affected."})
		if err != nil {
			t.Fatal(err)
		}
		if ans.InReplyTo != "r2@globex.example" || strings.Contains(ans.Body, "at least every") {
			t.Fatalf("answer: %+v", ans)
		}
		f.tick(t)
		var answer string
		for _, m := range f.mail.Messages(t) {
			if m.MessageID == ans.MessageID {
				answer = m.ID
			}
		}
		if answer == "" {
			t.Fatal("the answer was not sent")
		}
		h = f.mail.Headers(t, answer)
		if h["In-Reply-To"][0] != "<r2@globex.example>" || !strings.Contains(h["References"][0], "<"+msg.MessageID+"> <r1@globex.example> <r2@globex.example>") {
			t.Fatalf("answer headers: %v", h)
		}
		view, err := f.db.Notices.IncidentNotices(f.ctx, f.inc.Reference)
		if err != nil || len(view.Tenants) != 1 || !view.Tenants[0].Told || view.Tenants[0].AwaitingReplySince != nil || view.Tenants[0].NextNoticeDue == nil ||
			view.PendingApprovals == nil {
			t.Fatalf("incident view: %+v %v", view, err)
		}
	})
}

func countKind(t *testing.T, f *noticeFixture, kind string) int {
	t.Helper()
	prompts, err := f.db.Incidents.Prompts(context.Background(), f.inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range prompts {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

// R48: while the incident is open, the threads' owner is reminded every
// notices.check_interval (30m) after the first notice to go over the
// incident and the threads: once per interval, not once per tenant.
func TestRule48_OwnerRemindedToCheckThreadsWhileOpen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		f.tick(t)
		f.clock.Advance(time.Hour)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeCheck); n != 0 {
			t.Fatalf("reminded to check before any notice was sent: %d", n)
		}
		if _, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.ann, Role: herald.RoleResponder}, f.thread.ID,
			herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(29 * time.Minute)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeCheck); n != 0 {
			t.Fatalf("reminded after 29 minutes: %d", n)
		}
		f.clock.Advance(2 * time.Minute)
		f.tick(t)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeCheck); n != 1 {
			t.Fatalf("after 31 minutes: %d check reminders", n)
		}
		f.clock.Advance(30 * time.Minute)
		f.tick(t)
		if n := countKind(t, f, herald.PromptNoticeCheck); n != 2 {
			t.Fatalf("after 61 minutes: %d check reminders", n)
		}
	})
}

// A notice promised survives a sender that dies after claiming it: the
// claim expires, another worker sends it, and it is sent once, with the
// same Message-ID.
func TestNotices_SenderCrashSendsOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		msg, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.ann, Role: herald.RoleResponder}, f.thread.ID,
			herald.NoticeSendInput{Template: herald.NoticeInvestigationStart})
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.db.Work.WorkStats(f.ctx)
		if err != nil || !slices.ContainsFunc(st.Outbox, func(c store.OutboxCount) bool { return c.Lane == store.LaneNotice && c.State == "pending" && c.N == 1 }) {
			t.Fatalf("work stats: %+v %v", st.Outbox, err)
		}
		o, err := f.db.Work.Claim(f.ctx, store.LaneNotice) // the sender that dies
		if err != nil || o == nil || o.Notice == nil || o.Target != "ops@globex.example" {
			t.Fatalf("claim: %+v %v", o, err)
		}
		f.tick(t)
		if n := len(f.mail.Messages(t)); n != 0 {
			t.Fatalf("sent while claimed: %d", n)
		}
		f.clock.Advance(2 * time.Minute)
		f.tick(t)
		f.tick(t)
		mails := f.mail.Messages(t)
		if len(mails) != 1 || mails[0].MessageID != msg.MessageID {
			t.Fatalf("after the claim expired: %+v", mails)
		}
		// The dead sender's late report changes nothing.
		if err := f.db.Work.Complete(f.ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
		th, _ := f.db.Notices.NoticeThread(f.ctx, f.thread.ID)
		if th.Messages[0].Delivery != "sent" || th.Messages[0].Attempts != 2 {
			t.Fatalf("delivery: %+v", th.Messages[0])
		}
	})
}

// A maintenance's threads: owned by whoever opened them, its owner (not
// another responder) sends, and the emergency template fills in the window
// in UTC and whether the tenant was affected.
func TestNotices_MaintenanceThreadWithEmergencyTemplate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		name, body := "Kernel patch", "A security fix for the hosts."
		from := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		until := from.Add(2 * time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, ann, herald.MaintenanceInput{Name: &name, Body: &body, ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, ann, m.ID, herald.TenantLinksInput{Tenants: []string{"Globex"}}); err != nil {
			t.Fatal(err)
		}
		res, err := f.db.Notices.OpenMaintenanceNotices(f.ctx, ann, m.ID)
		if err != nil || len(res.Threads) != 1 || res.Threads[0].OwnerID != f.ann.ID || res.Threads[0].Subject != "Acme Cloud Notice: Kernel patch" {
			t.Fatalf("open: %+v %v", res, err)
		}
		th := res.Threads[0]
		in := herald.NoticeSendInput{Template: herald.NoticeEmergencyPlanned}
		if _, err := f.db.Notices.SendNotice(f.ctx, herald.Actor{User: f.leo, Role: herald.RoleResponder}, th.ID, in); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("another responder sent: %v", err)
		}
		sent, err := f.db.Notices.SendNotice(f.ctx, ann, th.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sent.Body, "Start: 2026-12-01 02:00 UTC") || !strings.Contains(sent.Body, "End: 2026-12-01 04:00 UTC") || !strings.Contains(sent.Body, body) {
			t.Fatalf("emergency notice: %s", sent.Body)
		}
		done, err := f.db.Notices.PreviewNotice(f.ctx, ann, th.ID, herald.NoticeSendInput{Template: herald.NoticeEmergencyCompleted})
		if err != nil || !strings.Contains(done.Body, "Your deployment was affected: yes") {
			t.Fatalf("completed: %+v %v", done, err)
		}
	})
}
