package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/sso/ssotest"
	"github.com/heraldhq/herald/internal/store"
)

// serve configures single sign-on from its flags: the sign-in page offers
// it, and starting it sends the browser to the provider with the redirect
// URL under the base URL and the client id given.
func TestServe_SingleSignOnFlags(t *testing.T) {
	const base = "http://herald.test"
	op := ssotest.Start(t, ssotest.Options{RedirectURI: base + "/login/sso/callback"})
	u, _ := startServer(t, store.SQLite, "HERALD_BASE_URL", base, "HERALD_OIDC_ISSUER", op.Issuer, "HERALD_OIDC_CLIENT_ID", op.ClientID,
		"HERALD_OIDC_CLIENT_SECRET", op.ClientSecret, "HERALD_OIDC_ALLOWED_DOMAINS", "example.com", "HERALD_OIDC_ROLE_CLAIM", "groups",
		"HERALD_OIDC_ROLE_MAP", "ops=responder, herald-admins=admin")
	resp, err := http.Get(u + "/login")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(b.String(), "Sign in with single sign-on") {
		t.Fatalf("sign-in page:\n%s", b.String())
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = c.Get(u + "/login/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), op.Issuer) ||
		loc.Query().Get("redirect_uri") != base+"/login/sso/callback" || loc.Query().Get("client_id") != op.ClientID || loc.Query().Get("code_challenge_method") != "S256" {
		t.Fatalf("start: %d %s", resp.StatusCode, loc)
	}
}

func TestServe_SingleSignOnFlagErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"secret as a flag":     {args: []string{"--oidc-client-secret", "s"}, want: "HERALD_OIDC_CLIENT_SECRET"},
		"issuer without id":    {env: map[string]string{"HERALD_OIDC_ISSUER": "http://127.0.0.1:9"}, want: "--oidc-issuer needs --oidc-client-id"},
		"bad default role":     {env: map[string]string{"HERALD_OIDC_DEFAULT_ROLE": "owner"}, want: "--oidc-default-role"},
		"bad role map":         {env: map[string]string{"HERALD_OIDC_ISSUER": "http://127.0.0.1:9", "HERALD_OIDC_CLIENT_ID": "h", "HERALD_OIDC_ROLE_MAP": "ops"}, want: "--oidc-role-map"},
		"unreachable provider": {env: map[string]string{"HERALD_OIDC_ISSUER": "http://127.0.0.1:9", "HERALD_OIDC_CLIENT_ID": "h"}, want: "cannot reach the OpenID provider"},
	} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"HERALD_DATA": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...), func(k string) string { return env[k] }, nil, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
