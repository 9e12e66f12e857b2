package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
)

// A shift swap from the command line: the person on call offers a window
// with a note, another lists the open offers and takes one, which makes
// an override; a bad window names the field.
func TestCLI_ShiftOffers(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	mustCLI(t, srv, "user", "create", "--name", "Bob", "--email", "bob@example.com")
	out := mustCLI(t, srv, "token", "create", "--role", "responder", "--user", "bob@example.com", "-o", "json")
	var tok struct{ Secret string }
	if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Secret == "" {
		t.Fatalf("%v: %s", err, out)
	}
	asBob := func(args ...string) (string, error) {
		vars := map[string]string{"HERALD_SERVER": srv, "HERALD_TOKEN": tok.Secret}
		var o bytes.Buffer
		err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &o, &o)
		return o.String(), err
	}
	now := time.Now().UTC().Truncate(time.Hour)
	dir := t.TempDir()
	f := filepath.Join(dir, "s.json")
	sched := `{"name": "Primary", "layers": [{"rotation": "custom", "length_hours": 12, "start": "` + now.Add(-time.Hour).Format(time.RFC3339) +
		`", "users": ["admin@herald.invalid", "bob@example.com"]}]}`
	if err := os.WriteFile(f, []byte(sched), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, srv, "schedule", "create", "--file", f)
	from, until := now.Add(2*time.Hour).Format(time.RFC3339), now.Add(4*time.Hour).Format(time.RFC3339)

	if _, err := cli(t, srv, "schedule", "offer", "Primary", "--from", until, "--until", from); err == nil || !strings.Contains(err.Error(), "end") {
		t.Fatalf("a window ending before it starts: %v", err)
	}
	out = mustCLI(t, srv, "schedule", "offer", "Primary", "--from", from, "--until", until, "--note", "school run", "-o", "json")
	var o struct{ ID, Status string }
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Status != "open" {
		t.Fatalf("%v: %s", err, out)
	}
	if out, err := asBob("schedule", "offers"); err != nil || !strings.Contains(out, o.ID) || !strings.Contains(out, "school run") {
		t.Fatalf("offers: %v\n%s", err, out)
	}
	if out, err := asBob("schedule", "take", o.ID); err != nil || !strings.Contains(out, "you are on call for Primary") {
		t.Fatalf("take: %v\n%s", err, out)
	}
	if out := mustCLI(t, srv, "schedule", "shifts", "Primary", "--from", from, "--to", until); !strings.Contains(out, "Bob") || !strings.Contains(out, "true") {
		t.Fatalf("shifts after the swap:\n%s", out)
	}
	if out := mustCLI(t, srv, "schedule", "offers", "--status", "taken"); !strings.Contains(out, "Bob") {
		t.Fatalf("taken offers:\n%s", out)
	}
	if _, err := cli(t, srv, "schedule", "withdraw", o.ID); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("withdrawing a taken offer: %v", err)
	}
}
