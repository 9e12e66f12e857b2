package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const goodPassword = "correct horse battery staple"

func TestAuth_SignInSessionsAndSignOut(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		auth := f.db.Auth
		// The policy refuses a weak password and changes nothing.
		wantCode(t, auth.SetPassword(f.ctx, f.alice.User.ID, "password1234"), herald.EInvalid)
		if _, _, err := auth.SignIn(f.ctx, "alice@example.com", "password1234", "192.0.2.1"); herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("sign-in before any password was set: %v", err)
		}
		if err := auth.SetPassword(f.ctx, f.alice.User.ID, goodPassword); err != nil {
			t.Fatal(err)
		}
		u, err := f.db.People.User(f.ctx, f.alice.User.ID)
		if err != nil || !u.HasPassword || u.Role != herald.RoleResponder {
			t.Fatalf("user after set-password: %+v %v", u, err)
		}

		// A wrong password and an unknown address get the same answer.
		_, _, wrong := auth.SignIn(f.ctx, "alice@example.com", "not the password at all", "192.0.2.1")
		_, _, unknown := auth.SignIn(f.ctx, "nobody@example.com", goodPassword, "192.0.2.1")
		if herald.ErrorCode(wrong) != herald.EUnauthenticated || wrong.Error() != unknown.Error() {
			t.Fatalf("wrong password %v; unknown account %v", wrong, unknown)
		}

		secret, a, err := auth.SignIn(f.ctx, " Alice@Example.com ", goodPassword, "192.0.2.1")
		if err != nil || a.User.ID != f.alice.User.ID || a.Role != herald.RoleResponder || len(secret) < 40 {
			t.Fatalf("sign in: %q %+v %v", secret, a, err)
		}
		got, s, err := auth.Session(f.ctx, secret)
		if err != nil || got.User.ID != f.alice.User.ID || s.Via != "password" {
			t.Fatalf("session: %+v %+v %v", got, s, err)
		}
		// Only a hash of the secret is stored.
		var n int
		if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT count(*) FROM sessions WHERE id = $1`, secret).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the secret itself is stored: %d %v", n, err)
		}

		// Idle: unused for longer than the idle time (12h by default), it ends.
		f.clock.Advance(11 * time.Hour)
		if _, _, err := auth.Session(f.ctx, secret); err != nil {
			t.Fatalf("used within the idle time: %v", err)
		}
		f.clock.Advance(13 * time.Hour)
		_, _, err = auth.Session(f.ctx, secret)
		wantCode(t, err, herald.EUnauthenticated)

		// Absolute: used every few hours, it still ends a week after sign-in.
		secret, _, err = auth.SignIn(f.ctx, "alice@example.com", goodPassword, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		for range 7 * 24 / 6 {
			f.clock.Advance(6 * time.Hour)
			if _, _, err := auth.Session(f.ctx, secret); err != nil {
				break
			}
		}
		_, _, err = auth.Session(f.ctx, secret)
		wantCode(t, err, herald.EUnauthenticated)

		// Sign-out ends one session; a new password ends them all.
		one, _, _ := auth.SignIn(f.ctx, "alice@example.com", goodPassword, "192.0.2.1")
		two, _, _ := auth.SignIn(f.ctx, "alice@example.com", goodPassword, "192.0.2.2")
		if list, err := auth.Sessions(f.ctx, f.alice.User.ID); err != nil || len(list) != 2 {
			t.Fatalf("sessions: %+v %v", list, err)
		}
		if err := auth.SignOut(f.ctx, one); err != nil {
			t.Fatal(err)
		}
		_, _, err = auth.Session(f.ctx, one)
		wantCode(t, err, herald.EUnauthenticated)
		if _, _, err := auth.Session(f.ctx, two); err != nil {
			t.Fatalf("the other session ended too: %v", err)
		}
		if err := auth.SetPassword(f.ctx, f.alice.User.ID, goodPassword+" again"); err != nil {
			t.Fatal(err)
		}
		_, _, err = auth.Session(f.ctx, two)
		wantCode(t, err, herald.EUnauthenticated)
	})
}

func TestAuth_SignInIsRateLimitedPerAccountAndAddress(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		auth := f.db.Auth
		if err := auth.SetPassword(f.ctx, f.bob.User.ID, goodPassword); err != nil {
			t.Fatal(err)
		}
		// Ten failures from different addresses lock the account, even
		// against the right password, and say when to try again.
		for i := range 10 {
			_, _, err := auth.SignIn(f.ctx, "bob@example.com", "guess number "+strings.Repeat("x", i), "198.51.100."+string(rune('1'+i%9)))
			wantCode(t, err, herald.EUnauthenticated)
		}
		_, _, err := auth.SignIn(f.ctx, "bob@example.com", goodPassword, "203.0.113.9")
		wantCode(t, err, herald.ETooMany)
		if he := err.(*herald.Error); he.RetryAfter <= 0 || he.RetryAfter > 15*time.Minute {
			t.Fatalf("retry after %v", he.RetryAfter)
		}
		// An unknown account is limited the same way, so the limit does not
		// tell which addresses have accounts.
		for range 10 {
			_, _, _ = auth.SignIn(f.ctx, "ghost@example.com", "guess guess guess", "203.0.113.50")
		}
		_, _, err = auth.SignIn(f.ctx, "ghost@example.com", "guess guess guess", "203.0.113.51")
		wantCode(t, err, herald.ETooMany)
		// The window passes.
		f.clock.Advance(16 * time.Minute)
		if _, _, err := auth.SignIn(f.ctx, "bob@example.com", goodPassword, "203.0.113.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// One address failing for many accounts is limited too (one IPv6 /64
		// counts as one address).
		for i := range 50 {
			_, _, _ = auth.SignIn(f.ctx, "user"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com", "guess guess guess", "2001:db8::"+string(rune('1'+i%9)))
		}
		_, _, err = auth.SignIn(f.ctx, "bob@example.com", goodPassword, "2001:db8::ffff")
		wantCode(t, err, herald.ETooMany)
		if _, _, err := auth.SignIn(f.ctx, "bob@example.com", goodPassword, "2001:db8:1::1"); err != nil {
			t.Fatalf("another /64: %v", err)
		}
	})
}

// Attempts sent at once are counted before their passwords are checked:
// a burst gets no more checks than the limit allows.
func TestAuth_SignInLimitHoldsForABurst(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		if err := f.db.Auth.SetPassword(f.ctx, f.carol.User.ID, goodPassword); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		codes := map[string]int{}
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := f.db.Auth.SignIn(f.ctx, "carol@example.com", "guess guess guess", fmt.Sprintf("198.51.100.%d", i))
				mu.Lock()
				codes[herald.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[herald.EUnauthenticated] > 10 || codes[herald.ETooMany] < 20 {
			t.Fatalf("30 attempts at once: %v; want at most 10 checked, the rest refused", codes)
		}
	})
}

// A password reset is how a locked-out person gets back in.
func TestAuth_ResetEndsTheLock(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		for range 11 {
			_, _, _ = f.db.Auth.SignIn(f.ctx, "alice@example.com", "guess guess guess", "192.0.2.7")
		}
		token, _, err := f.db.Auth.RequestPasswordReset(f.ctx, "alice@example.com")
		if err != nil || token == "" {
			t.Fatalf("request reset: %q %v", token, err)
		}
		if _, err := f.db.Auth.ResetPassword(f.ctx, token, goodPassword); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.db.Auth.SignIn(f.ctx, "alice@example.com", goodPassword, "192.0.2.7"); err != nil {
			t.Fatalf("after the reset: %v", err)
		}
	})
}
