// Package mmtest is a Mattermost server for tests: it reproduces the parts
// of Mattermost's documented REST API v4 that Herald calls, the requests
// Mattermost itself makes to an integration (a slash command, a button
// press, an outgoing webhook), its incoming webhooks and its limits.
//
// No real Mattermost server can run where Herald's tests run: the Go
// module proxy refuses github.com/mattermost/mattermost/server/v8 (and
// server/public, and mattermost-server/v5), and neither Debian nor npm
// has a Mattermost server (npm has only the client libraries). So the
// payloads here follow Mattermost's own model types (CommandResponse,
// PostActionIntegrationRequest and Response, OutgoingWebhookPayload,
// AppError, Post, Channel, User) and its rules: a post's message is at
// most 16,383 characters and its props 800,000; a channel's name is 1 to
// 64 characters of a-z, 0-9, - and _ and unique in its team (a second one
// is refused 400 store.sql_channel.save_channel.exists.app_error); a
// button's id must be letters and digits (the route
// /api/v4/posts/{post_id}/actions/{action_id} takes nothing else); a
// button press posts the context stored with the post, as Mattermost
// does, and applies the answer's update to the post.
package mmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Limits, as Mattermost's.
const (
	MaxMessage = 16383
	MaxProps   = 800000
)

// User is a Mattermost user.
type User struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	IsBot         bool   `json:"is_bot,omitempty"`
}

// Channel is a Mattermost channel.
type Channel struct {
	ID          string `json:"id"`
	TeamID      string `json:"team_id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"`
}

// Post is a stored post.
type Post struct {
	ID        string         `json:"id"`
	ChannelID string         `json:"channel_id"`
	UserID    string         `json:"user_id"`
	Message   string         `json:"message"`
	Props     map[string]any `json:"props,omitempty"`
	Edits     int            `json:"-"`
}

// Call is one API request the server received.
type Call struct {
	Method, Path string
	Body         json.RawMessage
}

// Server is the test Mattermost.
type Server struct {
	// Token is the bot's access token the API takes; TeamID the team.
	Token, TeamID string
	Bot           User
	URL           string
	srv           *httptest.Server

	mu       sync.Mutex
	n        int
	users    map[string]User
	channels map[string]*Channel
	members  map[string]map[string]bool
	posts    map[string]*Post
	order    []string
	calls    []Call
	// Responses are the command responses posted to response URLs.
	responses []map[string]any
	// Hooks are the payloads posted to incoming webhooks, by hook id.
	hooks map[string][]map[string]any
	// limitOnce answers the next POST /posts 429.
	limitOnce bool
}

// New starts a test Mattermost with a team and a bot account.
func New(t testing.TB) *Server {
	s := &Server{Token: "mmbottoken0123456789abcd", users: map[string]User{}, channels: map[string]*Channel{}, members: map[string]map[string]bool{},
		posts: map[string]*Post{}, hooks: map[string][]map[string]any{}}
	s.TeamID = s.id("tm")
	s.Bot = User{ID: s.id("bt"), Username: "herald", IsBot: true}
	s.users[s.Bot.ID] = s.Bot
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// id makes a Mattermost id: 26 lower case letters and digits.
func (s *Server) id(prefix string) string {
	s.n++
	return fmt.Sprintf("%s%024d", prefix, s.n)
}

// AddUser adds a user and answers their id.
func (s *Server) AddUser(username, email string, verified bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{ID: s.id("us"), Username: username, Email: email, EmailVerified: verified}
	s.users[u.ID] = u
	return u.ID
}

// ChannelNames are the team's channels' names, sorted.
func (s *Server) ChannelNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.channels {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// AddChannel adds a public channel of the team and answers its id.
func (s *Server) AddChannel(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Channel{ID: s.id("ch"), TeamID: s.TeamID, Name: name, DisplayName: name, Type: "O"}
	s.channels[c.ID] = c
	return c.ID
}

// LimitOnce makes the next POST /posts answer 429 with Retry-After.
func (s *Server) LimitOnce() {
	s.mu.Lock()
	s.limitOnce = true
	s.mu.Unlock()
}

// Calls lists the API calls made to a route pattern ("POST /channels").
func (s *Server) Calls(method, prefix string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// Posts lists the posts of a channel, oldest first.
func (s *Server) Posts(channel string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, id := range s.order {
		if p := s.posts[id]; p.ChannelID == channel {
			out = append(out, *p)
		}
	}
	return out
}

// Channel finds a channel by name.
func (s *Server) Channel(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.Name == name {
			return *c, true
		}
	}
	return Channel{}, false
}

// Members lists a channel's members.
func (s *Server) Members(channel string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for u := range s.members[channel] {
		out[u] = true
	}
	return out
}

// Responses are the command responses posted to response URLs.
func (s *Server) Responses() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.responses...)
}

