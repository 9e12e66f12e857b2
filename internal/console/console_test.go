package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const pw = "correct horse battery staple"

// env is a Herald server with the console in front of a real store, and
// people of each role with a password.
type env struct {
	db     *store.DB
	clock  *testdb.Clock
	http   *httptest.Server
	people map[herald.APIRole]herald.User
	// console is the console the server serves (browser_test.go reads its routes).
	console *console.Console
}

func newEnv(t testing.TB, d store.Dialect) *env {
	t.Helper()
	e := &env{clock: testdb.NewClock(), people: map[herald.APIRole]herald.User{}}
	e.db = testdb.Open(t, d, e.clock)
	ctx := context.Background()
	for _, role := range herald.APIRoles {
		u, err := e.db.People.CreateUser(ctx, herald.UserInput{Name: string(role) + " person", Email: string(role) + "@example.com", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Auth.SetPassword(ctx, u.ID, pw); err != nil {
			t.Fatal(err)
		}
		e.people[role] = u
	}
	lk := links.New("http://herald.test")
	cons, err := console.New(console.Config{Services: e.db.Services(), Auth: e.db.Auth, Links: links.Links{}, Clock: e.clock, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.console = cons
	e.http = httptest.NewServer(server.New(server.Config{Services: e.db.Services(), Database: e.db, Links: lk, Version: "test", Console: cons}))
	t.Cleanup(e.http.Close)
	return e
}

// browser is an HTTP client with cookies that does not follow redirects,
// and sends the Origin a browser would.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.http.URL, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, origin string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, nil, "") }
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	return b.do("POST", path, form, "")
}

func (b *browser) signIn(email string) {
	b.t.Helper()
	res, body := b.post("/login", url.Values{"email": {email}, "password": {pw}, "next": {"/app"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/app" {
		b.t.Fatalf("sign in as %s: %d %s", email, res.StatusCode, body)
	}
}

func TestConsole_SignInSeeNowAndSignOut(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		if _, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Checkout fails", Severity: herald.S1}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)

		// Signed out, the console sends you to sign in and back.
		res, _ := b.get("/app")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fapp" {
			t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, body := b.get("/login?next=%2Fapp")
		if res.StatusCode != 200 || !strings.Contains(body, `name="password"`) || res.Header.Get("Content-Security-Policy") != console.CSP {
			t.Fatalf("sign-in page: %d %q", res.StatusCode, res.Header.Get("Content-Security-Policy"))
		}

		// A wrong password says so and sets no cookie.
		res, body = b.post("/login", url.Values{"email": {"responder@example.com"}, "password": {"wrong wrong wrong"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "wrong e-mail address or password") || len(res.Cookies()) != 0 {
			t.Fatalf("wrong password: %d %v", res.StatusCode, res.Cookies())
		}

		b.signIn("responder@example.com")
		res, body = b.get("/app")
		if res.StatusCode != 200 || !strings.Contains(body, "Checkout fails") || !strings.Contains(body, "S1") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("now: %d %s", res.StatusCode, body)
		}
		// The live part alone, for the script that refreshes it.
		res, body = b.get("/app?live=1")
		if res.StatusCode != 200 || strings.Contains(body, "<html") || !strings.Contains(body, "Checkout fails") {
			t.Fatalf("live part: %d %s", res.StatusCode, body)
		}

		// A form posted from another site is refused and changes nothing.
		res, _ = b.do("POST", "/logout", url.Values{}, "https://evil.example")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin sign-out: %d", res.StatusCode)
		}
		if res, _ = b.get("/app"); res.StatusCode != 200 {
			t.Fatalf("still signed in after the refused post: %d", res.StatusCode)
		}

		res, _ = b.post("/logout", url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.StatusCode)
		}
		if res, _ = b.get("/app"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d", res.StatusCode)
		}
	})
}

func TestConsole_SafeRedirectAfterSignIn(t *testing.T) {
	e := newEnv(t, store.SQLite)
	for _, next := range []string{"https://evil.example/", "//evil.example/app", "/\\evil.example", "/api/v1/incidents", ""} {
		b := e.browser(t)
		res, _ := b.post("/login", url.Values{"email": {"viewer@example.com"}, "password": {pw}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/app" {
			t.Errorf("next %q: %d to %q, want /app", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestConsole_UnknownPathIs404AndAssetsAreCached(t *testing.T) {
	e := newEnv(t, store.SQLite)
	b := e.browser(t)
	b.signIn("viewer@example.com")
	if res, _ := b.get("/app/nothing-here"); res.StatusCode != 404 {
		t.Errorf("unknown console path: %d", res.StatusCode)
	}
	_, body := b.get("/app")
	i := strings.Index(body, "/app/assets/console.css?v=")
	if i < 0 {
		t.Fatal("no stylesheet link")
	}
	href := body[i : i+strings.IndexByte(body[i:], '"')]
	res, css := b.get(href)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "prefers-color-scheme: dark") {
		t.Errorf("stylesheet: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

func TestConsole_NowShowsTheNewestAndLinksTheRest(t *testing.T) {
	e := newEnv(t, store.SQLite)
	ctx := context.Background()
	lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
	for i := range 51 {
		if _, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: fmt.Sprintf("Outage %d", i), Severity: herald.S3}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser(t)
	b.signIn("viewer@example.com")
	_, body := b.get("/app")
	if strings.Contains(body, "Outage 0<") || !strings.Contains(body, "Outage 50<") || !strings.Contains(body, `href="/app/incidents?active=true"`) || !strings.Contains(body, "50+") {
		t.Errorf("Now with 51 active incidents should show the newest 50 and link the rest:\n%s", body)
	}
}

// Every console form is read once, before its handler, within a bound:
// an oversized body is refused (413) even signed out.
func TestConsole_FormsAreBounded(t *testing.T) {
	e := newEnv(t, store.SQLite)
	b := e.browser(t)
	res, body := b.post("/login", url.Values{"email": {"viewer@example.com"}, "password": {strings.Repeat("x", 2<<20)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than") {
		t.Fatalf("a 2 MiB sign-in form: %d", res.StatusCode)
	}
}
