package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The command line prints the content guard's findings one a line with
// their positions, shows them on a dry run, and overrides with a reason
// (R45).
func TestRule45_CLIFindingsAndOverride(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "component", "create", "--name", "API")
		body := "Timeouts from 10.0.3.17 and db1.corp"
		_, err := cli(t, url, "status", "create", "--name", "API errors", "--body", body, "--component", "API=major_outage")
		if err == nil || !strings.Contains(err.Error(), "body line 1, column 15: ip_address \"10.0.3.17\"") ||
			!strings.Contains(err.Error(), "body line 1, column 29: internal_host \"db1.corp\"") || !strings.Contains(err.Error(), "--override-guard REASON") {
			t.Fatalf("refusal: %v", err)
		}
		if i, j := strings.Index(err.Error(), "column 15"), strings.Index(err.Error(), "column 29"); i > j {
			t.Errorf("findings out of order:\n%v", err)
		}
		out := mustCLI(t, url, "status", "create", "--name", "API errors", "--body", body, "--component", "API=major_outage", "--dry-run")
		if !strings.Contains(out, "DRY RUN") || !strings.Contains(out, `Finding ip_address`) || !strings.Contains(out, `body line 1, column 15: "10.0.3.17"`) {
			t.Fatalf("dry run:\n%s", out)
		}
		out = mustCLI(t, url, "status", "create", "--name", "API errors", "--body", body, "--component", "API=major_outage", "--override-guard", "the customer asked for the address", "-o", "json")
		if !strings.Contains(out, `"guard_override"`) || !strings.Contains(out, "the customer asked for the address") {
			t.Fatalf("override:\n%s", out)
		}
		var created struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" {
			t.Fatalf("override output: %v\n%s", err, out)
		}
		if out := mustCLI(t, url, "status", "show", created.ID); !strings.Contains(out, "content guard overridden, 2 finding(s): the customer asked for the address") {
			t.Fatalf("show:\n%s", out)
		}
		out, err = cli(t, url, "status", "guard", "see https://grafana.example.com/d/1")
		if err == nil || !strings.Contains(out, "Finding dashboard_link") {
			t.Fatalf("guard check: %v\n%s", err, out)
		}
		if out := mustCLI(t, url, "status", "guard", "Version 1.2.3 is out."); !strings.Contains(out, "no internal details found") {
			t.Fatalf("clean guard check:\n%s", out)
		}
	})
}
