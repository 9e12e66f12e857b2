// Package chatflow is the incident channel flow, the same on every chat
// platform that has channels (Slack, Mattermost): when an incident is
// declared from chat, a channel of its own (inc-<N>-<slug>) is made, the
// people holding its roles are invited, its message (the incident card)
// is posted there and announced in the incident-management channel, and
// that message is edited in place on every change of the incident,
// whatever made it (RefreshCards, from the worker's chat loop).
//
// Every step is a message on the chat lane (herald.ChatMessage, sent by
// the worker's chat loop through Flow.SendChat): retried with backoff,
// paced per channel, restricted for FedRAMP tenants, held back for a
// practice, and never in the way of a page. What differs between
// platforms is only their API: a Platform.
package chatflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
)

// Platform is what the flow asks of one chat platform, in its own API.
type Platform interface {
	// Name is the platform (herald.ChatSlack, herald.ChatMattermost); it
	// is the first part of every message key, so keys never collide
	// between platforms.
	Name() string
	// AnnounceChannel is the incident-management channel's id, where new
	// incidents are announced ("" for none).
	AnnounceChannel(ctx context.Context) (string, error)
	// CreateChannel makes a channel called name and answers its id. When a
	// channel of that name exists already it answers that one's id: the
	// name is the incident's own (a retry after a crash between making
	// the channel and recording it must not fail).
	CreateChannel(ctx context.Context, name string) (string, error)
	// Invite adds people (platform user ids) to a channel; people in it
	// already are no error.
	Invite(ctx context.Context, channel string, users []string) error
	// Post posts a reply in a channel and answers the message's id.
	Post(ctx context.Context, channel string, r herald.ChatReply) (string, error)
	// Update edits a posted message in place.
	Update(ctx context.Context, channel, messageID string, r herald.ChatReply) error
	// Respond answers a command or a button through the URL the platform
	// gave for it.
	Respond(ctx context.Context, responseURL string, r herald.ChatReply) error
	// Direct sends a reply to one person (a platform user id) privately
	// and answers the message's id.
	Direct(ctx context.Context, user string, r herald.ChatReply) (string, error)
	// ChannelMention is how a message names a channel ("#inc-4-db").
	ChannelMention(name, id string) string
}

// Store is what the flow keeps: the chat lane.
type Store interface {
	herald.ChatOutbox
}

// Flow runs the incident channel flow on one platform.
type Flow struct {
	Exec     *chatops.Executor
	Store    Store
	Platform Platform
	Log      *slog.Logger
	// Connected, when set, says whether the platform is connected
	// (ENotFound when it is not): the worker renders no card until it is.
	Connected func(ctx context.Context) error
}

func (f *Flow) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// Message keys on the chat lane: one per platform, incident and purpose,
// so a repeat (a retried request, a second instance) queues nothing new.
func (f *Flow) channelKey(ref string) string  { return f.Platform.Name() + ":channel:" + ref }
func (f *Flow) cardKey(ref string) string     { return f.Platform.Name() + ":card:" + ref }
func (f *Flow) announceKey(ref string) string { return f.Platform.Name() + ":announce:" + ref }
func (f *Flow) inviteKey(ref string) string   { return f.Platform.Name() + ":invite:" + ref }

// ChannelName is an incident's channel: inc-<N>-<slug>, at most 80
// characters (Slack's limit; Mattermost allows 64 for a name, so the
// Mattermost adapter cuts further), lower case. A confidential incident's
// is inc-<N> only: a channel's name is seen by everyone in the workspace.
func ChannelName(inc *herald.Incident) string {
	prefix := "inc-" + strconv.FormatInt(inc.Number, 10)
	if inc.Confidential {
		return prefix
	}
	return prefix + "-" + herald.Slug(inc.Title, 80-len(prefix)-1)
}

// Queue queues one message on this platform's chat lane; a failure to
// queue is logged (the command it follows has been done).
func (f *Flow) Queue(ctx context.Context, m herald.ChatMessage) {
	m.Platform = f.Platform.Name()
	if err := f.Store.QueueChat(ctx, m); err != nil {
		f.log().Error("chat: queueing a message failed", "platform", m.Platform, "kind", m.Kind, "err", err)
	}
}

