// Package store keeps Herald's state in SQLite or PostgreSQL and implements
// the incident service on top of it: every method validates its input, runs
// in one transaction, applies the process rules from package herald, and
// appends to the timeline in that same transaction, so a change and its
// record exist together or not at all.
//
// One set of hand-written SQL serves both databases (positional $N
// parameters, RETURNING, ON CONFLICT, integer microsecond times); the
// schema differs only where the databases do, in migrations/{sqlite,postgres}.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// Dialect names the database behind a DB.
type Dialect string

// Supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says which database to open.
type Config struct {
	// URL is a postgres:// or postgresql:// URL. Empty means SQLite in DataDir.
	URL string
	// DataDir holds herald.db when SQLite is used.
	DataDir string
	Clock   herald.Clock
	Logger  *slog.Logger
	// Links builds the URLs in public updates (R14), notices and mails;
	// zero means links.DefaultBase.
	Links links.Links
	// SecretKey (32 bytes) encrypts the secrets Herald must use again, such
	// as webhook signing secrets. Every instance needs the same key.
	SecretKey []byte
	// Unsendable are the contact method kinds this Herald cannot send
	// ("email" without SMTP, "sms" and "voice" without a provider): someone
	// reached only by them is paged as unreachable, and paging goes on.
	Unsendable []string
	// WebhookAllowPrivate accepts webhook and chat URLs that reach
	// loopback, private and other internal addresses
	// (--webhook-allow-private: tests, private deployments).
	WebhookAllowPrivate bool
	// ConfirmationsPerDay caps the confirmation mails one address receives
	// in 24 hours, however often it is signed up (default 3).
	ConfirmationsPerDay int
}

// DB is Herald's store: one database and the services built on it, one
// per concept. Each service is its own type over the same connections and
// transaction helper (core), so a caller depends only on the concept it
// uses (the interfaces in package herald). It is safe for concurrent use.
type DB struct {
	*core

	Incidents    *IncidentService
	StatusPage   *StatusPageService
	Maintenances *MaintenanceService
	Paging       *PagingService
	Schedules    *ScheduleService
	Subscribers  *SubscriberService
	People       *PeopleService
	Requests     *ContactRequestService
	Settings     *SettingsService
	Auth         *AuthService
	Teams        *TeamService
	Tenants      *TenantService
	Notices      *NoticeService
	Handovers    *HandoverService
	Tickets      *TicketService
	Practice     *PracticeService
	Chat         *ChatService
	// Work is the background work the worker's loops drive: escalation,
	// broadcast planning, maintenance automation and the outbox.
	Work *Work
}

// The services, each a view of the one core.
type (
	IncidentService    struct{ *core }
	StatusPageService  struct{ *core }
	MaintenanceService struct{ *core }
	PagingService      struct{ *core }
	ScheduleService    struct{ *core }
	SubscriberService  struct{ *core }
	PeopleService      struct{ *core }
	SettingsService    struct{ *core }
	AuthService        struct{ *core }
	TeamService        struct{ *core }
	TenantService      struct{ *core }
	NoticeService      struct{ *core }
	Work               struct{ *core }
)

func newDB(c *core) *DB {
	return &DB{core: c,
		Incidents: &IncidentService{c}, StatusPage: &StatusPageService{c}, Maintenances: &MaintenanceService{c},
		Paging: &PagingService{c}, Schedules: &ScheduleService{c}, Subscribers: &SubscriberService{c},
		People: &PeopleService{c}, Requests: &ContactRequestService{c}, Settings: &SettingsService{c}, Auth: &AuthService{c}, Work: &Work{c},
		Teams: &TeamService{c}, Tenants: &TenantService{c}, Notices: &NoticeService{c}, Handovers: &HandoverService{c},
		Tickets: &TicketService{c}, Practice: &PracticeService{c}, Chat: &ChatService{c}}
}

