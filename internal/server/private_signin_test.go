package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// With sign-in on, a private page asks for an address and shows nothing
// of the tenant; a one-time link, valid 15 minutes, is queued only for an
// operational address of the tenant, and the answer is the same for any
// address; the link signs in with a cookie scoped to the page, which no
// other tenant's page takes.
func TestPrivatePages_SignIn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		e := serve(t, testdb.Open(t, d, clock, func(c *store.Config) { c.Links = links.New("http://herald.test") }), clock, nil)
		ctx := context.Background()
		var tokens []string
		for _, n := range []string{"Acme Corp", "Globex Inc"} {
			if _, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: n, PrimaryRegion: "us-east-1", Emails: []string{"ops@" + strings.Fields(n)[0] + ".example", "sre@" + strings.Fields(n)[0] + ".example"}}); err != nil {
				t.Fatal(err)
			}
			p, err := e.admin.Tenants.RotateTenantPage(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, strings.TrimSuffix(strings.TrimPrefix(p.URL, "http://herald.test/p/"), "/"))
			if p, err = e.admin.Tenants.SetTenantPageSignIn(ctx, n, true); err != nil || !p.SignIn {
				t.Fatalf("sign-in on: %+v %v", p, err)
			}
		}
		home := links.Links{}.Private(tokens[0]).Home()
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		do := func(method, path string, form url.Values, cookie *http.Cookie) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(form.Encode()))
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if cookie != nil {
				req.AddCookie(cookie)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		for _, path := range []string{home, home + "api/v2/summary.json", home + "history.rss"} {
			resp, body := do("GET", path, nil, nil)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `name="email"`) || strings.Contains(body, "Acme") || resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("signed out %s: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Cache-Control"), body)
			}
		}

		// The same answer whatever the address; a mail only to the tenant's.
		_, stranger := do("POST", home+"sign-in", url.Values{"email": {"someone@else.example"}}, nil)
		_, other := do("POST", home+"sign-in", url.Values{"email": {"ops@Globex.example"}}, nil)
		if o, err := e.db.Work.Claim(ctx, store.LaneSignIn); err != nil || o != nil {
			t.Fatalf("a mail to an address not the tenant's: %+v %v", o, err)
		}
		resp, mine := do("POST", home+"sign-in", url.Values{"email": {"SRE@acme.example"}}, nil)
		if resp.StatusCode != 200 || mine != stranger || mine != other || !strings.Contains(mine, "Check your mail") {
			t.Fatalf("answers differ: %d\n%s\n%s", resp.StatusCode, mine, stranger)
		}
		o, err := e.db.Work.Claim(ctx, store.LaneSignIn)
		if err != nil || o == nil || o.Err != nil || o.Kind != "email" || o.Target != "sre@acme.example" || o.SignIn == nil ||
			!strings.HasPrefix(o.SignIn.URL, "http://herald.test"+home+"sign-in?token=") || !strings.Contains(o.SignIn.Body, o.SignIn.URL) {
			t.Fatalf("the mail: %+v %v", o, err)
		}
		if err := e.db.Work.Complete(ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
		link := strings.TrimPrefix(o.SignIn.URL, "http://herald.test")
		tok := strings.TrimPrefix(link, home+"sign-in?token=")

		// Opening the link spends nothing; its button does, once.
		if resp, body := do("GET", link, nil, nil); resp.StatusCode != 200 || !strings.Contains(body, `name="token"`) {
			t.Fatalf("the link: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := do("POST", links.Links{}.Private(tokens[1]).Home()+"sign-in", url.Values{"token": {tok}}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("Acme's link on Globex's page: %d", resp.StatusCode)
		}
		resp, _ = do("POST", home+"sign-in", url.Values{"token": {tok}}, nil)
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "herald_page" {
				cookie = c
			}
		}
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != home || cookie == nil || cookie.Path != home || !cookie.HttpOnly {
			t.Fatalf("sign-in: %d %s %+v", resp.StatusCode, resp.Header.Get("Location"), cookie)
		}
		if resp, _ := do("POST", home+"sign-in", url.Values{"token": {tok}}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a spent link: %d", resp.StatusCode)
		}
		if resp, body := do("GET", home, nil, cookie); resp.StatusCode != 200 || !strings.Contains(body, "Acme Corp") || resp.Header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("signed in: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		forged := *cookie
		if resp, _ := do("GET", links.Links{}.Private(tokens[1]).Home(), nil, &forged); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Acme's cookie on Globex's page: %d", resp.StatusCode)
		}
		forged.Value = strings.Replace(cookie.Value, ".", "0.", 1) // a later expiry, the same signature
		if resp, _ := do("GET", home, nil, &forged); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a changed cookie: %d", resp.StatusCode)
		}

		// A link older than 15 minutes does not sign in.
		do("POST", home+"sign-in", url.Values{"email": {"ops@acme.example"}}, nil)
		o, _ = e.db.Work.Claim(ctx, store.LaneSignIn)
		if o == nil || o.SignIn == nil {
			t.Fatal("no second mail")
		}
		clock.Advance(herald.TenantPageSignInTTL + time.Second)
		if resp, _ := do("POST", home+"sign-in", url.Values{"token": {strings.TrimPrefix(o.SignIn.URL, "http://herald.test"+home+"sign-in?token=")}}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("an expired link: %d", resp.StatusCode)
		}

		// Sign-in off: the URL alone opens the page again.
		if _, err := e.admin.Tenants.SetTenantPageSignIn(ctx, "Acme Corp", false); err != nil {
			t.Fatal(err)
		}
		if resp, _ := do("GET", home, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("sign-in off: %d", resp.StatusCode)
		}
	})
}
