package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *core) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(db.dialect))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		b, err := migrations.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: n, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate brings the schema up to date. Each migration runs in its own
// transaction with its bookkeeping row, so a failed migration leaves the
// database as it was. On PostgreSQL an advisory lock lets several Herald
// instances start at once: one migrates, the others wait and find the work
// done.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	err = db.write(ctx, func(tx *tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		done := false
		err := db.write(ctx, func(tx *tx) error {
			if err := tx.lockMigrations(ctx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.version, m.name, micros(tx.now))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if !done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// Pending returns the migrations not yet applied; /readyz is not ready while
// any are.
func (db *DB) Pending(ctx context.Context) (int, error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	var max int
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&max); err != nil {
		return len(ms), fmt.Errorf("read schema version: %w", err)
	}
	n := 0
	for _, m := range ms {
		if m.version > max {
			n++
		}
	}
	return n, nil
}

// lockMigrations serialises migrations across instances on PostgreSQL until
// the transaction ends. SQLite's write lock already does that.
func (tx *tx) lockMigrations(ctx context.Context) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7461736)`)
	return err
}
