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
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/bench/internal/benchkit"
	"github.com/heraldhq/herald/client"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to find the PostgreSQL server's processes
)

const token = "bench-admin-token-0123456789"

var (
	bin, tmp  string
	pgURL     = flag.String("database-url", "", "PostgreSQL server URL; empty runs the SQLite scenarios only")
	duration  = flag.Duration("duration", 5*time.Second, "how long the ingestion run lasts")
	pages     = flag.Int("pages", 200, "pages in the latency run")
	skipCrash = flag.Bool("skip-crash", false, "skip the crash scenario (it waits about two minutes)")
	skipLite  = flag.Bool("skip-sqlite", false, "skip the SQLite ingestion and latency runs")
	restart   = flag.String("restart-cmd", "", "shell command that restarts the PostgreSQL server, for the restart scenario (skipped when empty)")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var err error
	if tmp, err = os.MkdirTemp("", "herald-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin, err = benchkit.BuildHerald(tmp); err != nil {
		return err
	}
	rx := newReceiver()
	defer rx.srv.Close()

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
		key, err := setupPaging(h, rx, 60)
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
		pending, last := rx.backlog("k-", 1000, burstEnd)
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
		rx.reset()
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

// receiver records webhook deliveries by webhook-id and by dedup key.
type receiver struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	ids   map[string]int
	first map[string]time.Time // dedup key -> first delivery
	count map[string]int       // dedup key -> deliveries
}

