package slack_test

// No Slack can run here: these tests run the app against fakeSlack, a test
// server that reproduces the Web API methods Herald calls (chat.postMessage,
// chat.update, conversations.create/invite/open/history, users.info) and a
// response URL, with Slack's answers ({"ok": ...}, 429 with Retry-After).

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// call is one Web API call fakeSlack received.
type call struct {
	Method string
	Args   map[string]any
}

type fakeSlack struct {
	mu        sync.Mutex
	calls     []call
	responses []map[string]any
	n         int
	// limitOnce answers the next chat.postMessage 429.
	limitOnce bool
	history   map[string]string // ts -> text
	// channels are the workspace's public channels, name -> id;
	// conversations.list serves them listPage at a time (2 by default).
	channels map[string]string
	listPage int
	archived map[string]bool // taken names conversations.list leaves out
	srv      *httptest.Server
}

// users are the workspace: U1 is Alice, U2 Bob, U3 someone whose address
// Slack has not confirmed.
var users = map[string]struct {
	email     string
	confirmed bool
}{"U1": {"alice@example.com", true}, "U2": {"bob@example.com", true}, "U3": {"nobody@example.com", false}}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{history: map[string]string{}, channels: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/respond" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "bad response body: "+err.Error(), http.StatusBadRequest)
			return
		}
		f.responses = append(f.responses, m)
		io.WriteString(w, "ok")
		return
	}
	if r.Header.Get("Authorization") != "Bearer xoxb-test" {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	args := map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &args); err != nil {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_json"})
			return
		}
	} else {
		v, _ := url.ParseQuery(string(body))
		for k := range v {
			args[k] = v.Get(k)
		}
	}
	f.calls = append(f.calls, call{method, args})
	f.n++
	ok := func(m map[string]any) {
		m["ok"] = true
		json.NewEncoder(w).Encode(m)
	}
	switch method {
	case "chat.postMessage":
		if f.limitOnce {
			f.limitOnce = false
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if args["channel"] == "" || args["text"] == nil {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "no_text"})
			return
		}
		ok(map[string]any{"ts": fmt.Sprintf("1700000000.%06d", f.n), "channel": args["channel"]})
	case "chat.update":
		ok(map[string]any{"ts": args["ts"]})
	case "views.open":
		if args["trigger_id"] == "" || args["trigger_id"] == nil {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_trigger_id"})
			return
		}
		ok(map[string]any{"view": map[string]any{"id": "V1", "hash": "h1"}})
	case "views.update":
		ok(map[string]any{"view": map[string]any{"id": args["view_id"], "hash": fmt.Sprint("h", f.n)}})
	case "conversations.create":
		name := fmt.Sprint(args["name"])
		if _, taken := f.channels[name]; taken || f.archived[name] {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "name_taken"})
			return
		}
		f.channels[name] = "CINC" + strconv.Itoa(f.n)
		ok(map[string]any{"channel": map[string]any{"id": f.channels[name], "name": name}})
	case "conversations.list":
		if args["types"] != "public_channel" || args["exclude_archived"] != "true" {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_arguments"})
			return
		}
		names := slices.Sorted(maps.Keys(f.channels))
		from, _ := strconv.Atoi(fmt.Sprint(args["cursor"]))
		size := cmp.Or(f.listPage, 2)
		to := min(from+size, len(names))
		var page []any
		for _, n := range names[from:to] {
			page = append(page, map[string]any{"id": f.channels[n], "name": n})
		}
		next := ""
		if to < len(names) {
			next = strconv.Itoa(to)
		}
		ok(map[string]any{"channels": page, "response_metadata": map[string]any{"next_cursor": next}})
	case "conversations.invite", "conversations.open":
		ok(map[string]any{"channel": map[string]any{"id": "DM1"}})
	case "conversations.history":
		ok(map[string]any{"messages": []any{map[string]any{"ts": args["latest"], "user": "U2", "text": f.history[args["latest"].(string)]}}})
	case "users.info":
		u, found := users[args["user"].(string)]
		if !found {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		ok(map[string]any{"user": map[string]any{"id": args["user"], "name": strings.Split(u.email, "@")[0], "is_email_confirmed": u.confirmed, "profile": map[string]any{"email": u.email}}})
	default:
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) called(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

type env struct {
	ctx   context.Context
	clock *testdb.Clock
	db    *store.DB
	app   *slack.App
	slack *fakeSlack
	srv   *httptest.Server
	alice herald.Actor
}

func setup(t *testing.T, d store.Dialect) *env {
	t.Helper()
	e := &env{ctx: context.Background(), clock: testdb.NewClock(), slack: newFakeSlack(t)}
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
	if _, err := e.db.Chat.ConnectSlack(e.ctx, e.alice, herald.SlackInput{SigningSecret: secret, BotToken: "xoxb-test", AnnounceChannel: "CANNOUNCE"}); err != nil {
		t.Fatal(err)
	}
	x := &chatops.Executor{Services: e.db.Services(), Links: links.New("https://herald.test"), Now: e.clock.Now}
	e.app = &slack.App{Exec: x, Store: e.db.Chat, API: e.slack.srv.URL + "/api/", Now: e.clock.Now, Wait: time.Minute}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", e.app.Commands)
	mux.HandleFunc("POST /slack/interactive", e.app.Interactive)
	mux.HandleFunc("POST /slack/events", e.app.Events)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// post sends a request signed as Slack does, at the clock's now plus age
// ago, with secret.
func (e *env) post(t *testing.T, path, ctype, body string, age time.Duration, key string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	ts := strconv.FormatInt(e.clock.Now().Add(-age).Unix(), 10)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign(key, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

type answer struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks"`
}

// slash runs a slash command as user in channel, the way Slack sends it.
func (e *env) slash(t *testing.T, user, channel, text string) answer {
	t.Helper()
	form := url.Values{"command": {"/herald"}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "team_id": {"T1"},
		"channel_id": {channel}, "response_url": {e.slack.srv.URL + "/respond"}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"}}
	resp, b := e.post(t, "/slack/commands", "application/x-www-form-urlencoded", form.Encode(), 0, secret)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", text, resp.StatusCode, b)
	}
	var a answer
	if len(b) == 0 { // nothing posted: a modal opened
		return a
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: %v %s", text, err, b)
	}
	return a
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
		}
		if err := e.db.Work.Complete(e.ctx, o, res); err != nil {
			t.Fatal(err)
		}
	}
}

// Request verification: a valid signature passes; a forged one (another
// secret, a changed body), a stale one (over 5 minutes) and a replay
// (the same signature on a new timestamp) are refused and change nothing.
func TestVerify_ValidForgedReplayedStale(t *testing.T) {
	now := time.Unix(1700000000, 0)
	body := []byte("token=x&command=%2Fherald&text=help")
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := slack.Sign(secret, ts, body)
	old := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	for _, c := range []struct {
		name    string
		ts, sig string
		body    []byte
		want    error
	}{
		{"valid", ts, sig, body, nil},
		{"valid 4 minutes old", strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10), slack.Sign(secret, strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10), body), body, nil},
		{"forged with another secret", ts, slack.Sign("guess", ts, body), body, slack.ErrForged},
		{"body changed", ts, sig, []byte("token=x&command=%2Fherald&text=resolve"), slack.ErrForged},
		{"replayed with a new timestamp", strconv.FormatInt(now.Add(time.Second).Unix(), 10), sig, body, slack.ErrForged},
		{"stale", old, slack.Sign(secret, old, body), body, slack.ErrStale},
		{"from the future", strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10), slack.Sign(secret, strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10), body), body, slack.ErrStale},
		{"unsigned", ts, "", body, slack.ErrUnsigned},
		{"bad timestamp", "yesterday", sig, body, slack.ErrUnsigned},
	} {
		if got := slack.Verify(secret, c.ts, c.sig, c.body, now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Over HTTP: every endpoint refuses what is not Slack's, and a refused
// command does nothing.
func TestEndpoints_RefuseForgedAndStale(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		form := url.Values{"text": {"declare S1 forged"}, "user_id": {"U1"}, "team_id": {"T1"}}.Encode()
		for _, path := range []string{"/slack/commands", "/slack/interactive", "/slack/events"} {
			if resp, _ := e.post(t, path, "application/x-www-form-urlencoded", form, 0, "not the secret"); resp.StatusCode != 401 {
				t.Errorf("%s forged: %d", path, resp.StatusCode)
			}
			if resp, _ := e.post(t, path, "application/x-www-form-urlencoded", form, 6*time.Minute, secret); resp.StatusCode != 401 {
				t.Errorf("%s stale: %d", path, resp.StatusCode)
			}
		}
		e.app.Drain()
		if list, _ := e.db.Incidents.Incidents(e.ctx, herald.ListFilter{}); len(list) != 0 {
			t.Fatalf("a forged command declared: %+v", list)
		}
	})
}

