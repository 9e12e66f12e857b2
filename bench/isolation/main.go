// Command isolation measures whether a broadcast that cannot finish slows
// paging down, with real processes: `herald serve` (built from this
// checkout), a webhook receiver that records every page delivery, and a
// "stalled" listener that accepts every subscriber's webhook, reads the
// request and never answers.
//
//	go run ./bench/isolation                    # SQLite only
//	./bench/isolation.sh                        # also PostgreSQL (starts one, fsync on)
//
// Each run starts a fresh instance and database and measures, from
// sending an event to /v2/enqueue to the first page webhook received, p50
// and p99 over -pages new pages sent -rate a second:
//   - idle: nothing else to do;
//   - loaded: -subscribers webhook subscribers (imported by CSV) whose
//     endpoints never answer, and a published status incident whose
//     broadcast to all of them is in flight during the whole measurement
//     (checked: connections held at the stalled listener, broadcast
//     attempts started, and the bulk lane of herald_outbox_deliveries).
//
// The target (issue 8, item 1) is p99(loaded) <= 1.5 x p99(idle). With
// -repeat N each database is run N times and the medians are printed too.
// On a shared machine the two measurements, ten seconds apart, can see very
// different noise from other processes; -twin also pages an idle twin
// instance in turn with the measured one, so the loaded figure can be
// compared with an idle one taken at the same moments.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
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
)

var (
	bin, tmp     string
	pgURL        = flag.String("database-url", "", "PostgreSQL server URL (a new database per run); empty runs SQLite only")
	pages        = flag.Int("pages", 200, "pages per measurement")
	rate         = flag.Int("rate", 20, "pages sent per second")
	subscribers  = flag.Int("subscribers", 1000, "stalled webhook subscribers in the loaded run")
	repeat       = flag.Int("repeat", 1, "runs per database (each with a fresh instance and database); medians are printed when > 1")
	bcastTimeout = flag.Duration("broadcast-timeout", 0, "passed to herald serve --broadcast-timeout; 0 keeps Herald's default")
	skipSQLite   = flag.Bool("skip-sqlite", false, "run PostgreSQL only (with -database-url)")
	twin         = flag.Bool("twin", false, "also run an idle twin instance (its own database), paged in turn with the measured one: the loaded figure is then compared with the twin's at the same moments, which cancels most noise from other processes")
	heraldBin    = flag.String("herald", "", "use this herald binary instead of building ./cmd/herald (to compare with an older commit)")
	verbose      = flag.Bool("v", false, "print the slowest pages of each measurement and every metrics sample")
)

func main() { benchkit.Main(run) }

func run() error {
	// The stalled listener holds one connection per broadcast attempt in
	// flight; make room for far more than Herald opens.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	var err error
	if tmp, err = os.MkdirTemp("", "herald-isolation-"); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *heraldBin != "" {
		bin = *heraldBin
	} else if bin, err = benchkit.BuildHerald(tmp); err != nil {
		return err
	}
	rx := benchkit.NewReceiver()
	defer rx.Close()
	st, err := newStaller()
	if err != nil {
		return err
	}
	defer st.ln.Close()

	var dbs []string
	if !*skipSQLite {
		dbs = append(dbs, "sqlite")
	}
	if *pgURL != "" {
		dbs = append(dbs, "postgres")
	}
	fmt.Printf("isolation: %d pages at %d/s per measurement, %d stalled webhook subscribers, %d CPUs, fd limit %d\n",
		*pages, *rate, *subscribers, numCPU(), lim.Cur)
	for _, db := range dbs {
		var idle, loaded, ratio, twinP99, twinRatio []float64
		for i := 1; i <= *repeat; i++ {
			r, err := once(db, i, rx, st)
			if err != nil {
				return err
			}
			idle = append(idle, ms(r.idle.p99))
			loaded = append(loaded, ms(r.loaded.p99))
			ratio = append(ratio, float64(r.loaded.p99)/float64(r.idle.p99))
			twinP99 = append(twinP99, ms(r.twin.p99))
			twinRatio = append(twinRatio, float64(r.loaded.p99)/float64(r.twin.p99))
		}
		if *repeat > 1 {
			fmt.Printf("%-8s median of %d runs: idle p99 %.1f ms, loaded p99 %.1f ms, ratio %.2f (runs: %s)\n",
				db, *repeat, median(idle), median(loaded), median(ratio), floats(ratio))
			if *twin {
				fmt.Printf("%-8s median of %d runs: idle twin at the same moments p99 %.1f ms, loaded/twin %.2f (runs: %s)\n",
					db, *repeat, median(twinP99), median(twinRatio), floats(twinRatio))
			}
		}
	}
	return nil
}

