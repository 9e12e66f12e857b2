package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// timePrompts runs the playbook and sends every due prompt, as
// sendPrompts does, and returns "address: subject" of those of kinds.
func (f *fixture) timePrompts(t *testing.T, kinds ...string) []string {
	t.Helper()
	if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for {
		o, err := f.db.Work.Claim(f.ctx, store.LanePrompt)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			return sent
		}
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if slices.Contains(kinds, o.Prompt.Kind) {
			sent = append(sent, o.Target+": "+o.Prompt.Subject)
		}
		if err := f.db.Work.Complete(f.ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	r16 = []string{herald.PromptMonitoringOver, herald.PromptRecurred}
	r52 = []string{herald.PromptCommunicationsNotEngaged}
	r53 = []string{herald.PromptNoDirector}
)

// withoutTimeRules turns R52 and R53 off, for a test of another rule
// whose S1 or S2 would otherwise also prompt for those.
func (f *fixture) withoutTimeRules(t *testing.T) {
	t.Helper()
	s, err := f.db.Settings.Settings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Playbook.Engagement = herald.EngagementRules{}
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
}

func wantSent(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%s: sent %q, want %q", step, got, want)
	}
}

// ruleEntries returns the timeline entries a rule wrote ({"rule": rule}).
func (f *fixture) ruleEntries(t *testing.T, incID, rule string) []herald.TimelineEntry {
	t.Helper()
	tl, err := f.db.Incidents.Timeline(f.ctx, incID, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []herald.TimelineEntry
	for _, e := range tl {
		var d struct{ Rule string }
		if len(e.Data) > 0 && json.Unmarshal(e.Data, &d) == nil && d.Rule == rule {
			out = append(out, e)
		}
	}
	return out
}

func (f *fixture) setState(t *testing.T, ref string, st herald.State) *herald.Incident {
	t.Helper()
	inc, err := f.db.Incidents.Incident(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	inc, err = f.db.Incidents.UpdateIncident(f.ctx, f.carol, ref, herald.UpdateInput{Version: inc.Version, State: &st})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (f *fixture) incident(t *testing.T, ref string) *herald.Incident {
	t.Helper()
	inc, err := f.db.Incidents.Incident(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// monitored declares an S2 on the Database service, led by Carol with Bob
// on communications, public on the status page, and moves it to
// Monitoring inside and out.
func (f *fixture) monitored(t *testing.T) (*herald.Incident, *herald.StatusIncident) {
	t.Helper()
	api := f.component(t, "API", "")
	inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Database latency", Severity: herald.S2, Services: []string{"Database"}})
	if err != nil {
		t.Fatal(err)
	}
	f.assign(t, inc, herald.RoleIncidentLead, f.carol)
	f.assign(t, inc, herald.RoleCommunications, f.bob)
	s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
	f.clock.Advance(5 * time.Minute)
	s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "A fix is in; watching."})
	f.setState(t, inc.ID, herald.Monitoring)
	return inc, s
}

func TestRule16_MonitoringOverPromptsTheLeadToResolve(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.service(t, "Database", "", nil)
		inc, s := f.monitored(t)
		ref := inc.Reference
		if s.MonitoringUntil == nil || !s.MonitoringUntil.Equal(f.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("monitoring until %v", s.MonitoringUntil)
		}
		// A page on another service is no recurrence.
		other := f.service(t, "Billing", "", nil)
		f.clock.Advance(10 * time.Minute)
		f.enqueue(t, trigger(other.IntegrationKey, "b", "Billing slow"))
		f.clock.Advance(19*time.Minute + 59*time.Second)
		wantSent(t, "before the end", f.timePrompts(t, r16...))
		f.clock.Advance(time.Second)
		wantSent(t, "at the end", f.timePrompts(t, r16...), "carol@example.com: "+ref+": monitoring over without recurrence; ready to resolve")
		wantSent(t, "again", f.timePrompts(t, r16...))
		f.clock.Advance(time.Hour)
		wantSent(t, "an hour later", f.timePrompts(t, r16...))
		if e := f.ruleEntries(t, inc.ID, "R16"); len(e) != 1 || e[0].Kind != herald.EntryPrompt || !strings.Contains(e[0].Text, "without recurrence: ready to resolve; prompted Carol") {
			t.Fatalf("timeline: %+v", e)
		}
		if got := f.incident(t, inc.ID); got.State != herald.Monitoring {
			t.Fatalf("state %s", got.State)
		}
	})
}

func TestRule16_PromptToResolveIsNotSentOnceResolved(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, s := f.monitored(t)
		// The lead set a longer monitoring on the status page: it counts.
		f.clock.Advance(time.Minute)
		if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.carol, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Watching for an hour.", MonitorFor: 60}, false); err != nil {
			t.Fatal(err) // Carol leads: the period is hers to change (R16)
		}
		f.clock.Advance(40 * time.Minute)
		wantSent(t, "the setting's 30 minutes passed", f.timePrompts(t, r16...))
		f.clock.Advance(20 * time.Minute)
		// The prompt is made, and the incident resolved before it goes.
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.setState(t, inc.ID, herald.Resolved)
		wantSent(t, "after resolving", f.timePrompts(t, r16...))
		ps, err := f.db.Incidents.Prompts(f.ctx, inc.ID)
		ps = slices.DeleteFunc(ps, func(p herald.Prompt) bool { return !slices.Contains(r16, p.Kind) })
		if err != nil || len(ps) != 1 || ps[0].Kind != herald.PromptMonitoringOver || ps[0].Delivered != 0 {
			t.Fatalf("prompts %+v, %v", ps, err)
		}
	})
}

