package server

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/mattermost"
)

// mattermostAnswer is the Mattermost connection (never its secrets) with
// the URLs to give Mattermost when setting up the integration.
type mattermostAnswer struct {
	herald.MattermostConnection
	// CommandsURL is the /herald slash command's request URL,
	// WebhookURL the "Decision:" outgoing webhook's callback URL and
	// ActionsURL the URL Herald's buttons post to (Mattermost must be
	// allowed to reach it).
	CommandsURL string `json:"commands_url"`
	WebhookURL  string `json:"webhook_url"`
	ActionsURL  string `json:"actions_url"`
}

func (s *Server) mattermostAnswer(c herald.MattermostConnection) mattermostAnswer {
	base := s.cfg.Links.Base()
	return mattermostAnswer{MattermostConnection: c, CommandsURL: base + mattermost.CommandsPath, WebhookURL: base + mattermost.WebhookPath, ActionsURL: base + mattermost.ActionsPath}
}

func (s *Server) getMattermost(r *http.Request, a herald.Actor, _ noBody) (mattermostAnswer, error) {
	c, err := s.app.ChatApps.Mattermost(r.Context())
	return s.mattermostAnswer(c), err
}

func (s *Server) connectMattermost(r *http.Request, a herald.Actor, in herald.MattermostInput) (mattermostAnswer, error) {
	c, err := s.app.ChatApps.ConnectMattermost(r.Context(), a, in)
	return s.mattermostAnswer(c), err
}

func (s *Server) disconnectMattermost(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.ChatApps.DisconnectMattermost(r.Context(), a)
}