type result struct {
	idle, loaded measurement
	// twin is the idle twin instance measured at the same moments as
	// loaded (-twin): machine noise hits both alike.
	twinIdle, twin measurement
}

// once runs the idle and the loaded measurement on a fresh instance (and,
// with -twin, on an idle twin at the same time).
func once(db string, n int, rx *benchkit.Receiver, st *staller) (result, error) {
	var res result
	tag := fmt.Sprintf("%-8s run %d", db, n)
	id := db + strconv.Itoa(n) // dedup keys are unique across runs: the receiver keeps them all
	ts := []*target{}
	names := []string{"", "twin"}
	for i := range 1 + btoi(*twin) {
		url := ""
		if db == "postgres" {
			var err error
			if url, err = benchkit.FreshDatabase(*pgURL, "bench_isolation"); err != nil {
				return res, err
			}
		}
		h, err := start(url, filepath.Join(tmp, fmt.Sprintf("%s-%d%s", db, n, names[i])))
		if err != nil {
			return res, err
		}
		defer h.stop()
		// One level: no second level fires during the run.
		key, err := benchkit.SetupPaging(h.base, rx.URL, 60)
		if err != nil {
			return res, err
		}
		ts = append(ts, &target{h: h, key: key, name: names[i]})
	}

	// Warm up (connections to the receiver, prepared statements), then idle.
	measure(ts, rx, st, 10, id+"-warm")
	ms := measure(ts, rx, st, *pages, id+"-idle")
	res.idle = ms[0]
	fmt.Printf("%s idle    %s\n", tag, res.idle)
	if *twin {
		res.twinIdle = ms[1]
		fmt.Printf("%s   twin  %s\n", tag, res.twinIdle)
	}

	// Load: stalled subscribers, and a broadcast to all of them in flight.
	if err := loadBroadcast(ts[0].h, st); err != nil {
		return res, err
	}
	ms = measure(ts, rx, st, *pages, id+"-loaded")
	res.loaded = ms[0]
	fmt.Printf("%s loaded  %s\n", tag, res.loaded)
	if *twin {
		res.twin = ms[1]
		fmt.Printf("%s   twin  %s\n", tag, res.twin)
	}
	fmt.Printf("%s         broadcast in flight: %s\n", tag, res.loaded.bulk)
	atLeast := ""
	if res.loaded.p99Lost {
		atLeast = "at least "
	}
	fmt.Printf("%s p99 loaded/idle %s%.2f (target <= 1.5)", tag, atLeast, float64(res.loaded.p99)/float64(res.idle.p99))
	if *twin {
		fmt.Printf("; loaded/twin at the same moments %.2f (idle/twin before loading %.2f)",
			float64(res.loaded.p99)/float64(res.twin.p99), float64(res.idle.p99)/float64(res.twinIdle.p99))
	}
	fmt.Println()
	if res.loaded.bulk.inFlight < 0.9 {
		return res, fmt.Errorf("%s: the broadcast was not in flight during the loaded measurement (%s)", tag, res.loaded.bulk)
	}
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// target is an instance with the integration key of its bench service.
type target struct {
	h    *instance
	key  string
	name string
}

// loadBroadcast imports the stalled subscribers, publishes a status
// incident on a component, and waits until the broadcast is planned and its
// first deliveries hang at the stalled listener.
func loadBroadcast(h *instance, st *staller) error {
	rows := make([]string, *subscribers)
	for i := range rows {
		rows[i] = fmt.Sprintf("webhook,%s/s/%d,", st.url, i)
	}
	csv := "kind,target,components\n" + strings.Join(rows, "\n") + "\n"
	if err := benchkit.API(h.base, "POST", "/api/v1/subscribers/import", "text/csv", []byte(csv), nil, time.Minute); err != nil {
		return err
	}
	ctx := context.Background()
	c := client.New(h.base, benchkit.Token)
	name := "API"
	comp, err := c.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
	if err != nil {
		return err
	}
	in := herald.StatusIncidentInput{Name: "Elevated errors"}
	in.Body = "We are investigating elevated errors on the API."
	in.Components = map[string]herald.ComponentStatus{comp.ID: "partial_outage"}
	before := st.accepted.Load()
	if _, err := c.StatusPage.CreateStatusIncident(ctx, in, false); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := scrape(h.base)
		// (Herald before the worker rewrite has no broadcast metrics: the
		// stalled listener alone says so then.)
		if err == nil && m.sum("herald_broadcasts_unplanned") == 0 && st.held.Load() > 0 && st.accepted.Load() > before {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the broadcast did not start within 30 s (held %d, accepted %d)", st.held.Load(), st.accepted.Load()-before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// measurement is one latency run and what the instance did meanwhile.
type measurement struct {
	n, lost       int
	p50, p99, max time.Duration
	p99Lost       bool    // a lost page is at or below the p99: the figures are lower bounds
	heraldCPU     float64 // share of one core used by herald serve
	machineCPU    float64 // share of all cores busy, every process
	lag           map[string]float64
	bulk          bulkActivity
}

// bulkActivity is the evidence that a broadcast was being delivered.
type bulkActivity struct {
	inFlight         float64 // share of samples with a subscriber connection held open
	minHeld, maxHeld int64   // connections held open at the stalled listener
	started          int64   // connections it accepted during the measurement
	attempts         float64
	pendingStart     float64 // bulk deliveries pending at the start
	pendingEnd       float64
}

func (b bulkActivity) String() string {
	return fmt.Sprintf("subscriber connections held open %d-%d (at least one in %.0f%% of 50 ms samples), %d opened and %.0f bulk attempts settled during the measurement, bulk deliveries pending %.0f -> %.0f",
		b.minHeld, b.maxHeld, b.inFlight*100, b.started, b.attempts, b.pendingStart, b.pendingEnd)
}

func (m measurement) String() string {
	var loops []string
	for _, l := range []string{"escalation", "paging", "broadcast"} {
		loops = append(loops, fmt.Sprintf("%s %.2fs", l, m.lag[l]))
	}
	lb := ""
	if m.p99Lost {
		lb = "(lower bounds: pages were lost) "
	}
	return fmt.Sprintf(lb+"p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d pages, %d lost)  herald CPU %3.0f%% of a core, machine %3.0f%% busy; max worker lag: %s",
		ms(m.p50), ms(m.p99), ms(m.max), m.n, m.lost, m.heraldCPU*100, m.machineCPU*100, strings.Join(loops, ", "))
}

// measure sends n new pages to each target, -rate a second to each, in
// turn, and times each page from the event's sending to its first webhook
// at the receiver; meanwhile it samples /metrics every second and the
// stalled listener every 50 ms.
func measure(ts []*target, rx *benchkit.Receiver, st *staller, n int, tag string) []measurement {
	k := len(ts)
	out := make([]measurement, k)
	var mu sync.Mutex
	var samples, heldSamples int
	minHeld, maxHeld := st.held.Load(), st.held.Load()
	acc0 := st.accepted.Load()
	m0 := make([]metricsSample, k)
	cpu0 := make([]float64, k)
	for j, t := range ts {
		out[j] = measurement{n: n, lag: map[string]float64{}}
		m0[j], _ = scrape(t.h.base)
		cpu0[j] = t.h.cpu()
	}
	sys0, t0 := machineTicks(), time.Now()

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // stalled connections
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			v := st.held.Load()
			mu.Lock()
			minHeld, maxHeld = min(minHeld, v), max(maxHeld, v)
			samples++
			if v > 0 {
				heldSamples++
			}
			mu.Unlock()
		}
	}()
	go func() { // worker lag
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			for j, tg := range ts {
				s, err := scrape(tg.h.base)
				if err != nil {
					continue
				}
				mu.Lock()
				for _, l := range []string{"escalation", "paging", "broadcast", "maintenance"} {
					out[j].lag[l] = max(out[j].lag[l], s.sum("herald_worker_lag_seconds", `loop="`+l+`"`))
				}
				mu.Unlock()
				if *verbose {
					fmt.Printf("  %s%s t+%4.1fs lag escalation %.3f paging %.3f broadcast %.1f; bulk pending %.0f, held %d\n", tag, tg.name, time.Since(t0).Seconds(),
						s.sum("herald_worker_lag_seconds", `loop="escalation"`), s.sum("herald_worker_lag_seconds", `loop="paging"`),
						s.sum("herald_worker_lag_seconds", `loop="broadcast"`), s.sum("herald_outbox_deliveries", `lane="bulk"`), st.held.Load())
				}
			}
		}
	}()

	type page struct {
		t     int
		dedup string
		sent  time.Time
		d     time.Duration
	}
	all := make([]*page, 0, n*k)
	tick := time.NewTicker(time.Second / time.Duration(*rate*k))
	var senders sync.WaitGroup
	for i := 0; i < n*k; i++ {
		if i > 0 {
			<-tick.C
		}
		p := &page{t: i % k, dedup: tag + "-" + strconv.Itoa(i), sent: time.Now()}
		all = append(all, p)
		senders.Add(1)
		go func() {
			defer senders.Done()
			if err := benchkit.SendEvent(ts[p.t].h.base, ts[p.t].key, p.dedup); err != nil {
				fmt.Fprintln(os.Stderr, "bench: event:", err)
			}
		}()
	}
	tick.Stop()
	senders.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for _, p := range all {
		for {
			if got, ok := rx.At(p.dedup, 1); ok {
				p.d = got.Sub(p.sent)
				break
			}
			if time.Now().After(deadline) {
				out[p.t].lost++
				p.d = time.Since(p.sent) // a lower bound: lost pages count as the slowest
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(done)
	wg.Wait()
	wall := time.Since(t0).Seconds()
	busy, total := machineTicks().sub(sys0)
	for j, t := range ts {
		m := &out[j]
		m.heraldCPU = (t.h.cpu() - cpu0[j]) / wall
		if total > 0 {
			m.machineCPU = busy / total
		}
		m1, _ := scrape(t.h.base)
		m.bulk = bulkActivity{minHeld: minHeld, maxHeld: maxHeld, started: st.accepted.Load() - acc0,
			attempts:     m1.sum("herald_delivery_attempts_total", `lane="bulk"`) - m0[j].sum("herald_delivery_attempts_total", `lane="bulk"`),
			pendingStart: m0[j].sum("herald_outbox_deliveries", `lane="bulk"`, `state="pending"`) + m0[j].sum("herald_outbox_deliveries", `lane="bulk"`, `state="retrying"`),
			pendingEnd:   m1.sum("herald_outbox_deliveries", `lane="bulk"`, `state="pending"`) + m1.sum("herald_outbox_deliveries", `lane="bulk"`, `state="retrying"`)}
		if samples > 0 {
			m.bulk.inFlight = float64(heldSamples) / float64(samples)
		}
		var ds []time.Duration
		var mine []*page
		for _, p := range all {
			if p.t == j {
				ds = append(ds, p.d)
				mine = append(mine, p)
			}
		}
		m.p50, m.p99, m.max = benchkit.Percentiles(ds)
		if len(ds) > 0 {
			m.p99Lost = len(ds)-len(ds)*99/100 <= m.lost
		}
		if *verbose {
			sort.Slice(mine, func(a, b int) bool { return mine[a].d > mine[b].d })
			for _, p := range mine[:min(5, len(mine))] {
				since := "no subscriber connection opened since the start"
				if d := st.sinceOpen(t0, p.sent); d >= 0 {
					since = d.Round(time.Millisecond).String() + " after the last subscriber connection opened"
				}
				fmt.Printf("  %s%s slow page: %.1f ms, sent at t+%.2fs, %s\n", tag, t.name, ms(p.d), p.sent.Sub(t0).Seconds(), since)
			}
		}
	}
	return out
}

// staller accepts connections, reads whatever comes, and never answers:
// a subscriber endpoint that hangs. The connection is held until Herald
// gives up and closes it.
type staller struct {
	ln       net.Listener
	url      string
	held     atomic.Int64
	accepted atomic.Int64
	mu       sync.Mutex
	opened   []time.Time
}

// sinceOpen is how long before t the last connection was accepted (-1
// when none was since from).
func (s *staller) sinceOpen(from, t time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.opened), func(i int) bool { return s.opened[i].After(t) })
	if i == 0 || s.opened[i-1].Before(from) {
		return -1
	}
	return t.Sub(s.opened[i-1])
}

func newStaller() (*staller, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &staller{ln: ln, url: "http://" + ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.held.Add(1)
			s.mu.Lock()
			s.opened = append(s.opened, time.Now())
			s.mu.Unlock()
			go func() {
				io.Copy(io.Discard, c)
				c.Close()
				s.held.Add(-1)
			}()
		}
	}()
	return s, nil
}