func TestRule16_PageOnTheServiceReturnsToManaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		db := f.service(t, "Database", "", nil)
		inc, s := f.monitored(t)
		ref := inc.Reference
		version := f.incident(t, inc.ID).Version
		f.clock.Advance(10 * time.Minute)
		f.enqueue(t, trigger(db.IntegrationKey, "latency", "p99 over 2s again"))
		want := ": " + ref + ": recurred during monitoring; public update due"
		wantSent(t, "the page", f.timePrompts(t, r16...), "carol@example.com"+want, "bob@example.com"+want)
		wantSent(t, "again", f.timePrompts(t, r16...))

		got := f.incident(t, inc.ID)
		if got.State != herald.Identified || got.Version != version+1 {
			t.Fatalf("after the recurrence: %s, version %d (was %d)", got.State, got.Version, version)
		}
		// The public state moves only with a published update (R12).
		si, err := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if err != nil || si.Status != herald.Monitoring {
			t.Fatalf("status incident %+v, %v", si, err)
		}
		e := f.ruleEntries(t, inc.ID, "R16")
		if len(e) != 2 || e[0].Kind != herald.EntryStateChange || !strings.Contains(e[0].Text, "Monitoring to Identified: recurrence during monitoring (Database paged again (p99 over 2s again))") ||
			e[1].Kind != herald.EntryPrompt || !strings.Contains(e[1].Text, "a public update is due; told Carol, Bob") {
			t.Fatalf("timeline %+v", e)
		}
		// Managed again: the end of the old period prompts nobody to resolve.
		f.clock.Advance(time.Hour)
		wantSent(t, "after the old period", f.timePrompts(t, r16...))

		// Monitoring again: a new period, which the old page does not end.
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "It came back; on it."})
		f.clock.Advance(10 * time.Minute)
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Fixed again; watching."})
		f.setState(t, inc.ID, herald.Monitoring)
		f.clock.Advance(30 * time.Minute)
		wantSent(t, "second period", f.timePrompts(t, r16...), "carol@example.com: "+ref+": monitoring over without recurrence; ready to resolve")
	})
}

