package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const cliDoc = `version: 1
users:
  - email: ada@example.com
    name: Ada
    contacts:
      - kind: email
        target: ada@example.com
      - kind: slack
        target_env: ADA_SLACK
    rules:
      - contact: slack:$ADA_SLACK
        delay_minutes: 0
teams:
  - name: Payments
    members: [ada@example.com]
stakeholder_channels:
  - name: Leads
    kind: teams
    target_env: LEADS_TEAMS
`

const adaSlack = "https://hooks.slack.com/services/T000/B000/secretpart"

// runWith runs one herald command against url with extra environment.
func runWith(t *testing.T, url string, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	env := map[string]string{"HERALD_SERVER": url, "HERALD_TOKEN": testAdminToken}
	for k, v := range vars {
		env[k] = v
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// herald apply shows the plan first: --dry-run stops there, a run without
// --yes and without a terminal refuses, a missing variable is named and
// changes nothing, and a second apply of the same file has nothing to do.
func TestCLI_ApplyDryRunAndIdempotence(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		file := filepath.Join(t.TempDir(), "herald.yaml")
		if err := os.WriteFile(file, []byte(cliDoc), 0o600); err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{"ADA_SLACK": adaSlack, "LEADS_TEAMS": "https://example.webhook.office.com/webhookb2/x"}
		unchanged := func() {
			t.Helper()
			if out := mustCLI(t, url, "team", "list"); strings.Contains(out, "Payments") {
				t.Fatalf("changed:\n%s", out)
			}
		}

		_, errOut, err := runWith(t, url, map[string]string{"ADA_SLACK": adaSlack}, "apply", "-f", file, "--yes")
		if err == nil || !strings.Contains(err.Error(), "stakeholder_channels[0].target_env: the environment variable LEADS_TEAMS is not set") {
			t.Fatalf("missing variable: %v %s", err, errOut)
		}
		unchanged()

		out, _, err := runWith(t, url, vars, "apply", "-f", file, "--dry-run")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"+ create user ada@example.com", "contacts: email:ada@example.com, slack:$ADA_SLACK", "+ create team Payments", "+ create stakeholder channel Leads", "Plan: 3 to create, 0 to update, 0 to delete."} {
			if !strings.Contains(out, want) {
				t.Fatalf("dry run lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, adaSlack) {
			t.Fatalf("the plan shows a secret:\n%s", out)
		}
		unchanged()

		if _, _, err := runWith(t, url, vars, "apply", "-f", file); err == nil || !strings.Contains(err.Error(), "--yes") {
			t.Fatalf("apply without --yes and without a terminal: %v", err)
		}
		unchanged()

		if out, _, err = runWith(t, url, vars, "apply", "-f", file, "--yes"); err != nil || !strings.Contains(out, "Applied: 3 created, 0 updated, 0 deleted.") {
			t.Fatalf("apply: %v\n%s", err, out)
		}
		if out, _, err = runWith(t, url, vars, "apply", "-f", file, "--dry-run"); err != nil || !strings.Contains(out, "No changes") {
			t.Fatalf("second plan: %v\n%s", err, out)
		}
		if out := mustCLI(t, url, "team", "show", "Payments"); !strings.Contains(out, "ada@example.com") {
			t.Fatalf("team show:\n%s", out)
		}
	})
}

// herald export-config writes the document with the secrets named by
// variables it lists, and never their values; the file applies again with
// nothing to change.
func TestCLI_ExportConfig(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		file := filepath.Join(t.TempDir(), "herald.yaml")
		os.WriteFile(file, []byte(cliDoc), 0o600)
		vars := map[string]string{"ADA_SLACK": adaSlack, "LEADS_TEAMS": "https://example.webhook.office.com/webhookb2/x"}
		if _, errOut, err := runWith(t, url, vars, "apply", "-f", file, "--yes"); err != nil {
			t.Fatalf("apply: %v %s", err, errOut)
		}
		out, errOut, err := runWith(t, url, nil, "export-config")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out+errOut, "secretpart") || strings.Contains(out+errOut, "webhookb2") {
			t.Fatalf("the export holds a secret:\n%s\n%s", out, errOut)
		}
		for _, want := range []string{"#   HERALD_ADA_EXAMPLE_COM_SLACK", "target_env: HERALD_ADA_EXAMPLE_COM_SLACK", "contact: slack:$HERALD_ADA_EXAMPLE_COM_SLACK", "target_env: HERALD_CHANNEL_LEADS", "name: Payments"} {
			if !strings.Contains(out, want) {
				t.Fatalf("export lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(errOut, "HERALD_ADA_EXAMPLE_COM_SLACK HERALD_CHANNEL_LEADS") {
			t.Fatalf("stderr does not name the variables: %s", errOut)
		}
		exported := filepath.Join(t.TempDir(), "exported.yaml")
		if _, _, err := runWith(t, url, nil, "export-config", "--out", exported); err != nil {
			t.Fatal(err)
		}
		again := map[string]string{"HERALD_ADA_EXAMPLE_COM_SLACK": adaSlack, "HERALD_CHANNEL_LEADS": vars["LEADS_TEAMS"]}
		if out, _, err := runWith(t, url, again, "apply", "-f", exported, "--dry-run"); err != nil || !strings.Contains(out, "No changes") {
			t.Fatalf("the export applied again: %v\n%s", err, out)
		}
	})
}

// herald team keeps teams by hand: create, add and remove members, show,
// delete; an unknown member is refused.
func TestCLI_Team(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ada", "--email", "ada@example.com")
		mustCLI(t, url, "user", "create", "--name", "Bob", "--email", "bob@example.com")
		if out, err := cli(t, url, "team", "create", "Payments", "--member", "eve@example.com"); err == nil {
			t.Fatalf("unknown member accepted:\n%s", out)
		}
		mustCLI(t, url, "team", "create", "Payments", "--member", "ada@example.com")
		mustCLI(t, url, "team", "add-member", "Payments", "bob@example.com")
		if out := mustCLI(t, url, "team", "show", "Payments"); !strings.Contains(out, "Ada <ada@example.com>, Bob <bob@example.com>") {
			t.Fatalf("show:\n%s", out)
		}
		mustCLI(t, url, "team", "remove-member", "Payments", "ada@example.com")
		if out := mustCLI(t, url, "team", "list"); !strings.Contains(out, "bob@example.com") || strings.Contains(out, "ada@example.com") {
			t.Fatalf("list:\n%s", out)
		}
		mustCLI(t, url, "team", "delete", "Payments")
		if out := mustCLI(t, url, "team", "list"); strings.Contains(out, "Payments") {
			t.Fatalf("deleted team listed:\n%s", out)
		}
	})
}
