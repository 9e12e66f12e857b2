package herald

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The incident card (issue 15 item 2): one message per incident channel
// (and one in the announcement channel) that Herald edits in place on
// every change of the incident, whatever made the change (the console,
// the API, the CLI, chat, the playbook, an acknowledged page). The store
// keeps, per card, the incident's updated_at it was last rendered from,
// so the worker finds the cards to render again with one query, on any
// instance, after any restart; and the content last queued, so a change
// the card does not show sends nothing.

// ChatCard is an incident's card in one chat channel.
type ChatCard struct {
	// Key is the post's key on the chat lane (its edits are Key:edit:<n>).
	Key      string
	Platform string
	Channel  string
	// Incident is the incident's reference (or id, as input).
	Incident string
	// Mention, on an announcement, is how it names the incident's channel
	// ("#inc-4-db"): the card says "Join #inc-4-db."
	Mention string
	// Invite says the holders of the incident's roles are invited into
	// Channel (the incident's channel, not the announcement).
	Invite bool
	// Hash is the content last queued (CardHash); Invited the platform
	// users invited already. Given to AddChatCard when the flow posts the
	// card and invites people itself.
	Hash    string
	Invited []string
	// Rendered is the incident's UpdatedAt the card was last rendered
	// from; nil when it never was.
	Rendered *time.Time
}

// What RenderChatCard did.
const (
	CardPosted    = "posted"    // the card was not in the channel yet: posted
	CardEdited    = "edited"    // an edit in place was queued
	CardUnchanged = "unchanged" // the card shows this already
	CardWaiting   = "waiting"   // the post is not sent yet: rendered again later
	CardStale     = "stale"     // the incident changed meanwhile: rendered again later
	CardGone      = "gone"      // the post failed or was held back, or the card was unbound
)

// CardHash is a card's content, as compared between renderings.
func CardHash(r ChatReply) string {
	raw, _ := json.Marshal(r)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// ChatCards keeps the incident cards (part of ChatService).
type ChatCards interface {
	// AddChatCard records a card; a key recorded before is left as it is.
	AddChatCard(ctx context.Context, c ChatCard) error
	// IncidentChatCards lists an incident's cards on a platform.
	IncidentChatCards(ctx context.Context, platform, incident string) ([]ChatCard, error)
	// ChatCardsDue lists the cards of a platform whose incident changed
	// since they were rendered (or never were), at most limit.
	ChatCardsDue(ctx context.Context, platform string, limit int) ([]ChatCard, error)
	// ChannelsToOpen lists the references of open incidents declared
	// since then, of the severities given, with no channel on the
	// platform yet and none queued (practice incidents never), at most
	// limit: the incidents declared outside chat whose channel the
	// settings open (R01).
	ChannelsToOpen(ctx context.Context, platform string, severities []Severity, since time.Time, limit int) ([]string, error)
	// RenderChatCard queues what brings a card to content, rendered from
	// inc: its post when it has none yet, an edit when the content
	// differs from the last queued, and an invitation of the role holders
	// with a chat identity on the platform not invited yet. It does
	// nothing (CardStale) when the incident changed after inc was read:
	// it is then due again. One transaction, so several instances render
	// a card once.
	RenderChatCard(ctx context.Context, key string, inc *Incident, content ChatReply) (string, error)

	// BindIncidentChannel binds an existing channel to an incident by
	// hand (POST /api/v1/incidents/{id}/chat-channels): commands typed
	// there act on it, and its card is posted there and kept (on a
	// platform with channels: slack or mattermost). The timeline says so.
	BindIncidentChannel(ctx context.Context, actor Actor, in ChatChannel) (ChatChannel, error)
	// UnbindIncidentChannel undoes a binding: its card is no longer kept.
	UnbindIncidentChannel(ctx context.Context, actor Actor, in ChatChannel) error
}

// ChannelPlatforms are the platforms whose channels can be bound to an
// incident and get its card (Teams posts through webhooks, no channel).
var ChannelPlatforms = []string{ChatSlack, ChatMattermost}

// ChatChannelInput binds a chat channel to an incident by hand.
type ChatChannelInput struct {
	// Platform is slack or mattermost.
	Platform string `json:"platform" required:"true"`
	// ChannelID is the channel's id on the platform (Slack: C0123ABCD).
	ChannelID string `json:"channel_id" required:"true"`
}
