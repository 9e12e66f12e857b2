package store

import (
	"context"
	"strings"

	"github.com/heraldhq/herald"
)

// SSOUser finds the user with an e-mail address an identity provider
// verified, or creates them, in one transaction: two first sign-ins of the
// same person at once make one user (the second insert meets the unique
// address and reads the first's). role, when not empty, is the provider's
// and becomes the user's, so removing someone from the provider's admin
// group takes effect at their next sign-in; without it an existing user
// keeps theirs and a new one gets defaultRole.
func (db *AuthService) SSOUser(ctx context.Context, email, name string, role, defaultRole herald.APIRole) (herald.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if role != "" && !role.Valid() {
		return herald.User{}, herald.Errorf(herald.EInvalid, "%q is not a role", role)
	}
	var u herald.User
	for attempt := 0; ; attempt++ {
		err := db.write(ctx, func(tx *tx) error {
			var err error
			u, err = tx.user(ctx, email)
			switch {
			case err == nil:
				if role != "" && role != u.Role {
					err := tx.changeRole(ctx, u, role)
					if herald.ErrorCode(err) == herald.EUnprocessable {
						// The provider would demote the last admin: keep
						// them admin rather than leave Herald without one.
						tx.db.log.Warn("single sign-on would demote the last admin; kept", "user", u.ID)
						return nil
					}
					if err != nil {
						return err
					}
					u.Role = role
				}
				return nil
			case herald.ErrorCode(err) != herald.ENotFound:
				return err
			}
			in := herald.UserInput{Name: name, Email: email, Role: role}
			if in.Role == "" {
				in.Role = defaultRole
			}
			if err := in.Normalize(); err != nil {
				return err
			}
			u = herald.User{ID: newID(), Name: in.Name, Email: in.Email, Role: in.Role, CreatedAt: tx.now}
			_, err = tx.ExecContext(ctx, `INSERT INTO users (id, name, email, manager, created_at, role) VALUES ($1, $2, $3, $4, $5, $6)`,
				u.ID, u.Name, u.Email, false, micros(u.CreatedAt), u.Role)
			return conflictAs(err, "insert user", "a user with e-mail %s exists already", in.Email)
		})
		if herald.ErrorCode(err) == herald.EConflict && attempt == 0 {
			continue // created at the same moment by another sign-in: read it
		}
		return u, err
	}
}
