package testdb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tool finds a program a test runs for real (alertmanager, mailpit): in
// HERALD_<NAME>, on the PATH, or in GOPATH/bin where scripts/test puts it.
// Without it the test is skipped with hint, unless
// HERALD_TEST_REQUIRE_<NAME>=1 (as scripts/test sets), where it fails.
func Tool(t testing.TB, name, hint string) string {
	t.Helper()
	upper := strings.ToUpper(name)
	if p := os.Getenv("HERALD_" + upper); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("HERALD_TEST_REQUIRE_"+upper) == "1" {
		t.Fatalf("HERALD_TEST_REQUIRE_%s=1 but %s was not found (HERALD_%s)", upper, name, upper)
	}
	t.Skip("no " + name + ": " + hint)
	return ""
}
