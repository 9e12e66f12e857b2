package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R63 from the command line: `herald practice run FILE` starts a run on
// the server and prints its progress as the server's loop plays it; the
// example scenario of the docs is a valid scenario; list, show and finish
// work by id; a bad file is refused naming the field.
func TestRule63_CLIRunsAScenario(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "service", "create", "--name", "API")
		mustCLI(t, url, "user", "create", "--name", "Cora", "--email", "comms@example.com")
		file := filepath.Join(t.TempDir(), "quick.yaml")
		quick := "title: Quick drill\nsteps:\n  - {at: 0s, kind: alert, service: API, summary: Errors}\n  - {at: 0s, kind: status_update, text: Looking into it}\n"
		if err := os.WriteFile(file, []byte(quick), 0o600); err != nil {
			t.Fatal(err)
		}
		out := mustCLI(t, url, "practice", "run", file, "--poll", "100ms")
		for _, want := range []string{"Started practice run", "Sandbox status page: ", "/app/practice/", "step", "alert on API: Errors", "All 2 steps have played"} {
			if !strings.Contains(out, want) {
				t.Fatalf("run output lacks %q:\n%s", want, out)
			}
		}
		id := strings.Fields(strings.TrimPrefix(out, "Started practice run "))[0]
		if out := mustCLI(t, url, "practice", "list"); !strings.Contains(out, "Quick drill") || !strings.Contains(out, "2/2") {
			t.Fatalf("list:\n%s", out)
		}
		if out := mustCLI(t, url, "practice", "finish", id); !strings.Contains(out, "The practice run ended") {
			t.Fatalf("finish:\n%s", out)
		}
		// The example in the docs starts (and is left to its loop).
		example, err := filepath.Abs("../../docs/examples/practice-drill.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if out := mustCLI(t, url, "practice", "run", example, "--detach"); !strings.Contains(out, "Database failover drill") {
			t.Fatalf("example:\n%s", out)
		}
		bad := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(bad, []byte(`{"title": "x", "steps": [{"at": "0s", "kind": "alert", "summary": "s"}]}`), 0o600)
		if out, err := cli(t, url, "practice", "run", bad); err == nil || !strings.Contains(out+err.Error(), "scenario.steps[0].service") {
			t.Fatalf("bad scenario: %v\n%s", err, out)
		}
	})
}
