package server

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/slack"
)

// slackAnswer is the Slack connection (never its secrets) with the app
// manifest to paste at Slack, filled with this server's URLs.
type slackAnswer struct {
	herald.SlackConnection
	Manifest string `json:"manifest"`
}

func (s *Server) getSlack(r *http.Request, a herald.Actor, _ noBody) (slackAnswer, error) {
	c, err := s.app.ChatApps.Slack(r.Context())
	return slackAnswer{SlackConnection: c, Manifest: slack.Manifest(s.cfg.Links.Base())}, err
}

func (s *Server) connectSlack(r *http.Request, a herald.Actor, in herald.SlackInput) (slackAnswer, error) {
	c, err := s.app.ChatApps.ConnectSlack(r.Context(), a, in)
	return slackAnswer{SlackConnection: c, Manifest: slack.Manifest(s.cfg.Links.Base())}, err
}
