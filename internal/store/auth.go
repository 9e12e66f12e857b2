package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/password"
)

// Sign-in limits: failures per account and per client address within a
// window, counted in the database so every instance enforces the same.
// Both keys are counted whether or not the account exists, so the limit
// tells nobody which addresses have accounts.
const (
	signInWindow      = 15 * time.Minute
	accountFailures   = 10
	addressFailures   = 50
	sessionSeenUpdate = time.Minute // a session's last use is written at most this often
)

// verifying caps the password checks that run at once: each takes 19 MiB
// and tens of milliseconds, and the per-account and per-address limits do
// not bound a crowd of addresses.
var verifying = make(chan struct{}, 4)

// errSignIn is the one answer to a wrong address or password.
var errSignIn = herald.Errorf(herald.EUnauthenticated, "wrong e-mail address or password")

// SetPassword checks the password policy and sets a user's password; every
// session of the user ends, so a changed password locks out whoever knew
// the old one.
func (db *AuthService) SetPassword(ctx context.Context, userRef, pw string) error {
	u, err := db.readUser(ctx, userRef)
	if err != nil {
		return err
	}
	if err := password.Check(pw, u.Email); err != nil {
		return err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.write(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, u.ID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		return err
	})
}

func (db *core) readUser(ctx context.Context, ref string) (herald.User, error) {
	var u herald.User
	err := db.read(ctx, func(tx *tx) (err error) {
		u, err = tx.user(ctx, ref)
		return err
	})
	return u, err
}

// SignIn checks an e-mail address and password and opens a session.
func (db *AuthService) SignIn(ctx context.Context, email, pw, addr string) (string, herald.Actor, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || pw == "" {
		return "", herald.Actor{}, herald.Errorf(herald.EInvalid, "enter your e-mail address and password")
	}
	if len(pw) > 4*256 {
		// Longer than any password the policy allows: refuse before the
		// costly check.
		return "", herald.Actor{}, errSignIn
	}
	keys := []string{"account:" + email, "addr:" + addressKey(addr)}
	if err := db.reserveSignIn(ctx, keys); err != nil {
		return "", herald.Actor{}, err
	}
	var (
		u    herald.User
		hash string
	)
	err := db.read(ctx, func(tx *tx) error {
		var created int64
		return tx.QueryRowContext(ctx, `SELECT id, name, email, manager, created_at, role, password_hash FROM users WHERE email = $1`, email).
			Scan(&u.ID, &u.Name, &u.Email, &u.Manager, &created, &u.Role, &hash)
	})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", herald.Actor{}, err
	}
	if hash == "" {
		// No such account, or one without a password: spend the time a
		// real check takes, so the answer's timing tells nothing either.
		hash = password.Dummy()
	}
	verifying <- struct{}{}
	ok, rehash, verr := password.Verify(hash, pw)
	<-verifying
	if verr != nil || !ok || u.ID == "" {
		return "", herald.Actor{}, errSignIn // the reservation stands as the failure
	}
	var secret string
	err = db.write(ctx, func(tx *tx) error {
		// Success: the account starts afresh, and the address gets this
		// attempt back.
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE key = $1`, keys[0]); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signin_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0`, keys[1]); err != nil {
			return err
		}
		if rehash {
			if h, err := password.Hash(pw); err == nil {
				if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, h, u.ID); err != nil {
					return err
				}
			}
		}
		var err error
		secret, err = tx.openSession(ctx, u.ID, "password")
		return err
	})
	if err != nil {
		return "", herald.Actor{}, err
	}
	return secret, herald.Actor{User: u, Role: u.Role}, nil
}

