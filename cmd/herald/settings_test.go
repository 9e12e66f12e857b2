package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// `herald settings get` prints the document; `set` saves a file whole or
// changes dotted keys, and the server's checks still apply.
func TestCLI_SettingsGetSet(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		out := mustCLI(t, url, "settings", "get")
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc["reference_prefix"] != "INC" {
			t.Fatalf("get: %v\n%s", err, out)
		}
		mustCLI(t, url, "settings", "set", "reference_prefix=OPS", "page.name=Acme status", "monitoring=45m")
		out = mustCLI(t, url, "settings", "get", "-o", "table")
		for _, want := range []string{"reference_prefix", "OPS", "page.name", "Acme status", "45m"} {
			if !strings.Contains(out, want) {
				t.Fatalf("get -o table lacks %q:\n%s", want, out)
			}
		}
		if out, err := cli(t, url, "settings", "set", "no_such_key=1"); err == nil || !strings.Contains(err.Error(), "no_such_key") {
			t.Fatalf("an unknown key: %v\n%s", err, out)
		}
		if out, err := cli(t, url, "settings", "set", "reference_prefix.x=1"); err == nil || !strings.Contains(err.Error(), "not an object") {
			t.Fatalf("a key below a string: %v\n%s", err, out)
		}

		// The whole document from a file: read, change, write back.
		doc["reference_prefix"] = "SEV"
		b, _ := json.Marshal(doc)
		f := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(f, b, 0o644)
		mustCLI(t, url, "settings", "set", "-f", f)
		if out = mustCLI(t, url, "settings", "get"); !strings.Contains(out, `"reference_prefix": "SEV"`) || strings.Contains(out, "Acme status") {
			t.Fatalf("after set -f:\n%s", out)
		}
		os.WriteFile(f, []byte(`{"reference_prefix":`), 0o644)
		if out, err := cli(t, url, "settings", "set", "-f", f); err == nil {
			t.Fatalf("a broken file was taken:\n%s", out)
		}
	})
}

// `herald status templates` lists the templates --template names,
// including one added through the settings.
func TestCLI_StatusTemplates(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "settings", "set", `status_templates.rollback="Rolling back {name}."`)
		out := mustCLI(t, url, "status", "templates")
		if !strings.Contains(out, "rollback") || !strings.Contains(out, "Rolling back {name}.") || len(strings.Split(strings.TrimSpace(out), "\n")) < 3 {
			t.Fatalf("templates:\n%s", out)
		}
	})
}
