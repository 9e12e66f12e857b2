package mattermost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatflow"
	"github.com/heraldhq/herald/internal/chatops"
)

// Store is what the integration keeps: its connection and the chat lane.
type Store interface {
	herald.ChatOutbox
	herald.ChatConnections
}

// App is Herald's Mattermost integration: the three URLs Mattermost calls
// (Commands, Actions, Webhook) and the chat lane's sender (SendChat).
type App struct {
	Exec  *chatops.Executor
	Store Store
	HTTP  *http.Client
	Log   *slog.Logger
	// Now is the clock (direct message keys); nil is time.Now.
	Now func() time.Time
	// Wait is how long a command or a button may run before Mattermost is
	// answered "working on it" and the answer follows on the chat lane
	// (default 2 s; Mattermost waits up to its outgoing integration
	// timeout, 30 s by default, but a person should not).
	Wait time.Duration
	// ActionsURL is the URL Herald's buttons post to; empty is the
	// executor's base URL and ActionsPath.
	ActionsURL string

	wg  sync.WaitGroup
	bot sync.Map // server URL -> the bot account's user id
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *App) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

func (a *App) client(cr herald.MattermostCredentials) *Client {
	return &Client{URL: cr.ServerURL, Token: cr.BotToken, HTTP: a.HTTP}
}

func (a *App) actionsURL() string {
	if a.ActionsURL != "" {
		return a.ActionsURL
	}
	return a.Exec.Links.Base() + ActionsPath
}

func (a *App) buttons(cr herald.MattermostCredentials, channel string) Buttons {
	return Buttons{URL: a.actionsURL(), Key: cr.ButtonKey, Channel: channel}
}

func (a *App) wait() time.Duration {
	if a.Wait > 0 {
		return a.Wait
	}
	return 2 * time.Second
}

// Drain waits for the work requests left running after their answer.
func (a *App) Drain() { a.wg.Wait() }

// maxBody bounds what a Mattermost request may carry.
const maxBody = 1 << 20

// credentials reads the connection: false (and 503) when Mattermost is not
// connected.
func (a *App) credentials(w http.ResponseWriter, r *http.Request) (herald.MattermostCredentials, bool) {
	cr, err := a.Store.MattermostCredentials(r.Context())
	if err != nil {
		if herald.ErrorCode(err) != herald.ENotFound {
			a.log().Error("mattermost: reading the connection failed", "err", err)
		}
		http.Error(w, "Mattermost is not connected to Herald", http.StatusServiceUnavailable)
		return cr, false
	}
	return cr, true
}

// form reads a request's fields: a form (what slash commands and outgoing
// webhooks send by default) or a JSON object (an outgoing webhook set to
// application/json).
func form(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "not a JSON object", http.StatusBadRequest)
			return nil, false
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, true
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "not a form", http.StatusBadRequest)
		return nil, false
	}
	return v, true
}

