package mattermost_test

// No Mattermost server can run here (the Go module proxy refuses its
// server module; Debian and npm have no Mattermost server), so these tests
// run Herald against mmtest, a server reproducing Mattermost's documented
// REST API v4 routes Herald calls, the requests Mattermost makes (slash
// command, button press, outgoing webhook, response URL, incoming
// webhook) and its limits.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/mattermost"
	"github.com/heraldhq/herald/internal/mattermost/mmtest"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	cmdToken  = "xr3j5x3p1pfpdmk8o1bnpah8mr"
	hookToken = "6dq9ezbe3fgsj8d4xjbfuikc4c"
)

type env struct {
	ctx   context.Context
	clock *testdb.Clock
	db    *store.DB
	app   *mattermost.App
	mm    *mmtest.Server
	srv   *httptest.Server
	alice herald.Actor
	// Mattermost users: alice and bob with verified addresses, carol
	// unverified; the town square and the incident-management channel.
	mmAlice, mmBob, mmCarol, mmVera, town, announce string
}

func setup(t *testing.T, d store.Dialect) *env {
	t.Helper()
	e := &env{ctx: context.Background(), clock: testdb.NewClock(), mm: mmtest.New(t)}
	e.db = testdb.Open(t, d, e.clock)
	for _, name := range []string{"Alice", "Bob"} {
		u, err := e.db.People.CreateUser(e.ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Role: herald.RoleResponder})
		if err != nil {
			t.Fatal(err)
		}
		if name == "Alice" {
			e.alice = herald.Actor{User: u, Role: u.Role}
		}
	}
	if _, err := e.db.People.CreateUser(e.ctx, herald.UserInput{Name: "Vera", Email: "vera@example.com", Role: herald.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	e.mmAlice = e.mm.AddUser("alice", "alice@example.com", true)
	e.mmBob = e.mm.AddUser("bob", "bob@example.com", true)
	e.mmCarol = e.mm.AddUser("carol", "bob@example.com", false) // an address nobody verified
	e.mmVera = e.mm.AddUser("vera", "vera@example.com", true)
	e.town = e.mm.AddChannel("town-square")
	e.announce = e.mm.AddChannel("incidents")
	if _, err := e.db.Chat.ConnectMattermost(e.ctx, e.alice, herald.MattermostInput{ServerURL: e.mm.URL, BotToken: e.mm.Token, CommandTokens: []string{cmdToken},
		WebhookToken: hookToken, TeamID: e.mm.TeamID, AnnounceChannel: e.announce}); err != nil {
		t.Fatal(err)
	}
	x := &chatops.Executor{Services: e.db.Services(), Links: links.New("https://herald.test"), Now: e.clock.Now}
	e.app = &mattermost.App{Exec: x, Store: e.db.Chat, Now: e.clock.Now, Wait: time.Minute}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+mattermost.CommandsPath, e.app.Commands)
	mux.HandleFunc("POST "+mattermost.ActionsPath, e.app.Actions)
	mux.HandleFunc("POST "+mattermost.WebhookPath, e.app.Webhook)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.app.ActionsURL = e.srv.URL + mattermost.ActionsPath
	return e
}

// slash runs /herald as a Mattermost user in a channel.
func (e *env) slash(t *testing.T, user, channel, text string) (string, string, map[string]any) {
	t.Helper()
	code, m := e.mm.Slash(t, e.srv.URL+mattermost.CommandsPath, cmdToken, user, channel, text)
	if code != 200 {
		t.Fatalf("%s: %d %v", text, code, m)
	}
	typ, _ := m["response_type"].(string)
	return typ, answerText(m), m
}

// answerText is a command response's text with its attachments.
func answerText(m map[string]any) string {
	b, _ := json.Marshal(m["props"])
	txt, _ := m["text"].(string)
	return txt + string(b)
}

