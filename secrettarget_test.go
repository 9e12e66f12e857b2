package herald

import (
	"strings"
	"testing"
)

func TestMaskURL_ShowsSchemeHostAndLastFour(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://hooks.slack.com/services/T000/B000/XXXXa1b2", "https://hooks.slack.com/…/a1b2"},
		{"https://example.com:8443/hook?token=s3cr3tZZZZ", "https://example.com:8443/…/ZZZZ"},
		{"https://user:pa55@example.com/hooks/abcdefgh1234", "https://example.com/…/1234"},
		{"https://example.com/x", "https://example.com/…"},
		{"https://example.com", "https://example.com/…"},
		{"https://hooks.slack.com/…/a1b2", "https://hooks.slack.com/…/a1b2"},
		{"https://example.com/…", "https://example.com/…"},
		{"not a url at all, long enough", "••••ough"},
	} {
		if got := MaskURL(c.in); got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := MaskURL(MaskURL(c.in)); got != MaskURL(c.in) {
			t.Errorf("MaskURL is not idempotent on %q: %q", c.in, got)
		}
	}
}

func TestSecretTarget_OnlyURLsAreSecret(t *testing.T) {
	for _, c := range []struct {
		kind, target string
		want         bool
	}{
		{"webhook", "https://example.com/h", true},
		{"teams", "https://x.logic.azure.com/workflows/1", true},
		{"slack", "https://hooks.slack.com/services/T/B/X", true},
		{"slack", "U0123ABCD", false},
		{"mattermost", "https://chat.example.org/hooks/xq9abcdefg", true},
		{"email", "ada@example.com", false},
		{"sms", "+15551234567", false},
		{"voice", "+15551234567", false},
	} {
		if got := SecretTarget(c.kind, c.target); got != c.want {
			t.Errorf("SecretTarget(%q, %q) = %v", c.kind, c.target, got)
		}
	}
	if got := ShownTarget("email", "ada@example.com"); got != "ada@example.com" {
		t.Errorf("an e-mail address is shown whole: %q", got)
	}
}

func TestRedactTarget_LeavesNoPartOfTheURL(t *testing.T) {
	const u = "https://hooks.slack.com/services/T000/B000/XXXXa1b2?x=secretq"
	for _, text := range []string{
		`Post "` + u + `": dial tcp 127.0.0.1:1: connect: connection refused`,
		`GET /services/T000/B000/XXXXa1b2?x=secretq failed`,
		`path /services/T000/B000/XXXXa1b2 and query x=secretq`,
	} {
		got := RedactTarget(text, "slack", u)
		for _, part := range []string{"/services/T000", "XXXX", "secretq"} {
			if strings.Contains(got, part) {
				t.Errorf("RedactTarget(%q) = %q: still has %q", text, got, part)
			}
		}
	}
	if got := RedactTarget("to ada@example.com", "email", "ada@example.com"); got != "to ada@example.com" {
		t.Errorf("an e-mail address is no secret: %q", got)
	}
}

// TestMaskedURL_IsRefusedWhereAURLIsGiven: a masked URL given back (from
// an export, a copied answer) would post nowhere; it is refused, naming
// the field.
func TestMaskedURL_IsRefusedWhereAURLIsGiven(t *testing.T) {
	masked := MaskURL("https://hooks.slack.com/services/T0/B0/XXXXa1b2")
	cm := ContactMethodInput{Kind: "slack", Target: masked}
	if err := cm.Normalize(); err == nil || !strings.Contains(err.Error(), "masked") {
		t.Errorf("a masked contact method URL: %v", err)
	}
	sub := SubscriberInput{SlackURL: masked}
	if _, _, err := sub.Normalize(); err == nil || !strings.Contains(err.Error(), "masked") {
		t.Errorf("a masked subscriber URL: %v", err)
	}
	full := ContactMethodInput{Kind: "slack", Target: "https://hooks.slack.com/services/T0/B0/XXXXa1b2"}
	if err := full.Normalize(); err != nil {
		t.Errorf("the full URL: %v", err)
	}
}
