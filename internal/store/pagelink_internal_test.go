package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/heraldhq/herald"
)

// BenchmarkMutingLookup is the check each new page makes on SQLite, as
// prepared at Migrate (mutingMaintenance) and as planned afresh, which is
// why it is prepared.
func BenchmarkMutingLookup(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: b.TempDir(), Clock: herald.SystemClock{}, SecretKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if db.muting.Load() == nil {
		b.Fatal("Migrate did not prepare the lookup")
	}
	b.Run("prepared", func(b *testing.B) {
		db.write(ctx, func(tx *tx) error {
			for b.Loop() {
				if _, _, err := tx.mutingMaintenance(ctx, svc.ID, ""); err != nil {
					b.Fatal(err)
				}
			}
			return nil
		})
	})
	b.Run("planned", func(b *testing.B) {
		db.write(ctx, func(tx *tx) error {
			for b.Loop() {
				var id, name string
				if err := tx.QueryRowContext(ctx, mutingSQL, svc.ID, true, "").Scan(&id, &name); err != nil && !errors.Is(err, sql.ErrNoRows) {
					b.Fatal(err)
				}
			}
			return nil
		})
	})
}