// core is what every service shares: the connections, the write gate, the
// clock, the link builder and the secret key, with the transaction helpers
// and the loaders services call on each other's concepts.
type core struct {
	dialect Dialect
	// w takes writes. On SQLite it is a single connection: SQLite has one
	// writer at a time, and queueing in Go is cheaper and fairer than
	// retrying on SQLITE_BUSY. r takes reads; on PostgreSQL it is w.
	w, r *sql.DB
	// pw takes the writes of paging (escalation steps, page deliveries):
	// on PostgreSQL a pool of its own, so a broadcast to a million
	// subscribers cannot hold every connection while someone waits to be
	// paged. On SQLite it is w, and gate lets paging go first instead.
	pw        *sql.DB
	gate      *writeGate
	clock     herald.Clock
	log       *slog.Logger
	links     links.Links
	secretKey []byte
	// wake is signalled after a change that gives the paging loops
	// something to do now (a new page), wakeBulk after one that gives the
	// broadcast loop work, so neither waits for its tick.
	wake, wakeBulk chan struct{}
	// wakeDeliveries is signalled when an escalation step has planned
	// deliveries, for the page delivery loop.
	wakeDeliveries chan struct{}
	// allowPrivate is Config.WebhookAllowPrivate.
	allowPrivate bool
	// confirmationsPerDay is Config.ConfirmationsPerDay.
	confirmationsPerDay int
	// statusChanges counts commits through this DB that bumped the status
	// version (LocalStatusChanges); statusHook is OnStatusChange's function.
	statusChanges atomic.Uint64
	statusHook    atomic.Pointer[func()]

	// Ingestion: events for known integration keys go through one loop
	// that commits them in batches (paging.go).
	knownKeys  sync.Map
	ingest     chan ingestReq
	ingestOnce sync.Once
	unsendable []string
	quit       chan struct{}
	closeOnce  sync.Once
}

// Links is the link builder the store writes its URLs with (Config.Links),
// for callers that must show the same URLs.
func (db *DB) Links() links.Links { return db.links }

// Open connects to the database. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &core{clock: cfg.Clock, log: cfg.Logger, links: cfg.Links, secretKey: cfg.SecretKey, allowPrivate: cfg.WebhookAllowPrivate, wake: make(chan struct{}, 1),
		wakeBulk: make(chan struct{}, 1), wakeDeliveries: make(chan struct{}, 1), ingest: make(chan ingestReq, maxBatch), quit: make(chan struct{})}
	db.unsendable = slices.Clone(cfg.Unsendable)
	if db.confirmationsPerDay = cfg.ConfirmationsPerDay; db.confirmationsPerDay <= 0 {
		db.confirmationsPerDay = 3
	}
	if db.links.IsZero() {
		db.links = links.New(links.DefaultBase)
	}
	if db.clock == nil {
		db.clock = herald.SystemClock{}
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case strings.HasPrefix(cfg.URL, "postgres://"), strings.HasPrefix(cfg.URL, "postgresql://"):
		db.dialect = Postgres
		conn, err := sql.Open("pgx", cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		conn.SetMaxOpenConns(20)
		conn.SetMaxIdleConns(10)
		conn.SetConnMaxIdleTime(5 * time.Minute)
		paging, err := sql.Open("pgx", cfg.URL)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		paging.SetMaxOpenConns(pagingConns)
		paging.SetMaxIdleConns(pagingConns) // every paging connection stays open: reconnecting per page cost ten times the latency
		paging.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r, db.pw = conn, conn, paging
	case cfg.URL == "":
		db.dialect = SQLite
		if cfg.DataDir == "" {
			return nil, errors.New("open sqlite: no data folder given")
		}
		file := filepath.Join(cfg.DataDir, "herald.db")
		if err := prepareSQLiteFiles(cfg.DataDir, file); err != nil {
			return nil, err
		}
		w, err := sql.Open("sqlite", sqliteDSN(file, true))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", sqliteDSN(file, false))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(4)
		db.w, db.r, db.pw = w, r, w
		db.gate = &writeGate{}
	default:
		return nil, herald.Errorf(herald.EInvalid, "database URL must start with postgres:// (or be empty for SQLite)")
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.close()
		if db.dialect == SQLite {
			return nil, fmt.Errorf("open sqlite %s: %w", filepath.Join(cfg.DataDir, "herald.db"), err)
		}
		return nil, fmt.Errorf("connect to %s: %w", db.dialect, err)
	}
	if db.dialect == SQLite {
		// The write-ahead log and shared-memory index hold the same data
		// as the database: owner-only like it, also where an older version
		// left them readable by everyone.
		file := filepath.Join(cfg.DataDir, "herald.db")
		for _, f := range []string{file, file + "-wal", file + "-shm"} {
			if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
				db.close()
				return nil, fmt.Errorf("open sqlite: make %s owner-only: %w", f, err)
			}
		}
	}
	return newDB(db), nil
}

