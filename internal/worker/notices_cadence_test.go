package worker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// cadenceThread declares an incident of severity sev affecting one new
// tenant with the business hours given (Ann its communications manager,
// Leo its lead) and opens the tenant's thread. The fixture's clock is
// Monday 2026-11-23 09:00 UTC.
func cadenceThread(t *testing.T, f *noticeFixture, sev herald.Severity, tenant string, hours herald.BusinessHours) (*herald.Incident, herald.NoticeThread) {
	t.Helper()
	admin := herald.Actor{User: f.ann, Role: herald.RoleAdmin}
	if _, err := f.db.Tenants.CreateTenant(f.ctx, admin, herald.TenantInput{Name: tenant, PrimaryRegion: "us-east-1",
		Emails: []string{"ops@" + strings.ToLower(tenant) + ".example"}, BusinessHours: &hours}); err != nil {
		t.Fatal(err)
	}
	ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
	inc, err := f.db.Incidents.DeclareIncident(f.ctx, ann, herald.DeclareInput{Title: "Login failures for " + tenant, Severity: sev})
	if err != nil {
		t.Fatal(err)
	}
	for role, u := range map[string]herald.User{herald.RoleCommunications: f.ann, herald.RoleIncidentLead: f.leo} {
		if _, err := f.db.Incidents.AssignRole(f.ctx, ann, inc.ID, role, herald.RoleInput{User: u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, ann, inc.ID, herald.TenantLinksInput{Tenants: []string{tenant}}); err != nil {
		t.Fatal(err)
	}
	res, err := f.db.Notices.OpenIncidentNotices(f.ctx, ann, inc.ID)
	if err != nil || len(res.Threads) != 1 {
		t.Fatalf("open: %+v %v", res, err)
	}
	return inc, res.Threads[0]
}

// promptsOf lists an incident's prompts of one kind.
func promptsOf(t *testing.T, f *noticeFixture, incidentID, kind string) []herald.Prompt {
	t.Helper()
	all, err := f.db.Incidents.Prompts(f.ctx, incidentID)
	if err != nil {
		t.Fatal(err)
	}
	var out []herald.Prompt
	for _, p := range all {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func setState(t *testing.T, f *noticeFixture, ref string, state herald.State) {
	t.Helper()
	inc, err := f.db.Incidents.Incident(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	who := f.ann
	if state == herald.Resolved {
		who = f.leo // resolving without monitoring is the lead's call (R16)
	}
	if _, err := f.db.Incidents.UpdateIncident(f.ctx, herald.Actor{User: who, Role: herald.RoleResponder}, ref, herald.UpdateInput{Version: inc.Version, State: &state}); err != nil {
		t.Fatal(err)
	}
}

func (f *noticeFixture) playbook(t *testing.T) {
	t.Helper()
	if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
		t.Fatal(err)
	}
}

// R43: a tenant in New York is sent its first notice at 04:00 its time;
// the next is owed at 09:00 New York (14:00 UTC), not two hours later.
// Its owner is reminded 10 minutes before, at the due time, and every 30
// minutes while it is overdue, the incident lead too after an hour; the
// reminders are on the timeline (Leo has no contact method: said so), the thread says "overdue" in words, and
// sending a notice moves the due time so the old reminders no longer go.
func TestRule43_OwnerRemindedWhenTheTenantsNoticeIsDue(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		inc, th := cadenceThread(t, f, herald.S2, "Initech", herald.DefaultBusinessHours("America/New_York"))
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, th.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		due := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
		got, _ := f.db.Notices.NoticeThread(f.ctx, th.ID)
		if got.NextNoticeDue == nil || !got.NextNoticeDue.Equal(due) || got.NoticeDue != "due in 5 hours" {
			t.Fatalf("next notice due %v (%q), want %v", got.NextNoticeDue, got.NoticeDue, due)
		}
		due1 := func() []herald.Prompt { return promptsOf(t, f, inc.ID, herald.PromptCustomerNoticeDue) }
		f.clock.Advance(2 * time.Hour) // 11:00 UTC, 06:00 in New York: nothing is owed yet
		f.playbook(t)
		f.clock.Advance(2*time.Hour + 45*time.Minute) // 13:45
		f.playbook(t)
		if n := len(due1()); n != 0 {
			t.Fatalf("reminded %d times before 13:50", n)
		}
		f.clock.Advance(6 * time.Minute) // 13:51: soon
		f.playbook(t)
		f.playbook(t)
		p := due1()
		if len(p) != 1 || p[0].UserID != f.ann.ID || !strings.Contains(p[0].Subject, "Initech: customer notice due in 9 minutes") {
			t.Fatalf("soon: %+v", p)
		}
		f.clock.Advance(9 * time.Minute) // 14:00: due
		f.playbook(t)
		if p = due1(); len(p) != 2 || p[1].Subject != "Initech: customer notice due now" {
			t.Fatalf("due: %+v", p)
		}
		f.clock.Advance(30 * time.Minute) // 14:30: overdue, the owner only
		f.playbook(t)
		if p = due1(); len(p) != 3 || p[2].UserID != f.ann.ID || p[2].Subject != "Initech: customer notice overdue by 30 minutes" {
			t.Fatalf("overdue: %+v", p)
		}
		f.clock.Advance(30 * time.Minute) // 15:00: an hour overdue, the lead too
		f.playbook(t)
		p = due1()
		if len(p) != 5 || p[3].UserID == p[4].UserID || (p[3].UserID != f.leo.ID && p[4].UserID != f.leo.ID) {
			t.Fatalf("an hour overdue: %+v", p)
		}
		view, err := f.db.Notices.IncidentNotices(f.ctx, inc.ID)
		if err != nil || len(view.Tenants) != 1 || view.Tenants[0].NoticeDue != "overdue by 1 hour" {
			t.Fatalf("incident view: %+v %v", view, err)
		}
		threads, _ := f.db.Notices.NoticeThreads(f.ctx, "incident", inc.ID)
		if len(threads) != 1 || threads[0].NoticeDue != "overdue by 1 hour" {
			t.Fatalf("thread list: %+v", threads)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, "")
		var entries []string
		for _, e := range tl {
			if e.Kind == herald.EntryPrompt && strings.Contains(e.Text, "(R43)") {
				entries = append(entries, e.Text)
			}
		}
		if len(entries) != 3 || !strings.Contains(entries[0], "due now (R43); reminded Ann") || !strings.Contains(entries[2], "reminded Ann; could not reach Leo") {
			t.Fatalf("timeline: %q", entries)
		}
		// Sending now (10:00 in New York) moves the due time to 12:00
		// there; the reminders made for 14:00 UTC and not yet delivered no
		// longer go.
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, th.ID, herald.NoticeSendInput{Template: herald.NoticeUpdate, Status: "Degraded",
			ActionsTaken: "Restarted the login service", NextSteps: "Watch the error rate", NextUpdate: "17:00 UTC"}); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		f.tick(t)
		for _, p := range due1() {
			if p.Delivered != 0 {
				t.Fatalf("a reminder of a notice already sent went out: %+v", p)
			}
		}
		got, _ = f.db.Notices.NoticeThread(f.ctx, th.ID)
		if !got.NextNoticeDue.Equal(due.Add(3*time.Hour)) || got.NoticeDue != "due in 2 hours" {
			t.Fatalf("after sending: %v %q", got.NextNoticeDue, got.NoticeDue)
		}
		// Once the incident is resolved nothing more is owed.
		setState(t, f, inc.ID, herald.Resolved)
		f.clock.Advance(3 * time.Hour)
		f.playbook(t)
		if n := len(due1()); n != 5 {
			t.Fatalf("reminded after the incident was resolved: %d", n)
		}
		if got, _ = f.db.Notices.NoticeThread(f.ctx, th.ID); got.NoticeDue != "" {
			t.Fatalf("a resolved incident's thread says %q", got.NoticeDue)
		}
	})
}

// R43 at S1: a tenant in Tokyo hears from us every hour whatever the hour.
// Sent at 02:00 Tokyo time, the next notice is due at 03:00 and its owner
// is reminded then; a short check-in at night is no warning at S1, while
// the same text on another tenant's S2 at night is warned of (not
// refused), and a substantial one is not.
func TestRule43_S1AtNightInAnotherTimeZone(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		f.clock.Advance(8 * time.Hour) // 17:00 UTC, 02:00 Tuesday in Tokyo
		inc, th := cadenceThread(t, f, herald.S1, "Umbrella", herald.DefaultBusinessHours("Asia/Tokyo"))
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		checkIn := herald.NoticeSendInput{Body: "We are still working on it; no change since our last message."}
		pre, err := f.db.Notices.PreviewNotice(f.ctx, ann, th.ID, checkIn)
		if err != nil || pre.Substantial || len(pre.Warnings) != 0 {
			t.Fatalf("S1 check-in at night: %+v %v", pre, err)
		}
		sent, err := f.db.Notices.SendNotice(f.ctx, ann, th.ID, checkIn)
		if err != nil || len(sent.Warnings) != 0 {
			t.Fatalf("send: %+v %v", sent, err)
		}
		due := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC) // 03:00 in Tokyo
		got, _ := f.db.Notices.NoticeThread(f.ctx, th.ID)
		if got.NextNoticeDue == nil || !got.NextNoticeDue.Equal(due) || got.Messages[0].Substantial {
			t.Fatalf("next due %v, message %+v", got.NextNoticeDue, got.Messages[0])
		}
		f.clock.Advance(time.Hour)
		f.playbook(t)
		p := promptsOf(t, f, inc.ID, herald.PromptCustomerNoticeDue)
		if len(p) != 1 || p[0].Subject != "Umbrella: customer notice due now" || p[0].UserID != f.ann.ID {
			t.Fatalf("S1 at night: %+v", p)
		}
		f.tick(t)
		if p = promptsOf(t, f, inc.ID, herald.PromptCustomerNoticeDue); p[0].Delivered == 0 {
			t.Fatalf("the reminder was not delivered: %+v", p)
		}

		// The same check-in to a Tokyo tenant on an S2 at 03:00 its time:
		// warned, and sent all the same; substantial news is not warned of.
		_, th2 := cadenceThread(t, f, herald.S2, "Wayne", herald.DefaultBusinessHours("Asia/Tokyo"))
		pre, err = f.db.Notices.PreviewNotice(f.ctx, ann, th2.ID, checkIn)
		if err != nil || len(pre.Warnings) != 1 || !strings.Contains(pre.Warnings[0], "Tue 03:00 in Asia/Tokyo") ||
			!strings.Contains(pre.Warnings[0], "only substantial news") || !strings.Contains(pre.Warnings[0], "until Tue 09:00") {
			t.Fatalf("S2 check-in at night: %+v %v", pre, err)
		}
		sent, err = f.db.Notices.SendNotice(f.ctx, ann, th2.ID, checkIn)
		if err != nil || len(sent.Warnings) != 1 || sent.ID == "" {
			t.Fatalf("warned send: %+v %v", sent, err)
		}
		yes := true
		news := checkIn
		news.Substantial = &yes
		if sent, err = f.db.Notices.SendNotice(f.ctx, ann, th2.ID, news); err != nil || len(sent.Warnings) != 0 || !sent.Substantial {
			t.Fatalf("substantial news at night: %+v %v", sent, err)
		}
		if sent, err = f.db.Notices.SendNotice(f.ctx, ann, th2.ID, herald.NoticeSendInput{Template: herald.NoticeMitigation,
			ActionsTaken: "Failed over", NextUpdate: "09:00 JST"}); err != nil || len(sent.Warnings) != 0 || !sent.Substantial {
			t.Fatalf("a template at night: %+v %v", sent, err)
		}
		got, _ = f.db.Notices.NoticeThread(f.ctx, th2.ID)
		if len(got.Messages) != 3 || got.Messages[0].Substantial || !got.Messages[1].Substantial || !got.Messages[2].Substantial {
			t.Fatalf("substantial kept on the messages: %+v", got.Messages)
		}
	})
}