// addressKey is what failures are counted against: the address, or for
// IPv6 its /64, which one client usually holds whole.
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// reserveSignIn counts this attempt against each key before the password
// is checked, in one transaction, and refuses it when either key is over
// its limit: attempts sent at once are counted at once, so a burst cannot
// slip past the limit while the slow checks run. A window that has passed
// starts again. A successful sign-in gives its count back (signedIn).
func (db *core) reserveSignIn(ctx context.Context, keys []string) error {
	var refused *herald.Error
	err := db.write(ctx, func(tx *tx) error {
		refused = nil
		for i, key := range keys {
			var failures int
			var start int64
			err := tx.QueryRowContext(ctx, `INSERT INTO signin_failures (key, failures, window_start) VALUES ($1, 1, $2)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN signin_failures.window_start < $3 THEN 1 ELSE signin_failures.failures + 1 END,
					window_start = CASE WHEN signin_failures.window_start < $3 THEN $2 ELSE signin_failures.window_start END
				RETURNING failures, window_start`,
				key, micros(tx.now), micros(tx.now.Add(-signInWindow))).Scan(&failures, &start)
			if err != nil {
				return fmt.Errorf("count sign-in attempt: %w", err)
			}
			limit := accountFailures
			if i > 0 {
				limit = addressFailures
			}
			if end := fromMicros(start).Add(signInWindow); failures > limit && refused == nil {
				refused = &herald.Error{Code: herald.ETooMany, RetryAfter: end.Sub(tx.now),
					Message: fmt.Sprintf("too many failed sign-ins; try again in %d minutes, or reset your password", int(end.Sub(tx.now).Minutes())+1)}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	return nil
}

// openSession records a session and returns its secret. Only the secret's
// hash is stored.
func (tx *tx) openSession(ctx context.Context, userID, via string) (string, error) {
	settings, err := tx.settings(ctx)
	if err != nil {
		return "", err
	}
	secret := newSecret()
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, via, created_at, seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)`,
		hashToken(secret), userID, via, micros(tx.now), micros(tx.now.Add(time.Duration(settings.Sessions.Max))))
	if err != nil {
		return "", fmt.Errorf("open session: %w", err)
	}
	return secret, nil
}

// SignInAs opens a session for a user who proved who they are elsewhere.
func (db *AuthService) SignInAs(ctx context.Context, userID, via string) (string, error) {
	var secret string
	err := db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userID)
		if err != nil {
			return err
		}
		secret, err = tx.openSession(ctx, u.ID, via)
		return err
	})
	return secret, err
}

// Session returns who a cookie's secret signs in and marks the session
// used. Idle and expired sessions end here.
func (db *AuthService) Session(ctx context.Context, secret string) (herald.Actor, herald.Session, error) {
	if secret == "" {
		return herald.Actor{}, herald.Session{}, herald.Errorf(herald.EUnauthenticated, "not signed in")
	}
	id := hashToken(secret)
	var (
		s                          herald.Session
		u                          herald.User
		created, seen, expires, uc int64
	)
	err := db.r.QueryRowContext(ctx, `SELECT s.user_id, s.via, s.created_at, s.seen_at, s.expires_at,
		u.id, u.name, u.email, u.manager, u.created_at, u.role, u.password_hash <> ''
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id).
		Scan(&s.UserID, &s.Via, &created, &seen, &expires, &u.ID, &u.Name, &u.Email, &u.Manager, &uc, &u.Role, &u.HasPassword)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Actor{}, herald.Session{}, herald.Errorf(herald.EUnauthenticated, "your session has ended; sign in again")
	}
	if err != nil {
		return herald.Actor{}, herald.Session{}, fmt.Errorf("read session: %w", err)
	}
	s.ID, s.CreatedAt, s.SeenAt, s.ExpiresAt, u.CreatedAt = id[:16], fromMicros(created), fromMicros(seen), fromMicros(expires), fromMicros(uc)
	var settings herald.Settings
	if err := db.read(ctx, func(tx *tx) (err error) {
		settings, err = tx.settings(ctx)
		return err
	}); err != nil {
		return herald.Actor{}, herald.Session{}, err
	}
	now := db.clock.Now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.SeenAt) >= time.Duration(settings.Sessions.Idle) {
		if err := db.write(ctx, func(tx *tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
			return err
		}); err != nil {
			return herald.Actor{}, herald.Session{}, err
		}
		return herald.Actor{}, herald.Session{}, herald.Errorf(herald.EUnauthenticated, "your session has ended; sign in again")
	}
	if now.Sub(s.SeenAt) >= sessionSeenUpdate {
		if err := db.write(ctx, func(tx *tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET seen_at = $1 WHERE id = $2`, micros(tx.now), id)
			return err
		}); err != nil {
			return herald.Actor{}, herald.Session{}, err
		}
		s.SeenAt = now
	}
	return herald.Actor{User: u, Role: u.Role}, s, nil
}

// SignOut ends the session of a secret.
func (db *AuthService) SignOut(ctx context.Context, secret string) error {
	return db.write(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, hashToken(secret))
		return err
	})
}

// SignOutEverywhere ends every session of a user.
func (db *AuthService) SignOutEverywhere(ctx context.Context, userID string) error {
	return db.write(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// Sessions lists a user's open sessions, newest first.
func (db *AuthService) Sessions(ctx context.Context, userID string) ([]herald.Session, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, via, created_at, seen_at, expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out := []herald.Session{}
	for rows.Next() {
		s := herald.Session{UserID: userID}
		var created, seen, expires int64
		if err := rows.Scan(&s.ID, &s.Via, &created, &seen, &expires); err != nil {
			return nil, err
		}
		s.ID, s.CreatedAt, s.SeenAt, s.ExpiresAt = s.ID[:16], fromMicros(created), fromMicros(seen), fromMicros(expires)
		out = append(out, s)
	}
	return out, rows.Err()
}
