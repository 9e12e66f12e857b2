package herald

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// SlackInput connects Herald's Slack app (chat.slack): the app's signing
// secret and bot token (secrets: stored sealed, never returned; left
// empty on a later save, the stored ones stay), the incident-management
// channel where declarations are announced, and the reaction that puts a
// message of an incident channel on the timeline (default pushpin).
type SlackInput struct {
	SigningSecret   string `json:"signing_secret,omitempty"`
	BotToken        string `json:"bot_token,omitempty"`
	AnnounceChannel string `json:"announce_channel,omitempty"`
	PinReaction     string `json:"pin_reaction,omitempty"`
}

// SlackConnection is the Slack app as Herald shows it: never its secrets,
// only whether they are set.
type SlackConnection struct {
	Connected        bool       `json:"connected"`
	SigningSecretSet bool       `json:"signing_secret_set"`
	BotTokenSet      bool       `json:"bot_token_set"`
	AnnounceChannel  string     `json:"announce_channel"`
	PinReaction      string     `json:"pin_reaction"`
	UpdatedAt        *time.Time `json:"updated_at,omitempty"`
	UpdatedBy        string     `json:"updated_by,omitempty"`
}

// SlackCredentials are what the Slack app needs to verify requests and
// call the Web API. The secrets are left out when printed.
type SlackCredentials struct {
	SigningSecret, BotToken, AnnounceChannel, PinReaction string
}

// String leaves the secrets out.
func (c SlackCredentials) String() string {
	return "slack (announce in " + c.AnnounceChannel + ", pin with :" + c.PinReaction + ":; secrets hidden)"
}

// GoString is String, for %#v.
func (c SlackCredentials) GoString() string { return c.String() }

// DefaultPinReaction is the reaction that puts a message on the timeline.
const DefaultPinReaction = "pushpin"

var (
	slackMemberRE   = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	slackChannelRE  = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)
	slackReactionRE = regexp.MustCompile(`^[a-z0-9_+'-]{1,100}$`)
)

// Normalize trims the input and names each bad field.
func (in *SlackInput) Normalize() error {
	fe := FieldErrors{}
	in.SigningSecret, in.BotToken = strings.TrimSpace(in.SigningSecret), strings.TrimSpace(in.BotToken)
	in.AnnounceChannel = strings.TrimSpace(in.AnnounceChannel)
	in.PinReaction = strings.Trim(strings.TrimSpace(in.PinReaction), ":")
	if in.PinReaction == "" {
		in.PinReaction = DefaultPinReaction
	}
	if len(in.SigningSecret) > 200 || strings.ContainsAny(in.SigningSecret, " \t\r\n\x00") {
		fe.Add("chat.slack.signing_secret", "must be the app's signing secret (Basic Information), without spaces")
	}
	if in.BotToken != "" && (!strings.HasPrefix(in.BotToken, "xoxb-") || len(in.BotToken) > 300 || strings.ContainsAny(in.BotToken, " \t\r\n\x00")) {
		fe.Add("chat.slack.bot_token", "must be the app's bot token, starting with xoxb-")
	}
	if in.AnnounceChannel != "" && !slackChannelRE.MatchString(in.AnnounceChannel) {
		fe.Add("chat.slack.announce_channel", "must be a channel id like C0123ABCD (the channel's details show it), or empty for no announcement")
	}
	if !slackReactionRE.MatchString(in.PinReaction) {
		fe.Add("chat.slack.pin_reaction", "must be a reaction's name like pushpin")
	}
	return fe.Err()
}

// SlackMemberID says whether a Slack contact method's target is a member
// id (U0123ABCD): the page goes as a direct message from Herald's Slack
// app, not to an incoming webhook.
func SlackMemberID(target string) bool { return slackMemberRE.MatchString(target) }

// ChatConnections keeps the connected chat apps.
type ChatConnections interface {
	// ConnectSlack saves the Slack app's connection (admin).
	ConnectSlack(ctx context.Context, actor Actor, in SlackInput) (SlackConnection, error)
	// Slack shows the connection without its secrets.
	Slack(ctx context.Context) (SlackConnection, error)
	// SlackCredentials are the secrets, for the app itself; ENotFound when
	// Slack is not connected.
	SlackCredentials(ctx context.Context) (SlackCredentials, error)
	MattermostConnections
}
