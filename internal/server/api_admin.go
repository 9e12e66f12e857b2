package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// Me says who the caller is.
type Me struct {
	User herald.User    `json:"user"`
	Role herald.APIRole `json:"role"`
}

// Users is a list of users.
type Users struct {
	Users []herald.User `json:"users"`
}

// Tokens is a list of tokens, without secrets.
type Tokens struct {
	Tokens []herald.Token `json:"tokens"`
}

func (s *Server) getMe(r *http.Request, a herald.Actor, _ noBody) (Me, error) {
	return Me{User: a.User, Role: a.Role}, nil
}

func (s *Server) listUsers(r *http.Request, a herald.Actor, _ noBody) (Users, error) {
	users, err := s.app.People.Users(r.Context())
	return Users{Users: users}, err
}

func (s *Server) createUser(r *http.Request, a herald.Actor, in herald.UserInput) (herald.User, error) {
	return s.app.People.CreateUser(r.Context(), in)
}

// PasswordInput sets a user's password.
type PasswordInput struct {
	Password string `json:"password" required:"true"`
}

func (s *Server) setPassword(r *http.Request, a herald.Actor, in PasswordInput) (noBody, error) {
	return noBody{}, s.app.Auth.SetPassword(r.Context(), r.PathValue("id"), in.Password)
}

func (s *Server) listTokens(r *http.Request, a herald.Actor, _ noBody) (Tokens, error) {
	list, err := s.app.People.Tokens(r.Context())
	return Tokens{Tokens: list}, err
}

func (s *Server) createToken(r *http.Request, a herald.Actor, in herald.TokenInput) (herald.Token, error) {
	return s.app.People.CreateToken(r.Context(), a, in)
}

func (s *Server) revokeToken(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.People.RevokeToken(r.Context(), r.PathValue("token"))
}

func (s *Server) getSettings(r *http.Request, a herald.Actor, _ noBody) (herald.Settings, error) {
	return s.app.Settings.Settings(r.Context())
}

func (s *Server) putSettings(r *http.Request, a herald.Actor, in herald.Settings) (herald.Settings, error) {
	return s.app.Settings.SaveSettings(r.Context(), in)
}

// RoleInput changes a user's role.
type RoleInput struct {
	Role herald.APIRole `json:"role" required:"true"`
}

// setRole is the console's role form: every session of the user ends, and
// the last admin cannot be demoted (422), whoever asks.
func (s *Server) setRole(r *http.Request, a herald.Actor, in RoleInput) (herald.User, error) {
	u, err := s.app.People.SetRole(r.Context(), r.PathValue("id"), in.Role)
	if err == nil {
		s.log.Info("role changed", "user", u.ID, "role", u.Role, "by", a.User.ID)
	}
	return u, err
}

// ManagerInput marks a user as an engineering manager or above, or not.
type ManagerInput struct {
	Manager bool `json:"manager"`
}

func (s *Server) setManager(r *http.Request, a herald.Actor, in ManagerInput) (herald.User, error) {
	u, err := s.app.People.SetManager(r.Context(), r.PathValue("id"), in.Manager)
	if err == nil {
		s.log.Info("manager flag changed", "user", u.ID, "manager", u.Manager, "by", a.User.ID)
	}
	return u, err
}

// Sessions is a user's open console sessions.
type Sessions struct {
	Sessions []herald.Session `json:"sessions"`
}

func (s *Server) listSessions(r *http.Request, a herald.Actor, _ noBody) (Sessions, error) {
	u, err := s.selfOrAdminFor(r, a, "sessions")
	if err != nil {
		return Sessions{}, err
	}
	list, err := s.app.Auth.Sessions(r.Context(), u.ID)
	return Sessions{Sessions: list}, err
}

// endSessions signs a user out of the console everywhere, as the console's
// "Sign out everywhere" does; API tokens are not sessions and stay valid.
func (s *Server) endSessions(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	u, err := s.selfOrAdminFor(r, a, "sessions")
	if err != nil {
		return noBody{}, err
	}
	return noBody{}, s.app.Auth.SignOutEverywhere(r.Context(), u.ID)
}
