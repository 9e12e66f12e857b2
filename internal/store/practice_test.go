package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const drill = `{
  "title": "Failover drill",
  "participants": ["bob@example.com"],
  "steps": [
    {"at": "0s", "kind": "alert", "service": "API", "summary": "DB down"},
    {"at": "5m", "kind": "prompt", "to": ["bob@example.com"], "text": "Take communications."},
    {"at": "10m", "kind": "status_update", "status": "identified", "text": "Cause found."}
  ],
  "finish_after": "30m"
}`

// R63: the playbook loop plays a run's steps at their offsets from its
// start, each once, with the injected clock; the run records what each
// participant did, ends by itself after finish_after, and counts as a
// training event for each participant and no one else.
func TestRule63_RunPlaysItsScenarioAndCountsAsTraining(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		svc := f.service(t, "API", "", nil)
		start := f.clock.Now()
		run, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: drill})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.incident(t, run.IncidentID).Title, "[PRACTICE] ") || len(run.Participants) != 2 {
			t.Fatalf("run: %+v", run)
		}
		played := func() int {
			t.Helper()
			if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
				t.Fatal(err)
			}
			r, err := f.db.Practice.PracticeRun(f.ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			return r.Played
		}
		if n := played(); n != 1 {
			t.Fatalf("at the start: %d steps played", n)
		}
		if n := played(); n != 1 {
			t.Fatalf("a second tick played again: %d", n)
		}
		pages, _ := f.db.Paging.PageList(f.ctx, herald.PageFilter{})
		if len(pages) != 1 || pages[0].IncidentID != run.IncidentID {
			t.Fatalf("pages: %+v", pages)
		}
		// A real page cannot join the practice: its deliveries would be
		// held back at the sandbox's edge.
		f.enqueue(t, trigger(svc.IntegrationKey, "real", "Real trouble"))
		real, _ := f.db.Paging.Pages(f.ctx, svc.ID, herald.PageTriggered, 10)
		tried := 0
		for _, p := range real {
			if p.IncidentID == "" {
				tried++
				if _, err := f.db.Paging.LinkPage(f.ctx, f.alice, p.ID, herald.PageLinkInput{Incident: run.Reference}); herald.ErrorCode(err) != herald.EUnprocessable {
					t.Fatalf("a real page joins the practice: %v", err)
				}
			}
		}
		// Nor does a real support desk hear of it (R20): no sweep, no tag.
		if _, err := f.db.Tickets.ConnectTicketSystem(f.ctx, f.alice, herald.TicketConnectionInput{Kind: "zendesk", URL: "http://127.0.0.1:9/",
			Email: "agent@example.com", Token: "t"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tickets.SetIncidentTickets(f.ctx, f.alice, run.Reference, herald.TicketCouplingInput{Keywords: []string{"API"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tickets.Sweep(f.ctx, f.alice, run.Reference, herald.SweepInput{}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("a practice's tickets were swept: %v", err)
		}
		if tried != 1 {
			t.Fatalf("real pages: %+v", real)
		}
		f.clock.Advance(4*time.Minute + 59*time.Second)
		if n := played(); n != 1 {
			t.Fatalf("before 5m: %d", n)
		}
		f.clock.Advance(time.Second)
		if sent := f.sendPrompts(t); len(sent) != 1 || sent[0] != "bob@example.com: [PRACTICE] "+run.Reference+" Failover drill" {
			t.Fatalf("prompt: %q", sent)
		}
		// Bob acknowledges the page: it is on the run's timeline as his.
		bob := f.bob
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, bob, pages[0].ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(5 * time.Minute)
		if n := played(); n != 3 {
			t.Fatalf("at 10m: %d", n)
		}
		f.clock.Advance(20 * time.Minute)
		played()
		r, err := f.db.Practice.PracticeRun(f.ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.FinishedAt == nil || !r.FinishedAt.Equal(start.Add(30*time.Minute)) {
			t.Fatalf("finished at %v", r.FinishedAt)
		}
		var acted, steps bool
		for _, e := range r.Timeline {
			acted = acted || (e.Kind == herald.PracticeAction && e.User == "Bob" && strings.Contains(e.Text, "acknowledged"))
			steps = steps || (e.Kind == herald.PracticeStep && e.Step == 2 && e.At.Equal(start.Add(10*time.Minute)))
		}
		if !acted || !steps {
			t.Fatalf("timeline: %+v", r.Timeline)
		}
		if inc := f.incident(t, run.IncidentID); inc.State != herald.Resolved {
			t.Fatalf("practice incident %s", inc.State)
		}
		if _, err := f.db.Practice.FinishPractice(f.ctx, f.alice, run.ID); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("finish twice: %v", err)
		}
		counts, err := f.db.Practice.TrainingEvents(f.ctx, start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil || counts[f.alice.User.ID] != 1 || counts[f.bob.User.ID] != 1 || counts[f.carol.User.ID] != 0 {
			t.Fatalf("training events: %v %v", counts, err)
		}
		if counts, _ := f.db.Practice.TrainingEvents(f.ctx, start.Add(time.Hour), start.Add(2*time.Hour)); len(counts) != 0 {
			t.Fatalf("outside the period: %v", counts)
		}
	})
}

// A bad scenario is refused naming the field, and nothing is recorded.
func TestPractice_BadScenarioNamesTheFieldAndChangesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.service(t, "API", "", nil)
		cases := map[string]string{
			"":       "scenario",
			"[1, 2]": "scenario",
			`{"title": "x", "steps": [{"at": "1m", "kind": "dance"}]}`:                                                            "scenario.steps[0].kind",
			`{"title": "x", "steps": [{"at": "1m", "kind": "alert", "summary": "s"}]}`:                                            "scenario.steps[0].service",
			`{"title": "x", "steps": [{"at": "1m", "kind": "alert", "service": "Nope", "summary": "s"}]}`:                         "scenario.steps[0].service",
			`{"title": "x", "steps": [{"at": "2m", "kind": "prompt", "text": "a"}, {"at": "1m", "kind": "prompt", "text": "b"}]}`: "scenario.steps[1].at",
			`{"title": "x", "participants": ["nobody@example.com"], "steps": [{"at": "0s", "kind": "prompt", "text": "a"}]}`:      "scenario.participants[0]",
			"title: x\nsteps:\n  - {at: 0s, kind: status_update, text: t, status: sleeping}\n":                                    "scenario.steps[0].status",
			`{"title": "x", "steps": [{"at": "0s", "kind": "prompt", "text": "a"}], "extra": 1}`:                                  "scenario",
		}
		for in, field := range cases {
			_, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: in})
			if e, ok := err.(*herald.Error); !ok || e.Code != herald.EInvalid || e.Fields[field] == "" {
				t.Errorf("%q: %#v, want a message on %s", in, err, field)
			}
		}
		if runs, _ := f.db.Practice.PracticeRuns(f.ctx, 10); len(runs) != 0 {
			t.Fatalf("a refused run was recorded: %+v", runs)
		}
		if incs, _ := f.db.Incidents.Incidents(f.ctx, herald.ListFilter{}); len(incs) != 0 {
			t.Fatalf("a refused run declared an incident: %+v", incs)
		}
	})
}
