package main

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald tenant page: url, rotate (the URL printed once), sign-in on|off.
func TestCLI_TenantPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "tenant", "create", "--name", "Acme", "--primary-region", "eu-west-1", "--email", "ops@acme.example")
		if out := mustCLI(t, url, "tenant", "page", "url", "Acme"); !strings.Contains(out, "none yet") || !strings.Contains(out, "SIGN-IN  off") {
			t.Fatalf("before:\n%s", out)
		}
		out := mustCLI(t, url, "tenant", "page", "rotate", "Acme")
		if !strings.Contains(out, "/p/") || !strings.Contains(out, "shown once") {
			t.Fatalf("rotate:\n%s", out)
		}
		if again := mustCLI(t, url, "tenant", "page", "url", "Acme"); strings.Contains(again, "/p/") || !strings.Contains(again, "shown only then") {
			t.Fatalf("the URL is shown again:\n%s", again)
		}
		if out := mustCLI(t, url, "tenant", "page", "sign-in", "Acme", "on"); !strings.Contains(out, "SIGN-IN  on") {
			t.Fatalf("sign-in on:\n%s", out)
		}
		if out, err := cli(t, url, "tenant", "page", "sign-in", "Acme", "maybe"); err == nil {
			t.Fatalf("sign-in maybe: %s", out)
		}
		if out := mustCLI(t, url, "tenant", "page", "subscribe", "Acme", "ann@acme.example", "confirmed"); !strings.Contains(out, "ann@acme.example") || !strings.Contains(out, "yes") {
			t.Fatalf("subscribe:\n%s", out)
		}
		if out := mustCLI(t, url, "tenant", "page", "subscribers", "Acme"); !strings.Contains(out, "email") || !strings.Contains(out, "ann@acme.example") {
			t.Fatalf("subscribers:\n%s", out)
		}
		if out, err := cli(t, url, "tenant", "page", "subscribe", "Acme", "not an address"); err == nil || !strings.Contains(out+err.Error(), "email") {
			t.Fatalf("a bad address: %v\n%s", err, out)
		}
		if out, err := cli(t, url, "tenant", "page", "rotate", "Nobody"); err == nil || !strings.Contains(out+err.Error(), "404") {
			t.Fatalf("unknown tenant: %v\n%s", err, out)
		}
	})
}
