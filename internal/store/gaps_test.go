package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// warningKinds returns the kinds of a page's warnings, in order.
func warningKinds(ws []herald.Warning) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Kind)
	}
	return strings.Join(out, ",")
}

func (f *fixture) policy(t *testing.T, name string, levels ...herald.EscalationLevel) *herald.Service {
	t.Helper()
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: name, Levels: levels})
	if err != nil {
		t.Fatal(err)
	}
	return f.service(t, name, pol.ID, nil)
}

func level(minutes int, targets ...herald.Target) herald.EscalationLevel {
	return herald.EscalationLevel{TimeoutMinutes: minutes, Targets: targets}
}

func user(ref string) herald.Target     { return herald.Target{Type: "user", ID: ref} }
func schedule(ref string) herald.Target { return herald.Target{Type: "schedule", ID: ref} }

// pageOf triggers an alert on a service and returns its page.
func (f *fixture) pageOf(t *testing.T, svc *herald.Service) string {
	t.Helper()
	f.enqueue(t, trigger(svc.IntegrationKey, "k-"+svc.Name, "tenant down"))
	pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
	return pages[0].ID
}

func (f *fixture) gaps(t *testing.T) map[string]int64 {
	t.Helper()
	g, err := f.db.Paging.PagingGaps(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// R07: an engineer who cannot be reached is no reason to wait the level's
// timeout: the colleague on the next level is paged at once.
func TestRule07_EngineerWithoutContactMethodFallsThroughToTheNextLevelAtOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com"}) // no contact method
		svc := f.policy(t, "dedicated", level(10, user(dan.Email)), level(10, user("bob@example.com")))
		id := f.pageOf(t, svc)
		f.escalate(t)
		ns, _ := f.db.Paging.Notifications(f.ctx, id)
		if len(ns) != 2 || ns[0].UserID != dan.ID || ns[0].Status != "failed" || ns[1].UserID != f.bob.User.ID || ns[1].Status != "pending" {
			t.Fatalf("notifications right after the trigger: %+v", ns)
		}
		p, err := f.db.Paging.Page(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := warningKinds(p.Warnings); got != "no_contact_method,level_unreached" {
			t.Fatalf("warnings %q: %+v", got, p.Warnings)
		}
		if !strings.Contains(p.Warnings[0].Text, "Dan has no working contact method") || !strings.Contains(p.Warnings[1].Text, "going on to level 2 now") {
			t.Fatalf("warnings %+v", p.Warnings)
		}
		// Bob's level keeps its timeout.
		if p.Level != 1 || p.NextEscalation == nil || !p.NextEscalation.Equal(f.clock.Now().Add(10*time.Minute)) {
			t.Fatalf("level %d, next escalation %v", p.Level, p.NextEscalation)
		}
		if g := f.gaps(t); g[herald.GapNoContactMethod] != 1 || g[herald.GapLevelUnreached] != 1 {
			t.Fatalf("gap counts %v", g)
		}
		// A method marked failing is no working method either.
		m, _ := f.db.People.CreateContactMethod(f.ctx, dan.ID, herald.ContactMethodInput{Kind: "email", Target: dan.Email})
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE contact_methods SET failing = $1 WHERE id = $2`, true, m.ID); err != nil {
			t.Fatal(err)
		}
		id = f.pageOf(t, f.service(t, "second", svc.EscalationPolicyID, nil))
		f.escalate(t)
		if got := notified(t, f, id); got != ",bob" { // Dan has no name in notified
			t.Fatalf("with a failing method: %q", got)
		}
	})
}

func TestEscalation_LevelWithNobodyOnCallFallsThrough(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		// The rotation starts tomorrow: nobody is on call today.
		if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Night", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
			HandoffTime: "00:00", Start: f.clock.Now().Add(24 * time.Hour), Users: []string{"carol@example.com"}}}}); err != nil {
			t.Fatal(err)
		}
		svc := f.policy(t, "nights", level(30, schedule("Night")), level(30, user("alice@example.com")))
		id := f.pageOf(t, svc)
		f.escalate(t)
		if got := notified(t, f, id); got != "alice" {
			t.Fatalf("paged %q, want alice at once", got)
		}
		p, _ := f.db.Paging.Page(f.ctx, id)
		if got := warningKinds(p.Warnings); got != "nobody_on_call,level_unreached" || !strings.Contains(p.Warnings[0].Text, "nobody is on call on Night") {
			t.Fatalf("warnings %+v", p.Warnings)
		}
		log, _ := f.db.Paging.PageLog(f.ctx, id)
		var texts []string
		for _, e := range log {
			texts = append(texts, e.Text)
		}
		if all := strings.Join(texts, "\n"); !strings.Contains(all, "Level 1: nobody paged") || !strings.Contains(all, "Level 2: paged Alice") {
			t.Fatalf("page log:\n%s", all)
		}
	})
}

func TestEscalation_FallbackIsPagedWhenNobodyElseCanBe(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com"})
		svc := f.policy(t, "only dan", level(15, user(dan.Email)))
		unrouted := f.service(t, "no policy", "", nil)

		// Without a fallback: the gap is logged and the policy ends at once.
		id := f.pageOf(t, svc)
		f.escalate(t)
		p, _ := f.db.Paging.Page(f.ctx, id)
		if p.NextEscalation != nil || !strings.Contains(p.Warnings[len(p.Warnings)-1].Text, "no fallback is set") {
			t.Fatalf("without a fallback: next %v, warnings %+v", p.NextEscalation, p.Warnings)
		}

		s, _ := f.db.Settings.Settings(f.ctx)
		s.Paging.Fallback = "nobody@example.com"
		_, err := f.db.Settings.SaveSettings(f.ctx, s)
		wantCode(t, err, herald.EInvalid)
		s.Paging.Fallback = "carol@example.com"
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		id = f.pageOf(t, f.service(t, "only dan again", svc.EscalationPolicyID, nil))
		f.escalate(t)
		if got := notified(t, f, id); got != ",carol" {
			t.Fatalf("paged %q, want the fallback carol", got)
		}
		p, _ = f.db.Paging.Page(f.ctx, id)
		if got := p.Warnings[len(p.Warnings)-1].Text; !strings.Contains(got, "paged the fallback Carol") {
			t.Fatalf("warnings %+v", p.Warnings)
		}
		// The fallback has the level's timeout to answer.
		if p.NextEscalation == nil || !p.NextEscalation.Equal(f.clock.Now().Add(15*time.Minute)) {
			t.Fatalf("next escalation %v", p.NextEscalation)
		}

		// A service without a policy pages the fallback too.
		id = f.pageOf(t, unrouted)
		f.escalate(t)
		if got := notified(t, f, id); got != "carol" {
			t.Fatalf("unrouted page reached %q", got)
		}
		p, _ = f.db.Paging.Page(f.ctx, id)
		if got := warningKinds(p.Warnings); got != "unrouted" || !strings.Contains(p.Warnings[0].Text, "no escalation policy: paged the fallback Carol") {
			t.Fatalf("warnings %+v", p.Warnings)
		}

		// A schedule as the fallback: whoever is on call on it.
		if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Managers", Layers: []herald.Layer{{Rotation: herald.RotationWeekly,
			HandoffTime: "09:00", Start: f.clock.Now().Add(-time.Hour), Users: []string{"bob@example.com"}}}}); err != nil {
			t.Fatal(err)
		}
		s.Paging.Fallback = "Managers"
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		id = f.pageOf(t, f.service(t, "only dan, third", svc.EscalationPolicyID, nil))
		f.escalate(t)
		if got := notified(t, f, id); got != ",bob" {
			t.Fatalf("paged %q, want bob on call on the fallback schedule", got)
		}
	})
}

// R01: an S1 pages the incident lead, the engineer and communications; on
// a fresh install no role is bound to a service, and the incident says so.
func TestRule01_DeclaringWithoutRoleBindingsWarnsOnTheTimeline(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		if len(inc.Warnings) != 3 {
			t.Fatalf("the declaration's answer has warnings %+v", inc.Warnings)
		}
		got, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if len(got.Warnings) != 3 || got.Warnings[0].Kind != herald.GapRoleUnbound || !strings.Contains(got.Warnings[0].Text, "Nobody was paged as Incident Lead") {
			t.Fatalf("incident warnings %+v", got.Warnings)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryWarning)
		if len(tl) != 3 {
			t.Fatalf("timeline warnings %+v", tl)
		}
		if g := f.gaps(t); g[herald.GapRoleUnbound] != 3 {
			t.Fatalf("gap counts %v", g)
		}
		// An S3 pages no role: nothing to warn about.
		if inc := f.declare(t, herald.S3); len(inc.Warnings) != 0 {
			t.Fatalf("S3 warnings %+v", inc.Warnings)
		}

		// A role bound to a service whose policy reaches nobody warns too.
		rolePaging(t, f)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com"})
		f.policy(t, "Communications without a method", level(30, user(dan.Email)))
		s, _ := f.db.Settings.Settings(f.ctx)
		s.RoleServices[herald.RoleCommunications] = "Communications without a method"
		f.db.Settings.SaveSettings(f.ctx, s)
		inc = f.declare(t, herald.S1)
		if len(inc.Warnings) != 0 {
			t.Fatalf("bound roles warn at declaration: %+v", inc.Warnings)
		}
		f.escalate(t)
		got, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		if len(got.Warnings) != 1 || got.Warnings[0].Kind != herald.GapLevelUnreached ||
			!strings.Contains(got.Warnings[0].Text, "Page for the Communications Manager, level 1: Dan has no working contact method") {
			t.Fatalf("incident warnings %+v", got.Warnings)
		}
	})
}

// wellConfigured is a set-up with no gap: everyone reachable, a schedule
// that covers every hour, a policy on every service, every role bound.
func wellConfigured(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
		HandoffTime: "09:00", Start: f.clock.Now().Add(-time.Hour), Users: []string{"alice@example.com", "bob@example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	f.policy(t, "Incident Management", level(30, schedule("Primary")), level(30, user("carol@example.com")))
	s, _ := f.db.Settings.Settings(f.ctx)
	for _, r := range s.IncidentRoles {
		s.RoleServices[r.Key] = "Incident Management"
	}
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
}

func findings(t *testing.T, f *fixture, smtp bool) (herald.Report, map[string][]herald.Finding) {
	t.Helper()
	r, err := f.db.Doctor(f.ctx, store.DoctorOptions{SMTP: smtp})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]herald.Finding{}
	for _, x := range r.Findings {
		byKind[x.Kind] = append(byKind[x.Kind], x)
		if x.Message == "" || x.Fix == "" {
			t.Errorf("finding without message or fix: %+v", x)
		}
	}
	return r, byKind
}

func TestDoctor_EmptyOnAWellConfiguredSetUp(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		wellConfigured(t, f)
		if r, _ := findings(t, f, true); len(r.Findings) != 0 || r.Errors != 0 || r.Warnings != 0 {
			t.Fatalf("findings on a well-configured set-up: %+v", r)
		}
	})
}

func TestDoctor_ListsEachGapKind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		// A fresh install: every role that S1 and S2 page is unbound, and
		// e-mail methods exist without SMTP.
		r, kinds := findings(t, f, false)
		if len(kinds[herald.FindingRoleUnbound]) != 3 || !strings.Contains(kinds[herald.FindingRoleUnbound][0].Message, "S1 or S2 incident pages the Incident Lead") {
			t.Fatalf("roles: %+v", r)
		}
		if len(kinds[herald.FindingSMTPMissing]) != 1 || !strings.Contains(kinds[herald.FindingSMTPMissing][0].Message, "3 e-mail contact methods and 0 e-mail subscribers") {
			t.Fatalf("smtp: %+v", r)
		}
		if len(kinds[herald.FindingUserUnreachable]) != 3 || kinds[herald.FindingUserUnreachable][0].Severity != herald.SeverityWarning {
			t.Fatalf("e-mail only, without SMTP: %+v", kinds[herald.FindingUserUnreachable])
		}

		wellConfigured(t, f)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com"})
		f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Eve", Email: "eve@example.com"}) // paged by nothing
		if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Night", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
			HandoffTime: "00:00", Start: f.clock.Now().Add(48 * time.Hour), Users: []string{dan.Email}}}}); err != nil {
			t.Fatal(err)
		}
		f.policy(t, "Nights", level(30, schedule("Night")))
		f.service(t, "Orphan", "", nil)
		s, _ := f.db.Settings.Settings(f.ctx)
		delete(s.RoleServices, herald.RoleCommunications)
		s.RoleServices[herald.RoleEngineerOnCall] = "Orphan"
		s.Paging.Fallback = "carol@example.com"
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		// The fallback's user cannot be removed through Herald; a database
		// edited by hand can still name nobody.
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE settings SET data = REPLACE(data, 'carol@example.com', 'gone@example.com')`); err != nil {
			t.Fatal(err)
		}

		r, kinds = findings(t, f, true)
		want := map[string]string{
			herald.FindingUserUnreachable: "Dan <dan@example.com> has no contact method: pages to them reach nobody",
			herald.FindingScheduleGap:     "Nobody is on call on Night for 48 hours in the next 14 days, first from 2026-11-23 09:00 UTC",
			herald.FindingServiceNoPolicy: "Service Orphan has no escalation policy",
			herald.FindingRoleUnbound:     "the Communications Manager",
			herald.FindingFallbackMissing: `"gone@example.com" is neither a user nor a schedule`,
		}
		for kind, text := range want {
			if len(kinds[kind]) == 0 || !strings.Contains(kinds[kind][0].Message, text) || kinds[kind][0].Severity != herald.SeverityError {
				t.Errorf("%s: want an error with %q, got %+v", kind, text, kinds[kind])
			}
		}
		if len(kinds[herald.FindingUserUnreachable]) != 2 || kinds[herald.FindingUserUnreachable][1].Severity != herald.SeverityWarning ||
			!strings.Contains(kinds[herald.FindingUserUnreachable][1].Message, "Eve") {
			t.Errorf("eve, whom nothing pages, is a warning: %+v", kinds[herald.FindingUserUnreachable])
		}
		if len(kinds[herald.FindingSMTPMissing]) != 0 || len(kinds[herald.FindingRoleUnbound]) != 1 {
			t.Errorf("findings %+v", r.Findings)
		}
		if r.Errors != 5 || r.Warnings != 1 || r.Findings[len(r.Findings)-1].Severity != herald.SeverityWarning {
			t.Errorf("errors %d warnings %d, errors first: %+v", r.Errors, r.Warnings, r.Findings)
		}
	})
}

