package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// NewCalendarFeed makes a user's calendar feed token, replacing the old one.
func (db *PeopleService) NewCalendarFeed(ctx context.Context, userID string) (herald.CalendarFeed, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := herald.CalendarTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var f herald.CalendarFeed
	err := db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
			u.ID, hashToken(token), micros(tx.now)); err != nil {
			return fmt.Errorf("make calendar feed: %w", err)
		}
		f = herald.CalendarFeed{UserID: u.ID, Active: true, CreatedAt: tx.now, Token: token}
		return nil
	})
	return f, err
}

// CalendarFeed says whether a user has a calendar feed.
func (db *PeopleService) CalendarFeed(ctx context.Context, userID string) (herald.CalendarFeed, error) {
	var f herald.CalendarFeed
	err := db.read(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userID)
		if err != nil {
			return err
		}
		f.UserID = u.ID
		var created int64
		err = tx.QueryRowContext(ctx, `SELECT created_at FROM calendar_feeds WHERE user_id = $1`, u.ID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read calendar feed: %w", err)
		}
		f.Active, f.CreatedAt = true, fromMicros(created)
		return nil
	})
	return f, err
}

// RevokeCalendarFeed ends a user's calendar feed.
func (db *PeopleService) RevokeCalendarFeed(ctx context.Context, userID string) error {
	return db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, u.ID)
		if err != nil {
			return fmt.Errorf("revoke calendar feed: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "%s has no calendar feed", u.Name)
		}
		return nil
	})
}

// CalendarFeedUser is the user a calendar feed token belongs to.
func (db *PeopleService) CalendarFeedUser(ctx context.Context, token string) (herald.User, error) {
	notFound := herald.Errorf(herald.ENotFound, "no such calendar feed: it may have been replaced or revoked")
	if !strings.HasPrefix(token, herald.CalendarTokenPrefix) {
		return herald.User{}, notFound
	}
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM calendar_feeds WHERE token_hash = $1)`, hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound
	}
	if err != nil {
		return u, fmt.Errorf("read calendar feed: %w", err)
	}
	return u, nil
}
