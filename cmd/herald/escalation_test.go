package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R05 and R07 are templates an operator applies to their schedules:
// `herald policy template r05|r07`, timed by the settings.
func TestRule05_PolicyTemplateCommandAndSnooze(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
		mustCLI(t, url, "user", "create", "--name", "Bob", "--email", "bob@example.com")
		dir := t.TempDir()
		start := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
		for name, user := range map[string]string{"EOC": "ann@example.com", "IMOC": "bob@example.com"} {
			f := filepath.Join(dir, name+".json")
			os.WriteFile(f, []byte(`{"name":"`+name+`","time_zone":"Europe/Berlin",
				"layers":[{"rotation":"weekly","handoff_time":"09:00","start":"`+start+`","users":["`+user+`"]}]}`), 0o644)
			mustCLI(t, url, "schedule", "create", "--file", f)
		}
		out := mustCLI(t, url, "policy", "template", "r05", "--engineer", "EOC", "--lead", "IMOC", "-o", "json")
		var pol herald.EscalationPolicy
		if err := json.Unmarshal([]byte(out), &pol); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if pol.Name != "Incident roles (R05)" || len(pol.Levels) != 3 || pol.Levels[0].TimeoutMinutes != 30 || pol.Levels[1].TimeoutMinutes != 30 ||
			pol.Levels[2].Targets[0].Type != herald.TargetManagers {
			t.Fatalf("r05 policy %+v", pol)
		}
		out = mustCLI(t, url, "policy", "template", "r07", "--engineer", "EOC", "--name", "Unanswered")
		if !strings.Contains(out, "colleague") || !strings.Contains(out, "managers") || !strings.Contains(out, "10 min") {
			t.Fatalf("r07 policy:\n%s", out)
		}
		if out, err := cli(t, url, "policy", "template", "r05", "--engineer", "EOC"); err == nil || !strings.Contains(err.Error(), "lead") {
			t.Fatalf("r05 without a lead: %v\n%s", err, out)
		}

		// Snooze from the command line.
		mustCLI(t, url, "service", "create", "--name", "Tenant", "--escalation-policy", "Unanswered")
		mustCLI(t, url, "page", "--service", "Tenant", "--summary", "tenant down")
		out = mustCLI(t, url, "page", "list", "-o", "json")
		var pages []herald.Page
		if err := json.Unmarshal([]byte(out), &pages); err != nil || len(pages) != 1 {
			t.Fatalf("%v: %s", err, out)
		}
		if out, err := cli(t, url, "page", "snooze", pages[0].ID, "--for", "10s"); err == nil {
			t.Fatalf("a 10s snooze was taken:\n%s", out)
		}
		mustCLI(t, url, "page", "snooze", pages[0].ID, "--for", "1h")
		out = mustCLI(t, url, "page", "show", pages[0].ID)
		if !strings.Contains(out, "acknowledged") || !strings.Contains(out, "Snoozed until") || !strings.Contains(out, "snoozed") {
			t.Fatalf("page show after the snooze:\n%s", out)
		}
	})
}

// `herald serve --demo` shows both templates on its schedules.
func TestRule07_DemoAppliesTheTemplates(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		db := testdb.Open(t, d, herald.SystemClock{})
		ctx := context.Background()
		if seeded, err := seedDemo(ctx, db.Services()); err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		r05, err := db.Paging.EscalationPolicy(ctx, "Incident roles (R05)")
		if err != nil || len(r05.Levels) != 3 || r05.Levels[2].Targets[0].Type != herald.TargetManagers {
			t.Fatalf("r05: %+v %v", r05, err)
		}
		r07, err := db.Paging.EscalationPolicy(ctx, "Unanswered engineer (R07)")
		if err != nil || len(r07.Levels) != 3 || r07.Levels[1].Targets[0].Type != herald.TargetColleague || r07.Levels[0].TimeoutMinutes != 10 {
			t.Fatalf("r07: %+v %v", r07, err)
		}
	})
}
