package ssotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// SignIn does what a browser and a person do between the relying party's
// redirect and its callback: it opens authURL, follows the provider's
// redirects to its login page, fills in and submits the form found there,
// follows the redirects that come back, and stops at the client's redirect
// URI, whose query (code and state, or an error) it returns. Nothing is
// posted to the provider that its own page did not ask for.
func (s *Server) SignIn(ctx context.Context, authURL, email, password string) (url.Values, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	callback := s.storage.client.redirectURI
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), callback) {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return fmt.Errorf("ssotest: more than 10 redirects")
		}
		return nil
	}}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if q, ok := atCallback(resp, callback); ok {
		return q, nil // the provider answered at once (an error)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ssotest: the provider answered %s at %s: %s", resp.Status, resp.Request.URL, page)
	}
	action, fields, err := loginForm(string(page))
	if err != nil {
		return nil, err
	}
	fields.Set("username", email)
	fields.Set("password", password)
	target, err := resp.Request.URL.Parse(action)
	if err != nil {
		return nil, err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return nil, err
	}
	if q, ok := atCallback(resp, callback); ok {
		return q, nil
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return nil, fmt.Errorf("ssotest: sign-in did not come back to %s: %s at %s: %s", callback, resp.Status, resp.Request.URL, body)
}

// atCallback returns the callback's query when resp redirects to it.
func atCallback(resp *http.Response, callback string) (url.Values, bool) {
	loc := resp.Header.Get("Location")
	if resp.StatusCode < 300 || resp.StatusCode > 399 || !strings.HasPrefix(loc, callback) {
		return nil, false
	}
	resp.Body.Close()
	u, err := url.Parse(loc)
	if err != nil {
		return nil, false
	}
	return u.Query(), true
}

// loginForm finds the page's form and returns its action and the values
// of its inputs.
func loginForm(page string) (action string, fields url.Values, err error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return "", nil, err
	}
	fields = url.Values{}
	found := false
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "form":
			found = true
			action = attr(n, "action")
		case "input":
			if name := attr(n, "name"); name != "" {
				fields.Set(name, attr(n, "value"))
			}
		}
	}
	if !found {
		return "", nil, fmt.Errorf("ssotest: no form on the login page: %s", page)
	}
	return action, fields, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