// IncomingHook makes an incoming webhook and answers its URL.
func (s *Server) IncomingHook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id("wh")
	s.hooks[id] = nil
	return s.URL + "/hooks/" + id
}

// Hook lists what an incoming webhook received.
func (s *Server) Hook(hookURL string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hooks[hookURL[strings.LastIndexByte(hookURL, '/')+1:]]
}

// appError answers as Mattermost's AppError.
func appError(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "message": msg, "detailed_error": "", "request_id": "req", "status_code": status})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var (
	channelNameRE = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	actionIDRE    = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	idRE          = `([a-z0-9]{26})`
	routes        = []struct {
		method string
		re     *regexp.Regexp
		name   string
	}{
		{"POST", regexp.MustCompile(`^/api/v4/channels$`), "createChannel"},
		{"POST", regexp.MustCompile(`^/api/v4/channels/direct$`), "direct"},
		{"GET", regexp.MustCompile(`^/api/v4/teams/` + idRE + `/channels/name/([^/]+)$`), "channelByName"},
		{"POST", regexp.MustCompile(`^/api/v4/channels/` + idRE + `/members$`), "addMember"},
		{"POST", regexp.MustCompile(`^/api/v4/posts$`), "createPost"},
		{"PUT", regexp.MustCompile(`^/api/v4/posts/` + idRE + `/patch$`), "patchPost"},
		{"GET", regexp.MustCompile(`^/api/v4/users/me$`), "me"},
		{"GET", regexp.MustCompile(`^/api/v4/users/username/([^/]+)$`), "userByName"},
		{"GET", regexp.MustCompile(`^/api/v4/users/` + idRE + `$`), "user"},
	}
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/hooks/") {
		s.hook(w, r, body)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		appError(w, 401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
		return
	}
	s.calls = append(s.calls, Call{r.Method, strings.TrimPrefix(r.URL.Path, "/api/v4"), body})
	for _, rt := range routes {
		m := rt.re.FindStringSubmatch(r.URL.Path)
		if m == nil || rt.method != r.Method {
			continue
		}
		s.route(w, rt.name, m[1:], body)
		return
	}
	appError(w, 404, "api.context.404.app_error", "Sorry, we could not find the page.")
}

