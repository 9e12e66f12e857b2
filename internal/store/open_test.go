//go:build unix

package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The database, its write-ahead log and shared-memory index hold every
// incident and token hash: owner-only whatever the umask, also where an
// older version created them readable by everyone.
func TestOpen_SQLiteFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, upgrade := range []bool{false, true} {
		if upgrade {
			for _, f := range []string{"herald.db", "herald.db-wal", "herald.db-shm"} {
				os.Chmod(filepath.Join(dir, f), 0o644)
			}
		}
		db, err := store.Open(context.Background(), store.Config{DataDir: dir, Clock: testdb.NewClock()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"herald.db", "herald.db-wal", "herald.db-shm"} {
			st, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("upgrade %v: %s is %o, want 600", upgrade, f, st.Mode().Perm())
			}
		}
		db.Close()
	}
}

// A data folder or database file that cannot be written is named, with the
// reason; SQLite alone says "unable to open database file (14)".
func TestOpen_UnwritableDataSaysWhichAndWhy(t *testing.T) {
	open := func(dir string) error {
		db, err := store.Open(context.Background(), store.Config{DataDir: dir, Clock: testdb.NewClock()})
		if err == nil {
			db.Close()
		}
		return err
	}
	base := t.TempDir()
	// The database file is in the way (a folder): named, and why.
	dir := filepath.Join(base, "blocked")
	os.MkdirAll(filepath.Join(dir, "herald.db"), 0o750)
	if err := open(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "herald.db")) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("herald.db is a folder: %v", err)
	}
	// The data folder cannot be made.
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	if err := open(filepath.Join(file, "data")); err == nil || !strings.Contains(err.Error(), filepath.Join(file, "data")) || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("data folder under a file: %v", err)
	}
	if os.Geteuid() == 0 {
		t.Skip("root writes to read-only folders: the permission cases need another user")
	}
	// A read-only data folder, empty or with a database that is writable.
	for _, seed := range []bool{false, true} {
		dir := filepath.Join(base, "ro"+map[bool]string{false: "-empty", true: "-seeded"}[seed])
		os.MkdirAll(dir, 0o750)
		if seed {
			os.WriteFile(filepath.Join(dir, "herald.db"), nil, 0o600)
		}
		os.Chmod(dir, 0o500)
		err := open(dir)
		os.Chmod(dir, 0o750)
		if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("read-only data folder (seeded %v): %v", seed, err)
		}
	}
}
