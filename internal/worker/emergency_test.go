package worker_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

// emergencyFixture is a store with a worker sending e-mail to mailpit, an
// engineer, a manager, and an on-call schedule of Ann then Bob.
type emergencyFixture struct {
	ctx      context.Context
	clock    *testdb.Clock
	db       *store.DB
	w        *worker.Worker
	mail     *testdb.Mailpit
	eng, mgr herald.Actor
	ann, bob herald.User
	api, web herald.Component
}

func setupEmergency(t *testing.T, d store.Dialect) *emergencyFixture {
	t.Helper()
	f := &emergencyFixture{ctx: context.Background(), clock: testdb.NewClock()}
	f.db = testdb.Open(t, d, f.clock)
	f.mail = testdb.StartMailpit(t)
	smtp, err := notify.NewSMTP("smtp://"+f.mail.SMTP, "herald@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.w = &worker.Worker{Work: f.db.Work, Sender: &notify.Router{Webhook: notify.NewWebhook(), Email: smtp}, Log: slog.New(slog.DiscardHandler),
		Links: links.New("https://herald.example.com"), Senders: 2}
	user := func(name string, manager bool) herald.User {
		u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Manager: manager})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.eng = herald.Actor{User: user("Eve", false), Role: herald.RoleResponder}
	f.mgr = herald.Actor{User: user("Mia", true), Role: herald.RoleResponder}
	f.ann, f.bob = user("Ann", false), user("Bob", false)
	// Ann and Mia are the security team (R44): Mia approves the work,
	// so Ann approves the words.
	if _, err := f.db.Teams.CreateTeam(f.ctx, herald.TeamInput{Name: "Security", Members: []string{f.ann.Email, f.mgr.User.Email}}); err != nil {
		t.Fatal(err)
	}
	// Ann is on call from Sunday 17:00 to Monday 17:00 (the clock is Monday
	// 09:00), Bob after her.
	if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
		HandoffTime: "17:00", Start: time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC), Users: []string{f.ann.ID, f.bob.ID}}}}); err != nil {
		t.Fatal(err)
	}
	comp := func(name string) herald.Component {
		c, err := f.db.StatusPage.CreateComponent(f.ctx, f.mgr, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.api, f.web = comp("API"), comp("Web")
	return f
}

func (f *emergencyFixture) tenant(t *testing.T, name string, emails []string, comps ...string) {
	t.Helper()
	if _, err := f.db.Tenants.CreateTenant(f.ctx, f.mgr, herald.TenantInput{Name: name, PrimaryRegion: "us-east-1", Emails: emails, Components: comps,
		MaintenanceWindow: &herald.MaintenanceWindow{Weekday: "sunday", Start: "02:00", Duration: herald.Duration(4 * time.Hour), TimeZone: "America/New_York"}}); err != nil {
		t.Fatal(err)
	}
}

// emergency schedules an emergency maintenance of the API from an hour
// from now, for two hours, affecting tenants.
func (f *emergencyFixture) emergency(t *testing.T, tenants ...string) *herald.Maintenance {
	t.Helper()
	name, kind, sec := "OpenSSL patch", herald.KindEmergency, true
	from := f.clock.Now().Add(time.Hour)
	until := from.Add(2 * time.Hour)
	m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.eng, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until,
		Components: &[]string{f.api.ID}, Kind: &kind, Security: &sec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.eng, m.ID, herald.TenantLinksInput{Tenants: tenants}); err != nil {
		t.Fatal(err)
	}
	return m
}

