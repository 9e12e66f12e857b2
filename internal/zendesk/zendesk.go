// Package zendesk is Herald's connector to a Zendesk Support desk: the
// herald.TicketSystem that searches tickets by time window and text and
// adds a tag to a ticket (R20), over Zendesk's REST API (v2). It uses three
// documented calls: the Search API (GET /api/v2/search.json with a query
// such as `type:ticket created>... "text"`, paged through next_page), Add
// Tags (PUT /api/v2/tickets/{id}/tags.json with {"tags": [...]}, which
// keeps the ticket's other tags), and API token authentication (HTTP
// basic auth as "{email}/token:{api_token}"). A 429 answer is waited out
// for the Retry-After it names, when that is short; otherwise the call
// fails and the sweep is retried later from its row.
package zendesk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Client reaches one Zendesk desk.
type Client struct {
	base  *url.URL
	auth  string // the Authorization header; never logged or returned
	token string // to scrub from error texts
	http  *http.Client
	// Wait sleeps for a rate limit's Retry-After (tests replace it).
	Wait func(ctx context.Context, d time.Duration) error
	// MaxWait is the longest Retry-After waited out in place (default 60 s);
	// a longer one fails the call, to be retried later.
	MaxWait time.Duration
	// MaxPages bounds the pages of one search (default 10: the Search API
	// returns at most 1,000 results, 100 a page).
	MaxPages int
}

var _ herald.TicketSystem = (*Client)(nil)

// New makes a client for the credentials. hc should be the guarded
// client for addresses people gave (notify.NewPublicWebhook's), with a
// timeout.
func New(c herald.TicketCredentials, hc *http.Client) (*Client, error) {
	if c.Kind != herald.TicketSystemZendesk {
		return nil, fmt.Errorf("zendesk: not a Zendesk connection (%s)", c.Kind)
	}
	u, err := url.Parse(strings.TrimRight(c.URL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("zendesk: the desk's URL must be an http or https URL")
	}
	if c.Email == "" || c.Token == "" {
		return nil, errors.New("zendesk: an e-mail address and an API token are needed")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Email+"/token:"+c.Token))
	return &Client{base: u, auth: auth, token: c.Token, http: hc, Wait: sleep, MaxWait: time.Minute, MaxPages: 10}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// searchPage is the documented answer of the Search API.
type searchPage struct {
	Results  []result `json:"results"`
	NextPage *string  `json:"next_page"`
	Count    int      `json:"count"`
}

type result struct {
	ID         int64     `json:"id"`
	ResultType string    `json:"result_type"`
	Subject    string    `json:"subject"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	Tags       []string  `json:"tags"`
}

// Query is the search query for tickets created in the window that
// mention text: Zendesk compares created with > and <, so the window is
// widened by a second at each end.
func Query(w herald.TicketWindow, text string) string {
	q := "type:ticket created>" + w.Start.Add(-time.Second).UTC().Format(time.RFC3339)
	if w.End != nil {
		q += " created<" + w.End.Add(time.Second).UTC().Format(time.RFC3339)
	}
	if text = strings.TrimSpace(strings.ReplaceAll(text, `"`, "")); text != "" {
		q += ` "` + text + `"`
	}
	return q
}

// Search implements herald.TicketSystem: one Search API query, every
// page, tickets only.
func (c *Client) Search(ctx context.Context, w herald.TicketWindow, text string) ([]herald.Ticket, error) {
	next := c.base.JoinPath("/api/v2/search.json")
	next.RawQuery = url.Values{"query": {Query(w, text)}, "sort_by": {"created_at"}, "sort_order": {"asc"}}.Encode()
	var out []herald.Ticket
	seen := map[int64]bool{}
	for page := 0; next != nil; page++ {
		if page >= c.MaxPages {
			return out, fmt.Errorf("zendesk: the search has more than %d pages of tickets; narrow the keywords", c.MaxPages)
		}
		var p searchPage
		if err := c.do(ctx, http.MethodGet, next, nil, &p); err != nil {
			return nil, err
		}
		for _, r := range p.Results {
			if r.ResultType != "" && r.ResultType != "ticket" || seen[r.ID] {
				continue // offset paging can repeat a result
			}
			seen[r.ID] = true
			id := strconv.FormatInt(r.ID, 10)
			tags := r.Tags
			if tags == nil {
				tags = []string{}
			}
			out = append(out, herald.Ticket{ID: id, Subject: r.Subject, Status: r.Status, CreatedAt: r.CreatedAt.UTC(), Tags: tags,
				URL: c.base.JoinPath("/agent/tickets/" + id).String()})
		}
		next = nil
		if p.NextPage != nil && *p.NextPage != "" {
			u, err := url.Parse(*p.NextPage)
			if err != nil {
				return nil, errors.New("zendesk: next_page is not a URL")
			}
			// Follow the desk's own links only: the credentials go with
			// every request.
			if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
				return nil, fmt.Errorf("zendesk: next_page points away from %s; not followed", c.base.Host)
			}
			next = u
		}
	}
	return out, nil
}

// AddTag implements herald.TicketSystem: Add Tags keeps the ticket's
// other tags (Set Tags, a POST, would replace them).
func (c *Client) AddTag(ctx context.Context, id, tag string) error {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return fmt.Errorf("zendesk: ticket id %q is not a number", id)
	}
	body, _ := json.Marshal(map[string][]string{"tags": {tag}})
	return c.do(ctx, http.MethodPut, c.base.JoinPath("/api/v2/tickets/"+id+"/tags.json"), body, nil)
}

// maxRetries is how many 429s one call waits out.
const maxRetries = 3

func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte, out any) error {
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
		if err != nil {
			return fmt.Errorf("zendesk: %w", err)
		}
		req.Header.Set("Authorization", c.auth)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("zendesk: %s %s: %s", method, u.Path, c.scrub(err.Error()))
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("zendesk: %s %s: read answer: %w", method, u.Path, err)
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			wait := retryAfter(resp.Header.Get("Retry-After"))
			if attempt >= maxRetries || wait > c.MaxWait {
				return fmt.Errorf("zendesk: %s %s: rate limited (429), retry after %s", method, u.Path, wait)
			}
			if err := c.Wait(ctx, wait); err != nil {
				return err
			}
			continue
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return fmt.Errorf("zendesk: %s %s: %d: the e-mail address and API token were refused", method, u.Path, resp.StatusCode)
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			return fmt.Errorf("zendesk: %s %s: %d %s", method, u.Path, resp.StatusCode, errorText(data))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("zendesk: %s %s: answer is not the documented JSON: %w", method, u.Path, err)
		}
		return nil
	}
}

// retryAfter reads Retry-After in seconds (Zendesk's form); a missing or
// odd value waits a few seconds.
func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return 5 * time.Second
}

// errorText is Zendesk's error document ({"error": ..., "description":
// ...}) in one line, or the start of whatever came.
func errorText(data []byte) string {
	var e struct {
		Error       any    `json:"error"`
		Description string `json:"description"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error != nil {
		return strings.TrimSpace(fmt.Sprint(e.Error) + " " + e.Description)
	}
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func (c *Client) scrub(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[token]")
}
