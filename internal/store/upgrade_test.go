package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// fixtureAt is the last migration of the older database the upgrade test
// starts from: the first schema, so every later migration runs over rows.
const fixtureAt = 1

// TestUpgrade_DataSurvivesEveryMigration builds a database as Herald's
// first schema left it, with rows written in that schema's SQL (a user, an
// admin token, an incident with a label, a role, timeline entries and a
// follow-up), then applies every later migration and reads it all back
// through the services.
func TestUpgrade_DataSurvivesEveryMigration(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Config{URL: testdb.URL(t, d), DataDir: t.TempDir(), SecretKey: testdb.TestSecretKey})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if applied, err := db.MigrateTo(ctx, fixtureAt); err != nil || len(applied) != fixtureAt {
			t.Fatalf("migrate to %d: %v %v", fixtureAt, applied, err)
		}
		at := time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)
		us := at.UnixMicro()
		const secret = "hrd_upgrade-fixture-token-0123456789"
		for _, q := range []string{
			fmt.Sprintf(`INSERT INTO users (id, name, email, manager, created_at) VALUES ('u-ada', 'Ada Lovelace', 'ada@example.com', TRUE, %d)`, us),
			fmt.Sprintf(`INSERT INTO tokens (id, name, role, user_id, hash, created_at) VALUES ('t-1', 'ci', 'admin', 'u-ada', '%s', %d)`, sha256hex(secret), us),
			`UPDATE counters SET value = 1 WHERE name = 'incident_number'`,
			fmt.Sprintf(`INSERT INTO incidents (id, number, reference, title, summary, severity, state, confidential, services, tenants, version, declared_by, declared_at, updated_at)
				VALUES ('i-1', 1, 'INC-1', 'Checkout fails', 'Card payments time out.', 'S2', 'identified', FALSE, '["checkout"]', '["acme"]', 3, 'u-ada', %d, %d)`, us, us+60e6),
			`INSERT INTO incident_labels (incident_id, slot, name) VALUES ('i-1', 'team::', 'team::payments')`,
			fmt.Sprintf(`INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ('i-1', 'incident_lead', 'u-ada', %d)`, us),
			fmt.Sprintf(`INSERT INTO timeline (incident_id, kind, at, actor_id, actor, text) VALUES ('i-1', 'declared', %d, 'u-ada', 'Ada Lovelace', 'Declared S2: Checkout fails')`, us),
			fmt.Sprintf(`INSERT INTO timeline (incident_id, kind, at, actor_id, actor, text) VALUES ('i-1', 'note', %d, 'u-ada', 'Ada Lovelace', 'The card processor answers in 30 s.')`, us+30e6),
			fmt.Sprintf(`INSERT INTO follow_ups (id, incident_id, title, owner, due_date, link, created_at) VALUES ('f-1', 'i-1', 'Alert on processor latency', 'ada@example.com', '2026-12-01', '', %d)`, us),
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("fixture: %v\n%s", err, q)
			}
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if len(applied) == 0 {
			t.Fatal("the upgrade applied nothing: the fixture is not older than the schema")
		}
		t.Logf("upgraded from %04d over %d migrations (%s ... %s)", fixtureAt, len(applied), applied[0], applied[len(applied)-1])

		inc, err := db.Incidents.Incident(ctx, "INC-1")
		if err != nil {
			t.Fatal(err)
		}
		if inc.Title != "Checkout fails" || inc.Summary != "Card payments time out." || inc.Severity != herald.S2 || inc.State != herald.Identified ||
			strings.Join(inc.Services, ",") != "checkout" || strings.Join(inc.Tenants, ",") != "acme" || inc.Version != 3 || !inc.DeclaredAt.Equal(at) {
			t.Errorf("incident after the upgrade: %+v", inc)
		}
		if strings.Join(inc.Labels, ",") != "team::payments" {
			t.Errorf("labels %v", inc.Labels)
		}
		if len(inc.Roles) != 1 || inc.Roles[0].Role != herald.RoleIncidentLead || inc.Roles[0].UserID != "u-ada" || inc.Roles[0].UserName != "Ada Lovelace" {
			t.Errorf("roles %+v", inc.Roles)
		}
		tl, err := db.Incidents.Timeline(ctx, "INC-1", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 2 || tl[1].Text != "The card processor answers in 30 s." {
			t.Errorf("timeline %+v", tl)
		}
		fus, err := db.Incidents.FollowUps(ctx, "INC-1")
		if err != nil || len(fus) != 1 || fus[0].Title != "Alert on processor latency" {
			t.Errorf("follow-ups %+v %v", fus, err)
		}
		actor, err := db.People.Authenticate(ctx, secret)
		if err != nil || actor.User.Email != "ada@example.com" || actor.Role != herald.RoleAdmin {
			t.Errorf("the old token after the upgrade: %+v %v", actor, err)
		}
		// The upgraded database takes new work where the old left off.
		next, err := db.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
		if err != nil || next.Reference != "INC-2" {
			t.Errorf("declare after the upgrade: %v %v", next, err)
		}
	})
}

// TestUpgrade_OlderBinaryRefusesNewerSchema: a database with a migration
// this binary does not know (a newer Herald ran on it) is refused at
// start, naming the migration, and nothing is changed.
func TestUpgrade_OlderBinaryRefusesNewerSchema(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, nil)
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', 0)`); err != nil {
			t.Fatal(err)
		}
		_, err := db.Migrate(ctx)
		if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "9999_from_the_future.sql") || !strings.Contains(err.Error(), "newer Herald") {
			t.Fatalf("migrate with a newer schema: %v", err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last := st[len(st)-1]
		if last.Version != 9999 || last.Known || !last.Applied {
			t.Errorf("status of the unknown migration: %+v", last)
		}
	})
}

// TestMigrationStatus lists applied and pending migrations without
// applying any, on an empty database and a partly migrated one.
func TestMigrationStatus(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Config{URL: testdb.URL(t, d), DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		empty, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range empty {
			if m.Applied || !m.Known {
				t.Errorf("empty database: %+v", m)
			}
		}
		if _, err := db.MigrateTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != len(empty) || len(st) < 3 {
			t.Fatalf("%d migrations listed, %d before", len(st), len(empty))
		}
		for _, m := range st {
			if want := m.Version <= 2; m.Applied != want || (want && m.AppliedAt.IsZero()) {
				t.Errorf("after migrating to 2: %+v", m)
			}
		}
		if n, err := db.Pending(ctx); err != nil || n != len(st)-2 {
			t.Errorf("Pending = %d, %v; want %d", n, err, len(st)-2)
		}
	})
}

// sha256hex is how the first schema stored a token (hashToken).
func sha256hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
