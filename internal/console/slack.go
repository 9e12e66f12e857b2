package console

import (
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/slack"
)

// The Slack screen (admins): the app manifest to paste at Slack, filled
// with this server's URLs, and the connection (chat.slack): signing
// secret and bot token (never shown again), announce channel, pin
// reaction.
func (c *Console) slackRoutes() []route {
	return []route{
		{method: "GET", path: "/app/settings/slack", role: herald.RoleAdmin, serve: c.slackSettings},
		{method: "POST", path: "/app/settings/slack", role: herald.RoleAdmin, serve: c.connectSlack},
	}
}

type slackView struct {
	Connection herald.SlackConnection
	Manifest   string
	Input      url.Values
	Error      *herald.Error
}

// Val is what was typed into field when the form was refused, or def.
func (v slackView) Val(field, def string) string {
	if v.Input != nil {
		if _, ok := v.Input[field]; ok {
			return v.Input.Get(field)
		}
	}
	return def
}

func (c *Console) slackView(r *http.Request) (slackView, error) {
	conn, err := c.cfg.Services.ChatApps.Slack(r.Context())
	return slackView{Connection: conn, Manifest: slack.Manifest(c.cfg.Links.Base())}, err
}

func (c *Console) slackSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.slackView(r)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "slack-settings", a, v)
	return nil
}

func (c *Console) connectSlack(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	in := herald.SlackInput{SigningSecret: f.Get("signing_secret"), BotToken: f.Get("bot_token"), AnnounceChannel: f.Get("announce_channel"), PinReaction: f.Get("pin_reaction")}
	if _, err := c.cfg.Services.ChatApps.ConnectSlack(r.Context(), a, in); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		v, lerr := c.slackView(r)
		if lerr != nil {
			return lerr
		}
		v.Error, v.Input = herr, cloneValues(f)
		v.Input.Del("signing_secret") // secrets are never written back into a page
		v.Input.Del("bot_token")
		c.render(w, r, status, "slack-settings", a, v)
		return nil
	}
	redirect(w, r, "/app/settings/slack", "Slack connected.")
	return nil
}