func (s *Server) route(w http.ResponseWriter, name string, args []string, body []byte) {
	switch name {
	case "createChannel":
		var c Channel
		if err := json.Unmarshal(body, &c); err != nil {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing channel in request body.")
			return
		}
		if c.TeamID != s.TeamID {
			appError(w, 403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
			return
		}
		if !channelNameRE.MatchString(c.Name) || c.DisplayName == "" || utf8.RuneCountInString(c.DisplayName) > 64 || (c.Type != "O" && c.Type != "P") {
			appError(w, 400, "model.channel.is_valid.name.app_error", "Invalid channel name.")
			return
		}
		for _, o := range s.channels {
			if o.TeamID == c.TeamID && o.Name == c.Name {
				appError(w, 400, "store.sql_channel.save_channel.exists.app_error", "A channel with that name already exists on the same team.")
				return
			}
		}
		c.ID = s.id("ch")
		s.channels[c.ID] = &c
		s.members[c.ID] = map[string]bool{s.Bot.ID: true}
		reply(w, 201, c)
	case "channelByName":
		for _, c := range s.channels {
			if c.TeamID == args[0] && c.Name == args[1] {
				reply(w, 200, c)
				return
			}
		}
		appError(w, 404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")
	case "addMember":
		var in struct {
			UserID string `json:"user_id"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing body in request body.")
			return
		}
		if _, ok := s.channels[args[0]]; !ok {
			appError(w, 404, "app.channel.get.existing.app_error", "Unable to find the existing channel.")
			return
		}
		if _, ok := s.users[in.UserID]; !ok {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing user_id in request body.")
			return
		}
		if s.members[args[0]] == nil {
			s.members[args[0]] = map[string]bool{}
		}
		s.members[args[0]][in.UserID] = true
		reply(w, 201, map[string]any{"channel_id": args[0], "user_id": in.UserID})
	case "direct":
		var ids []string
		if err := json.Unmarshal(body, &ids); err != nil || len(ids) != 2 {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing user_ids in request body.")
			return
		}
		for _, id := range ids {
			if _, ok := s.users[id]; !ok {
				appError(w, 400, "api.channel.create_direct_channel.invalid_user.app_error", "Invalid user ID for direct channel creation.")
				return
			}
		}
		a, b := ids[0], ids[1]
		if a > b {
			a, b = b, a
		}
		name := a + "__" + b
		for _, c := range s.channels {
			if c.Name == name {
				reply(w, 201, c)
				return
			}
		}
		c := &Channel{ID: s.id("dm"), Name: name, Type: "D"}
		s.channels[c.ID] = c
		s.members[c.ID] = map[string]bool{a: true, b: true}
		reply(w, 201, c)
	case "createPost":
		if s.limitOnce {
			s.limitOnce = false
			w.Header().Set("Retry-After", "7")
			w.Header().Set("X-Ratelimit-Reset", "7")
			appError(w, 429, "api.context.rate_limit.app_error", "Too many requests")
			return
		}
		var p Post
		if err := json.Unmarshal(body, &p); err != nil {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing post in request body.")
			return
		}
		if _, ok := s.channels[p.ChannelID]; !ok {
			appError(w, 403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
			return
		}
		if id, msg := checkPost(p.Message, p.Props); id != "" {
			appError(w, 400, id, msg)
			return
		}
		p.ID, p.UserID = s.id("po"), s.Bot.ID
		s.posts[p.ID] = &p
		s.order = append(s.order, p.ID)
		reply(w, 201, p)
	case "patchPost":
		p, ok := s.posts[args[0]]
		if !ok {
			appError(w, 404, "app.post.get.app_error", "Unable to get the post.")
			return
		}
		var in struct {
			Message *string         `json:"message"`
			Props   *map[string]any `json:"props"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			appError(w, 400, "api.context.invalid_body_param.app_error", "Invalid or missing body in request body.")
			return
		}
		msg, props := p.Message, p.Props
		if in.Message != nil {
			msg = *in.Message
		}
		if in.Props != nil {
			props = *in.Props
		}
		if id, m := checkPost(msg, props); id != "" {
			appError(w, 400, id, m)
			return
		}
		p.Message, p.Props = msg, props
		p.Edits++
		reply(w, 200, p)
	case "me":
		reply(w, 200, s.Bot)
	case "user":
		u, ok := s.users[args[0]]
		if !ok {
			appError(w, 404, "app.user.missing_account.const", "Unable to find the user.")
			return
		}
		reply(w, 200, u)
	case "userByName":
		for _, u := range s.users {
			if u.Username == args[0] {
				reply(w, 200, u)
				return
			}
		}
		appError(w, 404, "app.user.get_by_username.app_error", "Unable to find an existing account matching your username for this team.")
	}
}

// checkPost is Post.IsValid's checks of a message and its props: an
// error id and message, or "".
func checkPost(message string, props map[string]any) (string, string) {
	if utf8.RuneCountInString(message) > MaxMessage {
		return "model.post.is_valid.msg.app_error", "Invalid Message."
	}
	raw, _ := json.Marshal(props)
	if utf8.RuneCount(raw) > MaxProps {
		return "model.post.is_valid.props.app_error", "Invalid Props."
	}
	atts, _ := props["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, x := range acts {
			act, _ := x.(map[string]any)
			if id, _ := act["id"].(string); !actionIDRE.MatchString(id) {
				return "model.post.is_valid.action_id.app_error", "A button's id must be letters and digits: " + id
			}
			if n, _ := act["name"].(string); n == "" {
				return "model.post.is_valid.action_name.app_error", "A button needs a name."
			}
			integ, _ := act["integration"].(map[string]any)
			if u, _ := integ["url"].(string); u == "" {
				return "model.post.is_valid.action_url.app_error", "A button needs an integration URL."
			}
		}
	}
	return "", ""
}

// hook takes an incoming webhook's post (/hooks/{id}) or a command
// response (/hooks/commands/{id}), as Mattermost does: JSON, or a form
// with a payload field.
func (s *Server) hook(w http.ResponseWriter, r *http.Request, body []byte) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		v, _ := url.ParseQuery(string(body))
		body = []byte(v.Get("payload"))
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		appError(w, 400, "api.webhook.incoming.invalid_body.app_error", "Unable to parse the payload.")
		return
	}
	text, _ := m["text"].(string)
	props, _ := m["props"].(map[string]any)
	if atts, ok := m["attachments"]; ok {
		if props == nil {
			props = map[string]any{}
		}
		props["attachments"] = atts
	}
	if id, msg := checkPost(text, props); id != "" {
		appError(w, 400, id, msg)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/hooks/commands/"); ok && rest != "" {
		s.responses = append(s.responses, m)
		reply(w, 200, map[string]string{"status": "OK"})
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/hooks/")
	if _, ok := s.hooks[id]; !ok {
		appError(w, 400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
		return
	}
	if text == "" && props["attachments"] == nil {
		appError(w, 400, "web.incoming_webhook.text.app_error", "No text specified.")
		return
	}
	s.hooks[id] = append(s.hooks[id], m)
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}

// Slash sends a slash command to an integration URL as Mattermost does: a
// form with the command's token (also in Authorization: Token), the team,
// channel and user, and a response URL on this server. It answers the
// HTTP status and the command response.
func (s *Server) Slash(t testing.TB, to, token, user, channel, text string) (int, map[string]any) {
	t.Helper()
	s.mu.Lock()
	u := s.users[user]
	rid := s.id("rs")
	s.mu.Unlock()
	f := url.Values{"channel_id": {channel}, "channel_name": {"town-square"}, "command": {"/herald"}, "response_url": {s.URL + "/hooks/commands/" + rid},
		"team_domain": {"ops"}, "team_id": {s.TeamID}, "text": {text}, "token": {token}, "trigger_id": {"trig" + rid}, "user_id": {user}, "user_name": {u.Username}}
	return s.send(t, to, "application/x-www-form-urlencoded", []byte(f.Encode()), token)
}

// SlashForm sends a slash command's form as given (for forged ones).
func (s *Server) SlashForm(t testing.TB, to string, f url.Values, authToken string) (int, map[string]any) {
	t.Helper()
	return s.send(t, to, "application/x-www-form-urlencoded", []byte(f.Encode()), authToken)
}

// Outgoing sends an outgoing webhook's post as Mattermost does (a form).
func (s *Server) Outgoing(t testing.TB, to, token, user, channel, text string) (int, map[string]any) {
	t.Helper()
	s.mu.Lock()
	u := s.users[user]
	pid := s.id("po")
	s.mu.Unlock()
	word := strings.SplitN(text, " ", 2)[0]
	f := url.Values{"token": {token}, "team_id": {s.TeamID}, "team_domain": {"ops"}, "channel_id": {channel}, "channel_name": {"inc"}, "timestamp": {"1700000000000"},
		"user_id": {user}, "user_name": {u.Username}, "post_id": {pid}, "text": {text}, "trigger_word": {word}, "file_ids": {""}}
	return s.send(t, to, "application/x-www-form-urlencoded", []byte(f.Encode()), "")
}

func (s *Server) send(t testing.TB, to, ctype string, body []byte, authToken string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", to, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	if authToken != "" {
		req.Header.Set("Authorization", "Token "+authToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s answered 200 with no JSON: %q", to, raw)
		}
	} else {
		m = map[string]any{"error": string(raw)}
	}
	return resp.StatusCode, m
}