// drain sends what the chat lane holds, as the worker's chat loop does,
// moving the clock past the per-channel pace.
func (e *env) drain(t *testing.T) {
	t.Helper()
	e.app.Drain()
	idle := 0
	for idle < 3 {
		o, err := e.db.Work.Claim(e.ctx, store.LaneChat)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			idle++
			e.clock.Advance(2 * time.Second)
			continue
		}
		res := store.Result{Err: o.Err}
		if o.Err == nil {
			m := o.Chat.ChatMessage
			if o.Restricted != nil {
				m = herald.RestrictChat(m, *o.Restricted)
			}
			res.Value, res.Err = e.app.SendChat(e.ctx, m)
			if res.Err != nil {
				t.Logf("chat lane: %s %s: %v", m.Kind, m.Key, res.Err)
			}
		}
		if err := e.db.Work.Complete(e.ctx, o, res); err != nil {
			t.Fatal(err)
		}
	}
}

// Tokens and button signatures, without a database.
func TestVerify_TokensAndButtons(t *testing.T) {
	for _, c := range []struct {
		name   string
		stored []string
		got    string
		want   error
	}{
		{"valid", []string{cmdToken}, cmdToken, nil},
		{"valid, the second of two (while rotating)", []string{"oldtoken0123456789", cmdToken}, cmdToken, nil},
		{"wrong", []string{cmdToken}, "guessedtoken01234567890123", mattermost.ErrWrongToken},
		{"a prefix", []string{cmdToken}, cmdToken[:10], mattermost.ErrWrongToken},
		{"missing", []string{cmdToken}, "", mattermost.ErrNoToken},
		{"none stored", nil, cmdToken, mattermost.ErrWrongToken},
		{"empty stored", []string{""}, "x", mattermost.ErrWrongToken},
	} {
		if got := mattermost.CheckToken(c.stored, c.got); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	sig := mattermost.Sign("key", "ch1", "ack INC-1", false)
	for _, c := range []struct {
		name, key, channel, command string
		confirm                     bool
		sig                         string
		want                        error
	}{
		{"valid", "key", "ch1", "ack INC-1", false, sig, nil},
		{"another channel", "key", "ch2", "ack INC-1", false, sig, mattermost.ErrForged},
		{"another command", "key", "ch1", "resolve INC-1", false, sig, mattermost.ErrForged},
		{"confirmed", "key", "ch1", "ack INC-1", true, sig, mattermost.ErrForged},
		{"another key", "other", "ch1", "ack INC-1", false, sig, mattermost.ErrForged},
		{"unsigned", "key", "ch1", "ack INC-1", false, "", mattermost.ErrUnsigned},
		{"no command", "key", "ch1", "", false, sig, mattermost.ErrUnsigned},
	} {
		if got := mattermost.VerifyButton(c.key, c.channel, c.command, c.confirm, c.sig); got != c.want {
			t.Errorf("button %s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Over HTTP: a slash command with a forged or missing token, or from
// another team, an outgoing webhook with the command's token, and a
// button with a forged context are refused and do nothing; without a
// connection every URL answers 503.
func TestEndpoints_RefuseForgedMissingWrongTeam(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		base := url.Values{"team_id": {e.mm.TeamID}, "user_id": {e.mmAlice}, "channel_id": {e.town}, "text": {"declare S1 forged"}, "command": {"/herald"}}
		with := func(kv ...string) url.Values {
			f := url.Values{}
			for key, vs := range base {
				f[key] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				f.Set(kv[i], kv[i+1])
			}
			return f
		}
		cmds := e.srv.URL + mattermost.CommandsPath
		for _, c := range []struct {
			name string
			form url.Values
			auth string
			want int
		}{
			{"forged token", with("token", "guessedtoken01234567890123"), "", 401},
			{"forged header", base, "guessedtoken01234567890123", 401},
			{"missing token", base, "", 401},
			{"wrong team", with("token", cmdToken, "team_id", "zz000000000000000000000000"), "", 403},
		} {
			if code, m := e.mm.SlashForm(t, cmds, c.form, c.auth); code != c.want {
				t.Errorf("%s: %d %v, want %d", c.name, code, m, c.want)
			}
		}
		hook := e.srv.URL + mattermost.WebhookPath
		if code, _ := e.mm.Outgoing(t, hook, cmdToken, e.mmAlice, e.town, "Decision: x because y"); code != 401 {
			t.Errorf("webhook with the command's token: %d", code)
		}
		if code, _ := e.mm.Outgoing(t, hook, "", e.mmAlice, e.town, "Decision: x because y"); code != 401 {
			t.Errorf("webhook without a token: %d", code)
		}
		acts := e.srv.URL + mattermost.ActionsPath
		for _, ctx := range []any{
			map[string]any{"command": "declare S1 forged"},
			map[string]any{"command": "declare S1 forged", "sig": mattermost.Sign("not the key", e.town, "declare S1 forged", false)},
			nil,
		} {
			if code, m := e.mm.Press(t, acts, "po1", e.town, e.mmAlice, "alice", ctx); code != 401 {
				t.Errorf("forged button %v: %d %v", ctx, code, m)
			}
		}
		// The one valid request: help, privately.
		if typ, text, _ := e.slash(t, e.mmAlice, e.town, "help"); typ != "ephemeral" || !strings.Contains(text, "declare") {
			t.Fatalf("valid: %s %s", typ, text)
		}
		e.app.Drain()
		if list, _ := e.db.Incidents.Incidents(e.ctx, herald.ListFilter{}); len(list) != 0 {
			t.Fatalf("a refused request declared: %+v", list)
		}
		if err := e.db.Chat.DisconnectMattermost(e.ctx, e.alice); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{cmds, hook} {
			if code, _ := e.mm.Slash(t, u, cmdToken, e.mmAlice, e.town, "help"); code != 503 {
				t.Errorf("%s not connected: %d", u, code)
			}
		}
		if code, _ := e.mm.Press(t, acts, "po1", e.town, e.mmAlice, "alice", map[string]any{"command": "help"}); code != 503 {
			t.Errorf("button not connected: %d", code)
		}
	})
}

// Every command of the grammar through the slash command's payload: who
// typed it is found by the address Mattermost verified, the answer comes
// as Mattermost's command response (ephemeral for the person, in_channel
// for the channel), and what it did is in Herald.
func TestSlashCommand_EveryCommand(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		pol, err := e.db.Paging.CreateEscalationPolicy(e.ctx, herald.EscalationPolicyInput{Name: "db", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "alice@example.com"}}},
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "bob@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Paging.CreateService(e.ctx, herald.ServiceInput{Name: "Database", EscalationPolicyID: pol.ID}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			text, want, typ string
		}{
			{"", "declare", "ephemeral"}, // an empty command is help
			{"help", "declare", "ephemeral"},
			{"declare S2 Search is slow", "declared INC-1", "in_channel"},
			{"status INC-1", "Status update for INC-1", "ephemeral"},
			{"page Database the primary is down", "Paged Database", "in_channel"},
			{"note INC-1 the queue drained", "Noted on INC-1", "in_channel"},
			{"decision INC-1 fail over because the primary is gone", "Decision on INC-1", "in_channel"},
			{"follow-up INC-1 add an alert on replication lag", "Follow-up on INC-1", "in_channel"},
			{"role INC-1 eoc @bob", "Bob is now the", "in_channel"},
			// Alice leads: resolving without monitoring is the lead's (R16).
			{"role INC-1 incident_lead @alice", "Alice is now the", "in_channel"},
			{"severity INC-1 S1 because customers see errors", "INC-1 is now S1", "in_channel"},
			{"handover INC-1", "Handover of INC-1", "ephemeral"},
			{"oncall", "schedules", "in_channel"},
			{"escalate INC-1", "no open page", "ephemeral"},
			{"ack INC-1", "waits for an acknowledgement", "ephemeral"},
			{"resolve INC-1", "resolved INC-1", "in_channel"},
			{"note the queue drained", "which incident?", "ephemeral"},
			{"frobnicate", "unknown command", "ephemeral"},
		} {
			typ, text, _ := e.slash(t, e.mmAlice, e.town, s.text)
			if !strings.Contains(text, s.want) || typ != s.typ {
				t.Errorf("%q: %s %q, want %s with %q", s.text, typ, text, s.typ, s.want)
			}
		}
		inc, err := e.db.Incidents.Incident(e.ctx, "INC-1")
		if err != nil || inc.Severity != herald.S1 || inc.State != herald.Resolved {
			t.Fatalf("incident: %+v %v", inc, err)
		}
		if h, ok := inc.Role(herald.RoleIncidentLead); !ok || h.UserName != "Alice" {
			t.Fatalf("role: %+v", inc.Roles)
		}
		dec, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryDecision)
		if len(dec) != 1 || dec[0].Actor != "Alice" {
			t.Fatalf("decisions: %+v", dec)
		}
		// A viewer is refused with the role it needs; an address
		// Mattermost has not verified gets the linking flow, privately.
		e.db.Chat.BindChannel(e.ctx, herald.ChatChannel{Platform: herald.ChatMattermost, ChannelID: e.announce, Incident: "INC-1"})
		if typ, text, _ := e.slash(t, e.mmVera, e.announce, "note from a viewer"); typ != "ephemeral" || !strings.Contains(text, "needs the responder role") {
			t.Fatalf("viewer: %s %s", typ, text)
		}
		if typ, text, _ := e.slash(t, e.mmCarol, e.announce, "note who am I"); typ != "ephemeral" || !strings.Contains(text, "/app/chat/link?code=") {
			t.Fatalf("unverified address: %s %s", typ, text)
		}
		notes, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryNote)
		for _, n := range notes {
			if strings.Contains(n.Text, "viewer") || strings.Contains(n.Text, "who am I") {
				t.Fatalf("a refused note was recorded: %+v", n)
			}
		}
		if _, err := e.db.Chat.ChatUser(e.ctx, herald.ChatMattermost, "", e.mmCarol, ""); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("an unverified address was linked: %v", err)
		}
	})
}

