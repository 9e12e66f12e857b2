package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// The chat grammar from the shell: the same words as in chat, through
// POST /api/v1/chat/commands; the incident named by --incident or in the
// line; a mistake names what is wrong with the usage line.
func TestCLI_ChatRun(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	out := mustCLI(t, srv, "chat", "run", "declare S3 Search is slow", "-o", "json")
	var r struct {
		Text, Incident string
		Actions        []struct{ Command string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Incident != "INC-1" || len(r.Actions) == 0 || r.Actions[0].Command != "ack INC-1" {
		t.Fatalf("%v: %s", err, out)
	}
	mustCLI(t, srv, "chat", "run", "note", "the index rebuild started", "--incident", "INC-1")
	mustCLI(t, srv, "chat", "run", "decision INC-1 rebuild the index because it is corrupt")
	out = mustCLI(t, srv, "incident", "show", "INC-1")
	if !strings.Contains(out, "the index rebuild started") || !strings.Contains(out, "rebuild the index") {
		t.Fatalf("timeline:\n%s", out)
	}
	out = mustCLI(t, srv, "chat", "run", "status INC-1")
	if !strings.Contains(out, "Template investigating") || !strings.Contains(out, "220") {
		t.Fatalf("status composer:\n%s", out)
	}
	out = mustCLI(t, srv, "chat", "run", "status INC-1 We are looking into slow searches.")
	if !strings.Contains(out, "--confirm") || !strings.Contains(out, "Check body_length") {
		t.Fatalf("status preview:\n%s", out)
	}
	if _, err := cli(t, srv, "chat", "run", "note hello"); err == nil || !strings.Contains(err.Error(), "which incident?") {
		t.Fatalf("note without an incident: %v", err)
	}
	if _, err := cli(t, srv, "chat", "run", "severity INC-1 S2"); err == nil || !strings.Contains(err.Error(), "Usage: severity") {
		t.Fatalf("severity without a reason: %v", err)
	}
}
