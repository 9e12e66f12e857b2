package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/sso"
)

// oidcFlags configure single sign-on to the console (internal/sso). The
// client secret is read only from HERALD_OIDC_CLIENT_SECRET: flags show in
// the process list.
type oidcFlags struct {
	issuer, clientID, domains, roleClaim, roleMap, defaultRole *string
}

func addOIDCFlags(f *flags) oidcFlags {
	o := oidcFlags{
		issuer:      f.string("oidc-issuer", "", "OpenID Connect provider for single sign-on to the console, exactly as it names itself (empty: passwords only); register BASE-URL/login/sso/callback as its redirect URL"),
		clientID:    f.string("oidc-client-id", "", "Herald's client id at the OpenID provider (its secret only through HERALD_OIDC_CLIENT_SECRET)"),
		domains:     f.string("oidc-allowed-domains", "", "e-mail domains single sign-on admits, comma-separated (empty: any address the provider verified)"),
		roleClaim:   f.string("oidc-role-claim", "", "claim that gives a person's role, such as groups (empty: roles are set in Herald)"),
		roleMap:     f.string("oidc-role-map", "", "claim values to roles, such as ops=responder,herald-admins=admin (empty: the claim's value is the role)"),
		defaultRole: f.string("oidc-default-role", string(herald.RoleViewer), "role of a person single sign-on creates when the claim gives none: viewer, responder or admin"),
	}
	f.Func("oidc-client-secret", "", func(string) error {
		return usagef("pass the OpenID client secret as HERALD_OIDC_CLIENT_SECRET, not as a flag: flags show in the process list")
	})
	f.Lookup("oidc-client-secret").Usage = "set only through HERALD_OIDC_CLIENT_SECRET: Herald's client secret at the OpenID provider"
	return o
}

// provider discovers the configured OpenID provider, or returns nil when
// single sign-on is off. A provider that cannot be reached stops the start:
// a misconfiguration shows now, not at someone's first sign-in.
func (o oidcFlags) provider(ctx context.Context, e env, lk links.Links, key []byte) (console.SSO, error) {
	if !herald.APIRole(*o.defaultRole).Valid() {
		return nil, usagef("--oidc-default-role must be viewer, responder or admin")
	}
	if *o.issuer == "" {
		if *o.clientID != "" {
			return nil, usagef("--oidc-client-id needs --oidc-issuer")
		}
		return nil, nil
	}
	if *o.clientID == "" {
		return nil, usagef("--oidc-issuer needs --oidc-client-id")
	}
	if len(key) != 32 {
		return nil, usagef("single sign-on needs HERALD_SECRET_KEY: it seals each sign-in in progress (32 bytes, base64, the same on every instance)")
	}
	roles := map[string]string{}
	for _, pair := range splitList(*o.roleMap) {
		value, role, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(value) == "" {
			return nil, usagef("--oidc-role-map: %q is not value=role", pair)
		}
		roles[strings.TrimSpace(value)] = strings.TrimSpace(role)
	}
	if len(roles) == 0 {
		roles = nil
	}
	p, err := sso.New(ctx, sso.Config{Issuer: *o.issuer, ClientID: *o.clientID, ClientSecret: e.getenv("HERALD_OIDC_CLIENT_SECRET"),
		RedirectURL: lk.Base() + console.SSOCallback, AllowedDomains: splitList(*o.domains), RoleClaim: *o.roleClaim, RoleMap: roles})
	if err != nil {
		return nil, fmt.Errorf("single sign-on (--oidc-issuer): %w", err)
	}
	return p, nil
}

// splitList reads a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
