package slack

import (
	"context"
	"errors"
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
)

// DM sends a page (or any contact method message) to a Slack member as a
// direct message from Herald's app: the contact method whose target is a
// member id (R07). It goes on the page lane like every contact method,
// not the chat lane: a page never waits behind a channel's pace. The text
// is the page's as composed (restricted for a FedRAMP tenant, marked for a
// practice); its link is a button.
type DM struct {
	Store herald.ChatConnections
	// API and HTTP as App's (tests).
	API  string
	HTTP *http.Client
}

var _ notify.Sender = DM{}

// Send implements notify.Sender.
func (d DM) Send(ctx context.Context, m notify.Message) error {
	cr, err := d.Store.SlackCredentials(ctx)
	if herald.ErrorCode(err) == herald.ENotFound {
		return errors.New("slack is not connected: an admin connects Herald's Slack app (Settings, Slack)")
	}
	if err != nil {
		return err
	}
	c := &Client{API: d.API, Token: cr.BotToken, HTTP: d.HTTP}
	ch, err := c.OpenDM(ctx, m.Target)
	if err != nil {
		return err
	}
	text := m.Text
	if m.Subject != "" {
		text = m.Subject + "\n" + text
	}
	reply := herald.ChatReply{Text: text, Link: m.URL}
	if m.URL != "" {
		reply.Actions = []herald.ChatAction{{ID: herald.ChatActionOpen, Label: "Open", URL: m.URL, Style: "primary"}}
	}
	_, err = c.PostMessage(ctx, ch, Render(reply))
	return err
}
