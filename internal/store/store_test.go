package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// fixture is a migrated store with a moveable clock and a few people.
type fixture struct {
	db                *store.DB
	clock             *testdb.Clock
	ctx               context.Context
	alice, bob, carol herald.Actor // carol is an engineering manager
}

func setup(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	f := &fixture{clock: testdb.NewClock(), ctx: context.Background()}
	f.db = testdb.Open(t, d, f.clock)
	mk := func(name string, manager bool) herald.Actor {
		u, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Manager: manager})
		if err != nil {
			t.Fatal(err)
		}
		// Reachable: a page to someone with no working method falls through.
		if _, err := f.db.People.CreateContactMethod(f.ctx, u.ID, herald.ContactMethodInput{Kind: "email", Target: u.Email}); err != nil {
			t.Fatal(err)
		}
		return herald.Actor{User: u, Role: herald.RoleResponder}
	}
	f.alice, f.bob, f.carol = mk("Alice", false), mk("Bob", false), mk("Carol", true)
	return f
}

func (f *fixture) declare(t *testing.T, sev herald.Severity) *herald.Incident {
	t.Helper()
	inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Database latency", Severity: sev, Summary: "p99 up"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func ptr[T any](v T) *T { return &v }

func TestMigrate_UpFromEmptyAndIdempotent(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Config{URL: testdb.URL(t, d), DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if n, _ := db.Pending(ctx); n == 0 {
			t.Fatal("a new database should have pending migrations")
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) == 0 {
			t.Fatalf("first migrate: %v, %v", applied, err)
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v; want nothing", again, err)
		}
		if n, err := db.Pending(ctx); n != 0 || err != nil {
			t.Fatalf("pending = %d, %v", n, err)
		}
	})
}

func TestMigrate_ConcurrentInstances(t *testing.T) {
	// Several instances starting against one PostgreSQL must not trip over
	// each other's migrations.
	url := testdb.URL(t, store.Postgres)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, store.Config{URL: url})
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			_, err = db.Migrate(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestDeclareIncident_NumbersAndReferences(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		a := f.declare(t, herald.S2)
		b := f.declare(t, herald.S3)
		if a.Number != 1 || b.Number != 2 || a.Reference != "INC-1" || b.Reference != "INC-2" {
			t.Fatalf("numbers %d %d refs %s %s", a.Number, b.Number, a.Reference, b.Reference)
		}
		if a.State != herald.Investigating || a.Version != 1 || !a.DeclaredAt.Equal(f.clock.Now()) {
			t.Fatalf("new incident: %+v", a)
		}
		for _, ref := range []string{a.ID, "1", "INC-1", "inc-1"} {
			got, err := f.db.Incidents.Incident(f.ctx, ref)
			if err != nil || got.ID != a.ID {
				t.Fatalf("Incident(%q) = %v, %v", ref, got, err)
			}
		}
		_, err := f.db.Incidents.Incident(f.ctx, "INC-99")
		wantCode(t, err, herald.ENotFound)
		tl, err := f.db.Incidents.Timeline(f.ctx, a.ID, "")
		// Then one warning per role the S2 pages: none is bound to a service.
		if err != nil || len(tl) != 4 || tl[0].Kind != herald.EntryDeclared || tl[0].Actor != "Alice" || tl[3].Kind != herald.EntryWarning {
			t.Fatalf("timeline after declare: %+v, %v", tl, err)
		}
	})
}

func TestDeclareIncident_BadInputChangesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		_, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: " ", Severity: "S9", Labels: []string{"a::"}})
		var he *herald.Error
		if !asError(err, &he) || he.Code != herald.EInvalid || he.Fields["title"] == "" || he.Fields["severity"] == "" || he.Fields["labels"] == "" {
			t.Fatalf("error = %#v", err)
		}
		list, err := f.db.Incidents.Incidents(f.ctx, herald.ListFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("incidents after a refused declaration: %d, %v", len(list), err)
		}
		// The number a failed declaration did not take is not lost.
		if inc := f.declare(t, herald.S4); inc.Number != 1 {
			t.Fatalf("number = %d, want 1", inc.Number)
		}
	})
}

func asError(err error, target **herald.Error) bool {
	e, ok := err.(*herald.Error)
	*target = e
	return ok
}

