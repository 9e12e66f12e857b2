package herald

import (
	"net/mail"
	"strings"
	"time"
)

// Subscriber is someone the public status page tells about incidents and
// maintenances: an e-mail address (after double opt-in), a webhook, or a
// Slack or Teams incoming webhook, for all components or some.
type Subscriber struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind" enum:"subscriber_kind"`
	Target      string     `json:"target" doc:"The e-mail address; for a webhook, Slack or Teams subscriber its URL masked, to everyone including admins: scheme and host, then the last 4 characters (https://hooks.slack.com/…/a1b2). The URL is stored encrypted and never shown again in full; to change it, subscribe the new URL."`
	Components  []string   `json:"components"` // empty: all
	Confirmed   bool       `json:"confirmed"`
	Paused      bool       `json:"paused"` // deliveries kept failing
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
	// Secret is a webhook subscriber's signing secret, in the answer that
	// creates it only.
	Secret string `json:"secret,omitempty"`
	// Tenant is set on a subscriber of a tenant's private page (its id):
	// it hears only of that tenant's incidents and maintenances.
	Tenant string `json:"tenant,omitempty"`
	// Warning is what the admin should fix: a Teams URL of an old Office
	// 365 connector (TeamsLegacyWarning).
	Warning string `json:"warning,omitempty"`
}

// SubscriberInput subscribes one address or endpoint. Exactly one of
// Email, WebhookURL, SlackURL, TeamsURL and MattermostURL is set.
type SubscriberInput struct {
	Email      string `json:"email,omitempty"`
	WebhookURL string `json:"webhook_url,omitempty"`
	SlackURL   string `json:"slack_url,omitempty"`
	TeamsURL   string `json:"teams_url,omitempty"`
	// MattermostURL is a Mattermost incoming webhook's URL.
	MattermostURL string   `json:"mattermost_url,omitempty"`
	Components    []string `json:"components,omitempty"`
	// Confirmed lets an admin add an e-mail subscriber without opt-in (an
	// import of addresses that opted in elsewhere).
	Confirmed bool `json:"confirmed,omitempty"`
}

// Normalize validates the input and returns its kind and target.
func (in *SubscriberInput) Normalize() (kind, target string, err error) {
	fe := FieldErrors{}
	set := 0
	for _, c := range []struct{ kind, v string }{{"email", in.Email}, {"webhook", in.WebhookURL}, {"slack", in.SlackURL}, {"teams", in.TeamsURL}, {"mattermost", in.MattermostURL}} {
		if strings.TrimSpace(c.v) != "" {
			set++
			kind, target = c.kind, strings.TrimSpace(c.v)
		}
	}
	switch {
	case set == 0:
		fe.Add("email", "give an e-mail address, or a webhook_url, slack_url, teams_url or mattermost_url")
	case set > 1:
		fe.Add("email", "give only one of email, webhook_url, slack_url, teams_url, mattermost_url")
	case kind == "email":
		target = strings.ToLower(target)
		if a, err := mail.ParseAddress(target); err != nil || a.Address != target || len(target) > 254 {
			fe.Add("email", "must be a plain e-mail address like ada@example.com")
		}
	default:
		if err := CheckLink(target); err != nil {
			fe.Add(kind+"_url", "must be an http or https URL")
		} else if MaskedURL(target) {
			fe.Add(kind+"_url", "is a masked URL, as Herald shows it: give the full URL")
		}
	}
	in.Components = normalizeNames(fe, "components", in.Components)
	return kind, target, fe.Err()
}
