// Package server is Herald's HTTP face: the JSON API under /api/v1, health
// and metrics endpoints, and (in later parts) the public status pages. It
// decodes and validates requests in one place, checks the caller's role,
// calls the store, and maps every error to a status in one table (errors.go).
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/mattermost"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
)

// Config holds what the server needs. Everything is passed in; the server
// keeps no global state.
type Config struct {
	// Services are what the API offers (store.DB.Services).
	Services herald.Services
	// Database answers for the database itself: health, migrations, the
	// doctor, connection statistics (*store.DB).
	Database Database
	// Links builds the links in answers from where people reach this
	// Herald (zero: root-relative paths).
	Links  links.Links
	Logger *slog.Logger
	// Registry receives the server's metrics; /metrics serves it.
	Registry *prometheus.Registry
	// ReadTimeout bounds the time to read a request's body, on every
	// route (default 60 s): a client trickling a body is cut off.
	ReadTimeout time.Duration
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	Version      string
	// Pages serves the public status page (nil: no public pages).
	Pages *statuspage.Cache
	// Console serves the operator console: every path under
	// links.ConsolePrefixes (nil: those paths are 404).
	Console http.Handler
	// Ready, when set, is asked by /readyz beyond the ping: it fails when
	// the database does not take writes or a background loop is wedged.
	Ready func(context.Context) error
	// SMTP says whether an SMTP server is configured, for the doctor.
	SMTP bool
	// Sender sends a contact method's test notification at once (serve
	// gives it the sender it gives the console; nil: the test route says
	// nothing can be sent).
	Sender notify.Sender
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxies); from anyone else it is ignored.
	TrustedProxies []netip.Prefix
	// Config serves configuration as code (nil: the Database, when it is
	// a ConfigStore, as *store.DB is).
	Config ConfigStore
	// Slack is the Slack app's request URLs (nil: not served).
	Slack *slack.App
	// Mattermost is the Mattermost integration's URLs (nil: not served).
	Mattermost *mattermost.App
}

// Database is the database behind the services, for what concerns it
// rather than a concept: *store.DB implements it.
type Database interface {
	Ping(ctx context.Context) error
	// Pending counts migrations not applied yet: /readyz fails until none.
	Pending(ctx context.Context) (int, error)
	Doctor(ctx context.Context, opt store.DoctorOptions) (herald.Report, error)
	// Now is the store's clock, so times in answers agree with the rows.
	Now() time.Time
	Dialect() store.Dialect
	// SQL is the pool behind it, for connection metrics.
	SQL() *sql.DB
}

// Server is an http.Handler serving everything Herald shows over HTTP.
type Server struct {
	cfg     Config
	app     herald.Services
	db      Database
	log     *slog.Logger
	mux     *http.ServeMux
	routes  []route
	metrics *metrics
	handler http.Handler
	signups *signupLimiter
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = apiTimeout
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if c, ok := cfg.Database.(ConfigStore); ok && cfg.Config == nil {
		cfg.Config = c
	}
	s := &Server{cfg: cfg, app: cfg.Services, db: cfg.Database, log: cfg.Logger, mux: http.NewServeMux(), signups: &signupLimiter{limit: 10}}
	s.metrics = newMetrics(cfg.Registry, cfg.Database, cfg.Version)
	if cfg.Services.Paging != nil {
		cfg.Registry.MustRegister(newGapCollector(cfg.Services.Paging))
	}
	if cfg.Database != nil && cfg.Services.Incidents != nil && cfg.Services.Settings != nil {
		cfg.Registry.MustRegister(newMeasuresCollector(cfg.Services.Incidents, cfg.Services.Settings))
	}
	s.routes = s.apiRoutes()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.api(rt))
	}
	s.plainRoutes()
	s.handler = secure(s.accessLog(s.recoverer(s.metrics.instrument(s.bodyDeadline(http.HandlerFunc(s.dispatch))))))
	return s
}