func blocksText(a answer) string {
	b, _ := json.Marshal(a.Blocks)
	return a.Text + string(b)
}

// Every command of the grammar through the slash command's payload: who
// typed it is found by the address Slack confirmed, the answer comes in
// Slack's response format (ephemeral for the person, in_channel for the
// channel), and what it did is in Herald.
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
		steps := []struct {
			text, want, typ string
		}{
			{"", "declare", "ephemeral"}, // an empty command is help
			{"help", "declare", "ephemeral"},
			{"declare S2 Search is slow", "declared INC-1", "in_channel"},
			{"status INC-1", "", ""}, // the composer's modal opens (modal_test.go); nothing is posted
			{"page Database the primary is down", "Paged Database", "in_channel"},
			{"note INC-1 the queue drained", "Noted on INC-1", "in_channel"},
			{"decision INC-1 fail over because the primary is gone", "Decision on INC-1", "in_channel"},
			{"follow-up INC-1 add an alert on replication lag", "Follow-up on INC-1", "in_channel"},
			{"role INC-1 incident_lead <@U2|bob>", "Bob is now the", "in_channel"},
			{"role INC-1 eoc <@U1>", "Alice is now the", "in_channel"},
			{"severity INC-1 S1 because customers see errors", "INC-1 is now S1", "in_channel"},
			{"handover INC-1", "Handover of INC-1", "ephemeral"},
			{"oncall", "schedules", "in_channel"},
			{"escalate INC-1", "no open page", "ephemeral"},
			{"ack INC-1", "waits for an acknowledgement", "ephemeral"},
			{"resolve INC-1", "resolved INC-1", "in_channel"},
			{"note the queue drained", "which incident?", "ephemeral"},
			{"frobnicate", "unknown command", "ephemeral"},
		}
		for _, s := range steps {
			if s.text == "resolve INC-1" {
				// Resolving straight from Investigating skips monitoring:
				// Bob, the lead, gives the all-clear first (R16, R17).
				bob, err := e.db.People.User(e.ctx, "bob@example.com")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.db.Incidents.RecordDecision(e.ctx, herald.Actor{User: bob, Role: herald.RoleResponder}, "INC-1",
					herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "quiet"}); err != nil {
					t.Fatal(err)
				}
			}
			a := e.slash(t, "U1", "CGENERAL", s.text)
			if !strings.Contains(blocksText(a), s.want) || a.ResponseType != s.typ {
				t.Errorf("%q: %s %q, want %s with %q", s.text, a.ResponseType, blocksText(a), s.typ, s.want)
			}
		}
		inc, err := e.db.Incidents.Incident(e.ctx, "INC-1")
		if err != nil || inc.Severity != herald.S1 || inc.State != herald.Resolved {
			t.Fatalf("incident: %+v %v", inc, err)
		}
		if h, ok := inc.Role(herald.RoleIncidentLead); !ok || h.UserName != "Bob" {
			t.Fatalf("role: %+v", inc.Roles)
		}
		dec, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryDecision)
		if len(dec) != 2 || dec[0].Actor != "Alice" || dec[1].Actor != "Bob" { // the decision, Bob's all-clear
			t.Fatalf("decisions: %+v", dec)
		}
		// A viewer is refused with the role it needs; an unconfirmed
		// address gets the linking flow, privately.
		e.db.Chat.BindChannel(e.ctx, herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: "CX", Incident: "INC-1"})
		if _, err := e.db.Chat.ChatUser(e.ctx, herald.ChatSlack, "T1", "UV", "vera@example.com"); err != nil {
			t.Fatal(err)
		}
		if a := e.slash(t, "UV", "CX", "note from a viewer"); a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "needs the responder role") {
			t.Fatalf("viewer: %+v", a)
		}
		if a := e.slash(t, "U3", "CX", "note who am I"); a.ResponseType != "ephemeral" || !strings.Contains(blocksText(a), "/app/chat/link?code=") {
			t.Fatalf("unknown person: %+v", a)
		}
		notes, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryNote)
		for _, n := range notes {
			if strings.Contains(n.Text, "viewer") || strings.Contains(n.Text, "who am I") {
				t.Fatalf("a refused note was recorded: %+v", n)
			}
		}
	})
}

