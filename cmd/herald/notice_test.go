package main

import (
	"context"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald serve with --inbound-smtp-addr, and herald notice: open threads,
// send from a template through mailpit, receive the customer's reply over
// SMTP, and show it on the thread and the incident's view.
func TestCLI_NoticeThroughServe(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		mail := testdb.StartMailpit(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		inboundAddr := l.Addr().String()
		l.Close()
		url, _ := startServer(t, d, "HERALD_SMTP_URL", "smtp://"+mail.SMTP, "HERALD_INBOUND_SMTP_ADDR", inboundAddr)
		ctx := context.Background()
		c := client.New(url, testAdminToken)
		s, _ := c.Settings.Settings(ctx)
		s.Notices.ReplyDomain = "reply.example.com"
		if _, err := c.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		u, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Cara", Email: "cara@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := c.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Slow search", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Incidents.AssignRole(ctx, inc.Reference, herald.RoleCommunications, u.ID); err != nil {
			t.Fatal(err)
		}
		mustCLI(t, url, "tenant", "create", "--name", "Acme", "--primary-region", "eu-west-1", "--email", "ops@acme.example")
		mustCLI(t, url, "tenant", "link", "incident", inc.Reference, "Acme")
		if out := mustCLI(t, url, "notice", "open", inc.Reference); !strings.Contains(out, "Opened 1 new thread") || !strings.Contains(out, "Cara") {
			t.Fatalf("open: %s", out)
		}
		threads, _ := c.Notices.NoticeThreads(ctx, "incident", inc.Reference)
		if len(threads) != 1 {
			t.Fatalf("threads: %+v", threads)
		}
		th := threads[0]
		if out := mustCLI(t, url, "notice", "send", th.ID, "--template", "investigation_start", "--preview"); !strings.Contains(out, "Preview") ||
			!strings.Contains(out, "Slow search") {
			t.Fatalf("preview: %s", out)
		}
		out, err := cli(t, url, "notice", "send", th.ID, "--template", "update", "--status", "Degraded")
		if err == nil || !strings.Contains(out+err.Error(), "NextSteps") {
			t.Fatalf("missing variables: %v %s", err, out)
		}
		if out, err := cli(t, url, "notice", "send", th.ID, "--body", "No change.", "--substantial", "maybe"); err == nil || !strings.Contains(out+err.Error(), "--substantial must be yes or no") {
			t.Fatalf("--substantial maybe: %v %s", err, out)
		}
		if out := mustCLI(t, url, "notice", "send", th.ID, "--body", "No change.", "--substantial", "yes", "--preview"); !strings.Contains(out, "No change.") ||
			strings.Contains(out, "Warning:") {
			t.Fatalf("substantial preview: %s", out)
		}
		mustCLI(t, url, "notice", "send", th.ID, "--template", "update", "--status", "Degraded", "--actions-taken", "Added capacity",
			"--next-steps", "Watch the latency", "--next-update", "15:00 UTC")
		var got []testdb.MailMessage
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if got = mail.Messages(t); len(got) > 0 {
				break
			}
		}
		if len(got) != 1 || got[0].Subject != th.Subject || got[0].ToList() != "ops@acme.example" {
			t.Fatalf("mail: %+v", got)
		}
		reply := "From: ops@acme.example\r\nSubject: Re: " + th.Subject + "\r\nMessage-ID: <x1@acme.example>\r\n\r\nThanks, noted.\r\n"
		if err := smtp.SendMail(inboundAddr, nil, "ops@acme.example", []string{th.ReplyTo}, []byte(reply)); err != nil {
			t.Fatal(err)
		}
		if out := mustCLI(t, url, "notice", "show", th.ID); !strings.Contains(out, "IN  ops@acme.example") || !strings.Contains(out, "Thanks, noted.") {
			t.Fatalf("show: %s", out)
		}
		if out := mustCLI(t, url, "notice", "view", inc.Reference); !strings.Contains(out, "Acme") || !strings.Contains(out, "yes") || !strings.Contains(out, "Approvals pending: none") {
			t.Fatalf("view: %s", out)
		}
	})
}