// sent waits for mailpit to hold n messages and returns them by subject
// and first recipient.
func (f *emergencyFixture) sent(t *testing.T, n int) []testdb.MailMessage {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		msgs := f.mail.Messages(t)
		if len(msgs) >= n || time.Now().After(deadline) {
			if len(msgs) != n {
				var got []string
				for _, m := range msgs {
					got = append(got, m.ToList()+": "+m.Subject)
				}
				t.Fatalf("mailpit has %d messages, want %d: %q", len(msgs), n, got)
			}
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func find(t *testing.T, msgs []testdb.MailMessage, to, subject string) testdb.MailMessage {
	t.Helper()
	i := slices.IndexFunc(msgs, func(m testdb.MailMessage) bool { return m.ToList() == to && strings.Contains(m.Subject, subject) })
	if i < 0 {
		t.Fatalf("no message to %s about %q", to, subject)
	}
	return msgs[i]
}

func TestRule33_ApprovalNotifiesEachTenantInUTCAndTheNextOnCall(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupEmergency(t, d)
		f.tenant(t, "Acme", []string{"ops@acme.example", "sre@acme.example"}, f.api.ID)
		f.tenant(t, "Globex", []string{"noc@globex.example"}, f.web.ID)
		f.tenant(t, "Initech", nil, f.api.ID)
		m := f.emergency(t, "Acme", "Globex", "Initech")

		// Nothing goes before a manager approves: not from an engineer.
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.eng, m.ID, herald.ApprovalInput{}); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("engineer's approval: %v", err)
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if msgs := f.mail.Messages(t); len(msgs) != 0 {
			t.Fatalf("sent before the approval: %d", len(msgs))
		}

		f.clock.Advance(10 * time.Minute) // approved at 09:10 UTC
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.mgr, m.ID, herald.ApprovalInput{Comment: "CVE-2026-0001"}); err != nil {
			t.Fatal(err)
		}
		// The manager approved the work; the security team approves the
		// words (R44). Until then only people hear of it: Bob (the next
		// shift) and Ann (the security team) are prompted, no tenant.
		msgs := f.sent(t, 2)
		handover := find(t, msgs, "bob@example.com", "Handover: emergency maintenance OpenSSL patch")
		if text := f.mail.Text(t, handover.ID); !strings.Contains(text, "For your on-call shift from 2026-11-23 17:00 UTC: Mia approved") {
			t.Errorf("handover:\n%s", text)
		}
		if text := f.mail.Text(t, find(t, msgs, "ann@example.com", "Approve a message to each tenant linked to OpenSSL patch").ID); !strings.Contains(text, "A security message") {
			t.Errorf("security team's prompt:\n%s", text)
		}
		a := f.pending(t, m.ID)
		// Mia asked, so Mia cannot approve it, though in the team.
		if _, err := f.db.Notices.ApproveNotice(f.ctx, f.mgr, a.ID, herald.NoticeDecisionInput{Hash: a.Hash}); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("the manager approving the words too: %v", err)
		}
		// A rejection holds the notices.
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		if _, err := f.db.Notices.RejectNotice(f.ctx, ann, a.ID, herald.NoticeDecisionInput{Reason: "say no action is needed"}); err != nil {
			t.Fatal(err)
		}
		if err := f.w.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if msgs := f.mail.Messages(t); len(msgs) != 2 {
			t.Fatalf("sent after a rejection: %d messages", len(msgs))
		}
		// Eve's edit asks again (Ann and Mia prompted), and Ann approves it.
		body := "Customers need to do nothing."
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.eng, m.ID, herald.MaintenanceInput{Body: &body}); err != nil {
			t.Fatal(err)
		}
		find(t, f.sent(t, 4), "mia@example.com", "Approve a message to each tenant linked to OpenSSL patch")
		a = f.pending(t, m.ID)
		if _, err := f.db.Notices.ApproveNotice(f.ctx, ann, a.ID, herald.NoticeDecisionInput{Hash: a.Hash}); err != nil {
			t.Fatal(err)
		}
		// Acme and Globex, one each, at once; not Initech, which has no
		// operational address.
		msgs = f.sent(t, 6)
		acme := find(t, msgs, "ops@acme.example", "Emergency maintenance planned: OpenSSL patch")
		text := f.mail.Text(t, acme.ID)
		for _, want := range []string{"Hello Acme,", "approved at 2026-11-23 09:10 UTC", "Window: 2026-11-23 10:00 UTC to 2026-11-23 12:00 UTC", "affected: yes", body} {
			if !strings.Contains(text, want) {
				t.Errorf("Acme's notice lacks %q:\n%s", want, text)
			}
		}
		if cc := f.mail.Headers(t, acme.ID)["Cc"]; len(cc) != 1 || !strings.Contains(cc[0], "sre@acme.example") {
			t.Errorf("Acme's copy: %q", cc)
		}
		if text := f.mail.Text(t, find(t, msgs, "noc@globex.example", "planned").ID); !strings.Contains(text, "affected: no") || !strings.Contains(text, "Hello Globex,") {
			t.Errorf("Globex's notice:\n%s", text)
		}
		got, err := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]string{}
		for _, n := range got.TenantNotices {
			statuses[n.TenantName] = n.Status
		}
		if statuses["Acme"] != "sent" || statuses["Globex"] != "sent" || statuses["Initech"] != "failed" {
			t.Errorf("notices recorded: %v", statuses)
		}

		// It starts and completes on time; the completion's words wait for
		// the team too (the automation asks in Mia's name), then each
		// tenant is told again.
		f.clock.Advance(3 * time.Hour)
		if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID); got.Status != herald.MaintenanceCompleted {
			t.Fatalf("status %s", got.Status)
		}
		f.sent(t, 7) // Ann's prompt
		a = f.pending(t, m.ID)
		if a.Event != herald.TenantNoticeCompleted || a.RequestedByName != "Mia" {
			t.Fatalf("completion asked: %+v", a)
		}
		if _, err := f.db.Notices.ApproveNotice(f.ctx, ann, a.ID, herald.NoticeDecisionInput{Hash: a.Hash}); err != nil {
			t.Fatal(err)
		}
		msgs = f.sent(t, 9)
		done := f.mail.Text(t, find(t, msgs, "ops@acme.example", "Emergency maintenance completed").ID)
		if !strings.Contains(done, "was completed at 2026-11-23 12:10 UTC") || !strings.Contains(done, "was affected: yes") {
			t.Errorf("completion notice:\n%s", done)
		}
		if text := f.mail.Text(t, find(t, msgs, "noc@globex.example", "completed").ID); !strings.Contains(text, "was affected: no") {
			t.Errorf("Globex's completion:\n%s", text)
		}
	})
}

// pending is the maintenance's one text waiting for the security team.
func (f *emergencyFixture) pending(t *testing.T, id string) herald.NoticeApproval {
	t.Helper()
	list, err := f.db.Notices.PendingApprovals(f.ctx)
	if err != nil || len(list) != 1 || list[0].MaintenanceID != id {
		t.Fatalf("pending: %v %+v", err, list)
	}
	return list[0]
}