// A command slower than Wait is answered "working on it" at once, and its
// answer follows through the response URL on the chat lane.
func TestSlashCommand_SlowAnswerFollowsThroughResponseURL(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.app.Wait = time.Nanosecond
		a := e.slash(t, "U1", "CGENERAL", "declare S3 Slow one")
		if a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "Working on it") {
			t.Skipf("the command was done within a nanosecond: %+v", a) // cannot be forced slower without a hook
		}
		e.drain(t)
		e.slack.mu.Lock()
		defer e.slack.mu.Unlock()
		if len(e.slack.responses) != 1 || !strings.Contains(fmt.Sprint(e.slack.responses[0]["text"]), "declared INC-1") {
			t.Fatalf("responses: %+v", e.slack.responses)
		}
	})
}

// The incident channel end to end: declare from Slack makes inc-<N>-<slug>,
// binds it, invites the declarer, posts the summary with the call bridge
// and announces in the incident-management channel; a change edits both
// messages in place; in the channel "Decision:" and the pin reaction reach
// the timeline; a button acknowledges through the response URL.
func TestChannelFlow_EndToEnd(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		s, _ := e.db.Settings.Settings(e.ctx)
		s.Chat.Bridge = herald.BridgeSettings{Provider: herald.BridgeURLTemplate, Template: "https://meet.example.org/herald-{reference}"}
		if _, err := e.db.Settings.SaveSettings(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		if a := e.slash(t, "U1", "CGENERAL", "declare S1 Checkout fails for EU users!"); !strings.Contains(a.Text, "declared INC-1") {
			t.Fatalf("declare: %+v", a)
		}
		e.drain(t)
		created := e.slack.called("conversations.create")
		if len(created) != 1 || created[0].Args["name"] != "inc-1-checkout-fails-for-eu-users" {
			t.Fatalf("create: %+v", created)
		}
		ch, err := e.db.Chat.ChatResult(e.ctx, "slack:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		if ref, err := e.db.Chat.ChannelIncident(e.ctx, herald.ChatSlack, ch); err != nil || ref != "INC-1" {
			t.Fatalf("binding: %q %v (calls %+v)", ref, err, e.slack.calls)
		}
		inv := e.slack.called("conversations.invite")
		if len(inv) != 1 || inv[0].Args["channel"] != ch || !strings.Contains(fmt.Sprint(inv[0].Args["users"]), "U1") {
			t.Fatalf("invite: %+v", inv)
		}
		posts := e.slack.called("chat.postMessage")
		if len(posts) != 2 {
			t.Fatalf("posts: %+v", posts)
		}
		var inChannel, announce call
		for _, p := range posts {
			switch p.Args["channel"] {
			case ch:
				inChannel = p
			case "CANNOUNCE":
				announce = p
			}
		}
		if b, _ := json.Marshal(inChannel.Args["blocks"]); !strings.Contains(string(b), "https://meet.example.org/herald-INC-1") || !strings.Contains(string(b), "S1") {
			t.Fatalf("summary: %s", b)
		}
		if !strings.Contains(fmt.Sprint(announce.Args["text"]), "INC-1 declared") || !strings.Contains(fmt.Sprint(announce.Args["text"]), "#inc-1-checkout") {
			t.Fatalf("announcement: %+v", announce)
		}
		// In the channel, the incident is implied; each change edits both messages.
		if a := e.slash(t, "U1", ch, "role eoc <@U1>"); !strings.Contains(a.Text, "Alice is now the Engineer on Call") {
			t.Fatalf("role: %+v", a)
		}
		if a := e.slash(t, "U1", ch, "severity S2 because only some users"); !strings.Contains(a.Text, "INC-1 is now S2") {
			t.Fatalf("severity: %+v", a)
		}
		e.drain(t)
		ups := e.slack.called("chat.update")
		if len(ups) != 4 {
			t.Fatalf("updates: %+v", ups)
		}
		for _, u := range ups[2:] {
			if b, _ := json.Marshal(u.Args["blocks"]); !strings.Contains(string(b), "S2") || u.Args["ts"] == "" {
				t.Fatalf("update: %+v", u)
			}
		}
		// Events: the URL check, a decision typed in the channel, a pinned message.
		resp, b := e.post(t, "/slack/events", "application/json", `{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, 0, secret)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") {
			t.Fatalf("challenge: %d %s", resp.StatusCode, b)
		}
		ev := func(event string) {
			t.Helper()
			if resp, b := e.post(t, "/slack/events", "application/json", `{"type":"event_callback","team_id":"T1","event":`+event+`}`, 0, secret); resp.StatusCode != 200 {
				t.Fatalf("event: %d %s", resp.StatusCode, b)
			}
			e.app.Drain()
		}
		ev(`{"type":"message","channel":"` + ch + `","user":"U2","text":"Decision: roll back the deploy because errors began with it","ts":"1700000001.000100"}`)
		ev(`{"type":"message","channel":"CGENERAL","user":"U2","text":"Decision: nothing here because no incident","ts":"1700000001.000200"}`)
		ev(`{"type":"message","subtype":"bot_message","bot_id":"B1","channel":"` + ch + `","text":"Decision: a bot because no","ts":"1700000001.000300"}`)
		e.slack.mu.Lock()
		e.slack.history["1700000002.000100"] = "EU traffic now on the old build"
		e.slack.mu.Unlock()
		ev(`{"type":"reaction_added","user":"U1","reaction":"pushpin","item":{"type":"message","channel":"` + ch + `","ts":"1700000002.000100"}}`)
		ev(`{"type":"reaction_added","user":"U1","reaction":"eyes","item":{"type":"message","channel":"` + ch + `","ts":"1700000002.000100"}}`)
		dec, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryDecision)
		if len(dec) != 1 || dec[0].Actor != "Bob" || !strings.Contains(dec[0].Text, "roll back the deploy") {
			t.Fatalf("decisions: %+v", dec)
		}
		notes, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", herald.EntryNote)
		pinned := 0
		for _, n := range notes {
			if strings.Contains(n.Text, "EU traffic now on the old build") {
				pinned++
			}
		}
		if pinned != 1 {
			t.Fatalf("pinned notes: %d in %+v", pinned, notes)
		}
		// A button: the Status update button runs "status INC-1" as the person.
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1", "username": "alice", "team_id": "T1"},
			"team": map[string]any{"id": "T1"}, "channel": map[string]any{"id": ch}, "response_url": e.slack.srv.URL + "/respond",
			"actions": []any{map[string]any{"action_id": "publish-2", "value": "status INC-1"}}})
		if resp, _ := e.post(t, "/slack/interactive", "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), 0, secret); resp.StatusCode != 200 {
			t.Fatalf("interactive: %d", resp.StatusCode)
		}
		e.drain(t)
		e.slack.mu.Lock()
		got := fmt.Sprint(e.slack.responses)
		e.slack.mu.Unlock()
		if !strings.Contains(got, "Status update for INC-1") || !strings.Contains(got, "ephemeral") {
			t.Fatalf("button answer: %s", got)
		}
	})
}

// A 429 from Slack is a rate limit with its Retry-After, which the chat
// lane honours (store tests show the row waits without counting).
func TestClient_RateLimitedHonoursRetryAfter(t *testing.T) {
	f := newFakeSlack(t)
	f.limitOnce = true
	c := &slack.Client{API: f.srv.URL + "/api/", Token: "xoxb-test"}
	_, err := c.PostMessage(context.Background(), "C1", slack.Render(herald.ChatReply{Text: "hi"}))
	rl, ok := err.(*herald.ChatRateLimited)
	if !ok || rl.After != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	if ts, err := c.PostMessage(context.Background(), "C1", slack.Render(herald.ChatReply{Text: "hi"})); err != nil || ts == "" {
		t.Fatalf("after: %q %v", ts, err)
	}
}

// Block Kit's limits: at most 50 blocks, 3,000 characters per section
// text, 10 fields of 2,000 per section, 75 per button label; text is cut
// on a boundary, never inside an escape; the buttons stay.
func TestRender_BlockKitLimits(t *testing.T) {
	long := strings.Repeat("a&b <c> ", 2000) // 16,000 characters, escapes everywhere
	var fields []herald.ChatField
	for i := range 600 {
		fields = append(fields, herald.ChatField{Label: fmt.Sprint("field ", i), Value: strings.Repeat("v", 2500)})
	}
	m := slack.Render(herald.ChatReply{Text: long, Fields: fields, Link: "https://herald.test/app/incidents/INC-1",
		Actions: []herald.ChatAction{{ID: "ack", Label: strings.Repeat("L", 200), Command: "ack INC-1"}, {ID: "publish", Label: "Publish", Command: strings.Repeat("x", 3000), Confirm: true}}})
	if len(m.Blocks) != slack.MaxBlocks {
		t.Fatalf("%d blocks", len(m.Blocks))
	}
	for i, b := range m.Blocks {
		if tx, ok := b["text"].(map[string]any); ok {
			s := tx["text"].(string)
			if n := len([]rune(s)); n > slack.MaxSectionText {
				t.Fatalf("block %d: %d characters", i, n)
			}
			if j := strings.LastIndexByte(s, '&'); j >= 0 && !strings.Contains(s[j:], ";") {
				t.Fatalf("block %d ends inside an escape: %q", i, s[len(s)-20:])
			}
		}
		if fs, ok := b["fields"].([]any); ok {
			if len(fs) > slack.MaxFields {
				t.Fatalf("block %d: %d fields", i, len(fs))
			}
			for _, f := range fs {
				if n := len([]rune(f.(map[string]any)["text"].(string))); n > slack.MaxFieldText {
					t.Fatalf("field of %d characters", n)
				}
			}
		}
	}
	last := m.Blocks[len(m.Blocks)-1]
	els, _ := last["elements"].([]any)
	if last["type"] != "actions" || len(els) != 1 {
		t.Fatalf("last block: %+v", last)
	}
	btn := els[0].(map[string]any)
	if n := len([]rune(btn["text"].(map[string]any)["text"].(string))); n > slack.MaxButtonText || btn["value"] != "ack INC-1" {
		t.Fatalf("button: %+v", btn)
	}
	if ctx := m.Blocks[len(m.Blocks)-2]; ctx["type"] != "context" || !strings.Contains(fmt.Sprint(ctx), "https://herald.test/app/incidents/INC-1") {
		t.Fatalf("the rest is not pointed to: %+v", ctx)
	}
	if !strings.Contains(fmt.Sprint(m.Blocks[0]), "a&amp;b &lt;c&gt;") {
		t.Fatalf("not escaped: %v", m.Blocks[0])
	}
	// A short reply is as it was.
	small := slack.Render(herald.ChatReply{Text: "ok", Actions: []herald.ChatAction{{ID: "publish", Label: "Publish", Command: "status INC-1 hi", Confirm: true, Style: "primary"}}})
	if len(small.Blocks) != 2 || !strings.Contains(fmt.Sprint(small.Blocks[1]), "confirm:status INC-1 hi") {
		t.Fatalf("small: %+v", small)
	}
}

// R07: a Slack contact method whose target is a member id is a direct
// message from Herald's app (conversations.open, chat.postMessage) with
// the page's text and its link as a button; a webhook URL stays a webhook;
// without a connection it fails with the reason.
func TestRule07_SlackDirectMessageContactMethod(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		r := &notify.Router{SlackDM: slack.DM{Store: e.db.Chat, API: e.slack.srv.URL + "/api/"}}
		err := r.Send(e.ctx, notify.Message{Kind: "slack", Target: "U0BOB", Subject: "[Herald] Paged: INC-4", Text: "You are paged (level 1): DB down", URL: "https://herald.test/ack/x"})
		if err != nil {
			t.Fatal(err)
		}
		open, posts := e.slack.called("conversations.open"), e.slack.called("chat.postMessage")
		if len(open) != 1 || open[0].Args["users"] != "U0BOB" || len(posts) != 1 || posts[0].Args["channel"] != "DM1" {
			t.Fatalf("open %+v posts %+v", open, posts)
		}
		if b, _ := json.Marshal(posts[0].Args["blocks"]); !strings.Contains(string(b), "DB down") || !strings.Contains(string(b), "https://herald.test/ack/x") {
			t.Fatalf("dm: %s", b)
		}
		for _, c := range []struct {
			target string
			ok     bool
		}{{"U0123ABCD", true}, {"https://hooks.slack.com/services/T/B/X", true}, {"u0123", false}, {"#general", false}} {
			in := herald.ContactMethodInput{Kind: "slack", Target: c.target}
			if err := in.Normalize(); (err == nil) != c.ok {
				t.Errorf("target %q: %v", c.target, err)
			}
		}
		none := testdb.Open(t, d, e.clock)
		if err := (slack.DM{Store: none.Chat}).Send(e.ctx, notify.Message{Kind: "slack", Target: "U2", Text: "x"}); err == nil || !strings.Contains(err.Error(), "not connected") {
			t.Fatalf("unconnected: %v", err)
		}
	})
}
