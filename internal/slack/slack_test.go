package slack_test

// No Slack can run here: these tests run the app against fakeSlack, a test
// server that reproduces the Web API methods Herald calls (chat.postMessage,
// chat.update, conversations.create/invite/open/history, users.info) and a
// response URL, with Slack's answers ({"ok": ...}, 429 with Retry-After).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/links"
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
	srv       *httptest.Server
}

// users are the workspace: U1 is Alice, U2 Bob, U3 someone whose address
// Slack has not confirmed.
var users = map[string]struct {
	email     string
	confirmed bool
}{"U1": {"alice@example.com", true}, "U2": {"bob@example.com", true}, "U3": {"nobody@example.com", false}}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{history: map[string]string{}}
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
		json.Unmarshal(body, &m)
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
		json.Unmarshal(body, &args)
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
	case "conversations.create":
		ok(map[string]any{"channel": map[string]any{"id": "CINC" + strconv.Itoa(f.n), "name": args["name"]}})
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
