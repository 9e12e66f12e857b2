package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Client calls the Mattermost REST API v4 routes Herald needs with the bot
// account's access token.
type Client struct {
	// URL is the server's address (https://mattermost.example.com).
	URL   string
	Token string
	HTTP  *http.Client
}

// AppError is Mattermost's error answer: {id, message, status_code}.
type AppError struct {
	Route      string `json:"-"`
	ID         string `json:"id"`
	Message    string `json:"message"`
	StatusCode int    `json:"status_code"`
}

func (e *AppError) Error() string {
	return fmt.Sprintf("mattermost %s: HTTP %d %s (%s)", e.Route, e.StatusCode, e.Message, e.ID)
}

// ChannelExists is the error id Mattermost answers (400) when a channel of
// that name exists in the team.
const ChannelExists = "store.sql_channel.save_channel.exists.app_error"

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// call sends a request to an API route with the bot token and decodes the
// answer into out. 429 is a *herald.ChatRateLimited; another status that is
// not 2xx an *AppError.
func (c *Client) call(ctx context.Context, method, route string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+"/api/v4"+route, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	return c.do(req, route, out)
}

// do sends a request and decodes its answer; route names it in errors.
func (c *Client) do(req *http.Request, route string, out any) error {
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("mattermost %s: %w", route, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode == http.StatusTooManyRequests {
		return &herald.ChatRateLimited{After: retryAfter(resp.Header)}
	}
	if resp.StatusCode/100 != 2 {
		ae := &AppError{}
		// A body that is not Mattermost's error (a proxy's page) leaves the
		// id empty: the route and status still say what failed.
		_ = json.Unmarshal(raw, ae)
		ae.Route, ae.StatusCode = route, resp.StatusCode
		return ae
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("mattermost %s: unreadable answer: %w", route, err)
	}
	return nil
}

// retryAfter reads Retry-After, or Mattermost's X-Ratelimit-Reset, in
// seconds; a missing or odd one is a second, a huge one an hour.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		v = h.Get("X-Ratelimit-Reset")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return time.Second
	}
	return min(time.Duration(n)*time.Second, time.Hour)
}

// User is what Herald reads of a Mattermost user.
type User struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	IsBot         bool   `json:"is_bot"`
}

// User reads a user by id (GET /users/{id}).
func (c *Client) User(ctx context.Context, id string) (User, error) {
	var u User
	return u, c.call(ctx, "GET", "/users/"+url.PathEscape(id), nil, &u)
}

// UserByUsername reads a user by their username (GET /users/username/{name}).
func (c *Client) UserByUsername(ctx context.Context, name string) (User, error) {
	var u User
	return u, c.call(ctx, "GET", "/users/username/"+url.PathEscape(name), nil, &u)
}

// Me is the bot account itself (GET /users/me).
func (c *Client) Me(ctx context.Context) (User, error) {
	var u User
	return u, c.call(ctx, "GET", "/users/me", nil, &u)
}

// Channel is what Herald reads of a channel.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateChannel makes a public channel in a team and answers its id; when
// the name is taken in the team (400, ChannelExists) it answers that
// channel's id (GET /teams/{team}/channels/name/{name}).
func (c *Client) CreateChannel(ctx context.Context, team, name, display string) (string, error) {
	var ch Channel
	err := c.call(ctx, "POST", "/channels", map[string]any{"team_id": team, "name": name, "display_name": display, "type": "O"}, &ch)
	if ae, ok := err.(*AppError); ok && ae.ID == ChannelExists {
		err = c.call(ctx, "GET", "/teams/"+url.PathEscape(team)+"/channels/name/"+url.PathEscape(name), nil, &ch)
	}
	return ch.ID, err
}

// AddMember adds a user to a channel (POST /channels/{id}/members); a
// member already is no error (Mattermost answers the membership).
func (c *Client) AddMember(ctx context.Context, channel, user string) error {
	return c.call(ctx, "POST", "/channels/"+url.PathEscape(channel)+"/members", map[string]any{"user_id": user}, &struct{}{})
}

// DirectChannel opens (or finds) the direct channel of two users
// (POST /channels/direct).
func (c *Client) DirectChannel(ctx context.Context, a, b string) (string, error) {
	var ch Channel
	return ch.ID, c.call(ctx, "POST", "/channels/direct", []string{a, b}, &ch)
}

// CreatePost posts in a channel and answers the post's id (POST /posts).
func (c *Client) CreatePost(ctx context.Context, p Post) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	return out.ID, c.call(ctx, "POST", "/posts", p, &out)
}

// PatchPost edits a post in place (PUT /posts/{id}/patch): its message and
// props (the attachments) are replaced.
func (c *Client) PatchPost(ctx context.Context, id string, p Post) error {
	return c.call(ctx, "PUT", "/posts/"+url.PathEscape(id)+"/patch", map[string]any{"message": p.Message, "props": p.Props}, &struct{}{})
}

// Respond answers a slash command through its response_url: a POST of the
// command response (JSON) to the Mattermost server, which posts it. The
// URL is on the connected server, or is a command response URL
// (/hooks/commands/...) on Mattermost's Site URL, which may differ from
// the address Herald calls; it carries no credential of Herald's.
func (c *Client) Respond(ctx context.Context, responseURL string, resp CommandResponse) error {
	u, err := url.Parse(responseURL)
	s, _ := url.Parse(c.URL)
	onServer := err == nil && s != nil && u.Scheme == s.Scheme && u.Host == s.Host
	hook := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && strings.HasPrefix(u.Path, "/hooks/commands/")
	if !onServer && !hook {
		return fmt.Errorf("mattermost response_url %q is not a command response URL", responseURL)
	}
	b, _ := json.Marshal(resp)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, "response_url", nil)
}