// dispatch sends public page requests straight to the page cache, and the
// rest through the mux. The public page is what takes the load when things
// break, so it skips the route matching it does not need.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Console != nil && links.IsConsole(r.URL.Path) {
		r.Pattern = "console"
		// The console counts sign-in failures by client address: the
		// same address the public sign-up limit uses, past trusted proxies.
		r2 := *r
		r2.RemoteAddr = net.JoinHostPort(s.clientIP(r), "0")
		s.cfg.Console.ServeHTTP(w, &r2)
		return
	}
	if s.cfg.Pages != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && isPublic(r.URL.Path) &&
		r.URL.Path != links.SubscribeConfirm && r.URL.Path != links.Unsubscribe && r.URL.Path != links.Subscribe && !isPrivateSignIn(r.URL.Path) {
		r.Pattern = "public page"
		s.cfg.Pages.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func isPublic(path string) bool {
	if strings.HasPrefix(path, "/api/") {
		return strings.HasPrefix(path, "/api/v2/")
	}
	switch path {
	case "/healthz", "/readyz", "/metrics", "/v2/enqueue":
		return false
	}
	return !links.IsConsole(path)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Header values shared by every answer; never modified.
var (
	cspValue      = []string{statuspage.ContentSecurityPolicy}
	frameValue    = []string{"DENY"}
	referrerValue = []string{"same-origin"}
	noSniffValue  = []string{"nosniff"}
)

// secure sets the browser safety headers on every answer, HTML or JSON,
// error or not, before anything else runs: what the page may load (no
// script), that no other site may frame it, that no URL (an unsubscribe
// token) leaks to other sites as a referrer, and that no body is sniffed
// into another type. The public pages get them here too, from shared
// values, so serving from the page cache stays allocation-free.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = cspValue
		h["X-Frame-Options"] = frameValue
		h["Referrer-Policy"] = referrerValue
		h["X-Content-Type-Options"] = noSniffValue
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a 500 and a log line, instead of
// a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "method", r.Method, "route", logRoute(r), "request_id", requestID(w), "panic", v, "stack", string(debug.Stack()))
				writeError(w, r, herald.Errorf(herald.EInternal, "internal error"), s.log)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// apiTimeout bounds the time to read an API request and write its answer.
const apiTimeout = 60 * time.Second

// bodyDeadline gives every request that carries a body, whichever route
// serves it, ReadTimeout to send it; a read past that fails, the handler
// answers, and the connection closes. It is set here, per request, rather
// than as http.Server.ReadTimeout, because a connection-wide deadline costs
// the public pages (GET, no body) throughput they need during an outage.
func (s *Server) bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 { // a length, or -1: chunked
			http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		}
		next.ServeHTTP(w, r)
	})
}

