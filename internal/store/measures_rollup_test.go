package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R62: the report over everyone reads roll-ups kept by triggers (0044).
// A world built only through the store's methods over four months (pages
// acknowledged, left, escalated and looped to a second person, alerts
// outside incidents, severities changed mid-incident, public updates with
// and without an announced next time, stakeholder notices, resolutions, a
// practice incident that must not count) gives the same report from the
// roll-ups as from the rows, over whole days, partial days, a daylight
// saving change, in three time zones and with hours off the quarter hour.
func TestRule62_RollupsAgreeWithTheRows(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		rolePaging(t, f)
		dave, _ := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Dave", Email: "dave@example.com"})
		// Alerts page Dave, then Carol when he does not answer.
		pol, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "alerts", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 5, Targets: []herald.Target{{Type: "user", ID: dave.ID}}},
			{TimeoutMinutes: 5, Targets: []herald.Target{{Type: "user", ID: "carol@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		alerts := f.service(t, "API", pol.ID, nil)
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{Email: "leadership@example.com"}); err != nil {
			t.Fatal(err)
		}
		start := f.clock.Now()
		actors := map[string]herald.Actor{"alice": f.alice, "bob": f.bob, "carol": f.carol}
		who := map[string]string{herald.RoleIncidentLead: "bob", herald.RoleEngineerOnCall: "alice", herald.RoleCommunications: "carol"}
		sevs := []herald.Severity{herald.S1, herald.S2, herald.S1, herald.S3, herald.S2, herald.S4}
		for i := range 18 {
			// Irregular steps: days, nights and weekends.
			f.clock.Advance(time.Duration(127+i*13)*time.Hour + time.Duration(i*17)*time.Minute + time.Duration(i*7)*time.Second)
			inc := f.declare(t, sevs[i%len(sevs)])
			f.escalate(t)
			for k, p := range mustPages(t, f) {
				if p.IncidentID != inc.ID || p.Status != herald.PageTriggered {
					continue
				}
				switch (i + k) % 4 {
				case 0, 1: // acknowledged within minutes, seconds apart
					f.clock.Advance(time.Duration(1+i%7)*time.Minute + time.Duration(k*11)*time.Second)
					if _, err := f.db.Paging.AcknowledgePage(f.ctx, actors[who[p.IncidentRole]], p.ID); err != nil {
						t.Fatal(err)
					}
				case 2: // late: after the 15 minute target
					f.clock.Advance(16*time.Minute + time.Duration(i)*time.Second)
					if _, err := f.db.Paging.AcknowledgePage(f.ctx, actors[who[p.IncidentRole]], p.ID); err != nil {
						t.Fatal(err)
					}
				} // 3: never acknowledged
			}
			// An alert outside the incident: Dave, then Carol; every other
			// one acknowledged by Carol.
			f.enqueue(t, trigger(alerts.IntegrationKey, fmt.Sprintf("alert-%d", i), "disk full"))
			f.escalate(t)
			f.clock.Advance(6 * time.Minute)
			f.escalate(t)
			if i%2 == 0 {
				for _, p := range mustPages(t, f) {
					if p.ServiceID == alerts.ID && p.Status == herald.PageTriggered {
						if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, p.ID); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			// Public updates on most incidents, one announcing its next.
			if i%3 != 2 {
				f.decideStatusPage(t, inc.ID)
				si := f.statusIncident(t, "Degraded API", nil, inc.ID)
				f.clock.Advance(time.Duration(8+i%9) * time.Minute)
				f.update(t, si.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found it."})
				f.clock.Advance(time.Duration(11+i%23) * time.Minute)
				f.update(t, si.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Fixing.", NextUpdateIn: 30})
				f.clock.Advance(time.Duration(20+i%17) * time.Minute)
				if i%4 != 3 {
					f.update(t, si.ID, herald.StatusUpdateInput{Status: herald.Monitoring, Body: "Fixed."})
				}
			}
			if i%2 == 1 {
				if _, err := f.db.Subscribers.SendInternalUpdate(f.ctx, f.bob, inc.Reference, herald.InternalUpdateInput{Body: "Still on it."}); err != nil {
					t.Fatal(err)
				}
			}
			cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
			if i%3 == 1 { // the severity changes mid-incident
				sev := herald.S1
				if cur.Severity == herald.S1 {
					sev = herald.S3
				}
				if _, err = f.db.Incidents.UpdateIncident(f.ctx, f.holder(t, inc.ID, herald.RoleIncidentLead, herald.RoleEngineerOnCall), inc.ID, herald.UpdateInput{Version: cur.Version, Severity: &sev, SeverityReason: "scope"}); err != nil {
					t.Fatal(err)
				}
			}
			if i%5 != 4 {
				f.clock.Advance(time.Duration(30+i*7) * time.Minute)
				f.allClear(t, inc.ID)
				cur, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
				if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: cur.Version, State: ptr(herald.Resolved)}); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range mustPages(t, f) { // the alerts: nothing left to loop on forever
				if p.ServiceID == alerts.ID && p.Status != herald.PageResolved {
					if _, err := f.db.Paging.ResolvePage(f.ctx, f.carol, p.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			if i == 9 { // a practice mid-way: its page and the run count nowhere but training
				if _, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: drill}); err != nil {
					t.Fatal(err)
				}
				if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
					t.Fatal(err)
				}
				f.escalate(t)
				for _, p := range mustPages(t, f) {
					if p.Status == herald.PageTriggered {
						f.clock.Advance(3 * time.Minute)
						if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, p.ID); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
		end := f.clock.Now().Add(time.Hour)
		var bins int
		if err := f.db.SQL().QueryRow(`SELECT COUNT(*) FROM measure_bins`).Scan(&bins); err != nil || bins == 0 {
			t.Fatalf("no roll-up rows (%d, %v)", bins, err)
		}
		same := func(name string, q herald.MeasuresQuery) {
			t.Helper()
			before := store.MeasuresFallbacks()
			got, err := f.db.Incidents.MeasuresReport(f.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.db.Incidents.MeasuresReportRows(f.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("%s: the roll-ups say\n%s\nthe rows say\n%s", name, g, w)
			}
			if n := store.MeasuresFallbacks() - before; n != 0 {
				t.Errorf("%s: %d steps fell back to the rows", name, n)
			}
		}
		all := herald.MeasuresQuery{From: start.Add(-time.Hour), To: end}
		same("everything", all)
		r, _ := f.db.Incidents.MeasuresReportRows(f.ctx, all)
		if c := role(r, herald.RoleIncidentLead); c.Pages < 5 || c.Acknowledged == 0 || c.Acknowledged == c.Pages || c.P90S == nil {
			t.Fatalf("the world is too plain: lead %+v", c)
		}
		if r.Cadence.Intervals == 0 || r.Cadence.Late == 0 || r.StakeholderNotices.Notices == 0 || len(r.Pages) < 3 || len(r.Training) == 0 {
			t.Fatalf("the world is too plain: %+v", r)
		}
		// Whole days, partial days, a stretch in the middle.
		mid := start.Add(40 * 24 * time.Hour)
		same("whole days", herald.MeasuresQuery{From: start.Truncate(24 * time.Hour), To: end.Truncate(24 * time.Hour)})
		same("partial days", herald.MeasuresQuery{From: start.Add(7*time.Hour + 13*time.Minute), To: mid.Add(5*time.Hour + 31*time.Second)})
		same("a stretch", herald.MeasuresQuery{From: mid, To: mid.Add(50 * 24 * time.Hour)})
		same("a 30 minute target", herald.MeasuresQuery{From: all.From, To: all.To, AckTarget: 30 * time.Minute})
		for _, person := range []string{f.carol.User.ID, dave.ID, f.bob.User.ID} { // pages per person from the roll-up too
			same("one person", herald.MeasuresQuery{From: all.From, To: all.To, Person: person})
		}
		// Working hours across a daylight saving change (Berlin, 28 March
		// 2027), then half an hour off UTC, then off the quarter hour (the
		// rows answer that one).
		for _, h := range []herald.BusinessHours{
			{Days: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}, Start: "08:00", End: "18:00", TimeZone: "Europe/Berlin"},
			{Days: []string{"monday", "tuesday", "wednesday", "thursday", "saturday"}, Start: "09:30", End: "17:45", TimeZone: "Asia/Kolkata"},
			{Days: []string{"monday", "friday"}, Start: "08:10", End: "16:50", TimeZone: "America/New_York"},
		} {
			s, _ := f.db.Settings.Settings(f.ctx)
			s.Measures.BusinessHours = &h
			if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
				t.Fatal(err)
			}
			same("hours in "+h.TimeZone, all)
		}
	})
}

func mustPages(t *testing.T, f *fixture) []*herald.Page {
	t.Helper()
	pages, err := f.db.Paging.Pages(f.ctx, "", "", 500)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// R62: migration 0044 fills the roll-ups from the rows already there, and
// the triggers keep them through bulk INSERTs of many rows at once (a
// page notified twice in one statement counts once). A random world
// written in SQL before the migration, and more of it after, gives the
// same report from the roll-ups as from the rows.
func TestRule62_RollupsFilledFromExistingRows(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		from := at("2026-01-01 00:00")
		db, err := store.Open(ctx, store.Config{URL: testdb.URL(t, d), DataDir: t.TempDir(), SecretKey: testdb.TestSecretKey,
			Clock: fixedClock{from.Add(100 * 24 * time.Hour)}})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.MigrateTo(ctx, 43); err != nil {
			t.Fatal(err)
		}
		var people []string
		for i := range 5 {
			id := fmt.Sprintf("u%d", i)
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO users (id, name, email, manager, created_at) VALUES ($1, $2, $3, FALSE, 0)`,
				id, "Person "+id, id+"@example.com"); err != nil {
				t.Fatal(err)
			}
			people = append(people, id)
		}
		rng := rand.New(rand.NewPCG(44, 44))
		n := 0
		world := func(start time.Time, count int) {
			r := newRows(t, db.SQL())
			if n == 0 {
				r.service("svc")
			}
			roles := []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall, herald.RoleCommunications}
			for range count {
				n++
				id := fmt.Sprintf("i%d", n)
				t0 := start.Add(time.Duration(rng.IntN(40*24*60)) * time.Minute).Add(time.Duration(rng.IntN(60)) * time.Second)
				sev := herald.Severities[rng.IntN(4)]
				var resolved, impact *time.Time
				if rng.IntN(4) > 0 {
					resolved = tp(t0.Add(time.Duration(rng.IntN(3000)) * time.Minute))
				}
				if rng.IntN(5) == 0 {
					impact = tp(t0.Add(-time.Duration(rng.IntN(90)) * time.Minute))
				}
				r.incident(id, n, string(sev), "investigating", people[0], t0, resolved, impact)
				for k, role := range roles[:1+rng.IntN(3)] {
					pid := fmt.Sprintf("%s-p%d", id, k)
					var acked *time.Time
					if rng.IntN(5) > 0 {
						acked = tp(t0.Add(time.Duration(rng.IntN(7200)) * time.Second))
					}
					dedup := "incident/" + id + "/" + role
					if rng.IntN(8) == 0 {
						dedup += "/cover"
					}
					r.page(pid, "svc", dedup, id, role, t0, acked)
					u := people[rng.IntN(len(people))]
					r.notification(pid+"a", pid, u, 0, false, t0)
					r.notification(pid+"b", pid, u, 1, false, t0.Add(5*time.Minute)) // the same person again: one page
					r.notification(pid+"c", pid, people[rng.IntN(len(people))], 2, rng.IntN(2) == 0, t0)
				}
				if rng.IntN(2) == 0 {
					si := "s" + id
					r.statusIncident(si, id, t0)
					at := t0
					for k := range 1 + rng.IntN(4) {
						st := []string{"investigating", "identified", "monitoring", "resolved"}[rng.IntN(4)]
						r.update(fmt.Sprintf("%s-%d", si, k), si, st, []int{0, 0, 30}[rng.IntN(3)], at)
						if rng.IntN(4) > 0 { // else the next one at the same time
							at = at.Add(time.Duration(rng.IntN(90)) * time.Minute)
						}
					}
				}
				if rng.IntN(3) == 0 {
					r.entry(id, t0, `{"stakeholder_notice":true}`)
				}
				if rng.IntN(15) == 0 {
					r.add("practice_runs", "id, title, scenario, incident_id, started_by, started_at", "run"+id, "Drill", "{}", id, people[0], us(t0))
				}
			}
			r.flush()
			// Some incidents are practices.
			if _, err := db.SQL().ExecContext(ctx, `UPDATE incidents SET practice_run_id = 'run' || id WHERE id IN (SELECT SUBSTR(id, 4) FROM practice_runs)`); err != nil {
				t.Fatal(err)
			}
		}
		world(from, 300)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			for _, q := range []herald.MeasuresQuery{
				{From: from, To: from.Add(90 * 24 * time.Hour)},
				{From: from.Add(5*24*time.Hour + 7*time.Hour), To: from.Add(33*24*time.Hour + 13*time.Minute)},
				{From: from, To: from.Add(90 * 24 * time.Hour), AckTarget: 45 * time.Minute},
			} {
				before := store.MeasuresFallbacks()
				got, err := db.Incidents.MeasuresReport(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.Incidents.MeasuresReportRows(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("%s, %v: the roll-ups say\n%s\nthe rows say\n%s", when, q.From, g, w)
				}
				if store.MeasuresFallbacks() != before {
					t.Errorf("%s: a step fell back to the rows", when)
				}
				if want.Cadence.Intervals == 0 || sev(want, herald.S2).Incidents == 0 || len(want.Pages) == 0 {
					t.Fatalf("%s: the world is too plain: %+v", when, want)
				}
			}
		}
		check("filled by the migration")
		world(from.Add(20*24*time.Hour), 200)
		check("kept by the triggers")
	})
}
