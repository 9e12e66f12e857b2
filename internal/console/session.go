package console

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// cookieName is the session cookie. The __Host- prefix (over HTTPS) binds
// it to this host and path /, so no sibling subdomain can set or read it.
const (
	cookieName       = "herald_session"
	secureCookieName = "__Host-herald_session"
)

func (c *Console) cookieName() string {
	if c.cfg.SecureCookies {
		return secureCookieName
	}
	return cookieName
}

func (c *Console) signInRoutes() []route {
	return []route{
		{method: "GET", path: links.SignIn, serve: c.signInForm},
		{method: "POST", path: links.SignIn, serve: c.signIn},
		{method: "POST", path: links.SignOut, role: herald.RoleViewer, serve: c.signOut},
	}
}

// session finds who the request's cookie signs in. An ended session's
// cookie is cleared.
func (c *Console) session(w http.ResponseWriter, r *http.Request) (herald.Actor, bool) {
	ck, err := r.Cookie(c.cookieName())
	if err != nil || ck.Value == "" || c.cfg.Auth == nil {
		return herald.Actor{}, false
	}
	a, _, err := c.cfg.Auth.Session(r.Context(), ck.Value)
	if err != nil {
		if herald.ErrorCode(err) == herald.EUnauthenticated {
			c.setCookie(w, "", -1)
		}
		return herald.Actor{}, false
	}
	return a, true
}

// setCookie sets the session cookie (maxAge < 0 clears it). Its lifetime
// is the browser session: the server ends it when idle or at its maximum.
func (c *Console) setCookie(w http.ResponseWriter, secret string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(), Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

type signInView struct {
	Email, Next string
	Error       string
	// SSO offers single sign-on.
	SSO bool
}

func (c *Console) signInForm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	next := safeNext(r.URL.Query().Get("next"))
	if a.User.ID != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	c.render(w, r, http.StatusOK, "signin", a, signInView{Next: next, SSO: c.cfg.SSO != nil})
	return nil
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request, _ herald.Actor) error {
	email, pw, next := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password"), safeNext(r.PostFormValue("next"))
	secret, a, err := c.cfg.Auth.SignIn(r.Context(), email, pw, clientAddr(r))
	if err != nil {
		code := herald.ErrorCode(err)
		if code != herald.EUnauthenticated && code != herald.ETooMany && code != herald.EInvalid {
			return err
		}
		status := http.StatusUnauthorized
		if code == herald.ETooMany {
			status = http.StatusTooManyRequests
		} else if code == herald.EInvalid {
			status = http.StatusBadRequest
		}
		c.render(w, r, status, "signin", herald.Actor{}, signInView{Email: email, Next: next, Error: message(err), SSO: c.cfg.SSO != nil})
		return nil
	}
	c.setCookie(w, secret, 0)
	c.log.Info("signed in", "user", a.User.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if ck, err := r.Cookie(c.cookieName()); err == nil {
		if err := c.cfg.Auth.SignOut(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	c.setCookie(w, "", -1)
	redirect(w, r, links.SignIn, "You are signed out.")
	return nil
}

// safeNext keeps a redirect after sign-in inside the console: an absolute
// URL or a path elsewhere ("//evil.example") becomes the front page.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || !links.IsConsole(strings.SplitN(next, "?", 2)[0]) {
		return links.Console
	}
	return next
}

// clientAddr is the address sign-in failures are counted against. The
// server's trusted-proxy handling has already put the client's address in
// RemoteAddr.
func clientAddr(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ap.Addr().String()
}

// message is what a refusal says to the person.
func message(err error) string {
	var he *herald.Error
	if errors.As(err, &he) {
		return he.Message
	}
	return "something went wrong; the server log has details"
}