func TestRule16_StateMovedBackIsARecurrence(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, _ := f.monitored(t)
		f.clock.Advance(5 * time.Minute)
		f.setState(t, inc.ID, herald.Investigating)
		want := ": " + inc.Reference + ": recurred during monitoring; public update due"
		wantSent(t, "moved back", f.timePrompts(t, r16...), "carol@example.com"+want, "bob@example.com"+want)
		if got := f.incident(t, inc.ID); got.State != herald.Investigating {
			t.Fatalf("state %s: the person's move stands", got.State)
		}
		if e := f.ruleEntries(t, inc.ID, "R16"); len(e) != 1 || !strings.Contains(e[0].Text, "moved back from Monitoring to Investigating") {
			t.Fatalf("timeline %+v", e)
		}
		f.clock.Advance(time.Hour)
		wantSent(t, "later", f.timePrompts(t, r16...))
	})
}

// commsPaging pages the incident lead (Bob) and communications (Carol,
// then Alice after 15 minutes) through their services.
func commsPaging(t *testing.T, f *fixture) {
	t.Helper()
	s, _ := f.db.Settings.Settings(f.ctx)
	lead := f.policy(t, "Leads", level(30, user("bob@example.com")))
	comms := f.policy(t, "Communications", level(15, user("carol@example.com")), level(15, user("alice@example.com")))
	s.RoleServices = map[string]string{herald.RoleIncidentLead: lead.Name, herald.RoleCommunications: comms.Name}
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
}

// rolePage finds an incident's page for a role.
func (f *fixture) rolePage(t *testing.T, incID, role string) *herald.Page {
	t.Helper()
	pages, err := f.db.Paging.Pages(f.ctx, "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if p.IncidentID == incID && p.IncidentRole == role {
			return p
		}
	}
	t.Fatalf("no %s page for %s", role, incID)
	return nil
}

func TestRule52_CommunicationsNotEngagedPromptsTheLead(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		commsPaging(t, f)
		inc := f.declare(t, herald.S1)
		f.escalate(t)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, f.rolePage(t, inc.ID, herald.RoleIncidentLead).ID); err != nil {
			t.Fatal(err)
		}
		comms := f.rolePage(t, inc.ID, herald.RoleCommunications)
		f.clock.Advance(10*time.Minute - time.Second)
		wantSent(t, "before 10 minutes", f.timePrompts(t, r52...))
		f.clock.Advance(time.Second)
		wantSent(t, "at 10 minutes", f.timePrompts(t, r52...), "bob@example.com: "+inc.Reference+": communications not engaged after 10 minutes")
		wantSent(t, "again", f.timePrompts(t, r52...))
		e := f.ruleEntries(t, inc.ID, "R52")
		if len(e) != 1 || e[0].Kind != herald.EntryPrompt || !strings.Contains(e[0].Text, "No Communications Manager engaged 10m0s after the start of impact (R52); their page keeps escalating; prompted Bob") {
			t.Fatalf("timeline %+v", e)
		}
		// Nothing stopped the communications page: its policy goes on.
		f.clock.Advance(5 * time.Minute)
		f.escalate(t)
		if got := notified(t, f, comms.ID); got != "carol,alice" {
			t.Fatalf("the communications page reached %q", got)
		}
		if p, _ := f.db.Paging.Page(f.ctx, comms.ID); p.Status != herald.PageTriggered {
			t.Fatalf("communications page %s", p.Status)
		}
		f.clock.Advance(time.Hour)
		wantSent(t, "an hour later", f.timePrompts(t, r52...))
		if e := f.ruleEntries(t, inc.ID, "R52"); len(e) != 1 {
			t.Fatalf("timeline %+v", e)
		}
	})
}

