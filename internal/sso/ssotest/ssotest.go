// Package ssotest runs a real OpenID provider inside a test, so Herald's
// single sign-on is tested against the protocol as a certified provider
// speaks it rather than against a stub that agrees with our own reading of
// the specification.
//
// The provider is ZITADEL's OpenID library (github.com/zitadel/oidc/v3,
// package op: OpenID Certified) over a small in-memory storage: one
// confidential client, the users a test gives, and a login page with an
// HTML form. It refuses a code used twice and checks PKCE like a production
// provider. Tests only: the library's dependencies stay out of the binary.
package ssotest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a person the provider can sign in.
type User struct {
	ID            string // the subject; default: the e-mail address
	Email         string // also the login name
	EmailVerified bool
	Password      string
	Name          string
	GivenName     string
	FamilyName    string
	// Claims are added to the ID token and to userinfo (e.g. "groups").
	Claims map[string]any
}

// Options configures the provider.
type Options struct {
	ClientID     string // default "herald"
	ClientSecret string // default "herald-secret"
	// RedirectURI is the one redirect URI registered for the client.
	RedirectURI string
	Users       []User
	// ClaimsInIDToken puts the email and profile claims in the ID token.
	// Without it they are only at the userinfo endpoint (what the
	// specification asks when an access token is issued, and what this
	// library does by default), so the relying party must read them there.
	ClaimsInIDToken bool
}

// Server is a running provider.
type Server struct {
	// Issuer is the provider's issuer URL (an httptest server's URL).
	Issuer string
	// ClientID and ClientSecret are the registered client's.
	ClientID, ClientSecret string

	storage *storage
}

// Start starts a provider that stops when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID = "herald"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "herald-secret"
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st := &storage{
		client: &client{
			id:          opts.ClientID,
			secret:      opts.ClientSecret,
			redirectURI: opts.RedirectURI,
			idClaims:    opts.ClaimsInIDToken,
		},
		users:    map[string]*User{},
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]*accessToken{},
		key:      &signingKey{id: "k1", key: key},
	}
	for _, u := range opts.Users {
		st.addUser(u)
	}

	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	var cryptoKey [32]byte
	rand.Read(cryptoKey[:])
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          cryptoKey,
		CodeMethodS256:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("ssotest: start the provider: %v", err)
	}
	mux := http.NewServeMux()
	l := &login{storage: st, callback: op.AuthCallbackURL(provider)}
	mux.HandleFunc("GET /login", l.show)
	mux.Handle("POST /login", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(l.check))
	mux.Handle("/", provider)
	handler = mux

	return &Server{Issuer: srv.URL, ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, storage: st}
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) { s.storage.addUser(u) }

// AuthRequest is what the provider received from the relying party when a
// sign-in started: tests assert the relying party asked for what it should.
type AuthRequest struct {
	Scopes              []string
	Nonce               string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string
	RedirectURI         string
}

// LastAuthRequest returns the most recent authorization request received.
func (s *Server) LastAuthRequest() AuthRequest {
	s.storage.mu.Lock()
	defer s.storage.mu.Unlock()
	return s.storage.last
}

// UserinfoCalls returns how many times the userinfo endpoint was asked.
func (s *Server) UserinfoCalls() int {
	s.storage.mu.Lock()
	defer s.storage.mu.Unlock()
	return s.storage.userinfoCalls
}

// storage is the provider's in-memory state (op.Storage).
type storage struct {
	mu            sync.Mutex
	client        *client
	users         map[string]*User        // by e-mail, lower case
	requests      map[string]*authRequest // by id
	codes         map[string]string       // code -> request id
	tokens        map[string]*accessToken // by id
	key           *signingKey
	last          AuthRequest
	userinfoCalls int // calls to the userinfo endpoint
}

func (s *storage) addUser(u User) {
	if u.ID == "" {
		u.ID = u.Email
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(u.Email)] = &u
}

