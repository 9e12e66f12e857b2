// Package sso signs people in to the console through an OpenID Connect
// provider (Okta, Entra ID, Google, Keycloak, Dex, ZITADEL...), so an
// organisation can keep one place where accounts are created and removed.
//
// The flow is the authorization code flow with PKCE:
//
//  1. Start makes a fresh state, nonce and PKCE verifier and returns the
//     provider's authorization URL (with the S256 challenge and the nonce)
//     and a Pending holding all three. The caller seals the Pending into a
//     short-lived, HttpOnly cookie (Pending.Seal) and redirects the browser.
//  2. The provider signs the person in and redirects the browser to the
//     RedirectURL with a code and the state.
//  3. The caller opens the cookie (OpenPending) and hands it and the
//     callback's query to Finish, which refuses unless: the Pending has not
//     expired (10 minutes); the state in the query is the one in the cookie
//     (so a callback started in another browser, or forged by another site,
//     is refused); the provider, when it names itself (RFC 9207 iss), is
//     ours; the code is exchanged for tokens with the verifier (so a stolen
//     code alone is useless, and the provider refuses a code used twice);
//     the ID token is signed by the provider's keys, issued by our issuer,
//     for our client id, not expired, and carries our nonce (so a token from
//     another sign-in cannot be replayed here); the access token matches
//     the ID token's at_hash; the e-mail address is verified by the provider
//     (email_verified true); and its domain is in AllowedDomains when that
//     list is not empty.
//
// When the ID token carries no e-mail address (some providers send only sub
// when an access token is issued, as the specification allows), the claims
// are read from the userinfo endpoint, whose subject must be the ID token's.
// The role comes from RoleClaim through RoleMap when configured.
//
// Nothing here remembers a Pending once used: the caller deletes the cookie
// at the callback whatever the outcome, and the provider refuses a code
// exchanged twice.
//
// What Finish returns is who signed in (Identity). Matching or creating the
// Herald user by that verified e-mail and opening a session is the caller's
// job; this package holds no state and touches no database, so any instance
// can finish a sign-in another started.
//
// Errors meant for the person signing in are (or wrap, for errors.As) a
// *herald.Error with code EUnauthenticated (the sign-in did not complete;
// start again) or EForbidden (the provider vouched for someone Herald does
// not admit). Its Message never carries codes or tokens; the wrapping
// error's Error() adds the technical reason for the log. Other errors (the
// provider cannot be reached) are internal and should be logged, not shown.
package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald"
)

// PendingTTL is how long a started sign-in may take before its callback is
// refused. Long enough to type a password and answer a second factor; short
// enough that a leaked cookie is soon worthless.
const PendingTTL = 10 * time.Minute

// Config says which provider to trust and whom to admit.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its discovery document
	// names it (e.g. https://accounts.example.com or
	// https://login.example.com/realms/ops).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back, e.g.
	// https://herald.example.com/login/sso/callback. It must be registered
	// with the provider for ClientID.
	RedirectURL string
	// AllowedDomains lists the e-mail domains admitted (case does not
	// matter; a leading "@" is ignored). Empty: any verified address.
	AllowedDomains []string
	// RoleClaim optionally names the claim whose value names the person's
	// role (e.g. "groups" or "herald_role"). Empty: no mapping, Identity.Role
	// is "" and the caller chooses.
	RoleClaim string
	// RoleMap optionally maps claim values to roles ("viewer", "responder",
	// "admin"). When RoleClaim is set and RoleMap is empty, the claim's value
	// itself must be a role name. A claim holding a list (groups) gives the
	// highest role any of its values maps to.
	RoleMap map[string]string
	// Scopes requested; default openid, email, profile. openid is always
	// requested.
	Scopes []string
	// HTTPClient talks to the provider (discovery, keys, token, userinfo).
	// Default: a client with a 15-second timeout.
	HTTPClient *http.Client
	// Clock tells Finish whether a Pending has expired. Default: the wall
	// clock.
	Clock herald.Clock
}

// Provider is a configured OpenID provider. It is safe for concurrent use
// and holds no per-sign-in state: that travels in the Pending.
type Provider struct {
	cfg      Config
	domains  []string
	oidc     *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
	clock    herald.Clock
}

// Identity is who the provider says signed in, after every check passed.
type Identity struct {
	// Subject is the provider's stable identifier for the person (sub). It
	// is unique only together with the issuer.
	Subject string
	// Email is the verified address, in lower case.
	Email string
	// Name is the display name (name, else given and family names); it may
	// be empty.
	Name string
	// Role is "viewer", "responder" or "admin" when RoleClaim maps to one,
	// and "" when no mapping applies.
	Role string
}

