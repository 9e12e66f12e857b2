package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
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
	text := c.Text
	if text == "" {
		text = "help"
	}
	cmd, err := herald.ParseChatCommand(text)
	if err != nil {
		return chatops.ErrorReply(err)
	}
	out, err := a.Exec.Execute(ctx, actor, cmd, chatops.Request{Text: text, Platform: herald.ChatSlack, Channel: c.Channel, Confirm: c.Confirm,
		Resolver: resolver{a: a, cr: cr, team: c.Team, ctx: ctx}})
	if err != nil {
		return chatops.ErrorReply(err)
	}
	// status without text opens the composer as a modal when Slack gave a
	// trigger; the answer is then empty (the modal is it).
	if cmd.Verb == herald.ChatStatus && cmd.Text == "" && c.TriggerID != "" && out.Composer != nil && a.openComposer(ctx, cr, actor, c, out.Incident) {
		return herald.ChatReply{}
	}
	if out.Incident != "" {
		if cmd.Verb == herald.ChatDeclare {
			a.startIncident(ctx, cr, out, c.User)
		} else {
			a.refreshIncident(ctx, cr, out.Incident)
		}
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

// Message keys on the chat lane: one per incident and purpose, so a
// repeat (a retried request) queues nothing new.
func channelKey(ref string) string  { return "slack:channel:" + ref }
func cardKey(ref string) string     { return "slack:card:" + ref }
func announceKey(ref string) string { return "slack:announce:" + ref }

// ChannelName is an incident's channel: inc-<N>-<slug>, at most 80
// characters (Slack's limit), lower case.
func ChannelName(inc *herald.Incident) string {
	prefix := "inc-" + strconv.FormatInt(inc.Number, 10)
	return prefix + "-" + herald.Slug(inc.Title, 80-len(prefix)-1)
}

// startIncident queues the incident's channel; when it exists (SendChat),
// the role holders are invited, the summary posted and the declaration
// announced.
func (a *App) startIncident(ctx context.Context, cr herald.SlackCredentials, reply herald.ChatReply, declarer string) {
	inc, err := a.Exec.Services.Incidents.Incident(ctx, reply.Incident)
	if err != nil {
		a.log().Error("slack: reading a declared incident failed", "err", err)
		return
	}
	m := herald.ChatMessage{Key: channelKey(inc.Reference), Platform: herald.ChatSlack, Kind: herald.ChatCreateChannel, Incident: inc.ID,
		Name: ChannelName(inc), Users: []string{declarer}, Announce: cr.AnnounceChannel, Reply: reply}
	if err := a.Store.QueueChat(ctx, m); err != nil {
		a.log().Error("slack: queueing an incident channel failed", "err", err)
	}
}

// refreshIncident edits the incident's message in place (in its channel
// and in the announcement), once they are posted.
func (a *App) refreshIncident(ctx context.Context, cr herald.SlackCredentials, ref string) {
	inc, err := a.Exec.Services.Incidents.Incident(ctx, ref)
	if err != nil {
		return
	}
	card := a.Exec.IncidentCard(inc)
	// The same card twice is the same edit: its content is the key.
	raw, _ := json.Marshal(card)
	sum := sha256.Sum256(raw)
	stamp := hex.EncodeToString(sum[:12])
	if ch, err := a.Store.ChatResult(ctx, channelKey(inc.Reference)); err == nil {
		if _, err := a.Store.ChatResult(ctx, cardKey(inc.Reference)); err == nil {
			a.queue(ctx, herald.ChatMessage{Key: cardKey(inc.Reference) + ":" + stamp, Kind: herald.ChatUpdate, Channel: ch, Incident: inc.ID, Ref: cardKey(inc.Reference), Reply: card})
		}
	}
	if cr.AnnounceChannel != "" {
		if _, err := a.Store.ChatResult(ctx, announceKey(inc.Reference)); err == nil {
			a.queue(ctx, herald.ChatMessage{Key: announceKey(inc.Reference) + ":" + stamp, Kind: herald.ChatUpdate, Channel: cr.AnnounceChannel, Incident: inc.ID,
				Ref: announceKey(inc.Reference), Reply: card})
		}
	}
}

func (a *App) queue(ctx context.Context, m herald.ChatMessage) {
	m.Platform = herald.ChatSlack
	if err := a.Store.QueueChat(ctx, m); err != nil {
		a.log().Error("slack: queueing a message failed", "kind", m.Kind, "err", err)
	}
}

// SendChat sends one chat lane message to Slack (worker.ChatSender).
func (a *App) SendChat(ctx context.Context, m herald.ChatMessage) (string, error) {
	cr, err := a.Store.SlackCredentials(ctx)
	if err != nil {
		return "", err
	}
	c := a.client(cr)
	switch m.Kind {
	case herald.ChatPost:
		return c.PostMessage(ctx, m.Channel, Render(m.Reply))
	case herald.ChatUpdate:
		return "", c.Update(ctx, m.Channel, m.Target, Render(m.Reply))
	case herald.ChatRespond:
		return "", c.Respond(ctx, m.Channel, Render(m.Reply), m.Reply.Private, false)
	case herald.ChatInvite:
		return "", c.Invite(ctx, m.Channel, m.Users)
	case herald.ChatDirect:
		ch, err := c.OpenDM(ctx, m.Channel)
		if err != nil {
			return "", err
		}
		return c.PostMessage(ctx, ch, Render(m.Reply))
	case herald.ChatCreateChannel:
		return a.createChannel(ctx, c, m)
	}
	return "", fmt.Errorf("slack cannot send a %q", m.Kind)
}

// createChannel makes an incident's channel, binds it to the incident and
// queues what goes in it: the people, the summary, the announcement.
func (a *App) createChannel(ctx context.Context, c *Client, m herald.ChatMessage) (string, error) {
	inc, err := a.Exec.Services.Incidents.Incident(ctx, m.Incident)
	if err != nil {
		return "", err
	}
	id, err := c.CreateChannel(ctx, m.Name)
	if err != nil {
		return "", err
	}
	if err := a.Exec.Services.Chat.BindChannel(ctx, herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: id, Incident: inc.ID}); err != nil {
		return id, err
	}
	users := map[string]bool{}
	for _, u := range m.Users {
		users[u] = true
	}
	for _, r := range inc.Roles {
		ids, err := a.Exec.Services.Chat.ChatIdentities(ctx, r.UserID)
		if err != nil {
			return id, err
		}
		for _, ci := range ids {
			if ci.Platform == herald.ChatSlack {
				users[ci.ChatUser] = true
			}
		}
	}
	var list []string
	for u := range users {
		list = append(list, u)
	}
	if len(list) > 0 {
		a.queue(ctx, herald.ChatMessage{Key: "slack:invite:" + inc.Reference, Kind: herald.ChatInvite, Channel: id, Incident: inc.ID, Users: list})
	}
	a.queue(ctx, herald.ChatMessage{Key: cardKey(inc.Reference), Kind: herald.ChatPost, Channel: id, Incident: inc.ID, Reply: m.Reply})
	if m.Announce != "" {
		ann := a.Exec.IncidentCard(inc)
		ann.Text = fmt.Sprintf("%s declared: %s. Join #%s.", inc.Reference, inc.Title, m.Name)
		a.queue(ctx, herald.ChatMessage{Key: announceKey(inc.Reference), Kind: herald.ChatPost, Channel: m.Announce, Incident: inc.ID, Reply: ann})
	}
	return id, nil
}
