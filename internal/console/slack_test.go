package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The Slack screen: an admin sees the app manifest filled with this
// server's request URLs and connects the app; the secrets are never shown
// again, a refused form keeps the rest and names the field and stores
// nothing; a viewer is refused.
func TestSlackScreen_ManifestAndConnection(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		const secret, token = "4f5e6d7c8b9a0f1e2d3c4b5a69788796", "xoxb-console-token-1234"
		e := newEnv(t, d)
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if res, _ := viewer.get("/app/settings/slack"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer opened the Slack screen: %d", res.StatusCode)
		}
		_, body := admin.get("/app/settings/slack")
		for _, want := range []string{"/api/v1/chat/slack/commands", "/api/v1/chat/slack/interactive", "/api/v1/chat/slack/events", "command: /herald", "users:read.email", "Not connected"} {
			if !strings.Contains(body, want) {
				t.Fatalf("screen lacks %q:\n%s", want, body)
			}
		}
		form := url.Values{"signing_secret": {secret}, "bot_token": {token}, "announce_channel": {"#incidents"}, "pin_reaction": {"pushpin"}}
		res, body := admin.post("/app/settings/slack", form)
		mustStatus(t, "bad channel", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "chat.slack.announce_channel") || !strings.Contains(body, "#incidents") || strings.Contains(body, secret) || strings.Contains(body, token) {
			t.Fatalf("refused form:\n%s", body)
		}
		if c, _ := e.db.Chat.Slack(context.Background()); c.Connected {
			t.Fatal("a refused form was stored")
		}
		form.Set("announce_channel", "C0INCIDENTS")
		res, body = admin.post("/app/settings/slack", form)
		mustStatus(t, "connect", res, body, http.StatusSeeOther)
		_, body = admin.get("/app/settings/slack")
		if strings.Contains(body, secret) || strings.Contains(body, token) || !strings.Contains(body, "Set (never shown again)") || !strings.Contains(body, "C0INCIDENTS") {
			t.Fatalf("after connecting:\n%s", body)
		}
		if cr, err := e.db.Chat.SlackCredentials(context.Background()); err != nil || cr.BotToken != token || cr.AnnounceChannel != "C0INCIDENTS" {
			t.Fatalf("stored: %v", err)
		}
	})
}
