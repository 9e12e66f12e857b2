package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testdb"
)

// TestServe_JSONLogsEveryLine: with --log-format json every line serve
// writes, on standard output and standard error, from start-up (migrations,
// the URL, the demo sign-in) through the access log to shutdown, is a JSON
// object; a request's access line carries the id it was answered with.
func TestServe_JSONLogsEveryLine(t *testing.T) {
	vars := map[string]string{"HERALD_DATA": t.TempDir(), "HERALD_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut testdb.SyncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, func(k string) string { return vars[k] }, nil, &out, &errOut)
	}()
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; {
		if m := runningAt.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", url+"/healthz", nil)
	req.Header.Set("X-Request-ID", "probe-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-ID") != "probe-42" {
		t.Errorf("X-Request-ID %q", resp.Header.Get("X-Request-ID"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var lines []map[string]any
	for name, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("%s: a line that is not JSON: %q", name, line)
				continue
			}
			lines = append(lines, m)
		}
	}
	find := func(prefix string) map[string]any {
		for _, m := range lines {
			if msg, _ := m["msg"].(string); strings.HasPrefix(msg, prefix) && (msg != "request" || m["request_id"] == "probe-42") {
				return m
			}
		}
		t.Errorf("no %q line; lines:\n%s\n%s", prefix, out.String(), errOut.String())
		return nil
	}
	for _, want := range []string{"migration applied", "herald serving", "Herald is running at", "Console: ", "Sign in as ada@example.com", "stopped"} {
		find(want)
	}
	if tok := find("Admin token: "); tok != nil && !strings.HasPrefix(tok["token"].(string), "hrd_") {
		t.Errorf("admin token line %v", tok)
	}
	if a := find("request"); a != nil && (a["route"] != "GET /healthz" || a["status"] != float64(200) || a["method"] != "GET") {
		t.Errorf("access line %v", a)
	}
}
