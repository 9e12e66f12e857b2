// Command statuspage measures how fast Herald serves its public status page
// under load, against a minimal Go server that returns the same bytes.
//
// It builds and starts `herald serve` (SQLite, in a temporary folder), fills
// it with components and incidents through the API, starts the minimal
// server, and runs wrk (a separate process, on loopback) against `/` and
// `/api/v2/summary.json` on both, alternating, while it publishes a status
// update every second. Run it from the repository root:
//
//	go run ./bench/statuspage -duration 10s -connections 256
//
// wrk must be installed (apt-get install wrk). The load generator shares
// the machine's cores with the servers, so compare the two servers within
// one run rather than absolute figures across machines.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/bench/internal/benchkit"
	"github.com/heraldhq/herald/client"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	duration := flag.Duration("duration", 10*time.Second, "how long each wrk run lasts")
	conns := flag.Int("connections", 256, "concurrent connections")
	threads := flag.Int("threads", 2, "wrk threads")
	rounds := flag.Int("rounds", 3, "alternating rounds per URL and server; the median is reported")
	flag.Parse()
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed: apt-get install wrk")
	}
	tmp, err := os.MkdirTemp("", "herald-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := benchkit.BuildHerald(tmp)
	if err != nil {
		return err
	}

	addr := benchkit.FreeAddr()
	base := "http://" + addr
	const token = "bench-admin-token-0123456789"
	srv := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(tmp, "data"), "--log-level", "warn")
	srv.Env = append(os.Environ(), "HERALD_ADMIN_TOKEN="+token)
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	if err := benchkit.WaitReady(base+"/healthz", 30*time.Second); err != nil {
		return err
	}

	ctx := context.Background()
	c := client.New(base, token)
	var ids []string
	for i, name := range []string{"API", "Web", "Database", "Search", "Payments", "E-mail", "Webhooks", "CDN"} {
		grp := "Platform"
		if i >= 4 {
			grp = "Integrations"
		}
		comp, err := c.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name, Group: &grp})
		if err != nil {
			return err
		}
		ids = append(ids, comp.ID)
	}
	for i := 0; i < 30; i++ {
		res, err := c.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: fmt.Sprintf("Past incident %d", i),
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating errors.", Components: map[string]herald.ComponentStatus{ids[i%len(ids)]: herald.PartialOutage}}}, false)
		if err != nil {
			return err
		}
		if _, err := c.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Resolved."}, false); err != nil {
			return err
		}
	}
	live, err := c.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "Elevated API errors",
		StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating elevated errors.", Components: map[string]herald.ComponentStatus{ids[0]: herald.MajorOutage}}}, false)
	if err != nil {
		return err
	}
	time.Sleep(time.Second) // let the page cache rebuild

	// The minimal server: the same bytes, from memory, nothing else.
	paths := []string{"/", "/api/v2/summary.json"}
	bodies := map[string][]byte{}
	for _, p := range paths {
		resp, err := http.Get(base + p)
		if err != nil {
			return err
		}
		bodies[p], _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	minimal := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})}
	go minimal.Serve(ln)
	defer minimal.Close()
	minBase := "http://" + ln.Addr().String()

	// An update every second while the load runs.
	var published atomic.Int64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if _, err := c.StatusPage.PublishUpdate(ctx, live.ID, herald.StatusUpdateInput{Status: herald.Investigating, Body: fmt.Sprintf("Still investigating (%d).", n)}, false); err == nil {
				published.Add(1)
			}
		}
	}()
	defer close(stop)

	fmt.Printf("wrk -t%d -c%d -d%s, %d alternating rounds, median reported; a status update published every second\n\n", *threads, *conns, *duration, *rounds)
	fmt.Printf("%-24s %-8s %12s %10s %10s\n", "path", "server", "requests/s", "p50", "p99")
	for _, p := range paths {
		var h, m []result
		for r := 0; r < *rounds; r++ {
			for _, target := range []struct {
				name string
				url  string
				out  *[]result
			}{{"herald", base + p, &h}, {"minimal", minBase + p, &m}} {
				res, err := wrk(target.url, *threads, *conns, *duration)
				if err != nil {
					return err
				}
				*target.out = append(*target.out, res)
			}
		}
		hm, mm := median(h), median(m)
		fmt.Printf("%-24s %-8s %12.0f %10s %10s\n", p, "herald", hm.rps, hm.p50, hm.p99)
		fmt.Printf("%-24s %-8s %12.0f %10s %10s\n", p, "minimal", mm.rps, mm.p50, mm.p99)
		fmt.Printf("%-24s %-8s %11.0f%%\n\n", p, "ratio", 100*hm.rps/mm.rps)
	}
	fmt.Printf("status updates published during the run: %d\n", published.Load())
	return nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
}

func median(rs []result) result {
	// Median by throughput; its latencies come with it.
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[j].rps < rs[i].rps {
				rs[i], rs[j] = rs[j], rs[i]
			}
		}
	}
	return rs[len(rs)/2]
}

var (
	rpsRE = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latRE = regexp.MustCompile(`^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)`)
	errRE = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)|Socket errors: .*`)
)

func wrk(url string, threads, conns int, d time.Duration) (result, error) {
	out, err := exec.Command("wrk", "-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns), "-d"+d.String(), "--latency", url).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	var r result
	if m := rpsRE.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := latRE.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
			dur := time.Duration(v * float64(unit))
			if m[1] == "50" {
				r.p50 = dur
			} else {
				r.p99 = dur
			}
		}
	}
	if m := errRE.Find(out); m != nil {
		fmt.Fprintf(os.Stderr, "note: %s: %s\n", url, m)
	}
	return r, nil
}
