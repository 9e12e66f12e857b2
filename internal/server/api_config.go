package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
)

// ConfigStore reads and applies configuration as code (*store.DB): the
// comparison and the apply run in the store, in one transaction, so the
// API and the CLI get the same plan.
type ConfigStore interface {
	ExportConfig(ctx context.Context) (*config.Document, error)
	PlanConfig(ctx context.Context, actor herald.Actor, doc *config.Document, prune bool) (config.Plan, error)
	ApplyConfig(ctx context.Context, actor herald.Actor, doc *config.Document, prune bool) (config.Plan, error)
}

// Teams is a list of teams.
type Teams struct {
	Teams []herald.Team `json:"teams"`
}

func (s *Server) configStore() (ConfigStore, error) {
	if s.cfg.Config == nil {
		return nil, herald.Errorf(herald.EUnavailable, "configuration as code is not available on this server")
	}
	return s.cfg.Config, nil
}

func prune(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("prune")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &herald.Error{Code: herald.EInvalid, Message: "prune must be true or false", Fields: map[string]string{"prune": "must be true or false"}}
	}
	return b, nil
}

func (s *Server) exportConfig(r *http.Request, a herald.Actor, _ noBody) (*config.Document, error) {
	c, err := s.configStore()
	if err != nil {
		return nil, err
	}
	return c.ExportConfig(r.Context())
}

func (s *Server) planConfig(r *http.Request, a herald.Actor, doc config.Document) (config.Plan, error) {
	c, err := s.configStore()
	if err != nil {
		return config.Plan{}, err
	}
	p, err := prune(r)
	if err != nil {
		return config.Plan{}, err
	}
	return c.PlanConfig(r.Context(), a, &doc, p)
}

func (s *Server) applyConfig(r *http.Request, a herald.Actor, doc config.Document) (config.Plan, error) {
	c, err := s.configStore()
	if err != nil {
		return config.Plan{}, err
	}
	p, err := prune(r)
	if err != nil {
		return config.Plan{}, err
	}
	return c.ApplyConfig(r.Context(), a, &doc, p)
}

func (s *Server) listTeams(r *http.Request, a herald.Actor, _ noBody) (Teams, error) {
	list, err := s.app.Teams.Teams(r.Context())
	return Teams{Teams: list}, err
}

func (s *Server) getTeam(r *http.Request, a herald.Actor, _ noBody) (herald.Team, error) {
	return s.app.Teams.Team(r.Context(), r.PathValue("id"))
}

func (s *Server) createTeam(r *http.Request, a herald.Actor, in herald.TeamInput) (herald.Team, error) {
	return s.app.Teams.CreateTeam(r.Context(), in)
}

func (s *Server) updateTeam(r *http.Request, a herald.Actor, in herald.TeamInput) (herald.Team, error) {
	return s.app.Teams.UpdateTeam(r.Context(), r.PathValue("id"), in)
}

func (s *Server) deleteTeam(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.Teams.DeleteTeam(r.Context(), r.PathValue("id"))
}
