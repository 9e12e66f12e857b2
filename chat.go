package herald

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// ChatReply is what a chat command answers, the same on every platform:
// text, plus structured parts an adapter renders its own way (Block Kit,
// Adaptive Cards, Mattermost attachments) or the CLI prints.
type ChatReply struct {
	Text string `json:"text"`
	// Incident is the reference of the incident the command acted on.
	Incident string      `json:"incident,omitempty"`
	Fields   []ChatField `json:"fields,omitempty"`
	// Actions are buttons: each runs Command (a command line in this
	// grammar) with Confirm when it says so.
	Actions []ChatAction `json:"actions,omitempty"`
	// Composer is the status update composer ("status").
	Composer *StatusComposer `json:"composer,omitempty"`
	// Link is where the person should go next: the console's incident,
	// or the linking page for an unknown chat user.
	Link string `json:"link,omitempty"`
	// Private says the reply is for the person who typed the command only
	// (an error, help, a composer, a linking link), not for the channel.
	Private bool `json:"private"`
}

// ChatField is one labelled value of a reply (Severity: S1).
type ChatField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Chat actions (buttons).
const (
	ChatActionAck      = "ack"
	ChatActionEscalate = "escalate"
	ChatActionResolve  = "resolve"
	ChatActionPublish  = "publish"
	ChatActionOpen     = "open"
)

// ChatAction is a button. Command is the command line it runs (so a
// button means exactly what typing it would), Confirm whether it runs it
// confirmed (publishing); URL is set for a plain link button instead.
type ChatAction struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Command string `json:"command,omitempty"`
	Confirm bool   `json:"confirm,omitempty"`
	URL     string `json:"url,omitempty"`
	Style   string `json:"style,omitempty"` // "primary" or "danger"; empty for default
}

// StatusComposer is what "status" opens: the incident's public update as
// it would be written, with its templates filled and the checks of R14
// (220 characters before the link, 280 in all) run on the text given.
type StatusComposer struct {
	Incident string `json:"incident"`
	// StatusIncidentID is the open status incident an update goes to;
	// empty when the first update would create one.
	StatusIncidentID string       `json:"status_incident_id,omitempty"`
	State            State        `json:"state"`
	Limits           UpdateLimits `json:"limits"`
	// Templates are the status templates filled for this incident, by
	// name.
	Templates []ChatTemplate `json:"templates"`
	// Text is what would be published (with the link as the settings
	// add it), Checks and Findings the dry run's; empty without text.
	Text     string         `json:"text,omitempty"`
	Checks   []Check        `json:"checks,omitempty"`
	Findings []GuardFinding `json:"findings,omitempty"`
}

// ChatTemplate is one filled status template.
type ChatTemplate struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// ChatCommandInput is a command sent to the API (POST
// /api/v1/chat/commands): the CLI's way to use the chat grammar.
type ChatCommandInput struct {
	Text string `json:"text" required:"true"`
	// Incident is the incident when the command names none (INC-12).
	Incident string `json:"incident,omitempty"`
	// Confirm runs a command that asks for confirmation (status <text>).
	Confirm bool `json:"confirm,omitempty"`
}

// Chat platforms.
const (
	ChatSlack      = "slack"
	ChatMattermost = "mattermost"
	ChatTeams      = "teams"
	ChatAPI        = "api" // the CLI, through the API
)

// ChatPlatforms lists the platforms a chat identity or channel may be on.
var ChatPlatforms = []string{ChatSlack, ChatMattermost, ChatTeams}

// ChatIdentity is a person on a chat platform: who they are there
// (platform, workspace, their id there) and the Herald user they act as.
type ChatIdentity struct {
	Platform  string    `json:"platform"`
	Team      string    `json:"team"` // the workspace or team id; "" when the platform has none
	ChatUser  string    `json:"chat_user"`
	UserID    string    `json:"user_id"`
	Via       string    `json:"via"` // "email" (verified by the platform) or "link"
	CreatedAt time.Time `json:"created_at"`
}

