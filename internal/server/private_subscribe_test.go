package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A private page's subscribe form subscribes the address to that tenant's
// page (unconfirmed until the mail is answered), answers the same as the
// public form, refuses a bad address and changes nothing; a page behind
// sign-in takes it only from a signed-in reader; an unknown token is 404.
// Admins add and list a page's subscribers over the API; a viewer cannot.
func TestPrivatePages_SubscribeForm(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		e := serve(t, testdb.Open(t, d, clock, func(c *store.Config) { c.Links = links.New("http://herald.test") }), clock, nil)
		ctx := context.Background()
		var tokens []string
		for _, n := range []string{"Acme", "Globex"} {
			if _, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: n, PrimaryRegion: "us-east-1", Emails: []string{"ops@" + strings.ToLower(n) + ".example"}}); err != nil {
				t.Fatal(err)
			}
			p, err := e.admin.Tenants.RotateTenantPage(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, strings.TrimSuffix(strings.TrimPrefix(p.URL, "http://herald.test/p/"), "/"))
		}
		do := func(method, path string, form url.Values) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(form.Encode()))
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		home := links.Links{}.Private(tokens[0]).Home()
		resp, body := do("GET", home, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, `action="`+home+`subscribe"`) {
			t.Fatalf("the page has no subscribe form: %d\n%s", resp.StatusCode, body)
		}
		if resp, body = do("POST", home+"subscribe", url.Values{"email": {"not an address"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Check the address") {
			t.Fatalf("a bad address: %d\n%s", resp.StatusCode, body)
		}
		if resp, body = do("POST", home+"subscribe", url.Values{"email": {"Ann@acme.example"}}); resp.StatusCode != 200 || !strings.Contains(body, "Check your inbox") {
			t.Fatalf("subscribe: %d\n%s", resp.StatusCode, body)
		}
		subs, err := e.db.Tenants.TenantPageSubscribers(ctx, "Acme")
		if err != nil || len(subs) != 1 || subs[0].Target != "ann@acme.example" || subs[0].Confirmed || subs[0].Tenant == "" {
			t.Fatalf("Acme's subscribers: %+v %v", subs, err)
		}
		if other, _ := e.db.Tenants.TenantPageSubscribers(ctx, "Globex"); len(other) != 0 {
			t.Fatalf("Globex's subscribers: %+v", other)
		}
		if resp, _ = do("POST", "/p/"+strings.Repeat("x", 43)+"/subscribe", url.Values{"email": {"x@example.com"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown token: %d", resp.StatusCode)
		}
		// Behind sign-in: refused without the session, nothing added.
		if _, err := e.admin.Tenants.SetTenantPageSignIn(ctx, "Globex", true); err != nil {
			t.Fatal(err)
		}
		ghome := links.Links{}.Private(tokens[1]).Home()
		if resp, body = do("POST", ghome+"subscribe", url.Values{"email": {"gus@globex.example"}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Sign in first") {
			t.Fatalf("signed out: %d\n%s", resp.StatusCode, body)
		}
		if other, _ := e.db.Tenants.TenantPageSubscribers(ctx, "Globex"); len(other) != 0 {
			t.Fatalf("a signed-out reader subscribed: %+v", other)
		}

		// The API: an admin adds a webhook and a confirmed address.
		s, err := e.admin.Tenants.SubscribeTenantPage(ctx, "Globex", herald.SubscriberInput{Email: "gus@globex.example", Confirmed: true})
		if err != nil || !s.Confirmed || s.Tenant == "" {
			t.Fatalf("admin subscribes: %+v %v", s, err)
		}
		list, err := e.admin.Tenants.TenantPageSubscribers(ctx, "Globex")
		if err != nil || len(list) != 1 || list[0].Target != "gus@globex.example" {
			t.Fatalf("list: %+v %v", list, err)
		}
		viewer := e.token(t, "Vera", herald.RoleViewer)
		if _, err := viewer.Tenants.TenantPageSubscribers(ctx, "Globex"); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("a viewer lists: %v", err)
		}
		if _, err := e.admin.Tenants.SubscribeTenantPage(ctx, "Nobody", herald.SubscriberInput{Email: "x@example.com"}); func() int { s, _ := apiStatus(err); return s }() != http.StatusNotFound {
			t.Fatalf("an unknown tenant: %v", err)
		}
	})
}
