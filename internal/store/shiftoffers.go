package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Shift offers and swaps (oncallswap.go): the person on call offers a
// window of their shift; anyone else with the responder role may take it
// (not only the people of the schedule's rotations: a swap is between two
// people who agreed, and the rotation lists are often out of date). Taking
// is one conditional update of the open row, so of two takers at once one
// wins: on PostgreSQL the second waits for the first's commit and then
// finds the offer taken; on SQLite the write gate runs them one after the
// other.

const offerColumns = `f.id, f.schedule_id, s.name, f.offered_by, ou.name, f.start_at, f.end_at, f.note, f.status, f.created_at,
	COALESCE(f.taken_by, ''), COALESCE(tu.name, ''), f.taken_at, COALESCE(f.override_id, ''), f.withdrawn_at`

const offerFrom = ` FROM shift_offers f JOIN schedules s ON s.id = f.schedule_id JOIN users ou ON ou.id = f.offered_by
	LEFT JOIN users tu ON tu.id = f.taken_by`

func (tx *tx) scanOffer(row interface{ Scan(...any) error }) (herald.ShiftOffer, error) {
	var o herald.ShiftOffer
	var start, end, created int64
	var taken, withdrawn sql.NullInt64
	err := row.Scan(&o.ID, &o.ScheduleID, &o.ScheduleName, &o.OfferedBy, &o.OfferedByName, &start, &end, &o.Note, &o.Status, &created,
		&o.TakenBy, &o.TakenByName, &taken, &o.OverrideID, &withdrawn)
	if err != nil {
		return o, err
	}
	o.Start, o.End, o.CreatedAt = fromMicros(start), fromMicros(end), fromMicros(created)
	if taken.Valid {
		t := fromMicros(taken.Int64)
		o.TakenAt = &t
	}
	if withdrawn.Valid {
		t := fromMicros(withdrawn.Int64)
		o.WithdrawnAt = &t
	}
	if o.Status == herald.OfferOpen && !o.End.After(tx.now) {
		o.Status = herald.OfferExpired
	}
	return o, nil
}

