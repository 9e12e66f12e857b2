package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// pagedService is a service whose policy pages Alice, then Bob after 10
// minutes, with grouping off (so that on PostgreSQL a known service's new
// alerts take the batched path, openAlerts).
func pagedService(t *testing.T, f *fixture, name string) *herald.Service {
	t.Helper()
	pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "policy " + name, Levels: []herald.EscalationLevel{
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
		{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return f.service(t, name, pol.ID, &herald.Grouping{})
}

func (f *fixture) page(t *testing.T, svc *herald.Service, dedup string) *herald.Page {
	t.Helper()
	f.enqueue(t, trigger(svc.IntegrationKey, dedup, "Alert "+dedup))
	p, err := f.db.Paging.OpenPage(f.ctx, svc.ID, dedup)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pageLogKinds(t *testing.T, f *fixture, pageID string) (kinds []string, text string) {
	t.Helper()
	log, err := f.db.Paging.PageLog(f.ctx, pageID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		kinds = append(kinds, e.Kind)
		text += e.Text + "\n"
	}
	return kinds, text
}

func TestDeclareFromPage_LinksThePageAndTheRecordShowsItsAcknowledgement(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := pagedService(t, f, "Checkout")
		p := f.page(t, svc, "cpu")
		f.escalate(t)
		f.clock.Advance(3 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.alice, p.ID); err != nil {
			t.Fatal(err)
		}
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Checkout slow", Severity: herald.S3, Pages: []string{p.ID, p.ID}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Paging.Page(f.ctx, p.ID)
		if got.IncidentID != inc.ID {
			t.Fatalf("page incident = %q, want %s", got.IncidentID, inc.ID)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryPage)
		if len(tl) != 1 || !strings.Contains(tl[0].Text, `declared the incident from page "Alert cpu" of Checkout`) || !strings.Contains(tl[0].Text, "acknowledged by Alice after 3m0s") {
			t.Fatalf("timeline %+v", tl)
		}
		pages, err := f.db.Incidents.IncidentPages(f.ctx, inc.Reference)
		if err != nil || len(pages) != 1 {
			t.Fatalf("incident pages %+v %v", pages, err)
		}
		lp := pages[0]
		if lp.Service != "Checkout" || lp.Status != herald.PageAcknowledged || lp.AckedBy != "Alice" || lp.TimeToAcknowledgeS == nil || *lp.TimeToAcknowledgeS != 180 {
			t.Fatalf("linked page %+v", lp)
		}
		if len(lp.Escalations) != 1 || !strings.Contains(lp.Escalations[0].Text, "Level 1: paged Alice") {
			t.Fatalf("escalations %+v", lp.Escalations)
		}
		rec, err := f.db.Incidents.Export(f.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		md := rec.Markdown()
		if !strings.Contains(md, "## Pages") || !strings.Contains(md, "| Alert cpu | Checkout | acknowledged |") || !strings.Contains(md, "| 3m0s | ") || !strings.Contains(md, "Level 1: paged Alice") {
			t.Fatalf("export:\n%s", md)
		}
		if _, text := pageLogKinds(t, f, p.ID); !strings.Contains(text, "Alice declared "+inc.Reference+" from the page") {
			t.Fatalf("page log:\n%s", text)
		}
	})
}

func TestDeclareFromPage_UnknownPageDeclaresNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		_, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "x", Severity: herald.S3, Pages: []string{"nope"}})
		wantCode(t, err, herald.EInvalid)
		if list, _ := f.db.Incidents.Incidents(f.ctx, herald.ListFilter{}); len(list) != 0 {
			t.Fatalf("an incident was declared: %+v", list)
		}
	})
}

