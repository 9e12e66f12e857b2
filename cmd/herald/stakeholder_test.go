package main

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// `herald stakeholder add` adds the internal channels R19's notices go to;
// `list` shows them.
func TestRule19_CLIStakeholderChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		if out, err := cli(t, url, "stakeholder", "add"); err == nil {
			t.Fatalf("add without a channel:\n%s", out)
		}
		mustCLI(t, url, "stakeholder", "add", "--email", "leadership@example.com")
		out := mustCLI(t, url, "stakeholder", "add", "--webhook", "https://hooks.example.com/herald")
		if !strings.Contains(out, "Signing secret") {
			t.Fatalf("add a webhook:\n%s", out)
		}
		out = mustCLI(t, url, "stakeholder", "list")
		if !strings.Contains(out, "leadership@example.com") || !strings.Contains(out, "webhook") {
			t.Fatalf("list:\n%s", out)
		}
	})
}
