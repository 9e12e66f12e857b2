// Command paging measures Herald's paging path end to end, with real
// processes: `herald serve` (built from this checkout), a webhook receiver
// that records every delivery, and events sent over HTTP to /v2/enqueue.
//
//	go run ./bench/paging                       # SQLite only
//	./bench/paging.sh                           # also PostgreSQL (starts one)
//
// Scenarios:
//   - ingest: sustained events per second, 1,000 distinct dedup keys, 16
//     concurrent senders, for -duration: first while the 1,000 pages it
//     opens are delivered, then again with the keys open (repeats only);
//   - latency: from an event's arrival to the first webhook delivered, p50
//     and p99 over -pages new pages sent 20 a second;
//   - crash (SQLite): kill -9 during an escalation wait, restart, and see
//     when the next level fires against its due time; lost and duplicated
//     notifications counted at the receiver;
//   - two instances (PostgreSQL): two `herald serve` on one database, 1,000
//     pages sent alternately to both; duplicated notifications counted;
//   - restart (PostgreSQL, with -restart-cmd): the server restarts during
//     12 s of ingestion; every event answered 202 must be counted on its
//     page.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to find the PostgreSQL server's processes
)

var (
	bin, tmp  string
	pgURL     = flag.String("database-url", "", "PostgreSQL server URL; empty runs the SQLite scenarios only")
	duration  = flag.Duration("duration", 5*time.Second, "how long the ingestion run lasts")
	pages     = flag.Int("pages", 200, "pages in the latency run")
	skipCrash = flag.Bool("skip-crash", false, "skip the crash scenario (it waits about two minutes)")
	skipLite  = flag.Bool("skip-sqlite", false, "skip the SQLite ingestion and latency runs")
	restart   = flag.String("restart-cmd", "", "shell command that restarts the PostgreSQL server, for the restart scenario (skipped when empty)")
)

func main() { benchkit.Main(run) }

func run() error {
	var err error
	if tmp, err = os.MkdirTemp("", "herald-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin, err = benchkit.BuildHerald(tmp); err != nil {
		return err
	}
	rx := benchkit.NewReceiver()
	defer rx.Close()

	var dbs []struct{ name, url string }
	if !*skipLite {
		dbs = append(dbs, struct{ name, url string }{"sqlite", ""})
	}
	if *pgURL != "" {
		dbs = append(dbs, struct{ name, url string }{"postgres", *pgURL})
	}
	for _, d := range dbs {
		url := d.url
		var err error
		if url != "" { // "" is SQLite
			url, err = benchkit.FreshDatabase(d.url, "bench_ingest")
		}
		if err != nil {
			return err
		}
		h, err := start(url, filepath.Join(tmp, d.name+"-ingest"))
		if err != nil {
			return err
		}
		key, err := benchkit.SetupPaging(h.base, rx.URL, 1, 60)
		if err != nil {
			return err
		}
		// Latency first, on an idle instance; then throughput; then latency
		// again while the 1,000 pages the burst opened are being delivered.
		p50, p99, lost := latency(h.base, key, rx, *pages, "idle")
		fmt.Printf("latency %-8s idle        p50 %s  p99 %s  (%d pages, %d without a webhook after 10 s)\n", d.name, p50, p99, *pages, lost)
		meter := newCPUMeter(h, url)
		rate := ingest(h.base, key, *duration)
		cpu := meter.seconds()
		fmt.Printf("ingest  %-8s %8.0f events/s (16 senders, 1,000 dedup keys, %s)", d.name, rate, *duration)
		if cpu > 0 {
			fmt.Printf("; CPU %.2f ms per event (herald%s, worker included)", 1000*cpu/(rate*duration.Seconds()), map[bool]string{true: " and PostgreSQL", false: ""}[url != ""])
		}
		fmt.Println()
		burstEnd := time.Now()
		p50, p99, lost = latency(h.base, key, rx, *pages, "busy")
		fmt.Printf("latency %-8s after burst p50 %s  p99 %s  (%d pages, %d without a webhook after 10 s)\n", d.name, p50, p99, *pages, lost)
		// What the pages after the burst waited for: the burst's own pages,
		// delivered by the worker oldest first.
		pending, last := rx.Backlog("k-", 1000, burstEnd)
		fmt.Printf("backlog %-8s %d of the burst's 1,000 pages had no webhook yet when it ended; the last came %s after\n", d.name, pending, last.Round(10*time.Millisecond))
		// The same keys again, now all open: repeats only, and (the backlog
		// delivered) no worker at work beside them.
		meter = newCPUMeter(h, url)
		rate = ingest(h.base, key, *duration)
		fmt.Printf("ingest  %-8s %8.0f events/s (the same 1,000 keys again, all open: repeats only)", d.name, rate)
		if cpu := meter.seconds(); cpu > 0 {
			fmt.Printf("; CPU %.2f ms per event", 1000*cpu/(rate*duration.Seconds()))
		}
		fmt.Println()
		rx.Reset()
		h.stop()
	}
	if !*skipCrash {
		if err := crash(rx); err != nil {
			return err
		}
	}
	if *pgURL != "" {
		if err := twoInstances(rx); err != nil {
			return err
		}
	}
	if *pgURL != "" && *restart != "" {
		if err := pgRestart(rx); err != nil {
			return err
		}
	}
	return nil
}

