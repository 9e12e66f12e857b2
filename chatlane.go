package herald

import (
	"context"
	"fmt"
	"time"
)

// The outbound chat lane (issue 15 item 6). Everything Herald sends to a
// chat platform is a ChatMessage queued in the outbox's chat lane: sent by
// a loop of its own (never in the way of a page), retried with backoff,
// paced per channel (ChatChannelGap), restricted for FedRAMP tenants
// (RestrictedNotice) and held back for a practice (R63) when it goes.

// Chat message kinds.
const (
	ChatPost          = "post"           // a message in a channel
	ChatUpdate        = "update"         // an edit of a post made before (Ref)
	ChatCreateChannel = "create_channel" // a channel for an incident (Name)
	ChatInvite        = "invite"         // people into a channel (Users)
	ChatRespond       = "respond"        // a reply to a command (Channel is its response URL)
	ChatDirect        = "direct"         // a direct message to a person (Channel is their id)
)

// ChatChannelGap is the pace of one channel: Slack takes about one
// message a second per channel, so the next message to a channel is due
// this long after the last one queued for it.
const ChatChannelGap = time.Second

// ChatMessage is one thing to send to a chat platform.
type ChatMessage struct {
	// Key is the idempotency key: queueing a key again changes nothing.
	Key      string `json:"-"`
	Platform string `json:"-"`
	Kind     string `json:"-"`
	// Channel is the platform's channel id (a response URL for
	// ChatRespond, the person's id for ChatDirect; empty for
	// ChatCreateChannel).
	Channel string `json:"-"`
	// Incident is the incident (id or reference) the message is about:
	// it decides the FedRAMP restriction and the practice guard.
	Incident string `json:"-"`
	// Ref is the key of the post an update edits.
	Ref string `json:"-"`
	// Target is what Ref's message made on the platform (its message id),
	// filled when the message is sent.
	Target string `json:"-"`

	Reply ChatReply `json:"reply"`
	// Name is the channel to create (ChatCreateChannel).
	Name string `json:"name,omitempty"`
	// Users are platform user ids to invite (ChatInvite).
	Users []string `json:"users,omitempty"`
	// Announce, on a ChatCreateChannel, is the channel to announce the
	// incident in once its channel exists.
	Announce string `json:"announce,omitempty"`
}

// ChatOutbox queues chat messages (the store's chat lane).
type ChatOutbox interface {
	// QueueChat queues a message; a key queued before is left as it is.
	QueueChat(ctx context.Context, m ChatMessage) error
	// ChatResult is what a sent message made on the platform (a message
	// id, a channel id); ENotFound until it is sent.
	ChatResult(ctx context.Context, key string) (string, error)
	// ChatRestriction is how a message about an incident (id or
	// reference) must be restricted when it is written to a platform
	// outside the lane (a slash command's immediate answer): nil when it
	// may carry its details, or for "" (R46, decided as the lane does).
	ChatRestriction(ctx context.Context, incident string) (*Restriction, error)
}

// ChatRateLimited is a platform's "too many requests": the message is
// tried again after After, without counting as a failure, and the rest of
// its channel waits as long.
type ChatRateLimited struct{ After time.Duration }

func (e *ChatRateLimited) Error() string {
	return fmt.Sprintf("rate limited by the chat platform: retry after %s", e.After)
}

// RestrictChat is a chat message about a FedRAMP tenant as it may go: the
// reference and the console link only (RestrictedNotice), no buttons.
func RestrictChat(m ChatMessage, r Restriction) ChatMessage {
	n := RestrictedNotice("chat", r, 0, false, "")
	m.Reply = ChatReply{Text: n.Body, Incident: m.Reply.Incident, Link: r.URL, Private: m.Reply.Private}
	if m.Kind == ChatCreateChannel {
		m.Name = Slug(r.Reference, 80) // the title stays in Herald
	}
	return m
}
