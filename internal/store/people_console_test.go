package store_test

import (
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestPasswordReset_OneLinkSetsOnePassword races requests with one reset
// link: exactly one sets a password, and a new link ends the others.
func TestPasswordReset_OneLinkSetsOnePassword(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		auth := f.db.Auth
		token, u, err := auth.RequestPasswordReset(f.ctx, "Alice@Example.com")
		if err != nil || token == "" || u.ID != f.alice.User.ID {
			t.Fatalf("request: %q %+v %v", token, u, err)
		}
		if tok, _, err := auth.RequestPasswordReset(f.ctx, "nobody@example.com"); err != nil || tok != "" {
			t.Fatalf("unknown address: %q %v", tok, err)
		}
		passwords := []string{"first racing passphrase", "second racing passphrase", "third racing passphrase", "fourth racing passphrase"}
		errs := make([]error, len(passwords))
		var wg sync.WaitGroup
		for i, pw := range passwords {
			wg.Go(func() { _, errs[i] = auth.ResetPassword(f.ctx, token, pw) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won < 0:
				won = i
			case err == nil:
				t.Fatalf("two requests set a password with one link")
			default:
				wantCode(t, err, herald.ENotFound)
			}
		}
		if won < 0 {
			t.Fatalf("no request set the password: %v", errs)
		}
		if _, _, err := auth.SignIn(f.ctx, "alice@example.com", passwords[won], "192.0.2.1"); err != nil {
			t.Fatalf("sign in with the winner's password: %v", err)
		}

		// Using one link ends every other link the person was sent.
		a, _, _ := auth.RequestPasswordReset(f.ctx, "alice@example.com")
		b, _, _ := auth.RequestPasswordReset(f.ctx, "alice@example.com")
		if _, err := auth.ResetPassword(f.ctx, b, goodPassword); err != nil {
			t.Fatal(err)
		}
		_, err = auth.PasswordReset(f.ctx, a)
		wantCode(t, err, herald.ENotFound)
		// Three links an hour at most (the first of this hour was used).
		if c, _, err := auth.RequestPasswordReset(f.ctx, "alice@example.com"); err != nil || c != "" {
			t.Fatalf("a fourth link within the hour: %q %v", c, err)
		}
	})
}
