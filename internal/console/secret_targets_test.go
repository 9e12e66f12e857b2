package console_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestSecretTargets_ConsoleShowsURLsOnlyMasked: a Slack URL a person adds
// as their contact method, a webhook's, and a stakeholder channel's URL are
// shown masked from the moment they are saved: on the redirect, on the
// person's own page, the one-time secret page and an admin's view of the
// person, and on the subscribers screen; no answer carries the secret
// path.
func TestSecretTargets_ConsoleShowsURLsOnlyMasked(t *testing.T) {
	const slackURL = "https://hooks.slack.com/services/T00/B00/CONSOLESLACKSECRET7"
	const hookURL = "https://hooks.example.com/in/CONSOLEHOOKSECRET8"
	const chanURL = "https://hooks.slack.com/services/T00/B00/CONSOLECHANSECRET9"
	secrets := []string{"CONSOLESLACKSECRET", "CONSOLEHOOKSECRET", "CONSOLECHANSECRET"}
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		me := e.browser(t)
		me.signIn("responder@example.com")
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		var seen []string
		see := func(what string, res *http.Response, body string) {
			seen = append(seen, what+": "+res.Header.Get("Location")+"\n"+html.UnescapeString(body))
		}

		res, body := me.post("/app/me/methods", url.Values{"kind": {"slack"}, "target": {slackURL}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add the Slack method: %d %s", res.StatusCode, body)
		}
		see("add Slack", res, body)
		res, body = me.post("/app/me/methods", url.Values{"kind": {"webhook"}, "target": {hookURL}})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("add the webhook method: %d %s", res.StatusCode, body)
		}
		see("add webhook", res, body)
		res, body = me.get("/app/me")
		see("own page", res, body)
		if !strings.Contains(html.UnescapeString(body), herald.MaskURL(slackURL)) || !strings.Contains(html.UnescapeString(body), herald.MaskURL(hookURL)) {
			t.Errorf("the person's page does not show the masked URLs:\n%s", body)
		}
		res, body = admin.get("/app/people/" + e.people[herald.RoleResponder].ID)
		see("admin's view", res, body)
		if !strings.Contains(html.UnescapeString(body), herald.MaskURL(slackURL)) {
			t.Errorf("the admin's view does not show the masked URL:\n%s", body)
		}

		res, body = admin.post("/app/status/subscribers/channels", url.Values{"kind": {"slack"}, "target": {chanURL}})
		wantRedirect(t, "add channel", res, body, "/app/status/subscribers")
		see("add channel", res, body)
		res, body = admin.get("/app/status/subscribers")
		see("subscribers", res, body)
		if !strings.Contains(html.UnescapeString(body), herald.MaskURL(chanURL)) {
			t.Errorf("the subscribers screen does not show the masked channel:\n%s", body)
		}
		for _, s := range secrets {
			for _, page := range seen {
				if strings.Contains(page, s) {
					t.Errorf("%s is shown:\n%s", s, page)
				}
			}
		}
	})
}
