package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Subscribers go out and come back as CSV, and are counted.
func TestCLI_SubscriberImportExportCounts(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		os.WriteFile(in, []byte("kind,target\nemail,ann@example.com\nemail,bob@example.com\n"), 0o644)
		if out := mustCLI(t, url, "subscriber", "import", in); !strings.Contains(out, "2 subscribers added, 0 already") {
			t.Fatalf("import:\n%s", out)
		}
		if out := mustCLI(t, url, "subscriber", "import", in); !strings.Contains(out, "0 subscribers added, 2 already") {
			t.Fatalf("import again:\n%s", out)
		}
		bad := filepath.Join(dir, "bad.csv")
		os.WriteFile(bad, []byte("kind,target\nemail,carol@example.com\nemail,not-an-address\n"), 0o644)
		if out, err := cli(t, url, "subscriber", "import", bad); err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("a bad row: %v\n%s", err, out)
		}
		out := mustCLI(t, url, "subscriber", "counts")
		if lines := strings.Split(out, "\n"); len(lines) < 2 || strings.Join(strings.Fields(lines[1]), " ") != "email 2 0 0" {
			t.Fatalf("counts:\n%s", out)
		}
		exp := filepath.Join(dir, "out.csv")
		mustCLI(t, url, "subscriber", "export", exp)
		b, _ := os.ReadFile(exp)
		if !strings.HasPrefix(string(b), "kind,target,components,confirmed,created_at\n") || !strings.Contains(string(b), "email,bob@example.com,,true,") || strings.Contains(string(b), "carol") {
			t.Fatalf("export:\n%s", b)
		}
	})
}