// New discovers the provider at cfg.Issuer and checks the configuration. It
// fails with a clear error when the issuer cannot be reached or names
// itself differently, so a misconfiguration shows at start-up rather than at
// the first sign-in.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	clock := cfg.Clock
	if clock == nil {
		clock = herald.SystemClock{}
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, fmt.Errorf("sso: the OpenID provider at %s names itself %q; set the issuer to exactly that", cfg.Issuer, mismatch.Discovered)
		}
		return nil, fmt.Errorf("sso: cannot reach the OpenID provider at %s (discovery of %s/.well-known/openid-configuration failed): %w",
			cfg.Issuer, strings.TrimSuffix(cfg.Issuer, "/"), err)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	domains := make([]string, 0, len(cfg.AllowedDomains))
	for _, d := range cfg.AllowedDomains {
		if d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")); d != "" {
			domains = append(domains, d)
		}
	}
	return &Provider{
		cfg:     cfg,
		domains: domains,
		oidc:    op,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     op.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       scopes,
		},
		verifier: op.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:   client,
		clock:    clock,
	}, nil
}

func checkConfig(cfg *Config) error {
	var missing []string
	if cfg.Issuer == "" {
		missing = append(missing, "issuer")
	}
	if cfg.ClientID == "" {
		missing = append(missing, "client id")
	}
	if cfg.RedirectURL == "" {
		missing = append(missing, "redirect URL")
	}
	if len(missing) > 0 {
		return fmt.Errorf("sso: the %s must be set", strings.Join(missing, " and "))
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("sso: the redirect URL %q is not an absolute URL", cfg.RedirectURL)
	}
	for value, role := range cfg.RoleMap {
		if !herald.APIRole(role).Valid() {
			return fmt.Errorf("sso: the role map sends %q to %q, which is not a role (%s)",
				value, role, strings.Join(herald.RoleViewer.Enum(), ", "))
		}
	}
	if len(cfg.RoleMap) > 0 && cfg.RoleClaim == "" {
		return errors.New("sso: a role map needs the name of the role claim")
	}
	return nil
}

// Start begins a sign-in: it returns the URL to send the browser to and the
// Pending to keep until the callback, in a short-lived, HttpOnly cookie
// (Pending.Seal). Nothing is stored on the server.
func (p *Provider) Start() (authURL string, pending Pending, err error) {
	pending = Pending{
		State:    randomString(),
		Nonce:    randomString(),
		Verifier: oauth2.GenerateVerifier(),
		Expires:  p.clock.Now().Add(PendingTTL),
	}
	authURL = p.oauth.AuthCodeURL(pending.State,
		oauth2.S256ChallengeOption(pending.Verifier),
		oidc.Nonce(pending.Nonce))
	return authURL, pending, nil
}

// errorCode is the shape of an OAuth error code; anything else in the
// callback's error parameter is not repeated to the person.
var errorCode = regexp.MustCompile(`^[a-z_]{1,40}$`)

// Finish checks the provider's callback (its query, as received at
// RedirectURL) against pending and returns who signed in. See the package
// comment for every check. It returns a *herald.Error for anything the
// person can act on, and a plain error when the provider cannot be reached.
func (p *Provider) Finish(ctx context.Context, pending Pending, query url.Values) (Identity, error) {
	if pending.State == "" || pending.Nonce == "" || pending.Verifier == "" {
		return Identity{}, errRestart()
	}
	if !p.clock.Now().Before(pending.Expires) {
		return Identity{}, herald.Errorf(herald.EUnauthenticated, "the sign-in took more than %d minutes; please sign in again", int(PendingTTL.Minutes()))
	}
	if !equal(query.Get("state"), pending.State) {
		return Identity{}, errRestart()
	}
	if e := query.Get("error"); e != "" {
		if !errorCode.MatchString(e) {
			e = "an unknown reason"
		}
		return Identity{}, herald.Errorf(herald.EUnauthenticated, "the identity provider did not sign you in (%s)", e)
	}
	if iss := query.Get("iss"); iss != "" && iss != p.cfg.Issuer {
		return Identity{}, errRestart()
	}
	code := query.Get("code")
	if code == "" {
		return Identity{}, herald.Errorf(herald.EUnauthenticated, "the identity provider sent no sign-in code; please sign in again")
	}

	ctx = oidc.ClientContext(ctx, p.client)
	token, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			// The provider refused the code: used before, expired, not ours,
			// or the verifier does not match its challenge.
			return Identity{}, because(herald.Errorf(herald.EUnauthenticated, "the identity provider refused the sign-in code; please sign in again"), errors.New(redact(err, code)))
		}
		return Identity{}, fmt.Errorf("sso: exchange the code at the token endpoint: %s", redact(err, code))
	}
	rawID, _ := token.Extra("id_token").(string)
	if rawID == "" {
		return Identity{}, herald.Errorf(herald.EUnauthenticated, "the identity provider sent no ID token; check that the openid scope is allowed for this client")
	}
	idToken, err := p.verifier.Verify(ctx, rawID)
	if err != nil {
		return Identity{}, because(errInvalidToken(), err)
	}
	if !equal(idToken.Nonce, pending.Nonce) {
		return Identity{}, because(errInvalidToken(), errors.New("the ID token's nonce is not this sign-in's"))
	}
	if idToken.AccessTokenHash != "" {
		if err := idToken.VerifyAccessToken(token.AccessToken); err != nil {
			return Identity{}, because(errInvalidToken(), err)
		}
	}
	claims := map[string]any{}
	if err := idToken.Claims(&claims); err != nil {
		return Identity{}, because(errInvalidToken(), err)
	}
	if _, ok := claims["email"]; !ok && p.oidc.UserInfoEndpoint() != "" {
		info, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(token))
		if err != nil {
			return Identity{}, fmt.Errorf("sso: read the userinfo endpoint: %w", err)
		}
		if info.Subject != idToken.Subject {
			return Identity{}, because(errInvalidToken(), errors.New("userinfo names another subject than the ID token"))
		}
		more := map[string]any{}
		if err := info.Claims(&more); err != nil {
			return Identity{}, fmt.Errorf("sso: decode userinfo: %w", err)
		}
		for k, v := range more {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	return p.identity(idToken.Subject, claims)
}