func TestLinkPage_AttachedLaterItsEscalationAndAckReachTheTimelineAndDetachIsRecorded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := pagedService(t, f, "Search")
		p := f.page(t, svc, "5xx")
		inc := f.declare(t, herald.S3)
		other := f.declare(t, herald.S3)
		_, err := f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: "nope"})
		wantCode(t, err, herald.EInvalid)
		got, err := f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: inc.Reference})
		if err != nil || got.IncidentID != inc.ID {
			t.Fatalf("link: %+v %v", got, err)
		}
		// Linked elsewhere already: detach first.
		_, err = f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: other.Reference})
		wantCode(t, err, herald.EConflict)

		f.escalate(t)
		f.clock.Advance(2 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.alice, p.ID); err != nil {
			t.Fatal(err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, "")
		var all []string
		for _, e := range tl {
			all = append(all, e.Kind+": "+e.Text)
		}
		joined := strings.Join(all, "\n")
		for _, want := range []string{
			`page: Bob linked page "Alert 5xx" of Search (triggered)`,
			`note: Page "Alert 5xx", level 1: paged Alice`,
			`role_change: Alice acknowledged the page "Alert 5xx" after 2m0s`,
		} {
			if !strings.Contains(joined, want) {
				t.Fatalf("timeline lacks %q:\n%s", want, joined)
			}
		}
		// A linked alert page has no role: acknowledging gives none.
		if i, _ := f.db.Incidents.Incident(f.ctx, inc.ID); len(i.Roles) != 0 {
			t.Fatalf("roles %+v", i.Roles)
		}

		got, err = f.db.Paging.UnlinkPage(f.ctx, f.carol, p.ID)
		if err != nil || got.IncidentID != "" {
			t.Fatalf("unlink: %+v %v", got, err)
		}
		_, err = f.db.Paging.UnlinkPage(f.ctx, f.carol, p.ID)
		wantCode(t, err, herald.EUnprocessable)
		if tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryPage); len(tl) != 2 || !strings.Contains(tl[1].Text, `Carol detached page "Alert 5xx"`) {
			t.Fatalf("page entries %+v", tl)
		}
		if pages, _ := f.db.Incidents.IncidentPages(f.ctx, inc.ID); len(pages) != 0 {
			t.Fatalf("still listed: %+v", pages)
		}
		// Now it may go to the other incident.
		if _, err := f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: other.Reference}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLinkPage_RolePageStaysWithItsIncident(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		inc := f.declare(t, herald.S1)
		pages, _ := f.db.Incidents.IncidentPages(f.ctx, inc.ID)
		if len(pages) != 3 || pages[0].Role == "" {
			t.Fatalf("role pages %+v", pages)
		}
		_, err := f.db.Paging.UnlinkPage(f.ctx, f.alice, pages[0].ID)
		wantCode(t, err, herald.EUnprocessable)
	})
}

func TestLinkPage_MonitoringAcknowledgementReachesTheTimeline(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := pagedService(t, f, "Queue")
		p := f.page(t, svc, "lag")
		inc := f.declare(t, herald.S3)
		if _, err := f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: inc.ID}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(90 * time.Second)
		f.enqueue(t, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "acknowledge", DedupKey: "lag"})
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		if len(tl) != 1 || tl[0].Text != `monitoring (Queue) acknowledged the page "Alert lag" after 1m30s` {
			t.Fatalf("timeline %+v", tl)
		}
	})
}

// maintenanceOn starts a maintenance of comp now (automation on).
func maintenanceOn(t *testing.T, f *fixture, name string, comp string, mute *bool, until time.Duration) *herald.Maintenance {
	t.Helper()
	m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: ptr(name), ScheduledFor: ptr(f.clock.Now()),
		ScheduledUntil: ptr(f.clock.Now().Add(until)), Components: &[]string{comp}, MutePaging: mute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID); m.Status != herald.MaintenanceInProgress {
		t.Fatalf("maintenance %s", m.Status)
	}
	return m
}