func TestIncidentLifecycle(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		step := func(to herald.State) *herald.Incident {
			t.Helper()
			f.clock.Advance(5 * time.Minute)
			got, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(to)})
			if err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
			inc = got
			return got
		}
		step(herald.Identified)
		step(herald.Monitoring)
		step(herald.Investigating) // a recurrence goes back to managing
		step(herald.Identified)
		res := step(herald.Resolved) // monitoring may be skipped
		if res.ResolvedAt == nil || !res.ResolvedAt.Equal(f.clock.Now()) {
			t.Fatalf("resolved_at = %v", res.ResolvedAt)
		}
		// Resolved -> Monitoring is not a reopening.
		_, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Monitoring)})
		wantCode(t, err, herald.EUnprocessable)
		// Staying put is not a move.
		_, err = f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Resolved)})
		wantCode(t, err, herald.EUnprocessable)
		reopened := step(herald.Investigating)
		if reopened.ResolvedAt != nil {
			t.Fatal("a reopened incident keeps its resolved_at")
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryStateChange)
		var kinds []string
		for _, e := range tl {
			var data struct{ Transition string }
			if err := json.Unmarshal(e.Data, &data); err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, data.Transition)
		}
		want := "progressed,progressed,recurred,progressed,resolved,reopened"
		if strings.Join(kinds, ",") != want {
			t.Fatalf("transitions %v, want %s", kinds, want)
		}
	})
}

func TestUpdateIncident_StaleVersionIsConflictWithCurrent(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S3)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: 1, Title: ptr("Database latency in eu-west")}); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Incidents.UpdateIncident(f.ctx, f.bob, inc.ID, herald.UpdateInput{Version: 1, Summary: ptr("stale")})
		he, ok := err.(*herald.Error)
		if !ok || he.Code != herald.EConflict {
			t.Fatalf("error = %v, want conflict", err)
		}
		cur, ok := he.Current.(*herald.Incident)
		if !ok || cur.Version != 2 || cur.Title != "Database latency in eu-west" {
			t.Fatalf("conflict carries %#v, want the current incident at version 2", he.Current)
		}
		got, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if got.Summary != "p99 up" {
			t.Fatal("a stale write changed the incident")
		}
	})
}

func TestUpdateIncident_SeverityChangeNeedsReasonAndIsRecorded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S3)
		_, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: 1, Severity: ptr(herald.S1)})
		wantCode(t, err, herald.EInvalid)
		got, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: 1, Severity: ptr(herald.Severity("s1")), SeverityReason: "all customers affected"})
		if err != nil || got.Severity != herald.S1 {
			t.Fatalf("%v %v", got, err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntrySeverityChange)
		if len(tl) != 1 || !strings.Contains(tl[0].Text, "S3 to S1: all customers affected") {
			t.Fatalf("timeline: %+v", tl)
		}
	})
}

