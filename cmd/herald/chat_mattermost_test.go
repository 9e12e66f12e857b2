package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// herald chat mattermost connect|show|disconnect: tokens from the
// environment only and never printed; flags not given keep their values;
// a bad field is named; the running server answers Mattermost's slash
// command URL (401 without the token, 503 once disconnected).
func TestCLI_ChatMattermost(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	env := map[string]string{"HERALD_SERVER": srv, "HERALD_TOKEN": testAdminToken,
		"HERALD_MATTERMOST_BOT_TOKEN": "botsecrettoken123456", "HERALD_MATTERMOST_COMMAND_TOKENS": "cmdsecrettoken1234567,oldsecrettoken7654321",
		"HERALD_MATTERMOST_WEBHOOK_TOKEN": "hooksecrettoken123456"}
	run1 := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	team := "abcdefghij0123456789abcdef"
	if out, err := run1("chat", "mattermost", "connect", "--server-url", "ftp://mm", "--team", "ops"); err == nil || !strings.Contains(out+err.Error(), "chat.mattermost.server_url") {
		t.Fatalf("bad input: %v %s", err, out)
	}
	out, err := run1("chat", "mattermost", "connect", "--server-url", "https://mm.example.com", "--team", team, "--announce-channel", "zyxwvutsrq0123456789abcdef")
	if err != nil || !strings.Contains(out, "yes") || !strings.Contains(out, "2 set (hidden)") || !strings.Contains(out, "/api/v1/chat/mattermost/commands") {
		t.Fatalf("connect: %v\n%s", err, out)
	}
	delete(env, "HERALD_MATTERMOST_BOT_TOKEN")
	out, err = run1("chat", "mattermost", "connect", "--announce-channel", "none")
	if err != nil || !strings.Contains(out, "https://mm.example.com") || !strings.Contains(out, team) || strings.Contains(out, "zyxwvutsrq") {
		t.Fatalf("connect again: %v\n%s", err, out)
	}
	out, err = run1("chat", "mattermost", "show", "-o", "json")
	if err != nil || !strings.Contains(out, `"bot_token_set": true`) {
		t.Fatalf("show: %v\n%s", err, out)
	}
	for _, s := range []string{"botsecrettoken", "cmdsecrettoken", "hooksecrettoken"} {
		if strings.Contains(out, s) {
			t.Fatalf("show printed a token: %s", out)
		}
	}
	resp, err := http.Post(srv+"/api/v1/chat/mattermost/commands", "application/x-www-form-urlencoded", strings.NewReader("team_id="+team+"&user_id=u&text=help"))
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("without the token: %v %v", resp, err)
	}
	if out, err := run1("chat", "mattermost", "disconnect"); err != nil || !strings.Contains(out, "disconnected") {
		t.Fatalf("disconnect: %v %s", err, out)
	}
	resp, err = http.Post(srv+"/api/v1/chat/mattermost/commands", "application/x-www-form-urlencoded", strings.NewReader("token=cmdsecrettoken1234567&team_id="+team+"&user_id=u&text=help"))
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("disconnected: %v %v", resp, err)
	}
}
