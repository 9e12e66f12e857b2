package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// managerToken adds an engineering manager and returns a responder token
// acting for them.
func managerToken(t *testing.T, url string) string {
	t.Helper()
	mustCLI(t, url, "user", "create", "--name", "Grace Hopper", "--email", "grace@example.com", "--manager")
	out := mustCLI(t, url, "token", "create", "--role", "responder", "--user", "grace@example.com", "-o", "json")
	var tok struct{ Secret string }
	if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Secret == "" {
		t.Fatalf("manager token: %v %s", err, out)
	}
	return tok.Secret
}

// R54 from the command line: publishing before approval is refused naming
// the rule; a manager approves; overdue follow-ups are listed across
// incidents.
func TestRule54_CLI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "incident", "declare", "--title", "DB down", "--severity", "S1")
		mustCLI(t, url, "incident", "review", "INC-1", "--kind", "external", "--link", "https://example.com/pm/1")
		if out, err := cli(t, url, "incident", "publish-review", "INC-1"); err == nil || !strings.Contains(out+err.Error(), "R54") {
			t.Fatalf("publish before approval: %v %s", err, out)
		}
		if out, err := cli(t, url, "incident", "approve-review", "INC-1"); err == nil || !strings.Contains(err.Error(), "R54") {
			t.Fatalf("approval by a non-manager: %v %s", err, out)
		}
		out := mustCLI(t, url, "incident", "approve-review", "INC-1", "--link", "https://example.com/pm/1", "--token", managerToken(t, url))
		if !strings.Contains(out, "approved") || !strings.Contains(out, "Grace Hopper") {
			t.Fatalf("approve-review:\n%s", out)
		}
		if out = mustCLI(t, url, "incident", "publish-review", "INC-1"); !strings.Contains(out, "published") {
			t.Fatalf("publish-review:\n%s", out)
		}

		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		nextWeek := time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)
		mustCLI(t, url, "incident", "follow-up", "INC-1", "--title", "Add an index", "--owner", "grace@example.com", "--due", yesterday)
		mustCLI(t, url, "incident", "follow-up", "INC-1", "--title", "Write a runbook", "--due", nextWeek)
		out = mustCLI(t, url, "followups", "--overdue")
		if !strings.Contains(out, "Add an index") || !strings.Contains(out, "OVERDUE") || !strings.Contains(out, "Grace Hopper") || strings.Contains(out, "Write a runbook") {
			t.Fatalf("followups --overdue:\n%s", out)
		}
		if out = mustCLI(t, url, "followups"); !strings.Contains(out, "Write a runbook") || !strings.Contains(out, "INC-1") {
			t.Fatalf("followups:\n%s", out)
		}
	})
}