func TestRoles_AssignAndHandOver(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: "alice@example.com"}); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.bob.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := got.Role(herald.RoleIncidentLead); !ok || a.UserName != "Bob" {
			t.Fatalf("roles: %+v", got.Roles)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		if len(tl) != 2 || tl[1].Text != "Bob is now the Incident Lead, taking over from Alice" {
			t.Fatalf("timeline: %+v", tl)
		}
		_, err = f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, "scribe", herald.RoleInput{User: f.bob.User.ID})
		wantCode(t, err, herald.ENotFound)
		_, err = f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: "nobody@example.com"})
		wantCode(t, err, herald.ENotFound)

		// The role list is the organisation's.
		s, _ := f.db.Settings.Settings(f.ctx)
		s.IncidentRoles = append(s.IncidentRoles, herald.RoleDef{Key: "scribe", Name: "Scribe"})
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, "scribe", herald.RoleInput{User: f.carol.User.ID}); err != nil {
			t.Fatal(err)
		}
		got, err = f.db.Incidents.UnassignRole(f.ctx, f.alice, inc.ID, "scribe")
		if _, ok := got.Role("scribe"); err != nil || ok {
			t.Fatalf("unassign: %v %+v", err, got.Roles)
		}
		// Roles do not make a concurrent edit of the incident stale.
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, Summary: ptr("x")}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTimeline_IsAppendOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S3)
		if _, err := f.db.Incidents.AddNote(f.ctx, f.bob, inc.ID, herald.NoteInput{Text: "restarted the primary"}); err != nil {
			t.Fatal(err)
		}
		// Not even direct SQL can rewrite history.
		if _, err := f.db.SQL().Exec(`UPDATE timeline SET text = 'nothing happened'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update of the timeline: %v", err)
		}
		if _, err := f.db.SQL().Exec(`DELETE FROM timeline`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("delete from the timeline: %v", err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, "")
		if len(tl) != 2 || tl[1].Text != "restarted the primary" || tl[1].Actor != "Bob" {
			t.Fatalf("timeline: %+v", tl)
		}
		_, err := f.db.Incidents.AddNote(f.ctx, f.bob, inc.ID, herald.NoteInput{Text: "  "})
		wantCode(t, err, herald.EInvalid)
	})
}

func TestRule50_DecisionsAreRecordedWithRationale(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		f.qualify(t, f.alice, herald.QualificationFailover)
		e, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, herald.DecisionInput{
			Kind: "failover", What: "Fail over to the secondary region",
			Rationale: "30 to 45 minutes to recover against 2 to 4 hours to restore from backup",
		})
		if err != nil {
			t.Fatal(err)
		}
		var dec herald.Decision
		if err := json.Unmarshal(e.Data, &dec); err != nil || dec.Rationale == "" || dec.DecidedByName != "Alice" || dec.Kind != "failover" {
			t.Fatalf("decision entry %+v: %v", e, err)
		}
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, herald.DecisionInput{What: "roll back"})
		wantCode(t, err, herald.EInvalid) // no rationale, no decision
		rec, _ := f.db.Incidents.Export(f.ctx, inc.ID)
		md := rec.Markdown()
		if !strings.Contains(md, "## Decisions") || !strings.Contains(md, "Rationale: 30 to 45 minutes") {
			t.Fatalf("export lacks the decision:\n%s", md)
		}
	})
}

func TestRule51_WhoMayDecide(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		f.qualify(t, f.alice, herald.QualificationFailover)
		failover := herald.DecisionInput{Kind: "failover", What: "fail over", Rationale: "faster than restore"}
		// Nobody leads yet: a failover waits for an incident lead.
		_, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, failover)
		wantCode(t, err, herald.EUnprocessable)
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.bob.User.ID})
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		// Naming the lead lends nobody her authority (R51).
		failover.OnBehalfOf = "alice@example.com"
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.carol, inc.ID, failover)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, failover); err != nil {
			t.Fatal(err)
		}

		// Emergency maintenance: an engineering manager or above.
		em := herald.DecisionInput{Kind: "emergency_maintenance", What: "patch now", Rationale: "critical CVE"}
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, em)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.carol, inc.ID, em); err != nil {
			t.Fatal(err)
		}

		// Severity: the incident lead with the engineer; nobody else.
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		_, err = f.db.Incidents.UpdateIncident(f.ctx, f.carol, inc.ID, herald.UpdateInput{Version: cur.Version, Severity: ptr(herald.S2), SeverityReason: "contained"})
		wantCode(t, err, herald.EForbidden)
		cur, err = f.db.Incidents.UpdateIncident(f.ctx, f.bob, inc.ID, herald.UpdateInput{Version: cur.Version, Severity: ptr(herald.S2), SeverityReason: "contained"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: cur.Version, Severity: ptr(herald.S1), SeverityReason: "spreading"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRule10_StatusPageDecisionByIMOrEOCWithoutIM(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		dec := herald.DecisionInput{Kind: "status_page", What: "Post on the status page", Rationale: "customers see errors"}
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleEngineerOnCall, herald.RoleInput{User: f.bob.User.ID})
		// No incident manager: the EOC decides, and only the EOC.
		_, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, dec)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, dec); err != nil {
			t.Fatal(err)
		}
		// With an incident manager, it is the IM's decision.
		f.db.Incidents.AssignRole(f.ctx, f.alice, inc.ID, herald.RoleIncidentLead, herald.RoleInput{User: f.alice.User.ID})
		_, err = f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.ID, dec)
		wantCode(t, err, herald.EForbidden)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.ID, dec); err != nil {
			t.Fatal(err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryDecision)
		if len(tl) != 2 {
			t.Fatalf("recorded decisions: %d, want 2", len(tl))
		}
	})
}

func TestRule54_ReviewsDueBySeverity(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s1 := f.declare(t, herald.S1)
		s3 := f.declare(t, herald.S3)
		resolve := func(inc *herald.Incident) {
			t.Helper()
			if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Resolved)}); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(2 * time.Hour)
		resolve(s1)
		resolve(s3)
		rs, _ := f.db.Incidents.Reviews(f.ctx, s1.ID)
		wantDue := f.clock.Now().AddDate(0, 0, 7)
		if len(rs) != 2 || rs[0].Kind != "internal" || rs[1].Kind != "external" || !rs[0].DueAt.Equal(wantDue) || !rs[1].DueAt.Equal(wantDue) {
			t.Fatalf("S1 reviews: %+v", rs)
		}
		if rs, _ := f.db.Incidents.Reviews(f.ctx, s3.ID); len(rs) != 0 {
			t.Fatalf("S3 reviews without a request: %+v", rs)
		}
		// S2-S4: internal on request, no external.
		_, err := f.db.Incidents.Review(f.ctx, f.carol, s3.ID, herald.ReviewInput{Kind: "external"})
		wantCode(t, err, herald.EUnprocessable)
		r, err := f.db.Incidents.Review(f.ctx, f.carol, s3.ID, herald.ReviewInput{Kind: "internal"})
		if err != nil || r.RequestedBy != "Carol" || !r.DueAt.Equal(wantDue) {
			t.Fatalf("requested review %+v, %v", r, err)
		}
		r, err = f.db.Incidents.Review(f.ctx, f.alice, s3.ID, herald.ReviewInput{Kind: "internal", Completed: true, Link: "https://example.com/rca/2"})
		if err != nil || r.CompletedAt == nil || r.Link == "" {
			t.Fatalf("completed review %+v, %v", r, err)
		}
		// The window is a setting.
		s, _ := f.db.Settings.Settings(f.ctx)
		p := s.Reviews[herald.S1]
		p.WithinDays = 3
		s.Reviews[herald.S1] = p
		f.db.Settings.SaveSettings(f.ctx, s)
		s1b := f.declare(t, herald.S1)
		resolve(s1b)
		if rs, _ := f.db.Incidents.Reviews(f.ctx, s1b.ID); len(rs) != 2 || !rs[0].DueAt.Equal(f.clock.Now().AddDate(0, 0, 3)) {
			t.Fatalf("reviews with a 3-day policy: %+v", rs)
		}
	})
}

func TestRule54_FollowUpsTrackedAndLinked(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S1)
		fu, err := f.db.Incidents.AddFollowUp(f.ctx, f.alice, inc.ID, herald.FollowUpInput{Title: ptr("Alert on replica lag"), Owner: ptr("Bob"), DueDate: ptr("2026-12-01"), Link: ptr("https://tracker.example.com/1")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Incidents.AddFollowUp(f.ctx, f.alice, inc.ID, herald.FollowUpInput{Title: ptr("x"), Link: ptr("javascript:alert(1)"), DueDate: ptr("tomorrow")})
		var he *herald.Error
		if !asError(err, &he) || he.Fields["link"] == "" || he.Fields["due_date"] == "" {
			t.Fatalf("bad follow-up: %v", err)
		}
		f.clock.Advance(time.Hour)
		done, err := f.db.Incidents.UpdateFollowUp(f.ctx, f.bob, inc.ID, fu.ID, herald.FollowUpInput{Done: ptr(true)})
		if err != nil || !done.Done || done.DoneAt == nil || !done.DoneAt.Equal(f.clock.Now()) {
			t.Fatalf("done: %+v %v", done, err)
		}
		list, _ := f.db.Incidents.FollowUps(f.ctx, inc.ID)
		if len(list) != 1 || !list[0].Done {
			t.Fatalf("follow-ups: %+v", list)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryFollowUp)
		if len(tl) != 2 {
			t.Fatalf("follow-up timeline entries: %d", len(tl))
		}
		rec, _ := f.db.Incidents.Export(f.ctx, inc.ID)
		if !strings.Contains(rec.Markdown(), "- [x] Alert on replica lag (owner: Bob, due: 2026-12-01, <https://tracker.example.com/1>)") {
			t.Fatalf("export:\n%s", rec.Markdown())
		}
	})
}

func TestLabels_ScopedReplace(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "x", Severity: "S3", Labels: []string{"Incident-Comms::Internal", "db"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.db.Incidents.Label(f.ctx, f.alice, inc.ID, herald.LabelInput{Add: []string{herald.LabelStatusPage}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got.Labels, ",") != "Incident-Comms::Status-Page,db" {
			t.Fatalf("labels %v", got.Labels)
		}
		again, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if strings.Join(again.Labels, ",") != "Incident-Comms::Status-Page,db" {
			t.Fatalf("stored labels %v", again.Labels)
		}
		_, err = f.db.Incidents.Label(f.ctx, f.alice, inc.ID, herald.LabelInput{Add: []string{"db"}})
		wantCode(t, err, herald.EUnprocessable)
		got, err = f.db.Incidents.Label(f.ctx, f.alice, inc.ID, herald.LabelInput{Remove: []string{"db"}})
		if err != nil || len(got.Labels) != 1 {
			t.Fatalf("remove: %v %v", got.Labels, err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryLabel)
		if len(tl) != 3 || !strings.Contains(tl[1].Text, "removed Incident-Comms::Internal") {
			t.Fatalf("label timeline %+v", tl)
		}
	})
}

func TestIncidents_ListNewestFirstWithPaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		for i := range 5 {
			inc := f.declare(t, herald.Severities[i%4])
			if i == 2 {
				f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: 1, State: ptr(herald.Resolved)})
			}
		}
		page, err := f.db.Incidents.Incidents(f.ctx, herald.ListFilter{Limit: 2})
		if err != nil || len(page) != 2 || page[0].Number != 5 || page[1].Number != 4 {
			t.Fatalf("page 1: %v", err)
		}
		page, _ = f.db.Incidents.Incidents(f.ctx, herald.ListFilter{Limit: 2, Before: 4})
		if len(page) != 2 || page[0].Number != 3 {
			t.Fatal("page 2")
		}
		active := true
		page, _ = f.db.Incidents.Incidents(f.ctx, herald.ListFilter{Active: &active})
		if len(page) != 4 {
			t.Fatalf("active: %d", len(page))
		}
		page, _ = f.db.Incidents.Incidents(f.ctx, herald.ListFilter{Severity: "S1"})
		if len(page) != 2 {
			t.Fatalf("S1: %d", len(page))
		}
		_, err = f.db.Incidents.Incidents(f.ctx, herald.ListFilter{Limit: 1000})
		wantCode(t, err, herald.EInvalid)
	})
}

func TestTokens_HashedAndRevocable(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		tok, err := f.db.People.CreateToken(f.ctx, f.alice, herald.TokenInput{Name: "ci", Role: "viewer"})
		if err != nil || !strings.HasPrefix(tok.Secret, store.TokenPrefix) {
			t.Fatal(tok, err)
		}
		var stored int
		if err := f.db.SQL().QueryRow(`SELECT count(*) FROM tokens WHERE hash = $1 OR hash = $2`, tok.Secret, strings.TrimPrefix(tok.Secret, store.TokenPrefix)).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Fatal("the token secret is stored in the clear")
		}
		a, err := f.db.People.Authenticate(f.ctx, tok.Secret)
		if err != nil || a.User.ID != f.alice.User.ID || a.Role != herald.RoleViewer {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		if err := f.db.People.RevokeToken(f.ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.People.Authenticate(f.ctx, tok.Secret)
		wantCode(t, err, herald.EUnauthenticated)

		// The admin token from the environment: exactly that secret works,
		// and a new secret replaces the old one.
		if err := f.db.People.EnsureAdminToken(f.ctx, "first-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		if err := f.db.People.EnsureAdminToken(f.ctx, "first-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		if a, err := f.db.People.Authenticate(f.ctx, "first-secret-0123456789"); err != nil || a.Role != herald.RoleAdmin {
			t.Fatal(a, err)
		}
		f.db.People.EnsureAdminToken(f.ctx, "second-secret-0123456789")
		_, err = f.db.People.Authenticate(f.ctx, "first-secret-0123456789")
		wantCode(t, err, herald.EUnauthenticated)
	})
}
