package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/sso"
)

// SSO is the single sign-on the console needs: *sso.Provider, configured
// for one OpenID provider. Start begins a sign-in; Finish checks the
// provider's callback against what Start kept and says who signed in.
type SSO interface {
	Start() (authURL string, pending sso.Pending, err error)
	Finish(ctx context.Context, pending sso.Pending, query url.Values) (sso.Identity, error)
}

// The single sign-on routes. The callback's path is the redirect URL
// registered at the provider: the base URL and SSOCallback.
const (
	SSOStart    = links.SignIn + "/sso"
	SSOCallback = links.SignIn + "/sso/callback"
)

// ssoCookie keeps a started sign-in (sso.Pending, sealed with the server
// key) for the callback only: HttpOnly, SameSite=Lax (the callback is a
// top-level GET from the provider's site, which Strict would not send it
// with), at most sso.PendingTTL, and deleted at the callback whatever the
// outcome.
const (
	ssoCookie       = "herald_sso"
	secureSSOCookie = "__Host-herald_sso"
)

// ssoCookiePath is the cookies' path: the callback's, except over HTTPS,
// where the __Host- prefix (no sibling subdomain can set the cookie, which
// would sign a victim in as someone else) requires path /.
func (c *Console) ssoCookiePath() string {
	if c.cfg.SecureCookies {
		return "/"
	}
	return SSOCallback
}

func (c *Console) ssoCookieName() string {
	if c.cfg.SecureCookies {
		return secureSSOCookie
	}
	return ssoCookie
}

func (c *Console) ssoRoutes() []route {
	if c.cfg.SSO == nil {
		return nil
	}
	return []route{
		{method: "GET", path: SSOStart, serve: c.ssoStart},
		{method: "GET", path: SSOCallback, serve: c.ssoCallback},
	}
}

// ssoStart sends the browser to the provider, keeping the sign-in's state,
// nonce and PKCE verifier in the sealed cookie.
func (c *Console) ssoStart(w http.ResponseWriter, r *http.Request, _ herald.Actor) error {
	authURL, pending, err := c.cfg.SSO.Start()
	if err != nil {
		return err
	}
	sealed, err := pending.Seal(c.cfg.SecretKey)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: c.ssoCookieName(), Value: sealed, Path: c.ssoCookiePath(), MaxAge: int(sso.PendingTTL.Seconds()),
		HttpOnly: true, Secure: c.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	// Where to go after signing in travels beside it; it is checked again
	// at the callback (safeNext), so a changed value leads only inside the
	// console.
	http.SetCookie(w, &http.Cookie{Name: c.ssoCookieName() + "_next", Value: url.QueryEscape(safeNext(r.URL.Query().Get("next"))), Path: c.ssoCookiePath(),
		MaxAge: int(sso.PendingTTL.Seconds()), HttpOnly: true, Secure: c.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

// ssoCallback finishes a sign-in: the provider vouches for a verified
// e-mail address, which finds or creates the Herald user (their role from
// the provider's claim mapping, else theirs, else the default), and a
// session opens as for a password.
func (c *Console) ssoCallback(w http.ResponseWriter, r *http.Request, _ herald.Actor) error {
	ck, err := r.Cookie(c.ssoCookieName())
	next := links.Console
	if n, err := r.Cookie(c.ssoCookieName() + "_next"); err == nil {
		v, _ := url.QueryUnescape(n.Value)
		next = safeNext(v)
	}
	for _, name := range []string{c.ssoCookieName(), c.ssoCookieName() + "_next"} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: c.ssoCookiePath(), MaxAge: -1,
			HttpOnly: true, Secure: c.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	if err != nil {
		return c.ssoRefused(w, r, herald.Errorf(herald.EUnauthenticated, "this sign-in was not started in this browser or has already been used; please sign in again"))
	}
	pending, err := sso.OpenPending(c.cfg.SecretKey, ck.Value)
	if err != nil {
		return c.ssoRefused(w, r, err)
	}
	id, err := c.cfg.SSO.Finish(r.Context(), pending, r.URL.Query())
	if err != nil {
		return c.ssoRefused(w, r, err)
	}
	role := c.cfg.SSODefaultRole
	if role == "" {
		role = herald.RoleViewer
	}
	claimed := herald.APIRole(id.Role)
	if claimed == "" && c.cfg.SSORolesFromProvider {
		claimed = role
	}
	u, err := c.cfg.Auth.SSOUser(r.Context(), id.Email, id.Name, claimed, role)
	if err != nil {
		return err
	}
	secret, err := c.cfg.Auth.SignInAs(r.Context(), u.ID, "sso")
	if err != nil {
		return err
	}
	c.setCookie(w, secret, 0)
	c.log.Info("signed in", "user", u.ID, "via", "sso", "role", u.Role)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// ssoRefused shows the sign-in page with why single sign-on did not sign
// the person in. A provider that cannot be reached is the server's
// problem: logged, and shown as the error page.
func (c *Console) ssoRefused(w http.ResponseWriter, r *http.Request, err error) error {
	var he *herald.Error
	if !errors.As(err, &he) {
		return err
	}
	c.log.Info("single sign-on refused", "err", err)
	_, status, _ := httperr.Of(he)
	c.render(w, r, status, "signin", herald.Actor{}, signInView{Next: links.Console, Error: he.Message, SSO: true})
	return nil
}