// token is the request's token: the form's, or the Authorization header's
// ("Token x", which Mattermost sends too).
func token(r *http.Request, f url.Values) string {
	if t := f.Get("token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// command is one thing a person asked of Herald in Mattermost.
type command struct {
	User, UserName, Channel, ResponseURL, Text string
	Confirm                                    bool
}

// Commands is the /herald slash command's request URL. The token is
// checked (401 missing or wrong, 503 not connected, 403 from another
// team), the text runs through the grammar as the Mattermost user's
// Herald account, and Mattermost is answered within Wait: with the reply,
// or "working on it" and the reply through the response URL on the chat
// lane.
func (a *App) Commands(w http.ResponseWriter, r *http.Request) {
	cr, ok := a.credentials(w, r)
	if !ok {
		return
	}
	f, ok := form(w, r)
	if !ok {
		return
	}
	if err := CheckToken(cr.CommandTokens, token(r, f)); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if f.Get("team_id") != cr.TeamID {
		http.Error(w, ErrWrongTeam.Error(), http.StatusForbidden)
		return
	}
	if f.Get("user_id") == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	c := command{User: f.Get("user_id"), UserName: f.Get("user_name"), Channel: f.Get("channel_id"), ResponseURL: f.Get("response_url"), Text: strings.TrimSpace(f.Get("text"))}
	reply, late := a.race(r, func(ctx context.Context) herald.ChatReply { return a.run(ctx, cr, c) }, func(ctx context.Context, reply herald.ChatReply) {
		a.respond(ctx, c.ResponseURL, c.Channel, reply)
	})
	if late {
		reply = herald.ChatReply{Text: "Working on it: Herald answers here in a moment.", Private: true}
	}
	typ := "in_channel"
	if reply.Private {
		typ = "ephemeral"
	}
	p := Render(reply, a.buttons(cr, c.Channel))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(CommandResponse{ResponseType: typ, Text: p.Message, Props: p.Props, SkipSlackParsing: true})
}

// race runs fn and answers its reply when it is done within Wait; when it
// is not, it answers late=true at once, and later hands the reply to
// after.
func (a *App) race(r *http.Request, fn func(ctx context.Context) herald.ChatReply, after func(ctx context.Context, reply herald.ChatReply)) (herald.ChatReply, bool) {
	var settled atomic.Bool
	done := make(chan herald.ChatReply, 1)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		reply := fn(ctx)
		if settled.CompareAndSwap(false, true) {
			done <- reply
			return
		}
		after(ctx, reply)
	}()
	timer := time.NewTimer(a.wait())
	defer timer.Stop()
	select {
	case reply := <-done:
		return reply, false
	case <-timer.C:
		if settled.CompareAndSwap(false, true) {
			return herald.ChatReply{}, true
		}
		return <-done, false
	}
}

// respond sends a late answer through the response URL, on the chat lane;
// the channel (Name) is what its buttons are signed for.
func (a *App) respond(ctx context.Context, responseURL, channel string, reply herald.ChatReply) {
	if responseURL == "" {
		return
	}
	sum := sha256.Sum256([]byte(responseURL + "\x00" + reply.Text))
	a.queue(ctx, herald.ChatMessage{Key: "mattermost:respond:" + hex.EncodeToString(sum[:12]), Kind: herald.ChatRespond,
		Channel: responseURL, Name: channel, Incident: reply.Incident, Reply: reply})
}

// run identifies the person and runs the command, and starts what follows
// from it in Mattermost (an incident's channel, its message edited in
// place).
func (a *App) run(ctx context.Context, cr herald.MattermostCredentials, c command) herald.ChatReply {
	actor, reply, err := a.identify(ctx, cr, c.User, c.UserName)
	if err != nil {
		a.log().Error("mattermost: identifying a person failed", "err", err)
		return chatops.ErrorReply(err)
	}
	if reply != nil {
		return *reply
	}
	_, out := a.flow().Run(ctx, actor, c.Text, chatops.Request{Channel: c.Channel, Confirm: c.Confirm, Resolver: resolver{a: a, cr: cr}}, c.User)
	return out
}

// identify finds the Herald account of a Mattermost user: linked before,
// or by the e-mail address Mattermost has verified (GET /users/{id}), or
// the linking flow. A Mattermost user is one person on the whole server,
// so identities have no team.
func (a *App) identify(ctx context.Context, cr herald.MattermostCredentials, user, name string) (herald.Actor, *herald.ChatReply, error) {
	if u, err := a.Exec.Services.Chat.ChatUser(ctx, herald.ChatMattermost, "", user, ""); err == nil {
		return herald.Actor{User: u, Role: u.Role}, nil, nil
	} else if herald.ErrorCode(err) != herald.ENotFound {
		return herald.Actor{}, nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, time.Second)
	u, err := a.client(cr).User(lctx, user)
	cancel()
	if err != nil {
		a.log().Warn("mattermost: reading a user failed; offering the linking flow", "err", err)
	}
	email := ""
	if u.EmailVerified {
		email = u.Email
	}
	if name == "" {
		name = u.Username
	}
	return a.Exec.Identify(ctx, herald.ChatMattermost, "", user, name, email)
}

// resolver turns Mattermost mentions (@username) into Herald users.
type resolver struct {
	a  *App
	cr herald.MattermostCredentials
}

var mentionRE = regexp.MustCompile(`^@([a-z0-9._-]{1,64})$`)

func (r resolver) ResolveMention(ctx context.Context, mention string) (string, error) {
	m := mentionRE.FindStringSubmatch(strings.ToLower(mention))
	if m == nil {
		return chatops.UserResolver{People: r.a.Exec.Services.People}.ResolveMention(ctx, mention)
	}
	u, err := r.a.client(r.cr).UserByUsername(ctx, m[1])
	if err != nil {
		if ae, ok := err.(*AppError); ok && ae.StatusCode == http.StatusNotFound {
			// Not a Mattermost user: perhaps a Herald name (@alice).
			return chatops.UserResolver{People: r.a.Exec.Services.People}.ResolveMention(ctx, mention)
		}
		return "", err
	}
	actor, reply, err := r.a.identify(ctx, r.cr, u.ID, u.Username)
	if err != nil {
		return "", err
	}
	if reply != nil {
		return "", &herald.Error{Code: herald.EInvalid, Message: mention + " has no Herald account linked to Mattermost yet: they can link it by typing any /herald command",
			Fields: map[string]string{"person": "not linked"}}
	}
	return actor.User.ID, nil
}

// flow is the incident channel flow on Mattermost.
func (a *App) flow() *chatflow.Flow {
	return &chatflow.Flow{Exec: a.Exec, Store: a.Store, Platform: platform{a}, Log: a.log(), Connected: func(ctx context.Context) error {
		_, err := a.Store.MattermostCredentials(ctx)
		return err
	}}
}

// Flow is the incident channel flow on Mattermost, for the worker that
// keeps its incident cards up to date.
func (a *App) Flow() *chatflow.Flow { return a.flow() }

func (a *App) queue(ctx context.Context, m herald.ChatMessage) { a.flow().Queue(ctx, m) }

// SendChat sends one chat lane message to Mattermost (worker.ChatSender).
// A late answer goes to its response URL with its buttons signed for the
// channel the command came from (the message's Name).
func (a *App) SendChat(ctx context.Context, m herald.ChatMessage) (string, error) {
	if m.Kind == herald.ChatRespond {
		return "", platform{a}.respond(ctx, m.Channel, m.Name, m.Reply)
	}
	return a.flow().SendChat(ctx, m)
}