// api wraps a route's handler with authentication, the role check, the body
// limit and error mapping.
func (s *Server) api(rt route) http.Handler {
	params := pathParams(rt.path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A slow client cannot hold an API request open for long.
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		rc.SetWriteDeadline(time.Now().Add(apiTimeout))
		var actor herald.Actor
		if rt.role != "" {
			var err error
			if actor, err = s.authenticate(r); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
				writeError(w, r, err, s.log)
				return
			}
			if !actor.Role.Allows(rt.role) {
				writeError(w, r, herald.Errorf(herald.EForbidden, "this needs the %s role; your token has %s", rt.role, actor.Role), s.log)
				return
			}
		}
		if err := checkParams(r, params); err != nil {
			writeError(w, r, err, s.log)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		if err := rt.handle(w, r, actor); err != nil {
			writeError(w, r, err, s.log)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (herald.Actor, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return herald.Actor{}, herald.Errorf(herald.EUnauthenticated, "send an API token as 'Authorization: Bearer <token>'")
	}
	return s.app.People.Authenticate(r.Context(), strings.TrimSpace(secret))
}

// plainRoutes are the endpoints outside the JSON API.
func (s *Server) plainRoutes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.db.Ping(ctx); err != nil {
			s.log.Warn("not ready: database", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unreachable\n"))
			return
		}
		if n, err := s.db.Pending(ctx); err != nil || n > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("migrations pending\n"))
			return
		}
		if s.cfg.Ready != nil {
			if err := s.cfg.Ready(ctx); err != nil {
				// The detail (database errors name hosts and users) goes
				// to the log; anyone may ask /readyz.
				s.log.Warn("not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(readyProblem(err) + "\n"))
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.serveOpenAPI)
	// Ingestion: the integration key is the credential.
	s.mux.HandleFunc("POST /v2/enqueue", s.metrics.countEvents("events_v2", s.enqueue))
	s.mux.HandleFunc("POST /api/v1/ingest/alertmanager/{key}", s.metrics.countEvents("alertmanager", s.alertmanager))
	if a := s.cfg.Slack; a != nil { // verified by Slack's signature, not a token
		s.mux.HandleFunc("POST "+slack.CommandsPath, a.Commands)
		s.mux.HandleFunc("POST "+slack.InteractivePath, a.Interactive)
		s.mux.HandleFunc("POST "+slack.EventsPath, a.Events)
	}
	if a := s.cfg.Mattermost; a != nil { // verified by Mattermost's tokens and Herald's button signatures
		s.mux.HandleFunc("POST "+mattermost.CommandsPath, a.Commands)
		s.mux.HandleFunc("POST "+mattermost.ActionsPath, a.Actions)
		s.mux.HandleFunc("POST "+mattermost.WebhookPath, a.Webhook)
	}
	s.mux.HandleFunc("/api/", s.noRoute)
	s.mux.HandleFunc("/v2/enqueue", s.noRoute)
	s.mux.HandleFunc("POST /api/v1/subscribers", s.createSubscriber)
	s.mux.HandleFunc("GET /api/v1/subscribers/export.csv", s.exportSubscribers)
	s.mux.HandleFunc("POST /api/v1/subscribers/import", s.importSubscribers)
	s.mux.HandleFunc("GET /api/v1/tenants/export.csv", s.exportTenants)
	s.mux.HandleFunc("POST /api/v1/tenants/import", s.importTenants)
	if s.cfg.Pages != nil {
		s.mux.HandleFunc("POST "+links.Subscribe, s.subscribeForm)
		s.mux.HandleFunc(privateSignIn, s.privateSignIn) // private_signin.go
		s.mux.HandleFunc("POST "+privateSubscribe, s.privateSubscribe)
		s.mux.HandleFunc("GET "+links.SubscribeConfirm, s.confirmSubscription)
		s.mux.HandleFunc("POST "+links.SubscribeConfirm, s.confirmSubscription)
		s.mux.HandleFunc("GET "+links.Unsubscribe, s.unsubscribe)
		s.mux.HandleFunc("POST "+links.Unsubscribe, s.unsubscribe)
		// Everything else is the public status page, served from memory;
		// other methods get 405 (public.go).
		s.mux.HandleFunc("/", s.publicPage)
		// GET and HEAD reach the pages in dispatch; this pattern tells
		// noRoute which methods the public API takes.
		s.mux.Handle("GET /api/v2/", s.cfg.Pages)
	}
}

// ErrNoWrites is what a Config.Ready check wraps when the database does
// not take writes, so /readyz can say so without quoting the error.
var ErrNoWrites = errors.New("the database does not take writes")

// readyProblem says what is wrong in words that reveal nothing internal.
func readyProblem(err error) string {
	if errors.Is(err, ErrNoWrites) {
		return "not ready: " + ErrNoWrites.Error()
	}
	return "not ready: a background loop is not making progress"
}

// noRoute answers API and ingestion requests that no route takes, as JSON
// like every API error: 405 with Allow when the path is served under other
// methods, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowedMethods(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, herald.Errorf(herald.EMethod, "%s %s is not served; this path takes %s", r.Method, r.URL.Path, strings.Join(allow, ", ")), s.log)
		return
	}
	writeError(w, r, herald.Errorf(herald.ENotFound, "no API route %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path), s.log)
}

// allowedMethods names the methods of the routes registered for r's path
// itself, not counting the catch-all patterns, or none. It asks the mux,
// so a route added to the table or to plainRoutes is named without a
// second list to keep; only requests with a wrong method pay for it.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		switch _, pattern := s.mux.Handler(probe); pattern {
		case "", "/", "/api/", "/v2/enqueue":
		default:
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return allow
}
