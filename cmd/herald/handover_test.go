package main

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// Handovers from the command line: the rotations say where they come from
// (and why a role has none), the list is empty before any shift ended, a
// live handover of a role nobody holds is refused naming it, and one
// without a note names the note.
func TestCLI_Handovers(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	if out := mustCLI(t, srv, "handover", "rotations"); !strings.Contains(out, "communications") || !strings.Contains(out, "no rotation") {
		t.Fatalf("rotations:\n%s", out)
	}
	if out := mustCLI(t, srv, "handover", "list"); !strings.Contains(out, "No handovers.") {
		t.Fatalf("list:\n%s", out)
	}
	mustCLI(t, srv, "incident", "declare", "--title", "API errors", "--severity", "S3")
	if _, err := cli(t, srv, "handover", "role", "INC-1", "communications", "--to", "nobody@example.com", "--note", "over to you"); err == nil || !strings.Contains(err.Error(), "nobody holds") {
		t.Fatalf("live handover of a role nobody holds: %v", err)
	}
	if _, err := cli(t, srv, "handover", "role", "INC-1", "communications", "--to", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "note") {
		t.Fatalf("live handover without a note: %v", err)
	}
}
