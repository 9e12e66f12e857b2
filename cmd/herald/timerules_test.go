package main

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// An impact that began before the declaration is recorded, shown, and
// corrected from the command line; R52 and R53 count from it.
func TestRule52_CLIRecordsTheStartOfImpact(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, stop := startServer(t, d)
		began := time.Now().Add(-20 * time.Minute).UTC().Truncate(time.Second)
		out := mustCLI(t, url, "incident", "declare", "--title", "Checkout fails", "--severity", "S1", "--impact-started", began.Format(time.RFC3339))
		if !strings.Contains(out, "Impact since") || !strings.Contains(out, began.Format("15:04")) {
			t.Fatalf("declare output:\n%s", out)
		}
		earlier := began.Add(-10 * time.Minute)
		out = mustCLI(t, url, "incident", "update", "INC-1", "--impact-started", earlier.Format(time.RFC3339))
		if !strings.Contains(out, earlier.Format("15:04")) {
			t.Fatalf("update output:\n%s", out)
		}
		later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if out, err := cli(t, url, "incident", "update", "INC-1", "--impact-started", later); err == nil || !strings.Contains(err.Error(), "impact_started_at") {
			t.Fatalf("an impact after the declaration: %v\n%s", err, out)
		}
		if _, err := cli(t, url, "incident", "update", "INC-1", "--impact-started", "yesterday"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
			t.Fatalf("a bad time: %v", err)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}
