package slack

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

// DefaultAPI is Slack's Web API.
const DefaultAPI = "https://slack.com/api/"

// Client calls the Slack Web API methods Herald needs with the bot token.
type Client struct {
	// API is the Web API's base URL, ending in /; tests point it at their
	// own server.
	API   string
	Token string
	HTTP  *http.Client
}

// APIError is a Web API answer with "ok": false.
type APIError struct{ Method, Code string }

func (e *APIError) Error() string { return "slack " + e.Method + ": " + e.Code }

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// call posts a method's arguments as JSON (form-encoded when form is
// set: Slack's reading methods take only that) and decodes the answer
// into out. 429 is a *herald.ChatRateLimited with the Retry-After asked.
func (c *Client) call(ctx context.Context, method string, args map[string]any, form bool, out any) error {
	base := c.API
	if base == "" {
		base = DefaultAPI
	}
	var body io.Reader
	ctype := "application/json; charset=utf-8"
	if form {
		v := url.Values{}
		for k, a := range args {
			v.Set(k, fmt.Sprint(a))
		}
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	} else {
		b, err := json.Marshal(args)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+method, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	return c.do(req, method, out)
}

func (c *Client) do(req *http.Request, method string, out any) error {
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("slack %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusTooManyRequests {
		return &herald.ChatRateLimited{After: retryAfter(resp.Header.Get("Retry-After"))}
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("slack %s: HTTP %d", method, resp.StatusCode)
	}
	if out == nil { // a response_url answers "ok" as text
		return nil
	}
	var ok struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &ok); err != nil {
		return fmt.Errorf("slack %s: unreadable answer: %w", method, err)
	}
	if !ok.OK {
		return &APIError{Method: method, Code: ok.Error}
	}
	return json.Unmarshal(raw, out)
}

// retryAfter reads Retry-After in seconds; a missing or odd one is a
// second, a huge one an hour.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 1 {
		return time.Second
	}
	return min(time.Duration(n)*time.Second, time.Hour)
}

// PostMessage posts blocks in a channel and answers the message's ts.
func (c *Client) PostMessage(ctx context.Context, channel string, msg Message) (string, error) {
	var out struct {
		TS string `json:"ts"`
	}
	err := c.call(ctx, "chat.postMessage", map[string]any{"channel": channel, "text": msg.Text, "blocks": msg.Blocks, "unfurl_links": false}, false, &out)
	return out.TS, err
}

// Update edits a message in place.
func (c *Client) Update(ctx context.Context, channel, ts string, msg Message) error {
	return c.call(ctx, "chat.update", map[string]any{"channel": channel, "ts": ts, "text": msg.Text, "blocks": msg.Blocks}, false, &struct{}{})
}

// CreateChannel makes a public channel and answers its id. When the name
// is taken (a retry after Herald made the channel and crashed before
// recording it: the name is the incident's own), it answers the id of the
// channel of that name.
func (c *Client) CreateChannel(ctx context.Context, name string) (string, error) {
	var out struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	err := c.call(ctx, "conversations.create", map[string]any{"name": name}, false, &out)
	var ae *APIError
	if asAPIError(err, &ae) && ae.Code == "name_taken" {
		return c.ChannelByName(ctx, name)
	}
	return out.Channel.ID, err
}

// ChannelByName finds a public, unarchived channel by its name
// (conversations.list, page by page).
func (c *Client) ChannelByName(ctx context.Context, name string) (string, error) {
	cursor := ""
	for range 100 { // 100 pages of 200: 20,000 channels
		var out struct {
			Channels []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"channels"`
			Meta struct {
				NextCursor string `json:"next_cursor"`
			} `json:"response_metadata"`
		}
		args := map[string]any{"types": "public_channel", "exclude_archived": "true", "limit": 200}
		if cursor != "" {
			args["cursor"] = cursor
		}
		if err := c.call(ctx, "conversations.list", args, true, &out); err != nil {
			return "", err
		}
		for _, ch := range out.Channels {
			if ch.Name == name {
				return ch.ID, nil
			}
		}
		if cursor = out.Meta.NextCursor; cursor == "" {
			break
		}
	}
	return "", fmt.Errorf("slack conversations.create: the name %s is taken, but no unarchived public channel has it (an archived channel or a private one does: rename it)", name)
}

// Invite adds people to a channel.
func (c *Client) Invite(ctx context.Context, channel string, users []string) error {
	err := c.call(ctx, "conversations.invite", map[string]any{"channel": channel, "users": strings.Join(users, ",")}, false, &struct{}{})
	var ae *APIError
	if ok := asAPIError(err, &ae); ok && ae.Code == "already_in_channel" {
		return nil
	}
	return err
}

// OpenDM opens (or finds) the direct message channel with a person.
func (c *Client) OpenDM(ctx context.Context, user string) (string, error) {
	var out struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	err := c.call(ctx, "conversations.open", map[string]any{"users": user}, false, &out)
	return out.Channel.ID, err
}

// UserEmail is a person's e-mail address when Slack has confirmed it ("" when not).
func (c *Client) UserEmail(ctx context.Context, user string) (email, name string, err error) {
	var out struct {
		User struct {
			Name             string `json:"name"`
			IsEmailConfirmed bool   `json:"is_email_confirmed"`
			Profile          struct {
				Email string `json:"email"`
			} `json:"profile"`
		} `json:"user"`
	}
	if err := c.call(ctx, "users.info", map[string]any{"user": user}, true, &out); err != nil {
		return "", "", err
	}
	if !out.User.IsEmailConfirmed {
		return "", out.User.Name, nil
	}
	return out.User.Profile.Email, out.User.Name, nil
}

// MessageText reads one message of a channel (the one a reaction marked).
func (c *Client) MessageText(ctx context.Context, channel, ts string) (text, user string, err error) {
	var out struct {
		Messages []struct {
			Text string `json:"text"`
			User string `json:"user"`
			TS   string `json:"ts"`
		} `json:"messages"`
	}
	if err := c.call(ctx, "conversations.history", map[string]any{"channel": channel, "latest": ts, "inclusive": true, "limit": 1}, true, &out); err != nil {
		return "", "", err
	}
	for _, m := range out.Messages {
		if m.TS == ts {
			return m.Text, m.User, nil
		}
	}
	return "", "", fmt.Errorf("slack conversations.history: message %s not found", ts)
}

// Respond answers a slash command or a button through its response_url.
func (c *Client) Respond(ctx context.Context, responseURL string, msg Message, ephemeral, replace bool) error {
	// Slack's response URLs are https; a test's Web API server may answer
	// on its own host.
	u, err := url.Parse(responseURL)
	api, _ := url.Parse(c.API)
	if err != nil || u.Scheme != "https" && (c.API == "" || api == nil || u.Host != api.Host) {
		return fmt.Errorf("slack response_url %q is not an https URL", responseURL)
	}
	typ := "in_channel"
	if ephemeral {
		typ = "ephemeral"
	}
	b, _ := json.Marshal(map[string]any{"response_type": typ, "replace_original": replace, "text": msg.Text, "blocks": msg.Blocks})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, "response_url", nil)
}

func asAPIError(err error, ae **APIError) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*APIError)
	if ok {
		*ae = e
	}
	return ok
}
