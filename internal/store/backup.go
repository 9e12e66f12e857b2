package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SQLiteFile is the database file's name in the data folder.
const SQLiteFile = "herald.db"

// BackupSQLite writes a consistent copy of the SQLite database in dataDir
// to dest, while Herald runs and writes. A plain copy of herald.db misses
// what is still in the write-ahead log and can catch a page half-written;
// VACUUM INTO reads the database in one read transaction instead, so the
// copy holds every transaction committed before it began and none after,
// and it never blocks Herald's writer (WAL readers do not). dest must not
// exist; it is made owner-only, like the database.
func BackupSQLite(ctx context.Context, dataDir, dest string) error {
	file := filepath.Join(dataDir, SQLiteFile)
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("no Herald database to back up: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists", dest)
	}
	// Not sqliteDSN's reader: VACUUM INTO counts as a write under
	// query_only, though it writes only dest.
	conn, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("copy %s: %w", file, err)
	}
	return os.Chmod(dest, 0o600)
}

// CheckSQLite opens a database file (a restored backup) and checks that it
// is whole and is Herald's: SQLite's quick_check passes and it has applied
// migrations. It returns the highest migration applied.
func CheckSQLite(ctx context.Context, file string) (version int, err error) {
	if _, err := os.Stat(file); err != nil {
		return 0, err
	}
	conn, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var verdict string
	if err := conn.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&verdict); err != nil {
		return 0, fmt.Errorf("check %s: %w", file, err)
	}
	if verdict != "ok" {
		return 0, fmt.Errorf("check %s: %s", file, verdict)
	}
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("%s is not a Herald database: %w", file, err)
	}
	if version == 0 {
		return 0, errors.New(file + " is not a Herald database: no migration applied")
	}
	return version, nil
}
