package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald component propose, proposals, approve and reject (R21): with
// review required, the administrator's rename waits for Bea, a second
// admin; the administrator cannot approve it; Bea's rejection needs a
// reason. herald apply, reviewed in its repository, changes components
// without a proposal and is recorded as applied by whoever ran it.
func TestRule21_CLIProposesAndASecondAdminApproves(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		ctx := context.Background()
		c := client.New(url, testAdminToken)
		mustCLI(t, url, "component", "create", "--name", "API")
		s, _ := c.Settings.Settings(ctx)
		s.Page.ComponentReview = herald.ComponentReviewRequired
		if _, err := c.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		bea, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Bea", Email: "bea@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.People.CreateToken(ctx, herald.TokenInput{Name: "bea", Role: herald.RoleAdmin, UserID: bea.ID})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := cli(t, url, "component", "update", "API", "--name", "Public API"); err == nil || !strings.Contains(out+err.Error(), "R21") {
			t.Fatalf("direct rename: %v %s", err, out)
		}
		out := mustCLI(t, url, "component", "propose", "update", "API", "--name", "Public API")
		if !strings.Contains(out, `Change "API": rename to "Public API"`) || !strings.Contains(out, "pending") {
			t.Fatalf("propose: %s", out)
		}
		list, _ := c.StatusPage.ComponentProposals(ctx, herald.ProposalPending)
		if len(list) != 1 {
			t.Fatalf("pending: %+v", list)
		}
		id := list[0].ID
		if out := mustCLI(t, url, "component", "proposals"); !strings.Contains(out, id) || !strings.Contains(out, "Administrator") {
			t.Fatalf("proposals: %s", out)
		}
		if out, err := cli(t, url, "component", "approve", id); err == nil || !strings.Contains(out+err.Error(), "R21") {
			t.Fatalf("the proposer approves: %v %s", err, out)
		}
		if out := mustCLI(t, url, "component", "list"); !strings.Contains(out, "API") || strings.Contains(out, "Public API") {
			t.Fatalf("applied before approval: %s", out)
		}
		if out, err := cliAs(t, url, tok.Secret, "component", "approve", id); err != nil || !strings.Contains(out, "approved") {
			t.Fatalf("Bea approves: %v %s", err, out)
		}
		if out := mustCLI(t, url, "component", "list"); !strings.Contains(out, "Public API") {
			t.Fatalf("not applied: %s", out)
		}
		mustCLI(t, url, "component", "propose", "create", "--name", "Billing")
		list, _ = c.StatusPage.ComponentProposals(ctx, herald.ProposalPending)
		if out, err := cliAs(t, url, tok.Secret, "component", "reject", list[0].ID); err == nil || !strings.Contains(out+err.Error(), "reason") {
			t.Fatalf("reject without a reason: %v %s", err, out)
		}
		if out, err := cliAs(t, url, tok.Secret, "component", "reject", list[0].ID, "--reason", "internal only"); err != nil || !strings.Contains(out, "internal only") {
			t.Fatalf("reject: %v %s", err, out)
		}

		// Configuration as code bypasses the proposal, and says so.
		file := filepath.Join(t.TempDir(), "herald.yaml")
		if err := os.WriteFile(file, []byte("version: 1\ncomponents:\n  - name: Public API\n  - name: Checkout\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, err := runWith(t, url, nil, "apply", "-f", file, "--yes"); err != nil {
			t.Fatalf("apply: %v %s", err, errOut)
		}
		if out := mustCLI(t, url, "component", "list"); !strings.Contains(out, "Checkout") {
			t.Fatalf("apply did not add Checkout: %s", out)
		}
		changes, _ := c.StatusPage.ComponentChanges(ctx)
		if len(changes) == 0 || changes[0].Via != "apply" || changes[0].Actor != "Administrator" || changes[0].Action != "created" {
			t.Fatalf("the apply is recorded as %+v", changes[0])
		}
	})
}