type herald_ struct {
	cmd  *exec.Cmd
	base string
	url  string
	data string
	port int
}

func start(dbURL, data string) (*herald_, error) {
	_, port, _ := net.SplitHostPort(benchkit.FreeAddr())
	n, _ := strconv.Atoi(port)
	return startOn(dbURL, data, n)
}

// quiet drops herald's error log, for the scenario that makes errors on
// purpose.
var quiet bool

func startOn(dbURL, data string, port int) (*herald_, error) {
	h := &herald_{url: dbURL, data: data, port: port, base: "http://127.0.0.1:" + strconv.Itoa(port)}
	h.cmd = benchkit.ServeCommand(bin, "127.0.0.1:"+strconv.Itoa(port), data, dbURL, 250*time.Millisecond)
	if quiet {
		h.cmd.Stderr = io.Discard
	}
	if err := benchkit.Start(h.cmd, h.base); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *herald_) stop() { benchkit.Stop(h.cmd) }
func (h *herald_) kill() { benchkit.Kill(h.cmd) }

// cpuMeter measures the CPU time that ingestion costs: this herald's and,
// when the database is a PostgreSQL server on this machine, its server
// processes' (the postmaster's children, also those started meanwhile).
// CPU per event, unlike events per second, depends little on what else
// the shared machine runs at the time. Linux only (it reads /proc).
type cpuMeter struct {
	herald, postmaster int
	start              map[int]float64
}

func newCPUMeter(h *herald_, dbURL string) *cpuMeter {
	m := &cpuMeter{herald: h.cmd.Process.Pid}
	if dbURL != "" {
		if db, err := sql.Open("pgx", dbURL); err == nil {
			var backend int
			if db.QueryRow(`SELECT pg_backend_pid()`).Scan(&backend) == nil {
				m.postmaster, _ = benchkit.ProcStat(backend)
			}
			db.Close()
		}
	}
	m.start = m.sample()
	return m
}

func (m *cpuMeter) sample() map[int]float64 {
	out := map[int]float64{}
	_, out[m.herald] = benchkit.ProcStat(m.herald)
	if m.postmaster <= 1 {
		return out
	}
	_, out[m.postmaster] = benchkit.ProcStat(m.postmaster)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			if ppid, cpu := benchkit.ProcStat(pid); ppid == m.postmaster {
				out[pid] = cpu
			}
		}
	}
	return out
}

// seconds is the CPU time spent since the meter was made.
func (m *cpuMeter) seconds() float64 {
	total := 0.0
	for pid, cpu := range m.sample() {
		total += cpu - m.start[pid]
	}
	return total
}

func ingest(base, key string, d time.Duration) float64 {
	var n atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; time.Now().Before(stop); i += 16 {
				if benchkit.SendEvent(base, key, "k-"+strconv.Itoa(i%1000)) == nil {
					n.Add(1)
				}
			}
		}(g)
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