func TestRule52_EngagedInTimeOrLate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		commsPaging(t, f)
		// Acknowledged after 4 minutes: engaged, nobody is prompted.
		acked := f.declare(t, herald.S2)
		// Assigned by the lead and acting (a note) after 6 minutes: engaged.
		acting := f.declare(t, herald.S1)
		// Assigned by someone else, and silent: not engaged.
		silent := f.declare(t, herald.S1)
		// An S3 is not held to R52.
		f.declare(t, herald.S3)
		f.escalate(t)
		f.assign(t, silent, herald.RoleIncidentLead, f.alice)
		f.clock.Advance(4 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, f.rolePage(t, acked.ID, herald.RoleCommunications).ID); err != nil {
			t.Fatal(err)
		}
		f.assign(t, acting, herald.RoleCommunications, f.bob)
		f.assign(t, silent, herald.RoleCommunications, f.bob)
		f.clock.Advance(2 * time.Minute)
		if _, err := f.db.Incidents.AddNote(f.ctx, f.bob, acting.ID, herald.NoteInput{Text: "Drafting the first update."}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(4 * time.Minute)
		wantSent(t, "at 10 minutes", f.timePrompts(t, r52...), "alice@example.com: "+silent.Reference+": communications not engaged after 10 minutes")
		for _, inc := range []*herald.Incident{acked, acting} {
			if e := f.ruleEntries(t, inc.ID, "R52"); len(e) != 0 {
				t.Fatalf("%s engaged in time, yet: %+v", inc.Reference, e)
			}
		}
		// Herald was down: Bob acts on the silent one only after the deadline
		// and the rule first looks after that. The timeline says it was late.
		late := f.declare(t, herald.S1)
		f.escalate(t)
		f.clock.Advance(12 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, f.rolePage(t, late.ID, herald.RoleCommunications).ID); err != nil {
			t.Fatal(err)
		}
		wantSent(t, "late", f.timePrompts(t, r52...))
		if e := f.ruleEntries(t, late.ID, "R52"); len(e) != 1 || !strings.Contains(e[0].Text, "was engaged 12m0s after the start of impact, later than the 10m0s R52 gives") {
			t.Fatalf("timeline %+v", e)
		}
	})
}

func TestRule52_SettingsAndSeverityRaised(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s, _ := f.db.Settings.Settings(f.ctx)
		if s.Playbook.Engagement.CommunicationsWithin != herald.Duration(10*time.Minute) || s.Playbook.Engagement.DirectorAfter != herald.Duration(time.Hour) {
			t.Fatalf("defaults %+v", s.Playbook.Engagement)
		}
		s.Playbook.Engagement.CommunicationsWithin = herald.Duration(5 * time.Minute)
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		inc := f.declare(t, herald.S3)
		f.assign(t, inc, herald.RoleIncidentLead, f.carol)
		f.clock.Advance(20 * time.Minute)
		wantSent(t, "S3", f.timePrompts(t, r52...))
		// Raised to S1: the clock starts at the raise, not the declaration.
		got := f.incident(t, inc.ID)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.carol, inc.ID, herald.UpdateInput{Version: got.Version, Severity: ptr(herald.S1), SeverityReason: "all regions"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(4 * time.Minute)
		wantSent(t, "4 minutes after the raise", f.timePrompts(t, r52...))
		f.clock.Advance(time.Minute)
		wantSent(t, "5 minutes after the raise", f.timePrompts(t, r52...), "carol@example.com: "+inc.Reference+": communications not engaged after 5 minutes")

		s.Playbook.Engagement.CommunicationsWithin = herald.Duration(-time.Minute)
		_, err := f.db.Settings.SaveSettings(f.ctx, s)
		wantCode(t, err, herald.EInvalid)
		s.Playbook.Engagement.CommunicationsWithin = 0 // off
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		other := f.declare(t, herald.S1)
		f.assign(t, other, herald.RoleIncidentLead, f.carol)
		f.clock.Advance(30 * time.Minute)
		wantSent(t, "off", f.timePrompts(t, r52...))
	})
}

