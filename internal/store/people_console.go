package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/password"
)

// What the console's people screens need beyond the API's first methods:
// changing a person's role, listing their notification rules, opening a
// contact method for a test notification, and password resets by e-mail.

// SetRole changes what a person may do in the console and the API. Every
// session the person had ends, so the new role applies from their next
// sign-in rather than whenever an old session happens to be read. The last
// admin cannot be demoted: someone must be able to let others in.
func (db *PeopleService) SetRole(ctx context.Context, userRef string, role herald.APIRole) (herald.User, error) {
	role = herald.APIRole(strings.ToLower(strings.TrimSpace(string(role))))
	if !role.Valid() {
		fe := herald.FieldErrors{}
		fe.Add("role", "must be viewer, responder or admin")
		return herald.User{}, fe.Err()
	}
	var u herald.User
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if u, err = tx.user(ctx, userRef); err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if err := tx.changeRole(ctx, u, role); err != nil {
			return err
		}
		u.Role = role
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		return err
	})
	return u, err
}

// SetManager marks or unmarks a person as an engineering manager or above.
// Their sessions stay: the flag is read where it matters (an approval, a
// page to all of management), not kept in a session.
func (db *PeopleService) SetManager(ctx context.Context, userRef string, manager bool) (herald.User, error) {
	var u herald.User
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if u, err = tx.user(ctx, userRef); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET manager = $1 WHERE id = $2`, manager, u.ID); err != nil {
			return fmt.Errorf("set manager: %w", err)
		}
		u.Manager = manager
		return nil
	})
	return u, err
}

// NotificationRules lists a person's notification rules, soonest first.
func (db *PeopleService) NotificationRules(ctx context.Context, userRef string) ([]herald.NotificationRule, error) {
	out := []herald.NotificationRule{}
	err := db.read(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, contact_method_id, delay_s FROM notification_rules WHERE user_id = $1 ORDER BY delay_s, contact_method_id`, u.ID)
		if err != nil {
			return fmt.Errorf("list notification rules: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r := herald.NotificationRule{UserID: u.ID}
			var delay int
			if err := rows.Scan(&r.ID, &r.ContactMethodID, &delay); err != nil {
				return err
			}
			r.DelayMinutes = delay / 60
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ContactMethodForTest returns one of a person's contact methods with its
// webhook signing secret opened, for the console's "send a test
// notification": a test must be signed like a real page to prove anything.
func (db *PeopleService) ContactMethodForTest(ctx context.Context, userRef, methodID string) (herald.ContactMethod, error) {
	var m herald.ContactMethod
	var sealed string
	err := db.read(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		var at int64
		var target string
		err = tx.QueryRowContext(ctx, `SELECT id, user_id, kind, target, failures, failing, created_at, secret_enc, target_enc FROM contact_methods WHERE id = $1 AND user_id = $2`, methodID, u.ID).
			Scan(&m.ID, &m.UserID, &m.Kind, &m.Target, &m.Failures, &m.Failing, &at, &sealed, &target)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "%s has no contact method %q", u.Name, methodID)
		}
		m.CreatedAt = fromMicros(at)
		if err == nil {
			// The test goes where a page would: the URL, opened.
			m.Target, err = db.openTarget(m.Target, target)
		}
		return err
	})
	if err != nil || sealed == "" {
		return m, err
	}
	if m.Secret, err = db.open(sealed); err != nil {
		return herald.ContactMethod{}, fmt.Errorf("open the contact method's secret: %w", err)
	}
	return m, nil
}

// Password resets: a link valid PasswordResetValid, used once. The token is
// 256 random bits and only its hash is stored; at most resetsPerHour links
// are issued to one person an hour, so the form cannot mail-bomb them.
const resetsPerHour = 3

// RequestPasswordReset issues a reset token for the account with an
// e-mail address. It answers the same (no token, no error) when there is
// no such account or it had too many links this hour: the caller tells the
// person the same thing either way.
func (db *AuthService) RequestPasswordReset(ctx context.Context, email string) (string, herald.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		fe := herald.FieldErrors{}
		fe.Add("email", "is required")
		return "", herald.User{}, fe.Err()
	}
	var (
		token string
		u     herald.User
	)
	err := db.write(ctx, func(tx *tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
		if errors.Is(err, sql.ErrNoRows) {
			u = herald.User{}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > $2`, u.ID, micros(tx.now.Add(-time.Hour))).Scan(&recent); err != nil {
			return fmt.Errorf("count resets: %w", err)
		}
		if recent >= resetsPerHour {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND expires_at <= $2`, u.ID, micros(tx.now)); err != nil {
			return err
		}
		b := make([]byte, 32)
		rand.Read(b)
		token = base64.RawURLEncoding.EncodeToString(b)
		_, err = tx.ExecContext(ctx, `INSERT INTO password_resets (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashToken(token), u.ID, micros(tx.now), micros(tx.now.Add(herald.PasswordResetValid)))
		return err
	})
	if err != nil || token == "" {
		return "", herald.User{}, err
	}
	return token, u, nil
}

var errResetLink = herald.Errorf(herald.ENotFound, "this reset link is unknown, used or expired; ask for a new one")

// PasswordReset returns whose password a reset token may set, without
// using it.
func (db *AuthService) PasswordReset(ctx context.Context, token string) (herald.User, error) {
	var u herald.User
	err := db.read(ctx, func(tx *tx) (err error) {
		u, err = tx.passwordReset(ctx, token)
		return err
	})
	return u, err
}

func (tx *tx) passwordReset(ctx context.Context, token string) (herald.User, error) {
	var userID string
	var expires int64
	var used sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE id = $1`, hashToken(token)).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || !tx.now.Before(fromMicros(expires)))) {
		return herald.User{}, errResetLink
	}
	if err != nil {
		return herald.User{}, fmt.Errorf("read reset: %w", err)
	}
	return tx.user(ctx, userID)
}

// ResetPassword sets a new password (through the policy) with a reset
// token, once: the token and every other link the person was sent stop
// working, and every session of the person ends.
func (db *AuthService) ResetPassword(ctx context.Context, token, pw string) (herald.User, error) {
	u, err := db.PasswordReset(ctx, token)
	if err != nil {
		return u, err
	}
	if err := password.Check(pw, u.Email); err != nil {
		return u, err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return u, fmt.Errorf("hash password: %w", err)
	}
	err = db.write(ctx, func(tx *tx) error {
		// Use the token with one conditional update: of two requests
		// racing with one link, exactly one sets a password.
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1`, micros(tx.now), hashToken(token))
		if err != nil {
			return fmt.Errorf("use reset: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errResetLink
		}
		// Every other link the person was sent stops working too.
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, micros(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, u.ID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		// A reset is how a locked-out person gets back in: it ends the
		// account's sign-in lock too.
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE key = $1`, "account:"+u.Email); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		return err
	})
	return u, err
}

// changeRole sets a user's role, refusing to demote the last admin. The
// admins are read locked on PostgreSQL, so two admins demoting each other
// at once cannot both succeed (SQLite has one writer anyway).
func (tx *tx) changeRole(ctx context.Context, u herald.User, role herald.APIRole) error {
	if u.Role == herald.RoleAdmin && role != herald.RoleAdmin {
		lock := ""
		if tx.db.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = $1`+lock, herald.RoleAdmin)
		if err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		admins := 0
		for rows.Next() {
			admins++
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if admins <= 1 {
			return herald.Errorf(herald.EUnprocessable, "%s is the last admin; make someone else an admin first", u.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, u.ID); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	return nil
}
