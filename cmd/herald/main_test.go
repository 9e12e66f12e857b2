package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const testAdminToken = "cli-test-admin-token-0123456789"

// startServer runs `herald serve` through run() on a free port, as main
// would, and returns its URL once /healthz answers.
func startServer(t *testing.T, d store.Dialect) (url string, stop func() error) {
	t.Helper()
	vars := map[string]string{
		"HERALD_ADMIN_TOKEN":  testAdminToken,
		"HERALD_DATABASE_URL": testdb.URL(t, d),
		"HERALD_DATA":         t.TempDir(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, func(k string) string { return vars[k] }, nil, &out, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s, ok := strings.CutPrefix(out.String(), "Herald is running at "); ok {
			url = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
			if resp, err := http.Get(url + "/healthz"); err == nil && resp.StatusCode == 200 {
				resp.Body.Close()
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(errOut.String(), testAdminToken) {
		t.Error("the admin token appears in the log")
	}
	var once sync.Once
	stop = func() error {
		var err error
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

// cli runs one herald command against url and returns its output.
func cli(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	vars := map[string]string{"HERALD_SERVER": url, "HERALD_TOKEN": testAdminToken}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func mustCLI(t *testing.T, url string, args ...string) string {
	t.Helper()
	out, err := cli(t, url, args...)
	if err != nil {
		t.Fatalf("herald %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestCLI_IncidentLifecycle(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, stop := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ada Lovelace", "--email", "ada@example.com")
		mustCLI(t, url, "user", "create", "--name", "Grace Hopper", "--email", "grace@example.com", "--manager")

		out := mustCLI(t, url, "incident", "declare", "--title", "Checkout fails", "--severity", "s2", "--service", "checkout", "--service", "payments", "--label", "Incident-Comms::Internal")
		if !strings.Contains(out, "INC-1") || !strings.Contains(out, "checkout, payments") {
			t.Fatalf("declare output:\n%s", out)
		}
		mustCLI(t, url, "incident", "assign", "INC-1", "incident_lead", "grace@example.com")
		mustCLI(t, url, "incident", "assign", "INC-1", "eoc", "ada@example.com")
		mustCLI(t, url, "incident", "note", "INC-1", "Payments", "provider", "returns", "503")
		mustCLI(t, url, "incident", "label", "INC-1", "--add", "Incident-Comms::Status-Page")
		mustCLI(t, url, "incident", "update", "INC-1", "--state", "identified", "--note", "Provider outage confirmed")
		mustCLI(t, url, "incident", "decide", "INC-1", "--what", "Switch to the backup provider", "--why", "the primary gives no ETA", "--by", "grace@example.com")
		out = mustCLI(t, url, "incident", "follow-up", "INC-1", "--title", "Automate provider failover", "--owner", "Ada", "--due", "2026-12-15")
		fuID := strings.Fields(strings.Split(out, "\n")[1])[0]
		mustCLI(t, url, "incident", "done", "INC-1", fuID)

		// The engineer alone may not fail over; the error says who may.
		out, err := cli(t, url, "incident", "decide", "INC-1", "--kind", "failover", "--what", "fail over", "--why", "x", "--by", "ada@example.com")
		if err == nil || !strings.Contains(err.Error(), "Incident Lead") || !strings.Contains(err.Error(), "403") {
			t.Fatalf("failover by the engineer: %v\n%s", err, out)
		}

		mustCLI(t, url, "incident", "resolve", "INC-1", "--note", "Backup provider carries all traffic")
		out = mustCLI(t, url, "incident", "show", "INC-1")
		for _, want := range []string{"Resolved", "Incident-Comms::Status-Page", "Grace Hopper", "Payments provider returns 503", "Decision (Grace Hopper): Switch to the backup provider", "State changed from Identified to Resolved"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "Labels ") && strings.Contains(line, "Incident-Comms::Internal") {
				t.Errorf("the scoped label was not replaced: %s", line)
			}
		}

		out = mustCLI(t, url, "incident", "list", "-o", "json")
		var page struct {
			Incidents []struct {
				Reference string `json:"reference"`
				State     string `json:"state"`
			} `json:"incidents"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Incidents) != 1 || page.Incidents[0].State != "resolved" {
			t.Fatalf("list -o json: %v\n%s", err, out)
		}
		out = mustCLI(t, url, "incident", "export", "INC-1")
		if !strings.Contains(out, "# INC-1: Checkout fails") || !strings.Contains(out, "- [x] Automate provider failover") {
			t.Fatalf("export:\n%s", out)
		}

		out = mustCLI(t, url, "token", "create", "--role", "viewer", "-o", "json")
		var tok struct{ Secret string }
		json.Unmarshal([]byte(out), &tok)
		if !strings.HasPrefix(tok.Secret, "hrd_") {
			t.Fatalf("token create: %s", out)
		}
		if err := stop(); err != nil {
			t.Fatalf("serve returned %v on shutdown", err)
		}
	})
}

func TestCLI_UsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"incident", "declare", "extra"}, {"incident", "show"}, {"incident", "list", "-o", "yaml"}} {
		out, err := cli(t, "http://127.0.0.1:1", args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("herald %v: err %v (exit %d), want a usage error\n%s", args, err, exitCode(err), out)
		}
	}
	out, err := cli(t, "http://127.0.0.1:1", "serve", "--admin-token", "x")
	if err == nil || !strings.Contains(err.Error(), "HERALD_ADMIN_TOKEN") {
		t.Errorf("--admin-token on the command line: %v %s", err, out)
	}
}

func TestServe_HelpListsEnvironmentTwins(t *testing.T) {
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"serve", "--help"}, func(string) string { return "" }, nil, &out, &errOut)
	for _, want := range []string{"HERALD_ADDR", "HERALD_DATA", "HERALD_DATABASE_URL", "HERALD_LOG_FORMAT", "HERALD_ADMIN_TOKEN", "HERALD_DEMO"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("serve --help lacks %s", want)
		}
	}
}

func TestServe_GracefulShutdownFinishesInFlightRequests(t *testing.T) {
	url, stop := startServer(t, store.SQLite)
	// A slow client: the request is in flight (its body still arriving)
	// when shutdown starts, and must still be answered.
	pr, pw := ioPipe()
	req, _ := http.NewRequest("POST", url+"/api/v1/incidents", pr)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	respc := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			errc <- err
			return
		}
		respc <- resp
	}()
	fmt.Fprint(pw, `{"title":"in flight",`)
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	fmt.Fprint(pw, `"severity":"S3"}`)
	pw.Close()
	select {
	case resp := <-respc:
		if resp.StatusCode != 201 {
			t.Fatalf("in-flight request got %d", resp.StatusCode)
		}
	case err := <-errc:
		t.Fatalf("in-flight request failed: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestMigrate_UpToDateOnSecondRun(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		vars := map[string]string{"HERALD_DATABASE_URL": testdb.URL(t, d), "HERALD_DATA": t.TempDir()}
		for i, want := range []string{"applied 0001_init.sql", "the database is up to date"} {
			var out bytes.Buffer
			if err := run(context.Background(), []string{"migrate"}, func(k string) string { return vars[k] }, nil, &out, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), want) {
				t.Fatalf("run %d: %q, want %q", i, out.String(), want)
			}
		}
	})
}
