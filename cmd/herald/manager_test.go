package main

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// herald user set-manager marks and unmarks an engineering manager (R55,
// R07's "all of management").
func TestCLI_SetManager(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "user", "create", "--name", "Mia", "--email", "mia@example.com")
	if out := mustCLI(t, url, "user", "set-manager", "mia@example.com", "yes"); !strings.Contains(out, "Mia: manager true") {
		t.Fatalf("set-manager yes:\n%s", out)
	}
	if out := mustCLI(t, url, "user", "set-manager", "mia@example.com", "no", "--output", "json"); !strings.Contains(out, `"manager": false`) {
		t.Fatalf("set-manager no:\n%s", out)
	}
	if _, err := cli(t, url, "user", "set-manager", "mia@example.com", "maybe"); err == nil || !strings.Contains(err.Error(), "yes or no") {
		t.Fatalf("a bad answer: %v", err)
	}
}
