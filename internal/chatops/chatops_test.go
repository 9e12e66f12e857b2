package chatops_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type env struct {
	ctx   context.Context
	clock *testdb.Clock
	db    *store.DB
	x     *chatops.Executor
	// People: Alice, Bob, Carol (manager) and Dave respond; Vera views.
	alice, bob, carol, dave, vera herald.Actor
}

// slackResolver is what the Slack adapter will provide: <@U..> to e-mail.
type slackResolver map[string]string

func (r slackResolver) ResolveMention(_ context.Context, m string) (string, error) {
	if e, ok := r[m]; ok {
		return e, nil
	}
	return "", herald.Errorf(herald.EInvalid, "%s is nobody Herald knows", m)
}

// setup pages each incident role through a two-level policy (the person,
// then Dave) and sets a call bridge template.
func setup(t *testing.T, d store.Dialect) *env {
	t.Helper()
	e := &env{ctx: context.Background(), clock: testdb.NewClock()}
	e.db = testdb.Open(t, d, e.clock)
	e.x = &chatops.Executor{Services: e.db.Services(), Links: links.New("https://herald.test"), Now: e.clock.Now}
	mk := func(name string, role herald.APIRole, manager bool) herald.Actor {
		u, err := e.db.People.CreateUser(e.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Role: role, Manager: manager})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.People.CreateContactMethod(e.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
			t.Fatal(err)
		}
		return herald.Actor{User: u, Role: u.Role}
	}
	e.alice, e.bob, e.carol = mk("Alice", herald.RoleResponder, false), mk("Bob", herald.RoleResponder, false), mk("Carol", herald.RoleResponder, true)
	e.dave, e.vera = mk("Dave", herald.RoleResponder, false), mk("Vera", herald.RoleViewer, false)
	s, err := e.db.Settings.Settings(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for role, who := range map[string]string{herald.RoleIncidentLead: "bob@example.com", herald.RoleEngineerOnCall: "alice@example.com", herald.RoleCommunications: "carol@example.com"} {
		pol, err := e.db.Paging.CreateEscalationPolicy(e.ctx, herald.EscalationPolicyInput{Name: "policy " + role, Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: who}}},
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "dave@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Paging.CreateService(e.ctx, herald.ServiceInput{Name: "IM " + role, EscalationPolicyID: pol.ID}); err != nil {
			t.Fatal(err)
		}
		s.RoleServices[role] = "IM " + role
	}
	s.Chat.Bridge = herald.BridgeSettings{Provider: herald.BridgeURLTemplate, Template: "https://meet.example.org/herald-{reference}"}
	if _, err := e.db.Settings.SaveSettings(e.ctx, s); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) run(t *testing.T, a herald.Actor, text string) herald.ChatReply {
	t.Helper()
	r, err := e.x.Run(e.ctx, a, chatops.Request{Text: text, Platform: herald.ChatSlack, Channel: "C-INC", Resolver: slackResolver{"<@UALICE>": "alice@example.com"}})
	if err != nil {
		t.Fatalf("%s: %q: %v", a.User.Name, text, err)
	}
	return r
}

func (e *env) refused(t *testing.T, a herald.Actor, text, code, msg string) {
	t.Helper()
	_, err := e.x.Run(e.ctx, a, chatops.Request{Text: text, Platform: herald.ChatSlack, Channel: "C-INC"})
	if herald.ErrorCode(err) != code || !strings.Contains(err.Error(), msg) {
		t.Fatalf("%s: %q: got %v, want %s containing %q", a.User.Name, text, err, code, msg)
	}
}

