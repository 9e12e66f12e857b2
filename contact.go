package herald

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

var phoneRE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ContactMethod is one way to reach a person.
type ContactMethod struct {
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	Kind     string `json:"kind" enum:"contact_kind"` // email, webhook, slack, teams, sms, voice
	Target   string `json:"target" doc:"The e-mail address, phone number or Slack member id. A webhook, Slack or Teams URL is stored encrypted and shown only masked, to everyone including admins and its owner: scheme and host, then the last 4 characters (https://hooks.slack.com/…/a1b2). To change it, add the method again with the new URL."`
	Failures int    `json:"failures"`
	// Failing is set after deliveries to it kept failing; the person's other
	// methods take over, and it clears on the next success.
	Failing   bool      `json:"failing"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is the webhook signing secret, in the answer that creates a
	// webhook method only.
	Secret string `json:"secret,omitempty"`
	// Warning is what the admin should fix: a Teams URL of an old Office
	// 365 connector (TeamsLegacyWarning).
	Warning string `json:"warning,omitempty"`
}

// ContactMethodInput adds a contact method.
type ContactMethodInput struct {
	Kind   string `json:"kind" required:"true" enum:"contact_kind"`
	Target string `json:"target" required:"true" doc:"The e-mail address, phone number (+15551234567), Slack member id, or webhook, Slack or Teams URL. A URL is stored encrypted and never shown again in full; answers carry it masked."`
}

// Normalize validates the method.
func (in *ContactMethodInput) Normalize() error {
	fe := FieldErrors{}
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	in.Target = strings.TrimSpace(in.Target)
	switch in.Kind {
	case "email":
		if a, err := mail.ParseAddress(in.Target); err != nil || a.Address != in.Target {
			fe.Add("target", "must be a plain e-mail address")
		}
	case "slack":
		// An incoming webhook's URL, or a member id: a direct message from
		// Herald's Slack app (R07).
		if !SlackMemberID(in.Target) && CheckLink(in.Target) != nil {
			fe.Add("target", "must be a Slack member id like U0123ABCD (a direct message from Herald's Slack app) or an incoming webhook's https URL")
		}
	case "webhook", "teams", "mattermost":
		if err := CheckLink(in.Target); err != nil {
			fe.Add("target", "must be an http or https URL")
		}
	case "sms", "voice":
		in.Target = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(in.Target)
		if !phoneRE.MatchString(in.Target) {
			fe.Add("target", "must be a phone number in international form, like +15551234567")
		}
	default:
		fe.Add("kind", "must be email, webhook, slack, teams, mattermost, sms or voice")
	}
	if SecretTarget(in.Kind, in.Target) && MaskedURL(in.Target) {
		fe.Add("target", "is a masked URL, as Herald shows it: give the full URL")
	}
	return fe.Err()
}

// NotificationRule says when a contact method is used after a page reaches
// the person: at once, or after a delay while still unacknowledged.
type NotificationRule struct {
	ID              string `json:"id"`
	UserID          string `json:"user_id"`
	ContactMethodID string `json:"contact_method_id"`
	DelayMinutes    int    `json:"delay_minutes"`
}
