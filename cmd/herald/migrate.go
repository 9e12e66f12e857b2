package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/internal/store"
)

// migrateStatus is `herald migrate --status`: every migration this binary
// knows and every one the database has, applied or pending, without
// changing anything (not even creating a SQLite file that is not there).
func migrateStatus(ctx context.Context, sf storeFlags, e env) error {
	if *sf.databaseURL == "" {
		if _, err := os.Stat(filepath.Join(*sf.data, store.SQLiteFile)); err != nil {
			return fmt.Errorf("no database at %s: %w", filepath.Join(*sf.data, store.SQLiteFile), err)
		}
	}
	db, err := store.Open(ctx, store.Config{URL: *sf.databaseURL, DataDir: *sf.data})
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	applied, pending, unknown := 0, 0, 0
	for _, m := range list {
		state := "pending"
		if m.Applied {
			applied++
			state = "applied " + m.AppliedAt.UTC().Format(time.DateTime) + " UTC"
		} else {
			pending++
		}
		if !m.Known {
			unknown++
			state += ", unknown to this binary (a newer Herald applied it)"
		}
		fmt.Fprintf(tw, "%s\t%s\n", m.Name, state)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d applied, %d pending", applied, pending)
	switch {
	case unknown > 0:
		fmt.Fprintf(e.stdout, "; %d unknown: this binary is older than the database and will not start on it\n", unknown)
	case pending > 0:
		fmt.Fprintln(e.stdout, "; herald migrate (or herald serve) applies them")
	default:
		fmt.Fprintln(e.stdout)
	}
	return nil
}
