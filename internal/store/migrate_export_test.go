package store

import "context"

// MigrateTo exposes migrateTo to the external tests, which build an
// older database with it.
func (db *DB) MigrateTo(ctx context.Context, version int) ([]string, error) {
	return db.migrateTo(ctx, version)
}
