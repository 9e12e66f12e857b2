package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const slackSecretForTest = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

// chat.slack through the API: admins only; each bad field named and
// nothing stored; the secrets stored encrypted and never returned; the
// manifest filled with this server's URLs; the request URLs served and
// refusing an unsigned request.
func TestSlackConnectionThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		app := &slack.App{Exec: &chatops.Executor{Services: db.Services()}, Store: db.Chat, Now: clock.Now}
		e := serve(t, db, clock, func(c *Config) { c.Slack = app })
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		in := herald.SlackInput{SigningSecret: slackSecretForTest, BotToken: "xoxb-1-2-secret", AnnounceChannel: "C0INCIDENTS"}
		if _, err := responder.Chat.ConnectSlack(ctx, in); code(err) != "forbidden" {
			t.Fatalf("a responder connected Slack: %v", err)
		}
		_, err := e.admin.Chat.ConnectSlack(ctx, herald.SlackInput{SigningSecret: "has space", BotToken: "xoxp-user-token", AnnounceChannel: "#incidents", PinReaction: "no way"})
		ce, _ := err.(*client.Error)
		if ce == nil || ce.Status != 400 || ce.Fields["chat.slack.signing_secret"] == "" || ce.Fields["chat.slack.bot_token"] == "" ||
			ce.Fields["chat.slack.announce_channel"] == "" || ce.Fields["chat.slack.pin_reaction"] == "" {
			t.Fatalf("bad input: %v", err)
		}
		if _, err := e.admin.Chat.ConnectSlack(ctx, herald.SlackInput{AnnounceChannel: "C0INCIDENTS"}); code(err) != "invalid" {
			t.Fatalf("connected without secrets: %v", err)
		}
		if got, err := e.admin.Chat.Slack(ctx); err != nil || got.Connected || got.PinReaction != "pushpin" {
			t.Fatalf("refused input was stored: %+v %v", got, err)
		}
		got, err := e.admin.Chat.ConnectSlack(ctx, in)
		if err != nil || !got.Connected || !got.SigningSecretSet || !got.BotTokenSet || got.AnnounceChannel != "C0INCIDENTS" || got.PinReaction != "pushpin" {
			t.Fatalf("connect: %+v %v", got, err)
		}
		// Saving again without the secrets keeps them.
		if got, err = e.admin.Chat.ConnectSlack(ctx, herald.SlackInput{AnnounceChannel: "C0OTHER", PinReaction: ":white_check_mark:"}); err != nil || !got.Connected || got.PinReaction != "white_check_mark" {
			t.Fatalf("save without secrets: %+v %v", got, err)
		}
		if cr, err := db.Chat.SlackCredentials(ctx); err != nil || cr.SigningSecret != slackSecretForTest || cr.BotToken != "xoxb-1-2-secret" || strings.Contains(cr.String(), "secret") && strings.Contains(cr.String(), slackSecretForTest) {
			t.Fatalf("credentials: %v", err)
		}
		for _, path := range []string{"/api/v1/chat/slack", "/api/v1/config"} {
			req, _ := http.NewRequest("GET", e.http.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+adminSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), slackSecretForTest) || strings.Contains(string(body), "xoxb-1-2-secret") {
				t.Fatalf("GET %s shows a secret: %s", path, body)
			}
			if path == "/api/v1/chat/slack" && !strings.Contains(string(body), "http://herald.test/api/v1/chat/slack/commands") {
				t.Fatalf("manifest: %s", body)
			}
		}
		// The request URLs are served, verified by the signature.
		for _, p := range []string{slack.CommandsPath, slack.InteractivePath, slack.EventsPath} {
			resp, _ := e.raw(t, "POST", p, "", "application/x-www-form-urlencoded", "text=help&user_id=U1")
			if resp.StatusCode != 401 {
				t.Fatalf("%s unsigned: %d", p, resp.StatusCode)
			}
		}
	})
}