// A command slower than Wait is answered "working on it" at once, and its
// answer follows through the response URL on the chat lane.
func TestSlashCommand_SlowAnswerFollowsThroughResponseURL(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.app.Wait = time.Nanosecond
		typ, text, _ := e.slash(t, e.mmAlice, e.town, "declare S3 Slow one")
		if typ != "ephemeral" || !strings.Contains(text, "Working on it") {
			t.Skipf("the command was done within a nanosecond: %s", text) // cannot be forced slower without a hook
		}
		e.drain(t)
		rs := e.mm.Responses()
		if len(rs) != 1 || !strings.Contains(fmt.Sprint(rs[0]["text"]), "declared INC-1") || rs[0]["response_type"] != "in_channel" {
			t.Fatalf("responses: %+v", rs)
		}
		// Its buttons are signed for the channel the command came from.
		b, _ := json.Marshal(rs[0]["props"])
		if !strings.Contains(string(b), mattermost.Sign(mustKey(t, e), e.town, "ack INC-1", false)) {
			t.Fatalf("late answer's buttons: %s", b)
		}
	})
}

func mustKey(t *testing.T, e *env) string {
	cr, err := e.db.Chat.MattermostCredentials(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cr.ButtonKey
}

// The incident channel end to end, through the chat lane: declare from
// Mattermost makes inc-<N>-<slug> in the team, binds it, invites the
// declarer, posts the card with the call bridge and announces it in the
// incident-management channel; a change patches both posts in place; in
// the channel "Decision:" (the outgoing webhook) reaches the timeline; a
// button Herald posted acknowledges, a forged or moved one does not.
func TestChannelFlow_EndToEnd(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		s, _ := e.db.Settings.Settings(e.ctx)
		s.Chat.Bridge = herald.BridgeSettings{Provider: herald.BridgeURLTemplate, Template: "https://meet.example.org/herald-{reference}"}
		if _, err := e.db.Settings.SaveSettings(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, text, _ := e.slash(t, e.mmAlice, e.town, "declare S1 Checkout fails for EU users @channel!"); !strings.Contains(text, "declared INC-1") {
			t.Fatalf("declare: %s", text)
		}
		e.drain(t)
		ch, ok := e.mm.Channel("inc-1-checkout-fails-for-eu-users-channel")
		if !ok {
			t.Fatalf("no channel: %+v", e.mm.Calls("POST", "/channels"))
		}
		if ref, err := e.db.Chat.ChannelIncident(e.ctx, herald.ChatMattermost, ch.ID); err != nil || ref != "INC-1" {
			t.Fatalf("binding: %q %v", ref, err)
		}
		if res, _ := e.db.Chat.ChatResult(e.ctx, "mattermost:channel:INC-1"); res != ch.ID {
			t.Fatalf("channel result %q, want %q", res, ch.ID)
		}
		if m := e.mm.Members(ch.ID); !m[e.mmAlice] {
			t.Fatalf("members: %v", m)
		}
		cards, anns := e.mm.Posts(ch.ID), e.mm.Posts(e.announce)
		if len(cards) != 1 || len(anns) != 1 {
			t.Fatalf("posts: card %+v announce %+v", cards, anns)
		}
		card, _ := json.Marshal(cards[0])
		if !strings.Contains(string(card), "https://meet.example.org/herald-INC-1") || !strings.Contains(string(card), "S1") || strings.Contains(string(card), "@channel") {
			t.Fatalf("card: %s", card)
		}
		if !strings.Contains(anns[0].Message, "INC-1 declared") || !strings.Contains(anns[0].Message, "~inc-1-checkout") {
			t.Fatalf("announcement: %+v", anns[0])
		}
		// In the channel the incident is implied; each change patches both posts.
		if _, text, _ := e.slash(t, e.mmAlice, ch.ID, "role eoc @alice"); !strings.Contains(text, "Alice is now the Engineer on Call") {
			t.Fatalf("role: %s", text)
		}
		if _, text, _ := e.slash(t, e.mmAlice, ch.ID, "severity S2 because only some users"); !strings.Contains(text, "INC-1 is now S2") {
			t.Fatalf("severity: %s", text)
		}
		e.drain(t)
		for _, p := range []mmtest.Post{e.mm.Posts(ch.ID)[0], e.mm.Posts(e.announce)[0]} {
			b, _ := json.Marshal(p)
			if p.Edits != 2 || !strings.Contains(string(b), "S2") || !strings.Contains(string(b), `"title":"eoc","value":"Alice"`) {
				t.Fatalf("edited in place: %d edits, %s", p.Edits, b)
			}
		}
		// The outgoing webhook: a decision in the channel is recorded as
		// its author's; elsewhere nothing; a viewer's is refused privately.
		hook := e.srv.URL + mattermost.WebhookPath
		for _, w := range []struct{ user, channel, text string }{
			{e.mmBob, ch.ID, "Decision: roll back the deploy because errors began with it"},
			{e.mmBob, e.town, "Decision: nothing here because no incident"},
			{e.mmVera, ch.ID, "Decision: a viewer because no"},
			{e.mmBob, ch.ID, "decided nothing"},
		} {
			if code, m := e.mm.Outgoing(t, hook, hookToken, w.user, w.channel, w.text); code != 200 {
				t.Fatalf("webhook %q: %d %v", w.text, code, m)
			}
		}
		e.drain(t)
		dec, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryDecision)
		if len(dec) != 1 || dec[0].Actor != "Bob" || !strings.Contains(dec[0].Text, "roll back the deploy") {
			t.Fatalf("decisions: %+v", dec)
		}
		dms := e.mm.Calls("POST", "/channels/direct")
		if len(dms) != 1 || !strings.Contains(string(dms[0].Body), e.mmVera) {
			t.Fatalf("the viewer's refusal: %+v", dms)
		}
		// Buttons: the card's Status update runs "status INC-1" as the one
		// who pressed it, privately; Acknowledge from the announcement runs
		// there too (the card in the announcement is signed for it).
		cardID := e.mm.Posts(ch.ID)[0].ID
		code, m := e.mm.Click(t, cardID, "Status update", e.mmAlice)
		if code != 200 || !strings.Contains(fmt.Sprint(m["ephemeral_text"]), "Status update for INC-1") {
			t.Fatalf("status button: %d %v", code, m)
		}
		code, m = e.mm.Click(t, e.mm.Posts(e.announce)[0].ID, "Escalate", e.mmBob)
		if code != 200 || !strings.Contains(fmt.Sprint(m), "no open page") {
			t.Fatalf("escalate button: %d %v", code, m)
		}
		// The card's button moved to another channel, or changed, is refused.
		var ctx map[string]any
		for _, a := range cards[0].Props["attachments"].([]any)[0].(map[string]any)["actions"].([]any) {
			if a.(map[string]any)["name"] == "Acknowledge" {
				ctx = a.(map[string]any)["integration"].(map[string]any)["context"].(map[string]any)
			}
		}
		acts := e.srv.URL + mattermost.ActionsPath
		if code, _ := e.mm.Press(t, acts, cardID, e.town, e.mmAlice, "alice", ctx); code != 401 {
			t.Fatalf("a button moved to another channel: %d", code)
		}
		ctx["command"] = "resolve INC-1"
		if code, _ := e.mm.Press(t, acts, cardID, ch.ID, e.mmAlice, "alice", ctx); code != 401 {
			t.Fatalf("a button's command changed: %d", code)
		}
		e.app.Drain()
		if inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1"); inc.State == herald.Resolved {
			t.Fatal("a forged button resolved the incident")
		}
		// A button whose reply is for the channel replaces the post it is
		// on (update), and acts as the one who pressed it.
		post := mattermost.Render(herald.ChatReply{Text: "Anything to add?", Actions: []herald.ChatAction{{ID: "note", Label: "Note it", Command: "note INC-1 pressed from Mattermost"}}},
			mattermost.Buttons{URL: acts, Key: mustKey(t, e), Channel: ch.ID})
		pid, err := (&mattermost.Client{URL: e.mm.URL, Token: e.mm.Token}).CreatePost(e.ctx, post)
		if err != nil {
			t.Fatal(err)
		}
		code, m = e.mm.Click(t, pid, "Note it", e.mmBob)
		if up, _ := m["update"].(map[string]any); code != 200 || !strings.Contains(fmt.Sprint(up["message"]), "Noted on INC-1") {
			t.Fatalf("note button: %d %v", code, m)
		}
		if p, _ := e.mm.StoredPost(pid); !strings.Contains(p.Message, "Noted on INC-1") || p.Edits != 1 {
			t.Fatalf("post after the press: %+v", p)
		}
		notes, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryNote)
		if len(notes) == 0 || notes[len(notes)-1].Actor != "Bob" || !strings.Contains(notes[len(notes)-1].Text, "pressed from Mattermost") {
			t.Fatalf("notes: %+v", notes)
		}
	})
}

