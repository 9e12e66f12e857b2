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

// promptly fails the test when fn does not return within seconds. An
// evaluation that spins would otherwise hold SQLite's only writer and hang
// every test after it. fn runs on another goroutine: it reports with
// t.Errorf.
func promptly(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

// A database that already holds a layer starting in 1700 (written by a
// version that did not check starts) wedges nothing: the escalation step
// that evaluates it returns and pages whoever is on call, and the repair
// that replaces the layer goes through. Out-of-range times are refused on
// input, naming the field.
func TestSchedule_BadRowFromAnOlderVersionWedgesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		old := []herald.Layer{{Name: "nights", Rotation: herald.RotationCustom, LengthHours: 12,
			Start: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), Users: []string{f.alice.User.ID}}}
		b, _ := json.Marshal(old)
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE schedules SET layers = $1 WHERE name = 'EOC'`, string(b)); err != nil {
			t.Fatal(err)
		}
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "Tenant acme is down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		promptly(t, "the escalation step", func() {
			if _, err := f.db.Work.RunEscalations(f.ctx); err != nil {
				t.Error(err)
			}
		})
		if got := notified(t, f, pages[0].ID); got != "alice,carol(shadow)" {
			t.Fatalf("level 1 paged %q", got)
		}

		// The same start is refused on input, naming the field...
		in := herald.ScheduleInput{Name: "EOC", Layers: old}
		_, err := f.db.Schedules.UpdateSchedule(f.ctx, "EOC", in)
		var he *herald.Error
		if !asError(err, &he) || he.Code != herald.EInvalid || !strings.Contains(he.Fields["layers"], "start must be between 2000-01-01 and 2200-01-01") {
			t.Fatalf("a layer from 1700: %v", err)
		}
		// ... and the repair goes through.
		in.Layers[0].Start = f.clock.Now()
		promptly(t, "the repair", func() {
			if _, err := f.db.Schedules.UpdateSchedule(f.ctx, "EOC", in); err != nil {
				t.Error(err)
			}
		})

		// Overrides and maintenance windows: the same range.
		for _, o := range []herald.OverrideInput{
			{User: "bob@example.com", Start: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), End: f.clock.Now().Add(time.Hour)},
			{User: "bob@example.com", Start: f.clock.Now(), End: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		} {
			_, err := f.db.Schedules.AddOverride(f.ctx, f.alice, "EOC", o)
			if !asError(err, &he) || he.Code != herald.EInvalid || (he.Fields["start"] == "" && he.Fields["end"] == "") {
				t.Fatalf("override %s to %s: %v", o.Start, o.End, err)
			}
		}
		name, from, until := "Database upgrade", f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until,
			Reminders: &[]herald.Duration{herald.Duration(30 * time.Minute)}})
		if err != nil {
			t.Fatal(err)
		}
		bad := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err = f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{ScheduledFor: &bad})
		if !asError(err, &he) || he.Fields["scheduled_for"] == "" {
			t.Fatalf("maintenance from 1700: %v", err)
		}
		// A window from 1700 already stored runs its course at once.
		if _, err := f.db.SQL().ExecContext(f.ctx, `UPDATE maintenances SET scheduled_for = $1, scheduled_until = $2 WHERE id = $3`,
			bad.UnixMicro(), bad.Add(time.Hour).UnixMicro(), m.ID); err != nil {
			t.Fatal(err)
		}
		promptly(t, "maintenance automation", func() {
			if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
				t.Error(err)
			}
		})
		if got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID); got.Status != herald.MaintenanceCompleted {
			t.Fatalf("the maintenance from 1700 is %s", got.Status)
		}
	})
}

// R03: a shadow learns by watching. Like acknowledging, resolving or
// escalating the page would act for the responder on call.
func TestRule03_ShadowCannotResolveOrEscalate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		f.enqueue(t, trigger(svc.IntegrationKey, "down", "down"))
		pages, _ := f.db.Paging.Pages(f.ctx, svc.ID, "", 1)
		id := pages[0].ID
		f.escalate(t)
		_, err := f.db.Paging.ResolvePage(f.ctx, f.carol, id)
		wantCode(t, err, herald.EForbidden)
		_, err = f.db.Paging.EscalatePage(f.ctx, f.carol, id, 2)
		wantCode(t, err, herald.EForbidden)
		if p, _ := f.db.Paging.Page(f.ctx, id); p.Status != herald.PageTriggered || p.Level != 0 {
			t.Fatalf("the shadow's attempts changed the page: %+v", p)
		}
		if got := notified(t, f, id); got != "alice,carol(shadow)" {
			t.Fatalf("the shadow's escalation paged %q", got)
		}
		// The responder on call may do both.
		if _, err := f.db.Paging.EscalatePage(f.ctx, f.alice, id, 2); err != nil {
			t.Fatal(err)
		}
		if p, err := f.db.Paging.ResolvePage(f.ctx, f.alice, id); err != nil || p.Status != herald.PageResolved {
			t.Fatalf("resolve by the responder: %+v %v", p, err)
		}
	})
}

// R06: the support manager who acknowledges a "cover needed" page finds
// cover; they do not become the engineer on call (or the lead) themselves.
func TestRule06_CoverAckDoesNotTakeRole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		dave := coverService(t, f)

		// Bob leads and Alice engineers a first incident; a second one
		// needs cover for both roles.
		first := f.declare(t, herald.S2)
		f.db.Incidents.AssignRole(f.ctx, f.alice, first.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.bob.User.ID})
		f.db.Incidents.AssignRole(f.ctx, f.alice, first.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.alice.User.ID})
		f.escalate(t)
		second := f.declare(t, herald.S2)
		f.escalate(t)
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		covers := 0
		for _, p := range pages {
			if p.IncidentID != second.ID || !strings.HasPrefix(p.Summary, "Cover needed") {
				continue
			}
			covers++
			f.clock.Advance(time.Minute)
			if _, err := f.db.Paging.AcknowledgePage(f.ctx, herald.Actor{User: dave, Role: herald.RoleResponder}, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if covers != 2 {
			t.Fatalf("%d cover pages, want one for the lead and one for the engineer", covers)
		}
		inc, _ := f.db.Incidents.Incident(f.ctx, second.ID)
		for _, role := range []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall} {
			if a, ok := inc.Role(role); ok {
				t.Errorf("acknowledging the cover page made %s the %s", a.UserName, role)
			}
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, second.ID, "")
		found := false
		var texts []string
		for _, e := range tl {
			texts = append(texts, e.Text)
			if strings.Contains(e.Text, "Dave acknowledged the request to find cover as Incident Lead") {
				found = true
			}
			if strings.Contains(e.Text, "Dave is now") {
				t.Errorf("timeline: %s", e.Text)
			}
		}
		if !found {
			t.Fatalf("the timeline does not record the cover acknowledgement:\n%s", strings.Join(texts, "\n"))
		}
		// Whoever Dave finds takes the role.
		if _, err := f.db.Incidents.AssignRole(f.ctx, herald.Actor{User: dave, Role: herald.RoleResponder}, second.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.carol.User.ID}); err != nil {
			t.Fatal(err)
		}
		if inc, _ := f.db.Incidents.Incident(f.ctx, second.ID); func() bool { a, ok := inc.Role(herald.RoleIncidentLead); return !ok || a.UserName != "Carol" }() {
			t.Fatalf("roles %+v", inc.Roles)
		}
	})
}

// R51: the decider is whoever records the decision, and authority is
// theirs. Naming an authorised person (on_behalf_of) is recorded beside
// them and lends nothing.
func TestRule51_DeciderIsTheCaller(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		f.qualify(t, f.alice, herald.QualificationFailover)
		failover := herald.DecisionInput{Kind: herald.DecisionFailover, What: "fail over", Rationale: "faster than restore", OnBehalfOf: "alice@example.com"}
		// Bob is not the lead: naming Alice does not make the failover his to record.
		_, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		if tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryDecision); len(tl) != 0 {
			t.Fatalf("a refused decision was recorded: %+v", tl)
		}
		// A general decision in Alice's name is recorded as Bob's, for Alice.
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{What: "page the database team", Rationale: "replication lag", OnBehalfOf: "alice@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		var dec herald.Decision
		if err := json.Unmarshal(e.Data, &dec); err != nil {
			t.Fatal(err)
		}
		if dec.DecidedBy != f.bob.User.ID || dec.DecidedByName != "Bob" || dec.OnBehalfOf != f.alice.User.ID || dec.OnBehalfOfName != "Alice" ||
			e.Text != "Decision (Bob, on behalf of Alice): page the database team. Rationale: replication lag" {
			t.Fatalf("decision %s %+v", e.Text, dec)
		}
		// The lead records her own failover.
		failover.OnBehalfOf = ""
		e, err = f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover)
		var own herald.Decision
		if err == nil {
			err = json.Unmarshal(e.Data, &own)
		}
		if err != nil || own.DecidedByName != "Alice" || own.OnBehalfOf != "" {
			t.Fatalf("the lead's failover: %+v %v", own, err)
		}
		// An unknown name is refused, naming the field.
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, herald.DecisionInput{What: "x", Rationale: "y", OnBehalfOf: "nobody@example.com"})
		var he *herald.Error
		if !asError(err, &he) || he.Code != herald.EInvalid || he.Fields["on_behalf_of"] == "" {
			t.Fatalf("unknown on_behalf_of: %v", err)
		}
	})
}
