package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The Mattermost screen: an admin sees the setup steps with this server's
// URLs and connects; the tokens are never shown again, a refused form
// keeps the rest, names the field and stores nothing; disconnecting
// forgets the tokens; a viewer is refused.
func TestMattermostScreen_StepsAndConnection(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		const bot, cmd, hook = "botconsoletoken123456", "cmdconsoletoken123456", "hookconsoletoken12345"
		team := "abcdefghij0123456789abcdef"
		e := newEnv(t, d)
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if res, _ := viewer.get("/app/settings/mattermost"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer opened the Mattermost screen: %d", res.StatusCode)
		}
		_, body := admin.get("/app/settings/mattermost")
		for _, want := range []string{"/api/v1/chat/mattermost/commands", "/api/v1/chat/mattermost/webhook", "/api/v1/chat/mattermost/actions", "<code>Decision:</code>",
			"Add Bot Account", "Enable Custom Slash Commands", "Not connected"} {
			if !strings.Contains(body, want) {
				t.Fatalf("screen lacks %q:\n%s", want, body)
			}
		}
		form := url.Values{"server_url": {"https://mm.example.com"}, "team_id": {"ops"}, "bot_token": {bot}, "command_tokens": {cmd}, "webhook_token": {hook}}
		res, body := admin.post("/app/settings/mattermost", form)
		mustStatus(t, "bad team", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "chat.mattermost.team_id") || !strings.Contains(body, "https://mm.example.com") || strings.Contains(body, bot) || strings.Contains(body, cmd) || strings.Contains(body, hook) {
			t.Fatalf("refused form:\n%s", body)
		}
		if c, _ := e.db.Chat.Mattermost(context.Background()); c.Connected || c.ServerURL != "" {
			t.Fatal("a refused form was stored")
		}
		form.Set("team_id", team)
		res, body = admin.post("/app/settings/mattermost", form)
		mustStatus(t, "connect", res, body, http.StatusSeeOther)
		_, body = admin.get("/app/settings/mattermost")
		if strings.Contains(body, bot) || strings.Contains(body, cmd) || strings.Contains(body, hook) || !strings.Contains(body, "Set (never shown again)") || !strings.Contains(body, team) {
			t.Fatalf("after connecting:\n%s", body)
		}
		if cr, err := e.db.Chat.MattermostCredentials(context.Background()); err != nil || cr.BotToken != bot || cr.CommandTokens[0] != cmd || cr.WebhookToken != hook {
			t.Fatalf("stored: %v", err)
		}
		res, body = admin.post("/app/settings/mattermost/disconnect", url.Values{})
		mustStatus(t, "disconnect", res, body, http.StatusSeeOther)
		if _, err := e.db.Chat.MattermostCredentials(context.Background()); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("after disconnecting: %v", err)
		}
		if res, _ := viewer.post("/app/settings/mattermost/disconnect", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer disconnected: %d", res.StatusCode)
		}
	})
}
