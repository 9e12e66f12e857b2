package server

import (
	"context"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestAPI_SetPassword: only an admin sets a password, through the policy;
// the person can then sign in with it and their sessions ended.
func TestAPI_SetPassword(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rex", herald.RoleResponder)
		if err := responder.People.SetPassword(ctx, "rex@example.com", "a long enough passphrase"); statusOf2(err) != 403 {
			t.Fatalf("responder sets a password: %v", err)
		}
		if err := e.admin.People.SetPassword(ctx, "rex@example.com", "password1234"); statusOf2(err) != 400 {
			t.Fatalf("common password: %v", err)
		}
		if err := e.admin.People.SetPassword(ctx, "nobody@example.com", "a long enough passphrase"); statusOf2(err) != 404 {
			t.Fatalf("unknown user: %v", err)
		}
		secret, _, err := e.db.Auth.SignIn(ctx, "rex@example.com", "password1234", "192.0.2.1")
		if herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("a refused password works: %q %v", secret, err)
		}
		if err := e.db.Auth.SetPassword(ctx, "rex@example.com", "the first passphrase"); err != nil {
			t.Fatal(err)
		}
		old, _, err := e.db.Auth.SignIn(ctx, "rex@example.com", "the first passphrase", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.admin.People.SetPassword(ctx, "rex@example.com", "a long enough passphrase"); err != nil {
			t.Fatalf("admin sets a password: %v", err)
		}
		if _, _, err := e.db.Auth.Session(ctx, old); herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("a session survived the new password: %v", err)
		}
		if _, _, err := e.db.Auth.SignIn(ctx, "rex@example.com", "a long enough passphrase", "192.0.2.1"); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
	})
}
