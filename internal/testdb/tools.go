package testdb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tool finds a program a test runs for real (alertmanager, mailpit,
// chromium), under any of its names: in HERALD_<NAME> (the first name), on
// the PATH, or in GOPATH/bin where scripts/test puts it. Without it the test
// ends through Missing: skipped, or failed where need.Require is set.
func Tool(t testing.TB, need *Need, names ...string) string {
	t.Helper()
	if p := os.Getenv("HERALD_" + strings.ToUpper(names[0])); p != "" {
		return p
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, name := range names {
			p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	Missing(t, need)
	return ""
}
