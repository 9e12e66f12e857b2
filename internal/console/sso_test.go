package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/sso"
	"github.com/heraldhq/herald/internal/sso/ssotest"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const ssoPassword = "provider password"

// newSSOEnv is newEnv with single sign-on: a real OpenID provider
// (ssotest) that knows the people below, and the console configured for it
// as serve configures it (allowed domain example.com, role from the
// "groups" claim through a map, default role viewer).
func newSSOEnv(t *testing.T, d store.Dialect) (*env, *ssotest.Server) {
	t.Helper()
	e := &env{clock: testdb.NewClock(), people: map[herald.APIRole]herald.User{}}
	e.db = testdb.Open(t, d, e.clock)
	ctx := context.Background()
	for _, role := range herald.APIRoles {
		u, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: string(role) + " person", Email: string(role) + "@example.com", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		e.people[role] = u
	}
	var h http.Handler
	e.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.http.Close)
	callback := e.http.URL + console.SSOCallback
	op := ssotest.Start(t, ssotest.Options{RedirectURI: callback, Users: []ssotest.User{
		{Email: "new.ops@example.com", EmailVerified: true, Password: ssoPassword, Name: "Nia Ops", Claims: map[string]any{"groups": []string{"staff", "ops"}}},
		{Email: "new.plain@example.com", EmailVerified: true, Password: ssoPassword, Name: "Pat Plain"},
		{Email: "Viewer@Example.com", EmailVerified: true, Password: ssoPassword, Name: "Someone Else"},
		{Email: "responder@example.com", EmailVerified: true, Password: ssoPassword, Claims: map[string]any{"groups": []string{"herald-admins"}}},
		{Email: "eve@example.org", EmailVerified: true, Password: ssoPassword, Name: "Eve"},
		{Email: "former.ops@example.com", EmailVerified: true, Password: ssoPassword, Name: "Fay Former", Claims: map[string]any{"groups": []string{"staff"}}},
	}})
	prov, err := sso.New(ctx, sso.Config{Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret, RedirectURL: callback,
		AllowedDomains: []string{"example.com"}, RoleClaim: "groups", RoleMap: map[string]string{"ops": "responder", "herald-admins": "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	cons, err := console.New(console.Config{Services: e.db.Services(), Auth: e.db.Auth, Clock: e.clock, Version: "test",
		SSO: prov, SecretKey: testdb.TestSecretKey, SSODefaultRole: herald.RoleViewer, SSORolesFromProvider: true})
	if err != nil {
		t.Fatal(err)
	}
	h = server.New(server.Config{Services: e.db.Services(), Database: e.db, Links: links.New(e.http.URL), Version: "test", Console: cons})
	return e, op
}

// ssoSignIn runs the flow as a browser and a person would: the sign-in
// page's button, the provider's login form, and the callback. It returns
// the callback's answer.
func (b *browser) ssoSignIn(op *ssotest.Server, email string) (*http.Response, string) {
	return b.ssoSignInTo(op, email, "")
}

// ssoSignInTo signs in from the sign-in page asked for with next.
func (b *browser) ssoSignInTo(op *ssotest.Server, email, next string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/login?next=" + url.QueryEscape(next))
	i := strings.Index(page, `href="/login/sso`)
	if i < 0 || !strings.Contains(page, "Sign in with single sign-on") {
		b.t.Fatalf("the sign-in page offers no single sign-on:\n%s", page)
	}
	href := html.UnescapeString(page[i+len(`href="`) : i+strings.Index(page[i:], `">`)])
	res, _ := b.get(href)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), op.Issuer) {
		b.t.Fatalf("start: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var pending *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "herald_sso" {
			pending = c
		}
	}
	if pending == nil || !pending.HttpOnly || pending.SameSite != http.SameSiteLaxMode || pending.Path != console.SSOCallback ||
		pending.MaxAge != int(sso.PendingTTL.Seconds()) || strings.Contains(pending.Value, "{") {
		b.t.Fatalf("pending sign-in cookie: %+v", pending)
	}
	q, err := op.SignIn(context.Background(), res.Header.Get("Location"), email, ssoPassword)
	if err != nil {
		b.t.Fatal(err)
	}
	res, body := b.get(console.SSOCallback + "?" + q.Encode())
	deleted := false
	for _, c := range res.Cookies() {
		if c.Name == "herald_sso" && c.MaxAge < 0 {
			deleted = true
		}
	}
	if !deleted {
		b.t.Fatalf("the callback did not delete the pending cookie: %v", res.Cookies())
	}
	return res, body
}

