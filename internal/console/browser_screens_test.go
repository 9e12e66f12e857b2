package console_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// What the screens table's rows show: one small organisation with a bit of
// everything (an S1 with roles, notes, a decision, labels, a follow-up, its
// status incident and its pages; components in a group; a maintenance;
// subscribers and a stakeholder channel; a schedule with an override; a
// policy and services; a person's contact methods, rules and a token), made
// once per env through the services, so each screen is walked by axe and
// the viewer with the forms and lists it has in use.

// world is the seeded organisation; its fields are what the rows open.
type world struct {
	incident    *herald.Incident
	status      string // the S1's status incident
	maintenance string
	schedule    string
	page        string
	person      string
	policy      string
	request     string
}

var (
	worldsMu sync.Mutex
	worlds   = map[*env]*world{}
)

// world seeds the organisation in e the first time a row asks for it.
func (e *env) world(t *testing.T) *world {
	t.Helper()
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if w, ok := worlds[e]; ok {
		return w
	}
	t.Cleanup(func() { worldsMu.Lock(); delete(worlds, e); worldsMu.Unlock() })
	w := &world{}
	ctx := context.Background()
	lead, admin := e.actor(herald.RoleResponder), e.actor(herald.RoleAdmin)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }

	// The status page: two components in a group, one alone.
	var comps []herald.Component
	for _, c := range []herald.ComponentInput{{Name: str("Payments API"), Group: str("Payments")}, {Name: str("Checkout web"), Group: str("Payments")}, {Name: str("Search")}} {
		comp, err := e.db.StatusPage.CreateComponent(ctx, admin, c)
		must(err)
		comps = append(comps, comp)
	}

	// An S1 with its roles, a note, a decision, labels, a follow-up and its
	// status incident; an S3 resolved.
	inc, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Payments fail", Severity: herald.S1,
		Summary: "Card payments answer 502.", Services: []string{"payments", "checkout"}, ChatURL: "https://chat.example.com/payments"})
	must(err)
	_, err = e.db.Incidents.AssignRole(ctx, lead, inc.Reference, herald.RoleIncidentLead, herald.RoleInput{User: e.people[herald.RoleResponder].ID})
	must(err)
	_, err = e.db.Incidents.AddNote(ctx, lead, inc.Reference, herald.NoteInput{Text: "Card processor answers slowly since 14:02."})
	must(err)
	_, err = e.db.Incidents.RecordDecision(ctx, lead, inc.Reference, herald.DecisionInput{Kind: herald.DecisionGeneral,
		What: "Route card payments to the second processor", Rationale: "The first one times out."})
	must(err)
	_, err = e.db.Incidents.Label(ctx, lead, inc.Reference, herald.LabelInput{Add: []string{"payments", "customer-facing"}})
	must(err)
	_, err = e.db.Incidents.AddFollowUp(ctx, lead, inc.Reference, herald.FollowUpInput{Title: str("Alert on processor latency"), Owner: str("responder@example.com")})
	must(err)
	decideStatusPage(t, e.db, lead, inc.ID)
	pv, err := e.db.StatusPage.CreateStatusIncident(ctx, lead, herald.StatusIncidentInput{Name: "Payments fail", IncidentID: inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "Some card payments fail; we are looking into it.",
			Components: map[string]herald.ComponentStatus{comps[0].ID: herald.PartialOutage}}}, false)
	must(err)
	w.status = pv.Incident.ID
	if w.incident, err = e.db.Incidents.Incident(ctx, inc.Reference); err != nil {
		t.Fatal(err)
	}
	old, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
	must(err)
	resolved := herald.Resolved
	_, err = e.db.Incidents.UpdateIncident(ctx, lead, old.Reference, herald.UpdateInput{Version: old.Version, State: &resolved})
	must(err)

	// A maintenance on the search component, with an update.
	from, until := e.clock.Now().Add(26*time.Hour), e.clock.Now().Add(28*time.Hour)
	m, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: str("Search index rebuild"), Body: str("Search may be slow."),
		ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{comps[2].ID}})
	must(err)
	_, err = e.db.Maintenances.PostMaintenanceUpdate(ctx, lead, m.ID, herald.MaintenanceUpdateInput{Body: "The rebuild starts on time."})
	must(err)
	w.maintenance = m.ID

	// A contact request from security on the S1, with a note.
	due := e.clock.Now().Add(3 * time.Hour)
	cr, err := e.db.Requests.OpenContactRequest(ctx, lead, herald.ContactRequestInput{From: "security", Recipients: []string{"admin@customer.example", "acme-ops"},
		Reason: "Their API keys may have been exposed", Message: "Please rotate your API keys today.\nWe will confirm when the fix is live.", DueAt: &due, Incident: w.incident.Reference})
	must(err)
	_, err = e.db.Requests.NoteContactRequest(ctx, lead, cr.ID, "Waiting for the security team's approval of the text.")
	must(err)
	w.request = cr.ID

	// Subscribers and a stakeholder channel.
	_, err = e.db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "customer@example.com", Confirmed: true}, true)
	must(err)
	_, err = e.db.Subscribers.Subscribe(ctx, herald.SubscriberInput{WebhookURL: "https://hooks.example.com/status"}, true)
	must(err)
	_, err = e.db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{Email: "board@example.com"})
	must(err)

	// A schedule with an override, a policy paging it, a service, and a
	// page on it acknowledged.
	sch, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Payments", TimeZone: "Europe/Berlin",
		Layers: []herald.Layer{{Name: "Weekdays", Rotation: herald.RotationDaily, HandoffTime: "09:00", Start: e.clock.Now().Add(-24 * time.Hour),
			Users: []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}}}})
	must(err)
	_, err = e.db.Schedules.AddOverride(ctx, lead, sch.ID, herald.OverrideInput{User: e.people[herald.RoleAdmin].ID,
		Start: e.clock.Now().Add(30 * time.Hour), End: e.clock.Now().Add(34 * time.Hour)})
	must(err)
	w.schedule = sch.ID
	svc := pagedService(t, e)
	w.policy = svc.EscalationPolicyID
	p := trigger(t, e, svc, "db-disk", "Disk 95% full on db-1")
	_, err = e.db.Paging.AcknowledgePage(ctx, lead, p.ID)
	must(err)
	trigger(t, e, svc, "api-5xx", "Payments API 5xx above 5%")
	w.page = p.ID

	// A person with contact methods and a notification rule (not one of
	// the env's people, whose pages the acknowledge row delivers at once),
	// and an API token.
	dana, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: "Dana Ops", Email: "dana@example.com", Role: herald.RoleResponder})
	must(err)
	w.person = dana.ID
	for _, m := range []herald.ContactMethodInput{{Kind: "email", Target: "dana@example.com"}, {Kind: "sms", Target: "+4915112345678"}} {
		cm, err := e.db.People.CreateContactMethod(ctx, dana.ID, m)
		must(err)
		_, err = e.db.People.AddNotificationRule(ctx, dana.ID, cm.ID, 0)
		must(err)
	}
	_, err = e.db.People.CreateToken(ctx, admin, herald.TokenInput{Name: "Alertmanager", Role: herald.RoleResponder})
	must(err)

	worlds[e] = w
	return w
}

// in is a row's open function for a path into the seeded world.
func in(p func(w *world) string) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string { return p(e.world(t)) }
}

// ackLink is the acknowledge link a page notification carried to the
// responder, delivered by the real worker (ack_test.go's pager).
func ackLink(t *testing.T, e *env) string {
	t.Helper()
	_, paths := newPager(t, e).page(t, "ack-screen", "Checkout 5xx above 5%")
	return paths[herald.RoleResponder]
}