// director makes Carol the director, paged through the "Directors" service.
func director(t *testing.T, f *fixture) *herald.Service {
	t.Helper()
	svc := f.policy(t, "Directors", level(30, user("carol@example.com")))
	s, _ := f.db.Settings.Settings(f.ctx)
	s.Playbook.Engagement.DirectorService = "Directors"
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestRule53_UnmitigatedS1PagesTheDirectorOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := director(t, f)
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleIncidentLead, f.bob)
		byLabel := f.declare(t, herald.S1)
		byDecision := f.declare(t, herald.S1)
		s2 := f.declare(t, herald.S2)
		f.clock.Advance(30 * time.Minute)
		if _, err := f.db.Incidents.Label(f.ctx, f.alice, byLabel.ID, herald.LabelInput{Add: []string{"Mitigated"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, byDecision.ID, herald.DecisionInput{What: "Mitigated: traffic moved to the secondary", Rationale: "errors stopped"}); err != nil {
			t.Fatal(err)
		}
		pagesOf := func() []*herald.Page {
			ps, err := f.db.Paging.Pages(f.ctx, svc.ID, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		f.clock.Advance(30*time.Minute - time.Second)
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		if ps := pagesOf(); len(ps) != 0 {
			t.Fatalf("paged before the hour: %+v", ps)
		}
		f.clock.Advance(time.Second)
		for range 2 {
			if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		ps := pagesOf()
		if len(ps) != 1 || ps[0].IncidentID != inc.ID || ps[0].IncidentRole != "" || !strings.Contains(ps[0].Summary, "Not mitigated after 1 hour") {
			t.Fatalf("director pages %+v", ps)
		}
		f.escalate(t)
		if got := notified(t, f, ps[0].ID); got != "carol" {
			t.Fatalf("the director's page reached %q", got)
		}
		e := f.ruleEntries(t, inc.ID, "R53")
		if len(e) != 1 || !strings.Contains(e[0].Text, "escalating to the director through Directors (R53)") {
			t.Fatalf("timeline %+v", e)
		}
		for _, other := range []*herald.Incident{byLabel, byDecision, s2} {
			if e := f.ruleEntries(t, other.ID, "R53"); len(e) != 0 {
				t.Fatalf("%s: %+v", other.Reference, e)
			}
		}
		// Once: later ticks page nobody again, also after the page is resolved.
		f.clock.Advance(3 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, ps[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.carol, ps[0].ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour)
		wantSent(t, "later", f.timePrompts(t, r53...))
		if ps := pagesOf(); len(ps) != 1 {
			t.Fatalf("director pages %d", len(ps))
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		if len(tl) == 0 || !strings.Contains(tl[len(tl)-1].Text, "Carol acknowledged the page \""+ps[0].Summary+"\" after 3m0s") {
			t.Fatalf("acknowledgement on the timeline: %+v", tl)
		}
		if got := f.incident(t, inc.ID); len(got.Roles) != 1 {
			t.Fatalf("the director took a role: %+v", got.Roles)
		}
	})
}

func TestRule53_NoDirectorRecordsAndPromptsTheLead(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleIncidentLead, f.bob)
		f.clock.Advance(time.Hour)
		wantSent(t, "at the hour", f.timePrompts(t, r53...), "bob@example.com: "+inc.Reference+": not mitigated after 1 hour; escalate to your director")
		wantSent(t, "again", f.timePrompts(t, r53...))
		e := f.ruleEntries(t, inc.ID, "R53")
		if len(e) != 1 || !strings.Contains(e[0].Text, "nobody could be escalated to: no director service is set") || !strings.Contains(e[0].Text, "prompted Bob") {
			t.Fatalf("timeline %+v", e)
		}
		var data struct{ Escalated bool }
		if err := json.Unmarshal(e[0].Data, &data); err != nil || data.Escalated {
			t.Fatalf("data %s", e[0].Data)
		}

		// A director service that does not exist says so.
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Playbook.Engagement.DirectorService = "Nobody"
		s.Playbook.Engagement.DirectorAfter = herald.Duration(90 * time.Minute)
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		other := f.declare(t, herald.S1)
		f.clock.Advance(89 * time.Minute)
		wantSent(t, "before 90 minutes", f.timePrompts(t, r53...))
		f.clock.Advance(time.Minute)
		wantSent(t, "no lead to prompt", f.timePrompts(t, r53...))
		if e := f.ruleEntries(t, other.ID, "R53"); len(e) != 1 || !strings.Contains(e[0].Text, "the director service Nobody does not exist") || !strings.Contains(e[0].Text, "nobody holds a role to be prompted") {
			t.Fatalf("timeline %+v", e)
		}
		s.Playbook.Engagement.DirectorAfter = herald.Duration(8 * 24 * time.Hour)
		_, err := f.db.Settings.SaveSettings(f.ctx, s)
		wantCode(t, err, herald.EInvalid)
	})
}

func TestRule52_ClockStartsAtTheStartOfImpact(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		director(t, f)
		began := f.clock.Now().Add(-8 * time.Minute)
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Checkout down", Severity: herald.S1, ImpactStartedAt: &began})
		if err != nil {
			t.Fatal(err)
		}
		f.assign(t, inc, herald.RoleIncidentLead, f.bob)
		if got := f.incident(t, inc.ID); got.ImpactStartedAt == nil || !got.ImpactStartedAt.Equal(began) {
			t.Fatalf("impact started at %v", got.ImpactStartedAt)
		}
		f.clock.Advance(2*time.Minute - time.Second)
		wantSent(t, "9m59s into the impact", f.timePrompts(t, r52...))
		f.clock.Advance(time.Second)
		wantSent(t, "10 minutes into the impact", f.timePrompts(t, r52...), "bob@example.com: "+inc.Reference+": communications not engaged after 10 minutes")

		// Corrected to an hour before: the director is paged at once.
		got := f.incident(t, inc.ID)
		hour := f.clock.Now().Add(-time.Hour)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: got.Version, ImpactStartedAt: &hour}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		if e := f.ruleEntries(t, inc.ID, "R53"); len(e) != 1 {
			t.Fatalf("R53 entries %+v", e)
		}
		// An impact that starts after the declaration is the declaration.
		later := f.clock.Now()
		got = f.incident(t, inc.ID)
		_, err = f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: got.Version, ImpactStartedAt: &later})
		wantCode(t, err, herald.EInvalid)
		_, err = f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "x", Severity: herald.S1, ImpactStartedAt: &later})
		if err != nil {
			t.Fatalf("an impact start at the declaration: %v", err)
		}
		future := f.clock.Now().Add(time.Minute)
		_, err = f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "x", Severity: herald.S1, ImpactStartedAt: &future})
		wantCode(t, err, herald.EInvalid)
	})
}