func sessionVia(t *testing.T, e *env, email string) []herald.Session {
	t.Helper()
	u, err := e.db.People.User(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.db.Auth.Sessions(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSSO_SignInThroughARealProvider(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e, op := newSSOEnv(t, d)
		ctx := context.Background()
		users := func() int {
			us, err := e.db.People.Users(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(us)
		}
		before := users()

		// A new person is created with the role their groups map to, and
		// signed in.
		b := e.browser(t)
		res, body := b.ssoSignIn(op, "new.ops@example.com")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/app" {
			t.Fatalf("callback: %d %q %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		u, err := e.db.People.User(ctx, "new.ops@example.com")
		if err != nil || u.Role != herald.RoleResponder || u.Name != "Nia Ops" {
			t.Fatalf("new user: %+v %v", u, err)
		}
		if s := sessionVia(t, e, "new.ops@example.com"); len(s) != 1 || s[0].Via != "sso" {
			t.Fatalf("sessions: %+v", s)
		}
		if res, body := b.get("/app"); res.StatusCode != 200 || !strings.Contains(body, "Nia Ops") || !strings.Contains(body, "(responder)") {
			t.Fatalf("signed in by SSO, /app: %d\n%s", res.StatusCode, body)
		}
		// The callback cannot be used again: its cookie is gone.
		res, body = b.get(console.SSOCallback + "?state=x&code=y")
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "please sign in again") {
			t.Fatalf("callback again: %d\n%s", res.StatusCode, body)
		}

		// Without a mapped role, a new person gets the default role.
		b = e.browser(t)
		if res, _ := b.ssoSignIn(op, "new.plain@example.com"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("plain: %d", res.StatusCode)
		}
		if u, _ := e.db.People.User(ctx, "new.plain@example.com"); u.Role != herald.RoleViewer {
			t.Fatalf("default role: %q", u.Role)
		}

		// An existing user is matched by e-mail address (whatever its
		// case at the provider) and keeps their role and name when the
		// provider maps none.
		b = e.browser(t)
		if res, _ := b.ssoSignIn(op, "Viewer@Example.com"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("existing: %d", res.StatusCode)
		}
		if u, _ := e.db.People.User(ctx, "viewer@example.com"); u.ID != e.people[herald.RoleViewer].ID || u.Role != herald.RoleViewer || u.Name != "viewer person" {
			t.Fatalf("existing user: %+v", u)
		}
		if s := sessionVia(t, e, "viewer@example.com"); len(s) != 1 || s[0].Via != "sso" {
			t.Fatalf("existing user's sessions: %+v", s)
		}
		// ... and takes the role the provider maps when it maps one.
		b = e.browser(t)
		if res, _ := b.ssoSignIn(op, "responder@example.com"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mapped: %d", res.StatusCode)
		}
		if u, _ := e.db.People.User(ctx, "responder@example.com"); u.ID != e.people[herald.RoleResponder].ID || u.Role != herald.RoleAdmin {
			t.Fatalf("mapped existing user: %+v", u)
		}
		if n := users(); n != before+2 {
			t.Fatalf("%d users, want %d: existing people were not matched", n, before+2)
		}

		// A domain that is not allowed is refused with the reason, and
		// nobody is created or signed in.
		b = e.browser(t)
		res, body = b.ssoSignIn(op, "eve@example.org")
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "example.org is not an allowed domain") || !strings.Contains(body, `role="alert"`) {
			t.Fatalf("disallowed domain: %d\n%s", res.StatusCode, body)
		}
		for _, c := range res.Cookies() {
			if strings.Contains(c.Name, "session") && c.Value != "" {
				t.Fatalf("a session cookie for a refused sign-in: %+v", c)
			}
		}
		if _, err := e.db.People.User(ctx, "eve@example.org"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("refused person exists: %v", err)
		}
		if res, _ := b.get("/app"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("refused person reaches /app: %d", res.StatusCode)
		}
	})
}

// The page asked for before signing in opens after single sign-on; one
// outside the console does not.
func TestSSO_BackToThePageAskedFor(t *testing.T) {
	e, op := newSSOEnv(t, store.SQLite)
	for next, want := range map[string]string{"/app/pages/p1?x=1": "/app/pages/p1?x=1", "//evil.example/app": "/app", "": "/app"} {
		res, body := e.browser(t).ssoSignInTo(op, "new.ops@example.com", next)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next %q: %d to %q, want %q\n%s", next, res.StatusCode, res.Header.Get("Location"), want, body)
		}
	}
}

