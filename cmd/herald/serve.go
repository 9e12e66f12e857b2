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
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/mattermost"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/worker"
	"github.com/heraldhq/herald/internal/zendesk"
)

// storeFlags are the flags that choose the database, shared by serve and
// migrate.
type storeFlags struct {
	data, databaseURL *string
	// unsendable are the contact method kinds serve has no sender for.
	unsendable []string
	// allowPrivate is --webhook-allow-private (serve only).
	allowPrivate bool
}

func addStoreFlags(f *flags) storeFlags {
	return storeFlags{
		data:        f.string("data", "./herald-data", "folder for the embedded SQLite database"),
		databaseURL: f.string("database-url", "", "PostgreSQL URL (postgres://...); empty for embedded SQLite"),
	}
}

// open connects to the database and brings its schema up to date, calling
// applied for each migration it runs.
func (s storeFlags) open(ctx context.Context, log *slog.Logger, lk links.Links, key []byte, applied func(name string)) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{URL: *s.databaseURL, DataDir: *s.data, Logger: log, Links: lk, SecretKey: key, Unsendable: s.unsendable,
		WebhookAllowPrivate: s.allowPrivate})
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

func runServe(ctx context.Context, args []string, e env) (err error) {
	f := newFlags("serve", "serve [flags]", e)
	addr := f.string("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	baseURL := f.string("base-url", "", "the URL people reach Herald at, for links (default http://ADDR)")
	sf := addStoreFlags(f)
	logFormat := f.string("log-format", "text", "log format: text or json")
	logLevel := f.string("log-level", "info", "log level: debug, info, warn or error")
	maxBody := f.int("max-body-bytes", 1<<20, "largest request body accepted; larger ones get 413")
	f.atLeast("max-body-bytes", 1)
	shutdown := f.duration("shutdown-timeout", 30*time.Second, "how long to let in-flight requests finish on SIGTERM")
	smtpURL := f.string("smtp-url", "", "SMTP server for e-mail: smtp://user:password@host:587 (STARTTLS when offered) or smtps://host:465")
	smtpFrom := f.string("smtp-from", "herald@localhost", "sender address of Herald's e-mail")
	smtpRate := f.int("smtp-rate", 0, "most e-mails a second to the SMTP server; 0 for no limit")
	phoneURL := f.string("phone-provider-url", "", "SMS and voice provider webhook (Herald posts {id, kind, to, text}, signed with HERALD_PHONE_PROVIDER_SECRET)")
	allowPrivate := f.bool("webhook-allow-private", "let webhook and chat URLs (contact methods, stakeholder channels, subscribers) reach loopback, private and other internal addresses")
	trustedProxies := f.string("trusted-proxies", "", "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client; from anyone else it is ignored")
	tick := f.duration("tick", time.Second, "how often background work (escalations, maintenance automation) looks for what is due")
	f.atLeastDuration("tick", 10*time.Millisecond)
	heartbeatURL := f.string("heartbeat-url", "", "URL Herald calls (GET) while it can page, for an outside dead man's switch")
	heartbeatEvery := f.duration("heartbeat-interval", time.Minute, "how often to call --heartbeat-url")
	bulkTimeout := f.duration("broadcast-timeout", 5*time.Second, "longest wait for one subscriber's webhook; slow subscribers are paused")
	f.atLeastDuration("heartbeat-interval", 10*time.Millisecond)
	f.atLeastDuration("broadcast-timeout", 100*time.Millisecond)
	inboundAddr := f.string("inbound-smtp-addr", "", "address of the SMTP listener for customers' replies to notices (off when empty; docs/NOTICES.md)")
	demo := f.bool("demo", "add demo data to an empty database and print an admin token")
	f.Func("admin-token", "", func(string) error {
		return usagef("pass the admin token as HERALD_ADMIN_TOKEN, not as a flag: flags show in the process list")
	})
	f.Lookup("admin-token").Usage = "set only through HERALD_ADMIN_TOKEN: an admin API token with exactly that secret exists (16+ characters)"
	f.Func("secret-key", "", func(string) error {
		return usagef("pass the secret key as HERALD_SECRET_KEY, not as a flag")
	})
	f.Lookup("secret-key").Usage = "set only through HERALD_SECRET_KEY: 32 bytes, base64, the same on every instance; encrypts webhook secrets (SQLite: generated in the data folder when unset)"
	oidc := addOIDCFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *bulkTimeout > 30*time.Second {
		return usagef("--broadcast-timeout must be at most 30s: a delivery is claimed for a minute, and a longer wait would let another sender take it")
	}
	if *heartbeatURL != "" {
		if u, err := url.Parse(*heartbeatURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--heartbeat-url must be an http:// or https:// URL")
		}
	}
	log, err := newLogger(e, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	// In JSON mode every line is JSON: what the standard library's log
	// package writes too, and the error serve stops with.
	slog.SetDefault(log)
	say := newAnnouncer(e.stdout, *logFormat)
	if *logFormat == "json" {
		defer func() {
			if err != nil {
				log.Error("herald stopped", "err", err)
				err = loggedError{err}
			}
		}()
	}
	proxies, err := server.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usagef("--trusted-proxies (HERALD_TRUSTED_PROXIES): %v", err)
	}

	// Listen first: with --addr :0 the port, and so the public URL that
	// links in updates carry, is known only then.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()
	if *baseURL == "" {
		*baseURL = url
	}
	// Every link Herald sends or shows is built from this one value.
	lk := links.New(*baseURL)

	key, err := secretKey(e.getenv("HERALD_SECRET_KEY"), *sf.databaseURL, *sf.data)
	if err != nil {
		return err
	}
	if key == nil {
		log.Warn("HERALD_SECRET_KEY is not set: webhook, Slack and Teams contact methods and subscribers and e-mail sign-ups will be refused until it is (32 bytes, base64, the same on every instance)")
	}
	var sender notify.Router
	// Every URL people gave is checked when it is given and when it is
	// dialled; the phone provider's URL is the operator's, and is not.
	sender.Webhook = notify.NewPublicWebhook(*allowPrivate)
	if *smtpURL != "" {
		if sender.Email, err = notify.NewSMTP(*smtpURL, *smtpFrom); err != nil {
			return usagef("%v", err)
		}
	}
	// Slack accepts about one message a second per incoming webhook.
	sender.ChatRate = notify.NewLimiter(1)
	if *phoneURL != "" {
		secret := e.getenv("HERALD_PHONE_PROVIDER_SECRET")
		if !strings.HasPrefix(secret, "whsec_") {
			return usagef("--phone-provider-url needs HERALD_PHONE_PROVIDER_SECRET (whsec_ and base64) to sign its requests")
		}
		sender.Phone = &notify.Provider{URL: *phoneURL, Secret: secret, Webhook: notify.NewWebhook()}
	}
	// Someone reached only by a kind Herald cannot send is paged as
	// unreachable, and paging goes on to whoever can be reached.
	if sender.Email == nil {
		sf.unsendable = append(sf.unsendable, "email")
	}
	if sender.Phone == nil {
		sf.unsendable = append(sf.unsendable, "sms", "voice")
	}
	sf.allowPrivate = *allowPrivate
	db, err := sf.open(ctx, log, lk, key, func(name string) { log.Info("migration applied", "name", name) })
	if err != nil {
		return err
	}
	defer db.Close()

	adminToken := e.getenv("HERALD_ADMIN_TOKEN")
	if adminToken == "" && *demo {
		adminToken = demoToken()
	}
	if adminToken != "" {
		if err := db.People.EnsureAdminToken(ctx, adminToken); err != nil {
			return fmt.Errorf("HERALD_ADMIN_TOKEN: %w", err)
		}
	}
	var demoPassword string
	if *demo {
		seeded, err := seedDemo(ctx, db.Services())
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		// The demo admin's password, shown once below: only for the
		// person --demo just created, never for an account of a database
		// that was in use before.
		if seeded {
			demoPassword = "demo-" + strings.ToLower(demoToken()[len(store.TokenPrefix):][:20])
			if err := db.Auth.SetPassword(ctx, "ada@example.com", demoPassword); err != nil {
				return fmt.Errorf("demo password: %w", err)
			}
		}
	}

	// Background work: maintenance automation (catching up first on what
	// fell due while Herald was down, so the first render is right) and the
	// status page cache. A step that fails is recorded on its maintenance;
	// only a database that cannot be reached ends up here, and the loop
	// tries again, so Herald starts anyway.
	if n, err := db.Work.RunMaintenanceAutomation(ctx); err != nil {
		log.Warn("maintenance automation could not catch up; retrying in the background", "err", err)
	} else if n > 0 {
		log.Info("maintenance automation caught up", "steps", n)
	}
	pages := statuspage.NewCache(db.Services(), herald.SystemClock{}, lk, log)
	renderTime := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "herald_statuspage_render_seconds",
		Help:    "How long a rebuild of the public status page took: reading its snapshot and rendering every page.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}})
	pages.Rendered = func(d time.Duration) { renderTime.Observe(d.Seconds()) }
	if err := pages.Rebuild(ctx); err != nil {
		return fmt.Errorf("status page: %w", err)
	}
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pages.Run(bg) }()
	// Broadcasts get their own limiters and webhook client: a broadcast to
	// every subscriber can wait for the SMTP rate, a page never does.
	// A Slack contact method with a member id is a direct message from
	// Herald's Slack app (R07), on the page lane.
	sender.SlackDM = slack.DM{Store: db.Chat}
	public := sender
	public.Webhook = notify.NewPublicWebhook(*allowPrivate)
	public.ChatRate = notify.NewLimiter(1)
	if *smtpRate > 0 {
		public.EmailRate = notify.NewLimiter(float64(*smtpRate))
	}
	work := &worker.Worker{Work: db.Work, Sender: &sender, Public: &public, Log: log, Links: lk, Senders: 8, BulkTimeout: *bulkTimeout}
	// Support ticket sweeps (R20) reach the desk an admin connected, through
	// the same address guard as every URL people give.
	work.Tickets, work.TicketSystem = db.Work, func(c herald.TicketCredentials) (herald.TicketSystem, error) {
		return zendesk.New(c, notify.NewPublicWebhook(*allowPrivate).Client)
	}
	// The Slack app: its request URLs (server) and the chat lane's sender
	// (worker), on a loop of its own.
	slackApp := &slack.App{Exec: &chatops.Executor{Services: db.Services(), Links: lk}, Store: db.Chat, Log: log}
	work.Chat = map[string]worker.ChatSender{herald.ChatSlack: slackApp}
	// Mattermost likewise; its server is the admin's (often on the same
	// network as Herald), so its address is not held to the public guard.
	mattermostApp := &mattermost.App{Exec: &chatops.Executor{Services: db.Services(), Links: lk}, Store: db.Chat, Log: log, HTTP: &http.Client{Timeout: 15 * time.Second}}
	work.Chat[herald.ChatMattermost] = mattermostApp
	work.Flows = map[string]worker.ChatFlow{herald.ChatSlack: slackApp.Flow(), herald.ChatMattermost: mattermostApp.Flow()}
	go func() { defer wg.Done(); work.Run(bg, *tick) }()
	probe := probeEvery(db.Work, instanceName(), 2*time.Second)
	ready := func(ctx context.Context) error {
		if err := probe(ctx); err != nil {
			return err
		}
		return work.Health(2 * time.Minute)
	}
	if *heartbeatURL != "" {
		// The heartbeat vouches for paging: the database takes writes and
		// the paging loops run (the worker checks those); a slow broadcast
		// does not silence it.
		wg.Add(1)
		go func() { defer wg.Done(); work.Heartbeat(bg, *heartbeatURL, *heartbeatEvery, probe) }()
	}
	defer func() { stopBG(); wg.Wait() }()
	if *inboundAddr != "" {
		stopInbound, err := startInbound(*inboundAddr, db.Notices, lk, log, say)
		if err != nil {
			return err
		}
		defer stopInbound()
	}

	reg := prometheus.NewRegistry()
	if err := reg.Register(renderTime); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if err := work.Register(reg); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	provider, err := oidc.provider(ctx, e, lk, key)
	if err != nil {
		return err
	}
	cons, err := console.New(console.Config{Services: db.Services(), Auth: db.Auth, Links: lk, Logger: log, Version: version,
		SecureCookies: strings.HasPrefix(lk.Base(), "https://"), SSO: provider, SecretKey: key, SSODefaultRole: herald.APIRole(*oidc.defaultRole), SSORolesFromProvider: *oidc.roleClaim != "", Sender: &sender})
	if err != nil {
		return err
	}
	srv := server.New(server.Config{Services: db.Services(), Database: db, Links: lk, Logger: log, Registry: reg, MaxBodyBytes: int64(*maxBody), Version: version, Pages: pages,
		Ready: ready, SMTP: *smtpURL != "", TrustedProxies: proxies, Console: cons, Sender: &sender, Slack: slackApp, Mattermost: mattermostApp})
	hs := &http.Server{
		Handler: srv,
		// Read deadlines are set per request with a body (server.bodyDeadline)
		// and write deadlines per API request (server.api), not here: on the
		// public pages, which take the load during an outage, they cost a
		// tenth of the throughput (bench/statuspage).
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("herald serving", "url", url, "database", db.Dialect(), "version", version)
	say.say("Herald is running at "+url, "url", url)
	say.say("Console: "+url+"/app", "console", url+"/app")
	if !*demo {
		lines, err := firstAdminHelp(ctx, db.People, url, adminToken != "", *oidc.issuer != "")
		if err != nil {
			return err
		}
		for _, l := range lines {
			say.say(l)
		}
	}
	if demoPassword != "" {
		say.say("Sign in as ada@example.com with password "+demoPassword+" (an admin; a new password at every --demo start)", "email", "ada@example.com", "password", demoPassword)
	}
	if *demo {
		say.say("Admin token: "+adminToken, "token", adminToken)
		say.say("Try: HERALD_TOKEN=" + adminToken + " herald incident list --server " + url)
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

// secretKey reads HERALD_SECRET_KEY, or with SQLite keeps a generated key
// in the data folder (readable by its owner only). With PostgreSQL there is
// no shared folder, so an unset key stays unset and features that need it
// say so.
func secretKey(env, databaseURL, dataDir string) ([]byte, error) {
	if env != "" {
		k, err := base64.StdEncoding.DecodeString(env)
		if err != nil || len(k) != 32 {
			return nil, usagef("HERALD_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
		}
		return k, nil
	}
	if databaseURL != "" {
		return nil, nil
	}
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s is not a 32-byte base64 key", path)
		}
		return k, nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return k, nil
}

// prober writes a row to show the database takes writes (*store.Work).
type prober interface {
	Probe(ctx context.Context, instance string) error
}

// probeEvery returns a check that the database takes writes, writing at
// most once per interval while it succeeds: /readyz may be asked often, by
// anyone, and must not cost a write each time.
func probeEvery(db prober, instance string, interval time.Duration) func(context.Context) error {
	var mu sync.Mutex
	var last time.Time
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < interval {
			return nil
		}
		if err := db.Probe(ctx, instance); err != nil {
			last = time.Time{}
			return fmt.Errorf("%w: %w", server.ErrNoWrites, err)
		}
		last = time.Now()
		return nil
	}
}

// instanceName names this process in the probes table: host and process
// id, so each instance writes its own row.
func instanceName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

func demoToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return store.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func runMigrate(ctx context.Context, args []string, e env) error {
	f := newFlags("migrate", "migrate [flags]", e)
	sf := addStoreFlags(f)
	status := f.Bool("status", false, "list the migrations, applied and pending, and change nothing")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *status {
		return migrateStatus(ctx, sf, e)
	}
	n := 0
	db, err := sf.open(ctx, nil, links.Links{}, nil, func(name string) {
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
func seedDemo(ctx context.Context, db herald.Services) (seeded bool, err error) {
	list, err := db.Incidents.Incidents(ctx, herald.ListFilter{Limit: 1})
	if err != nil || len(list) > 0 {
		return false, err
	}
	people := map[string]herald.User{}
	for _, u := range []herald.UserInput{
		{Name: "Ada Lovelace", Email: "ada@example.com", Role: herald.RoleAdmin},
		{Name: "Grace Hopper", Email: "grace@example.com", Manager: true},
		{Name: "Linus Pauling", Email: "linus@example.com"},
	} {
		created, err := db.People.CreateUser(ctx, u)
		if err != nil {
			return false, err
		}
		people[u.Email] = created
	}
	// On call first, so the S1 below pages its roles as a real one would.
	now, err := seedDemoOnCall(ctx, db)
	if err != nil {
		return false, err
	}
	ada := herald.Actor{User: people["ada@example.com"], Role: herald.RoleResponder}
	old, err := db.Incidents.DeclareIncident(ctx, ada, herald.DeclareInput{Title: "Elevated error rate on the web tier", Severity: herald.S3,
		Summary: "5xx rate at 2% for ten minutes after a deploy.", Services: []string{"web"}})
	if err != nil {
		return false, err
	}
	if _, err := db.Incidents.UpdateIncident(ctx, ada, old.ID, herald.UpdateInput{Version: old.Version, State: ptr(herald.Resolved), Note: "Rolled back the deploy; error rate normal."}); err != nil {
		return false, err
	}
	inc, err := db.Incidents.DeclareIncident(ctx, ada, herald.DeclareInput{Title: "Database primary unreachable in eu-west", Severity: herald.S1,
		Summary: "Writes fail for every customer in eu-west.", Services: []string{"api", "database"}, Tenants: []string{"acme"}})
	if err != nil {
		return false, err
	}
	for _, a := range [][2]string{{herald.RoleIncidentLead, "grace@example.com"}, {herald.RoleEngineerOnCall, "ada@example.com"}, {herald.RoleCommunications, "linus@example.com"}} {
		if _, err := db.Incidents.AssignRole(ctx, ada, inc.ID, a[0], herald.RoleInput{User: a[1]}); err != nil {
			return false, err
		}
	}
	grace := herald.Actor{User: people["grace@example.com"], Role: herald.RoleResponder}
	// Grace and Ada are trained for failover (R56): Grace decides, Ada approves.
	for _, who := range []string{"grace@example.com", "ada@example.com"} {
		if _, err := db.People.SetQualification(ctx, grace, who, herald.QualificationFailover, herald.QualificationInput{Since: "2026-03-01"}); err != nil {
			return false, err
		}
	}
	failover, err := db.Incidents.RecordDecision(ctx, grace, inc.ID, herald.DecisionInput{Kind: herald.DecisionFailover, What: "Fail over to the secondary region",
		Rationale: "30 to 45 minutes to recover, against 2 to 4 hours to restore from backup"})
	if err != nil {
		return false, err
	}
	if _, err := db.Incidents.ApproveDecision(ctx, ada, inc.ID, failover.ID, herald.ApprovalInput{}); err != nil {
		return false, err
	}
	if _, err := db.Incidents.RecordDecision(ctx, grace, inc.ID, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Tell customers on the status page",
		Rationale: "every customer in eu-west sees failed writes"}); err != nil {
		return false, err
	}
	if _, err := db.Incidents.Label(ctx, ada, inc.ID, herald.LabelInput{Add: []string{herald.LabelStatusPage}}); err != nil {
		return false, err
	}
	if _, err = db.Incidents.UpdateIncident(ctx, ada, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Identified), Note: "Primary lost its disk; failover started."}); err != nil {
		return false, err
	}

	// The public face: components, the incident on the status page, and a
	// maintenance tomorrow.
	admin := herald.Actor{User: people["grace@example.com"], Role: herald.RoleAdmin}
	comps := map[string]herald.Component{}
	for _, c := range [][3]string{{"API", "Platform", "The public REST and GraphQL API"}, {"Web application", "Platform", ""}, {"Database", "Platform", ""}, {"Status notifications", "", "E-mail and webhook notices"}} {
		in := herald.ComponentInput{Name: ptr(c[0]), Description: ptr(c[2])}
		if c[1] != "" {
			in.Group = ptr(c[1])
		}
		created, err := db.StatusPage.CreateComponent(ctx, admin, in)
		if err != nil {
			return false, err
		}
		comps[c[0]] = created
	}
	_, err = db.StatusPage.CreateStatusIncident(ctx, ada, herald.StatusIncidentInput{Name: "Writes failing in eu-west", IncidentID: inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Identified,
			Body:       "Writes fail for customers in eu-west. We have found the cause and are failing over to the secondary region.",
			Components: map[string]herald.ComponentStatus{comps["API"].ID: herald.PartialOutage, comps["Database"].ID: herald.MajorOutage}}}, false)
	if err != nil {
		return false, err
	}
	if err := seedTemplates(ctx, db, now); err != nil {
		return false, err
	}
	from, until := now.Add(26*time.Hour), now.Add(28*time.Hour)
	_, err = db.Maintenances.CreateMaintenance(ctx, admin, herald.MaintenanceInput{Name: ptr("Database version upgrade"), Body: ptr("We upgrade the database; writes may pause for up to a minute."),
		ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{comps["Database"].ID}, Reminders: &[]herald.Duration{herald.Duration(time.Hour)}})
	return true, err
}

// seedDemoOnCall adds the demo's on call: a weekly rotation of Ada and
// Linus, a policy that reaches Grace after 30 minutes, and a service
// monitoring can send to; and binds the incident roles to services (R01),
// so a declared S1 pages Grace as incident lead, the rotation as engineer
// on call and Linus for communications, instead of nobody.
func seedDemoOnCall(ctx context.Context, db herald.Services) (time.Time, error) {
	now := time.Now().UTC().Truncate(time.Hour)
	if _, err := db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Primary", TimeZone: "Europe/Berlin",
		Layers: []herald.Layer{{Name: "Engineers", Rotation: herald.RotationWeekly, HandoffTime: "09:00", Start: now.Add(-24 * time.Hour),
			Users: []string{"ada@example.com", "linus@example.com"}}}}); err != nil {
		return now, err
	}
	policy := func(name string, levels ...herald.Target) (string, error) {
		in := herald.EscalationPolicyInput{Name: name}
		for _, t := range levels {
			in.Levels = append(in.Levels, herald.EscalationLevel{TimeoutMinutes: 30, Targets: []herald.Target{t}})
		}
		pol, err := db.Paging.CreateEscalationPolicy(ctx, in)
		return pol.ID, err
	}
	service := func(name, description, policyID string) error {
		_, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: name, Description: description, EscalationPolicyID: policyID})
		return err
	}
	grace, linus := herald.Target{Type: "user", ID: "grace@example.com"}, herald.Target{Type: "user", ID: "linus@example.com"}
	def, err := policy("Default", herald.Target{Type: "schedule", ID: "Primary"}, grace)
	if err != nil {
		return now, err
	}
	if err := service("Web", "The web tier", def); err != nil {
		return now, err
	}
	leads, err := policy("Incident leads", grace)
	if err != nil {
		return now, err
	}
	if err := service("Incident Management - Lead", "Pages the incident lead of S1 and S2 incidents", leads); err != nil {
		return now, err
	}
	comms, err := policy("Communications", linus, grace)
	if err != nil {
		return now, err
	}
	if err := service("Incident Management - CMOC", "Pages communications for S1 and S2 incidents", comms); err != nil {
		return now, err
	}
	settings, err := db.Settings.Settings(ctx)
	if err != nil {
		return now, err
	}
	settings.RoleServices = map[string]string{herald.RoleIncidentLead: "Incident Management - Lead", herald.RoleEngineerOnCall: "Web",
		herald.RoleCommunications: "Incident Management - CMOC"}
	_, err = db.Settings.SaveSettings(ctx, settings)
	return now, err
}

// seedTemplates shows R05's and R07's escalation templates (herald policy
// template) on the demo's schedules: a rotation of incident leads, and a
// policy from each template.
func seedTemplates(ctx context.Context, db herald.Services, now time.Time) error {
	if _, err := db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Incident leads", TimeZone: "Europe/Berlin",
		Layers: []herald.Layer{{Name: "Leads", Rotation: herald.RotationWeekly, HandoffTime: "09:00", Start: now.Add(-24 * time.Hour),
			Users: []string{"grace@example.com"}}}}); err != nil {
		return err
	}
	settings, err := db.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	for _, t := range []herald.PolicyTemplateInput{
		{Template: herald.TemplateIncidentRoles, Engineer: "Primary", Lead: "Incident leads"},
		{Template: herald.TemplateUnanswered, Engineer: "Primary"},
	} {
		in, err := settings.PolicyFromTemplate(t)
		if err != nil {
			return err
		}
		if _, err := db.Paging.CreateEscalationPolicy(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
