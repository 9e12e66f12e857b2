package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/mattermost"
)

// The Mattermost screen (admins): the steps to set Mattermost up, with
// this server's URLs filled in, and the connection (chat.mattermost):
// server, bot token, slash command and outgoing webhook tokens (never
// shown again), team, announce channel; and disconnecting.
func (c *Console) mattermostRoutes() []route {
	return []route{
		{method: "GET", path: "/app/settings/mattermost", role: herald.RoleAdmin, serve: c.mattermostSettings},
		{method: "POST", path: "/app/settings/mattermost", role: herald.RoleAdmin, serve: c.connectMattermost},
		{method: "POST", path: "/app/settings/mattermost/disconnect", role: herald.RoleAdmin, serve: c.disconnectMattermost},
	}
}

type mattermostView struct {
	Connection                          herald.MattermostConnection
	CommandsURL, WebhookURL, ActionsURL string
	ActionsHost                         string
	Input                               url.Values
	Error                               *herald.Error
}

// Val is what was typed into field when the form was refused, or def.
func (v mattermostView) Val(field, def string) string {
	if v.Input != nil {
		if _, ok := v.Input[field]; ok {
			return v.Input.Get(field)
		}
	}
	return def
}

func (c *Console) mattermostView(r *http.Request) (mattermostView, error) {
	conn, err := c.cfg.Services.ChatApps.Mattermost(r.Context())
	base := c.cfg.Links.Base()
	host := base
	if u, perr := url.Parse(base); perr == nil && u.Host != "" {
		host = u.Hostname()
	}
	return mattermostView{Connection: conn, CommandsURL: base + mattermost.CommandsPath, WebhookURL: base + mattermost.WebhookPath,
		ActionsURL: base + mattermost.ActionsPath, ActionsHost: host}, err
}

func (c *Console) mattermostSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.mattermostView(r)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "mattermost-settings", a, v)
	return nil
}

func (c *Console) connectMattermost(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	in := herald.MattermostInput{ServerURL: f.Get("server_url"), BotToken: f.Get("bot_token"), WebhookToken: f.Get("webhook_token"),
		TeamID: f.Get("team_id"), AnnounceChannel: f.Get("announce_channel")}
	if t := strings.TrimSpace(f.Get("command_tokens")); t != "" {
		in.CommandTokens = []string{t}
	}
	if _, err := c.cfg.Services.ChatApps.ConnectMattermost(r.Context(), a, in); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		v, lerr := c.mattermostView(r)
		if lerr != nil {
			return lerr
		}
		v.Error, v.Input = herr, cloneValues(f)
		for _, k := range []string{"bot_token", "command_tokens", "webhook_token"} {
			v.Input.Del(k) // secrets are never written back into a page
		}
		c.render(w, r, status, "mattermost-settings", a, v)
		return nil
	}
	redirect(w, r, "/app/settings/mattermost", "Mattermost connected.")
	return nil
}

func (c *Console) disconnectMattermost(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := c.cfg.Services.ChatApps.DisconnectMattermost(r.Context(), a); err != nil {
		return err
	}
	redirect(w, r, "/app/settings/mattermost", "Mattermost disconnected: its tokens are forgotten.")
	return nil
}
