package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald tenant: create, update only what is given, show, link to an
// incident, refuse a delete while it is open, and CSV out and back in.
func TestCLI_Tenant(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		out := mustCLI(t, url, "tenant", "create", "--name", "Acme", "--primary-region", "eu-west-1", "--secondary-region", "eu-central-1",
			"--email", "ops@acme.example", "--email", "sre@acme.example", "--support-engineer", "Sam Ortiz <sam@example.com>",
			"--window", "sunday 01:00 3h Europe/Dublin", "--compliance", "fedramp")
		for _, want := range []string{"eu-west-1 (support: EMEA)", "eu-central-1", "ops@acme.example, sre@acme.example", "Sam Ortiz <sam@example.com>", "sunday 01:00 3h Europe/Dublin", "mon,tue,wed,thu,fri 09:00-17:00 Europe/Dublin", "fedramp"} {
			if !strings.Contains(out, want) {
				t.Fatalf("create: no %q in\n%s", want, out)
			}
		}
		if out, err := cli(t, url, "tenant", "create", "--name", "Globex", "--primary-region", "eu-west-1", "--window", "someday 01:00 3h UTC"); err == nil || !strings.Contains(out+err.Error(), "maintenance_window.weekday") {
			t.Fatalf("bad window: %v\n%s", err, out)
		}
		out = mustCLI(t, url, "tenant", "update", "Acme", "--product-version", "18.1", "--no-dr")
		if !strings.Contains(out, "18.1") || !strings.Contains(out, "Disaster recovery      off") || !strings.Contains(out, "sunday 01:00 3h") {
			t.Fatalf("update:\n%s", out)
		}
		if out := mustCLI(t, url, "tenant", "list"); !strings.Contains(out, "Acme") || !strings.Contains(out, "EMEA") {
			t.Fatalf("list:\n%s", out)
		}
		inc := mustCLI(t, url, "incident", "declare", "--title", "Writes fail", "--severity", "S3")
		if out, err := cli(t, url, "tenant", "link", "incident", "INC-1", "Nobody"); err == nil || !strings.Contains(out+err.Error(), "404") {
			t.Fatalf("unknown tenant: %v\n%s\n%s", err, out, inc)
		}
		mustCLI(t, url, "tenant", "link", "incident", "INC-1", "Acme")
		if out := mustCLI(t, url, "tenant", "link", "incident", "INC-1"); !strings.Contains(out, "Acme") {
			t.Fatalf("linked:\n%s", out)
		}
		if out, err := cli(t, url, "tenant", "delete", "Acme"); err == nil || !strings.Contains(out+err.Error(), "INC-1") {
			t.Fatalf("delete while referenced: %v\n%s", err, out)
		}

		dir := t.TempDir()
		exp := filepath.Join(dir, "tenants.csv")
		mustCLI(t, url, "tenant", "export", exp)
		b, _ := os.ReadFile(exp)
		if !strings.Contains(string(b), "Acme,18.1,eu-west-1,false,,ops@acme.example;sre@acme.example,,,Sam Ortiz <sam@example.com>,sunday 01:00 3h Europe/Dublin") {
			t.Fatalf("export:\n%s", b)
		}
		more := filepath.Join(dir, "more.csv")
		os.WriteFile(more, append(b, []byte("Initech,,us-east-1,,,it@initech.example,,,,,,,,\n")...), 0o600)
		if out := mustCLI(t, url, "tenant", "import", more); !strings.Contains(out, "1 tenants added, 1 replaced") {
			t.Fatalf("import:\n%s", out)
		}
		bad := filepath.Join(dir, "bad.csv")
		os.WriteFile(bad, []byte("name,primary_region,emails\nHooli,us-east-1,not-an-address\n"), 0o600)
		if out, err := cli(t, url, "tenant", "import", bad); err == nil || !strings.Contains(out+err.Error(), "line 2: emails") {
			t.Fatalf("bad import: %v\n%s", err, out)
		}
		if out := mustCLI(t, url, "tenant", "show", "Initech"); !strings.Contains(out, "us-east-1 (support: AMER)") {
			t.Fatalf("show:\n%s", out)
		}
		if out, err := cli(t, url, "tenant", "show", "Hooli"); err == nil || !strings.Contains(err.Error(), "no tenant") {
			t.Fatalf("refused import created Hooli:\n%s", out)
		}
	})
}
