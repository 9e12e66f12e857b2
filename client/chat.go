package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// Run runs one command of the chat grammar (docs/CHATOPS.md) as the
// token's person.
func (c *ChatClient) Run(ctx context.Context, in herald.ChatCommandInput) (herald.ChatReply, error) {
	var out herald.ChatReply
	return out, c.do(ctx, "POST", "/api/v1/chat/commands", in, &out)
}

// SlackApp is the Slack app's connection (never its secrets) and the app
// manifest to paste at Slack.
type SlackApp struct {
	herald.SlackConnection
	Manifest string `json:"manifest"`
}

// Slack reads the Slack app's connection and manifest (admins).
func (c *ChatClient) Slack(ctx context.Context) (SlackApp, error) {
	var out SlackApp
	return out, c.do(ctx, "GET", "/api/v1/chat/slack", nil, &out)
}

// ConnectSlack connects the Slack app (admins): empty secrets keep the
// stored ones.
func (c *ChatClient) ConnectSlack(ctx context.Context, in herald.SlackInput) (SlackApp, error) {
	var out SlackApp
	return out, c.do(ctx, "PUT", "/api/v1/chat/slack", in, &out)
}

// MattermostApp is the Mattermost connection (never its secrets) and the
// URLs to give Mattermost.
type MattermostApp struct {
	herald.MattermostConnection
	CommandsURL string `json:"commands_url"`
	WebhookURL  string `json:"webhook_url"`
	ActionsURL  string `json:"actions_url"`
}

// Mattermost reads the Mattermost connection (admins).
func (c *ChatClient) Mattermost(ctx context.Context) (MattermostApp, error) {
	var out MattermostApp
	return out, c.do(ctx, "GET", "/api/v1/chat/mattermost", nil, &out)
}

// ConnectMattermost connects Mattermost (admins): empty secrets keep the
// stored ones.
func (c *ChatClient) ConnectMattermost(ctx context.Context, in herald.MattermostInput) (MattermostApp, error) {
	var out MattermostApp
	return out, c.do(ctx, "PUT", "/api/v1/chat/mattermost", in, &out)
}

// DisconnectMattermost forgets the Mattermost connection (admins).
func (c *ChatClient) DisconnectMattermost(ctx context.Context) error {
	return c.do(ctx, "DELETE", "/api/v1/chat/mattermost", nil, nil)
}