// A channel whose name exists already (a retry after a crash) is found by
// its name and used, as the flow needs.
func TestCreateChannel_ExistingNameIsFound(t *testing.T) {
	mm := mmtest.New(t)
	id := mm.AddChannel("inc-7-db")
	c := &mattermost.Client{URL: mm.URL, Token: mm.Token}
	got, err := c.CreateChannel(context.Background(), mm.TeamID, "inc-7-db", "inc-7-db")
	if err != nil || got != id {
		t.Fatalf("existing: %q %v, want %q", got, err, id)
	}
	if n := len(mm.Calls("GET", "/teams/"+mm.TeamID+"/channels/name/inc-7-db")); n != 1 {
		t.Fatalf("looked up %d times", n)
	}
	long := mattermost.ChannelName("inc-123-" + strings.Repeat("abcdefghij-", 10))
	if len(long) > mattermost.MaxChannelName || strings.HasSuffix(long, "-") {
		t.Fatalf("name %q", long)
	}
	if got, err := c.CreateChannel(context.Background(), mm.TeamID, long, long); err != nil || got == "" {
		t.Fatalf("long name: %q %v", got, err)
	}
}

// A 429 from Mattermost is a rate limit with its Retry-After, which the
// chat lane honours.
func TestClient_RateLimitedHonoursRetryAfter(t *testing.T) {
	mm := mmtest.New(t)
	ch := mm.AddChannel("town-square")
	mm.LimitOnce()
	c := &mattermost.Client{URL: mm.URL, Token: mm.Token}
	_, err := c.CreatePost(context.Background(), mattermost.Post{ChannelID: ch, Message: "hi"})
	rl, ok := err.(*herald.ChatRateLimited)
	if !ok || rl.After != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	if id, err := c.CreatePost(context.Background(), mattermost.Post{ChannelID: ch, Message: "hi"}); err != nil || id == "" {
		t.Fatalf("after: %q %v", id, err)
	}
	if _, err := (&mattermost.Client{URL: mm.URL, Token: "wrong"}).CreatePost(context.Background(), mattermost.Post{ChannelID: ch, Message: "hi"}); err == nil ||
		!strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong token: %v", err)
	}
}

