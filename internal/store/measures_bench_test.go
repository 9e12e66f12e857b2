package store_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// BenchmarkMeasuresReport100k measures the R62 report over a year holding
// 100,000 incidents, on both databases. The seeding (about 1.5 million
// rows, in bulk INSERTs) runs once per database, and only when benchmarks
// are asked for:
//
//	go test -run '^$' -bench MeasuresReport100k -benchtime 10x -timeout 60m ./internal/store/
//
// HERALD_BENCH_MEASURES_INCIDENTS=10000 seeds fewer, to try it quickly.
// HERALD_BENCH_MEASURES_DIR=/some/dir keeps the seeded SQLite file there
// and reuses it on the next run (PostgreSQL is seeded each time). It
// reports the median of the iterations (median-ms) beside the mean, and
// logs each step's median.
func BenchmarkMeasuresReport100k(b *testing.B) {
	// Seeding takes minutes: ./scripts/bench (-bench .) leaves it out
	// unless it is named or HERALD_BENCH_MEASURES_INCIDENTS is set.
	if f := flag.Lookup("test.bench"); f != nil && !strings.Contains(f.Value.String(), "Measures") && os.Getenv("HERALD_BENCH_MEASURES_INCIDENTS") == "" {
		b.Skip("name it (-bench MeasuresReport100k) or set HERALD_BENCH_MEASURES_INCIDENTS: seeding takes minutes")
	}
	for _, d := range testdb.Dialects {
		b.Run(string(d), func(b *testing.B) {
			year := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			end := year.AddDate(1, 0, 0)
			n := 100_000
			if v, err := strconv.Atoi(os.Getenv("HERALD_BENCH_MEASURES_INCIDENTS")); err == nil && v > 0 {
				n = v // a smaller world to try the benchmark quickly
			}
			var options []func(*store.Config)
			cache := os.Getenv("HERALD_BENCH_MEASURES_DIR")
			if cache != "" && d == store.SQLite {
				dir := filepath.Join(cache, fmt.Sprintf("measures-%d", n))
				if err := os.MkdirAll(dir, 0o700); err != nil {
					b.Fatal(err)
				}
				options = append(options, func(c *store.Config) { c.DataDir = dir })
			}
			db := testdb.Open(b, d, fixedClock{end.Add(time.Hour)}, options...)
			var people []string
			if len(options) > 0 {
				rows, err := db.SQL().Query(`SELECT id FROM users WHERE email LIKE 'p%@example.com' ORDER BY CAST(SUBSTR(email, 2, INSTR(email, '@') - 2) AS INTEGER)`)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						b.Fatal(err)
					}
					people = append(people, id)
				}
				rows.Close()
				var shifts int
				if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM handovers`).Scan(&shifts); err == nil && shifts == 0 && len(people) > 0 {
					b.Fatalf("the world in %s was seeded before the shifts were: remove it", cache)
				}
				if len(people) > 0 {
					b.Logf("%s: reusing the seeded world in %s", d, cache)
					if _, err := db.SQL().Exec(`ANALYZE`); err != nil { // indexes a newer migration added
						b.Fatal(err)
					}
				}
			}
			if len(people) == 0 {
				seeding := time.Now()
				people = seedMeasuresYear(b, db, year, end, n)
				b.Logf("%s: %d incidents seeded in %s", d, n, time.Since(seeding).Round(time.Second))
			}
			ctx := context.Background()
			queries := []herald.MeasuresQuery{
				{From: year, To: end},
				{From: year, To: end, Person: people[0]},
			}
			for _, q := range queries {
				name := "all"
				if q.Person != "" {
					name = "person"
				}
				b.Run(name, func(b *testing.B) {
					var took, cpu []time.Duration
					steps := map[string][]time.Duration{}
					var order []string
					store.TraceMeasures(func(step string, d time.Duration) {
						if _, ok := steps[step]; !ok {
							order = append(order, step)
						}
						steps[step] = append(steps[step], d)
					})
					defer store.TraceMeasures(nil)
					for b.Loop() {
						start, startCPU := time.Now(), cpuTime()
						r, err := db.Incidents.MeasuresReport(ctx, q)
						if err != nil {
							b.Fatal(err)
						}
						took = append(took, time.Since(start))
						cpu = append(cpu, cpuTime()-startCPU)
						if q.Person == "" && (sev(r, herald.S3).Incidents == 0 || r.Handovers.Shifts == 0) {
							b.Fatal("the report saw no incidents or no shifts")
						}
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
					// The CPU this process spent (SQLite works in it; for
					// PostgreSQL it is the client's share only): on a loaded
					// machine the wall time mostly counts waiting for a core.
					slices.Sort(cpu)
					b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-ms")
					var line strings.Builder
					for _, step := range order {
						ds := steps[step]
						slices.Sort(ds)
						fmt.Fprintf(&line, " %s=%dms", step, ds[len(ds)/2].Milliseconds())
					}
					b.Logf("step medians:%s", line.String())
				})
			}
		})
	}
}

const colsHandover = "id, schedule_id, roles, user_id, shift_start, shift_end, sections, drafted_at, submitted_at"

// seedMeasuresYear writes n incidents spread over [from, to) as they come:
// mostly S3 and S4 with one page, S1 and S2 with the three role pages;
// half of them public with about four updates; stakeholder notices on
// the serious ones; customer threads on some; alert pages outside
// incidents; contact requests. It returns the people's ids.
func seedMeasuresYear(b *testing.B, db *store.DB, from, to time.Time, n int) []string {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(62, 62))
	var people []string
	for i := range 40 {
		u, err := db.People.CreateUser(ctx, herald.UserInput{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		people = append(people, u.ID)
	}
	r := newRows(b, db.SQL())
	r.service("svc")
	r.add("tenants", colsTenant, "acme", "Acme", "1", "us-east-1", false, "", "[]", "{}", "",
		`{"days":["monday","tuesday","wednesday","thursday","friday"],"start":"09:00","end":"17:00","time_zone":"UTC"}`, "standard", 1, int64(0), int64(0))
	r.flush()
	span := to.Sub(from)
	step := span / time.Duration(n)
	roles := []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall, herald.RoleCommunications}
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	page := 0
	for i := range n {
		id := fmt.Sprintf("i%d", i)
		at := from.Add(time.Duration(i) * step)
		sev, pages := "S4", 1
		switch x := rng.IntN(100); {
		case x < 5:
			sev, pages = "S1", 3
		case x < 25:
			sev, pages = "S2", 3
		case x < 65:
			sev = "S3"
		}
		state, resolved := "investigating", (*time.Time)(nil)
		if rng.IntN(100) < 95 {
			state, resolved = "resolved", tp(at.Add(minutes(20, 600)))
		}
		r.incident(id, i+1, sev, state, people[0], at, resolved, nil)
		for k := range pages {
			role := roles[k]
			if pages == 1 {
				role = herald.RoleEngineerOnCall
			}
			who := people[rng.IntN(len(people))]
			r.role(id, role, who, at)
			pid := fmt.Sprintf("p%d", page)
			page++
			var acked *time.Time
			if rng.IntN(100) < 97 {
				acked = tp(at.Add(time.Duration(30+rng.IntN(1800)) * time.Second))
			}
			r.page(pid, "svc", "incident/"+id+"/"+role, id, role, at, acked)
			r.notification(pid+"n", pid, who, 0, false, at)
			if acked == nil || acked.Sub(at) > 5*time.Minute {
				r.notification(pid+"e", pid, people[rng.IntN(len(people))], 1, false, at.Add(5*time.Minute))
			}
		}
		if i%2 == 0 {
			si := "s" + id
			r.statusIncident(si, id, at)
			t := at
			for k := range 4 {
				status := "investigating"
				if k == 3 && state == "resolved" {
					status = "resolved"
				} else if k >= 2 {
					status = "identified"
				}
				r.update(fmt.Sprintf("%s-%d", si, k), si, status, 0, t)
				t = t.Add(minutes(5, 40))
			}
		}
		for k := range 4 {
			data := ""
			if k == 0 && pages == 3 {
				data = `{"severity":"` + sev + `","stakeholder_notice":true}`
			}
			r.entry(id, at.Add(time.Duration(k)*time.Minute), data)
		}
		if i%20 == 0 {
			th := "th" + id
			r.add("notice_threads", colsThread, th, "tok"+id, "incident", id, id, "acme", "Notice", "t", "AMER", "ops@acme.example", "[]", people[1], us(at), us(at.Add(2*time.Hour)))
			t := at.Add(10 * time.Minute)
			for k := range 3 {
				mid := fmt.Sprintf("%s-%d", th, k)
				r.add("notice_messages", colsMessage, mid, th, "out", "", "s", "b", mid+"@x", "", "a@x", people[1], "P", "", us(t))
				t = t.Add(minutes(30, 120))
			}
		}
		if i%50 == 0 {
			status, closed := "done", tp(at.Add(time.Hour))
			if i%150 == 0 {
				status, closed = "open", nil
			}
			r.add("contact_requests", colsRequest, "cr"+id, "security", `["x@example.com"]`, "why", "what", us(at.Add(2*time.Hour)), people[rng.IntN(len(people))], status, us(at), nullUs(closed))
		}
		// An alert's page outside any incident.
		pid := fmt.Sprintf("p%d", page)
		page++
		r.page(pid, "svc", "alert-"+pid, "", "", at.Add(time.Minute), tp(at.Add(3*time.Minute)))
		r.notification(pid+"n", pid, people[rng.IntN(len(people))], 0, false, at.Add(time.Minute))
		if i%5000 == 4999 {
			r.flush()
		}
	}
	// A year of shifts: two rotations (communications, incident lead) of
	// 12-hour shifts, each with its handover record, nine in ten submitted.
	for k, sched := range []string{"comms", "lead"} {
		for at := from; at.Before(to); at = at.Add(12 * time.Hour) {
			end := at.Add(12 * time.Hour)
			var submitted any
			if rng.IntN(10) > 0 {
				submitted = us(end.Add(10 * time.Minute))
			}
			r.add("handovers", colsHandover, fmt.Sprintf("h%s%d", sched, at.Unix()), sched, `["`+roles[2*k]+`"]`,
				people[rng.IntN(len(people))], us(at), us(end), "{}", us(end), submitted)
		}
	}
	r.flush()
	if _, err := db.SQL().Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return people
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
