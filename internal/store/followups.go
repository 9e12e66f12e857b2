package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

const followUpColumns = `id, incident_id, title, owner, due_date, link, done, created_at, done_at`

// followUpSelect reads follow-ups (as f) with their owner's user id and the
// incident's reference, for scanFollowUp.
const followUpSelect = `f.id, f.incident_id, f.title, f.owner, f.due_date, f.link, f.done, f.created_at, f.done_at, COALESCE(f.owner_id, ''), i.reference
	FROM follow_ups f JOIN incidents i ON i.id = f.incident_id`

func scanFollowUp(row interface{ Scan(...any) error }) (herald.FollowUp, error) {
	var f herald.FollowUp
	var created int64
	var doneAt sql.NullInt64
	err := row.Scan(&f.ID, &f.IncidentID, &f.Title, &f.Owner, &f.DueDate, &f.Link, &f.Done, &created, &doneAt, &f.OwnerID, &f.IncidentReference)
	f.CreatedAt, f.DoneAt = fromMicros(created), fromNullMicros(doneAt)
	return f, err
}

// followUpOwner resolves a follow-up's owner: a user's id or e-mail names
// that user (reminders reach them) and shows their name; other text is a
// name kept as typed. An e-mail address that is no user's is refused, since
// it looks like a person Herald could reach and is not.
func (tx *tx) followUpOwner(ctx context.Context, owner string) (name, userID string, err error) {
	if owner == "" {
		return "", "", nil
	}
	u, err := tx.user(ctx, owner)
	if err == nil {
		return u.Name, u.ID, nil
	}
	if herald.ErrorCode(err) != herald.ENotFound {
		return "", "", err
	}
	if strings.Contains(owner, "@") {
		return "", "", &herald.Error{Code: herald.EInvalid, Message: "owner " + owner + " is no user: add them as a user, or give a name",
			Fields: map[string]string{"owner": "no user has this e-mail address"}}
	}
	return owner, "", nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// AddFollowUp tracks a corrective action on an incident (R54).
func (db *IncidentService) AddFollowUp(ctx context.Context, actor herald.Actor, ref string, in herald.FollowUpInput) (herald.FollowUp, error) {
	if err := in.Normalize(true); err != nil {
		return herald.FollowUp{}, err
	}
	var f herald.FollowUp
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		f = herald.FollowUp{ID: newID(), IncidentID: inc.ID, IncidentReference: inc.Reference, Title: *in.Title, DueDate: deref(in.DueDate),
			Link: deref(in.Link), Done: in.Done != nil && *in.Done, CreatedAt: tx.now}
		if f.Owner, f.OwnerID, err = tx.followUpOwner(ctx, deref(in.Owner)); err != nil {
			return err
		}
		if f.Done {
			f.DoneAt = &tx.now
		}
		f.Overdue = f.IsOverdue(tx.now)
		_, err = tx.ExecContext(ctx, `INSERT INTO follow_ups (`+followUpColumns+`, owner_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			f.ID, f.IncidentID, f.Title, f.Owner, f.DueDate, f.Link, f.Done, micros(f.CreatedAt), nullMicros(f.DoneAt), nullString(f.OwnerID))
		if err != nil {
			return fmt.Errorf("insert follow-up: %w", err)
		}
		text := "Follow-up added: " + f.Title
		if f.Owner != "" {
			text += " (owner " + f.Owner + ")"
		}
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryFollowUp, text, f); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return f, err
}

// UpdateFollowUp changes a follow-up, for example marks it done.
func (db *IncidentService) UpdateFollowUp(ctx context.Context, actor herald.Actor, ref, id string, in herald.FollowUpInput) (herald.FollowUp, error) {
	if err := in.Normalize(false); err != nil {
		return herald.FollowUp{}, err
	}
	var f herald.FollowUp
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		f, err = scanFollowUp(tx.QueryRowContext(ctx, `SELECT `+followUpSelect+` WHERE f.id = $1 AND f.incident_id = $2`, id, inc.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "no follow-up %q on %s", id, inc.Reference)
		}
		if err != nil {
			return fmt.Errorf("read follow-up: %w", err)
		}
		var changes []string
		set := func(name string, p *string, dst *string) {
			if p != nil && *p != *dst {
				*dst = *p
				changes = append(changes, name)
			}
		}
		set("title", in.Title, &f.Title)
		if in.Owner != nil {
			name, userID, err := tx.followUpOwner(ctx, *in.Owner)
			if err != nil {
				return err
			}
			if name != f.Owner || userID != f.OwnerID {
				f.Owner, f.OwnerID = name, userID
				changes = append(changes, "owner")
			}
		}
		set("due date", in.DueDate, &f.DueDate)
		set("link", in.Link, &f.Link)
		if in.Done != nil && *in.Done != f.Done {
			f.Done = *in.Done
			f.DoneAt = nil
			if f.Done {
				f.DoneAt = &tx.now
				changes = append(changes, "done")
			} else {
				changes = append(changes, "reopened")
			}
		}
		if len(changes) == 0 {
			return herald.Errorf(herald.EUnprocessable, "nothing changed: the follow-up already has those values")
		}
		f.Overdue = f.IsOverdue(tx.now)
		_, err = tx.ExecContext(ctx, `UPDATE follow_ups SET title = $1, owner = $2, due_date = $3, link = $4, done = $5, done_at = $6, owner_id = $7 WHERE id = $8`,
			f.Title, f.Owner, f.DueDate, f.Link, f.Done, nullMicros(f.DoneAt), nullString(f.OwnerID), f.ID)
		if err != nil {
			return fmt.Errorf("update follow-up: %w", err)
		}
		text := fmt.Sprintf("Follow-up %q: %s", f.Title, strings.Join(changes, ", "))
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryFollowUp, text, f); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return f, err
}

// FollowUps lists an incident's follow-ups in the order they were added.
func (db *IncidentService) FollowUps(ctx context.Context, ref string) ([]herald.FollowUp, error) {
	var out []herald.FollowUp
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.followUps(ctx, inc.ID)
		return err
	})
	return out, err
}

func (tx *tx) followUps(ctx context.Context, incidentID string) ([]herald.FollowUp, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+followUpSelect+` WHERE f.incident_id = $1 ORDER BY f.created_at, f.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list follow-ups: %w", err)
	}
	defer rows.Close()
	out := []herald.FollowUp{}
	for rows.Next() {
		f, err := scanFollowUp(rows)
		if err != nil {
			return nil, fmt.Errorf("list follow-ups: %w", err)
		}
		f.Overdue = f.IsOverdue(tx.now)
		out = append(out, f)
	}
	return out, rows.Err()
}
