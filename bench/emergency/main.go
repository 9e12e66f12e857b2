// Command emergency measures the notices of one emergency maintenance
// (R33) with real processes: `herald serve` (SQLite, or PostgreSQL with
// -database-url) and mailpit as the SMTP server.
//
//	go run ./bench/emergency -mailpit $(go env GOPATH)/bin/mailpit
//
// Each round makes N tenants (two operational addresses each, so every
// notice carries a copy), schedules an emergency maintenance affecting
// them all, has an engineering manager approve it and a member of the
// security team approve the notice's words (R44): the time from sending
// the security team's approval (which reads and queues the N notices) to
// mailpit accepting the last of them, and Herald's peak memory (VmHWM)
// before the manager's approval and after the last notice. Rounds after
// the first reuse the tenants with a new maintenance.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

var (
	mailpitBin = flag.String("mailpit", "", "mailpit binary (scripts/test builds one into GOPATH/bin)")
	tenants    = flag.Int("tenants", 500, "tenants linked to the emergency maintenance")
	rounds     = flag.Int("rounds", 3, "emergency maintenances approved, one after the other")
	pgURL      = flag.String("database-url", "", "run on this PostgreSQL (a new database) instead of SQLite")
)

func main() { benchkit.Main(run) }

func api(base, token, method, path string, in, out any) error {
	var send io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		send = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, send)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

