package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// remindReviews is R54's playbook rule: the incident lead is reminded of a
// review not completed yet, before its due time and at it (settings
// playbook.review_reminders.before), and a follow-up's owner is told once
// when theirs becomes overdue. Each reminder is a prompt made once per
// review, due time and lead time (or follow-up, due date and owner), so
// the rule may run again at once and on every instance.
func (tx *tx) remindReviews(ctx context.Context, s herald.Settings) error {
	r := s.Playbook.Reviews
	if r.Off {
		return nil
	}
	if err := tx.remindReviewsDue(ctx, r); err != nil {
		return err
	}
	if r.FollowUpOwners {
		return tx.remindFollowUpOwners(ctx)
	}
	return nil
}

func (tx *tx) remindReviewsDue(ctx context.Context, r herald.ReviewReminders) error {
	if len(r.Before) == 0 {
		return nil
	}
	type due struct {
		incidentID, kind string
		at               time.Time
	}
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, kind, due_at FROM reviews
		WHERE completed_at IS NULL AND due_at <= $1 AND due_at > $2 ORDER BY due_at, incident_id, kind`,
		micros(tx.now.Add(r.Earliest())), micros(tx.now.Add(-herald.ReviewReminderGrace)))
	if err != nil {
		return fmt.Errorf("read reviews due: %w", err)
	}
	var list []due
	for rows.Next() {
		var d due
		var at int64
		if err := rows.Scan(&d.incidentID, &d.kind, &at); err != nil {
			rows.Close()
			return err
		}
		d.at = fromMicros(at)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range list {
		before, ok := r.At(tx.now, d.at)
		if !ok {
			continue
		}
		inc, err := tx.incident(ctx, d.incidentID)
		if err != nil {
			return err
		}
		lead := reviewRemindee(inc)
		if lead == "" {
			continue // nobody to remind: the review list still shows it due
		}
		notice := herald.ReviewDueNotice(inc.Reference, inc.Title, d.kind, d.at, tx.now, tx.db.links.Incident(inc.Reference))
		spec := promptSpec{Kind: herald.PromptReviewDue, IncidentID: inc.ID, Occurrence: occurrenceAt(d.at, d.kind, before.String()), Notice: notice}
		prompted, unreachable, err := tx.prompt(ctx, spec, lead)
		if err != nil {
			return err
		}
		data := map[string]any{"prompt": herald.PromptReviewDue, "kind": d.kind, "due_at": d.at, "before": before.String()}
		if err := tx.promptEntry(ctx, inc.ID, notice.Subject, prompted, unreachable, data); err != nil {
			return err
		}
	}
	return nil
}

// reviewRemindee is who is reminded of a review: the incident lead, or the
// engineer on call when nobody led (as for R10's decision); empty when
// neither role is held.
func reviewRemindee(inc *herald.Incident) string {
	for _, role := range []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall} {
		if a, ok := inc.Role(role); ok {
			return a.UserID
		}
	}
	return ""
}

// remindFollowUpOwners tells each owner (a user) of a follow-up that became
// overdue, once per due date and owner, within FollowUpReminderWindow days.
func (tx *tx) remindFollowUpOwners(ctx context.Context) error {
	today := tx.now.UTC().Format(time.DateOnly)
	since := tx.now.UTC().AddDate(0, 0, -herald.FollowUpReminderWindow).Format(time.DateOnly)
	rows, err := tx.QueryContext(ctx, `SELECT id, incident_id, title, due_date, owner_id FROM follow_ups
		WHERE done = $1 AND owner_id IS NOT NULL AND due_date <> '' AND due_date < $2 AND due_date >= $3 ORDER BY due_date, id`,
		false, today, since)
	if err != nil {
		return fmt.Errorf("read overdue follow-ups: %w", err)
	}
	type overdue struct{ id, incidentID, title, due, owner string }
	var list []overdue
	for rows.Next() {
		var o overdue
		if err := rows.Scan(&o.id, &o.incidentID, &o.title, &o.due, &o.owner); err != nil {
			rows.Close()
			return err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range list {
		inc, err := tx.incident(ctx, o.incidentID)
		if err != nil {
			return err
		}
		notice := herald.FollowUpOverdueNotice(inc.Reference, o.title, o.due, tx.db.links.Incident(inc.Reference))
		spec := promptSpec{Kind: herald.PromptFollowUpOverdue, IncidentID: inc.ID, Occurrence: o.id + "/" + o.due + "/" + o.owner, Notice: notice}
		prompted, unreachable, err := tx.prompt(ctx, spec, o.owner)
		if err != nil {
			return err
		}
		data := map[string]any{"prompt": herald.PromptFollowUpOverdue, "follow_up": o.id, "due_date": o.due}
		if err := tx.promptEntry(ctx, inc.ID, notice.Subject, prompted, unreachable, data); err != nil {
			return err
		}
	}
	return nil
}

// promptEntry records on the timeline whom a prompt reached, when it
// reached or missed anyone new.
func (tx *tx) promptEntry(ctx context.Context, incidentID, subject string, prompted, unreachable []string, data any) error {
	if len(prompted)+len(unreachable) == 0 {
		return nil
	}
	text := subject
	if len(prompted) > 0 {
		text += "; reminded " + strings.Join(prompted, ", ")
	}
	if len(unreachable) > 0 {
		text += "; could not remind " + strings.Join(unreachable, ", ") + " (no usable contact method)"
	}
	return tx.appendEntry(ctx, incidentID, herald.Actor{}, herald.EntryPrompt, text, data)
}

// reviewStillDue reports whether the review a reminder is about is still
// not completed, at the same due time.
func (tx *tx) reviewStillDue(ctx context.Context, incidentID, occurrence string) (bool, error) {
	at, err := occurrenceTime(occurrence)
	parts := strings.Split(occurrence, "/")
	if err != nil || len(parts) < 2 {
		return false, nil // a key this release does not read: do not send it
	}
	var due int64
	var done sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT due_at, completed_at FROM reviews WHERE incident_id = $1 AND kind = $2`, incidentID, parts[1]).Scan(&due, &done)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !done.Valid && due == micros(at), nil
}

// followUpStillOverdue reports whether a follow-up is still open, with the
// same due date and owner as when its owner was told.
func (tx *tx) followUpStillOverdue(ctx context.Context, incidentID, occurrence string) (bool, error) {
	parts := strings.Split(occurrence, "/")
	if len(parts) != 3 {
		return false, nil
	}
	var done bool
	var due string
	var owner sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT done, due_date, owner_id FROM follow_ups WHERE id = $1 AND incident_id = $2`, parts[0], incidentID).Scan(&done, &due, &owner)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !done && due == parts[1] && owner.String == parts[2], nil
}
