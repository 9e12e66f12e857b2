package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// remindUpdates reminds the communications role of the next public update
// of every open status incident of an incident (R13): before it is due, at
// the due time, and every interval while it is overdue, the incident lead
// too once it is long overdue. A reminder is made once per stage of each
// due time: publishing an update (or announcing the next one) moves the
// due time, and the reminders of the old one no longer go (updateStillDue).
func (tx *tx) remindUpdates(ctx context.Context, s herald.Settings) error {
	u := s.Playbook.Updates
	if u.Off {
		return nil
	}
	type due struct {
		statusID, incidentID string
		due, last            time.Time
	}
	var list []due
	rows, err := tx.QueryContext(ctx, `SELECT si.id, si.incident_id, si.next_update_due,
		COALESCE((SELECT max(su.created_at) FROM status_updates su WHERE su.status_incident_id = si.id), si.created_at)
		FROM status_incidents si WHERE si.resolved_at IS NULL AND si.incident_id IS NOT NULL
		AND si.next_update_due IS NOT NULL AND si.next_update_due <= $1`, micros(tx.now.Add(time.Duration(u.Before))))
	if err != nil {
		return fmt.Errorf("read due updates: %w", err)
	}
	for rows.Next() {
		var d due
		var at, last int64
		if err := rows.Scan(&d.statusID, &d.incidentID, &at, &last); err != nil {
			rows.Close()
			return err
		}
		d.due, d.last = fromMicros(at), fromMicros(last)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range list {
		stage, n, withLead, ok := u.At(tx.now, d.due, d.due.Sub(d.last))
		if !ok {
			continue
		}
		inc, err := tx.incident(ctx, d.incidentID)
		if err != nil {
			return err
		}
		if inc.State == herald.Resolved {
			continue
		}
		// The link publishes "no material updates" in one action (R15).
		notice := herald.UpdateDueNotice(inc.Reference, inc.Title, stage, d.due, tx.now, tx.db.links.NoMaterialUpdates(inc.Reference))
		if err := tx.remindOfUpdate(ctx, inc, herald.PromptUpdateDue, stage, n, withLead, d.due, notice); err != nil {
			return err
		}
		if err := tx.remindInChannels(ctx, inc, stage, d.due); err != nil {
			return err
		}
	}
	return nil
}

// remindOfUpdate prompts whoever answers for an update due at due (see
// remindee), the incident lead too when withLead, once per stage and
// number n of the due time; the due and overdue reminders go on the
// timeline with whom they reached.
func (tx *tx) remindOfUpdate(ctx context.Context, inc *herald.Incident, kind, stage string, n int, withLead bool, due time.Time, notice herald.Notice) error {
	users := []string{remindee(inc)}
	if withLead {
		if l, ok := inc.Role(herald.RoleIncidentLead); ok {
			users = append(users, l.UserID)
		}
	}
	prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: kind, IncidentID: inc.ID, Occurrence: occurrenceAt(due, stage, fmt.Sprint(n)), Notice: notice}, users...)
	if err != nil {
		return err
	}
	if stage == herald.UpdateDueSoon || len(prompted)+len(unreachable) == 0 {
		return nil // the early reminder is not news on the timeline
	}
	text := notice.Subject
	if len(prompted) > 0 {
		text += "; reminded " + strings.Join(prompted, ", ")
	}
	if len(unreachable) > 0 {
		text += "; could not remind " + strings.Join(unreachable, ", ") + " (no usable contact method)"
	}
	data := map[string]any{"prompt": kind, "stage": stage, "due_at": due}
	return tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryPrompt, text, data)
}

// remindee is who is reminded of an update: the communications role, or
// when nobody holds it the incident lead, or else the engineer on call
// (whoever is left answers for the public face). Empty when nobody does.
func remindee(inc *herald.Incident) string {
	for _, role := range []string{herald.RoleCommunications, herald.RoleIncidentLead, herald.RoleEngineerOnCall} {
		if a, ok := inc.Role(role); ok {
			return a.UserID
		}
	}
	return ""
}

// updateStillDue reports whether the update a reminder was made for is
// still owed: its status incident is open and still due at that time.
func (tx *tx) updateStillDue(ctx context.Context, incidentID, occurrence string) (bool, error) {
	at, err := occurrenceTime(occurrence)
	if err != nil {
		return false, nil // a key this release does not read: do not send it
	}
	var due sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT next_update_due FROM status_incidents WHERE incident_id = $1 AND resolved_at IS NULL`, incidentID).Scan(&due)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return due.Valid && due.Int64 == micros(at), nil
}
