package mattermost

import (
	"context"
	"strings"

	"github.com/heraldhq/herald"
)

// platform is Mattermost's REST API v4 as the incident channel flow uses
// it (chatflow.Platform).
type platform struct{ a *App }

func (platform) Name() string { return herald.ChatMattermost }

func (p platform) creds(ctx context.Context) (herald.MattermostCredentials, *Client, error) {
	cr, err := p.a.Store.MattermostCredentials(ctx)
	if err != nil {
		return cr, nil, err
	}
	return cr, p.a.client(cr), nil
}

func (p platform) AnnounceChannel(ctx context.Context) (string, error) {
	cr, err := p.a.Store.MattermostCredentials(ctx)
	return cr.AnnounceChannel, err
}

// ChannelName is an incident channel's name in Mattermost: the flow's
// inc-<N>-<slug> cut to MaxChannelName characters.
func ChannelName(name string) string {
	name = strings.ToLower(name)
	if len(name) > MaxChannelName {
		name = strings.TrimRight(name[:MaxChannelName], "-_")
	}
	return name
}

// CreateChannel makes the incident's public channel in the connected team
// (POST /channels; an existing one of that name is found and answered).
func (p platform) CreateChannel(ctx context.Context, name string) (string, error) {
	cr, c, err := p.creds(ctx)
	if err != nil {
		return "", err
	}
	name = ChannelName(name)
	return c.CreateChannel(ctx, cr.TeamID, name, name)
}

// Invite adds each person to the channel (POST /channels/{id}/members).
func (p platform) Invite(ctx context.Context, channel string, users []string) error {
	_, c, err := p.creds(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := c.AddMember(ctx, channel, u); err != nil {
			return err
		}
	}
	return nil
}

func (p platform) Post(ctx context.Context, channel string, r herald.ChatReply) (string, error) {
	cr, c, err := p.creds(ctx)
	if err != nil {
		return "", err
	}
	return c.CreatePost(ctx, Render(r, p.a.buttons(cr, channel)))
}

func (p platform) Update(ctx context.Context, channel, id string, r herald.ChatReply) error {
	cr, c, err := p.creds(ctx)
	if err != nil {
		return err
	}
	post := Render(r, p.a.buttons(cr, channel))
	if post.Props == nil {
		post.Props = map[string]any{"attachments": []Attachment{}}
	}
	return c.PatchPost(ctx, id, post)
}

// Respond answers through a response URL; its buttons are signed for no
// channel (SendChat's late answers go through respond, with theirs).
func (p platform) Respond(ctx context.Context, responseURL string, r herald.ChatReply) error {
	return p.respond(ctx, responseURL, "", r)
}

func (p platform) respond(ctx context.Context, responseURL, channel string, r herald.ChatReply) error {
	cr, c, err := p.creds(ctx)
	if err != nil {
		return err
	}
	typ := "in_channel"
	if r.Private {
		typ = "ephemeral"
	}
	post := Render(r, p.a.buttons(cr, channel))
	return c.Respond(ctx, responseURL, CommandResponse{ResponseType: typ, Text: post.Message, Props: post.Props, SkipSlackParsing: true})
}

// Direct posts to a person in the direct channel between them and the bot
// (POST /channels/direct with both ids, then POST /posts).
func (p platform) Direct(ctx context.Context, user string, r herald.ChatReply) (string, error) {
	cr, c, err := p.creds(ctx)
	if err != nil {
		return "", err
	}
	bot, ok := p.a.bot.Load(cr.ServerURL + "\x00" + cr.BotToken)
	if !ok {
		me, err := c.Me(ctx)
		if err != nil {
			return "", err
		}
		bot = me.ID
		p.a.bot.Store(cr.ServerURL+"\x00"+cr.BotToken, bot)
	}
	ch, err := c.DirectChannel(ctx, bot.(string), user)
	if err != nil {
		return "", err
	}
	return c.CreatePost(ctx, Render(r, p.a.buttons(cr, ch)))
}

// ChannelMention is how Mattermost links a channel: ~name.
func (platform) ChannelMention(name, id string) string { return "~" + ChannelName(name) }
