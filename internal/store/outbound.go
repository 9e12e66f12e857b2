package store

import (
	"context"
	"net/url"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
)

// checkOutbound refuses a URL that Herald would deliver to (a webhook or
// chat contact method, stakeholder channel or subscriber) when its literal
// or resolved address is internal, naming the field; e-mail addresses and
// phone numbers pass. The same policy (notify.CheckAddr) applies again when
// each delivery dials, so a name that resolves elsewhere later is caught
// there. Config.WebhookAllowPrivate turns it off.
func (db *core) checkOutbound(ctx context.Context, kind, field, target string) error {
	return db.checkOutboundCached(ctx, kind, field, target, nil)
}

// checkOutboundCached is checkOutbound remembering each host's verdict in
// seen (when not nil), so an import of many URLs on one host resolves it
// once.
func (db *core) checkOutboundCached(ctx context.Context, kind, field, target string, seen map[string]error) error {
	switch kind {
	case "webhook", "slack", "teams", "mattermost":
	default:
		return nil
	}
	if kind == "teams" && !db.allowPrivate {
		// A Teams channel is reached only through Microsoft's hosts; a
		// test receiver on a private address needs WebhookAllowPrivate.
		if _, err := herald.CheckTeamsURL(target); err != nil {
			msg := err.(*herald.Error).Message
			return &herald.Error{Code: herald.EInvalid, Message: field + ": " + msg, Fields: map[string]string{field: msg}}
		}
	}
	host := target
	if u, err := url.Parse(target); err == nil {
		host = u.Host
	}
	err, ok := seen[host]
	if !ok {
		err = notify.CheckURL(ctx, target, db.allowPrivate)
		if seen != nil {
			seen[host] = err
		}
	}
	if err != nil {
		return &herald.Error{Code: herald.EUnprocessable, Message: field + ": " + err.Error(), Fields: map[string]string{field: err.Error()}}
	}
	return nil
}

// subscriberField is the input field that carries a subscriber's target.
func subscriberField(kind string) string {
	switch kind {
	case "webhook", "slack", "teams", "mattermost":
		return kind + "_url"
	}
	return kind
}
