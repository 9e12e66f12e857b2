package herald

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// User is a person who responds to incidents. Users hold incident roles and
// API tokens act on their behalf.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Manager marks an engineering manager or above, who may approve
	// emergency maintenance (R51).
	Manager bool `json:"manager"`
	// Role is what the person may do in the console: the API's roles.
	Role      APIRole   `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// HasPassword says whether the person can sign in with a password.
	HasPassword bool `json:"has_password"`
}

// UserInput creates a user.
type UserInput struct {
	Name    string `json:"name" required:"true"`
	Email   string `json:"email" required:"true"`
	Manager bool   `json:"manager"`
	// Role is what the person may do in the console (default responder).
	Role APIRole `json:"role,omitempty"`
}

// Normalize validates the user.
func (in *UserInput) Normalize() error {
	fe := FieldErrors{}
	if in.Role == "" {
		in.Role = RoleResponder
	} else if !in.Role.Valid() {
		fe.Add("role", "must be viewer, responder or admin")
	}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if in.Email == "" {
		fe.Add("email", "is required")
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		fe.Add("email", "must be a plain e-mail address like ada@example.com")
	}
	return fe.Err()
}

// APIRole is what a token may do through the API. Incident roles (lead,
// engineer, communications) are a different thing: they are held per
// incident, by people.
type APIRole string

// API roles, from least to most.
const (
	RoleViewer    APIRole = "viewer"    // reads
	RoleResponder APIRole = "responder" // acts on incidents
	RoleAdmin     APIRole = "admin"     // configures, manages users and tokens
)

// APIRoles lists the roles from least to most.
var APIRoles = []APIRole{RoleViewer, RoleResponder, RoleAdmin}

// Enum lists the values, for the OpenAPI document.
func (APIRole) Enum() []string { return enumStrings(APIRoles) }

func (r APIRole) rank() int { return slices.Index(APIRoles, r) + 1 }

// Valid reports whether r is a known role.
func (r APIRole) Valid() bool { return r.rank() > 0 }

// Allows reports whether a holder of r may do what needs min.
func (r APIRole) Allows(min APIRole) bool { return r.rank() >= min.rank() && r.Valid() }

// Actor is who is making a request: a user acting through a token of some
// role. Every write records its actor.
type Actor struct {
	User User
	Role APIRole
}

// Token is an API credential. Its secret is shown once at creation and
// stored only as a hash.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      APIRole   `json:"role"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is set only in the answer that creates the token.
	Secret string `json:"secret,omitempty"`
}

// TokenInput creates a token.
type TokenInput struct {
	Name   string  `json:"name" required:"true"`
	Role   APIRole `json:"role" required:"true"`
	UserID string  `json:"user_id"` // user id or e-mail; empty for the caller
}

// Normalize validates the token request.
func (in *TokenInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	in.Role = APIRole(strings.ToLower(strings.TrimSpace(string(in.Role))))
	if !in.Role.Valid() {
		fe.Add("role", "must be viewer, responder or admin")
	}
	in.UserID = strings.TrimSpace(in.UserID)
	return fe.Err()
}

// Mask shows a secret (an integration key, a webhook URL) to someone who
// may not use it: the last four characters, enough to tell two apart and
// too few to use ("••••9f3a").
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return "••••"
	}
	return "••••" + string(r[len(r)-4:])
}
