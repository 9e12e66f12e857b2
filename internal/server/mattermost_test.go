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
	"github.com/heraldhq/herald/internal/mattermost"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// chat.mattermost through the API: admins only; each bad field named and
// nothing stored; the tokens stored encrypted and never returned; the URLs
// to give Mattermost filled with this server's address; the integration's
// URLs served, refusing a request without the token; DELETE forgets it.
func TestMattermostConnectionThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		app := &mattermost.App{Exec: &chatops.Executor{Services: db.Services()}, Store: db.Chat, Now: clock.Now}
		e := serve(t, db, clock, func(c *Config) { c.Mattermost = app })
		ctx := context.Background()
		team, announce := "abcdefghij0123456789abcdef", "zyxwvutsrq0123456789abcdef"
		in := herald.MattermostInput{ServerURL: "https://mm.example.com/", BotToken: "botsecrettoken123456", CommandTokens: []string{"cmdsecrettoken1234567"},
			WebhookToken: "hooksecrettoken123456", TeamID: team, AnnounceChannel: announce}
		responder := e.token(t, "Rhea", herald.RoleResponder)
		if _, err := responder.Chat.ConnectMattermost(ctx, in); code(err) != "forbidden" {
			t.Fatalf("a responder connected Mattermost: %v", err)
		}
		_, err := e.admin.Chat.ConnectMattermost(ctx, herald.MattermostInput{ServerURL: "mattermost", BotToken: "has space", CommandTokens: []string{"x"}, WebhookToken: "bad token", TeamID: "ops", AnnounceChannel: "~incidents"})
		ce, _ := err.(*client.Error)
		if ce == nil || ce.Status != 400 {
			t.Fatalf("bad input: %v", err)
		}
		for _, f := range []string{"server_url", "bot_token", "command_tokens", "webhook_token", "team_id", "announce_channel"} {
			if ce.Fields["chat.mattermost."+f] == "" {
				t.Errorf("field %s not named: %+v", f, ce.Fields)
			}
		}
		if _, err := e.admin.Chat.ConnectMattermost(ctx, herald.MattermostInput{ServerURL: "https://mm.example.com", TeamID: team}); code(err) != "invalid" {
			t.Fatalf("connected without tokens: %v", err)
		}
		if got, err := e.admin.Chat.Mattermost(ctx); err != nil || got.Connected || got.ServerURL != "" {
			t.Fatalf("refused input was stored: %+v %v", got, err)
		}
		got, err := e.admin.Chat.ConnectMattermost(ctx, in)
		if err != nil || !got.Connected || !got.BotTokenSet || got.CommandTokens != 1 || !got.WebhookTokenSet || got.ServerURL != "https://mm.example.com" ||
			got.CommandsURL != "http://herald.test"+mattermost.CommandsPath || got.ActionsURL != "http://herald.test"+mattermost.ActionsPath {
			t.Fatalf("connect: %+v %v", got, err)
		}
		key := func() string {
			cr, err := db.Chat.MattermostCredentials(ctx)
			if err != nil || cr.BotToken != in.BotToken || cr.WebhookToken != in.WebhookToken || len(cr.CommandTokens) != 1 || len(cr.ButtonKey) < 40 {
				t.Fatalf("credentials: %v", err)
			}
			if s := cr.String() + " " + strings.TrimSpace(cr.GoString()); strings.Contains(s, "secrettoken") || strings.Contains(s, cr.ButtonKey) {
				t.Fatalf("printed: %s", s)
			}
			return cr.ButtonKey
		}
		k1 := key()
		// Saving again without the tokens keeps them, and the button key.
		in2 := herald.MattermostInput{ServerURL: in.ServerURL, TeamID: team}
		if got, err = e.admin.Chat.ConnectMattermost(ctx, in2); err != nil || !got.Connected || got.AnnounceChannel != "" {
			t.Fatalf("save without tokens: %+v %v", got, err)
		}
		if key() != k1 {
			t.Fatal("the button key changed on a save")
		}
		for _, path := range []string{"/api/v1/chat/mattermost", "/api/v1/config"} {
			req, _ := http.NewRequest("GET", e.http.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+adminSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, s := range []string{"botsecrettoken", "cmdsecrettoken", "hooksecrettoken", k1} {
				if strings.Contains(string(body), s) {
					t.Fatalf("GET %s shows a secret: %s", path, body)
				}
			}
		}
		for _, p := range []string{mattermost.CommandsPath, mattermost.WebhookPath, mattermost.ActionsPath} {
			resp, _ := e.raw(t, "POST", p, "", "application/x-www-form-urlencoded", "text=help&user_id=U1&team_id="+team)
			if resp.StatusCode != 401 && !(p == mattermost.ActionsPath && resp.StatusCode == 400) {
				t.Fatalf("%s without a token: %d", p, resp.StatusCode)
			}
		}
		if err := responder.Chat.DisconnectMattermost(ctx); code(err) != "forbidden" {
			t.Fatalf("a responder disconnected: %v", err)
		}
		if err := e.admin.Chat.DisconnectMattermost(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Chat.MattermostCredentials(ctx); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("after disconnecting: %v", err)
		}
		if resp, _ := e.raw(t, "POST", mattermost.CommandsPath, "", "application/x-www-form-urlencoded", "token=cmdsecrettoken1234567&team_id="+team); resp.StatusCode != 503 {
			t.Fatalf("disconnected: %d", resp.StatusCode)
		}
	})
}
