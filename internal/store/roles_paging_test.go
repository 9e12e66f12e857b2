package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// rolePaging binds each incident role to a service whose policy pages one
// person: the lead Bob, the engineer Alice, communications Carol.
// coverService makes Dave the support manager on call and his service the
// one that finds cover for engaged responders (R06).
func coverService(t *testing.T, f *fixture) herald.User {
	t.Helper()
	dave, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dave", Email: "dave@example.com"})
	pol, _ := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "support managers", Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 15, Targets: []herald.Target{{Type: "user", ID: dave.ID}}}}})
	f.service(t, "Support Manager On Call", pol.ID, nil)
	s, _ := f.db.Settings.Settings(f.ctx)
	s.CoverService = "Support Manager On Call"
	f.db.Settings.SaveSettings(f.ctx, s)
	return dave
}

func rolePaging(t *testing.T, f *fixture) {
	t.Helper()
	s, _ := f.db.Settings.Settings(f.ctx)
	for role, email := range map[string]string{herald.RoleIncidentLead: "bob@example.com", herald.RoleEngineerOnCall: "alice@example.com", herald.RoleCommunications: "carol@example.com"} {
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "policy " + role, Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: email}}}}})
		if err != nil {
			t.Fatal(err)
		}
		f.service(t, "Incident Management - "+role, pol.ID, nil)
		s.RoleServices[role] = "Incident Management - " + role
	}
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
}

func TestRule01_DeclaringPagesTheRoles(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		f.declare(t, herald.S3)
		if pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50); len(pages) != 0 {
			t.Fatalf("an S3 paged %d roles", len(pages))
		}
		inc := f.declare(t, herald.S1)
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		roles := map[string]*herald.Page{}
		for _, p := range pages {
			if p.IncidentID != inc.ID {
				t.Fatalf("page %+v is not linked to %s", p, inc.Reference)
			}
			roles[p.IncidentRole] = p
		}
		if len(roles) != 3 || roles[herald.RoleIncidentLead] == nil || roles[herald.RoleEngineerOnCall] == nil || roles[herald.RoleCommunications] == nil {
			t.Fatalf("paged roles %v", roles)
		}
		f.escalate(t)
		if got := notified(t, f, roles[herald.RoleIncidentLead].ID); got != "bob" {
			t.Fatalf("the incident lead's page reached %q", got)
		}
		// Bob answers after 4 minutes: the timeline says so, and he leads.
		f.clock.Advance(4 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, roles[herald.RoleIncidentLead].ID); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if a, ok := got.Role(herald.RoleIncidentLead); !ok || a.UserName != "Bob" {
			t.Fatalf("roles after the acknowledgement: %+v", got.Roles)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		var tta struct {
			TimeToAcknowledge int `json:"time_to_acknowledge_s"`
		}
		if len(tl) < 1 || !strings.Contains(tl[0].Text, "Bob acknowledged the page as Incident Lead after 4m0s") {
			t.Fatalf("timeline %+v", tl)
		}
		if err := json.Unmarshal(tl[0].Data, &tta); err != nil {
			t.Fatal(err)
		}
		if tta.TimeToAcknowledge != 240 {
			t.Fatalf("time to acknowledge %d s", tta.TimeToAcknowledge)
		}
		// Resolving a page does not resolve the incident (R02).
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.bob, roles[herald.RoleIncidentLead].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Incidents.Incident(f.ctx, inc.ID); got.State != herald.Investigating {
			t.Fatalf("the incident is %s after its page resolved", got.State)
		}
	})
}

func TestRule06_EngagedResponderIsCoveredBySupportManager(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		dave := coverService(t, f)

		// Alice is the engineer on a first incident...
		first := f.declare(t, herald.S2)
		f.db.Incidents.AssignRole(f.ctx, f.alice, first.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.alice.User.ID})
		f.escalate(t)
		// ... so a second one does not page her; the support manager finds cover.
		second := f.declare(t, herald.S2)
		f.escalate(t)
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		var eoc, cover *herald.Page
		for _, p := range pages {
			if p.IncidentID == second.ID && p.IncidentRole == herald.RoleEngineerOnCall {
				if strings.HasPrefix(p.Summary, "Cover needed") {
					cover = p
				} else {
					eoc = p
				}
			}
		}
		if eoc == nil || cover == nil {
			t.Fatalf("pages %+v", pages)
		}
		if got := notified(t, f, eoc.ID); got != "" {
			t.Fatalf("the engaged engineer was paged: %q", got)
		}
		ns, _ := f.db.Paging.Notifications(f.ctx, cover.ID)
		if len(ns) != 1 || ns[0].UserID != dave.ID {
			t.Fatalf("cover notifications %+v", ns)
		}
		if !strings.Contains(cover.Summary, "Alice (on "+first.Reference+")") {
			t.Fatalf("cover summary %q", cover.Summary)
		}
	})
}

