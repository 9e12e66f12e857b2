package store_test

import (
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// SSOUser matches by e-mail address whatever its case, creates with the
// provider's role or the default, lets the provider's role replace the
// user's, and makes one user of two first sign-ins at once.
func TestAuth_SSOUser(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		auth := f.db.Auth
		u, err := auth.SSOUser(f.ctx, " Alice@Example.com ", "Someone Else", "", herald.RoleViewer)
		if err != nil || u.ID != f.alice.User.ID || u.Role != herald.RoleResponder || u.Name != f.alice.User.Name {
			t.Fatalf("existing user: %+v %v", u, err)
		}
		if u, err = auth.SSOUser(f.ctx, "alice@example.com", "", herald.RoleAdmin, herald.RoleViewer); err != nil || u.Role != herald.RoleAdmin {
			t.Fatalf("mapped role: %+v %v", u, err)
		}
		if got, _ := f.db.People.User(f.ctx, f.alice.User.ID); got.Role != herald.RoleAdmin {
			t.Fatalf("stored role: %q", got.Role)
		}
		if u, err = auth.SSOUser(f.ctx, "new@example.com", "", "", herald.RoleViewer); err != nil || u.Role != herald.RoleViewer || u.Name != "new" || u.Email != "new@example.com" {
			t.Fatalf("new user: %+v %v", u, err)
		}
		if _, err := auth.SSOUser(f.ctx, "x@example.com", "X", "owner", herald.RoleViewer); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("a role that is not one: %v", err)
		}

		var wg sync.WaitGroup
		ids := make([]string, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := auth.SSOUser(f.ctx, "twice@example.com", "Twice", "", herald.RoleViewer)
				ids[i], errs[i] = u.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("concurrent first sign-ins: %v %v", ids, errs)
			}
		}
	})
}
