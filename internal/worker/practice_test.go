package worker_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// hookLog records every request an endpoint gets, signed or not.
type hookLog struct {
	mu     sync.Mutex
	bodies []string
	srv    *httptest.Server
}

func newHookLog(t *testing.T) *hookLog {
	h := &hookLog{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookLog) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// practiceScenario pages the participants, prompts them, publishes on the
// sandbox page and tells the sandbox's stakeholder channels.
func practiceScenario(sandboxHook, sandboxChat string) string {
	return `
title: Database failover drill
severity: S2
summary: The primary database is gone.
subscribers:
  - {kind: email, target: sandbox@example.com}
  - {kind: webhook, target: "` + sandboxHook + `"}
  - {kind: slack, target: "` + sandboxChat + `", internal: true}
steps:
  - {at: 0s, kind: alert, service: API, summary: "Primary database unreachable"}
  - {at: 1m, kind: prompt, text: "Declare the communications role and publish the first update."}
  - at: 2m
    kind: status_update
    status: identified
    text: "We found the cause: a failed database primary."
    components: {API: major_outage}
  - {at: 3m, kind: stakeholder_notice, text: "Failover under way; next notice in 30 minutes."}
`
}

// TestRule63_PracticeNeverLeavesItsSandbox plays a scenario and tries every
// channel a real incident has: the public subscriber (e-mail and webhook),
// the stakeholder channels (e-mail and chat), the customer notice to a
// tenant, a page escalated to a person on call who does not take part, and
// the prompts of the playbook. Only the participant and the sandbox's
// subscribers receive anything, over real SMTP (mailpit) and HTTP, each
// marked [PRACTICE]; the rest is held back and said so on the run's
// timeline. A real update, meanwhile, never reaches the sandbox.
func TestRule63_PracticeNeverLeavesItsSandbox(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		admin := herald.Actor{User: f.ann, Role: herald.RoleAdmin}
		pia, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Pia", Email: "pia@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.People.CreateContactMethod(f.ctx, pia.ID, herald.ContactMethodInput{Kind: "email", Target: "pia@example.com"}); err != nil {
			t.Fatal(err)
		}
		piaA := herald.Actor{User: pia, Role: herald.RoleResponder}
		realHook, realChat, sandboxHook, sandboxChat := newHookLog(t), newHookLog(t), newHookLog(t), newHookLog(t)
		for _, in := range []herald.SubscriberInput{{Email: "real@example.com", Confirmed: true}, {WebhookURL: realHook.srv.URL}} {
			if _, err := f.db.Subscribers.Subscribe(f.ctx, in, true); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range []herald.SubscriberInput{{Email: "board@example.com"}, {SlackURL: realChat.srv.URL}} {
			if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.StatusPage.CreateComponent(f.ctx, admin, herald.ComponentInput{Name: ptr("API")}); err != nil {
			t.Fatal(err)
		}
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Notices.Product, s.Notices.ReplyDomain = "Acme Cloud", "reply.example.com"
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.CreateTenant(f.ctx, admin, herald.TenantInput{Name: "Globex", PrimaryRegion: "eu-west-1", Emails: []string{"ops@globex.example"}}); err != nil {
			t.Fatal(err)
		}
		f.tick(t) // nothing is due before the run

		// A step naming someone who does not take part is refused, naming it.
		bad := strings.Replace(practiceScenario(sandboxHook.srv.URL, sandboxChat.srv.URL), `text: "Declare`, `to: [ann@example.com], text: "Declare`, 1)
		_, err = f.db.Practice.StartPractice(f.ctx, piaA, herald.PracticeStartInput{Scenario: bad})
		if e, ok := err.(*herald.Error); !ok || e.Fields["scenario.steps[1].to[0]"] == "" {
			t.Fatalf("a step to a non-participant: %#v", err)
		}
		run, err := f.db.Practice.StartPractice(f.ctx, piaA, herald.PracticeStartInput{Scenario: practiceScenario(sandboxHook.srv.URL, sandboxChat.srv.URL)})
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Participants) != 1 || run.Participants[0].UserID != pia.ID || run.Steps != 4 || !strings.HasSuffix(run.SandboxURL, "/app/practice/"+run.ID+"/page") {
			t.Fatalf("run: %+v", run)
		}
		f.tick(t)
		f.tick(t)
		// Everything a real incident could do, on the practice incident.
		pages, _ := f.db.Paging.Pages(f.ctx, f.svc.ID, "", 10)
		if len(pages) != 1 || pages[0].IncidentID != run.IncidentID || !strings.HasPrefix(pages[0].Summary, "[PRACTICE]") {
			t.Fatalf("practice page: %+v", pages)
		}
		if _, err := f.db.Paging.EscalatePage(f.ctx, piaA, pages[0].ID, 1); err != nil {
			t.Fatal(err) // reaches Ann, on call for the service
		}
		if _, err := f.db.Subscribers.NotifyStakeholders(f.ctx, piaA, run.IncidentID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, piaA, run.IncidentID, herald.TenantLinksInput{Tenants: []string{"Globex"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.AssignRole(f.ctx, piaA, run.IncidentID, herald.RoleCommunications, herald.RoleInput{User: pia.ID}); err != nil {
			t.Fatal(err)
		}
		opened, err := f.db.Notices.OpenIncidentNotices(f.ctx, piaA, run.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Notices.SendNotice(f.ctx, piaA, opened.Threads[0].ID, herald.NoticeSendInput{Template: herald.NoticeInvestigationStart}); err != nil {
			t.Fatal(err)
		}
		// The public page is refused outright.
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, piaA, herald.StatusIncidentInput{Name: "Drill", IncidentID: run.IncidentID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "x"}}, false); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("status incident for a practice: %v", err)
		}
		for range 4 {
			f.clock.Advance(time.Minute)
			f.tick(t)
			f.tick(t)
		}
		// A real update meanwhile reaches the real subscribers only.
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, admin, herald.StatusIncidentInput{Name: "Real trouble",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Real: we are investigating."}}, false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		f.tick(t)

		got := map[string][]string{}
		for _, m := range f.mail.Messages(t) {
			for _, to := range strings.Split(m.ToList(), ",") {
				got[strings.TrimSpace(to)] = append(got[strings.TrimSpace(to)], m.Subject)
			}
		}
		for to, subjects := range got {
			for _, sub := range subjects {
				practice := strings.HasPrefix(sub, "[PRACTICE]")
				switch {
				case to == "real@example.com" && !practice:
				case (to == "pia@example.com" || to == "sandbox@example.com") && practice:
				default:
					t.Errorf("mail to %s: %q", to, sub)
				}
			}
		}
		if len(got["pia@example.com"]) < 2 || len(got["sandbox@example.com"]) != 1 || len(got["real@example.com"]) != 1 {
			t.Fatalf("mails: %v", got)
		}
		if n := f.hook.count(); n != 0 {
			t.Errorf("Ann (not a participant) got %d webhooks: %v", n, f.hook.bodies)
		}
		if b := realChat.got(); len(b) != 0 {
			t.Errorf("the real stakeholder chat got %q", b)
		}
		if b := realHook.got(); len(b) != 1 || strings.Contains(b[0], "PRACTICE") {
			t.Errorf("the real webhook subscriber got %q", b)
		}
		if b := sandboxHook.got(); len(b) != 1 || !strings.Contains(b[0], "[PRACTICE]") || !strings.Contains(b[0], "failed database primary") {
			t.Errorf("the sandbox webhook got %q", b)
		}
		if b := sandboxChat.got(); len(b) != 2 || !strings.Contains(strings.Join(b, ""), "Failover under way") || !strings.Contains(b[0], "[PRACTICE]") {
			t.Errorf("the sandbox chat got %q", b)
		}
		run, err = f.db.Practice.PracticeRun(f.ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		var held []string
		for _, e := range run.Timeline {
			if e.Kind == herald.PracticeHeld {
				held = append(held, e.Text)
			}
		}
		all := strings.Join(held, "\n")
		for _, want := range []string{"Ann is not a participant", "customers are never told of a practice"} {
			if !strings.Contains(all, want) {
				t.Errorf("held back: %q, want %q", held, want)
			}
		}
		if run.Played != 4 {
			t.Errorf("played %d steps", run.Played)
		}
		page, err := f.db.Practice.SandboxPage(f.ctx, run.ID)
		if err != nil || page.Status != herald.Identified || len(page.Updates) != 1 || page.Components[0].Status != herald.MajorOutage {
			t.Fatalf("sandbox page: %+v %v", page, err)
		}
		if shown, _ := f.db.StatusPage.Components(f.ctx); shown[0].Status != herald.Operational {
			t.Fatalf("the practice changed the real component: %+v", shown)
		}
	})
}

func ptr[T any](v T) *T { return &v }
