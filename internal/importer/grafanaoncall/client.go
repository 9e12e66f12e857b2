package grafanaoncall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/internal/importer"
)

// ErrUnauthorized is returned when OnCall refuses the token (401 or 403),
// so the command line can say which environment variable to fix.
var ErrUnauthorized = errors.New("grafana oncall refused the API token")

// client reads OnCall's public API v1. The token travels in the
// Authorization header as it is (OnCall's API tokens take no scheme), and
// only ever to the host given, whatever host a `next` link names.
type client struct {
	base  *url.URL // ends without a slash; the API lives under /api/v1
	token string
	http  *http.Client
}

func newClient(base, token string, hc *http.Client) (*client, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	base = strings.TrimSuffix(base, "/api/v1")
	u, ok := importer.ParseBase(base)
	if !ok {
		return nil, fmt.Errorf("grafana oncall: the URL %q is not an http(s) URL like https://oncall.example.com", base)
	}
	if token == "" {
		return nil, errors.New("grafana oncall: no API token")
	}
	return &client{base: u, token: token, http: importer.Client(hc)}, nil
}

// page is OnCall's list envelope: results and the absolute URL of the next
// page, null on the last.
type page[T any] struct {
	Next    *string `json:"next"`
	Results []T     `json:"results"`
}

// list reads every page of a collection, such as "users".
func list[T any](ctx context.Context, c *client, collection string) ([]T, error) {
	return importer.Pages(c.base, c.base.String()+"/api/v1/"+collection+"/", "grafana oncall: "+collection, func(u string) ([]T, string, error) {
		var p page[T]
		if err := c.get(ctx, u, collection, &p); err != nil {
			return nil, "", err
		}
		if p.Next == nil {
			return p.Results, "", nil
		}
		return p.Results, *p.Next, nil
	})
}

func (c *client) get(ctx context.Context, u, what string, v any) error {
	resp, body, err := importer.Get(ctx, c.http, u, c.token)
	if err != nil {
		return fmt.Errorf("grafana oncall: %s: %w", what, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w (HTTP %d reading %s): use an OnCall API token (OnCall settings, API tokens)", ErrUnauthorized, resp.StatusCode, what)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("grafana oncall: %s: HTTP 404 at %s: is --url the OnCall engine (whose API is under /api/v1), not Grafana itself?", what, c.base)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("grafana oncall: %s: HTTP %d: %s", what, resp.StatusCode, importer.Snippet(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("grafana oncall: %s: the answer is not the JSON expected: %w", what, err)
	}
	return nil
}
