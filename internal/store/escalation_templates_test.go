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

// people names everyone by user id, for notifiedAs.
func (f *fixture) people(t *testing.T) map[string]string {
	t.Helper()
	users, err := f.db.People.Users(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range users {
		out[u.ID] = strings.ToLower(u.Name)
	}
	return out
}

// notifiedAs lists whom a page notified, by name, in order.
func notifiedAs(t *testing.T, f *fixture, pageID string) string {
	t.Helper()
	names := f.people(t)
	ns, err := f.db.Paging.Notifications(f.ctx, pageID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, names[n.UserID])
	}
	return strings.Join(out, ",")
}

func (f *fixture) user(t *testing.T, name string, manager bool) herald.User {
	t.Helper()
	u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Manager: manager})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) rotation(t *testing.T, name, tz string, users ...string) {
	t.Helper()
	if _, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: name, TimeZone: tz,
		Layers: []herald.Layer{{Rotation: herald.RotationWeekly, HandoffTime: "09:00", Start: f.clock.Now().Add(-time.Hour), Users: users}}}); err != nil {
		t.Fatal(err)
	}
}

// fromTemplate makes a policy from a template with the stored settings'
// durations, and a service paging through it, and triggers a page.
func (f *fixture) fromTemplate(t *testing.T, in herald.PolicyTemplateInput) (policy *herald.EscalationPolicy, pageID string) {
	t.Helper()
	s, err := f.db.Settings.Settings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	pin, err := s.PolicyFromTemplate(in)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	svc := f.service(t, "Tenant acme", pol.ID, nil)
	f.enqueue(t, trigger(svc.IntegrationKey, "down", "Tenant acme is down"))
	pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
	return pol, pages[0].ID
}

// R05 from the template a new organisation applies: the engineer, then the
// incident lead after 30 minutes unacknowledged, who must acknowledge
// within 30 minutes or management is paged.
func TestRule05_TemplatePagesTheLeadAfter30MinutesAndManagementAfterAnother30(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.user(t, "Dan", true) // Carol and Dan manage
		f.rotation(t, "EOC", "UTC", "alice@example.com")
		f.rotation(t, "IMOC", "UTC", "bob@example.com")
		pol, id := f.fromTemplate(t, herald.PolicyTemplateInput{Template: herald.TemplateIncidentRoles, Engineer: "EOC", Lead: "IMOC"})
		if pol.Name != "Incident roles (R05)" || len(pol.Levels) != 3 {
			t.Fatalf("policy %+v", pol)
		}
		f.escalate(t)
		for _, step := range []struct {
			after time.Duration
			want  string
		}{
			{29 * time.Minute, "alice"},
			{time.Minute, "alice,bob"},
			{29 * time.Minute, "alice,bob"},
			{time.Minute, "alice,bob,carol,dan"},
		} {
			f.clock.Advance(step.after)
			f.escalate(t)
			if got := notifiedAs(t, f, id); got != step.want {
				t.Fatalf("after %s more: %q, want %q", step.after, got, step.want)
			}
		}
	})
}

// The template's times are the organisation's settings.
func TestRule05_TemplateTakesItsTimesFromTheSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s, _ := f.db.Settings.Settings(f.ctx)
		if s.EscalationTemplates != herald.DefaultEscalationTemplates() {
			t.Fatalf("a new organisation's templates %+v", s.EscalationTemplates)
		}
		s.EscalationTemplates.LeadAfter = herald.Duration(15 * time.Minute)
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		f.rotation(t, "EOC", "UTC", "alice@example.com")
		f.rotation(t, "IMOC", "UTC", "bob@example.com")
		_, id := f.fromTemplate(t, herald.PolicyTemplateInput{Template: herald.TemplateIncidentRoles, Engineer: "EOC", Lead: "IMOC"})
		f.escalate(t)
		f.clock.Advance(15 * time.Minute)
		f.escalate(t)
		if got := notifiedAs(t, f, id); got != "alice,bob" {
			t.Fatalf("after 15 minutes: %q", got)
		}
	})
}

// R07 built in: a direct message to the engineer, after 10 minutes the
// next engineer of the same rotation (not the other time zone's), then
// every manager together.
func TestRule07_TemplateReachesAColleagueInTheTimeZoneThenAllOfManagement(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.user(t, "Dan", true)
		f.user(t, "Nina", false)
		f.rotation(t, "Berlin SRE", "Europe/Berlin", "alice@example.com", "bob@example.com")
		f.rotation(t, "New York SRE", "America/New_York", "nina@example.com")
		_, id := f.fromTemplate(t, herald.PolicyTemplateInput{Template: herald.TemplateUnanswered, Engineer: "Berlin SRE"})
		f.escalate(t)
		for _, step := range []struct {
			after time.Duration
			want  string
		}{
			{9 * time.Minute, "alice"},
			{time.Minute, "alice,bob"},
			{10 * time.Minute, "alice,bob,carol,dan"},
		} {
			f.clock.Advance(step.after)
			f.escalate(t)
			if got := notifiedAs(t, f, id); got != step.want {
				t.Fatalf("after %s more: %q, want %q", step.after, got, step.want)
			}
		}
	})
}

// With nobody else in the time zone the colleague level is a gap, shown
// on the page, and management is paged at once rather than after 10
// minutes.
func TestRule07_NoColleagueInTheTimeZoneFallsThroughToManagementAtOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.user(t, "Nina", false)
		f.rotation(t, "Berlin SRE", "Europe/Berlin", "alice@example.com")
		f.rotation(t, "New York SRE", "America/New_York", "nina@example.com")
		_, id := f.fromTemplate(t, herald.PolicyTemplateInput{Template: herald.TemplateUnanswered, Engineer: "Berlin SRE"})
		f.escalate(t)
		f.clock.Advance(10 * time.Minute)
		f.escalate(t)
		if got := notifiedAs(t, f, id); got != "alice,carol" {
			t.Fatalf("paged %q", got)
		}
		p, _ := f.db.Paging.Page(f.ctx, id)
		var texts []string
		for _, w := range p.Warnings {
			texts = append(texts, w.Text)
		}
		if !strings.Contains(strings.Join(texts, "\n"), "no other engineer in the time zone of Berlin SRE (Europe/Berlin)") {
			t.Fatalf("warnings %q", texts)
		}
	})
}

// "All of management" pages only people marked as managers: the doctor
// counts them as paged (an unreachable manager is an error), and a policy
// that pages all managers with nobody marked is an error too.
func TestRule07_DoctorKnowsWhomAllOfManagementReaches(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		f := &fixture{db: testdb.Open(t, d, clock), clock: clock, ctx: context.Background()}
		f.user(t, "Alice", false)
		if _, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "management", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: herald.TargetManagers}}}}}); err != nil {
			t.Fatal(err)
		}
		_, kinds := findings(t, f, true)
		if k := kinds[herald.FindingNoManagers]; len(k) != 1 || k[0].Severity != herald.SeverityError {
			t.Fatalf("no managers: %+v", kinds)
		}
		// A manager without a contact method: pages to them reach nobody.
		if _, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com", Manager: true}); err != nil {
			t.Fatal(err)
		}
		_, kinds = findings(t, f, true)
		if len(kinds[herald.FindingNoManagers]) != 0 {
			t.Fatalf("a manager exists: %+v", kinds[herald.FindingNoManagers])
		}
		if k := kinds[herald.FindingUserUnreachable]; len(k) != 1 || k[0].Severity != herald.SeverityError || !strings.Contains(k[0].Message, "dan@example.com") {
			t.Fatalf("unreachable manager: %+v", k)
		}
	})
}