func newReceiver() *receiver {
	r := &receiver{}
	r.reset()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	r.url = "http://" + ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		now := time.Now()
		var msg struct {
			Data struct {
				Page  herald.Page `json:"page"`
				Level int         `json:"level"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := msg.Data.Page.DedupKey + "#" + strconv.Itoa(msg.Data.Level)
		r.mu.Lock()
		r.ids[req.Header.Get("webhook-id")]++
		if _, ok := r.first[key]; !ok {
			r.first[key] = now
		}
		r.count[key]++
		r.mu.Unlock()
	})}
	go r.srv.Serve(ln)
	return r
}

func (r *receiver) reset() {
	r.mu.Lock()
	r.ids, r.first, r.count = map[string]int{}, map[string]time.Time{}, map[string]int{}
	r.mu.Unlock()
}

func (r *receiver) at(key string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.first[key]
	return t, ok
}

// backlog counts the pages prefix0 to prefix<n-1> whose first webhook came
// after t, and how long after t the last came.
func (r *receiver) backlog(prefix string, n int, t time.Time) (after int, last time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < n; i++ {
		at, ok := r.first[prefix+strconv.Itoa(i)+"#1"]
		if !ok || at.After(t) {
			after++
		}
		if ok && at.Sub(t) > last {
			last = at.Sub(t)
		}
	}
	return after, last
}

func (r *receiver) dups() (unique, dup int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.ids {
		unique++
		dup += n - 1
	}
	return
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
	h.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--data", data, "--log-level", "error", "--tick", "250ms", "--webhook-allow-private")
	h.cmd.Env = append(os.Environ(), "HERALD_ADMIN_TOKEN="+token, "HERALD_DATABASE_URL="+dbURL,
		"HERALD_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	h.cmd.Stderr = os.Stderr
	if quiet {
		h.cmd.Stderr = io.Discard
	}
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	if err := benchkit.WaitReady(h.base+"/readyz", 30*time.Second); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *herald_) stop() { h.cmd.Process.Signal(syscall.SIGTERM); h.cmd.Wait() }
func (h *herald_) kill() { h.cmd.Process.Kill(); h.cmd.Wait() }

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
				m.postmaster, _ = procStat(backend)
			}
			db.Close()
		}
	}
	m.start = m.sample()
	return m
}

func (m *cpuMeter) sample() map[int]float64 {
	out := map[int]float64{}
	_, out[m.herald] = procStat(m.herald)
	if m.postmaster <= 1 {
		return out
	}
	_, out[m.postmaster] = procStat(m.postmaster)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			if ppid, cpu := procStat(pid); ppid == m.postmaster {
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

// procStat reads a process's parent and CPU time (user and system) from
// /proc; zeros when it cannot.
func procStat(pid int) (ppid int, cpu float64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0
	}
	ppid, _ = strconv.Atoi(f[1])
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return ppid, (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// setupPaging makes a user reached by webhook at the receiver, a policy
// (one level, or two when timeout > 0 for the second), and a service, and
// returns the service's integration key.
func setupPaging(h *herald_, rx *receiver, timeout int) (string, error) {
	ctx := context.Background()
	c := client.New(h.base, token)
	u, err := c.CreateUser(ctx, herald.UserInput{Name: "Responder", Email: "responder@example.com"})
	if err != nil {
		return "", err
	}
	var m herald.ContactMethod
	if err := post(h.base, "/api/v1/users/"+u.ID+"/contact-methods", map[string]string{"kind": "webhook", "target": rx.url}, &m); err != nil {
		return "", err
	}
	var pol herald.EscalationPolicy
	levels := []herald.EscalationLevel{
		{TimeoutMinutes: 1, Targets: []herald.Target{{Type: "user", ID: u.ID}}},
		{TimeoutMinutes: timeout, Targets: []herald.Target{{Type: "user", ID: u.ID}}},
	}
	if err := post(h.base, "/api/v1/escalation-policies", herald.EscalationPolicyInput{Name: "bench", Levels: levels}, &pol); err != nil {
		return "", err
	}
	svc, err := c.CreateService(ctx, herald.ServiceInput{Name: "bench", EscalationPolicyID: pol.ID, Grouping: &herald.Grouping{}})
	return svc.IntegrationKey, err
}

func post(base, path string, in, out any) error {
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %d %s", path, resp.StatusCode, body)
	}
	return json.Unmarshal(body, out)
}

var transport = &http.Transport{MaxIdleConnsPerHost: 64}
var httpc = &http.Client{Transport: transport, Timeout: 30 * time.Second}

func event(base, key, dedup string) error {
	body := fmt.Sprintf(`{"routing_key":%q,"event_action":"trigger","dedup_key":%q,"payload":{"summary":"disk full","source":"bench","severity":"critical"}}`, key, dedup)
	resp, err := httpc.Post(base+"/v2/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		return fmt.Errorf("enqueue: %d", resp.StatusCode)
	}
	return nil
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
				if event(base, key, "k-"+strconv.Itoa(i%1000)) == nil {
					n.Add(1)
				}
			}
		}(g)
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

func latency(base, key string, rx *receiver, n int, tag string) (p50, p99 time.Duration, lost int) {
	sent := map[string]time.Time{}
	for i := 0; i < n; i++ {
		dedup := "lat-" + tag + "-" + strconv.Itoa(i)
		sent[dedup] = time.Now()
		event(base, key, dedup)
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	var ds []time.Duration
	for dedup, at := range sent {
		for {
			if got, ok := rx.at(dedup + "#1"); ok {
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
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) == 0 {
		return 0, 0, lost
	}
	return ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)*99/100].Round(time.Millisecond), lost
}

// crash: level 1 at once, level 2 one minute later; herald is killed 30 s
// into the wait and restarted 10 s after.
func crash(rx *receiver) error {
	rx.reset()
	data := filepath.Join(tmp, "crash")
	h, err := start("", data)
	if err != nil {
		return err
	}
	key, err := setupPaging(h, rx, 1)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := event(h.base, key, "crash"); err != nil {
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
		if at, ok := rx.at("crash#2"); ok {
			unique, dup := rx.dups()
			fmt.Printf("crash   sqlite   level 2 delivered %s after its due time; notifications: %d delivered, 2 expected, %d duplicated\n",
				at.Sub(due).Round(10*time.Millisecond), unique, dup)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Println("crash   sqlite   level 2 was NOT delivered within 30 s of its due time")
	return nil
}

func twoInstances(rx *receiver) error {
	rx.reset()
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
	key, err := setupPaging(a, rx, 60)
	if err != nil {
		return err
	}
	for i := 0; i < 1000; i++ {
		base := a.base
		if i%2 == 1 {
			base = b.base
		}
		if err := event(base, key, "two-"+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if unique, _ := rx.dups(); unique >= 1000 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // let any duplicate arrive
	unique, dup := rx.dups()
	fmt.Printf("two     postgres 1,000 pages through two instances: %d notifications delivered, %d duplicated, %d missing\n", unique, dup, 1000-unique)
	return nil
}

// pgRestart: 16 senders for 12 s on 300 dedup keys while the PostgreSQL
// server restarts (at 4 s); every event answered 202 must then be counted
// in its page's count, none lost and none counted twice.
func pgRestart(rx *receiver) error {
	rx.reset()
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
	key, err := setupPaging(h, rx, 60)
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
				if event(h.base, key, "restart-"+strconv.Itoa(i%300)) == nil {
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