// Run runs a command line, or a button's value, as actor on this
// platform, and starts what follows from it: a declared incident's
// channel (chatUser, the person's id on the platform, is invited), or
// the cards of the incident it changed rendered again at once. The
// cadence reminder's "No material updates" button
// (herald.NoMaterialCommand) runs here too, the same on every platform.
// A refusal is the reply; the command is the zero one when none was
// parsed.
func (f *Flow) Run(ctx context.Context, actor herald.Actor, text string, req chatops.Request, chatUser string) (herald.ChatCommand, herald.ChatReply) {
	if text == "" {
		text = "help"
	}
	req.Text, req.Platform = text, f.Platform.Name()
	if ref, ok := strings.CutPrefix(text, herald.NoMaterialCommand); ok {
		out, err := f.Exec.NoMaterial(ctx, actor, strings.TrimSpace(ref))
		if err != nil {
			return herald.ChatCommand{}, chatops.ErrorReply(err)
		}
		f.Refresh(ctx, out.Incident)
		return herald.ChatCommand{}, out
	}
	cmd, err := herald.ParseChatCommand(text)
	if err != nil {
		return herald.ChatCommand{}, chatops.ErrorReply(err)
	}
	out, err := f.Exec.Execute(ctx, actor, cmd, req)
	if err != nil {
		return cmd, chatops.ErrorReply(err)
	}
	if out.Incident != "" {
		if cmd.Verb == herald.ChatDeclare {
			f.Start(ctx, out.Incident, out, chatUser)
		} else {
			f.Refresh(ctx, out.Incident)
		}
	}
	return cmd, out
}

// Start queues a declared incident's channel; when it exists (SendChat),
// the role holders and the declarer (a platform user id) are invited, the
// reply (the incident card) posted in it and the incident announced.
func (f *Flow) Start(ctx context.Context, ref string, reply herald.ChatReply, declarer string) {
	inc, err := f.Exec.Services.Incidents.Incident(ctx, ref)
	if err != nil {
		f.log().Error("chat: reading a declared incident failed", "platform", f.Platform.Name(), "err", err)
		return
	}
	announce, err := f.Platform.AnnounceChannel(ctx)
	if err != nil {
		f.log().Warn("chat: reading the announcement channel failed", "platform", f.Platform.Name(), "err", err)
	}
	var users []string
	if declarer != "" {
		users = []string{declarer}
	}
	f.Queue(ctx, herald.ChatMessage{Key: f.channelKey(inc.Reference), Kind: herald.ChatCreateChannel, Incident: inc.ID,
		Name: ChannelName(inc), Users: users, Announce: announce, Reply: reply})
}

// Refresh renders the incident's cards on this platform now (in its
// channels and in the announcement): what a command typed in chat
// changed shows at once, without waiting for the worker's next look.
func (f *Flow) Refresh(ctx context.Context, ref string) {
	cards, err := f.Exec.Services.Chat.IncidentChatCards(ctx, f.Platform.Name(), ref)
	if err != nil || len(cards) == 0 {
		return
	}
	if err := f.render(ctx, cards); err != nil {
		f.log().Error("chat: rendering an incident card failed", "platform", f.Platform.Name(), "incident", ref, "err", err)
	}
}

// cardBatch bounds the cards rendered in one look.
const cardBatch = 100

// RefreshCards renders again the cards whose incident changed since they
// were rendered, however it changed (the console, the API, the CLI, the
// playbook, an acknowledged page): the worker's chat loop calls it every
// tick, on every instance. Nothing changed costs one query; a change the
// card does not show queues nothing (its content is compared); a card
// two instances render at once is queued once (the store holds its row).
// Nothing is rendered while the platform is not connected.
func (f *Flow) RefreshCards(ctx context.Context) error {
	due, err := f.Exec.Services.Chat.ChatCardsDue(ctx, f.Platform.Name(), cardBatch)
	if err != nil || len(due) == 0 {
		return err
	}
	if f.Connected != nil {
		if err := f.Connected(ctx); err != nil {
			if herald.ErrorCode(err) == herald.ENotFound {
				return nil // not connected: the cards wait for a connection
			}
			return err
		}
	}
	return f.render(ctx, due)
}

// OpenChannels opens the channels of incidents declared outside chat
// (the API, the console, the CLI, an alert) that the settings give one
// (chat.channels, R01): the same flow as a declaration from chat, with
// nobody to invite but the role holders. The worker's chat loop calls it
// every tick, on every instance: an incident's channel is one chat lane
// key, so it is opened once. Only incidents declared in the last
// herald.ChannelOpenWindow, so turning it on opens no channel for old
// ones.
func (f *Flow) OpenChannels(ctx context.Context) error {
	settings, err := f.Exec.Services.Settings.Settings(ctx)
	if err != nil || !slices.Contains(settings.Chat.Channels.Platforms, f.Platform.Name()) {
		return err
	}
	now := time.Now()
	if f.Exec.Now != nil {
		now = f.Exec.Now()
	}
	refs, err := f.Exec.Services.Chat.ChannelsToOpen(ctx, f.Platform.Name(), settings.Chat.Channels.For(), now.Add(-herald.ChannelOpenWindow), cardBatch)
	if err != nil || len(refs) == 0 {
		return err
	}
	if f.Connected != nil {
		if err := f.Connected(ctx); err != nil {
			if herald.ErrorCode(err) == herald.ENotFound {
				return nil // not connected: nothing to open them on
			}
			return err
		}
	}
	for _, ref := range refs {
		inc, err := f.Exec.Services.Incidents.Incident(ctx, ref)
		if err != nil {
			return err
		}
		f.Start(ctx, ref, f.Exec.IncidentCard(inc), "")
	}
	return nil
}

