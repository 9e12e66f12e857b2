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

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	writeJSON(w, http.StatusOK, Me{User: a.User, Role: a.Role})
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Users{Users: users})
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.UserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := s.store.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	list, err := s.store.Tokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Tokens{Tokens: list})
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.TokenInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.store.CreateToken(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := s.store.RevokeToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	st, err := s.store.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.Settings
	if err := decode(r, &in); err != nil {
		return err
	}
	st, err := s.store.SaveSettings(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
