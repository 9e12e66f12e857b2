package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// NoMaterialAction is the button of a cadence reminder that publishes "no
// material updates" (R15) for an incident (herald.NoMaterialChatAction).
func NoMaterialAction(ref string) herald.ChatAction { return herald.NoMaterialChatAction(ref) }

// Interactive is the interactivity request URL: a button (block_actions)
// runs the command it carries, as the person who pressed it. Slack is
// answered at once; the answer follows through the response URL.
func (a *App) Interactive(w http.ResponseWriter, r *http.Request) {
	cr, body, ok := a.verified(w, r)
	if !ok {
		return
	}
	f, _ := url.ParseQuery(string(body))
	var p struct {
		Type string `json:"type"`
		User struct {
			ID       string `json:"id"`
			Username string `json:"username"`
			TeamID   string `json:"team_id"`
		} `json:"user"`
		Team struct {
			ID string `json:"id"`
		} `json:"team"`
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
		ResponseURL string      `json:"response_url"`
		TriggerID   string      `json:"trigger_id"`
		View        viewPayload `json:"view"`
		Actions     []struct {
			ActionID       string `json:"action_id"`
			BlockID        string `json:"block_id"`
			Value          string `json:"value"`
			SelectedOption *struct {
				Value string `json:"value"`
			} `json:"selected_option"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(f.Get("payload")), &p); err != nil || p.User.ID == "" {
		http.Error(w, "not an interaction payload", http.StatusBadRequest)
		return
	}
	team := p.Team.ID
	if team == "" {
		team = p.User.TeamID
	}
	// The status composer's modal: its submission is answered in the
	// response (errors beside the fields, or empty to close it); typing
	// and choosing a template update it.
	if p.View.CallbackID == StatusCallback {
		switch {
		case p.Type == "view_submission":
			a.submitComposer(w, r.Context(), cr, team, p.User.ID, p.User.Username, p.View)
		case p.Type == "block_actions" && len(p.Actions) > 0:
			w.WriteHeader(http.StatusOK)
			act := p.Actions[0]
			value := act.Value
			if act.SelectedOption != nil {
				value = act.SelectedOption.Value
			}
			a.background(r, func(ctx context.Context) {
				a.composerAction(ctx, cr, team, p.User.ID, p.User.Username, p.View, act.BlockID, value)
			})
		default:
			w.WriteHeader(http.StatusOK) // closed: nothing to do
		}
		return
	}
	w.WriteHeader(http.StatusOK)
	if p.Type != "block_actions" || len(p.Actions) == 0 || p.Actions[0].Value == "" {
		return // a link button, or an interaction Herald offers none of
	}
	c := command{Team: team, User: p.User.ID, UserName: p.User.Username, Channel: p.Channel.ID, ResponseURL: p.ResponseURL, Text: p.Actions[0].Value,
		TriggerID: p.TriggerID}
	c.Text, c.Confirm = strings.CutPrefix(c.Text, confirmPrefix)
	a.background(r, func(ctx context.Context) {
		// run takes "No material updates" too (chatflow.Flow.Run).
		a.respond(ctx, c.ResponseURL, a.run(ctx, cr, c))
	})
}

// background runs work after the request is answered, bounded, on a
// context that outlives the request.
func (a *App) background(r *http.Request, fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		fn(ctx)
	}()
}

// Events is the Events API's request URL: its URL check (the challenge),
// and in an incident channel a message starting "Decision:" (recorded as
// the decision, with its "because") or a message marked with the pin
// reaction (a note on the timeline). Slack's retries of an event already
// received are answered and dropped, so nothing is recorded twice.
func (a *App) Events(w http.ResponseWriter, r *http.Request) {
	cr, body, ok := a.verified(w, r)
	if !ok {
		return
	}
	var p struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		TeamID    string `json:"team_id"`
		Event     struct {
			Type     string `json:"type"`
			Subtype  string `json:"subtype"`
			BotID    string `json:"bot_id"`
			User     string `json:"user"`
			Channel  string `json:"channel"`
			Text     string `json:"text"`
			Reaction string `json:"reaction"`
			Item     struct {
				Type    string `json:"type"`
				Channel string `json:"channel"`
				TS      string `json:"ts"`
			} `json:"item"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	if p.Type == "url_verification" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"challenge": p.Challenge})
		return
	}
	w.WriteHeader(http.StatusOK)
	if p.Type != "event_callback" || r.Header.Get("X-Slack-Retry-Num") != "" {
		return
	}
	ev := p.Event
	switch {
	case ev.Type == "message" && ev.Subtype == "" && ev.BotID == "" && ev.User != "":
		text := strings.TrimSpace(ev.Text)
		if len(text) < 9 || !strings.EqualFold(text[:9], "decision:") {
			return
		}
		a.background(r, func(ctx context.Context) {
			a.fromChannel(ctx, cr, p.TeamID, ev.User, ev.Channel, text)
		})
	case ev.Type == "reaction_added" && ev.Reaction == cr.PinReaction && ev.Item.Type == "message" && ev.User != "":
		a.background(r, func(ctx context.Context) {
			if _, err := a.Exec.Services.Chat.ChannelIncident(ctx, herald.ChatSlack, ev.Item.Channel); err != nil {
				return // not an incident's channel
			}
			cr := cr
			text, _, err := a.client(cr).MessageText(ctx, ev.Item.Channel, ev.Item.TS)
			if err != nil {
				a.log().Warn("slack: reading a pinned message failed", "err", err)
				return
			}
			a.fromChannel(ctx, cr, p.TeamID, ev.User, ev.Item.Channel, "note "+text)
		})
	}
}

// fromChannel runs what a message of an incident channel asks for, as its
// author; a refusal goes to the author privately.
func (a *App) fromChannel(ctx context.Context, cr herald.SlackCredentials, team, user, channel, text string) {
	if _, err := a.Exec.Services.Chat.ChannelIncident(ctx, herald.ChatSlack, channel); err != nil {
		return
	}
	reply := a.run(ctx, cr, command{Team: team, User: user, Channel: channel, Text: text})
	if !reply.Private {
		return // recorded: the timeline has it, the channel has the message
	}
	a.queue(ctx, herald.ChatMessage{Key: "slack:dm:" + channel + ":" + user + ":" + a.now().Format(time.RFC3339Nano), Kind: herald.ChatDirect, Channel: user, Reply: reply})
}
