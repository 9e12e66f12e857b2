package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// Migrating a new database costs every test the whole migration history
// (each migration in its own transaction, under PostgreSQL's cluster-wide
// migration lock, so parallel tests and packages wait for each other), and
// was most of the time the suite spent. Instead each test binary migrates
// one template per dialect, once, and every test gets a copy of it: on
// PostgreSQL a database made with CREATE DATABASE ... TEMPLATE, on SQLite
// a copy of the file. The copy is the migrated schema byte for byte; Open
// checks that no migration is pending on it. The migrations themselves are
// still run from empty by the template, by the tests that migrate a
// database of their own (testdb.URL), and by every command test that
// starts Herald.
//
// HERALD_TEST_MIGRATE_EACH=1 migrates each test's database as before, to
// compare or to rule the templates out.

var templates struct {
	sync.Mutex
	admin  *sql.DB // on HERALD_TEST_DATABASE_URL, for CREATE/DROP DATABASE
	pg     string  // the PostgreSQL template database's name, once made
	sqlite string  // the migrated SQLite file, once made
	dir    string  // the folder holding it
}

// randomName is prefix and 12 hex digits, a name no other test or process
// picks.
func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// adminDB returns the connection pool that creates and drops databases.
func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	base := os.Getenv("HERALD_TEST_DATABASE_URL")
	if base == "" {
		Missing(t, NeedPostgres)
	}
	templates.Lock()
	defer templates.Unlock()
	if templates.admin == nil {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		templates.admin = admin
	}
	return templates.admin
}

// databaseURL is HERALD_TEST_DATABASE_URL pointed at the database name.
func databaseURL(t testing.TB, name string) string {
	t.Helper()
	u, err := url.Parse(os.Getenv("HERALD_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String()
}

// migrateOnce opens a store at url (or in dir for SQLite), migrates it
// with the clock tests start at, and closes it.
func migrateOnce(url, dir string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: url, DataDir: dir, Clock: NewClock(), SecretKey: TestSecretKey})
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// postgresTemplate returns the name of this binary's migrated template
// database, making it on first use.
func postgresTemplate(t testing.TB, admin *sql.DB) string {
	t.Helper()
	templates.Lock()
	defer templates.Unlock()
	if templates.pg != "" {
		return templates.pg
	}
	name := randomName("herald_tmpl_")
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create the template database: %v", err)
	}
	if err := migrateOnce(databaseURL(t, name), ""); err != nil {
		_, _ = admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`) // the migration's error is the one to report
		t.Fatalf("migrate the template database: %v", err)
	}
	templates.pg = name
	return name
}

// postgresCopy makes a database for the test from the template, dropped
// when the test ends, and returns its URL.
func postgresCopy(t testing.TB) string {
	t.Helper()
	admin := adminDB(t)
	tmpl := postgresTemplate(t, admin)
	name := randomName("herald_t_")
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl); err != nil {
		t.Fatalf("copy the template database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE: a connection a test left open must not keep it.
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("test database %s left behind: %v", name, err) // harmless to the result
		}
	})
	return databaseURL(t, name)
}

// sqliteCopy puts a copy of this binary's migrated SQLite file in dir,
// making it on first use.
func sqliteCopy(t testing.TB, dir string) {
	t.Helper()
	templates.Lock()
	if templates.sqlite == "" {
		tmp, err := os.MkdirTemp("", "herald-template-")
		if err != nil {
			templates.Unlock()
			t.Fatal(err)
		}
		if err := migrateOnce("", tmp); err != nil {
			templates.Unlock()
			os.RemoveAll(tmp)
			t.Fatalf("migrate the template SQLite file: %v", err)
		}
		// Closing the last connection folds the write-ahead log into the
		// file and removes it; a log left behind would be data not copied.
		if _, err := os.Stat(filepath.Join(tmp, "herald.db-wal")); err == nil {
			templates.Unlock()
			os.RemoveAll(tmp)
			t.Fatal("the template SQLite file kept its write-ahead log after closing")
		}
		templates.dir, templates.sqlite = tmp, filepath.Join(tmp, "herald.db")
	}
	src := templates.sqlite
	templates.Unlock()
	if err := copyFile(src, filepath.Join(dir, "herald.db")); err != nil {
		t.Fatalf("copy the template SQLite file: %v", err)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dropTemplates removes this binary's templates; Main calls it after the
// tests.
func dropTemplates() error {
	templates.Lock()
	defer templates.Unlock()
	var err error
	if templates.dir != "" {
		err = os.RemoveAll(templates.dir)
		templates.dir, templates.sqlite = "", ""
	}
	if templates.admin != nil {
		if templates.pg != "" {
			if _, e := templates.admin.Exec(`DROP DATABASE ` + templates.pg + ` WITH (FORCE)`); e != nil {
				err = fmt.Errorf("drop the template database %s: %w", templates.pg, e)
			}
			templates.pg = ""
		}
		templates.admin.Close()
		templates.admin = nil
	}
	return err
}
