package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// setupSignup is setup with the public status page (the sign-up form and
// the confirm and unsubscribe pages), behind a proxy on loopback when
// proxies is set.
func setupSignup(t *testing.T, d store.Dialect, proxies string) *env {
	t.Helper()
	e := setup(t, d, 0)
	pages := statuspage.NewCache(e.db.Services(), e.clock, links.New("http://herald.test"), nil)
	if err := pages.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	trusted, err := ParseTrustedProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = New(Config{Services: e.db.Services(), Database: e.db, Links: links.New("http://herald.test"), Version: "test", Pages: pages, TrustedProxies: trusted})
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	return e
}

// signUp posts one sign-up, by the API or the form, as the client xff (an
// X-Forwarded-For header, when set).
func (e *env) signUp(t *testing.T, form bool, email, xff string) *http.Response {
	t.Helper()
	var req *http.Request
	if form {
		req, _ = http.NewRequest("POST", e.http.URL+"/subscribe", strings.NewReader(url.Values{"email": {email}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest("POST", e.http.URL+"/api/v1/subscribers", strings.NewReader(`{"email":"`+email+`"}`))
		req.Header.Set("Content-Type", "application/json")
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// confirmationMails is how many confirmation mails have been planned.
func (e *env) confirmationMails(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.Work.PlanBroadcasts(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := e.db.Subscribers.BroadcastCounts(ctx, "subscription.confirm")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func retryAfter(t *testing.T, resp *http.Response) time.Duration {
	t.Helper()
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s <= 0 {
		t.Fatalf("%d without a Retry-After (%q)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	return time.Duration(s) * time.Second
}

// Signing one address up again and again, from many clients, by the form
// and the API, mails it at most three confirmations a day; the limit is
// in the database, so a restart (a new server) keeps it.
func TestSignup_ConfirmationsCappedPerRecipient(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupSignup(t, d, "127.0.0.1")
		statuses := map[int]int{}
		for i := range 30 {
			resp := e.signUp(t, i%2 == 0, "victim@example.com", fmt.Sprintf("203.0.113.%d", i))
			statuses[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests {
				if ra := retryAfter(t, resp); ra < 23*time.Hour || ra > 24*time.Hour {
					t.Fatalf("Retry-After %s, want about a day", ra)
				}
			}
		}
		if statuses[200]+statuses[202] != 3 || statuses[429] != 27 {
			t.Fatalf("answers %v, want 3 accepted and 27 refused", statuses)
		}
		if n := e.confirmationMails(t); n != 3 {
			t.Fatalf("%d confirmation mails to one address, want 3", n)
		}
		// Another address is not affected.
		if resp := e.signUp(t, false, "other@example.com", "203.0.113.1"); resp.StatusCode != 202 {
			t.Fatalf("other address: %d", resp.StatusCode)
		}
		// A restart forgets the per-client counts, not the per-address cap.
		pages := statuspage.NewCache(e.db.Services(), e.clock, links.New("http://herald.test"), nil)
		pages.Rebuild(context.Background())
		e.http = httptest.NewServer(New(Config{Services: e.db.Services(), Database: e.db, Pages: pages}))
		defer e.http.Close()
		if resp := e.signUp(t, false, "victim@example.com", ""); resp.StatusCode != 429 {
			t.Fatalf("after a restart: %d", resp.StatusCode)
		}
		if n := e.confirmationMails(t); n != 4 {
			t.Fatalf("%d confirmation mails, want 4", n)
		}
		// A day later the address may be signed up again.
		e.clock.Advance(24*time.Hour + time.Second)
		if resp := e.signUp(t, true, "victim@example.com", ""); resp.StatusCode != 200 {
			t.Fatalf("a day later: %d", resp.StatusCode)
		}
		if n := e.confirmationMails(t); n != 5 {
			t.Fatalf("%d confirmation mails, want 5", n)
		}
	})
}

// One client signing up many addresses is refused after ten an hour, with
// 429 and Retry-After on both the API and the form.
func TestSignup_PerClientLimitAnswers429WithRetryAfter(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupSignup(t, d, "")
		for i := range 10 {
			if resp := e.signUp(t, i%2 == 0, fmt.Sprintf("reader%d@example.com", i), ""); resp.StatusCode >= 300 {
				t.Fatalf("sign-up %d: %d", i, resp.StatusCode)
			}
		}
		for _, form := range []bool{false, true} {
			resp := e.signUp(t, form, "one-more@example.com", "")
			if resp.StatusCode != 429 {
				t.Fatalf("form %v: %d, want 429", form, resp.StatusCode)
			}
			if ra := retryAfter(t, resp); ra > time.Hour {
				t.Fatalf("Retry-After %s", ra)
			}
		}
	})
}

// X-Forwarded-For counts only when the direct peer is a trusted proxy:
// behind one, clients are told apart; from anyone else, the header is
// ignored and cannot be used to escape the limit.
func TestSignup_ForwardedForOnlyFromTrustedProxies(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		for _, c := range []struct {
			proxies  string
			refused  bool
			describe string
		}{
			{"127.0.0.1/32", false, "from a trusted proxy, 11 clients"},
			{"10.0.0.0/8", true, "from an untrusted peer, one client"},
		} {
			e := setupSignup(t, d, c.proxies)
			var last *http.Response
			for i := range 11 {
				last = e.signUp(t, false, fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("198.51.100.%d", i))
			}
			if (last.StatusCode == 429) != c.refused {
				t.Errorf("%s: 11th sign-up answered %d", c.describe, last.StatusCode)
			}
		}
	})
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.1 ,::1,::ffff:172.16.0.0/108")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: trusted}}
	for _, c := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"203.0.113.9:1234", nil, "203.0.113.9"},
		{"203.0.113.9:1234", []string{"1.2.3.4"}, "203.0.113.9"},       // untrusted peer: header ignored
		{"10.1.1.1:1234", nil, "10.1.1.1"},                             // trusted peer without a header
		{"10.1.1.1:1234", []string{"1.2.3.4"}, "1.2.3.4"},              // one proxy
		{"10.1.1.1:1234", []string{"1.2.3.4, 10.2.2.2"}, "1.2.3.4"},    // two proxies
		{"10.1.1.1:1234", []string{"6.6.6.6, 1.2.3.4"}, "1.2.3.4"},     // a forged left part is not used
		{"10.1.1.1:1234", []string{"6.6.6.6", "1.2.3.4"}, "1.2.3.4"},   // several headers, in order
		{"10.1.1.1:1234", []string{"10.3.3.3, 192.0.2.1"}, "10.3.3.3"}, // all trusted: the left-most
		{"[::1]:80", []string{"2001:db8::7"}, "2001:db8::7"},           // IPv6
		{"[::ffff:10.1.1.1]:80", []string{"1.2.3.4"}, "1.2.3.4"},       // IPv4-mapped peer
		{"10.1.1.1:1234", []string{"1.2.3.4:5678"}, "1.2.3.4"},         // with a port
		{"10.1.1.1:1234", []string{"::ffff:1.2.3.4"}, "1.2.3.4"},       // IPv4-mapped client
		{"10.1.1.1:1234", []string{"1.2.3.4, unknown"}, "unknown"},     // garbage from the proxy's peer
		{"172.16.5.5:1234", []string{"1.2.3.4"}, "1.2.3.4"},            // an IPv4-mapped range
		{"192.0.2.2:1234", []string{"1.2.3.4"}, "192.0.2.2"},           // a single address is /32
	} {
		r := httptest.NewRequest("POST", "/subscribe", nil)
		r.RemoteAddr = c.peer
		for _, h := range c.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	for _, bad := range []string{"banana", "10.0.0.0/33", "10.0.0.1/8/2", "1.2.3"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty: %v %v", p, err)
	}
	if p, _ := ParseTrustedProxies("10.1.2.3/8"); p[0] != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("10.1.2.3/8 is %s", p[0])
	}
}

// The confirmation link does not confirm on GET or HEAD (mail scanners
// follow links): it shows a button, and the button's POST confirms.
func TestSignup_ConfirmLinkActsOnlyOnPost(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupSignup(t, d, "")
		ctx := context.Background()
		sub, err := e.db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "reader@example.com"}, false)
		if err != nil {
			t.Fatal(err)
		}
		link, err := e.db.Subscribers.SubscriberLink("confirm", sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(link)
		confirmed := func() int {
			c, err := e.db.Subscribers.SubscriberCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return c["email"]["confirmed"]
		}
		for _, method := range []string{"GET", "HEAD"} {
			req, _ := http.NewRequest(method, e.http.URL+u.RequestURI(), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || method == "GET" && (!strings.Contains(string(body), `method="post"`) || !strings.Contains(string(body), sub.ID)) {
				t.Fatalf("%s: %d %s", method, resp.StatusCode, body)
			}
			if n := confirmed(); n != 0 {
				t.Fatalf("%s confirmed the subscription", method)
			}
		}
		resp, err := http.PostForm(e.http.URL+"/subscribe/confirm", url.Values{"id": {sub.ID}, "token": {"forged"}})
		if err != nil || resp.StatusCode != 404 || confirmed() != 0 {
			t.Fatalf("forged token: %v %v", resp, err)
		}
		resp, err = http.PostForm(e.http.URL+"/subscribe/confirm", u.Query())
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("confirm: %v %v", resp, err)
		}
		resp.Body.Close()
		if n := confirmed(); n != 1 {
			t.Fatalf("%d confirmed after POST", n)
		}
	})
}