func TestMaintenance_MutesPagingOfItsComponentsServicesUntilItEnds(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		web := f.component(t, "Web", "")
		svc := pagedService(t, f, "API service")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{"nope"}}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("unknown component: %v", err)
		}
		s, err := f.db.Paging.SetServiceComponents(f.ctx, svc.Name, herald.ServiceComponentsInput{Components: []string{api.ID}})
		if err != nil || len(s.Components) != 1 || s.Components[0] != api.ID {
			t.Fatalf("components %+v %v", s, err)
		}
		other := pagedService(t, f, "Web service")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, other.ID, herald.ServiceComponentsInput{Components: []string{web.ID}}); err != nil {
			t.Fatal(err)
		}
		m := maintenanceOn(t, f, "Database upgrade", api.ID, nil, time.Hour)
		if !m.MutePaging {
			t.Fatal("mute_paging is not on by default")
		}
		// The first alert of the service is taken on its own, the next
		// ones (PostgreSQL) in the batched statement: both are muted.
		first := f.page(t, svc, "a")
		second := f.page(t, svc, "b")
		unrelated := f.page(t, other, "c")
		f.escalate(t)
		for _, p := range []*herald.Page{first, second} {
			p, _ = f.db.Paging.Page(f.ctx, p.ID)
			if !p.Muted || p.DuringMaintenance != m.ID || p.NextEscalation != nil || p.Status != herald.PageTriggered {
				t.Fatalf("page during maintenance %+v", p)
			}
			if got := notified(t, f, p.ID); got != "" {
				t.Fatalf("a muted page notified %q", got)
			}
			kinds, text := pageLogKinds(t, f, p.ID)
			if strings.Join(kinds, ",") != "triggered,muted" || !strings.Contains(text, `Muted: maintenance "Database upgrade" (`+m.ID+`) is in progress`) {
				t.Fatalf("log %v:\n%s", kinds, text)
			}
		}
		if p, _ := f.db.Paging.Page(f.ctx, unrelated.ID); p.Muted || notified(t, f, p.ID) != "alice" {
			t.Fatalf("a service outside the maintenance was muted: %+v", p)
		}
		// Someone looks at one of them during the window anyway.
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, second.ID); err != nil {
			t.Fatal(err)
		}
		// An hour on, the window closes: the page still open pages now.
		f.clock.Advance(time.Hour)
		if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
			t.Fatal(err)
		}
		p, _ := f.db.Paging.Page(f.ctx, first.ID)
		if p.Muted || p.DuringMaintenance != m.ID || p.NextEscalation == nil {
			t.Fatalf("after the maintenance %+v", p)
		}
		f.escalate(t)
		if got := notified(t, f, first.ID); got != "alice" {
			t.Fatalf("after the maintenance the page reached %q", got)
		}
		if _, text := pageLogKinds(t, f, first.ID); !strings.Contains(text, `Maintenance "Database upgrade" ended and the page is still open: escalation begins`) {
			t.Fatalf("log:\n%s", text)
		}
		if p, _ := f.db.Paging.Page(f.ctx, second.ID); p.Status != herald.PageAcknowledged || p.Muted || notified(t, f, p.ID) != "" {
			t.Fatalf("the acknowledged page %+v", p)
		}
		// After the window, the service pages as usual.
		if p := f.page(t, svc, "d"); p.Muted || p.DuringMaintenance != "" {
			t.Fatalf("after the window %+v", p)
		}
	})
}

func TestMaintenance_MutePagingOffPagesAsUsualAndTurningItOffReleases(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		svc := pagedService(t, f, "API service")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		loud := maintenanceOn(t, f, "Loud", api.ID, ptr(false), time.Hour)
		if loud.MutePaging {
			t.Fatal("mute_paging false was not kept")
		}
		if p := f.page(t, svc, "a"); p.Muted {
			t.Fatalf("muted with mute_paging off: %+v", p)
		}
		quiet := maintenanceOn(t, f, "Quiet", api.ID, nil, time.Hour)
		p := f.page(t, svc, "b")
		if !p.Muted || p.DuringMaintenance != quiet.ID {
			t.Fatalf("not muted: %+v", p)
		}
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, quiet.ID, herald.MaintenanceInput{MutePaging: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if p, _ = f.db.Paging.Page(f.ctx, p.ID); p.Muted || p.NextEscalation == nil {
			t.Fatalf("still muted after mute_paging was turned off: %+v", p)
		}
		if _, text := pageLogKinds(t, f, p.ID); !strings.Contains(text, `Maintenance "Quiet" stopped muting paging and the page is still open`) {
			t.Fatalf("log:\n%s", text)
		}
	})
}