func field(r herald.ChatReply, label string) string {
	for _, f := range r.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

func TestChatops_EveryCommandThroughTheStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		ctx := e.ctx

		// declare creates the incident, pages the roles per the settings
		// and answers with the call bridge.
		r := e.run(t, e.alice, "declare S1 Checkout is down")
		inc, err := e.db.Incidents.Incident(ctx, r.Incident)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Title != "Checkout is down" || inc.Severity != herald.S1 || inc.Reference != "INC-1" {
			t.Fatalf("declared %+v", inc)
		}
		if want := "https://meet.example.org/herald-INC-1"; inc.BridgeURL != want || field(r, "Call") != want {
			t.Fatalf("bridge %q, reply call %q", inc.BridgeURL, field(r, "Call"))
		}
		pages, _ := e.db.Incidents.IncidentPages(ctx, inc.Reference)
		if len(pages) != 3 || field(r, "Paged") == "" {
			t.Fatalf("paged %d roles, reply %+v", len(pages), r.Fields)
		}
		if r.Link != "https://herald.test/app/incidents/INC-1" || len(r.Actions) == 0 || r.Actions[0].Command != "ack INC-1" {
			t.Fatalf("declare reply %+v", r)
		}
		if _, err := e.db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}

		// Outside the incident's channel the incident must be named.
		e.refused(t, e.bob, "ack", herald.EInvalid, "which incident?")
		if err := e.db.Chat.BindChannel(ctx, herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: "C-INC", Incident: "INC-1"}); err != nil {
			t.Fatal(err)
		}

		// ack: Bob acknowledges the page that reached him, which makes
		// him the incident lead; the other role pages stay open.
		e.run(t, e.bob, "ack")
		inc, _ = e.db.Incidents.Incident(ctx, "INC-1")
		if lead, ok := inc.Role(herald.RoleIncidentLead); !ok || lead.UserID != e.bob.User.ID {
			t.Fatalf("roles after ack: %+v", inc.Roles)
		}
		pages, _ = e.db.Incidents.IncidentPages(ctx, "INC-1")
		for _, p := range pages {
			if want := map[bool]herald.PageStatus{true: herald.PageAcknowledged, false: herald.PageTriggered}[p.Role == herald.RoleIncidentLead]; p.Status != want {
				t.Fatalf("page %s is %s", p.Role, p.Status)
			}
		}
		e.refused(t, e.bob, "ack", herald.EUnprocessable, "none of INC-1's open pages reached you")

		// escalate pages the next level of the newest open page: Dave.
		r = e.run(t, e.bob, "escalate")
		if !strings.Contains(r.Text, "to level 2") {
			t.Fatalf("escalate: %q", r.Text)
		}
		if _, err := e.db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}
		last := pages[len(pages)-1]
		ns, _ := e.db.Paging.Notifications(ctx, last.ID)
		if len(ns) == 0 || ns[len(ns)-1].UserID != e.dave.User.ID {
			t.Fatalf("after escalate, %s's notifications: %+v", last.Role, ns)
		}

		// role: a viewer is refused and nothing changes; a responder
		// assigns through a platform mention.
		e.refused(t, e.vera, "role eoc <@UALICE>", herald.EForbidden, "role needs the responder role in Herald; Vera is a viewer")
		r = e.run(t, e.bob, "role Engineer on Call <@UALICE>")
		inc, _ = e.db.Incidents.Incident(ctx, "INC-1")
		if eoc, ok := inc.Role(herald.RoleEngineerOnCall); !ok || eoc.UserID != e.alice.User.ID || !strings.Contains(r.Text, "Alice is now the Engineer on Call") {
			t.Fatalf("eoc: %+v, reply %q", inc.Roles, r.Text)
		}
		e.refused(t, e.bob, "role ghost alice@example.com", herald.EInvalid, `no incident role "ghost"`)

		// decision: lands on the timeline with its rationale.
		e.run(t, e.bob, "decision roll back 4.2 because errors began with the deploy")
		ds, _ := e.db.Incidents.Decisions(ctx, "INC-1")
		if len(ds) != 1 || ds[0].Decision.What != "roll back 4.2" || ds[0].Decision.Rationale != "errors began with the deploy" || ds[0].Decision.DecidedBy != e.bob.User.ID {
			t.Fatalf("decisions %+v", ds)
		}

		// severity: refused to whoever the authority rule does not allow,
		// with the API's own message; the incident lead may.
		e.refused(t, e.vera, "severity S2 because only EU", herald.EForbidden, "needs the responder role")
		sev := herald.S2
		_, apiErr := e.db.Incidents.UpdateIncident(ctx, e.carol, "INC-1", herald.UpdateInput{Version: inc.Version, Severity: &sev, SeverityReason: "only EU"})
		e.refused(t, e.carol, "severity S2 because only EU", herald.EForbidden, apiErr.(*herald.Error).Message)
		e.run(t, e.bob, "severity s2 because only the EU region is affected")
		inc, _ = e.db.Incidents.Incident(ctx, "INC-1")
		if inc.Severity != herald.S2 {
			t.Fatalf("severity %s", inc.Severity)
		}

		// follow-up and note.
		e.run(t, e.alice, "follow-up alert on queue depth")
		e.run(t, e.alice, "note INC-1 the queue drained at 10:02")
		fus, _ := e.db.Incidents.FollowUps(ctx, "INC-1")
		notes, _ := e.db.Incidents.Timeline(ctx, "INC-1", herald.EntryNote)
		if len(fus) != 1 || fus[0].Title != "alert on queue depth" || len(notes) == 0 || notes[len(notes)-1].Text != "the queue drained at 10:02" || notes[len(notes)-1].ActorID != e.alice.User.ID {
			t.Fatalf("follow-ups %+v, %d notes", fus, len(notes))
		}

		// status: the composer, then a checked text, then R10's refusal
		// as the API gives it, then the publication once decided.
		r = e.run(t, e.vera, "status")
		if r.Composer == nil || r.Composer.Limits.BeforeLink != 220 || r.Composer.Limits.Total != 280 || len(r.Composer.Templates) == 0 || !r.Private {
			t.Fatalf("composer %+v", r.Composer)
		}
		if tm := r.Composer.Templates[0]; strings.Contains(tm.Text, "{") {
			t.Fatalf("template not filled: %+v", tm)
		}
		long := "status " + strings.Repeat("very ", 60)
		r = e.run(t, e.bob, long)
		if len(r.Actions) != 0 || !strings.Contains(r.Text, "cannot be published") || !strings.Contains(r.Text, "body_length") {
			t.Fatalf("long status: %+v", r)
		}
		r = e.run(t, e.bob, "status We are investigating errors at checkout.")
		if len(r.Actions) != 1 || !r.Actions[0].Confirm || r.Composer == nil || len(r.Composer.Checks) == 0 {
			t.Fatalf("status preview: %+v", r)
		}
		if sis, _ := e.db.StatusPage.StatusIncidents(ctx, 10); len(sis) != 0 {
			t.Fatalf("published without confirmation: %d", len(sis))
		}
		confirm := chatops.Request{Text: r.Actions[0].Command, Confirm: true}
		_, err = e.x.Run(ctx, e.alice, confirm)
		if herald.ErrorCode(err) != herald.EForbidden || !strings.Contains(err.Error(), "R10") {
			t.Fatalf("first update without the decision: %v", err)
		}
		if _, err := e.db.Incidents.RecordDecision(ctx, e.bob, "INC-1", herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "status page", Rationale: "customers see it"}); err != nil {
			t.Fatal(err)
		}
		if r, err = e.x.Run(ctx, e.alice, confirm); err != nil {
			t.Fatal(err)
		}
		sis, _ := e.db.StatusPage.StatusIncidents(ctx, 10)
		if len(sis) != 1 || sis[0].IncidentID != inc.ID || !strings.Contains(r.Text, "published") {
			t.Fatalf("status incidents %+v, reply %q", sis, r.Text)
		}
		// The next update goes to the open status incident.
		if r = e.run(t, e.bob, "status"); r.Composer.StatusIncidentID != sis[0].ID {
			t.Fatalf("composer of the open status incident: %+v", r.Composer)
		}
		if _, err = e.x.Run(ctx, e.bob, chatops.Request{Text: "status INC-1 We have found the cause.", Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if si, _ := e.db.StatusPage.StatusIncident(ctx, sis[0].ID); len(si.Updates) != 2 || !strings.Contains(si.Updates[0].Body, "found the cause") {
			t.Fatalf("updates %+v", si.Updates)
		}

		// handover summarises for whoever takes over.
		r = e.run(t, e.vera, "handover")
		for _, want := range []string{"Handover of INC-1 (S2", "roll back 4.2", "Open follow-up: alert on queue depth", "Bob"} {
			if !strings.Contains(r.Text, want) {
				t.Fatalf("handover lacks %q:\n%s", want, r.Text)
			}
		}

		// page: a service's responders, as the API's manual page.
		e.run(t, e.alice, "page \"IM eoc\" payments fail for 5% of users")
		all, _ := e.db.Paging.Pages(ctx, "", "", 50)
		if all[0].Summary != "payments fail for 5% of users" || all[0].Status != herald.PageTriggered {
			t.Fatalf("page %+v", all[0])
		}
		e.refused(t, e.alice, "page nowhere x", herald.EInvalid, `no service "nowhere"`)

		// oncall and help read only.
		if r = e.run(t, e.vera, "oncall"); r.Text != "There are no schedules." {
			t.Fatalf("oncall %q", r.Text)
		}
		if _, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Primary DB", Layers: []herald.Layer{{Rotation: herald.RotationWeekly,
			HandoffTime: "09:00", Start: e.clock.Now().Add(-time.Hour), Users: []string{"dave@example.com"}}}}); err != nil {
			t.Fatal(err)
		}
		if r = e.run(t, e.vera, "oncall primary db"); len(r.Fields) != 1 || r.Fields[0].Label != "Primary DB" || !strings.HasPrefix(r.Fields[0].Value, "Dave until ") {
			t.Fatalf("oncall schedule: %+v", r)
		}
		e.refused(t, e.vera, "oncall nowhere", herald.ENotFound, "")
		if r = e.run(t, e.vera, "help role"); !strings.Contains(r.Text, "role [INC-n] <role> @person") {
			t.Fatalf("help %q", r.Text)
		}

		// resolve: as the API's state change.
		e.refused(t, e.vera, "resolve", herald.EForbidden, "needs the responder role")
		e.run(t, e.bob, "resolve")
		inc, _ = e.db.Incidents.Incident(ctx, "INC-1")
		if inc.State != herald.Resolved {
			t.Fatalf("state %s", inc.State)
		}
	})
}

