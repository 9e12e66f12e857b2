package sso_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sso"
	"github.com/heraldhq/herald/internal/sso/ssotest"
)

const (
	callback = "http://herald.test/login/sso/callback"
	password = "correct horse battery staple"
)

var key = []byte("0123456789abcdef0123456789abcdef")

var users = []ssotest.User{
	{ID: "u-ada", Email: "Ada@Example.com", EmailVerified: true, Password: password, Name: "Ada Lovelace"},
	{ID: "u-bob", Email: "bob@example.com", EmailVerified: false, Password: password, Name: "Bob"},
	{ID: "u-eve", Email: "eve@example.org", EmailVerified: true, Password: password, Name: "Eve"},
	{ID: "u-gil", Email: "gil@example.com", EmailVerified: true, Password: password, GivenName: "Gil", FamilyName: "Amelio"},
	{ID: "u-rita", Email: "rita@example.com", EmailVerified: true, Password: password, Name: "Rita",
		Claims: map[string]any{"herald_role": "responder"}},
	{ID: "u-gus", Email: "gus@example.com", EmailVerified: true, Password: password, Name: "Gus",
		Claims: map[string]any{"groups": []string{"ops", "herald-admins"}, "herald_role": "superuser"}},
}

// provider starts a real OpenID provider and a Provider configured for it.
// With claimsInIDToken false the provider sends e-mail and profile only at
// its userinfo endpoint, so both places Finish reads claims are exercised.
func provider(t *testing.T, claimsInIDToken bool, cfg sso.Config) (*ssotest.Server, *sso.Provider) {
	t.Helper()
	srv := ssotest.Start(t, ssotest.Options{RedirectURI: callback, Users: users, ClaimsInIDToken: claimsInIDToken})
	cfg.Issuer, cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL = srv.Issuer, srv.ClientID, srv.ClientSecret, callback
	p, err := sso.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, p
}

// signIn starts a sign-in, keeps the Pending as the console would (sealed
// in a cookie, opened at the callback), and signs email in at the provider
// through its login form. It returns the opened Pending and the callback's
// query.
func signIn(t *testing.T, srv *ssotest.Server, p *sso.Provider, email string) (sso.Pending, url.Values) {
	t.Helper()
	authURL, pending, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := pending.Seal(key)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := sso.OpenPending(key, cookie)
	if err != nil {
		t.Fatal(err)
	}
	q, err := srv.SignIn(context.Background(), authURL, email, password)
	if err != nil {
		t.Fatal(err)
	}
	return opened, q
}