type instance struct {
	cmd  *exec.Cmd
	base string
}

func start(dbURL, data string) (*instance, error) {
	addr := benchkit.FreeAddr()
	h := &instance{base: "http://" + addr}
	var args []string
	if *bcastTimeout > 0 {
		args = append(args, "--broadcast-timeout", bcastTimeout.String())
	}
	h.cmd = benchkit.ServeCommand(bin, addr, data, dbURL, 250*time.Millisecond, args...)
	if err := benchkit.Start(h.cmd, h.base); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *instance) stop() { benchkit.Stop(h.cmd) }

// cpu is the CPU time herald has used, in seconds.
func (h *instance) cpu() float64 {
	_, cpu := benchkit.ProcStat(h.cmd.Process.Pid)
	return cpu
}

type ticks struct{ busy, total float64 }

func machineTicks() ticks {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return ticks{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var t ticks
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		t.total += v
		if i != 3 && i != 4 { // idle, iowait
			t.busy += v
		}
	}
	return t
}

func (t ticks) sub(u ticks) (busy, total float64) { return t.busy - u.busy, t.total - u.total }

func numCPU() int {
	b, _ := os.ReadFile("/proc/stat")
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "cpu") && !strings.HasPrefix(l, "cpu ") {
			n++
		}
	}
	return n
}

// metricsSample is one scrape of /metrics: series (name and labels as
// written) to value.
type metricsSample map[string]float64

func scrape(base string) (metricsSample, error) {
	resp, err := benchkit.HTTP.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	m := metricsSample{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			m[line[:i]] = v
		}
	}
	return m, sc.Err()
}

// sum adds the series of a metric whose labels contain every one of want.
func (m metricsSample) sum(name string, want ...string) float64 {
	total := 0.0
	for series, v := range m {
		if series != name && !strings.HasPrefix(series, name+"{") {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(series, w)
		}
		if ok {
			total += v
		}
	}
	return total
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func floats(xs []float64) string {
	var s []string
	for _, x := range xs {
		s = append(s, strconv.FormatFloat(x, 'f', 2, 64))
	}
	return strings.Join(s, ", ")
}