// A callback that did not start in this browser (no pending cookie, or
// one that was changed) is refused before the provider is asked.
func TestSSO_CallbackWithoutItsCookieIsRefused(t *testing.T) {
	e, op := newSSOEnv(t, store.SQLite)
	other := e.browser(t)
	res, _ := other.get("/login/sso")
	q, err := op.SignIn(context.Background(), res.Header.Get("Location"), "new.ops@example.com", ssoPassword)
	if err != nil {
		t.Fatal(err)
	}
	// An attacker's callback, opened in the victim's browser.
	victim := e.browser(t)
	res, body := victim.get(console.SSOCallback + "?" + q.Encode())
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not started in this browser") {
		t.Fatalf("foreign callback: %d\n%s", res.StatusCode, body)
	}
	if _, err := e.db.People.User(context.Background(), "new.ops@example.com"); herald.ErrorCode(err) != herald.ENotFound {
		t.Fatalf("the foreign callback created a user: %v", err)
	}
	u, _ := url.Parse(e.http.URL)
	victim.client.Jar.SetCookies(u, []*http.Cookie{{Name: "herald_sso", Value: "tampered", Path: console.SSOCallback}})
	if res, _ := victim.get(console.SSOCallback + "?" + q.Encode()); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered cookie: %d", res.StatusCode)
	}
}

// Without single sign-on configured, the sign-in page offers none and its
// routes do not exist.
func TestSSO_NotConfigured(t *testing.T) {
	e := newEnv(t, store.SQLite)
	b := e.browser(t)
	if _, body := b.get("/login"); strings.Contains(body, "single sign-on") {
		t.Error("the sign-in page offers single sign-on without a provider")
	}
	if res, _ := b.get("/login/sso"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/login/sso without a provider: %d", res.StatusCode)
	}
}

// When the provider's claims decide roles, someone whose claims no longer
// map to a role (removed from the provider's group) gets the default role
// at their next sign-in, not the role they had.
func TestSSO_UnmappedClaimsGiveTheDefaultRole(t *testing.T) {
	e, op := newSSOEnv(t, store.SQLite)
	ctx := context.Background()
	if _, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: "Fay Former", Email: "former.ops@example.com", Role: herald.RoleResponder}); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	if res, body := b.ssoSignIn(op, "former.ops@example.com"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", res.StatusCode, body)
	}
	u, err := e.db.People.User(ctx, "former.ops@example.com")
	if err != nil || u.Role != herald.RoleViewer {
		t.Fatalf("role after signing in with no mapped group: %q %v, want viewer", u.Role, err)
	}
}
