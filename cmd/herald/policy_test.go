package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// `herald policy create` builds a policy's levels from --level flags; the
// server's checks (targets that exist) still apply.
func TestCLI_PolicyCreate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
		f := filepath.Join(t.TempDir(), "primary.json")
		os.WriteFile(f, []byte(`{"name":"Primary","time_zone":"UTC","layers":[{"rotation":"weekly","handoff_time":"09:00","start":"`+
			time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)+`","users":["ann@example.com"]}]}`), 0o644)
		mustCLI(t, url, "schedule", "create", "--file", f)
		out := mustCLI(t, url, "policy", "create", "--name", "API", "--level", "30m:user:ann@example.com,schedule:Primary", "--level", "1h:managers", "--repeat", "2")
		for _, want := range []string{"API", "30 min", "60 min", "schedule", "managers"} {
			if !strings.Contains(out, want) {
				t.Fatalf("create lacks %q:\n%s", want, out)
			}
		}
		if out = mustCLI(t, url, "policy", "list"); !strings.Contains(out, "API") {
			t.Fatalf("list:\n%s", out)
		}
		for _, bad := range [][]string{
			{"--level", "90s:user:ann@example.com"},
			{"--level", "30m"},
			{"--level", "30m:user:nobody@example.com"},
			{},
		} {
			if out, err := cli(t, url, append([]string{"policy", "create", "--name", "Bad"}, bad...)...); err == nil {
				t.Fatalf("%v was taken:\n%s", bad, out)
			}
		}
	})
}
