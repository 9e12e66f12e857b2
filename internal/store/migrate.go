package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
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
//
// A database that has migrations this binary does not know was run by a
// newer Herald: Migrate refuses it (ErrSchemaNewer) rather than let old
// code write to a schema it does not understand.
//
// Then it runs the steps SQL cannot do: rows written before a migration
// that Go must rewrite (sealTargets encrypts the webhook URLs of 0046).
// Each is idempotent and safe on several instances at once.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	if applied, err = db.migrateTo(ctx, 0); err != nil {
		return applied, err
	}
	return applied, db.sealTargets(ctx)
}

// ErrSchemaNewer is the error Migrate's refusal wraps.
var ErrSchemaNewer = errors.New("the database schema is newer than this binary")

// migrateTo is Migrate up to and including migration version upTo (0: all);
// tests build an older database with it.
func (db *DB) migrateTo(ctx context.Context, upTo int) (applied []string, err error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	var unknown []string
	err = db.write(ctx, func(tx *tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			var name string
			if err := rows.Scan(&v, &name); err != nil {
				return err
			}
			if !known[v] {
				unknown = append(unknown, name)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: the database has migrations this binary does not know (%s), so a newer Herald has run on it. "+
			"Run that version or a newer one; to go back, restore a backup taken before the upgrade", ErrSchemaNewer, strings.Join(unknown, ", "))
	}
	for _, m := range ms {
		if upTo > 0 && m.version > upTo {
			break
		}
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

// MigrationState is one migration as `herald migrate --status` shows it.
type MigrationState struct {
	Version int
	Name    string
	// Applied says whether the database has it, since AppliedAt.
	Applied   bool
	AppliedAt time.Time
	// Known is false for a migration the database has and this binary
	// does not: a newer Herald applied it.
	Known bool
}

// MigrationStatus lists every migration this binary knows and every one the
// database has applied, in order, without changing anything.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*MigrationState{}
	for _, m := range ms {
		byVersion[m.version] = &MigrationState{Version: m.version, Name: m.name, Known: true}
	}
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.dialect == Postgres {
		exists = `SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()`
	}
	var n int
	if err := db.r.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if n > 0 {
		rows, err := db.r.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations`)
		if err != nil {
			return nil, fmt.Errorf("read schema version: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			var name string
			var at int64
			if err := rows.Scan(&v, &name, &at); err != nil {
				return nil, err
			}
			st := byVersion[v]
			if st == nil {
				st = &MigrationState{Version: v, Name: name}
				byVersion[v] = st
			}
			st.Applied, st.AppliedAt = true, fromMicros(at)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]MigrationState, 0, len(byVersion))
	for _, st := range byVersion {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
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
