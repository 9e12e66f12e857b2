package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The command line shows when the next updates are due, publishes "no
// material updates" in one command (R15), and sends internal stakeholder
// updates (R19), listing them and the reminders sent.
func TestRule15_CLINoMaterialUpdatesAndInternalUpdates(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "component", "create", "--name", "API")
		mustCLI(t, url, "incident", "declare", "--title", "API errors", "--severity", "S1")
		if _, err := cli(t, url, "status", "no-updates", "INC-1"); err == nil || !strings.Contains(err.Error(), "no open status page incident") {
			t.Fatalf("no status incident: %v", err)
		}
		// R10: the status page is decided first (nobody leads: any responder may).
		mustCLI(t, url, "incident", "decide", "INC-1", "--kind", "status_page", "--what", "Status page needed", "--why", "customers see errors")
		mustCLI(t, url, "status", "create", "--name", "API errors", "--incident", "INC-1", "--body", "Errors on the API.", "--component", "API=major_outage")

		out := mustCLI(t, url, "incident", "show", "INC-1")
		if !strings.Contains(out, "Next public update") || strings.Contains(out, "overdue") {
			t.Fatalf("show:\n%s", out)
		}
		if out = mustCLI(t, url, "incident", "list"); !strings.Contains(out, "NEXT UPDATE") {
			t.Fatalf("list:\n%s", out)
		}
		out = mustCLI(t, url, "status", "no-updates", "INC-1", "--dry-run")
		if !strings.Contains(out, "DRY RUN") || !strings.Contains(out, "No material updates: we are still working on API errors") {
			t.Fatalf("dry run:\n%s", out)
		}
		mustCLI(t, url, "status", "no-updates", "INC-1")
		if out = mustCLI(t, url, "incident", "show", "INC-1"); !strings.Contains(out, "Status page update (Investigating): No material updates") {
			t.Fatalf("the timeline does not record it:\n%s", out)
		}

		req, _ := http.NewRequest("POST", url+"/api/v1/stakeholder-channels", strings.NewReader(`{"email":"leadership@example.com"}`))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("add a stakeholder channel: %v %v", resp, err)
		}
		resp.Body.Close()
		mustCLI(t, url, "incident", "internal-update", "INC-1", "Rollback", "under", "way.")
		out = mustCLI(t, url, "incident", "internal-updates", "INC-1")
		if !strings.Contains(out, "Rollback under way.") {
			t.Fatalf("internal updates:\n%s", out)
		}
		if out = mustCLI(t, url, "incident", "show", "INC-1"); !strings.Contains(out, "Next internal update") || !strings.Contains(out, "Internal update sent to the stakeholder channels") {
			t.Fatalf("show after the internal update:\n%s", out)
		}
		if out = mustCLI(t, url, "incident", "prompts", "INC-1"); !strings.Contains(out, "SUBJECT") {
			t.Fatalf("prompts:\n%s", out)
		}
	})
}