// ChatLink is a pending one-time link of a chat identity to a Herald user:
// the bot answers an unknown person with the console's /app/chat/link URL;
// whoever signs in there and confirms becomes that chat identity's user.
type ChatLink struct {
	Platform  string     `json:"platform"`
	Team      string     `json:"team"`
	ChatUser  string     `json:"chat_user"`
	ChatName  string     `json:"chat_name,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// ChatLinkTTL is how long a linking code is valid.
const ChatLinkTTL = 15 * time.Minute

// ChatChannel binds a chat channel to an incident: a command typed there
// acts on it without naming it.
type ChatChannel struct {
	Platform  string `json:"platform"`
	ChannelID string `json:"channel_id"`
	Incident  string `json:"incident"` // reference, id or number
	// CreatedAt is when the channel was bound (in lists).
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// ChatService keeps what chat-ops needs beside the incidents: which
// channel is which incident's, and which chat user is which Herald user.
type ChatService interface {
	// BindChannel makes a channel an incident's (a channel is one
	// incident's at a time; binding it again moves it).
	BindChannel(ctx context.Context, in ChatChannel) error
	// ChannelIncident is the reference of the incident a channel is bound
	// to; ENotFound when it is none's.
	ChannelIncident(ctx context.Context, platform, channelID string) (string, error)
	// IncidentChannels lists the channels bound to an incident, on every
	// platform, oldest first.
	IncidentChannels(ctx context.Context, incident string) ([]ChatChannel, error)
	// ChatUser finds the Herald user of a chat identity: linked before, or
	// by the e-mail address the platform verified (which links it). An
	// unknown person is ENotFound.
	ChatUser(ctx context.Context, platform, team, chatUser, verifiedEmail string) (User, error)
	// NewChatLink makes a one-time linking code for a chat identity, valid
	// ChatLinkTTL; the code is in the answer only (stored as its hash).
	NewChatLink(ctx context.Context, platform, team, chatUser, chatName string) (code string, link ChatLink, err error)
	// ChatLinkCode reads a pending code (for the confirmation screen); an
	// unknown, used or expired code is ENotFound.
	ChatLinkCode(ctx context.Context, code string) (ChatLink, error)
	// ConfirmChatLink spends a code: its chat identity becomes the actor's.
	// A code is used once; an unknown, used or expired one is ENotFound.
	ConfirmChatLink(ctx context.Context, actor Actor, code string) (ChatIdentity, error)
	// ChatIdentities lists a user's linked chat identities.
	ChatIdentities(ctx context.Context, userID string) ([]ChatIdentity, error)
	// The incident cards and the channels bound by hand (chatcards.go).
	ChatCards
}

// CheckChatPlatform validates a platform name.
func CheckChatPlatform(p string) error {
	for _, k := range ChatPlatforms {
		if p == k {
			return nil
		}
	}
	return &Error{Code: EInvalid, Message: "platform must be slack, mattermost or teams", Fields: map[string]string{"platform": "must be slack, mattermost or teams"}}
}

// ChatSettings are the chat-ops choices.
type ChatSettings struct {
	// Bridge makes every incident's call bridge link.
	Bridge BridgeSettings `json:"bridge"`
	// Channels open a chat channel for incidents declared outside chat.
	Channels ChannelSettings `json:"channels"`
}

// ChannelSettings choose which incidents declared outside chat (the API,
// the console, the CLI, an alert that declares) get a channel of their
// own and an announcement on the chat platforms (R01), as an incident
// declared from chat does. Off by default: with no platform listed only
// incidents declared from chat get one.
type ChannelSettings struct {
	// Platforms open the channels: slack, mattermost (each once
	// connected).
	Platforms []string `json:"platforms,omitempty"`
	// Severities get a channel (S1 and S2 when none are listed).
	Severities []Severity `json:"severities,omitempty"`
}

// ChannelOpenWindow bounds how long after its declaration an incident
// declared outside chat still gets its channel: a platform connected, or
// the setting turned on, later does not open channels for every incident
// already open.
const ChannelOpenWindow = time.Hour

// For says which severities get a channel.
func (c ChannelSettings) For() []Severity {
	if len(c.Severities) == 0 {
		return []Severity{S1, S2}
	}
	return c.Severities
}

func (c *ChannelSettings) validate(fe FieldErrors) {
	seen := map[string]bool{}
	for i, p := range c.Platforms {
		if p != ChatSlack && p != ChatMattermost {
			fe.Add(fmt.Sprintf("chat.channels.platforms[%d]", i), "must be slack or mattermost (Teams has no channels Herald makes)")
		} else if seen[p] {
			fe.Add(fmt.Sprintf("chat.channels.platforms[%d]", i), p+" is listed twice")
		}
		seen[p] = true
	}
	for i, s := range c.Severities {
		if !s.Valid() {
			fe.Add(fmt.Sprintf("chat.channels.severities[%d]", i), "must be S1, S2, S3 or S4")
		}
	}
}

// Bridge providers.
const (
	BridgeNone        = ""
	BridgeURLTemplate = "url_template"
)

// BridgeSettings choose how an incident's call bridge is made. The first
// provider, url_template, needs no vendor API: the template (a Jitsi Meet
// room, a standing Zoom link) is filled with the incident's {reference},
// {id} or {slug} (its title in lower case, words joined by -).
type BridgeSettings struct {
	Provider string `json:"provider,omitempty"`
	Template string `json:"template,omitempty"`
}

var bridgePlaceholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// bridgePlaceholders are the values a template may use.
var bridgePlaceholders = map[string]bool{"{reference}": true, "{id}": true, "{slug}": true}

func (b *BridgeSettings) validate(fe FieldErrors) {
	b.Provider = strings.TrimSpace(b.Provider)
	b.Template = strings.TrimSpace(b.Template)
	switch b.Provider {
	case BridgeNone:
		if b.Template != "" {
			fe.Add("chat.bridge.provider", "must be url_template when a template is given")
		}
		return
	case BridgeURLTemplate:
	default:
		fe.Add("chat.bridge.provider", "must be url_template (or empty for no bridge)")
		return
	}
	if b.Template == "" {
		fe.Add("chat.bridge.template", "is required: an https URL with {reference}, {id} or {slug}")
		return
	}
	for _, p := range bridgePlaceholderRE.FindAllString(b.Template, -1) {
		if !bridgePlaceholders[p] {
			fe.Add("chat.bridge.template", "unknown placeholder "+p+": use {reference}, {id} or {slug}")
			return
		}
	}
	probe := bridgePlaceholderRE.ReplaceAllString(b.Template, "x")
	if strings.ContainsAny(probe, "{}") {
		fe.Add("chat.bridge.template", "has an unbalanced { or }")
		return
	}
	u, err := url.Parse(probe)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(b.Template) > 2000 {
		fe.Add("chat.bridge.template", "must be an https URL of at most 2000 characters, like https://meet.example.org/herald-{reference}")
	}
}

// Link fills the template for an incident; "" when no bridge is set.
// Each value is escaped for a URL path segment.
func (b BridgeSettings) Link(inc *Incident) string {
	if b.Provider != BridgeURLTemplate || b.Template == "" || inc == nil {
		return ""
	}
	return strings.NewReplacer(
		"{reference}", url.PathEscape(inc.Reference),
		"{id}", url.PathEscape(inc.ID),
		"{slug}", url.PathEscape(Slug(inc.Title, 40)),
	).Replace(b.Template)
}

// Slug is text as a short name for a URL or a channel: lower case ASCII
// letters and digits, words joined by -, at most max bytes,
// "incident" when nothing is left.
func Slug(text string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range text {
		if b.Len() >= max {
			break
		}
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > max {
		s = strings.Trim(s[:max], "-")
	}
	if s == "" {
		return "incident"
	}
	return s
}