func TestChatops_Identify(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		ctx := e.ctx
		// A verified e-mail address links at once; the link holds after.
		a, reply, err := e.x.Identify(ctx, herald.ChatSlack, "T1", "UALICE", "alice", "Alice@Example.com")
		if err != nil || reply != nil || a.User.ID != e.alice.User.ID || a.Role != herald.RoleResponder {
			t.Fatalf("by e-mail: %+v %+v %v", a, reply, err)
		}
		if a, _, _ = e.x.Identify(ctx, herald.ChatSlack, "T1", "UALICE", "alice", ""); a.User.ID != e.alice.User.ID {
			t.Fatalf("linked identity: %+v", a)
		}
		// The same user id in another workspace is another person.
		_, reply, err = e.x.Identify(ctx, herald.ChatSlack, "T2", "UALICE", "alice", "")
		if err != nil || reply == nil {
			t.Fatalf("another workspace: %+v %v", reply, err)
		}

		// An unknown person gets a one-time console link.
		_, reply, err = e.x.Identify(ctx, herald.ChatMattermost, "", "mm-vera", "vera", "unknown@example.org")
		if err != nil || reply == nil || !reply.Private || !strings.Contains(reply.Text, "nobody in Herald has the e-mail address unknown@example.org") ||
			!strings.HasPrefix(reply.Link, "https://herald.test/app/chat/link?code=") {
			t.Fatalf("unknown: %+v %v", reply, err)
		}
		code := strings.TrimPrefix(reply.Link, "https://herald.test/app/chat/link?code=")
		if l, err := e.db.Chat.ChatLinkCode(ctx, code); err != nil || l.ChatUser != "mm-vera" || l.Platform != herald.ChatMattermost {
			t.Fatalf("code: %+v %v", l, err)
		}
		id, err := e.db.Chat.ConfirmChatLink(ctx, e.vera, code)
		if err != nil || id.UserID != e.vera.User.ID || id.Via != "link" {
			t.Fatalf("confirm: %+v %v", id, err)
		}
		// Single use.
		if _, err := e.db.Chat.ConfirmChatLink(ctx, e.bob, code); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("second use: %v", err)
		}
		a, reply, _ = e.x.Identify(ctx, herald.ChatMattermost, "", "mm-vera", "vera", "")
		if reply != nil || a.User.ID != e.vera.User.ID || a.Role != herald.RoleViewer {
			t.Fatalf("after linking: %+v %+v", a, reply)
		}
		// A viewer linked from chat is refused what needs a responder.
		if _, err := e.x.Run(ctx, a, chatops.Request{Text: "declare S3 x"}); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("viewer declares: %v", err)
		}

		// Expiry: a code is worth ChatLinkTTL.
		_, reply, _ = e.x.Identify(ctx, herald.ChatTeams, "tenant", "teams-bob", "bob", "")
		code = strings.TrimPrefix(reply.Link, "https://herald.test/app/chat/link?code=")
		e.clock.Advance(herald.ChatLinkTTL + time.Second)
		if _, err := e.db.Chat.ConfirmChatLink(ctx, e.bob, code); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("expired code: %v", err)
		}
		if _, err := e.db.Chat.ConfirmChatLink(ctx, e.bob, "made-up"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown code: %v", err)
		}
		if ids, _ := e.db.Chat.ChatIdentities(ctx, e.bob.User.ID); len(ids) != 0 {
			t.Fatalf("bob linked: %+v", ids)
		}
	})
}