// R47: Globex (business hours 09:00-17:00 UTC) is told of an incident at
// 09:00 and gets only short answers afterwards. Four hours later, in its
// hours, its owner is asked for a summary with the Update template and
// what happened since; a Berlin tenant told at 15:00 its time is asked
// only when its next day starts. A substantial notice ends the gap.
func TestRule47_SummaryPromptAfterHoursWithoutSubstantialNews(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setupNotices(t, d)
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		// Berlin: 14:00 UTC is 15:00 there.
		f.clock.Advance(5 * time.Hour)
		binc, bth := cadenceThread(t, f, herald.S2, "Hooli", herald.DefaultBusinessHours("Europe/Berlin"))
		f.clock.Advance(-5 * time.Hour)
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Body: "Still looking, nothing new."}); err != nil {
			t.Fatal(err)
		}
		ref := f.inc.Reference
		if _, err := f.db.Incidents.AddNote(f.ctx, ann, ref, herald.NoteInput{Text: "Found a slow query"}); err != nil {
			t.Fatal(err)
		}
		setState(t, f, ref, herald.Identified)
		summaries := func(id string) []herald.Prompt { return promptsOf(t, f, id, herald.PromptCustomerSummaryDue) }
		f.clock.Advance(2*time.Hour + 59*time.Minute) // 12:59
		f.playbook(t)
		if n := len(summaries(f.inc.ID)); n != 0 {
			t.Fatalf("asked for a summary before 4 hours: %d", n)
		}
		f.clock.Advance(2 * time.Minute) // 13:01
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, bth.ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		f.playbook(t)
		f.playbook(t)
		p := summaries(f.inc.ID)
		if len(p) != 1 || p[0].UserID != f.ann.ID || !strings.Contains(p[0].Subject, "Globex: summary due, no substantial update for 4 hours 1 minute") {
			t.Fatalf("summary prompt: %+v", p)
		}
		f.tick(t)
		var body string
		for _, b := range f.hook.bodies {
			if strings.Contains(b, "prompt."+herald.PromptCustomerSummaryDue) {
				body = b
			}
		}
		if !strings.Contains(body, "Update template") || !strings.Contains(body, "1 state change") || !strings.Contains(body, "Identified") {
			t.Fatalf("the prompt says what to send and what happened: %s", body)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, f.inc.ID, "")
		var onTimeline bool
		for _, e := range tl {
			onTimeline = onTimeline || e.Kind == herald.EntryPrompt && strings.Contains(e.Text, "(R47); asked Ann")
		}
		if !onTimeline {
			t.Fatalf("timeline: %+v", tl)
		}
		// A summary sent with the Update template ends the gap: no new
		// prompt until four hours after it.
		if _, err := f.db.Notices.SendNotice(f.ctx, ann, f.thread.ID, herald.NoticeSendInput{Template: herald.NoticeUpdate, Status: "Identified",
			ActionsTaken: "Found a slow query", NextSteps: "Fix it", NextUpdate: "15:00 UTC"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Hour) // 16:01
		f.playbook(t)
		if n := len(summaries(f.inc.ID)); n != 1 {
			t.Fatalf("asked again within 4 hours of the summary: %d", n)
		}

		// Hooli (Berlin) was told at 14:01 Berlin... at 13:01 UTC; four
		// hours later it is 18:01 there, after hours: asked at 09:00 its
		// next morning (08:00 UTC), not in the night.
		if n := len(summaries(binc.ID)); n != 0 {
			t.Fatalf("Hooli asked early: %d", n)
		}
		f.clock.Advance(2 * time.Hour) // 18:01 UTC, 19:01 Berlin
		f.playbook(t)
		if n := len(summaries(binc.ID)); n != 0 {
			t.Fatalf("Hooli asked after its hours: %d", n)
		}
		f.clock.Advance(13*time.Hour + 59*time.Minute) // 08:00 UTC Tuesday, 09:00 Berlin
		f.playbook(t)
		if p := summaries(binc.ID); len(p) != 1 || !strings.Contains(p[0].Subject, "Hooli: summary due") {
			t.Fatalf("Hooli in the morning: %+v", p)
		}
	})
}