func TestFinish(t *testing.T) {
	t.Parallel()
	finish := func(p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
		return p.Finish(context.Background(), pending, q)
	}
	roleMap := map[string]string{"ops": "responder", "herald-admins": "admin", "audit": "viewer"}
	tests := []struct {
		name    string
		inToken bool // e-mail and profile claims in the ID token, not only at userinfo
		cfg     sso.Config
		email   string
		// act replaces a plain Finish: it may change what comes back, or
		// finish twice.
		act      func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error)
		want     sso.Identity
		userinfo *int // calls to the userinfo endpoint expected, when not nil
		wantCode string
		wantMsg  string
		// wantReason is in err.Error() (for the log), not in the message.
		wantReason string
	}{
		{name: "verified user in an allowed domain (claims at userinfo)",
			cfg: sso.Config{AllowedDomains: []string{"@EXAMPLE.com"}}, email: "ada@example.com",
			want: sso.Identity{Subject: "u-ada", Email: "ada@example.com", Name: "Ada Lovelace"}, userinfo: calls(1)},
		{name: "verified user in an allowed domain (claims in the ID token)", inToken: true,
			cfg: sso.Config{AllowedDomains: []string{"example.net", "example.com"}}, email: "ada@example.com",
			want: sso.Identity{Subject: "u-ada", Email: "ada@example.com", Name: "Ada Lovelace"}, userinfo: calls(0)},
		{name: "any verified domain when none is listed", email: "eve@example.org",
			want: sso.Identity{Subject: "u-eve", Email: "eve@example.org", Name: "Eve"}},
		{name: "name from given and family names", email: "gil@example.com",
			want: sso.Identity{Subject: "u-gil", Email: "gil@example.com", Name: "Gil Amelio"}},
		{name: "unverified e-mail is refused", email: "bob@example.com",
			wantCode: herald.EForbidden, wantMsg: "your e-mail address is not verified by the identity provider"},
		{name: "unverified e-mail is refused (ID token)", inToken: true, email: "bob@example.com",
			wantCode: herald.EForbidden, wantMsg: "your e-mail address is not verified by the identity provider"},
		{name: "domain not allowed is refused", cfg: sso.Config{AllowedDomains: []string{"example.com"}}, email: "eve@example.org",
			wantCode: herald.EForbidden, wantMsg: "example.org is not an allowed domain"},
		{name: "state mismatch is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				q.Set("state", "forged-"+q.Get("state"))
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "this sign-in was not started in this browser"},
		{name: "callback without state is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				q.Del("state")
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "this sign-in was not started in this browser"},
		{name: "callback finished with another browser's pending is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, _ sso.Pending, q url.Values) (sso.Identity, error) {
				_, other, err := p.Start()
				if err != nil {
					t.Fatal(err)
				}
				return finish(p, other, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "this sign-in was not started in this browser"},
		{name: "replay of the same code is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				if _, err := finish(p, pending, q); err != nil {
					t.Fatalf("first Finish: %v", err)
				}
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "the identity provider refused the sign-in code", wantReason: "invalid_grant"},
		{name: "wrong PKCE verifier is refused by the provider", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				_, other, _ := p.Start()
				pending.Verifier = other.Verifier
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "the identity provider refused the sign-in code"},
		{name: "nonce mismatch is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				_, other, _ := p.Start()
				pending.Nonce = other.Nonce
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "could not be verified", wantReason: "nonce is not this sign-in's"},
		{name: "expired pending is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				pending.Expires = time.Now().Add(-time.Second)
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "took more than 10 minutes"},
		{name: "another issuer named in the callback is refused", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, q url.Values) (sso.Identity, error) {
				q.Set("iss", "https://evil.example.net")
				return finish(p, pending, q)
			},
			wantCode: herald.EUnauthenticated, wantMsg: "this sign-in was not started in this browser"},
		{name: "provider's error is reported without its description", email: "ada@example.com",
			act: func(t *testing.T, p *sso.Provider, pending sso.Pending, _ url.Values) (sso.Identity, error) {
				return finish(p, pending, url.Values{"state": {pending.State}, "error": {"access_denied"}, "error_description": {"call +1 555 to unlock"}})
			},
			wantCode: herald.EUnauthenticated, wantMsg: "the identity provider did not sign you in (access_denied)"},
		{name: "role claim names the role", cfg: sso.Config{RoleClaim: "herald_role"}, email: "rita@example.com",
			want: sso.Identity{Subject: "u-rita", Email: "rita@example.com", Name: "Rita", Role: "responder"}},
		{name: "role claim that is not a role maps to none", cfg: sso.Config{RoleClaim: "herald_role"}, email: "gus@example.com",
			want: sso.Identity{Subject: "u-gus", Email: "gus@example.com", Name: "Gus"}},
		{name: "role map gives the highest role of a list claim", cfg: sso.Config{RoleClaim: "groups", RoleMap: roleMap}, email: "gus@example.com",
			want: sso.Identity{Subject: "u-gus", Email: "gus@example.com", Name: "Gus", Role: "admin"}},
		{name: "role map without a matching value gives none", cfg: sso.Config{RoleClaim: "groups", RoleMap: roleMap}, email: "ada@example.com",
			want: sso.Identity{Subject: "u-ada", Email: "ada@example.com", Name: "Ada Lovelace"}},
		{name: "no role claim configured gives none", email: "rita@example.com",
			want: sso.Identity{Subject: "u-rita", Email: "rita@example.com", Name: "Rita"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, p := provider(t, tt.inToken, tt.cfg)
			pending, q := signIn(t, srv, p, tt.email)
			var got sso.Identity
			var err error
			if tt.act != nil {
				got, err = tt.act(t, p, pending, q)
			} else {
				got, err = finish(p, pending, q)
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Finish: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Finish = %+v, want %+v", got, tt.want)
				}
				if n := srv.UserinfoCalls(); tt.userinfo != nil && n != *tt.userinfo {
					t.Fatalf("userinfo asked %d times, want %d", n, *tt.userinfo)
				}
				return
			}
			var he *herald.Error
			if !errors.As(err, &he) {
				t.Fatalf("Finish = %+v, %v; want a *herald.Error %s", got, err, tt.wantCode)
			}
			if he.Code != tt.wantCode || !strings.Contains(he.Message, tt.wantMsg) {
				t.Fatalf("Finish error = %s %q, want %s containing %q", he.Code, he.Message, tt.wantCode, tt.wantMsg)
			}
			if got != (sso.Identity{}) {
				t.Fatalf("Finish refused but returned %+v", got)
			}
			if !strings.Contains(err.Error(), tt.wantReason) || (tt.wantReason != "" && strings.Contains(he.Message, tt.wantReason)) {
				t.Fatalf("err = %q, message %q; want the reason %q in the error only", err, he.Message, tt.wantReason)
			}
			if c := q.Get("code"); c != "" && strings.Contains(he.Message, c) {
				t.Fatalf("error message carries the code: %q", he.Message)
			}
			if strings.Contains(he.Message, "call +1") {
				t.Fatalf("error message repeats the provider's description: %q", he.Message)
			}
		})
	}
}

