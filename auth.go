package herald

import (
	"context"
	"time"
)

// Session is one signed-in browser of the console. Its secret lives only in
// the person's cookie; the database keeps a hash of it, so a copy of the
// database opens no session.
type Session struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	// Via says how the person signed in: "password" or "sso".
	Via       string    `json:"via"`
	CreatedAt time.Time `json:"created_at"`
	// SeenAt is the last use; a session unused for the settings' idle
	// time ends, and every session ends at ExpiresAt whatever its use.
	SeenAt    time.Time `json:"seen_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionSettings bound console sessions.
type SessionSettings struct {
	// Idle ends a session unused this long (default 12h).
	Idle Duration `json:"idle"`
	// Max ends every session this long after sign-in, used or not
	// (default 168h, a week).
	Max Duration `json:"max"`
}

// Session bounds.
const (
	MinSessionIdle = 5 * time.Minute
	MaxSessionMax  = 90 * 24 * time.Hour
)

func (s SessionSettings) validate(fe FieldErrors) {
	idle, max := time.Duration(s.Idle), time.Duration(s.Max)
	if idle < MinSessionIdle || idle > MaxSessionMax {
		fe.Add("sessions.idle", "must be between 5m and 2160h (90 days)")
	}
	if max < idle || max > MaxSessionMax {
		fe.Add("sessions.max", "must be at least the idle time and at most 2160h (90 days)")
	}
}

// AuthService signs people in to the console and keeps their sessions.
type AuthService interface {
	// SetPassword checks the password policy and sets a user's password;
	// every session the user had ends.
	SetPassword(ctx context.Context, userRef, password string) error
	// SignIn checks an e-mail address and password and opens a session,
	// returning its secret for the cookie. An unknown address and a wrong
	// password get the same answer (unauthenticated), in the same time;
	// too many failures for one account or from one address get too_many
	// with when to try again.
	SignIn(ctx context.Context, email, password, addr string) (secret string, actor Actor, err error)
	// SignInAs opens a session for a user who proved who they are
	// elsewhere (single sign-on).
	SignInAs(ctx context.Context, userID, via string) (secret string, err error)
	// SSOUser finds the user with an e-mail address an identity provider
	// verified, or creates them, for a single sign-on. role, when not
	// empty, is the provider's (its claim mapping) and becomes the user's;
	// without it an existing user keeps theirs and a new one gets
	// defaultRole.
	SSOUser(ctx context.Context, email, name string, role, defaultRole APIRole) (User, error)
	// Session returns who a cookie's secret signs in, and marks the session
	// used. An unknown, idle or expired session is unauthenticated.
	Session(ctx context.Context, secret string) (Actor, Session, error)
	// SignOut ends the session of a secret.
	SignOut(ctx context.Context, secret string) error
	// SignOutEverywhere ends every session of a user.
	SignOutEverywhere(ctx context.Context, userID string) error
	// Sessions lists a user's open sessions, newest first.
	Sessions(ctx context.Context, userID string) ([]Session, error)

	// RequestPasswordReset issues a reset token (valid PasswordResetValid,
	// single use, stored as a hash) for the account with an e-mail address.
	// An unknown address, or one sent too many links this hour, gets no
	// token and no error: the person is told the same either way.
	RequestPasswordReset(ctx context.Context, email string) (token string, u User, err error)
	// PasswordReset returns whose password a reset token may set, without
	// using it; an unknown, used or expired token is ENotFound.
	PasswordReset(ctx context.Context, token string) (User, error)
	// ResetPassword sets a new password through the policy with a reset
	// token, once; every session of the user ends.
	ResetPassword(ctx context.Context, token, password string) (User, error)
}

// PasswordResetValid is how long a password reset link works.
const PasswordResetValid = time.Hour
