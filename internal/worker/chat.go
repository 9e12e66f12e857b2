package worker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// ChatSender sends chat lane messages to one platform (internal/slack). It
// answers what the message made there (a message id, a channel id); a
// *herald.ChatRateLimited error makes the row wait without counting.
type ChatSender interface {
	SendChat(ctx context.Context, m herald.ChatMessage) (string, error)
}

// ChatFlow keeps one connected platform's incident cards up to date
// (chatflow.Flow): it renders again, and queues on the chat lane, the
// cards whose incident changed since they were rendered.
type ChatFlow interface {
	RefreshCards(ctx context.Context) error
	// OpenChannels opens the channels of incidents declared outside chat
	// that the settings give one (R01).
	OpenChannels(ctx context.Context) error
}

// refreshCards looks, on every platform with a flow, for the incident
// cards to render again: whatever changed the incident (the console, the
// API, the playbook, an acknowledged page), its card follows within a
// tick. The state is in the database, so this is safe on several
// instances and after a restart.
func (w *Worker) refreshCards(ctx context.Context) (bool, error) {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(w.Flows)) {
		if err := w.Flows[name].OpenChannels(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: opening channels: %w", name, err))
		}
		if err := w.Flows[name].RefreshCards(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return false, errors.Join(errs...)
}

// chatTimeout bounds one chat message.
const chatTimeout = 10 * time.Second

// deliverChat sends the next due chat message, if any: restricted to the
// reference and link for a FedRAMP tenant (R46), like every other channel.
// The practice guard has already held back a practice's (store claim).
func (w *Worker) deliverChat(ctx context.Context) (bool, error) {
	o, err := w.Work.Claim(ctx, store.LaneChat)
	if err != nil || o == nil {
		return false, err
	}
	res := store.Result{Err: o.Err}
	if o.Err == nil {
		m := o.Chat.ChatMessage
		if o.Restricted != nil {
			m = herald.RestrictChat(m, *o.Restricted)
		}
		sender := w.Chat[m.Platform]
		if sender == nil {
			res.Err = errNoChatSender(m.Platform)
		} else {
			sctx, cancel := context.WithTimeout(ctx, chatTimeout)
			res.Value, res.Err = sender.SendChat(sctx, m)
			cancel()
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if res.Err != nil {
		w.Log.Warn("chat message failed", "platform", o.Kind, "attempt", o.Attempt, "err", res.Err)
	}
	w.metrics.attempt(o, res.Err)
	return true, w.Work.Complete(ctx, o, res)
}

type errNoChatSender string

func (e errNoChatSender) Error() string {
	return string(e) + " is not connected: nothing sends its chat messages"
}