// prepareSQLiteFiles makes the data folder and an owner-only database file
// before SQLite opens it (SQLite would create it 0644 under the usual
// umask, and its -wal and -shm files take the database's mode), and says
// which file or folder cannot be written and why: SQLite itself only says
// "unable to open database file (14)".
func prepareSQLiteFiles(dir, file string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("open sqlite: create the data folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open sqlite: the database file cannot be opened for writing: %w", err)
	}
	f.Close()
	// SQLite creates herald.db-wal and herald.db-shm beside the database.
	probe, err := os.CreateTemp(dir, ".herald-write-check-*")
	if err != nil {
		return fmt.Errorf("open sqlite: the data folder %s is not writable, and SQLite keeps its write-ahead log there: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// sqliteDSN configures a connection: WAL so readers never wait for the
// writer, a busy timeout for other processes (herald migrate), foreign keys
// on. Writers take the lock at BEGIN (immediate) so a transaction never fails
// half-way when upgrading a read lock; readers are query-only.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Dialect says which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the connection pool that takes writes, for instrumentation and
// for packages (the job queue) that share the database.
func (db *DB) SQL() *sql.DB { return db.w }

// Close closes every connection. In-flight queries finish first.
func (db *DB) Close() error { return db.close() }

func (db *core) close() error {
	db.closeOnce.Do(func() { close(db.quit) })
	var err error
	if db.r != nil && db.r != db.w {
		err = db.r.Close()
	}
	if db.pw != nil && db.pw != db.w {
		err = errors.Join(err, db.pw.Close())
	}
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// tx is one write transaction with the time fixed at its start: every row it
// writes carries the same "now", and the clock is read once.
type tx struct {
	*sql.Tx
	db  *core
	now time.Time
	// statusChanged is set when the transaction bumps the status version;
	// write counts it in db.statusChanges once the commit succeeded.
	statusChanged bool
}

// write runs fn in a write transaction and commits when fn returns nil.
func (db *core) write(ctx context.Context, fn func(*tx) error) error {
	return db.writeOn(ctx, db.w, false, fn)
}

// writePaging is write for the work of paging someone: it uses paging's own
// connections (PostgreSQL) or goes ahead of every other queued writer
// (SQLite), so no other work can make a page wait for more than one
// transaction.
func (db *core) writePaging(ctx context.Context, fn func(*tx) error) error {
	return db.writeOn(ctx, db.pw, true, fn)
}

// writeIngest is write for monitoring events, which open pages: on SQLite
// it goes ahead of queued broadcast and API writers like paging does; on
// PostgreSQL it uses the general pool, leaving paging's own connections to
// escalation and delivery.
func (db *core) writeIngest(ctx context.Context, fn func(*tx) error) error {
	return db.writeOn(ctx, db.w, true, fn)
}

func (db *core) writeOn(ctx context.Context, pool *sql.DB, first bool, fn func(*tx) error) error {
	statusChanged, err := db.commit(ctx, pool, first, fn)
	if statusChanged {
		// After the gate is released: the page re-rendering here holds up
		// no other writer.
		db.statusChanges.Add(1)
		if h := db.statusHook.Load(); h != nil {
			(*h)()
		}
	}
	return err
}

// commit runs fn in a transaction on pool and commits, and says whether
// the committed transaction changed what the status page shows.
func (db *core) commit(ctx context.Context, pool *sql.DB, first bool, fn func(*tx) error) (bool, error) {
	if db.gate != nil {
		if err := db.gate.acquire(ctx, first); err != nil {
			return false, fmt.Errorf("begin: %w", err)
		}
		defer db.gate.release()
	}
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{Tx: sqlTx, db: db, now: db.clock.Now().UTC()}
	if err := fn(t); err != nil {
		return false, err
	}
	if err := sqlTx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", mapErr(err))
	}
	return t.statusChanged, nil
}

// read runs fn in a read-only snapshot, so a page of related rows is
// consistent.
func (db *core) read(ctx context.Context, fn func(*tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == SQLite {
		opts = nil // query_only is set on the pool; modernc rejects ReadOnly
	}
	sqlTx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(&tx{Tx: sqlTx, db: db, now: db.clock.Now().UTC()})
}

// mapErr turns constraint violations into herald errors a caller can act on.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return herald.Errorf(herald.EConflict, "already exists (%s)", pgErr.ConstraintName)
	}
	if strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return herald.Errorf(herald.EConflict, "already exists")
	}
	return err
}