// R01: the declaration gives the incident its call bridge, from the
// settings' template (chat.bridge), without any vendor API.
func TestRule01_DeclaringMakesTheCallBridgeFromTheTemplate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		inc, err := e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: "Payments: EU down", Severity: herald.S4})
		if err != nil || inc.BridgeURL != "https://meet.example.org/herald-"+inc.Reference {
			t.Fatalf("%+v %v", inc, err)
		}
		if got, _ := e.db.Incidents.Incident(e.ctx, inc.ID); got.BridgeURL != inc.BridgeURL {
			t.Fatalf("stored bridge %q", got.BridgeURL)
		}
		// A bridge given at the declaration wins over the template.
		inc, err = e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: "x", Severity: herald.S4, BridgeURL: "https://call.example.org/standing"})
		if err != nil || inc.BridgeURL != "https://call.example.org/standing" {
			t.Fatalf("%+v %v", inc, err)
		}
		s, _ := e.db.Settings.Settings(e.ctx)
		s.Chat.Bridge = herald.BridgeSettings{}
		if _, err := e.db.Settings.SaveSettings(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		r, err := e.x.Run(e.ctx, e.alice, chatops.Request{Text: "declare S4 no bridge"})
		if err != nil || field(r, "Call") != "" {
			t.Fatalf("%+v %v", r, err)
		}
		if got, _ := e.db.Incidents.Incident(e.ctx, r.Incident); got.BridgeURL != "" {
			t.Fatalf("bridge %q", got.BridgeURL)
		}
		s.Chat.Bridge = herald.BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/{title}"}
		if _, err := e.db.Settings.SaveSettings(e.ctx, s); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("bad template saved: %v", err)
		}
	})
}

