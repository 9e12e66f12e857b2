package chatops

import (
	"context"

	"github.com/heraldhq/herald"
)

// Restrictions is what decides R46 for a reply (the store's chat lane).
type Restrictions interface {
	ChatRestriction(ctx context.Context, incident string) (*herald.Restriction, error)
}

// RestrictReply is a reply as it may be written straight to a platform,
// outside the chat lane (a slash command's immediate answer): about an
// incident of a FedRAMP tenant (R46), only its reference and console
// link, as the lane restricts what it sends (herald.RestrictChat). When
// that cannot be decided, the reply is withheld the same way: the
// details stay in Herald.
func RestrictReply(ctx context.Context, rs Restrictions, reply herald.ChatReply) herald.ChatReply {
	if reply.Incident == "" {
		return reply
	}
	r, err := rs.ChatRestriction(ctx, reply.Incident)
	if err != nil {
		return herald.ChatReply{Text: reply.Incident + ": Herald could not check whether its details may be shown here; read it in Herald.",
			Incident: reply.Incident, Link: reply.Link, Private: true}
	}
	if r == nil {
		return reply
	}
	return herald.RestrictChat(herald.ChatMessage{Reply: reply}, *r).Reply
}