func (s *storage) userByID(id string) *User {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

type authRequest struct {
	id       string
	req      oidc.AuthRequest
	userID   string
	done     bool
	authTime time.Time
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string          { return a.id }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string  { return []string{a.req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }
func (a *authRequest) GetClientID() string    { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.userID }
func (a *authRequest) Done() bool                         { return a.done }

type accessToken struct {
	id       string
	clientID string
	subject  string
	scopes   []string
	expires  time.Time
}

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	if len(req.Prompt) == 1 && req.Prompt[0] == oidc.PromptNone {
		return nil, oidc.ErrLoginRequired()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &authRequest{id: rand.Text(), req: *req, userID: userID}
	s.requests[a.id] = a
	s.last = AuthRequest{
		Scopes: req.Scopes, Nonce: req.Nonce, State: req.State,
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: string(req.CodeChallengeMethod),
		RedirectURI: req.RedirectURI,
	}
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, errors.New("request not found")
	}
	return a, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("code invalid or already used")
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once the code has been exchanged: removing
// the request and its code is what makes a second exchange fail.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	clientID := ""
	if a, ok := req.(*authRequest); ok {
		clientID = a.req.ClientID
	}
	t := &accessToken{id: rand.Text(), clientID: clientID, subject: req.GetSubject(), scopes: req.GetScopes(), expires: time.Now().Add(5 * time.Minute)}
	s.tokens[t.id] = t
	return t.id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("refresh tokens are not supported")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errors.New("refresh tokens are not supported")
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{&publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errors.New("client not found")
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return errors.New("wrong client id or secret")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims (op.CanSetUserinfoFromRequest).
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(info, req.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.userinfoCalls++
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return errors.New("token invalid or expired")
	}
	return s.userinfo(info, t.subject, t.scopes)
}

func (s *storage) userinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByID(subject)
	if u == nil {
		return errors.New("user not found")
	}
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeOpenID:
			info.Subject = u.ID
			for k, v := range u.Claims {
				info.AppendClaims(k, v)
			}
		case oidc.ScopeEmail:
			info.Email = u.Email
			info.EmailVerified = oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = u.Name
			info.GivenName = u.GivenName
			info.FamilyName = u.FamilyName
		}
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("introspection is not supported")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not supported")
}

func (s *storage) Health(context.Context) error { return nil }

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

// checkPassword signs the user in for the auth request id.
func (s *storage) checkPassword(email, password, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return errors.New("the sign-in request has expired")
	}
	u := s.users[strings.ToLower(email)]
	if u == nil || u.Password != password {
		return errors.New("wrong e-mail address or password")
	}
	a.userID, a.done, a.authTime = u.ID, true, time.Now()
	return nil
}

type client struct {
	id, secret, redirectURI string
	idClaims                bool
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return []string{c.redirectURI} }
func (c *client) PostLogoutRedirectURIs() []string { return nil }
func (c *client) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (c *client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string    { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c *client) IDTokenLifetime() time.Duration { return time.Hour }

// DevMode allows an http redirect URI: the relying party in a test is not
// behind TLS.
func (c *client) DevMode() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return c.idClaims }
func (c *client) ClockSkew() time.Duration             { return 0 }

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ k *signingKey }

func (p *publicKey) ID() string                         { return p.k.id }
func (p *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p *publicKey) Use() string                        { return "sig" }
func (p *publicKey) Key() any                           { return &p.k.key.PublicKey }

// login is the provider's sign-in page: a plain HTML form, as a browser
// (or a test's http.Client) sees it.
type login struct {
	storage  *storage
	callback func(context.Context, string) string
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><title>Sign in</title></head><body>
<h1>Sign in</h1>
{{with .Error}}<p role="alert">{{.}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>E-mail <input type="email" name="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
</body></html>
`))

func (l *login) show(w http.ResponseWriter, r *http.Request) {
	l.render(w, r.URL.Query().Get("authRequestID"), "")
}

func (l *login) check(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	if err := l.storage.checkPassword(r.PostFormValue("username"), r.PostFormValue("password"), id); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		l.render(w, id, err.Error())
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

func (l *login) render(w http.ResponseWriter, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := loginPage.Execute(w, struct{ ID, Error string }{id, msg}); err != nil {
		http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
	}
}