func calls(n int) *int { return &n }

// TestStart_AsksForPKCEAndNonce checks what the provider received: an S256
// challenge of the verifier kept in the Pending (never the verifier itself),
// the nonce, the state and the scopes.
func TestStart_AsksForPKCEAndNonce(t *testing.T) {
	t.Parallel()
	srv, p := provider(t, false, sso.Config{})
	authURL, pending, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(authURL, pending.Verifier) {
		t.Fatal("the authorization URL carries the PKCE verifier")
	}
	if _, err := srv.SignIn(context.Background(), authURL, "ada@example.com", password); err != nil {
		t.Fatal(err)
	}
	got := srv.LastAuthRequest()
	sum := sha256.Sum256([]byte(pending.Verifier))
	if got.CodeChallengeMethod != "S256" || got.CodeChallenge != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("challenge = %s %q, want S256 of the verifier", got.CodeChallengeMethod, got.CodeChallenge)
	}
	if got.Nonce != pending.Nonce || got.State != pending.State || got.RedirectURI != callback {
		t.Fatalf("auth request = %+v, want nonce %q state %q", got, pending.Nonce, pending.State)
	}
	for _, s := range []string{"openid", "email", "profile"} {
		if !slices.Contains(got.Scopes, s) {
			t.Fatalf("scopes = %v, want %s", got.Scopes, s)
		}
	}
	_, again, _ := p.Start()
	if again.State == pending.State || again.Nonce == pending.Nonce || again.Verifier == pending.Verifier {
		t.Fatal("two sign-ins share a state, nonce or verifier")
	}
	if d := time.Until(pending.Expires); d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("pending expires in %v, want 10 minutes", d)
	}
}

