package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
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

// Store is what the app keeps: its connection and the chat lane.
type Store interface {
	herald.ChatOutbox
	herald.ChatConnections
}

// App is Herald's Slack app: the three request URLs of its manifest
// (Commands, Interactive, Events) and the chat lane's sender (SendChat).
type App struct {
	Exec  *chatops.Executor
	Store Store
	// API is the Web API's base URL (DefaultAPI when empty).
	API  string
	HTTP *http.Client
	Log  *slog.Logger
	// Now is the clock for the signature's age; nil is time.Now.
	Now func() time.Time
	// Wait is how long a slash command may run before Slack is answered
	// "working on it" and the answer follows through the response URL
	// (default 2 s: Slack gives up after 3).
	Wait time.Duration

	wg sync.WaitGroup
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

func (a *App) client(cr herald.SlackCredentials) *Client {
	return &Client{API: a.API, Token: cr.BotToken, HTTP: a.HTTP}
}

// Drain waits for the work requests left running after their answer.
func (a *App) Drain() { a.wg.Wait() }

// maxBody bounds what a Slack request may carry.
const maxBody = 1 << 20

// verified reads a request and checks its signature: 503 when Slack is not
// connected, 401 when the signature is missing, forged or stale.
func (a *App) verified(w http.ResponseWriter, r *http.Request) (herald.SlackCredentials, []byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return herald.SlackCredentials{}, nil, false
	}
	cr, err := a.Store.SlackCredentials(r.Context())
	if err != nil {
		if herald.ErrorCode(err) != herald.ENotFound {
			a.log().Error("slack: reading the connection failed", "err", err)
		}
		http.Error(w, "Slack is not connected to Herald", http.StatusServiceUnavailable)
		return cr, nil, false
	}
	if err := Verify(cr.SigningSecret, r.Header.Get("X-Slack-Request-Timestamp"), r.Header.Get("X-Slack-Signature"), body, a.now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return cr, nil, false
	}
	return cr, body, true
}

// command is one thing a person asked of Herald in Slack.
type command struct {
	Team, User, UserName, Channel, ResponseURL, Text string
	Confirm                                          bool
	// TriggerID lets the answer open a modal (status: the composer).
	TriggerID string
}

// Commands is the slash command's request URL: the command's text runs
// through the grammar as the Slack user's Herald account. Slack is
// answered within Wait: with the reply when the command is done, or with
// "working on it" and the reply through the response URL (the chat lane)
// when it is not.
func (a *App) Commands(w http.ResponseWriter, r *http.Request) {
	cr, body, ok := a.verified(w, r)
	if !ok {
		return
	}
	f, err := url.ParseQuery(string(body))
	if err != nil || f.Get("user_id") == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	c := command{Team: f.Get("team_id"), User: f.Get("user_id"), UserName: f.Get("user_name"), Channel: f.Get("channel_id"),
		ResponseURL: f.Get("response_url"), Text: strings.TrimSpace(f.Get("text")), TriggerID: f.Get("trigger_id")}
	// Whoever settles first answers: the command, done in time, in the
	// response; or the timer, with "working on it", and the command later
	// through the response URL.
	var settled atomic.Bool
	done := make(chan herald.ChatReply, 1)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		// Written straight into Slack's response, the reply is restricted
		// here as the chat lane restricts what it sends (R46).
		reply := chatops.RestrictReply(ctx, a.Store, a.run(ctx, cr, c))
		if settled.CompareAndSwap(false, true) {
			done <- reply
			return
		}
		a.respond(ctx, c.ResponseURL, reply)
	}()
	wait := a.Wait
	if wait <= 0 {
		wait = 2 * time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var reply herald.ChatReply
	select {
	case reply = <-done:
	case <-timer.C:
		if settled.CompareAndSwap(false, true) {
			reply = herald.ChatReply{Text: "Working on it: Herald answers here in a moment.", Private: true}
		} else {
			reply = <-done
		}
	}
	writeResponse(w, reply)
}

// respond sends a late answer through the response URL, on the chat lane.
func (a *App) respond(ctx context.Context, responseURL string, reply herald.ChatReply) {
	if responseURL == "" || reply.Text == "" { // nothing to say: a modal opened
		return
	}
	sum := sha256.Sum256([]byte(responseURL + "\x00" + reply.Text))
	m := herald.ChatMessage{Key: "slack:respond:" + hex.EncodeToString(sum[:12]), Platform: herald.ChatSlack, Kind: herald.ChatRespond,
		Channel: responseURL, Incident: reply.Incident, Reply: reply}
	if err := a.Store.QueueChat(ctx, m); err != nil {
		a.log().Error("slack: queueing an answer failed", "err", err)
	}
}

func writeResponse(w http.ResponseWriter, reply herald.ChatReply) {
	if reply.Text == "" { // a modal opened: an empty answer posts nothing
		w.WriteHeader(http.StatusOK)
		return
	}
	msg := Render(reply)
	typ := "in_channel"
	if reply.Private {
		typ = "ephemeral"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"response_type": typ, "text": msg.Text, "blocks": msg.Blocks})
}

