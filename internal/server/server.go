// Package server is Herald's HTTP face: the JSON API under /api/v1, health
// and metrics endpoints, and (in later parts) the public status pages. It
// decodes and validates requests in one place, checks the caller's role,
// calls the store, and maps every error to a status in one table (errors.go).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
)

// Config holds what the server needs. Everything is passed in; the server
// keeps no global state.
type Config struct {
	Store *store.DB
	// BaseURL is where people reach this Herald, for links in answers.
	BaseURL string
	Logger  *slog.Logger
	// Registry receives the server's metrics; /metrics serves it.
	Registry *prometheus.Registry
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	Version      string
	// Pages serves the public status page (nil: no public pages).
	Pages *statuspage.Cache
}

// Server is an http.Handler serving everything Herald shows over HTTP.
type Server struct {
	cfg     Config
	store   *store.DB
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
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, mux: http.NewServeMux(), signups: &signupLimiter{limit: 10}}
	s.metrics = newMetrics(cfg.Registry, cfg.Store, cfg.Version)
	s.routes = s.apiRoutes()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.api(rt))
	}
	s.plainRoutes()
	s.handler = s.recoverer(s.metrics.instrument(http.HandlerFunc(s.dispatch)))
	return s
}

// dispatch sends public page requests straight to the page cache, and the
// rest through the mux. The public page is what takes the load when things
// break, so it skips the route matching it does not need.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Pages != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && isPublic(r.URL.Path) &&
		r.URL.Path != "/subscribe/confirm" && r.URL.Path != "/unsubscribe" && r.URL.Path != "/subscribe" {
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
	case "/healthz", "/readyz", "/metrics":
		return false
	}
	return true
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// recoverer turns a panic in a handler into a 500 and a log line, instead of
// a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeError(w, r, herald.Errorf(herald.EInternal, "internal error"), s.log)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// apiTimeout bounds the time to read an API request and write its answer.
const apiTimeout = 60 * time.Second

// api wraps a route's handler with authentication, the role check, the body
// limit and error mapping.
func (s *Server) api(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A slow client cannot hold an API request open for long.
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(apiTimeout))
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
	return s.store.Authenticate(r.Context(), strings.TrimSpace(secret))
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
		if err := s.store.Ping(ctx); err != nil {
			s.log.Warn("not ready: database", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unreachable\n"))
			return
		}
		if n, err := s.store.Pending(ctx); err != nil || n > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("migrations pending\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.serveOpenAPI)
	// Ingestion: the integration key is the credential.
	s.mux.HandleFunc("POST /v2/enqueue", s.enqueue)
	s.mux.HandleFunc("POST /api/v1/ingest/alertmanager/{key}", s.alertmanager)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, herald.Errorf(herald.ENotFound, "no API route %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path), s.log)
	})
	s.mux.HandleFunc("POST /api/v1/subscribers", s.createSubscriber)
	s.mux.HandleFunc("GET /api/v1/subscribers/export.csv", s.exportSubscribers)
	s.mux.HandleFunc("POST /api/v1/subscribers/import", s.importSubscribers)
	if s.cfg.Pages != nil {
		s.mux.HandleFunc("POST /subscribe", s.subscribeForm)
		s.mux.HandleFunc("GET /subscribe/confirm", s.confirmSubscription)
		s.mux.HandleFunc("GET /unsubscribe", s.unsubscribe)
		s.mux.HandleFunc("POST /unsubscribe", s.unsubscribe)
		// Everything else is the public status page, served from memory;
		// other methods get 405 (public.go).
		s.mux.HandleFunc("/", s.publicPage)
		s.mux.HandleFunc("/api/v2/", s.publicPage)
	}
}
