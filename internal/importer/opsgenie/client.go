package opsgenie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/importer"
)

// DefaultURL is Opsgenie's API; accounts in its EU region use the EU API
// instead, given with Options.URL.
const DefaultURL = "https://api.opsgenie.com"

// ErrUnauthorized is returned when Opsgenie refuses the API key (401 or
// 403), so the command line can say which environment variable to fix.
var ErrUnauthorized = errors.New("opsgenie refused the API key")

// client reads Opsgenie's REST API. The key travels as "GenieKey KEY", and
// only to the host given, whatever host a paging link names.
type client struct {
	base *url.URL
	key  string
	http *http.Client
	// sleep waits before a retry after 429; tests make it instant.
	sleep func(context.Context, time.Duration) error
}

func newClient(base, key string, hc *http.Client) (*client, error) {
	if strings.TrimSpace(base) == "" {
		base = DefaultURL
	}
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	u, ok := importer.ParseBase(base)
	if !ok {
		return nil, fmt.Errorf("opsgenie: the API URL %q is not an http(s) URL", base)
	}
	if key == "" {
		return nil, errors.New("opsgenie: no API key")
	}
	return &client{base: u, key: key, http: importer.Client(hc), sleep: sleepCtx}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// envelope is Opsgenie's answer: data, and for paged lists the absolute
// URL of the next page.
type envelope[T any] struct {
	Data   T `json:"data"`
	Paging *struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// one reads a single answer, such as /v2/teams/ID.
func one[T any](ctx context.Context, c *client, path, what string) (T, error) {
	var e envelope[T]
	err := c.get(ctx, c.base.String()+path, what, &e)
	return e.Data, err
}

// list reads every page of a list, following paging.next.
func list[T any](ctx context.Context, c *client, path, what string) ([]T, error) {
	return importer.Pages(c.base, c.base.String()+path, "opsgenie: "+what, func(u string) ([]T, string, error) {
		var e envelope[[]T]
		if err := c.get(ctx, u, what, &e); err != nil {
			return nil, "", err
		}
		if e.Paging != nil && len(e.Data) > 0 {
			return e.Data, e.Paging.Next, nil
		}
		return e.Data, "", nil
	})
}

// get reads one URL, waiting and trying again a few times when Opsgenie
// says too many requests (429): an import makes a request per user, team
// and schedule, which a large account's rate limit can meet.
func (c *client) get(ctx context.Context, u, what string, v any) error {
	for attempt := 1; ; attempt++ {
		resp, body, err := importer.Get(ctx, c.http, u, "GenieKey "+c.key)
		if err != nil {
			return fmt.Errorf("opsgenie: %s: %w", what, err)
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && attempt < 5:
			wait := time.Duration(attempt) * time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 && s <= 60 {
				wait = time.Duration(s) * time.Second
			}
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
			continue
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w (HTTP %d reading %s): use the key of an API integration with read access to the configuration; %s", ErrUnauthorized, resp.StatusCode, what, message(body))
		case resp.StatusCode != http.StatusOK:
			return fmt.Errorf("opsgenie: %s: HTTP %d: %s", what, resp.StatusCode, message(body))
		}
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("opsgenie: %s: the answer is not the JSON expected: %w", what, err)
		}
		return nil
	}
}

// message is Opsgenie's error message, or the start of the body.
func message(b []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil && e.Message != "" {
		return e.Message
	}
	return importer.Snippet(b)
}