// R04: the single-tenant communications role can share the CMOC rotation,
// and be split into its own later, by settings alone.
func TestRule04_DedicatedCommsSharesOrSplitsTheCMOCRotation(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		mk := func(name, email string) string {
			pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: name, Levels: []herald.EscalationLevel{
				{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: email}}}}})
			if err != nil {
				t.Fatal(err)
			}
			return f.service(t, name, pol.ID, nil).ID
		}
		cmoc := mk("CMOC", "carol@example.com")
		s, _ := f.db.Settings.Settings(f.ctx)
		s.IncidentRoles = append(s.IncidentRoles, herald.RoleDef{Key: "dedicated_comms", Name: "Dedicated Communications"})
		s.PageRoles[herald.S1] = []string{herald.RoleCommunications, "dedicated_comms"}
		s.RoleServices = map[string]string{herald.RoleCommunications: "CMOC", "dedicated_comms": "CMOC"}
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		f.declare(t, herald.S1)
		if pages, _ := f.db.Paging.Pages(f.ctx, cmoc, "", 10); len(pages) != 2 {
			t.Fatalf("shared rotation: %d pages on CMOC, want both roles", len(pages))
		}
		// Split: the dedicated role gets its own rotation.
		split := mk("GDCMOC", "bob@example.com")
		s.RoleServices["dedicated_comms"] = "GDCMOC"
		f.db.Settings.SaveSettings(f.ctx, s)
		inc := f.declare(t, herald.S1)
		pages, _ := f.db.Paging.Pages(f.ctx, split, "", 10)
		if len(pages) != 1 || pages[0].IncidentID != inc.ID || pages[0].IncidentRole != "dedicated_comms" {
			t.Fatalf("split rotation: %+v", pages)
		}
	})
}

// R07: when the engineer on call does not answer, the next engineer in the
// time zone is reached after 10 minutes, and then all of management.
func TestRule07_UnansweredEngineerEscalatesToColleagueThenManagement(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		dan, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dan", Email: "dan@example.com", Manager: true})
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "dedicated sre", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
			{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}},
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "carol@example.com"}, {Type: "user", ID: dan.Email}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		svc := f.service(t, "Dedicated", pol.ID, nil)
		f.enqueue(t, trigger(svc.IntegrationKey, "k", "tenant down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		f.escalate(t)
		f.clock.Advance(10 * time.Minute)
		f.escalate(t)
		if got := notified(t, f, pages[0].ID); got != "alice,bob" {
			t.Fatalf("after 10 minutes: %q", got)
		}
		f.clock.Advance(10 * time.Minute)
		f.escalate(t)
		ns, _ := f.db.Paging.Notifications(f.ctx, pages[0].ID)
		last := map[string]bool{}
		for _, n := range ns[2:] {
			last[n.UserID] = true
		}
		if len(ns) != 4 || !last[dan.ID] || !last[f.carol.User.ID] {
			t.Fatalf("management not paged together: %+v", ns)
		}
	})
}

func TestRule01_RaisingSeverityPagesTheRoles(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		inc := f.declare(t, herald.S3)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.alice.User.ID})
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, Severity: ptr(herald.S1), SeverityReason: "all tenants down"}); err != nil {
			t.Fatal(err)
		}
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 10)
		roles := map[string]bool{}
		for _, p := range pages {
			roles[p.IncidentRole] = true
		}
		// The engineer holds the role already: only the lead and comms are paged.
		if len(pages) != 2 || !roles[herald.RoleIncidentLead] || !roles[herald.RoleCommunications] {
			t.Fatalf("pages %+v", pages)
		}
		// Changing the severity again pages nobody twice.
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: cur.Version, Severity: ptr(herald.S2), SeverityReason: "contained"})
		if pages, _ := f.db.Paging.Pages(f.ctx, "", "", 10); len(pages) != 2 {
			t.Fatalf("%d pages after a second change", len(pages))
		}
	})
}