// run identifies the person and runs the command, and starts what follows
// from it on Slack (an incident's channel, its message edited in place).
func (a *App) run(ctx context.Context, cr herald.SlackCredentials, c command) herald.ChatReply {
	actor, reply, err := a.identify(ctx, cr, c.Team, c.User, c.UserName)
	if err != nil {
		a.log().Error("slack: identifying a person failed", "err", err)
		return chatops.ErrorReply(err)
	}
	if reply != nil {
		return *reply
	}
	cmd, out := a.flow().Run(ctx, actor, c.Text, chatops.Request{Channel: c.Channel, Confirm: c.Confirm,
		Resolver: resolver{a: a, cr: cr, team: c.Team, ctx: ctx}}, c.User)
	// status without text opens the composer as a modal when Slack gave a
	// trigger; the answer is then empty (the modal is it).
	if cmd.Verb == herald.ChatStatus && cmd.Text == "" && c.TriggerID != "" && out.Composer != nil && a.openComposer(ctx, cr, actor, c, out.Incident) {
		return herald.ChatReply{}
	}
	return out
}

// identify finds the Herald account of a Slack user: linked before, or by
// the e-mail address Slack has confirmed (users.info), or the linking flow.
func (a *App) identify(ctx context.Context, cr herald.SlackCredentials, team, user, name string) (herald.Actor, *herald.ChatReply, error) {
	if u, err := a.Exec.Services.Chat.ChatUser(ctx, herald.ChatSlack, team, user, ""); err == nil {
		return herald.Actor{User: u, Role: u.Role}, nil, nil
	} else if herald.ErrorCode(err) != herald.ENotFound {
		return herald.Actor{}, nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, time.Second)
	email, slackName, err := a.client(cr).UserEmail(lctx, user)
	cancel()
	if err != nil {
		a.log().Warn("slack: users.info failed; offering the linking flow", "err", err)
	}
	if name == "" {
		name = slackName
	}
	return a.Exec.Identify(ctx, herald.ChatSlack, team, user, name, email)
}

// resolver turns Slack mentions (<@U123> or <@U123|name>) into Herald users.
type resolver struct {
	a    *App
	cr   herald.SlackCredentials
	team string
	ctx  context.Context
}

var mentionRE = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>$`)

func (r resolver) ResolveMention(ctx context.Context, mention string) (string, error) {
	m := mentionRE.FindStringSubmatch(mention)
	if m == nil {
		return chatops.UserResolver{People: r.a.Exec.Services.People}.ResolveMention(ctx, mention)
	}
	actor, reply, err := r.a.identify(ctx, r.cr, r.team, m[1], "")
	if err != nil {
		return "", err
	}
	if reply != nil {
		return "", &herald.Error{Code: herald.EInvalid, Message: mention + " has no Herald account linked to Slack yet: they can link it by typing any Herald command",
			Fields: map[string]string{"person": "not linked"}}
	}
	return actor.User.ID, nil
}

// flow is the incident channel flow on Slack.
func (a *App) flow() *chatflow.Flow {
	return &chatflow.Flow{Exec: a.Exec, Store: a.Store, Platform: platform{a}, Log: a.log(), Connected: func(ctx context.Context) error {
		_, err := a.Store.SlackCredentials(ctx)
		return err
	}}
}

// Flow is the incident channel flow on Slack, for the worker: it keeps
// the incident cards up to date whatever changed the incident.
func (a *App) Flow() *chatflow.Flow { return a.flow() }

func (a *App) queue(ctx context.Context, m herald.ChatMessage) { a.flow().Queue(ctx, m) }

// SendChat sends one chat lane message to Slack (worker.ChatSender).
func (a *App) SendChat(ctx context.Context, m herald.ChatMessage) (string, error) {
	return a.flow().SendChat(ctx, m)
}

// platform is Slack's Web API as the incident channel flow uses it.
type platform struct{ a *App }

func (platform) Name() string { return herald.ChatSlack }

func (p platform) client(ctx context.Context) (*Client, error) {
	cr, err := p.a.Store.SlackCredentials(ctx)
	if err != nil {
		return nil, err
	}
	return p.a.client(cr), nil
}

func (p platform) AnnounceChannel(ctx context.Context) (string, error) {
	cr, err := p.a.Store.SlackCredentials(ctx)
	return cr.AnnounceChannel, err
}

func (p platform) CreateChannel(ctx context.Context, name string) (string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return "", err
	}
	return c.CreateChannel(ctx, name)
}

func (p platform) Invite(ctx context.Context, channel string, users []string) error {
	c, err := p.client(ctx)
	if err != nil {
		return err
	}
	return c.Invite(ctx, channel, users)
}

func (p platform) Post(ctx context.Context, channel string, r herald.ChatReply) (string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return "", err
	}
	return c.PostMessage(ctx, channel, Render(r))
}

func (p platform) Update(ctx context.Context, channel, ts string, r herald.ChatReply) error {
	c, err := p.client(ctx)
	if err != nil {
		return err
	}
	return c.Update(ctx, channel, ts, Render(r))
}

func (p platform) Respond(ctx context.Context, responseURL string, r herald.ChatReply) error {
	c, err := p.client(ctx)
	if err != nil {
		return err
	}
	return c.Respond(ctx, responseURL, Render(r), r.Private, false)
}

func (p platform) Direct(ctx context.Context, user string, r herald.ChatReply) (string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return "", err
	}
	ch, err := c.OpenDM(ctx, user)
	if err != nil {
		return "", err
	}
	return c.PostMessage(ctx, ch, Render(r))
}

func (platform) ChannelMention(name, id string) string { return "#" + name }