// conflictAs turns the unique-key conflict of an insert or update into an
// EConflict a person understands, and wraps any other error with what was
// being done.
func conflictAs(err error, doing, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if err := mapErr(err); herald.ErrorCode(err) == herald.EConflict {
		return herald.Errorf(herald.EConflict, format, args...)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// Wake is signalled after a change that gives the background worker
// something to do at once, in this process. Other instances find the work
// on their next tick.
func (db *Work) Wake() <-chan struct{} { return db.wake }

func (db *core) kick() { signal(db.wake) }

// DeliveriesDue is signalled after an escalation step planned deliveries in
// this process.
func (db *Work) DeliveriesDue() <-chan struct{} { return db.wakeDeliveries }

// WakeBulk is Wake for the broadcast loop: a broadcast was recorded here.
func (db *Work) WakeBulk() <-chan struct{} { return db.wakeBulk }

func (db *core) kickBulk() { signal(db.wakeBulk) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// skipLocked is appended to a SELECT that picks one row of work, so that on
// PostgreSQL concurrent workers pick different rows instead of queueing on
// the same one. SQLite has one writer, so there is nothing to skip.
func (db *core) skipLocked() string {
	if db.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// The services implement package herald's interfaces.
var (
	_ herald.IncidentService       = (*IncidentService)(nil)
	_ herald.StatusPageService     = (*StatusPageService)(nil)
	_ herald.MaintenanceService    = (*MaintenanceService)(nil)
	_ herald.PagingService         = (*PagingService)(nil)
	_ herald.ScheduleService       = (*ScheduleService)(nil)
	_ herald.SubscriberService     = (*SubscriberService)(nil)
	_ herald.PeopleService         = (*PeopleService)(nil)
	_ herald.ContactRequestService = (*ContactRequestService)(nil)
	_ herald.SettingsService       = (*SettingsService)(nil)
	_ herald.AuthService           = (*AuthService)(nil)
	_ herald.TeamService           = (*TeamService)(nil)
	_ herald.TenantService         = (*TenantService)(nil)
	_ herald.TenantPageService     = (*TenantService)(nil)
)

// Services returns the store's services as package herald's interfaces,
// for the server, the worker and the CLI.
func (db *DB) Services() herald.Services {
	return herald.Services{Incidents: db.Incidents, StatusPage: db.StatusPage, Maintenances: db.Maintenances,
		Paging: db.Paging, Schedules: db.Schedules, Subscribers: db.Subscribers, People: db.People, Settings: db.Settings, Auth: db.Auth,
		Requests: db.Requests, Teams: db.Teams, Tenants: db.Tenants,
		TenantPages: db.Tenants, Notices: db.Notices, Handovers: db.Handovers, Tickets: db.Tickets, Practice: db.Practice,
		Chat: db.Chat, ChatApps: db.Chat}
}
