package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/heraldhq/herald"
)

// TokenPrefix starts every token Herald issues, so a leaked one is easy to
// recognise in a log or a secret scanner.
const TokenPrefix = "hrd_"

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// hashToken is how a token is stored. Tokens are 256 random bits, so a fast
// hash is enough: there is nothing to brute-force that a slow hash would
// protect.
func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

const userColumns = `id, name, email, manager, created_at, role, password_hash <> ''`

func scanUser(row interface{ Scan(...any) error }) (herald.User, error) {
	var u herald.User
	var created int64
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.Manager, &created, &u.Role, &u.HasPassword)
	u.CreatedAt = fromMicros(created)
	return u, err
}

// CreateUser adds a person.
func (db *PeopleService) CreateUser(ctx context.Context, in herald.UserInput) (herald.User, error) {
	if err := in.Normalize(); err != nil {
		return herald.User{}, err
	}
	var u herald.User
	err := db.write(ctx, func(tx *tx) error {
		u = herald.User{ID: newID(), Name: in.Name, Email: in.Email, Manager: in.Manager, Role: in.Role, CreatedAt: tx.now}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, name, email, manager, created_at, role) VALUES ($1, $2, $3, $4, $5, $6)`,
			u.ID, u.Name, u.Email, u.Manager, micros(u.CreatedAt), u.Role)
		return conflictAs(err, "insert user", "a user with e-mail %s exists already", in.Email)
	})
	return u, err
}

// Users lists everyone, by name.
func (db *PeopleService) Users(ctx context.Context) ([]herald.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name, email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []herald.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User finds a user by id or e-mail address.
func (db *PeopleService) User(ctx context.Context, ref string) (herald.User, error) {
	var u herald.User
	err := db.read(ctx, func(tx *tx) (err error) {
		u, err = tx.user(ctx, ref)
		return err
	})
	return u, err
}

func (tx *tx) user(ctx context.Context, ref string) (herald.User, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return herald.User{}, herald.Errorf(herald.EInvalid, "a user id or e-mail address is required")
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 OR email = $2`, ref, strings.ToLower(ref)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, herald.Errorf(herald.ENotFound, "no user %q", ref)
	}
	if err != nil {
		return u, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken issues an API token for a user (the actor when in.UserID is
// empty). The secret is in the answer and nowhere else.
func (db *PeopleService) CreateToken(ctx context.Context, actor herald.Actor, in herald.TokenInput) (herald.Token, error) {
	if err := in.Normalize(); err != nil {
		return herald.Token{}, err
	}
	var t herald.Token
	err := db.write(ctx, func(tx *tx) error {
		u := actor.User
		if in.UserID != "" {
			var err error
			if u, err = tx.user(ctx, in.UserID); err != nil {
				return err
			}
		}
		t = herald.Token{ID: newID(), Name: in.Name, Role: in.Role, UserID: u.ID, UserName: u.Name, CreatedAt: tx.now, Secret: newSecret()}
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, name, role, user_id, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, t.Name, t.Role, t.UserID, hashToken(t.Secret), micros(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return nil
	})
	return t, err
}

// Tokens lists the tokens that are not revoked, without secrets.
func (db *PeopleService) Tokens(ctx context.Context) ([]herald.Token, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT t.id, t.name, t.role, t.user_id, u.name, t.created_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.revoked_at IS NULL ORDER BY t.created_at`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []herald.Token{}
	for rows.Next() {
		var t herald.Token
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &t.UserID, &t.UserName, &created); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt = fromMicros(created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken makes a token unusable at once.
func (db *PeopleService) RevokeToken(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, micros(tx.now), id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "no active token %q", id)
		}
		return nil
	})
}

// Authenticate returns the actor a token secret stands for. Every failure is
// the same EUnauthenticated error, so a caller learns nothing about which
// tokens exist.
func (db *PeopleService) Authenticate(ctx context.Context, secret string) (herald.Actor, error) {
	var a herald.Actor
	row := db.r.QueryRowContext(ctx, `SELECT t.role, u.id, u.name, u.email, u.manager, u.created_at, u.role
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL`, hashToken(secret))
	var created int64
	err := row.Scan(&a.Role, &a.User.ID, &a.User.Name, &a.User.Email, &a.User.Manager, &created, &a.User.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return a, herald.Errorf(herald.EUnauthenticated, "the token is not valid")
	}
	if err != nil {
		return a, fmt.Errorf("authenticate: %w", err)
	}
	a.User.CreatedAt = fromMicros(created)
	return a, nil
}

// adminTokenName names the token that HERALD_ADMIN_TOKEN provides.
const adminTokenName = "HERALD_ADMIN_TOKEN"

// EnsureAdminToken makes secret a valid admin token, for first login and
// automation. A previous secret given this way stops working, so rotating
// the variable and restarting rotates the credential.
func (db *PeopleService) EnsureAdminToken(ctx context.Context, secret string) error {
	if len(secret) < 16 {
		return herald.Errorf(herald.EInvalid, "HERALD_ADMIN_TOKEN must be at least 16 characters")
	}
	return db.write(ctx, func(tx *tx) error {
		const email = "admin@herald.invalid"
		var userID string
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			userID = newID()
			_, err = tx.ExecContext(ctx, `INSERT INTO users (id, name, email, manager, created_at, role) VALUES ($1, $2, $3, $4, $5, $6)`, userID, "Administrator", email, false, micros(tx.now), herald.RoleAdmin)
		}
		if err != nil {
			return fmt.Errorf("admin user: %w", err)
		}
		hash := hashToken(secret)
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = $1 WHERE name = $2 AND hash <> $3 AND revoked_at IS NULL`, micros(tx.now), adminTokenName, hash); err != nil {
			return fmt.Errorf("rotate admin token: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tokens (id, name, role, user_id, hash, created_at) VALUES ($1, $2, 'admin', $3, $4, $5)
			ON CONFLICT (hash) DO UPDATE SET revoked_at = NULL, role = 'admin'`, newID(), adminTokenName, userID, hash, micros(tx.now))
		if err != nil {
			return fmt.Errorf("admin token: %w", err)
		}
		return nil
	})
}
