package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// `herald page show` says when a page's notifications carry only its
// reference (R46): once its service serves a FedRAMP tenant.
func TestRule46_CLIPageShowSaysNotificationsAreRestricted(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "service", "create", "--name", "ledger")
	out := mustCLI(t, url, "page", "--service", "ledger", "--summary", "replica lag", "-o", "json")
	var p struct{ ID string }
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if out = mustCLI(t, url, "page", "show", p.ID); strings.Contains(out, "FedRAMP") {
		t.Fatalf("a standard page:\n%s", out)
	}
	mustCLI(t, url, "tenant", "create", "--name", "Zephyr", "--primary-region", "us-east-1", "--compliance", "fedramp", "--service", "ledger")
	if out = mustCLI(t, url, "page", "show", p.ID); !strings.Contains(out, "reference and links only (FedRAMP tenant)") {
		t.Fatalf("a FedRAMP tenant's page:\n%s", out)
	}
}
