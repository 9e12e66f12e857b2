package importer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxPages bounds a paged list, so a server that always names a next page
// cannot keep an import going forever.
const MaxPages = 10000

// ParseBase reads the base URL of a vendor's API as it was given (a
// command line's --url): an http or https URL with a host, or false.
func ParseBase(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// Client is hc, or when it is nil a client that gives a request a minute.
func Client(hc *http.Client) *http.Client {
	if hc == nil {
		return &http.Client{Timeout: time.Minute}
	}
	return hc
}

// OnBase is the URL u read from base: only u's path and query are taken.
// An API key goes to the host it was given for and nowhere else, whatever
// host a vendor's `next` link names, and a proxy in front that writes
// links with its inner name, or http for https, does not matter.
func OnBase(base *url.URL, u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	p.Scheme, p.Host, p.User = base.Scheme, base.Host, nil
	return p.String(), nil
}

// Pages reads every page of a list that names its next page by URL,
// starting at first: fetch reads one URL and returns the page's items and
// the next page's URL, "" on the last. Every URL is read on base (see
// OnBase). The errors Pages makes itself start with where (such as
// "opsgenie: users"); fetch's are returned as they are.
func Pages[T any](base *url.URL, first, where string, fetch func(u string) (items []T, next string, err error)) ([]T, error) {
	next := first
	var all []T
	for pages := 0; next != ""; pages++ {
		if pages == MaxPages {
			return nil, fmt.Errorf("%s: more than %d pages; stopped", where, MaxPages)
		}
		u, err := OnBase(base, next)
		if err != nil {
			return nil, fmt.Errorf("%s: the next page %q is not a URL", where, next)
		}
		items, n, err := fetch(u)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		next = n
	}
	return all, nil
}

// MaxBody is the most of an answer that is read: 64 MiB.
const MaxBody = 64 << 20

// Get sends a GET for u with the Authorization header auth and asks for
// JSON. It returns the answer, whose body it has read (at most MaxBody)
// and closed, and that body; whether the status is one the caller wants
// is the caller's to say, in the vendor's words.
func Get(ctx context.Context, hc *http.Client, u, auth string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// Snippet is the start of an error answer's body, on one line, to quote
// in an error.
func Snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
