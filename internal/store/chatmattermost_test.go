package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Migration 0048 widens the kind checks of contact_methods and subscribers
// to 'mattermost' (on SQLite by editing the tables' statements, as SQLite
// documents for relaxing a constraint):
// a mattermost row is taken, an unknown kind is still refused, and the
// SQLite file passes its integrity check. (SQLite's writer pool is one
// connection, the one that migrated; its readers never write.)
func TestMigration0048_MattermostKinds(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		u, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ada", Email: "ada@example.com", Role: herald.RoleResponder})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			c := db.SQL()
			for _, q := range []struct {
				sql string
				ok  bool
			}{
				{fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('cm%d', '%s', 'mattermost', 'https://mm.example.com/hooks/x%d', '', 0)`, i, u.ID, i), true},
				{fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('cx%d', '%s', 'bogus', 'x', '', 0)`, i, u.ID), false},
				{fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, created_at) VALUES ('s%d', 'mattermost', 'https://mm.example.com/hooks/s%d', '[]', '', 0)`, i, i), true},
				{fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, created_at) VALUES ('sx%d', 'sms', '+15551234567', '[]', '', 0)`, i), false},
			} {
				if _, err := c.ExecContext(ctx, q.sql); (err == nil) != q.ok {
					t.Errorf("%s: %v", q.sql, err)
				}
			}
		}
		if d == store.SQLite {
			var res string
			if err := db.SQL().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
				t.Fatalf("integrity: %q %v", res, err)
			}
		}
		if m, err := db.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "mattermost", Target: "https://mm.example.com/hooks/abc"}); err != nil || m.Kind != "mattermost" {
			t.Fatalf("contact method: %+v %v", m, err)
		}
	})
}
