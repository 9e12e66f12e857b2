package worker_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/mattermost/mmtest"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The words of a FedRAMP tenant's incident that must stay in Herald: the
// tenant's name, the page's summary and details, the incident's title and
// summary, an internal update's text.
var rule46Secrets = []string{"Zephyr", "quartz-otter", "marigold-falcon", "Kestrel"}

// rule46Run is what each channel received for an S1 of a tenant of
// compliance: a page on a service serving it (to a person's webhook,
// e-mail, SMS, voice, Slack and Teams), a playbook prompt about the
// incident (the same methods), and the stakeholder notice and an internal
// update (to stakeholder webhook, Slack and Teams channels).
type rule46Run struct {
	f        *fixture
	page     *herald.Page
	inc      *herald.Incident
	channels map[string][]string
}

func runRule46(t *testing.T, d store.Dialect, compliance herald.Compliance) rule46Run {
	t.Helper()
	f := setup(t, d)
	f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(true)}
	provider := newReceiver(t)
	provider.secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	f.w.Sender.(*notify.Router).Phone = &notify.Provider{URL: provider.srv.URL, Secret: provider.secret, Webhook: notify.NewWebhook()}
	slack, teams := newChat(t), newChat(t)
	// Mattermost's incoming webhooks, on the test Mattermost (which refuses
	// a payload Mattermost would).
	mm := mmtest.New(t)
	mmPerson, mmStake := mm.IncomingHook(), mm.IncomingHook()
	for _, m := range []herald.ContactMethodInput{{Kind: "sms", Target: "+15551234567"}, {Kind: "voice", Target: "+15551234568"},
		{Kind: "slack", Target: slack.srv.URL}, {Kind: "teams", Target: teams.srv.URL}, {Kind: "mattermost", Target: mmPerson}} {
		if _, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	stakeHook, stakeSlack, stakeTeams := newReceiver(t), newChat(t), newChat(t)
	ch, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{WebhookURL: stakeHook.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	stakeHook.secret = ch.Secret
	for _, in := range []herald.SubscriberInput{{SlackURL: stakeSlack.srv.URL}, {TeamsURL: stakeTeams.srv.URL}, {MattermostURL: mmStake}} {
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	admin := herald.Actor{User: f.ann, Role: herald.RoleAdmin}
	tenant, err := f.db.Tenants.CreateTenant(f.ctx, admin, herald.TenantInput{Name: "Zephyr Gov", PrimaryRegion: "us-east-1",
		Compliance: compliance, Services: []string{f.svc.ID}})
	if err != nil {
		t.Fatal(err)
	}

	// The page: monitoring's words in its summary and details.
	if _, err := f.db.Paging.Enqueue(f.ctx, herald.Event{RoutingKey: f.svc.IntegrationKey, EventAction: "trigger", DedupKey: "ledger",
		Payload: &herald.EventPayload{Summary: "quartz-otter replica lag", Source: "prometheus", Severity: "critical",
			CustomDetails: json.RawMessage(`{"note":"marigold-falcon"}`)}}); err != nil {
		t.Fatal(err)
	}
	pages, _ := f.db.Paging.Pages(f.ctx, f.svc.ID, herald.PageTriggered, 1)
	if len(pages) != 1 {
		t.Fatalf("pages %v", pages)
	}

	// The incident, linked to the tenant, with its stakeholder notice, an
	// internal update and a first public update (whose reminder is the
	// prompt).
	ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
	inc, err := f.db.Incidents.DeclareIncident(f.ctx, ann, herald.DeclareInput{Title: "Zephyr ledger down", Severity: herald.S1, Summary: "Kestrel shards unreachable."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, admin, inc.ID, herald.TenantLinksInput{Tenants: []string{tenant.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Incidents.AssignRole(f.ctx, ann, inc.ID, herald.RoleCommunications, herald.RoleInput{User: f.ann.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Incidents.RecordDecision(f.ctx, ann, inc.ID, herald.DecisionInput{Kind: "severity", What: "Confirm S1", Rationale: "the whole ledger"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Subscribers.SendInternalUpdate(f.ctx, ann, inc.ID, herald.InternalUpdateInput{Body: "Kestrel shards failing over."}); err != nil {
		t.Fatal(err)
	}
	api := f.component(t, "Ledger")
	decideStatusPage(t, f.db, ann, inc.ID)
	if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, ann, herald.StatusIncidentInput{Name: "Elevated errors", IncidentID: inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}, false); err != nil {
		t.Fatal(err)
	}
	f.tick(t)
	f.clock.Advance(15 * time.Minute) // the next public update is due: the prompt
	f.tick(t)

	r := rule46Run{f: f, page: pages[0], inc: inc, channels: map[string][]string{}}
	for _, m := range f.mail.Messages(t) {
		r.channels["email"] = append(r.channels["email"], m.Subject+"\n"+f.mail.Text(t, m.ID))
	}
	r.channels["webhook"] = f.hook.bodies
	for _, b := range provider.bodies {
		var sent struct{ Data struct{ Kind string } }
		if err := json.Unmarshal([]byte(b), &sent); err != nil {
			t.Fatalf("a provider request that is not JSON: %v\n%s", err, b)
		}
		r.channels[sent.Data.Kind] = append(r.channels[sent.Data.Kind], b)
	}
	r.channels["slack"], r.channels["teams"] = slack.bodies(), teams.bodies()
	r.channels["stakeholder webhook"], r.channels["stakeholder slack"], r.channels["stakeholder teams"] = stakeHook.bodies, stakeSlack.bodies(), stakeTeams.bodies()
	r.channels["mattermost"], r.channels["stakeholder mattermost"] = mmBodies(mm.Hook(mmPerson)), mmBodies(mm.Hook(mmStake))
	// Each person's channel had the page and the prompt, each stakeholder
	// channel the notice and the update.
	for name, bodies := range r.channels {
		if len(bodies) != 2 {
			t.Fatalf("%s got %d messages: %q", name, len(bodies), bodies)
		}
	}
	if len(r.channels) != 11 || f.hook.bad+provider.bad+stakeHook.bad != 0 {
		t.Fatalf("channels %d, bad signatures %d", len(r.channels), f.hook.bad+provider.bad+stakeHook.bad)
	}
	return r
}

// An S1 of a FedRAMP tenant: on every channel, the page, the prompt and
// the stakeholder messages say the reference and the console link, and
// nothing of the tenant, the alert or the incident.
func TestRule46_FedRAMPTenantReachesEveryChannelAsReferenceAndLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		r := runRule46(t, d, herald.ComplianceFedRAMP)
		lk := r.f.db.Links()
		for name, bodies := range r.channels {
			for _, b := range bodies {
				for _, w := range rule46Secrets {
					if strings.Contains(b, w) {
						t.Errorf("%s carries %q: %s", name, w, b)
					}
				}
			}
			all := strings.Join(bodies, "\n")
			if strings.HasPrefix(name, "stakeholder") {
				if !strings.Contains(all, r.inc.Reference) || !strings.Contains(all, lk.Incident(r.inc.Reference)) {
					t.Errorf("%s lacks the reference or the link: %s", name, all)
				}
				continue
			}
			link := r.f.w.Links.Page(r.page.ID) // pages link as the worker does
			if name == "sms" || name == "voice" {
				link = "https://herald.example.com/ack/" // the one link a text carries: it acknowledges
			}
			if !strings.Contains(all, "page "+r.page.ID) || !strings.Contains(all, link) || !strings.Contains(all, r.inc.Reference) {
				t.Errorf("%s lacks the page's or the incident's reference, or the link: %s", name, all)
			}
		}
	})
}

// The same S1 of a standard tenant: every channel carries its words (what
// the test above would see if the restriction did nothing).
func TestRule46_StandardTenantReachesEveryChannelWithTheDetails(t *testing.T) {
	r := runRule46(t, store.SQLite, herald.ComplianceStandard)
	for name, bodies := range r.channels {
		// A prompt's text message is its subject, which names no tenant:
		// each channel's page or notice carries the details.
		all := strings.Join(bodies, "\n")
		found := false
		for _, w := range rule46Secrets {
			found = found || strings.Contains(all, w)
		}
		if !found {
			t.Errorf("%s carries none of the details: %s", name, all)
		}
	}
	if !strings.Contains(strings.Join(r.channels["webhook"], ""), "marigold-falcon") {
		t.Error("the page's webhook lacks its details")
	}
}

// mmBodies are the payloads a Mattermost incoming webhook took, as JSON.
func mmBodies(payloads []map[string]any) []string {
	var out []string
	for _, p := range payloads {
		b, _ := json.Marshal(p)
		out = append(out, string(b))
	}
	return out
}