// Click presses a post's button as a user, as Mattermost does: it posts
// the context stored with the button to the button's integration URL (a
// PostActionIntegrationRequest) and applies the answer's update to the
// post. It answers the HTTP status and the integration's response.
func (s *Server) Click(t testing.TB, postID, label, user string) (int, map[string]any) {
	t.Helper()
	s.mu.Lock()
	p, ok := s.posts[postID]
	var act map[string]any
	if ok {
		atts, _ := p.Props["attachments"].([]any)
		for _, a := range atts {
			acts, _ := a.(map[string]any)["actions"].([]any)
			for _, x := range acts {
				if m := x.(map[string]any); m["name"] == label {
					act = m
				}
			}
		}
	}
	var channel string
	if ok {
		channel = p.ChannelID
	}
	u := s.users[user]
	s.mu.Unlock()
	if act == nil {
		t.Fatalf("post %s has no button %q", postID, label)
	}
	integ := act["integration"].(map[string]any)
	return s.Press(t, integ["url"].(string), postID, channel, user, u.Username, integ["context"])
}

// Press posts a button press with the context given (for forged ones).
func (s *Server) Press(t testing.TB, to, postID, channel, user, userName string, context any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"user_id": user, "user_name": userName, "channel_id": channel, "channel_name": "inc", "team_id": s.TeamID,
		"team_domain": "ops", "post_id": postID, "trigger_id": "trig", "type": "button", "data_source": "", "context": context})
	code, m := s.send(t, to, "application/json", body, "")
	if code == 200 {
		if up, ok := m["update"].(map[string]any); ok {
			s.mu.Lock()
			if p, ok := s.posts[postID]; ok {
				if msg, ok := up["message"].(string); ok {
					p.Message = msg
				}
				if props, ok := up["props"].(map[string]any); ok {
					p.Props = props
				}
				p.Edits++
			}
			s.mu.Unlock()
		}
	}
	return code, m
}

// StoredPost reads a post.
func (s *Server) StoredPost(id string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return Post{}, false
	}
	return *p, true
}