// Mattermost's limits: a post's message is at most 16,383 characters (cut
// on a word, with the way to the rest), its props at most 800,000; the
// buttons stay, with ids of letters and digits and signed contexts; the
// test server, which refuses what Mattermost refuses, takes the post.
func TestRender_MattermostLimits(t *testing.T) {
	long := strings.Repeat("é word ", 4000) // 28,000 characters, two bytes in each é
	var fields []herald.ChatField
	for i := range 600 {
		fields = append(fields, herald.ChatField{Label: fmt.Sprint("field ", i), Value: strings.Repeat("v", 2500)})
	}
	r := herald.ChatReply{Text: long, Fields: fields, Link: "https://herald.test/app/incidents/INC-1",
		Actions: []herald.ChatAction{{ID: herald.ChatActionAck, Label: strings.Repeat("L", 200), Command: "ack INC-1", Style: "primary"},
			{ID: "no_material_updates", Label: "Publish", Command: "status INC-1 all good", Confirm: true},
			{ID: herald.ChatActionOpen, Label: "Open in Herald", URL: "https://herald.test/app/incidents/INC-1"}}}
	p := mattermost.Render(r, mattermost.Buttons{URL: "https://herald.test" + mattermost.ActionsPath, Key: "k", Channel: "ch1"})
	if n := utf8.RuneCountInString(p.Message); n > mattermost.MaxMessage || n < mattermost.MaxMessage-200 {
		t.Fatalf("message of %d characters", n)
	}
	if !utf8.ValidString(p.Message) || !strings.HasSuffix(p.Message, "read it in Herald, https://herald.test/app/incidents/INC-1") {
		t.Fatalf("message ends %q", p.Message[len(p.Message)-100:])
	}
	raw, _ := json.Marshal(p.Props)
	if n := utf8.RuneCount(raw); n > mattermost.MaxProps {
		t.Fatalf("props of %d characters", n)
	}
	atts := p.Props["attachments"].([]mattermost.Attachment)
	if len(atts) != 1 || len(atts[0].Actions) != 2 || len(atts[0].Fields) == 0 || len(atts[0].Fields) == 600 {
		t.Fatalf("attachment: %d actions, %d fields", len(atts[0].Actions), len(atts[0].Fields))
	}
	for _, a := range atts[0].Actions {
		if strings.ContainsAny(a.ID, "-_") || utf8.RuneCountInString(a.Name) > 75 || a.Integration.Context.Sig == "" {
			t.Fatalf("button: %+v", a)
		}
	}
	if c := atts[0].Actions[1].Integration.Context; !c.Confirm || c.Sig != mattermost.Sign("k", "ch1", "status INC-1 all good", true) {
		t.Fatalf("publish: %+v", c)
	}
	if !strings.Contains(atts[0].Text, "[Open in Herald](https://herald.test/app/incidents/INC-1)") {
		t.Fatalf("link: %q", atts[0].Text)
	}
	mm := mmtest.New(t)
	p.ChannelID = mm.AddChannel("town-square")
	if _, err := (&mattermost.Client{URL: mm.URL, Token: mm.Token}).CreatePost(context.Background(), p); err != nil {
		t.Fatalf("Mattermost refused the post: %v", err)
	}
	// One character over is refused, as Mattermost does.
	over := mattermost.Post{ChannelID: p.ChannelID, Message: strings.Repeat("x", mattermost.MaxMessage+1)}
	if _, err := (&mattermost.Client{URL: mm.URL, Token: mm.Token}).CreatePost(context.Background(), over); err == nil || !strings.Contains(err.Error(), "model.post.is_valid.msg.app_error") {
		t.Fatalf("over the limit: %v", err)
	}
	// A short reply is one post without props; @channel never notifies.
	small := mattermost.Render(herald.ChatReply{Text: "ok @channel @here @all"}, mattermost.Buttons{})
	if small.Props != nil || strings.Contains(small.Message, "@channel") || strings.Contains(small.Message, "@here") || strings.Contains(small.Message, "@all") {
		t.Fatalf("small: %+v", small)
	}
}