func peakKB(pid int) int {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

func run() error {
	if *mailpitBin == "" {
		return fmt.Errorf("-mailpit is required")
	}
	tmp, err := os.MkdirTemp("", "herald-emergency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := benchkit.BuildHerald(tmp)
	if err != nil {
		return err
	}
	smtpAddr, webAddr := benchkit.FreeAddr(), benchkit.FreeAddr()
	mp := exec.Command(*mailpitBin, "--listen", webAddr, "--smtp", smtpAddr, "--disable-version-check", "--max", "0",
		"--database", filepath.Join(tmp, "mailpit.db"), "--quiet")
	if err := mp.Start(); err != nil {
		return err
	}
	defer benchkit.Kill(mp)
	if err := benchkit.WaitReady("http://"+webAddr+"/api/v1/messages", 30*time.Second); err != nil {
		return err
	}
	dbURL := ""
	if *pgURL != "" {
		if dbURL, err = benchkit.FreshDatabase(*pgURL, "emergency"); err != nil {
			return err
		}
	}
	addr := benchkit.FreeAddr()
	base := "http://" + addr
	cmd := benchkit.ServeCommand(bin, addr, filepath.Join(tmp, "data"), dbURL, 200*time.Millisecond)
	cmd.Env = append(cmd.Env, "HERALD_SMTP_URL=smtp://"+smtpAddr, "HERALD_SMTP_FROM=status@example.com")
	if err := benchkit.Start(cmd, base); err != nil {
		return err
	}
	defer benchkit.Kill(cmd)

	admin := benchkit.Token
	var mia struct{ ID string }
	if err := api(base, admin, "POST", "/api/v1/users", map[string]any{"name": "Mia", "email": "mia@example.com", "manager": true}, &mia); err != nil {
		return err
	}
	var tok struct{ Secret string }
	if err := api(base, admin, "POST", "/api/v1/tokens", map[string]any{"name": "mia", "role": "responder", "user_id": mia.ID}, &tok); err != nil {
		return err
	}
	// Sam is the security team: Mia approves the work, Sam the words.
	var sam struct{ ID string }
	if err := api(base, admin, "POST", "/api/v1/users", map[string]any{"name": "Sam", "email": "sam@example.com"}, &sam); err != nil {
		return err
	}
	var samTok struct{ Secret string }
	if err := api(base, admin, "POST", "/api/v1/tokens", map[string]any{"name": "sam", "role": "responder", "user_id": sam.ID}, &samTok); err != nil {
		return err
	}
	if err := api(base, admin, "POST", "/api/v1/teams", map[string]any{"name": "Security", "members": []string{sam.ID}}, nil); err != nil {
		return err
	}
	var comp struct{ ID string }
	if err := api(base, admin, "POST", "/api/v1/components", map[string]any{"name": "API"}, &comp); err != nil {
		return err
	}
	ids := make([]string, *tenants)
	t := time.Now()
	for i := range ids {
		var tn struct{ ID string }
		if err := api(base, admin, "POST", "/api/v1/tenants", map[string]any{"name": fmt.Sprintf("Tenant %04d", i), "primary_region": "us-east-1",
			"emails": []string{fmt.Sprintf("ops%04d@tenant.example", i), fmt.Sprintf("sre%04d@tenant.example", i)}, "components": []string{comp.ID}}, &tn); err != nil {
			return err
		}
		ids[i] = tn.ID
	}
	fmt.Printf("made %d tenants in %s\n", *tenants, time.Since(t).Round(10*time.Millisecond))

	accepted := func() int {
		var out struct {
			Total int `json:"total"`
		}
		resp, err := http.Get("http://" + webAddr + "/api/v1/messages?limit=1")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
		}
		return out.Total
	}
	var took []time.Duration
	for r := 1; r <= *rounds; r++ {
		from := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		var m struct{ ID string }
		if err := api(base, admin, "POST", "/api/v1/maintenances", map[string]any{"name": fmt.Sprintf("OpenSSL patch %d", r), "kind": "emergency", "security": true,
			"scheduled_for": from, "scheduled_until": from.Add(time.Hour), "components": []string{comp.ID}}, &m); err != nil {
			return err
		}
		if err := api(base, admin, "PUT", "/api/v1/maintenances/"+m.ID+"/tenants", map[string]any{"tenants": ids}, nil); err != nil {
			return err
		}
		before, want := peakKB(cmd.Process.Pid), accepted()+*tenants
		t0 := time.Now()
		if err := api(base, tok.Secret, "POST", "/api/v1/maintenances/"+m.ID+"/approve", map[string]any{"comment": "bench"}, nil); err != nil {
			return err
		}
		answered := time.Since(t0)
		var pending struct {
			Approvals []struct {
				ID            string
				Hash          string
				MaintenanceID string `json:"maintenance_id"`
			}
		}
		if err := api(base, admin, "GET", "/api/v1/notice-approvals", nil, &pending); err != nil {
			return err
		}
		words := ""
		for _, a := range pending.Approvals {
			if a.MaintenanceID == m.ID {
				words = a.ID
			}
		}
		if words == "" {
			return fmt.Errorf("round %d: no approval of the notice's words asked", r)
		}
		if early := accepted() - (want - *tenants); early != 0 {
			return fmt.Errorf("round %d: %d messages before the security team's approval", r, early)
		}
		t0 = time.Now()
		if err := api(base, samTok.Secret, "POST", "/api/v1/notice-approvals/"+words+"/approve", map[string]any{}, nil); err != nil {
			return err
		}
		queued := time.Since(t0)
		for accepted() < want {
			if time.Since(t0) > 10*time.Minute {
				return fmt.Errorf("round %d: %d of %d after 10 minutes", r, accepted(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		d := time.Since(t0)
		took = append(took, d)
		fmt.Printf("round %d: manager's approval answered in %s, security team's (queues the notices) in %s; %d tenant notices accepted by mailpit %s after the security team's approval was sent; herald peak RSS %d MB (%d MB before)\n",
			r, answered.Round(time.Millisecond), queued.Round(time.Millisecond), *tenants, d.Round(10*time.Millisecond), peakKB(cmd.Process.Pid)/1024, before/1024)
	}
	p50, _, _ := benchkit.Percentiles(took)
	fmt.Printf("median of %d rounds: %s for %d tenants\n", len(took), p50.Round(10*time.Millisecond), *tenants)
	return nil
}
