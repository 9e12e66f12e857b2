package mattermost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// actionRequest is what Mattermost posts when a button is pressed (its
// PostActionIntegrationRequest): who pressed it, where, and the context
// of the button as Herald posted it.
type actionRequest struct {
	UserID    string        `json:"user_id"`
	UserName  string        `json:"user_name"`
	ChannelID string        `json:"channel_id"`
	TeamID    string        `json:"team_id"`
	PostID    string        `json:"post_id"`
	Type      string        `json:"type"`
	Context   ButtonContext `json:"context"`
}

// actionResponse is the answer to a button (PostActionIntegrationResponse):
// the post it sits on replaced, or a message for the person only.
type actionResponse struct {
	Update           *Post  `json:"update,omitempty"`
	EphemeralText    string `json:"ephemeral_text,omitempty"`
	SkipSlackParsing bool   `json:"skip_slack_parsing,omitempty"`
}

// Actions is the URL of Herald's buttons. Mattermost signs nothing here and
// sends no token: the request is run only when the context's signature
// (Sign: the command, whether confirmed, and the channel) matches with the
// connection's button key, so only a button Herald posted in that channel
// runs, and only the command it carries. The person is the user_id
// Mattermost sends (the one signed in who pressed it), mapped to their
// Herald account like a slash command's. The answer replaces the post the
// button is on (a reply for the channel) or is shown to the person only
// (a private reply); when the command takes longer than Wait, "working on
// it" is shown and the reply follows on the chat lane.
func (a *App) Actions(w http.ResponseWriter, r *http.Request) {
	cr, ok := a.credentials(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	var p actionRequest
	if err := json.Unmarshal(body, &p); err != nil || p.UserID == "" {
		http.Error(w, "not a button press", http.StatusBadRequest)
		return
	}
	if err := VerifyButton(cr.ButtonKey, p.ChannelID, p.Context.Command, p.Context.Confirm, p.Context.Sig); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	c := command{User: p.UserID, UserName: p.UserName, Channel: p.ChannelID, Text: p.Context.Command, Confirm: p.Context.Confirm}
	reply, late := a.race(r, func(ctx context.Context) herald.ChatReply { return a.run(ctx, cr, c) }, func(ctx context.Context, reply herald.ChatReply) {
		a.later(ctx, c, reply)
	})
	var out actionResponse
	switch {
	case late:
		out.EphemeralText = "Working on it: Herald answers here in a moment."
	case reply.Private:
		out.EphemeralText = Text(reply)
	default:
		post := Render(reply, a.buttons(cr, p.ChannelID))
		post.ChannelID = ""
		if post.Props == nil {
			post.Props = map[string]any{"attachments": []Attachment{}} // the old buttons go
		}
		out.Update = &post
	}
	out.SkipSlackParsing = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// later sends a button's late reply: in the channel, or to the person
// privately.
func (a *App) later(ctx context.Context, c command, reply herald.ChatReply) {
	stamp := a.now().UTC().Format(time.RFC3339Nano)
	if reply.Private {
		a.queue(ctx, herald.ChatMessage{Key: "mattermost:dm:" + c.Channel + ":" + c.User + ":" + stamp, Kind: herald.ChatDirect, Channel: c.User, Incident: reply.Incident, Reply: reply})
		return
	}
	a.queue(ctx, herald.ChatMessage{Key: "mattermost:button:" + c.Channel + ":" + c.User + ":" + stamp, Kind: herald.ChatPost, Channel: c.Channel, Incident: reply.Incident, Reply: reply})
}

// Webhook is the outgoing webhook's URL: Mattermost posts every message
// of the team's channels starting with the trigger word "Decision:". Its
// token is checked (401 missing or wrong, 503 not connected or no
// webhook token, 403 from another team); in an incident's channel the
// message is recorded as its author's decision ("Decision: roll back
// because errors began with it"), anywhere else it is ignored. A refusal
// goes to the author by direct message. The answer is empty: Mattermost
// posts nothing back.
func (a *App) Webhook(w http.ResponseWriter, r *http.Request) {
	cr, ok := a.credentials(w, r)
	if !ok {
		return
	}
	if cr.WebhookToken == "" {
		http.Error(w, "Mattermost's outgoing webhook is not connected to Herald (no webhook token)", http.StatusServiceUnavailable)
		return
	}
	f, ok := form(w, r)
	if !ok {
		return
	}
	if err := CheckToken([]string{cr.WebhookToken}, token(r, f)); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if f.Get("team_id") != cr.TeamID {
		http.Error(w, ErrWrongTeam.Error(), http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}")
	text, user, channel := strings.TrimSpace(f.Get("text")), f.Get("user_id"), f.Get("channel_id")
	if len(text) < 9 || !strings.EqualFold(text[:9], "decision:") || user == "" || channel == "" {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		if _, err := a.Exec.Services.Chat.ChannelIncident(ctx, herald.ChatMattermost, channel); err != nil {
			return // not an incident's channel
		}
		reply := a.run(ctx, cr, command{User: user, UserName: f.Get("user_name"), Channel: channel, Text: text})
		if !reply.Private {
			return // recorded: the timeline has it, the channel has the message
		}
		a.queue(ctx, herald.ChatMessage{Key: "mattermost:dm:" + channel + ":" + user + ":" + f.Get("post_id") + ":" + a.now().UTC().Format(time.RFC3339Nano),
			Kind: herald.ChatDirect, Channel: user, Reply: reply})
	}()
}