// identity applies the admission rules to the verified claims.
func (p *Provider) identity(subject string, claims map[string]any) (Identity, error) {
	email, _ := claims["email"].(string)
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if email == "" || at <= 0 || at == len(email)-1 {
		return Identity{}, herald.Errorf(herald.EForbidden, "the identity provider did not give your e-mail address; ask your administrator to allow the email scope for Herald")
	}
	if !truthy(claims["email_verified"]) {
		return Identity{}, herald.Errorf(herald.EForbidden, "your e-mail address is not verified by the identity provider")
	}
	domain := email[at+1:]
	if len(p.domains) > 0 && !slices.Contains(p.domains, domain) {
		return Identity{}, herald.Errorf(herald.EForbidden, "%s is not an allowed domain", domain)
	}
	name, _ := claims["name"].(string)
	if name = strings.TrimSpace(name); name == "" {
		given, _ := claims["given_name"].(string)
		family, _ := claims["family_name"].(string)
		name = strings.TrimSpace(given + " " + family)
	}
	return Identity{Subject: subject, Email: email, Name: name, Role: p.role(claims)}, nil
}

// role maps the role claim to a role, the highest when the claim is a list;
// "" when there is no claim or no value maps.
func (p *Provider) role(claims map[string]any) string {
	if p.cfg.RoleClaim == "" {
		return ""
	}
	var values []string
	switch v := claims[p.cfg.RoleClaim].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				values = append(values, s)
			}
		}
	}
	best := -1
	for _, v := range values {
		role := v
		if len(p.cfg.RoleMap) > 0 {
			role = p.cfg.RoleMap[v]
		}
		role = strings.ToLower(strings.TrimSpace(role))
		if i := slices.Index(herald.APIRoles, herald.APIRole(role)); i > best {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return string(herald.APIRoles[best])
}

// errRestart: the callback does not belong to the Pending (another
// browser, a forged link, a tampered or reused cookie).
func errRestart() *herald.Error {
	return herald.Errorf(herald.EUnauthenticated, "this sign-in was not started in this browser or has already been used; please sign in again")
}

// errInvalidToken: the ID token or userinfo failed a check. Which one is not
// said; it helps only someone probing.
func errInvalidToken() *herald.Error {
	return herald.Errorf(herald.EUnauthenticated, "the identity provider's answer could not be verified; please sign in again")
}

// refusal is a *herald.Error for the person with the reason for the log:
// errors.As finds the *herald.Error (what to show), and Error() adds the
// reason (what went wrong, without codes or tokens).
type refusal struct {
	shown  *herald.Error
	reason error
}

func because(shown *herald.Error, reason error) error { return &refusal{shown, reason} }

func (r *refusal) Error() string   { return r.shown.Error() + " (" + r.reason.Error() + ")" }
func (r *refusal) Unwrap() []error { return []error{r.shown, r.reason} }

// truthy reads email_verified, which some providers send as a string.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// redact removes the code from an error text before it is logged.
func redact(err error, code string) string {
	s := err.Error()
	if code != "" {
		s = strings.ReplaceAll(s, code, "[code]")
	}
	return s
}
