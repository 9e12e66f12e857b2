// Command broadcast measures the status page's fan-out with real processes:
// `herald serve` (SQLite), mailpit as the SMTP server, and webhook
// receivers on loopback.
//
//	go run ./bench/broadcast -mailpit $(go env GOPATH)/bin/mailpit
//
// Runs:
//   - email: N confirmed e-mail subscribers (imported by CSV), one status
//     update; time until mailpit has accepted the last message, and
//     Herald's peak memory (VmHWM);
//   - webhook: M webhook subscribers on loopback; time to the last delivery;
//   - crash: K webhook subscribers, herald killed with SIGKILL half-way
//     through the broadcast and restarted; lost and duplicated deliveries
//     counted by the receiver (by webhook-id).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

var (
	mailpitBin = flag.String("mailpit", "", "mailpit binary (scripts/test builds one into GOPATH/bin)")
	emails     = flag.Int("emails", 100000, "e-mail subscribers")
	webhooks   = flag.Int("webhooks", 10000, "webhook subscribers")
	crashN     = flag.Int("crash", 100000, "webhook subscribers in the crash run")
	pgURL      = flag.String("database-url", "", "run on this PostgreSQL (a new database per run) instead of SQLite")
	bin, tmp   string
)

func main() { benchkit.Main(run) }

func run() error {
	var err error
	tmp, err = os.MkdirTemp("", "herald-bcast-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin, err = benchkit.BuildHerald(tmp); err != nil {
		return err
	}
	if *emails > 0 {
		if err := emailRun(); err != nil {
			return err
		}
	}
	rx := newReceiver()
	if *webhooks > 0 {
		if err := webhookRun(rx, *webhooks, false); err != nil {
			return err
		}
	}
	if *crashN > 0 {
		if err := webhookRun(rx, *crashN, true); err != nil {
			return err
		}
	}
	return nil
}

type proc struct {
	dbURL string // kept across a restart
	cmd   *exec.Cmd
	base  string
	addr  string
	data  string
	env   []string
}

func startHerald(data string, env ...string) (*proc, error) {
	p := &proc{addr: benchkit.FreeAddr(), data: data, env: env}
	return p, p.start()
}

func (p *proc) start() error {
	p.base = "http://" + p.addr
	if p.dbURL != "" {
		return p.launch(p.dbURL)
	}
	if *pgURL != "" {
		url, err := benchkit.FreshDatabase(*pgURL, "bcast")
		if err != nil {
			return err
		}
		p.dbURL = url
	}
	return p.launch(p.dbURL)
}

func (p *proc) launch(dbURL string) error {
	p.cmd = benchkit.ServeCommand(bin, p.addr, p.data, dbURL, 200*time.Millisecond)
	p.cmd.Env = append(p.cmd.Env, p.env...)
	return benchkit.Start(p.cmd, p.base)
}

