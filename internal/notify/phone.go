package notify

import (
	"context"
	"fmt"
)

// Provider sends SMS and voice calls through a provider behind a webhook:
// Herald posts {"id", "kind", "to", "text"}, signed the Standard Webhooks
// way with the provider secret, and the provider (or a small adapter to
// Twilio, Vonage, ...) does the rest. A real provider plugs in by
// implementing that one endpoint.
type Provider struct {
	URL     string
	Secret  string // whsec_...
	Webhook *Webhook
}

var _ Sender = (*Provider)(nil)

// Send implements Sender.
func (p *Provider) Send(ctx context.Context, m Message) error {
	text := m.Subject
	if m.Kind == "voice" {
		text = "Herald page. " + m.Subject + ". Open Herald to acknowledge."
	}
	// A text message carries the link (a page's is its acknowledge link)
	// whole: the subject is what is shortened to fit.
	link := ""
	if m.Kind == "sms" && m.URL != "" && len(m.URL) < 200 {
		link = " " + m.URL
	}
	if len(text)+len(link) > 320 {
		text = text[:317-len(link)] + "..."
	}
	text += link
	err := p.Webhook.Send(ctx, Message{ID: m.ID, Kind: "webhook", Target: p.URL, Secret: p.Secret, Event: m.Kind + ".send",
		Data: map[string]string{"id": m.ID, "kind": m.Kind, "to": m.Target, "text": text, "url": m.URL}})
	if err != nil {
		return fmt.Errorf("%s provider: %w", m.Kind, err)
	}
	return nil
}