func (tx *tx) shiftOffer(ctx context.Context, id string) (herald.ShiftOffer, error) {
	o, err := tx.scanOffer(tx.QueryRowContext(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.id = $1`, strings.TrimSpace(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return o, herald.Errorf(herald.ENotFound, "no shift offer %q", id)
	}
	if err != nil {
		return o, fmt.Errorf("read shift offer: %w", err)
	}
	return o, nil
}

// windowRefused is the refusal of a window the offerer does not hold.
func windowRefused(schedule string, start, end time.Time) error {
	msg := fmt.Sprintf("you are not on call on %s for the whole window %s to %s", schedule,
		start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	return &herald.Error{Code: herald.EUnprocessable, Message: "the window must lie inside one of your shifts: " + msg,
		Fields: map[string]string{"start": "must lie inside one of your shifts on " + schedule, "end": "must lie inside one of your shifts on " + schedule}}
}

// OfferShift offers a window of the actor's shift on a schedule. A window
// that has begun is offered from now.
func (db *ScheduleService) OfferShift(ctx context.Context, actor herald.Actor, ref string, in herald.ShiftOfferInput) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	err := db.write(ctx, func(tx *tx) error {
		s, err := tx.schedule(ctx, ref, tx.now)
		if err != nil {
			return err
		}
		if err := in.Normalize(tx.now); err != nil {
			return err
		}
		if in.Start.Before(tx.now) {
			in.Start = tx.now
		}
		shifts, err := s.Shifts(in.Start, in.End)
		if err != nil {
			return err
		}
		if !herald.Holds(shifts, actor.User.ID, in.Start, in.End) {
			return windowRefused(s.Name, in.Start, in.End)
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT id FROM shift_offers WHERE schedule_id = $1 AND offered_by = $2 AND status = 'open'
			AND start_at < $3 AND end_at > $4 AND end_at > $5`, s.ID, actor.User.ID, micros(in.End), micros(in.Start), micros(tx.now)).Scan(&other)
		if err == nil {
			return herald.Errorf(herald.EConflict, "you already offer part of this window (offer %s); withdraw it first", other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read open offers: %w", err)
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO shift_offers (id, schedule_id, offered_by, start_at, end_at, note, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)`, id, s.ID, actor.User.ID, micros(in.Start), micros(in.End), in.Note, micros(tx.now)); err != nil {
			return fmt.Errorf("insert shift offer: %w", err)
		}
		out, err = tx.shiftOffer(ctx, id)
		return err
	})
	return out, err
}

// ShiftOffers lists shift offers by start.
func (db *ScheduleService) ShiftOffers(ctx context.Context, f herald.ShiftOfferFilter) ([]herald.ShiftOffer, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	out := []herald.ShiftOffer{}
	err := db.read(ctx, func(tx *tx) error {
		where, args := []string{"1 = 1"}, []any{}
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		if f.Schedule != "" {
			s, err := tx.schedule(ctx, f.Schedule, tx.now)
			if err != nil {
				return err
			}
			where = append(where, "f.schedule_id = "+arg(s.ID))
		}
		switch herald.ShiftOfferStatus(f.Status) {
		case herald.OfferOpen:
			where = append(where, "f.status = 'open' AND f.end_at > "+arg(micros(tx.now)))
		case herald.OfferExpired:
			where = append(where, "f.status = 'open' AND f.end_at <= "+arg(micros(tx.now)))
		case herald.OfferTaken, herald.OfferWithdrawn:
			where = append(where, "f.status = "+arg(f.Status))
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+offerColumns+offerFrom+` WHERE `+strings.Join(where, " AND ")+
			` ORDER BY f.start_at, f.id LIMIT `+arg(f.Limit), args...)
		if err != nil {
			return fmt.Errorf("list shift offers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := tx.scanOffer(rows)
			if err != nil {
				return fmt.Errorf("list shift offers: %w", err)
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// ShiftOffer reads one shift offer.
func (db *ScheduleService) ShiftOffer(ctx context.Context, id string) (herald.ShiftOffer, error) {
	var o herald.ShiftOffer
	err := db.read(ctx, func(tx *tx) (err error) {
		o, err = tx.shiftOffer(ctx, id)
		return err
	})
	return o, err
}

// offerClosed is the refusal of an offer that is no longer open.
func offerClosed(o herald.ShiftOffer) error {
	switch o.Status {
	case herald.OfferTaken:
		return herald.Errorf(herald.EConflict, "the offer was taken already by %s", o.TakenByName)
	case herald.OfferWithdrawn:
		return herald.Errorf(herald.EConflict, "the offer was withdrawn")
	}
	return herald.Errorf(herald.EConflict, "the offer has expired: its window ended at %s", o.End.UTC().Format(time.RFC3339))
}

// TakeShiftOffer puts the actor on call for an open offer's window (from
// now, if it has begun) through an override, cuts the window out of the
// offerer's own overrides (an override of theirs would otherwise still win
// there), records who took it and when, and tells the offerer.
func (db *ScheduleService) TakeShiftOffer(ctx context.Context, actor herald.Actor, id string) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	err := db.write(ctx, func(tx *tx) error {
		o, err := tx.shiftOffer(ctx, id)
		if err != nil {
			return err
		}
		if o.OfferedBy == actor.User.ID {
			return &herald.Error{Code: herald.EUnprocessable, Message: "you cannot take your own offer; withdraw it instead",
				Fields: map[string]string{"id": "is your own offer"}}
		}
		if o.Status != herald.OfferOpen {
			return offerClosed(o)
		}
		start := o.Start
		if start.Before(tx.now) {
			start = tx.now
		}
		ovID := newID()
		// The claim: only one transaction finds the row open.
		res, err := tx.ExecContext(ctx, `UPDATE shift_offers SET status = 'taken', taken_by = $1, taken_at = $2, override_id = $3
			WHERE id = $4 AND status = 'open' AND end_at > $2`, actor.User.ID, micros(tx.now), ovID, o.ID)
		if err != nil {
			return fmt.Errorf("take shift offer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if o, err = tx.shiftOffer(ctx, id); err != nil {
				return err
			}
			return offerClosed(o)
		}
		s, err := tx.schedule(ctx, o.ScheduleID, tx.now)
		if err != nil {
			return err
		}
		shifts, err := s.Shifts(start, o.End)
		if err != nil {
			return err
		}
		if !herald.Holds(shifts, o.OfferedBy, start, o.End) {
			return herald.Errorf(herald.EConflict, "the schedule changed since the offer: %s is no longer on call for the whole window; ask them to offer it again", o.OfferedByName)
		}
		if err := tx.cutOverrides(ctx, s, o.OfferedBy, start, o.End); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schedule_overrides (id, schedule_id, user_id, start_at, end_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ovID, s.ID, actor.User.ID, micros(start), micros(o.End), actor.User.Name+" (took the shift "+o.OfferedByName+" offered)", micros(tx.now)); err != nil {
			return fmt.Errorf("insert override: %w", err)
		}
		url := tx.db.links.Console() + "/oncall/offers" // the console's offers screen (internal/console/offers.go)
		notice := herald.ShiftTakenNotice(s.Name, actor.User.Name, start, o.End, url)
		if _, _, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptShiftTaken, Occurrence: o.ID, Notice: notice}, o.OfferedBy); err != nil {
			return err
		}
		out, err = tx.shiftOffer(ctx, o.ID)
		return err
	})
	return out, err
}

// cutOverrides removes [start, end) from the overrides of user on s: an
// override keeps its id for the part before the window (or else after it),
// and a part after the window of one that spans it is a new override.
func (tx *tx) cutOverrides(ctx context.Context, s *herald.Schedule, user string, start, end time.Time) error {
	for _, ov := range s.Overrides {
		if ov.UserID != user || !ov.Start.Before(end) || !ov.End.After(start) {
			continue
		}
		before := ov.Start.Before(start)
		after := ov.End.After(end)
		var err error
		switch {
		case before:
			_, err = tx.ExecContext(ctx, `UPDATE schedule_overrides SET end_at = $1 WHERE id = $2`, micros(start), ov.ID)
			if err == nil && after {
				var by string
				var at int64
				if err = tx.QueryRowContext(ctx, `SELECT created_by, created_at FROM schedule_overrides WHERE id = $1`, ov.ID).Scan(&by, &at); err == nil {
					_, err = tx.ExecContext(ctx, `INSERT INTO schedule_overrides (id, schedule_id, user_id, start_at, end_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
						newID(), s.ID, user, micros(end), micros(ov.End), by, at)
				}
			}
		case after:
			_, err = tx.ExecContext(ctx, `UPDATE schedule_overrides SET start_at = $1 WHERE id = $2`, micros(end), ov.ID)
		default:
			_, err = tx.ExecContext(ctx, `DELETE FROM schedule_overrides WHERE id = $1`, ov.ID)
		}
		if err != nil {
			return fmt.Errorf("cut override: %w", err)
		}
	}
	return nil
}

// WithdrawShiftOffer withdraws an open offer; only its offerer or an admin
// may.
func (db *ScheduleService) WithdrawShiftOffer(ctx context.Context, actor herald.Actor, id string) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	err := db.write(ctx, func(tx *tx) error {
		o, err := tx.shiftOffer(ctx, id)
		if err != nil {
			return err
		}
		if o.OfferedBy != actor.User.ID && !actor.Role.Allows(herald.RoleAdmin) {
			return herald.Errorf(herald.EForbidden, "only %s (who offered it) or an admin may withdraw this offer", o.OfferedByName)
		}
		if o.Status != herald.OfferOpen {
			return offerClosed(o)
		}
		res, err := tx.ExecContext(ctx, `UPDATE shift_offers SET status = 'withdrawn', withdrawn_at = $1 WHERE id = $2 AND status = 'open'`, micros(tx.now), o.ID)
		if err != nil {
			return fmt.Errorf("withdraw shift offer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if o, err = tx.shiftOffer(ctx, id); err != nil {
				return err
			}
			return offerClosed(o)
		}
		out, err = tx.shiftOffer(ctx, o.ID)
		return err
	})
	return out, err
}