// A Mattermost incoming webhook as a contact method or stakeholder
// channel (kind mattermost): the message's subject linked in bold, its
// text, within Mattermost's 16,383 characters, never notifying the whole
// channel; the test Mattermost takes it as Mattermost would. (The worker's
// R46 tests deliver pages, prompts, notices and updates to such hooks on
// both databases.)
func TestIncomingWebhook_Delivery(t *testing.T) {
	mm := mmtest.New(t)
	hook := mm.IncomingHook()
	r := &notify.Router{Webhook: notify.NewPublicWebhook(true)}
	long := strings.Repeat("ü", 20000)
	for _, m := range []notify.Message{
		{ID: "d1", Kind: "mattermost", Target: hook, Subject: "[Herald] INC-4 @channel declared", Text: "Checkout is down.", URL: "https://herald.test/app/incidents/INC-4"},
		{ID: "d2", Kind: "mattermost", Target: hook, Subject: "Long", Text: long},
	} {
		if err := r.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := mm.Hook(hook)
	if len(got) != 2 {
		t.Fatalf("hook got %d", len(got))
	}
	first := got[0]["text"].(string)
	if !strings.HasPrefix(first, "**[(Herald) INC-4 @\u200bchannel declared](https://herald.test/app/incidents/INC-4)**\nCheckout is down.") {
		t.Fatalf("text %q", first)
	}
	if n := utf8.RuneCountInString(got[1]["text"].(string)); n > mattermost.MaxMessage {
		t.Fatalf("long text of %d characters", n)
	}
	if err := r.Send(context.Background(), notify.Message{ID: "d3", Kind: "mattermost", Target: mm.URL + "/hooks/nosuchhook", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("an unknown hook took the message")
	}
	for _, c := range []struct {
		in   herald.SubscriberInput
		kind string
		ok   bool
	}{
		{herald.SubscriberInput{MattermostURL: hook}, "mattermost", true},
		{herald.SubscriberInput{MattermostURL: "not a url"}, "", false},
		{herald.SubscriberInput{MattermostURL: hook, SlackURL: hook}, "", false},
	} {
		kind, _, err := c.in.Normalize()
		if (err == nil) != c.ok || (c.ok && kind != c.kind) {
			t.Errorf("%+v: %q %v", c.in, kind, err)
		}
	}
	if err := (&herald.ContactMethodInput{Kind: "mattermost", Target: hook}).Normalize(); err != nil {
		t.Fatal(err)
	}
}

// A late answer goes only to a command response URL (on the server, or a
// /hooks/commands/ URL of Mattermost's Site URL), never elsewhere.
func TestRespond_OnlyToCommandResponseURLs(t *testing.T) {
	mm := mmtest.New(t)
	c := &mattermost.Client{URL: mm.URL, Token: mm.Token}
	resp := mattermost.CommandResponse{ResponseType: "ephemeral", Text: "hi"}
	if err := c.Respond(context.Background(), mm.URL+"/hooks/commands/abc", resp); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://attacker.example/steal", "file:///etc/passwd", "not a url", "https://attacker.example/hooks/other"} {
		if err := c.Respond(context.Background(), u, resp); err == nil || !strings.Contains(err.Error(), "not a command response URL") {
			t.Errorf("%s: %v", u, err)
		}
	}
	if rs := mm.Responses(); len(rs) != 1 || rs[0]["text"] != "hi" {
		t.Fatalf("responses %+v", rs)
	}
}
