package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestCLI_UserRoleSessionsAndTestContact drives the console's people
// actions from the command line against a real server: a role change ends
// the person's sessions, sessions are listed and ended, and a contact
// method's test notification arrives through a real SMTP server (serve
// gives the API the sender it gives the console).
func TestCLI_UserRoleSessionsAndTestContact(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		mail := testdb.StartMailpit(t)
		srv, _ := startServer(t, d, "HERALD_SMTP_URL", "smtp://"+mail.SMTP, "HERALD_SMTP_FROM", "herald@example.com")
		mustCLI(t, srv, "user", "create", "--name", "Ann", "--email", "ann@example.com")
		vars := map[string]string{"HERALD_SERVER": srv, "HERALD_TOKEN": testAdminToken}
		var pwOut bytes.Buffer
		if err := run(context.Background(), []string{"user", "set-password", "ann@example.com"}, func(k string) string { return vars[k] },
			strings.NewReader("lantern orbit cactus\n"), &pwOut, &pwOut); err != nil {
			t.Fatalf("set-password: %v %s", err, pwOut.String())
		}
		signIn := func() {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := c.PostForm(srv+"/login", url.Values{"email": {"ann@example.com"}, "password": {"lantern orbit cactus"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %d", res.StatusCode)
			}
		}
		sessions := func() int {
			var list []struct{ Via string }
			if err := json.Unmarshal([]byte(mustCLI(t, srv, "user", "sessions", "ann@example.com", "-o", "json")), &list); err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		signIn()
		if out := mustCLI(t, srv, "user", "sessions", "ann@example.com"); !strings.Contains(out, "LAST SEEN") || !strings.Contains(out, "password") {
			t.Fatalf("sessions: %s", out)
		}
		if out := mustCLI(t, srv, "user", "set-role", "ann@example.com", "viewer"); !strings.Contains(out, "Ann is now viewer") {
			t.Fatalf("set-role: %s", out)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("sessions after the role change: %d", n)
		}
		if out, err := cli(t, srv, "user", "set-role", "ann@example.com", "owner"); err == nil || !strings.Contains(out+err.Error(), "viewer, responder or admin") {
			t.Fatalf("unknown role: %v %s", err, out)
		}
		if out, err := cli(t, srv, "user", "set-role", "ann@example.com"); exitCode(err) != 2 {
			t.Fatalf("set-role without a role: %v %s", err, out)
		}

		signIn()
		signIn()
		if n := sessions(); n != 2 {
			t.Fatalf("sessions after two sign-ins: %d", n)
		}
		if out := mustCLI(t, srv, "user", "sessions", "ann@example.com", "--end"); !strings.Contains(out, "signed out everywhere") {
			t.Fatalf("sessions --end: %s", out)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("sessions after --end: %d", n)
		}

		out := mustCLI(t, srv, "user", "contact", "ann@example.com", "--kind", "email", "--target", "ann@example.com", "-o", "json")
		var m struct{ ID string }
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if out := mustCLI(t, srv, "user", "test-contact", "ann@example.com", m.ID); !strings.Contains(out, "sent to email ann@example.com") {
			t.Fatalf("test-contact: %s", out)
		}
		waitFor(t, "the test mail", func() bool { return len(mail.Messages(t)) > 0 })
		msgs := mail.Messages(t)
		if len(msgs) != 1 || msgs[0].ToList() != "ann@example.com" || !strings.Contains(msgs[0].Subject, "Test notification") {
			t.Fatalf("mails: %+v", msgs)
		}
		if out, err := cli(t, srv, "user", "test-contact", "ann@example.com", "no-such-method"); err == nil || !strings.Contains(out+err.Error(), "404") {
			t.Fatalf("unknown method: %v %s", err, out)
		}
	})
}

// TestCLI_Policies lists escalation policies and shows one's levels.
func TestCLI_Policies(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	mustCLI(t, srv, "user", "create", "--name", "Ann", "--email", "ann@example.com")
	if out := mustCLI(t, srv, "policy", "list"); strings.Contains(out, "Checkout") {
		t.Fatalf("policies before any: %s", out)
	}
	body := `{"name":"Checkout","repeat":2,"levels":[{"timeout_minutes":15,"targets":[{"type":"user","id":"ann@example.com"}]}]}`
	req, _ := http.NewRequest("POST", srv+"/api/v1/escalation-policies", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create policy: %d", res.StatusCode)
	}
	if out := mustCLI(t, srv, "policy", "list"); !strings.Contains(out, "Checkout") || !strings.Contains(out, "REPEAT") {
		t.Fatalf("policy list: %s", out)
	}
	out := mustCLI(t, srv, "policy", "show", "Checkout")
	if !strings.Contains(out, "15 min") || !strings.Contains(out, "user ") || !strings.Contains(out, "Repeat") {
		t.Fatalf("policy show: %s", out)
	}
	if out, err := cli(t, srv, "policy", "show", "Nothing"); err == nil || !strings.Contains(out+err.Error(), "404") {
		t.Fatalf("unknown policy: %v %s", err, out)
	}
}
