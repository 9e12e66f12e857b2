package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// resolveUsers turns user ids or e-mail addresses into ids, naming every
// one that does not exist.
func (tx *tx) resolveUsers(ctx context.Context, field string, refs []string, fe herald.FieldErrors) []string {
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		u, err := tx.user(ctx, ref)
		if err != nil {
			fe.Add(field, "no user "+ref)
			continue
		}
		out = append(out, u.ID)
	}
	return out
}

func (tx *tx) normalizeSchedule(ctx context.Context, in *herald.ScheduleInput) error {
	if err := in.Normalize(); err != nil {
		return err
	}
	fe := herald.FieldErrors{}
	for i := range in.Layers {
		in.Layers[i].Users = tx.resolveUsers(ctx, "layers", in.Layers[i].Users, fe)
		in.Layers[i].Start = in.Layers[i].Start.UTC()
	}
	in.Shadows = tx.resolveUsers(ctx, "shadows", in.Shadows, fe)
	return fe.Err()
}

// CreateSchedule adds an on-call schedule.
func (db *ScheduleService) CreateSchedule(ctx context.Context, in herald.ScheduleInput) (*herald.Schedule, error) {
	var s *herald.Schedule
	err := db.write(ctx, func(tx *tx) error {
		if err := tx.normalizeSchedule(ctx, &in); err != nil {
			return err
		}
		s = &herald.Schedule{ID: newID(), Name: in.Name, TimeZone: in.TimeZone, Layers: in.Layers, Shadows: in.Shadows,
			Overrides: []herald.Override{}, CreatedAt: tx.now, UpdatedAt: tx.now}
		layers, _ := json.Marshal(s.Layers)
		shadows, _ := json.Marshal(s.Shadows)
		_, err := tx.ExecContext(ctx, `INSERT INTO schedules (id, name, time_zone, layers, shadows, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			s.ID, s.Name, s.TimeZone, string(layers), string(shadows), micros(tx.now))
		return conflictAs(err, "insert schedule", "a schedule named %q exists already", in.Name)
	})
	return s, err
}

// UpdateSchedule replaces a schedule's name, time zone, layers and
// shadows; its overrides stay.
func (db *ScheduleService) UpdateSchedule(ctx context.Context, ref string, in herald.ScheduleInput) (*herald.Schedule, error) {
	var s *herald.Schedule
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if s, err = tx.schedule(ctx, ref, time.Time{}); err != nil {
			return err
		}
		if err := tx.normalizeSchedule(ctx, &in); err != nil {
			return err
		}
		s.Name, s.TimeZone, s.Layers, s.Shadows, s.UpdatedAt = in.Name, in.TimeZone, in.Layers, in.Shadows, tx.now
		layers, _ := json.Marshal(s.Layers)
		shadows, _ := json.Marshal(s.Shadows)
		_, err = tx.ExecContext(ctx, `UPDATE schedules SET name = $1, time_zone = $2, layers = $3, shadows = $4, updated_at = $5 WHERE id = $6`,
			s.Name, s.TimeZone, string(layers), string(shadows), micros(tx.now), s.ID)
		return conflictAs(err, "update schedule", "a schedule named %q exists already", in.Name)
	})
	return s, err
}

// Schedule reads a schedule by id or name, with the overrides that end
// after since (all of them when since is zero).
func (db *ScheduleService) Schedule(ctx context.Context, ref string, since time.Time) (*herald.Schedule, error) {
	var s *herald.Schedule
	err := db.read(ctx, func(tx *tx) (err error) {
		s, err = tx.schedule(ctx, ref, since)
		return err
	})
	return s, err
}

func (tx *tx) schedule(ctx context.Context, ref string, since time.Time) (*herald.Schedule, error) {
	s := &herald.Schedule{}
	var layers, shadows string
	var created, updated int64
	err := tx.QueryRowContext(ctx, `SELECT id, name, time_zone, layers, shadows, created_at, updated_at FROM schedules WHERE id = $1 OR name = $1`,
		strings.TrimSpace(ref)).Scan(&s.ID, &s.Name, &s.TimeZone, &layers, &shadows, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no schedule %q", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("read schedule: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(layers), &s.Layers); err != nil {
		return nil, fmt.Errorf("decode layers: %w", err)
	}
	if err := json.Unmarshal([]byte(shadows), &s.Shadows); err != nil {
		return nil, fmt.Errorf("decode shadows: %w", err)
	}
	// A swap's override says so, with the offer that made it (shiftoffers.go).
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.user_id, o.start_at, o.end_at, COALESCE(f.id, ''), COALESCE(f.offered_by, ''), COALESCE(f.taken_at, 0)
		FROM schedule_overrides o LEFT JOIN shift_offers f ON f.override_id = o.id WHERE o.schedule_id = $1 AND o.end_at > $2 ORDER BY o.start_at`,
		s.ID, micros(since))
	if err != nil {
		return nil, fmt.Errorf("read overrides: %w", err)
	}
	defer rows.Close()
	s.Overrides = []herald.Override{}
	for rows.Next() {
		var o herald.Override
		var from, to, taken int64
		var offer, offeredBy string
		if err := rows.Scan(&o.ID, &o.UserID, &from, &to, &offer, &offeredBy, &taken); err != nil {
			return nil, fmt.Errorf("read overrides: %w", err)
		}
		o.Start, o.End = fromMicros(from), fromMicros(to)
		if offer != "" {
			o.Swap = &herald.OverrideSwap{OfferID: offer, OfferedBy: offeredBy, TakenAt: fromMicros(taken)}
		}
		s.Overrides = append(s.Overrides, o)
	}
	return s, rows.Err()
}

// Schedules lists every schedule by name.
func (db *ScheduleService) Schedules(ctx context.Context) ([]*herald.Schedule, error) {
	var out []*herald.Schedule
	err := db.read(ctx, func(tx *tx) (err error) {
		out, err = tx.schedules(ctx)
		return err
	})
	return out, err
}

// schedules reads every schedule by name, as of now.
func (tx *tx) schedules(ctx context.Context) ([]*herald.Schedule, error) {
	ids, err := tx.ids(ctx, "list schedules", `SELECT id FROM schedules ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := []*herald.Schedule{}
	for _, id := range ids {
		s, err := tx.schedule(ctx, id, tx.now)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// AddOverride puts a user on call above every layer for a window.
func (db *ScheduleService) AddOverride(ctx context.Context, actor herald.Actor, ref string, in herald.OverrideInput) (herald.Override, error) {
	var o herald.Override
	err := db.write(ctx, func(tx *tx) error {
		s, err := tx.schedule(ctx, ref, tx.now)
		if err != nil {
			return err
		}
		fe := herald.FieldErrors{}
		if in.Start.IsZero() || in.End.IsZero() || !in.End.After(in.Start) {
			fe.Add("end", "start and end are required (RFC 3339), end after start")
		} else {
			herald.CheckTimeRange(fe, "start", in.Start)
			herald.CheckTimeRange(fe, "end", in.End)
			if !in.End.After(tx.now) {
				fe.Add("end", "the window has already ended")
			}
		}
		users := tx.resolveUsers(ctx, "user", []string{in.User}, fe)
		if err := fe.Err(); err != nil {
			return err
		}
		o = herald.Override{ID: newID(), UserID: users[0], Start: in.Start.UTC(), End: in.End.UTC()}
		_, err = tx.ExecContext(ctx, `INSERT INTO schedule_overrides (id, schedule_id, user_id, start_at, end_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			o.ID, s.ID, o.UserID, micros(o.Start), micros(o.End), actor.User.Name, micros(tx.now))
		if err != nil {
			return fmt.Errorf("insert override: %w", err)
		}
		return nil
	})
	return o, err
}

// DeleteOverride removes an override.
func (db *ScheduleService) DeleteOverride(ctx context.Context, ref, id string) error {
	return db.write(ctx, func(tx *tx) error {
		s, err := tx.schedule(ctx, ref, time.Time{})
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM schedule_overrides WHERE id = $1 AND schedule_id = $2`, id, s.ID)
		if err != nil {
			return fmt.Errorf("delete override: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "no override %q on %s", id, s.Name)
		}
		return nil
	})
}

// Now is the store's clock, for callers that answer "who is on call now".
func (db *DB) Now() time.Time { return db.clock.Now().UTC() }
