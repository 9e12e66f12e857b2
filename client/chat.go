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