// A method of a kind this Herald has no sender for (e-mail without SMTP)
// is no working method: paging goes on at once.
func TestEscalation_MethodThisHeraldCannotSendFallsThrough(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := &fixture{clock: testdb.NewClock(), ctx: context.Background()}
		db, err := store.Open(f.ctx, store.Config{URL: testdb.URL(t, d), DataDir: t.TempDir(), Clock: f.clock, SecretKey: testdb.TestSecretKey,
			Unsendable: []string{"email"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.db = db
		mk := func(name string, m herald.ContactMethodInput) herald.User {
			u, err := db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.People.CreateContactMethod(f.ctx, u.ID, m); err != nil {
				t.Fatal(err)
			}
			return u
		}
		ann := mk("Ann", herald.ContactMethodInput{Kind: "email", Target: "ann@example.com"})
		ben := mk("Ben", herald.ContactMethodInput{Kind: "sms", Target: "+1 (555) 123-4567"})
		svc := f.policy(t, "p", level(30, user(ann.Email)), level(30, user(ben.Email)))
		id := f.pageOf(t, svc)
		f.escalate(t)
		ns, _ := db.Paging.Notifications(f.ctx, id)
		if len(ns) != 2 || ns[0].UserID != ann.ID || ns[0].Status != "failed" || ns[1].UserID != ben.ID || ns[1].Status != "pending" {
			t.Fatalf("notifications %+v", ns)
		}
		p, _ := db.Paging.Page(f.ctx, id)
		if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0].Text, "Ann has no working contact method (this Herald cannot send email") {
			t.Fatalf("warnings %+v", p.Warnings)
		}
		if ds, _ := db.Paging.Deliveries(f.ctx, id); len(ds) != 1 {
			t.Fatalf("deliveries %+v, want Ben's SMS only", ds)
		}
	})
}

