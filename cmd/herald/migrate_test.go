package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// TestMigrate_StatusAndNewerSchema: `herald migrate --status` lists applied
// and pending migrations and changes nothing; a database that a newer
// Herald migrated makes serve and migrate stop with a message naming the
// unknown migration.
func TestMigrate_StatusAndNewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	noenv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data", dir}, noenv, nil, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Pretend the newest migration is still to come.
	var last, lastVersion string
	if err := db.SQL().QueryRowContext(ctx, `SELECT name, version FROM schema_migrations ORDER BY version DESC LIMIT 1`).Scan(&last, &lastVersion); err != nil {
		t.Fatal(err)
	}
	exec(`DELETE FROM schema_migrations WHERE name = '` + last + `'`)
	out.Reset()
	if err := run(ctx, []string{"migrate", "--status", "--data", dir}, noenv, nil, &out, &out); err != nil {
		t.Fatalf("migrate --status: %v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`(?m)^0001_init\.sql +applied 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC$`).MatchString(out.String()) ||
		!regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(last)+` +pending$`).MatchString(out.String()) ||
		!strings.Contains(out.String(), " applied, 1 pending; herald migrate (or herald serve) applies them") {
		t.Errorf("migrate --status:\n%s", out.String())
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = '`+last+`'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("migrate --status applied %s (%d, %v)", last, n, err)
	}
	exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (` + lastVersion + `, '` + last + `', 0)`)

	// A newer Herald's migration: this binary refuses to start on it.
	exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_a_newer_herald.sql', 0)`)
	vars := map[string]string{"HERALD_DATA": dir, "HERALD_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}} {
		out.Reset()
		err := run(ctx, args, func(k string) string { return vars[k] }, nil, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "the database has migrations this binary does not know (9999_from_a_newer_herald.sql)") {
			t.Errorf("%s on a newer schema: %v", args[0], err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "--status", "--data", dir}, noenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^9999_from_a_newer_herald\.sql +applied 1970-01-01 00:00:00 UTC, unknown to this binary`).MatchString(out.String()) ||
		!strings.Contains(out.String(), "1 unknown: this binary is older than the database and will not start on it") {
		t.Errorf("migrate --status on a newer schema:\n%s", out.String())
	}
}
