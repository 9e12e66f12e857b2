package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// Channels lists the chat channels bound to an incident.
func (c *ChatClient) Channels(ctx context.Context, ref string) ([]herald.ChatChannel, error) {
	var out struct {
		Channels []herald.ChatChannel `json:"channels"`
	}
	return out.Channels, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/chat-channels", nil, &out)
}

// Bind binds an existing chat channel to an incident: its card is posted
// there and kept up to date.
func (c *ChatClient) Bind(ctx context.Context, ref string, in herald.ChatChannelInput) (herald.ChatChannel, error) {
	var out herald.ChatChannel
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/chat-channels", in, &out)
}

// Unbind unbinds a chat channel from an incident.
func (c *ChatClient) Unbind(ctx context.Context, ref, platform, channel string) error {
	return c.do(ctx, "DELETE", "/api/v1/incidents/"+esc(ref)+"/chat-channels/"+esc(platform)+"/"+esc(channel), nil, nil)
}
