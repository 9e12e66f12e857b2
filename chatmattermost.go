package herald

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// MattermostInput connects Herald to a Mattermost server (chat.mattermost):
// the server's address, the bot account's access token, the tokens
// Mattermost gives the /herald slash command and the "Decision:" outgoing
// webhook (secrets: stored sealed, never returned; left empty on a later
// save, the stored ones stay), the team Herald works in and the
// incident-management channel where declarations are announced.
type MattermostInput struct {
	ServerURL string `json:"server_url"`
	BotToken  string `json:"bot_token,omitempty"`
	// CommandTokens are the slash commands' tokens: a request carrying
	// any of them is Mattermost's (one per team's /herald command).
	CommandTokens   []string `json:"command_tokens,omitempty"`
	WebhookToken    string   `json:"webhook_token,omitempty"`
	TeamID          string   `json:"team_id"`
	AnnounceChannel string   `json:"announce_channel,omitempty"`
}

// MattermostConnection is the Mattermost connection as Herald shows it:
// never its secrets, only whether they are set.
type MattermostConnection struct {
	Connected       bool       `json:"connected"`
	ServerURL       string     `json:"server_url"`
	TeamID          string     `json:"team_id"`
	AnnounceChannel string     `json:"announce_channel"`
	BotTokenSet     bool       `json:"bot_token_set"`
	CommandTokens   int        `json:"command_tokens"` // how many are set
	WebhookTokenSet bool       `json:"webhook_token_set"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
	UpdatedBy       string     `json:"updated_by,omitempty"`
}

// MattermostCredentials are what Herald needs to check Mattermost's
// requests and call its REST API. ButtonKey is Herald's own secret (made
// when first connected) that signs the buttons it posts: Mattermost signs
// nothing it sends, so a button's context carries Herald's signature. The
// secrets are left out when printed.
type MattermostCredentials struct {
	ServerURL, TeamID, AnnounceChannel string
	BotToken, WebhookToken, ButtonKey  string
	CommandTokens                      []string
}

// String leaves the secrets out.
func (c MattermostCredentials) String() string {
	return "mattermost " + c.ServerURL + " (team " + c.TeamID + ", announce in " + c.AnnounceChannel + "; secrets hidden)"
}

// GoString is String, for %#v.
func (c MattermostCredentials) GoString() string { return c.String() }

// mattermostIDRE is a Mattermost id: 26 lower case letters and digits.
var (
	mattermostIDRE    = regexp.MustCompile(`^[a-z0-9]{26}$`)
	mattermostTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,100}$`)
)

// MattermostID says whether s is a Mattermost id (a user, channel or team).
func MattermostID(s string) bool { return mattermostIDRE.MatchString(s) }

// Normalize trims the input and names each bad field.
func (in *MattermostInput) Normalize() error {
	fe := FieldErrors{}
	in.ServerURL = strings.TrimRight(strings.TrimSpace(in.ServerURL), "/")
	in.BotToken, in.WebhookToken = strings.TrimSpace(in.BotToken), strings.TrimSpace(in.WebhookToken)
	in.TeamID, in.AnnounceChannel = strings.TrimSpace(in.TeamID), strings.TrimSpace(in.AnnounceChannel)
	var tokens []string
	for _, t := range in.CommandTokens {
		for _, t := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
			if !mattermostTokenRE.MatchString(t) {
				fe.Add("chat.mattermost.command_tokens", "each must be a slash command's token (Integrations, Slash Commands: the token shown for /herald)")
			}
			tokens = append(tokens, t)
		}
	}
	in.CommandTokens = tokens
	if len(tokens) > 20 {
		fe.Add("chat.mattermost.command_tokens", "at most 20 slash command tokens")
	}
	u, err := url.Parse(in.ServerURL)
	if in.ServerURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(in.ServerURL) > 500 {
		fe.Add("chat.mattermost.server_url", "must be the Mattermost server's address, like https://mattermost.example.com")
	}
	if in.BotToken != "" && !mattermostTokenRE.MatchString(in.BotToken) {
		fe.Add("chat.mattermost.bot_token", "must be the bot account's access token (Integrations, Bot Accounts)")
	}
	if in.WebhookToken != "" && !mattermostTokenRE.MatchString(in.WebhookToken) {
		fe.Add("chat.mattermost.webhook_token", "must be the outgoing webhook's token (Integrations, Outgoing Webhooks)")
	}
	if !MattermostID(in.TeamID) {
		fe.Add("chat.mattermost.team_id", "must be the team's id (26 letters and digits; the System Console's Teams page shows it)")
	}
	if in.AnnounceChannel != "" && !MattermostID(in.AnnounceChannel) {
		fe.Add("chat.mattermost.announce_channel", "must be a channel's id (26 letters and digits; the channel's View Info shows it), or empty for no announcement")
	}
	return fe.Err()
}

// MattermostConnections keeps Herald's connection to a Mattermost server.
type MattermostConnections interface {
	// ConnectMattermost saves the connection (admin).
	ConnectMattermost(ctx context.Context, actor Actor, in MattermostInput) (MattermostConnection, error)
	// Mattermost shows the connection without its secrets.
	Mattermost(ctx context.Context) (MattermostConnection, error)
	// MattermostCredentials are the secrets, for the integration itself;
	// ENotFound when Mattermost is not connected.
	MattermostCredentials(ctx context.Context) (MattermostCredentials, error)
	// DisconnectMattermost forgets the connection and its secrets (admin).
	DisconnectMattermost(ctx context.Context, actor Actor) error
}