// Several instances run the playbook at once: each rule still acts once
// (one state change back, one director page, one prompt per person).
func TestRule53_SeveralInstancesActOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		url, dir := testdb.URL(t, d), t.TempDir()
		var dbs [2]*store.DB
		for i := range dbs {
			db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: dir, Clock: clock, SecretKey: testdb.TestSecretKey})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			dbs[i] = db
		}
		f := &fixture{db: dbs[0], clock: clock, ctx: context.Background()}
		for i, who := range []*herald.Actor{&f.alice, &f.bob, &f.carol} {
			name := []string{"Alice", "Bob", "Carol"}[i]
			u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
				t.Fatal(err)
			}
			*who = herald.Actor{User: u, Role: herald.RoleResponder}
		}
		directors := director(t, f)
		db := f.service(t, "Database", "", nil)
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Database down", Severity: herald.S1, Services: []string{"Database"}})
		if err != nil {
			t.Fatal(err)
		}
		f.assign(t, inc, herald.RoleIncidentLead, f.bob)
		f.setState(t, inc.ID, herald.Monitoring)
		f.clock.Advance(10 * time.Minute)
		f.enqueue(t, trigger(db.IntegrationKey, "down", "Database down again"))
		f.clock.Advance(50 * time.Minute)

		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- dbs[i%2].Work.RunPlaybook(f.ctx)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := f.timePrompts(t, append(append(slices.Clone(r16), r52...), r53...)...)
		slices.Sort(got)
		ref := inc.Reference
		wantSent(t, "prompts", got, "bob@example.com: "+ref+": communications not engaged after 10 minutes", "bob@example.com: "+ref+": recurred during monitoring; back to managing")
		if ps, _ := f.db.Paging.Pages(f.ctx, directors.ID, "", 10); len(ps) != 1 {
			t.Fatalf("director pages: %d", len(ps))
		}
		for rule, n := range map[string]int{"R16": 2, "R52": 1, "R53": 1} {
			if e := f.ruleEntries(t, inc.ID, rule); len(e) != n {
				t.Fatalf("%s entries: %+v", rule, e)
			}
		}
		if got := f.incident(t, inc.ID); got.State != herald.Identified {
			t.Fatalf("state %s", got.State)
		}
	})
}
