// Package notify delivers notifications: signed webhooks, Slack- and
// Teams-compatible chat webhooks, and e-mail over SMTP. Every sender has one
// method, and an error from it means "try again later": the caller keeps
// the delivery and retries with backoff.
package notify

import (
	"context"
	"fmt"
	"regexp"
)

// slackMemberRE is a Slack member id (herald.SlackMemberID): such a
// Slack target is a direct message, not an incoming webhook.
var slackMemberRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// Message is one notification to one contact method.
type Message struct {
	// ID is the delivery's idempotency key: the same on every attempt, so a
	// receiver can drop a repeat after a retry.
	ID                 string
	Kind               string // email, webhook, slack, teams, mattermost
	Target             string // address or URL
	Secret             string // webhook signing secret ("whsec_..."), if any
	Event              string // for example "page.triggered"
	Subject, Text, URL string
	// Data is the machine-readable body of a webhook.
	Data any
	// Headers are extra e-mail headers (List-Unsubscribe); a Message-ID
	// given here replaces the one made from ID.
	Headers map[string]string
	// Cc are e-mail addresses copied on the mail (a tenant's other
	// operational addresses and its account manager).
	Cc []string
	// Facts and Links are a Teams card's FactSet and buttons (teams.go).
	Facts []Fact
	Links []Link
}

// Sender delivers a message. An error means the delivery should be tried
// again; it must not have been (fully) delivered.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Router sends each message with the sender for its kind.
type Router struct {
	Webhook *Webhook
	Email   *SMTP     // nil when no SMTP server is configured
	Phone   *Provider // SMS and voice; nil when no provider is configured
	// EmailRate spaces e-mail to the SMTP server; ChatRate spaces messages
	// to each Slack or Teams webhook URL. Nil: no limit.
	EmailRate, ChatRate *Limiter
	// SlackDM sends a Slack contact method whose target is a member id as
	// a direct message from Herald's Slack app (internal/slack.DM); nil:
	// Slack is not wired in.
	SlackDM Sender
}

var _ Sender = (*Router)(nil)

// Send implements Sender.
func (r *Router) Send(ctx context.Context, m Message) error {
	switch {
	case m.Kind == "email" && r.EmailRate != nil:
		if err := r.EmailRate.Wait(ctx, "smtp"); err != nil {
			return err
		}
	case (m.Kind == "slack" || m.Kind == "teams" || m.Kind == "mattermost") && r.ChatRate != nil:
		if err := r.ChatRate.Wait(ctx, m.Target); err != nil {
			return err
		}
	}
	switch m.Kind {
	case "slack":
		if slackMemberRE.MatchString(m.Target) {
			if r.SlackDM == nil {
				return fmt.Errorf("a Slack direct message needs Herald's Slack app, which this server does not run")
			}
			return r.SlackDM.Send(ctx, m)
		}
		return r.Webhook.Send(ctx, m)
	case "webhook", "teams", "mattermost":
		return r.Webhook.Send(ctx, m)
	case "email":
		if r.Email == nil {
			return fmt.Errorf("no SMTP server is configured (--smtp-url)")
		}
		return r.Email.Send(ctx, m)
	case "sms", "voice":
		if r.Phone == nil {
			return fmt.Errorf("no SMS and voice provider is configured (--phone-provider-url)")
		}
		return r.Phone.Send(ctx, m)
	}
	return fmt.Errorf("unknown contact method kind %q", m.Kind)
}