func latency(base, key string, rx *benchkit.Receiver, n int, tag string) (p50, p99 time.Duration, lost int) {
	sent := map[string]time.Time{}
	for i := 0; i < n; i++ {
		dedup := "lat-" + tag + "-" + strconv.Itoa(i)
		sent[dedup] = time.Now()
		benchkit.SendEvent(base, key, dedup)
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	var ds []time.Duration
	for dedup, at := range sent {
		for {
			if got, ok := rx.At(dedup, 1); ok {
				ds = append(ds, got.Sub(at))
				break
			}
			if time.Now().After(deadline) {
				lost++
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	p50, p99, _ = benchkit.Percentiles(ds)
	return p50.Round(time.Millisecond), p99.Round(time.Millisecond), lost
}

// crash: level 1 at once, level 2 one minute later; herald is killed 30 s
// into the wait and restarted 10 s after.
func crash(rx *benchkit.Receiver) error {
	rx.Reset()
	data := filepath.Join(tmp, "crash")
	h, err := start("", data)
	if err != nil {
		return err
	}
	key, err := benchkit.SetupPaging(h.base, rx.URL, 1, 1)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := benchkit.SendEvent(h.base, key, "crash"); err != nil {
		return err
	}
	time.Sleep(30 * time.Second)
	h.kill()
	fmt.Println("crash   sqlite   killed herald (SIGKILL) 30 s into the level-2 wait; restarting in 10 s")
	time.Sleep(10 * time.Second)
	if h, err = startOn("", data, h.port); err != nil {
		return err
	}
	defer h.stop()
	due := t0.Add(time.Minute)
	for time.Since(due) < 30*time.Second {
		if at, ok := rx.At("crash", 2); ok {
			unique, dup := rx.Dups()
			fmt.Printf("crash   sqlite   level 2 delivered %s after its due time; notifications: %d delivered, 2 expected, %d duplicated\n",
				at.Sub(due).Round(10*time.Millisecond), unique, dup)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("crash   sqlite   level 2 was NOT delivered within 30 s of its due time")
	return nil
}

func twoInstances(rx *benchkit.Receiver) error {
	rx.Reset()
	url, err := benchkit.FreshDatabase(*pgURL, "bench_two")
	if err != nil {
		return err
	}
	a, err := start(url, filepath.Join(tmp, "a"))
	if err != nil {
		return err
	}
	defer a.stop()
	b, err := start(url, filepath.Join(tmp, "b"))
	if err != nil {
		return err
	}
	defer b.stop()
	key, err := benchkit.SetupPaging(a.base, rx.URL, 1, 60)
	if err != nil {
		return err
	}
	for i := 0; i < 1000; i++ {
		base := a.base
		if i%2 == 1 {
			base = b.base
		}
		if err := benchkit.SendEvent(base, key, "two-"+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if unique, _ := rx.Dups(); unique >= 1000 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // let any duplicate arrive
	unique, dup := rx.Dups()
	fmt.Printf("two     postgres 1,000 pages through two instances: %d notifications delivered, %d duplicated, %d missing\n", unique, dup, 1000-unique)
	return nil
}

// pgRestart: 16 senders for 12 s on 300 dedup keys while the PostgreSQL
// server restarts (at 4 s); every event answered 202 must then be counted
// in its page's count, none lost and none counted twice.
func pgRestart(rx *benchkit.Receiver) error {
	rx.Reset()
	url, err := benchkit.FreshDatabase(*pgURL, "bench_restart")
	if err != nil {
		return err
	}
	quiet = true // events fail while the server is down: that is the point
	h, err := start(url, filepath.Join(tmp, "restart"))
	quiet = false
	if err != nil {
		return err
	}
	defer h.stop()
	key, err := benchkit.SetupPaging(h.base, rx.URL, 1, 60)
	if err != nil {
		return err
	}
	var ok, failed atomic.Int64
	stop := time.Now().Add(12 * time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; time.Now().Before(stop); i += 16 {
				if benchkit.SendEvent(h.base, key, "restart-"+strconv.Itoa(i%300)) == nil {
					ok.Add(1)
				} else {
					failed.Add(1)
					time.Sleep(50 * time.Millisecond)
				}
			}
		}(g)
	}
	time.Sleep(4 * time.Second)
	cmd := exec.Command("sh", "-c", *restart)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr // the server must not keep a pipe of ours open
	restartErr := cmd.Run()
	wg.Wait()
	if restartErr != nil {
		return fmt.Errorf("restart PostgreSQL: %w", restartErr)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	var counted int64
	if err := db.QueryRow(`SELECT COALESCE(sum(count), 0) FROM pages WHERE dedup_key LIKE 'restart-%'`).Scan(&counted); err != nil {
		return err
	}
	fmt.Printf("restart postgres server restarted during ingestion: %d events answered 202 (%d refused meanwhile), %d counted: %d lost, %d more than answered (committed, answer lost)\n",
		ok.Load(), failed.Load(), counted, max(ok.Load()-counted, 0), max(counted-ok.Load(), 0))
	return nil
}