// render renders cards, reading each incident once.
func (f *Flow) render(ctx context.Context, cards []herald.ChatCard) error {
	var errs []error
	incs := map[string]*herald.Incident{}
	for _, c := range cards {
		inc, ok := incs[c.Incident]
		if !ok {
			var err error
			if inc, err = f.Exec.Services.Incidents.Incident(ctx, c.Incident); err != nil {
				errs = append(errs, err)
				continue
			}
			incs[c.Incident] = inc
		}
		if _, err := f.Exec.Services.Chat.RenderChatCard(ctx, c.Key, inc, f.Card(c, inc)); err != nil {
			errs = append(errs, fmt.Errorf("card %s: %w", c.Key, err))
		}
	}
	return errors.Join(errs...)
}

// Card is an incident's card as a channel shows it. The announcement
// (the card with a Mention) points to the incident's channel, and of a
// confidential incident carries only its reference and link: the
// incident-management channel is read by many.
func (f *Flow) Card(c herald.ChatCard, inc *herald.Incident) herald.ChatReply {
	if c.Mention != "" {
		return f.Exec.AnnouncementCard(inc, c.Mention)
	}
	return f.Exec.IncidentCard(inc)
}

// SendChat sends one chat lane message through the platform
// (worker.ChatSender).
func (f *Flow) SendChat(ctx context.Context, m herald.ChatMessage) (string, error) {
	p := f.Platform
	switch m.Kind {
	case herald.ChatPost:
		return p.Post(ctx, m.Channel, m.Reply)
	case herald.ChatUpdate:
		return "", p.Update(ctx, m.Channel, m.Target, m.Reply)
	case herald.ChatRespond:
		return "", p.Respond(ctx, m.Channel, m.Reply)
	case herald.ChatInvite:
		return "", p.Invite(ctx, m.Channel, m.Users)
	case herald.ChatDirect:
		return p.Direct(ctx, m.Channel, m.Reply)
	case herald.ChatCreateChannel:
		return f.createChannel(ctx, m)
	}
	return "", fmt.Errorf("%s cannot send a %q", p.Name(), m.Kind)
}

// createChannel makes an incident's channel, binds it to the incident and
// queues what goes in it: the people, the card, the announcement.
func (f *Flow) createChannel(ctx context.Context, m herald.ChatMessage) (string, error) {
	inc, err := f.Exec.Services.Incidents.Incident(ctx, m.Incident)
	if err != nil {
		return "", err
	}
	id, err := f.Platform.CreateChannel(ctx, m.Name)
	if err != nil {
		return "", err
	}
	name := f.Platform.Name()
	if err := f.Exec.Services.Chat.BindChannel(ctx, herald.ChatChannel{Platform: name, ChannelID: id, Incident: inc.ID}); err != nil {
		return id, err
	}
	users := map[string]bool{}
	for _, u := range m.Users {
		users[u] = true
	}
	for _, r := range inc.Roles {
		ids, err := f.Exec.Services.Chat.ChatIdentities(ctx, r.UserID)
		if err != nil {
			return id, err
		}
		for _, ci := range ids {
			if ci.Platform == name {
				users[ci.ChatUser] = true
			}
		}
	}
	var list []string
	for u := range users {
		list = append(list, u)
	}
	slices.Sort(list)
	// The cards are recorded before their posts are queued, as rendered
	// from the incident read here: the declaration's reply stands for the
	// card until the incident changes, and the worker edits it from then.
	card := herald.ChatCard{Key: f.cardKey(inc.Reference), Platform: name, Channel: id, Incident: inc.ID, Invite: true, Invited: list, Rendered: &inc.UpdatedAt}
	card.Hash = herald.CardHash(f.Card(card, inc))
	if err := f.Exec.Services.Chat.AddChatCard(ctx, card); err != nil {
		return id, err
	}
	if len(list) > 0 {
		f.Queue(ctx, herald.ChatMessage{Key: f.inviteKey(inc.Reference), Kind: herald.ChatInvite, Channel: id, Incident: inc.ID, Users: list})
	}
	f.Queue(ctx, herald.ChatMessage{Key: f.cardKey(inc.Reference), Kind: herald.ChatPost, Channel: id, Incident: inc.ID, Reply: m.Reply})
	if m.Announce != "" {
		ann := herald.ChatCard{Key: f.announceKey(inc.Reference), Platform: name, Channel: m.Announce, Incident: inc.ID,
			Mention: f.Platform.ChannelMention(m.Name, id), Rendered: &inc.UpdatedAt}
		ann.Hash = herald.CardHash(f.Card(ann, inc))
		if err := f.Exec.Services.Chat.AddChatCard(ctx, ann); err != nil {
			return id, err
		}
		f.Queue(ctx, herald.ChatMessage{Key: f.announceKey(inc.Reference), Kind: herald.ChatPost, Channel: m.Announce, Incident: inc.ID, Reply: f.Card(ann, inc)})
	}
	return id, nil
}