// A whole round that reaches nobody is not repeated at once: the repeats
// would reach nobody either, and fill the log.
func TestEscalation_RoundThatReachesNobodyIsNotRepeated(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com"})
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "p", Repeat: 3, Levels: []herald.EscalationLevel{
			level(10, user(dan.Email)), level(10, user(dan.Email))}})
		if err != nil {
			t.Fatal(err)
		}
		id := f.pageOf(t, f.service(t, "s", pol.ID, nil))
		if n := f.escalate(t); n != 3 {
			t.Fatalf("%d steps, want level 1, level 2 and the end", n)
		}
		p, _ := f.db.Paging.Page(f.ctx, id)
		if p.NextEscalation != nil || strings.Count(warningKinds(p.Warnings), herald.GapLevelUnreached) != 2 {
			t.Fatalf("next %v, warnings %+v", p.NextEscalation, p.Warnings)
		}
		// With someone reached in the round, the repeats go on as before.
		svc := f.policy(t, "reached", level(10, user("alice@example.com")), level(10, user(dan.Email)))
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE escalation_policies SET repeat = 1 WHERE name = 'reached'`); err != nil {
			t.Fatal(err)
		}
		id = f.pageOf(t, svc)
		f.escalate(t)
		f.clock.Advance(10 * time.Minute)
		f.escalate(t)
		if got := notified(t, f, id); got != "alice,,alice" {
			t.Fatalf("paged %q, want alice, dan, then alice again at once", got)
		}
	})
}