func (p *proc) peakKB() int {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

// setupAndPublish imports subscribers and publishes one status update.
func importSubs(base string, rows []string) error {
	csv := "kind,target,components\n" + strings.Join(rows, "\n") + "\n"
	return benchkit.API(base, "POST", "/api/v1/subscribers/import", "text/csv", []byte(csv), nil, 10*time.Minute)
}

func publish(base string) (time.Time, error) {
	var comp struct{ ID string }
	if err := benchkit.API(base, "POST", "/api/v1/components", "application/json", []byte(`{"name":"API"}`), &comp, 10*time.Minute); err != nil {
		return time.Time{}, err
	}
	body := fmt.Sprintf(`{"name":"Elevated errors","body":"We are investigating elevated errors on the API.","components":{%q:"partial_outage"}}`, comp.ID)
	t0 := time.Now()
	return t0, benchkit.API(base, "POST", "/api/v1/status-incidents", "application/json", []byte(body), nil, 10*time.Minute)
}

func emailRun() error {
	if *mailpitBin == "" {
		return fmt.Errorf("-mailpit is required for the e-mail run (or -emails 0)")
	}
	smtpAddr, webAddr := benchkit.FreeAddr(), benchkit.FreeAddr()
	mp := exec.Command(*mailpitBin, "--listen", webAddr, "--smtp", smtpAddr, "--disable-version-check", "--max", "0",
		"--database", filepath.Join(tmp, "mailpit.db"), "--quiet")
	if err := mp.Start(); err != nil {
		return err
	}
	defer benchkit.Kill(mp)
	time.Sleep(time.Second)
	h, err := startHerald(filepath.Join(tmp, "email"), "HERALD_SMTP_URL=smtp://"+smtpAddr, "HERALD_SMTP_FROM=status@example.com")
	if err != nil {
		return err
	}
	defer benchkit.Kill(h.cmd)
	rows := make([]string, *emails)
	for i := range rows {
		rows[i] = fmt.Sprintf("email,reader%06d@example.com,", i)
	}
	t := time.Now()
	if err := importSubs(h.base, rows); err != nil {
		return err
	}
	fmt.Printf("email    imported %d subscribers in %s\n", *emails, time.Since(t).Round(10*time.Millisecond))
	base := h.peakKB()
	t0, err := publish(h.base)
	if err != nil {
		return err
	}
	for {
		var out struct {
			Total int `json:"total"`
		}
		resp, err := http.Get("http://" + webAddr + "/api/v1/messages?limit=1")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
		}
		if out.Total >= *emails {
			fmt.Printf("email    %d messages accepted by mailpit %s after publishing; herald peak RSS %d MB (%d MB before publishing)\n",
				out.Total, time.Since(t0).Round(100*time.Millisecond), h.peakKB()/1024, base/1024)
			return nil
		}
		if time.Since(t0) > 30*time.Minute {
			return fmt.Errorf("only %d messages after 30 minutes", out.Total)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type receiver struct {
	mu  sync.Mutex
	ids map[string]int
	url string
	t   time.Time
}

func newReceiver() *receiver {
	r := &receiver{ids: map[string]int{}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	r.url = "http://" + ln.Addr().String()
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.ids[req.Header.Get("webhook-id")]++
		r.t = time.Now()
		r.mu.Unlock()
	}))
	return r
}

func (r *receiver) counts() (unique, dup int, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.ids {
		unique++
		dup += n - 1
	}
	return unique, dup, r.t
}

func webhookRun(rx *receiver, n int, crash bool) error {
	rx.mu.Lock()
	rx.ids = map[string]int{}
	rx.mu.Unlock()
	name := "webhook"
	if crash {
		name = "crash"
	}
	h, err := startHerald(filepath.Join(tmp, name))
	if err != nil {
		return err
	}
	defer benchkit.Kill(h.cmd)
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf("webhook,%s/s/%d,", rx.url, i)
	}
	if err := importSubs(h.base, rows); err != nil {
		return err
	}
	t0, err := publish(h.base)
	if err != nil {
		return err
	}
	if crash {
		for {
			u, _, _ := rx.counts()
			if u >= n/2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		benchkit.Kill(h.cmd)
		u, _, _ := rx.counts()
		fmt.Printf("crash    killed herald (SIGKILL) with %d of %d delivered; restarting\n", u, n)
		if err := h.start(); err != nil {
			return err
		}
	}
	idle := t0
	for {
		u, dup, last := rx.counts()
		if u >= n {
			if crash {
				time.Sleep(3 * time.Second) // let late duplicates arrive
				u, dup, _ = rx.counts()
				fmt.Printf("crash    %d subscribers: %d delivered, %d lost, %d duplicated\n", n, u, n-u, dup)
			} else {
				fmt.Printf("webhook  %d subscribers: last delivery %s after publishing, %d duplicated\n", n, last.Sub(t0).Round(10*time.Millisecond), dup)
			}
			return nil
		}
		if last.After(idle) {
			idle = last
		}
		if time.Since(idle) > 2*time.Minute {
			return fmt.Errorf("stalled at %d of %d", u, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
