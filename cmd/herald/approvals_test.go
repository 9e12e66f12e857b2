package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// cliAs runs herald with another person's token.
func cliAs(t *testing.T, url, token string, args ...string) (string, error) {
	t.Helper()
	vars := map[string]string{"HERALD_SERVER": url, "HERALD_TOKEN": token}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

// herald notice ask, approvals, approval, approve, reject and send
// --approval (R44): the administrator writes, Sam of the security team
// approves the text read with its hash, and the approved text goes.
func TestRule44_CLIAsksApprovesAndSendsTheApprovedText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		ctx := context.Background()
		c := client.New(url, testAdminToken)
		s, _ := c.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := c.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		sam, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Sam", Email: "sam@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.People.CreateToken(ctx, herald.TokenInput{Name: "sam", Role: herald.RoleResponder, UserID: sam.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Teams.Create(ctx, herald.TeamInput{Name: "Security", Members: []string{"sam@example.com"}}); err != nil {
			t.Fatal(err)
		}
		inc, err := c.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Key rotation", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		mustCLI(t, url, "tenant", "create", "--name", "Acme", "--primary-region", "eu-west-1", "--email", "ops@acme.example")
		mustCLI(t, url, "tenant", "link", "incident", inc.Reference, "Acme")
		mustCLI(t, url, "notice", "open", inc.Reference)
		threads, _ := c.Notices.NoticeThreads(ctx, "incident", inc.Reference)
		if len(threads) != 1 {
			t.Fatalf("threads: %+v", threads)
		}
		th := threads[0]
		if out, err := cli(t, url, "notice", "send", th.ID, "--class", "security", "--body", "We rotated a key."); err == nil || !strings.Contains(out+err.Error(), "R44") {
			t.Fatalf("unapproved send: %v %s", err, out)
		}
		if out := mustCLI(t, url, "notice", "ask", th.ID, "--class", "security", "--body", "We rotated a key."); !strings.Contains(out, "Security team") {
			t.Fatalf("ask: %s", out)
		}
		list, _ := c.Notices.PendingApprovals(ctx)
		if len(list) != 1 {
			t.Fatalf("pending: %+v", list)
		}
		a := list[0]
		if out := mustCLI(t, url, "notice", "approvals"); !strings.Contains(out, "Acme") || !strings.Contains(out, a.ID) {
			t.Fatalf("approvals: %s", out)
		}
		if out := mustCLI(t, url, "notice", "view", inc.Reference); !strings.Contains(out, "Approvals pending: 1") {
			t.Fatalf("view: %s", out)
		}
		if out := mustCLI(t, url, "notice", "approval", a.ID); !strings.Contains(out, a.Hash) || !strings.Contains(out, "We rotated a key.") {
			t.Fatalf("approval: %s", out)
		}
		if out, err := cli(t, url, "notice", "approve", a.ID); err == nil || !strings.Contains(out+err.Error(), "R44") {
			t.Fatalf("administrator outside the team approves: %v %s", err, out)
		}
		if out, err := cliAs(t, url, tok.Secret, "notice", "approve", a.ID, "--hash", a.Hash); err != nil || !strings.Contains(out, "approved") {
			t.Fatalf("approve: %v %s", err, out)
		}
		if out := mustCLI(t, url, "notice", "send", th.ID, "--approval", a.ID); !strings.Contains(out, "Notice queued") {
			t.Fatalf("send: %s", out)
		}
		if got, _ := c.Notices.NoticeApproval(ctx, a.ID); got.Status != herald.ApprovalSent {
			t.Fatalf("after send: %+v", got)
		}
	})
}
