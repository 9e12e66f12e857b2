package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
)

// storeFlags are the flags that choose the database, shared by serve and
// migrate.
type storeFlags struct {
	data, databaseURL *string
}

func addStoreFlags(f *flags) storeFlags {
	return storeFlags{
		data:        f.string("data", "./herald-data", "folder for the embedded SQLite database"),
		databaseURL: f.string("database-url", "", "PostgreSQL URL (postgres://...); empty for embedded SQLite"),
	}
}

// open connects to the database and brings its schema up to date, calling
// applied for each migration it runs.
func (s storeFlags) open(ctx context.Context, log *slog.Logger, applied func(name string)) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{URL: *s.databaseURL, DataDir: *s.data, Logger: log})
	if err != nil {
		return nil, err
	}
	names, err := db.Migrate(ctx)
	for _, m := range names {
		applied(m)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func newLogger(e env, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level must be debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, usagef("--log-format must be text or json")
}

func runServe(ctx context.Context, args []string, e env) error {
	f := newFlags("serve", "serve [flags]", e)
	addr := f.string("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	baseURL := f.string("base-url", "", "the URL people reach Herald at, for links (default http://ADDR)")
	sf := addStoreFlags(f)
	logFormat := f.string("log-format", "text", "log format: text or json")
	logLevel := f.string("log-level", "info", "log level: debug, info, warn or error")
	maxBody := f.int("max-body-bytes", 1<<20, "largest request body accepted; larger ones get 413")
	shutdown := f.duration("shutdown-timeout", 30*time.Second, "how long to let in-flight requests finish on SIGTERM")
	demo := f.bool("demo", "add demo data to an empty database and print an admin token")
	f.Func("admin-token", "", func(string) error {
		return usagef("pass the admin token as HERALD_ADMIN_TOKEN, not as a flag: flags show in the process list")
	})
	f.Lookup("admin-token").Usage = "set only through HERALD_ADMIN_TOKEN: an admin API token with exactly that secret exists (16+ characters)"
	if _, err := f.parse(args); err != nil {
		return err
	}
	log, err := newLogger(e, *logFormat, *logLevel)
	if err != nil {
		return err
	}

	db, err := sf.open(ctx, log, func(name string) { log.Info("migration applied", "name", name) })
	if err != nil {
		return err
	}
	defer db.Close()

	adminToken := e.getenv("HERALD_ADMIN_TOKEN")
	if adminToken == "" && *demo {
		adminToken = demoToken()
	}
	if adminToken != "" {
		if err := db.EnsureAdminToken(ctx, adminToken); err != nil {
			return fmt.Errorf("HERALD_ADMIN_TOKEN: %w", err)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	if *baseURL == "" {
		*baseURL = url
	}
	if *demo {
		if err := seedDemo(ctx, db); err != nil {
			ln.Close()
			return fmt.Errorf("demo data: %w", err)
		}
	}

	reg := prometheus.NewRegistry()
	srv := server.New(server.Config{Store: db, BaseURL: *baseURL, Logger: log, Registry: reg, MaxBodyBytes: int64(*maxBody), Version: version})
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("herald serving", "url", url, "database", db.Dialect(), "version", version)
	fmt.Fprintf(e.stdout, "Herald is running at %s\n", url)
	if *demo {
		fmt.Fprintf(e.stdout, "Admin token: %s\nTry: HERALD_TOKEN=%s herald incident list --server %s\n", adminToken, adminToken, url)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", *shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func demoToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return store.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func runMigrate(ctx context.Context, args []string, e env) error {
	f := newFlags("migrate", "migrate [flags]", e)
	sf := addStoreFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	n := 0
	db, err := sf.open(ctx, nil, func(name string) {
		n++
		fmt.Fprintln(e.stdout, "applied", name)
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if n == 0 {
		fmt.Fprintln(e.stdout, "the database is up to date")
	}
	return nil
}

// seedDemo fills an empty database with a few people and incidents, so a
// first look at Herald shows something.
func seedDemo(ctx context.Context, db *store.DB) error {
	list, err := db.Incidents(ctx, herald.ListFilter{Limit: 1})
	if err != nil || len(list) > 0 {
		return err
	}
	people := map[string]herald.User{}
	for _, u := range []herald.UserInput{
		{Name: "Ada Lovelace", Email: "ada@example.com"},
		{Name: "Grace Hopper", Email: "grace@example.com", Manager: true},
		{Name: "Linus Pauling", Email: "linus@example.com"},
	} {
		created, err := db.CreateUser(ctx, u)
		if err != nil {
			return err
		}
		people[u.Email] = created
	}
	ada := herald.Actor{User: people["ada@example.com"], Role: herald.RoleResponder}
	old, err := db.DeclareIncident(ctx, ada, herald.DeclareInput{Title: "Elevated error rate on the web tier", Severity: herald.S3,
		Summary: "5xx rate at 2% for ten minutes after a deploy.", Services: []string{"web"}})
	if err != nil {
		return err
	}
	if _, err := db.UpdateIncident(ctx, ada, old.ID, herald.UpdateInput{Version: old.Version, State: ptr(herald.Resolved), Note: "Rolled back the deploy; error rate normal."}); err != nil {
		return err
	}
	inc, err := db.DeclareIncident(ctx, ada, herald.DeclareInput{Title: "Database primary unreachable in eu-west", Severity: herald.S1,
		Summary: "Writes fail for every customer in eu-west.", Services: []string{"api", "database"}, Tenants: []string{"acme"}})
	if err != nil {
		return err
	}
	for _, a := range [][2]string{{herald.RoleIncidentLead, "grace@example.com"}, {herald.RoleEngineerOnCall, "ada@example.com"}, {herald.RoleCommunications, "linus@example.com"}} {
		if _, err := db.AssignRole(ctx, ada, inc.ID, a[0], herald.RoleInput{User: a[1]}); err != nil {
			return err
		}
	}
	grace := herald.Actor{User: people["grace@example.com"], Role: herald.RoleResponder}
	if _, err := db.RecordDecision(ctx, grace, inc.ID, herald.DecisionInput{Kind: herald.DecisionFailover, What: "Fail over to the secondary region",
		Rationale: "30 to 45 minutes to recover, against 2 to 4 hours to restore from backup"}); err != nil {
		return err
	}
	if _, err := db.Label(ctx, ada, inc.ID, store.LabelInput{Add: []string{herald.LabelStatusPage}}); err != nil {
		return err
	}
	_, err = db.UpdateIncident(ctx, ada, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Identified), Note: "Primary lost its disk; failover started."})
	return err
}

func ptr[T any](v T) *T { return &v }
