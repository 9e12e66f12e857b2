package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// Settings returns the organisation's settings: the defaults until an admin
// changes them.
func (db *SettingsService) Settings(ctx context.Context) (herald.Settings, error) {
	var s herald.Settings
	err := db.read(ctx, func(tx *tx) (err error) {
		s, err = tx.settings(ctx)
		return err
	})
	return s, err
}

func (tx *tx) settings(ctx context.Context) (herald.Settings, error) {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.DefaultSettings(), nil
	}
	if err != nil {
		return herald.Settings{}, fmt.Errorf("read settings: %w", err)
	}
	// Start from the defaults so a setting added in a later release has a
	// value for organisations that saved theirs before it existed.
	s := herald.DefaultSettings()
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		return herald.Settings{}, fmt.Errorf("decode settings: %w", err)
	}
	s.Upgrade() // read what older releases saved
	return s, nil
}

// SaveSettings validates and stores the whole settings document.
func (db *SettingsService) SaveSettings(ctx context.Context, s herald.Settings) (herald.Settings, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	err := db.write(ctx, func(tx *tx) error { return tx.saveSettings(ctx, s) })
	return s, err
}

// saveSettings stores a validated settings document.
func (tx *tx) saveSettings(ctx context.Context, s herald.Settings) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	if err := tx.checkFallback(ctx, s.Paging.Fallback); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (id, data, version, updated_at) VALUES (1, $1, 1, $2)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = settings.version + 1, updated_at = excluded.updated_at`,
		string(data), micros(tx.now))
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return tx.bumpStatusVersion(ctx) // the page shows its name, logo and links
}

// checkFallback refuses a paging fallback that names neither a user nor a
// schedule: a fallback that pages nobody would be one more silent gap.
func (tx *tx) checkFallback(ctx context.Context, ref string) error {
	if ref == "" {
		return nil
	}
	if _, err := tx.user(ctx, ref); herald.ErrorCode(err) != herald.ENotFound {
		return err
	}
	if _, err := tx.schedule(ctx, ref, tx.now); herald.ErrorCode(err) != herald.ENotFound {
		return err
	}
	return &herald.Error{Code: herald.EInvalid, Message: "paging.fallback " + ref + " is neither a user nor a schedule",
		Fields: map[string]string{"paging": "fallback: no user or schedule " + ref}}
}
