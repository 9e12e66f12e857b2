// Package console is Herald's operator console: the browser screens where
// the incident lead, the communications manager and the on-call engineer
// work, phone included.
//
// It is rendered on the server (html/template, embedded assets) and works
// with JavaScript off; a little plain JavaScript refreshes live screens and
// counts characters as you type. It acts only through the services of
// package herald, with the signed-in person as the actor, so everything the
// console does the API can do and the timeline records the same way.
//
// Safety: sessions live in the database (any instance serves them) behind
// an HttpOnly, SameSite=Lax cookie (Secure over HTTPS); every state-changing
// request must come from the console's own origin
// (http.CrossOriginProtection); pages are never cached; the
// Content-Security-Policy allows only the console's own script and styles.
package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
)

// Config is what the console needs; everything is passed in.
type Config struct {
	Services herald.Services
	Auth     herald.AuthService
	// Links builds the URLs the console shows and redirects to.
	Links  links.Links
	Clock  herald.Clock
	Logger *slog.Logger
	// SecureCookies sets Secure on the session cookie: on whenever Herald
	// is reached over HTTPS (the base URL's scheme).
	SecureCookies bool
	Version       string
	// Sender sends what the console sends itself, at once: a contact
	// method's test notification and the password reset mail. serve gives
	// it the worker's notify.Router, so both leave by the path a page
	// takes. Nil: neither can be sent, and the console says so.
	Sender notify.Sender
	// SSO signs people in through an OpenID provider (nil: passwords
	// only). SecretKey (the server's, 32 bytes) seals a started sign-in in
	// its cookie; SSODefaultRole is a new user's role when the provider's
	// claims map to none (default viewer).
	SSO            SSO
	SecretKey      []byte
	SSODefaultRole herald.APIRole
	// SSORolesFromProvider says the provider's claims decide roles
	// (--oidc-role-claim): a person whose claims map to no role gets the
	// default role at their next sign-in, so being removed from the
	// provider's admin group takes effect.
	SSORolesFromProvider bool
}

// Console is an http.Handler for every path under links.ConsolePrefixes.
type Console struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	views   *views
	assets  *assets
	routes  []route
	handler http.Handler
}

// route is one console screen or action. The table (Console.table) is the
// one list of what the console serves.
type route struct {
	method, path string
	// role is the least role that may use it; "" is open without signing
	// in (the sign-in page, the signed acknowledge links).
	role  herald.APIRole
	serve func(w http.ResponseWriter, r *http.Request, a herald.Actor) error
}

// table lists every route, screen by screen.
func (c *Console) table() []route {
	return slices.Concat(
		c.signInRoutes(),
		c.nowRoutes(),
		c.composeRoutes(),
		c.oncallRoutes(),
		c.offersRoutes(),
		c.pagesRoutes(),
		c.pagelinkRoutes(),
		c.statusAdminRoutes(),
		c.incidentsRoutes(),
		c.cadenceRoutes(),
		c.checklistRoutes(),
		c.reviewsRoutes(),
		c.requestsRoutes(),
		c.peopleRoutes(),
		c.ackRoutes(),
		c.ssoRoutes(),
		c.authorityRoutes(),
		c.teamsRoutes(),
		c.tenantsRoutes(),
		c.emergencyRoutes(),
		c.noticesRoutes(),
		c.approvalsRoutes(),
		c.handoversRoutes(),
		c.ticketsRoutes(),
		c.practiceRoutes(),
		c.chatRoutes(),
		c.measuresRoutes(),
		c.slackRoutes(),
		c.chatChannelsRoutes(),
		c.componentReviewRoutes(),
		c.mattermostRoutes(),
	)
}

// New builds the console.
func New(cfg Config) (*Console, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = herald.SystemClock{}
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), views: v, assets: a}
	c.routes = c.table()
	for _, rt := range c.routes {
		c.mux.Handle(rt.method+" "+rt.path, c.wrap(rt))
	}
	c.mux.Handle("GET "+assetPrefix+"{name}", a)
	c.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Signed out, any console path leads to sign-in, as the screens
		// do: a link from a notification opens after signing in, and
		// nobody signed out learns which paths exist.
		if _, in := c.session(w, r); !in && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, links.Console+"/") {
			http.Redirect(w, r, c.cfg.Links.SignIn()+"?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		c.fail(w, r, herald.Actor{}, herald.Errorf(herald.ENotFound, "there is no page at %s", r.URL.Path))
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, herald.Actor{}, herald.Errorf(herald.EForbidden, "this form was sent from another site; open the console and try again"))
	}))
	c.handler = headers(cop.Handler(c.mux))
	return c, nil
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// CSP is the console's Content-Security-Policy: its own script and styles
// only, nothing inline, no frames, forms only to itself.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxFormBytes bounds a console request's body.
const maxFormBytes = 1 << 20

// headers sets what every console answer carries: the console's policy,
// and no caching of pages that show private data (assets set their own).
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		if !strings.HasPrefix(r.URL.Path, assetPrefix) {
			h.Set("Cache-Control", "no-store")
		}
		// A form is small: bound every body (the CSV import sets its own,
		// larger bound), signed in or not.
		if r.Body != nil && !strings.HasSuffix(r.URL.Path, "/import") {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		next.ServeHTTP(w, r)
	})
}

type actorKey struct{}

// wrap signs the request in from its session cookie, checks the route's
// role, and renders what the route returns as an error.
func (c *Console) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, signedIn := c.session(w, r)
		if rt.role != "" {
			if !signedIn {
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					http.Redirect(w, r, c.cfg.Links.SignIn()+"?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				c.fail(w, r, a, herald.Errorf(herald.EUnauthenticated, "your session has ended; sign in again"))
				return
			}
			if !a.Role.Allows(rt.role) {
				c.fail(w, r, a, herald.Errorf(herald.EForbidden, "this needs the %s role; you are a %s", rt.role, a.Role))
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), actorKey{}, a))
		// Every form is read here, once: a body over the bound or that does
		// not parse is refused before any handler runs. (A multipart body,
		// the CSV import, is left to its handler.)
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					c.fail(w, r, a, herald.Errorf(herald.ETooLarge, "this form is larger than %d bytes", tooBig.Limit))
					return
				}
				c.fail(w, r, a, herald.Errorf(herald.EInvalid, "the form could not be read"))
				return
			}
		}
		if err := rt.serve(w, r, a); err != nil {
			c.fail(w, r, a, err)
		}
	})
}

// fail renders an error page with the error's status, the same status the
// API gives the same error.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, a herald.Actor, err error) {
	he, status, kind := httperr.Of(err)
	switch kind {
	case httperr.Unavailable:
		c.log.Warn("database unavailable", "method", r.Method, "route", r.Pattern, "err", err)
	case httperr.Internal:
		c.log.Error("internal error", "method", r.Method, "route", r.Pattern, "err", err)
	}
	if he.RetryAfter > 0 {
		httperr.SetRetryAfter(w, he.RetryAfter)
	}
	c.render(w, r, status, "error", a, errorView{Error: he, Status: status})
}

type errorView struct {
	Error  *herald.Error
	Status int
}
