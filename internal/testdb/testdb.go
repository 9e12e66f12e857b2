// Package testdb gives tests a migrated, empty Herald store on each database
// Herald supports, and a clock they can move.
//
// SQLite needs nothing. PostgreSQL needs a server: scripts/test starts a
// throwaway one and sets HERALD_TEST_DATABASE_URL; every test then gets its
// own database in it (Open: a copy of a template migrated once, see
// template.go) or its own empty schema (URL), so tests run in parallel
// without seeing each other.
// Without the variable the PostgreSQL half of each test is skipped with a
// message, unless HERALD_TEST_REQUIRE_POSTGRES=1 (as in CI), where it fails
// (see Missing; Main, called from each package's TestMain, sums the skips up).
package testdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Clock is a clock that moves only when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at a fixed, recognisable instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var _ herald.Clock = (*Clock)(nil)

// Dialects lists the databases every storage-facing test runs against.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// ForEach runs fn as a subtest on each database.
func ForEach(t *testing.T, fn func(t *testing.T, dialect store.Dialect)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// URL returns a database URL for a new, empty database of the dialect: ""
// for SQLite (with DataDir from the caller), or a PostgreSQL URL whose
// search_path is a schema made for this test and dropped after it.
func URL(t testing.TB, dialect store.Dialect) string {
	t.Helper()
	if dialect == store.SQLite {
		return ""
	}
	base := os.Getenv("HERALD_TEST_DATABASE_URL")
	if base == "" {
		Missing(t, NeedPostgres)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("test schema %s left behind: %v", schema, err) // harmless to the result
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated store on the dialect, closed when the test ends:
// a database of its own, copied from a template migrated once per test
// binary (template.go).
// Webhook URLs may reach private addresses (the receivers tests deliver to
// listen on loopback); options change the configuration, for example to
// test that refusal.
func Open(t testing.TB, dialect store.Dialect, clock herald.Clock, options ...func(*store.Config)) *store.DB {
	t.Helper()
	cfg := store.Config{DataDir: t.TempDir(), Clock: clock, SecretKey: TestSecretKey, WebhookAllowPrivate: true}
	for _, o := range options {
		o(&cfg)
	}
	// A copy of the migrated template (template.go), unless asked not to,
	// or the data folder an option chose already holds a database.
	copied := false
	if os.Getenv("HERALD_TEST_MIGRATE_EACH") == "1" {
		cfg.URL = URL(t, dialect)
	} else if dialect == store.Postgres {
		cfg.URL, copied = postgresCopy(t), true
	} else if _, err := os.Stat(filepath.Join(cfg.DataDir, "herald.db")); errors.Is(err, os.ErrNotExist) {
		sqliteCopy(t, cfg.DataDir)
		copied = true
	}
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if copied {
		if n, err := db.Pending(context.Background()); err != nil || n != 0 {
			t.Fatalf("the copy of the migrated %s template has %d migrations pending (%v)", dialect, n, err)
		}
	} else if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// TestSecretKey encrypts stored secrets in tests.
var TestSecretKey = []byte("0123456789abcdef0123456789abcdef")

// Instance opens another store on the database at url (one URL returned),
// as a second Herald instance on the same PostgreSQL would: migrated, and
// closed when the test ends.
func Instance(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{URL: url})
	if err != nil {
		t.Fatalf("open another instance: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate another instance: %v", err)
	}
	return db
}

// SyncBuffer is a bytes.Buffer safe to read while another goroutine (a
// server's log, a command's output) writes to it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// BenchSize is how many rows a benchmark seeds when it wants n: n, except
// in the one-iteration pass of scripts/test (HERALD_BENCH_SMALL=1), which
// only checks that each benchmark still runs and passes its checks, and
// there at most 1,000, enough for every query to find what it lists.
func BenchSize(n int) int {
	if os.Getenv("HERALD_BENCH_SMALL") == "1" {
		return min(n, 1_000)
	}
	return n
}
