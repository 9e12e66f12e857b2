package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testdb"
)

// Run with (figures in docs/BENCHMARKS.md):
//
//	go test -run '^$' -bench BenchmarkConsole -benchtime 200x ./internal/console/
//
// with HERALD_TEST_DATABASE_URL set for PostgreSQL (./scripts/bench starts one).

// benchScreens are the screens the benchmark renders, each by the path a
// responder opens; a new screen adds a row (its data comes from benchSeed,
// or from its own seeding here).
var benchScreens = []struct {
	name string
	path func(e *env) string
}{
	{"now", func(*env) string { return "/app" }},
	{"incidents", func(*env) string { return "/app/incidents" }},
	{"incident", func(*env) string { return fmt.Sprintf("/app/incidents/INC-%d", benchIncidents) }}, // the newest, with its status incident
	{"pages", func(*env) string { return "/app/pages" }},
	{"page", func(e *env) string { return "/app/pages/" + benchPage(e) }},
	{"status", func(*env) string { return "/app/status" }},
	{"oncall", func(*env) string { return "/app/oncall" }},
}

// benchIncidents is how many incidents benchSeed makes (fewer in the
// one-iteration pass of scripts/test, see testdb.BenchSize).
var benchIncidents = testdb.BenchSize(100_000)

// benchPage is the newest seeded page's id.
func benchPage(e *env) string {
	var id string
	if err := e.db.SQL().QueryRow(`SELECT id FROM pages ORDER BY first_seen DESC LIMIT 1`).Scan(&id); err != nil {
		panic(err)
	}
	return id
}

// benchSeed is a long-lived organisation: 100,000 incidents (benchIncidents; one in six
// active), 1,000 open pages sent to two people each, a few status
// incidents, schedules and maintenances.
func benchSeed(b *testing.B, e *env) {
	ctx := context.Background()
	now := e.clock.Now()
	seedIncidents(b, e.db, benchIncidents, now)
	seedPages(b, e.db, 1_000, []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}, now)
	lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
	for i := range 5 {
		decideStatusPage(b, e.db, lead, fmt.Sprintf("seed-%07d", benchIncidents-6*i))
		if _, err := e.db.StatusPage.CreateStatusIncident(ctx, lead, herald.StatusIncidentInput{Name: fmt.Sprintf("Errors %d", i), IncidentID: fmt.Sprintf("seed-%07d", benchIncidents-6*i),
			StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "We are looking into it."}}, false); err != nil {
			b.Fatal(err)
		}
		if _, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: fmt.Sprintf("Team %d", i), Layers: []herald.Layer{{Rotation: "weekly", HandoffTime: "09:00",
			Start: now.Add(-30 * 24 * time.Hour), Users: []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}}}}); err != nil {
			b.Fatal(err)
		}
		from, until, name := now.Add(time.Duration(i+1)*time.Hour), now.Add(time.Duration(i+2)*time.Hour), fmt.Sprintf("Upgrade %d", i)
		if _, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConsole renders each console screen through the whole server
// (session, role check, queries, template) as a signed-in responder, and
// reports the p50 and p99 of the time per render: the console's budget is
// 30 ms at p99 (issue 10, item 15).
func BenchmarkConsole(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			benchSeed(b, e)
			secret, _, err := e.db.Auth.SignIn(context.Background(), "responder@example.com", pw, "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			h := e.http.Config.Handler
			for _, s := range benchScreens {
				b.Run(s.name, func(b *testing.B) {
					path := s.path(e)
					var took []time.Duration
					cpu0 := cpuTime()
					b.ReportAllocs()
					for b.Loop() {
						req := httptest.NewRequest("GET", path, nil)
						req.AddCookie(&http.Cookie{Name: "herald_session", Value: secret})
						rec := httptest.NewRecorder()
						start := time.Now()
						h.ServeHTTP(rec, req)
						took = append(took, time.Since(start))
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
						}
					}
					reportPercentiles(b, took)
					// The process's CPU time per render (GC included): on a
					// shared machine the wall-clock tail is mostly waiting
					// for a core, this is not.
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(len(took)), "cpu-ms/op")
				})
			}
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPercentiles reports the median and the 99th percentile of the
// durations, in milliseconds.
func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p int) float64 {
		i := min(len(took)-1, len(took)*p/100)
		return float64(took[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(50), "p50-ms")
	b.ReportMetric(at(99), "p99-ms")
}