// TestPending_SealedCookie checks the cookie value: the browser can neither
// read the verifier nor change anything, and another key cannot open it.
func TestPending_SealedCookie(t *testing.T) {
	t.Parallel()
	p := sso.Pending{State: "s-123", Nonce: "n-456", Verifier: "v-789-secret", Expires: time.Now().Add(time.Minute).UTC().Truncate(time.Second)}
	sealed, err := p.Seal(key)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	if strings.Contains(sealed, "v-789") || strings.Contains(string(raw), "v-789") || strings.ContainsAny(sealed, ";, \"") {
		t.Fatalf("sealed value %q is readable or not cookie-safe", sealed)
	}
	opened, err := sso.OpenPending(key, sealed)
	if err != nil || !opened.Expires.Equal(p.Expires) || opened.State != p.State || opened.Nonce != p.Nonce || opened.Verifier != p.Verifier {
		t.Fatalf("OpenPending = %+v, %v; want %+v", opened, err, p)
	}

	flipped := []byte(sealed)
	i := len(flipped) / 2
	flipped[i] ^= 1
	if flipped[i] == '-' || flipped[i] == '_' {
		flipped[i] = 'A'
	}
	otherKey := []byte("fedcba9876543210fedcba9876543210")
	for name, open := range map[string]func() (sso.Pending, error){
		"tampered":     func() (sso.Pending, error) { return sso.OpenPending(key, string(flipped)) },
		"truncated":    func() (sso.Pending, error) { return sso.OpenPending(key, sealed[:len(sealed)-4]) },
		"another key":  func() (sso.Pending, error) { return sso.OpenPending(otherKey, sealed) },
		"empty":        func() (sso.Pending, error) { return sso.OpenPending(key, "") },
		"not base64":   func() (sso.Pending, error) { return sso.OpenPending(key, "%%%") },
		"plain JSON":   func() (sso.Pending, error) { return sso.OpenPending(key, `{"State":"s-123"}`) },
		"short key":    func() (sso.Pending, error) { return sso.OpenPending(key[:16], sealed) },
		"opened twice": func() (sso.Pending, error) { return sso.OpenPending(key, sealed) },
	} {
		got, err := open()
		if name == "opened twice" {
			// Opening is pure: the one-use guarantee is the provider's
			// refusal of a second exchange (TestFinish, replay).
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: opened %+v", name, got)
			continue
		}
		if name != "short key" && herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Errorf("%s: error %v, want %s", name, err, herald.EUnauthenticated)
		}
	}
	if _, err := p.Seal(key[:31]); err == nil {
		t.Error("Seal accepted a 31-byte key")
	}
}

// TestFinish_TamperedCookieNeverReachesTheProvider drives the whole flow
// with the cookie changed in the browser: it is refused before any code is
// exchanged, so the code is still good for the genuine cookie.
func TestFinish_TamperedCookieNeverReachesTheProvider(t *testing.T) {
	t.Parallel()
	srv, p := provider(t, false, sso.Config{})
	authURL, pending, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := pending.Seal(key)
	if err != nil {
		t.Fatal(err)
	}
	q, err := srv.SignIn(context.Background(), authURL, "ada@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte(sealed)
	b[len(b)-1] = map[bool]byte{true: 'B', false: 'A'}[b[len(b)-1] == 'A']
	if _, err := sso.OpenPending(key, string(b)); herald.ErrorCode(err) != herald.EUnauthenticated {
		t.Fatalf("tampered cookie: %v, want %s", err, herald.EUnauthenticated)
	}
	opened, err := sso.OpenPending(key, sealed)
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.Finish(context.Background(), opened, q)
	if err != nil || id.Email != "ada@example.com" {
		t.Fatalf("Finish with the genuine cookie = %+v, %v", id, err)
	}
}

func TestNew_Errors(t *testing.T) {
	t.Parallel()
	gone := httptest.NewServer(nil)
	gone.Close()
	srv := ssotest.Start(t, ssotest.Options{RedirectURI: callback})
	tests := []struct {
		name string
		cfg  sso.Config
		want string
	}{
		{"unreachable issuer", sso.Config{Issuer: gone.URL, ClientID: "herald", RedirectURL: callback},
			"cannot reach the OpenID provider at " + gone.URL},
		{"issuer spelt differently", sso.Config{Issuer: srv.Issuer + "/", ClientID: "herald", RedirectURL: callback},
			"names itself \"" + srv.Issuer + "\""},
		{"missing settings", sso.Config{Issuer: srv.Issuer}, "the client id and redirect URL must be set"},
		{"relative redirect", sso.Config{Issuer: srv.Issuer, ClientID: "herald", RedirectURL: "/login/sso/callback"}, "not an absolute URL"},
		{"role map to no role", sso.Config{Issuer: srv.Issuer, ClientID: "herald", RedirectURL: callback,
			RoleClaim: "groups", RoleMap: map[string]string{"ops": "owner"}}, `sends "ops" to "owner", which is not a role`},
		{"role map without claim", sso.Config{Issuer: srv.Issuer, ClientID: "herald", RedirectURL: callback,
			RoleMap: map[string]string{"ops": "admin"}}, "a role map needs the name of the role claim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			p, err := sso.New(ctx, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want an error containing %q", p, err, tt.want)
			}
		})
	}
}