func TestMaintenance_PageStaysMutedWhileAnotherMaintenanceCoversItsService(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		svc := pagedService(t, f, "API service")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		short := maintenanceOn(t, f, "Short", api.ID, nil, 30*time.Minute)
		long := maintenanceOn(t, f, "Long", api.ID, nil, 2*time.Hour)
		p := f.page(t, svc, "a")
		if p.DuringMaintenance != short.ID {
			t.Fatalf("muted by %q, want the first started", p.DuringMaintenance)
		}
		f.clock.Advance(31 * time.Minute)
		if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ = f.db.Paging.Page(f.ctx, p.ID); !p.Muted || p.DuringMaintenance != long.ID {
			t.Fatalf("after the short one: %+v", p)
		}
		f.escalate(t)
		if got := notified(t, f, p.ID); got != "" {
			t.Fatalf("notified %q", got)
		}
	})
}

func TestMaintenance_IncidentRolePagesAreNeverMuted(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		api := f.component(t, "API", "")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, "Incident Management - "+herald.RoleIncidentLead, herald.ServiceComponentsInput{Components: []string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		maintenanceOn(t, f, "Upgrade", api.ID, nil, time.Hour)
		inc := f.declare(t, herald.S1)
		pages, _ := f.db.Incidents.IncidentPages(f.ctx, inc.ID)
		for _, p := range pages {
			if p.Muted || p.DuringMaintenance != "" {
				t.Fatalf("role page muted: %+v", p)
			}
		}
	})
}

func TestMaintenance_EscalatingAMutedPageByHandPagesAndEndsTheMute(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		svc := pagedService(t, f, "API service")
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		maintenanceOn(t, f, "Upgrade", api.ID, nil, time.Hour)
		p := f.page(t, svc, "a")
		got, err := f.db.Paging.EscalatePage(f.ctx, f.carol, p.ID, 2)
		if err != nil || got.Muted || notified(t, f, p.ID) != "bob" {
			t.Fatalf("escalated %+v %v, notified %q", got, err, notified(t, f, p.ID))
		}
	})
}

// R06 covers the pages an incident sends for its roles; an alert page
// attached to another incident pages its policy as any alert does, rather
// than asking for cover for a role it does not have.
func TestRule06_AnAlertPageAttachedToAnIncidentIsNotACoverRequest(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		coverService(t, f)
		first := f.declare(t, herald.S3)
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, first.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.alice.User.ID}); err != nil {
			t.Fatal(err)
		}
		svc := pagedService(t, f, "Checkout")
		p := f.page(t, svc, "5xx")
		second := f.declare(t, herald.S3)
		if _, err := f.db.Paging.LinkPage(f.ctx, f.bob, p.ID, herald.PageLinkInput{Incident: second.ID}); err != nil {
			t.Fatal(err)
		}
		f.escalate(t)
		if got := notified(t, f, p.ID); got != "alice" {
			t.Fatalf("the attached page reached %q", got)
		}
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		for _, q := range pages {
			if strings.HasPrefix(q.Summary, "Cover needed") {
				t.Fatalf("a cover request was made: %+v", q)
			}
		}
	})
}

func TestMaintenance_ChangesWhileInProgressDecideWhichNewPagesAreMuted(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		web := f.component(t, "Web", "")
		svc := pagedService(t, f, "API service")
		m := maintenanceOn(t, f, "Upgrade", web.ID, nil, time.Hour)
		if p := f.page(t, svc, "a"); p.Muted {
			t.Fatal("muted before the service ran on a component under maintenance")
		}
		// The service is found to run on Web: its next page is muted.
		if _, err := f.db.Paging.SetServiceComponents(f.ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{web.ID}}); err != nil {
			t.Fatal(err)
		}
		if p := f.page(t, svc, "b"); !p.Muted || p.DuringMaintenance != m.ID {
			t.Fatalf("after mapping the service: %+v", p)
		}
		// The maintenance now covers API only: the service pages again.
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Components: &[]string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		if p := f.page(t, svc, "c"); p.Muted {
			t.Fatalf("after the maintenance left the service's component: %+v", p)
		}
	})
}
