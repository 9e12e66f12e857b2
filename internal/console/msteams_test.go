package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Where a Teams channel or contact method is added, the console says which
// URL to paste and how to make the Workflow; an old connector URL is
// accepted and shown with its warning.
func TestMSTeams_ConsoleHelpAndLegacyWarning(t *testing.T) {
	const connector = "https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d"
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("admin@example.com")
		for _, path := range []string{"/app/status/subscribers", "/app/me"} {
			res, body := b.get(path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Post to a channel when a webhook request is received") {
				t.Fatalf("%s: %d, no Workflow steps", path, res.StatusCode)
			}
		}
		res, body := b.post("/app/status/subscribers/channels", url.Values{"kind": {"teams"}, "target": {connector}})
		wantRedirect(t, "add channel", res, body, "/app/status/subscribers")
		chs, err := e.db.Subscribers.StakeholderChannels(ctx)
		if err != nil || len(chs) != 1 || chs[0].Kind != "teams" || chs[0].Warning != herald.TeamsLegacyWarning {
			t.Fatalf("channels: %+v %v", chs, err)
		}
		_, body = b.get("/app/status/subscribers")
		if !strings.Contains(html.UnescapeString(body), "Warning: "+herald.TeamsLegacyWarning) {
			t.Fatalf("no warning on the channel: %s", body)
		}
		res, body = b.post("/app/me/methods", url.Values{"kind": {"teams"}, "target": {connector}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add method: %d %s", res.StatusCode, body)
		}
		_, body = b.get("/app/me")
		if !strings.Contains(html.UnescapeString(body), "Warning: "+herald.TeamsLegacyWarning) {
			t.Fatalf("no warning on the contact method: %s", body)
		}
	})
}