// R50 from chat: a decision without its rationale is refused with the
// usage line and records nothing; with "because" it is recorded with it.
func TestRule50_ChatDecisionsCarryTheirRationale(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		r := e.run(t, e.alice, "declare S3 Search is slow")
		_, err := e.x.Run(e.ctx, e.alice, chatops.Request{Text: "decision rebuild the index", Incident: r.Incident})
		if herald.ErrorCode(err) != herald.EInvalid || !strings.Contains(err.Error(), "because <why>") {
			t.Fatalf("without rationale: %v", err)
		}
		if ds, _ := e.db.Incidents.Decisions(e.ctx, r.Incident); len(ds) != 0 {
			t.Fatalf("recorded %+v", ds)
		}
		if _, err := e.x.Run(e.ctx, e.alice, chatops.Request{Text: "Decision: rebuild the index because it is corrupt", Incident: r.Incident}); err != nil {
			t.Fatal(err)
		}
		ds, _ := e.db.Incidents.Decisions(e.ctx, r.Incident)
		if len(ds) != 1 || ds[0].Decision.What != "rebuild the index" || ds[0].Decision.Rationale != "it is corrupt" || !strings.Contains(ds[0].Entry.Text, "it is corrupt") {
			t.Fatalf("decisions %+v", ds)
		}
	})
}

// The incident-management channel is read by more people than an
// incident's own: a confidential incident's announcement carries only
// its reference and console link (no title, severity, people, call or
// channel name, which holds the title); a public one's is the incident
// card with its channel to join.
func TestAnnouncementCard_ConfidentialCarriesOnlyReferenceAndLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		secret, err := e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: "Payroll data exposed", Severity: herald.S1, Confidential: true})
		if err != nil {
			t.Fatal(err)
		}
		public, err := e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		c := e.x.AnnouncementCard(secret, "#inc-1-payroll-data-exposed")
		if c.Text != secret.Reference+" is a confidential incident: read it in Herald." || len(c.Fields) != 0 || c.Link != "https://herald.test/app/incidents/"+secret.Reference ||
			len(c.Actions) != 1 || c.Actions[0].URL != c.Link || c.Actions[0].Command != "" {
			t.Fatalf("confidential: %+v", c)
		}
		p := e.x.AnnouncementCard(public, "#inc-2-search-is-slow")
		if !strings.Contains(p.Text, "declared: Search is slow. Join #inc-2-search-is-slow.") || field(p, "Severity") != "S3" {
			t.Fatalf("public: %+v", p)
		}
		if edit := e.x.AnnouncementCard(public, ""); edit.Text != e.x.IncidentCard(public).Text {
			t.Fatalf("edit: %+v", edit)
		}
	})
}
