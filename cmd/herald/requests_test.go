package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// Contact requests from the command line: opened with a due time as a
// duration, listed, closed by id prefix with what was sent; bad input
// names the flag's field.
func TestCLI_ContactRequests(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	out := mustCLI(t, srv, "request", "open", "--from", "security", "--to", "cust@example.org", "--to", "acme-admin",
		"--reason", "Exposed sessions", "--message", "Please sign in again.", "--due", "4h", "-o", "json")
	var r struct{ ID, Status string }
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Status != "open" {
		t.Fatalf("%v: %s", err, out)
	}
	if out := mustCLI(t, srv, "request", "list", "--status", "open"); !strings.Contains(out, "acme-admin") || !strings.Contains(out, "security") {
		t.Fatalf("list:\n%s", out)
	}
	if _, err := cli(t, srv, "request", "done", r.ID[:8]); err == nil || !strings.Contains(err.Error(), "sent") {
		t.Fatalf("done without --sent: %v", err)
	}
	out = mustCLI(t, srv, "request", "done", r.ID[:8], "--sent", "Please sign in again.", "--reply", "Done.")
	if !strings.Contains(out, "done") || !strings.Contains(out, "Reply") {
		t.Fatalf("done:\n%s", out)
	}
	if _, err := cli(t, srv, "request", "open", "--from", "security", "--reason", "r", "--message", "m"); err == nil || !strings.Contains(err.Error(), "recipients") {
		t.Fatalf("open without --to: %v", err)
	}
}
