package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The cadence beyond the public updates: "no material updates" in one
// action (R15), and the internal cadence: updates to the internal
// stakeholder channels every interval of the incident's severity, with
// the communications role reminded as for public updates.

// NoMaterialUpdates publishes "no material updates" (R15) on the open
// status incident of an incident: the template of that name with the same
// state and components, through the one publishing path, so the cadence is
// kept and the timeline records it.
func (db *StatusPageService) NoMaterialUpdates(ctx context.Context, actor herald.Actor, ref string, dryRun bool) (herald.Preview, error) {
	var p herald.Preview
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		if inc.StatusIncidentID == "" {
			return herald.Errorf(herald.EUnprocessable, "%s has no open status page incident: there is no public update to keep", inc.Reference)
		}
		s, err := tx.statusIncident(ctx, inc.StatusIncidentID)
		if err != nil {
			return err
		}
		in := herald.StatusUpdateInput{Status: s.Status, Template: herald.TemplateNoMaterialUpdates}
		if err := in.Normalize(); err != nil {
			return err
		}
		if p, err = tx.publish(ctx, actor, s, in, false, inc, dryRun); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return p, err
}

// SendInternalUpdate sends an update about an incident to the internal
// stakeholder channels (those of R19, never the public subscribers),
// records it, and says so on the timeline. The next internal update is due
// an interval after it.
func (db *SubscriberService) SendInternalUpdate(ctx context.Context, actor herald.Actor, ref string, in herald.InternalUpdateInput) (herald.InternalUpdate, error) {
	if err := in.Normalize(); err != nil {
		return herald.InternalUpdate{}, err
	}
	var u herald.InternalUpdate
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		var channels int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE internal = $1 AND unsubscribed_at IS NULL`, true).Scan(&channels); err != nil {
			return fmt.Errorf("count stakeholder channels: %w", err)
		}
		if channels == 0 {
			return herald.Errorf(herald.EUnprocessable, "there is no stakeholder channel to send it to; an admin adds one (POST /api/v1/stakeholder-channels)")
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		notice := herald.InternalUpdateNotice(settings.Page.Name, inc, in.Body, tx.db.links.Incident(inc.Reference), tx.statusPageLink(ctx, inc))
		if err := tx.broadcastAbout(ctx, inc.ID, notice, nil, nil, "", ""); err != nil {
			return err
		}
		if u, err = tx.recordInternalUpdate(ctx, actor, inc, herald.InternalUpdateKind, in.Body); err != nil {
			return err
		}
		text := "Internal update sent to the stakeholder channels: " + in.Body
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, text,
			map[string]any{"internal_update_id": u.ID, "stakeholder_notice": true})
	})
	return u, err
}

// statusPageLink is the incident's status incident on the public page, or
// the page itself when it has none.
func (tx *tx) statusPageLink(ctx context.Context, inc *herald.Incident) string {
	var sid string
	if tx.QueryRowContext(ctx, `SELECT id FROM status_incidents WHERE incident_id = $1 ORDER BY created_at DESC LIMIT 1`, inc.ID).Scan(&sid) == nil {
		return tx.db.links.StatusIncident(sid)
	}
	return tx.db.links.Home()
}

// recordInternalUpdate keeps a stakeholder notice or internal update: the
// internal cadence counts from the latest.
func (tx *tx) recordInternalUpdate(ctx context.Context, actor herald.Actor, inc *herald.Incident, kind, body string) (herald.InternalUpdate, error) {
	u := herald.InternalUpdate{ID: newID(), IncidentID: inc.ID, Kind: kind, Body: body, Actor: actor.User.Name, CreatedAt: tx.now}
	_, err := tx.ExecContext(ctx, `INSERT INTO internal_updates (id, incident_id, kind, body, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.IncidentID, u.Kind, u.Body, u.Actor, micros(tx.now))
	if err != nil {
		return u, fmt.Errorf("record internal update: %w", err)
	}
	return u, nil
}

// InternalUpdates lists an incident's stakeholder notices and internal
// updates, oldest first.
func (db *SubscriberService) InternalUpdates(ctx context.Context, ref string) ([]herald.InternalUpdate, error) {
	out := []herald.InternalUpdate{}
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, body, actor, created_at FROM internal_updates WHERE incident_id = $1 ORDER BY created_at, id`, inc.ID)
		if err != nil {
			return fmt.Errorf("read internal updates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u := herald.InternalUpdate{IncidentID: inc.ID}
			var at int64
			if err := rows.Scan(&u.ID, &u.Kind, &u.Body, &u.Actor, &at); err != nil {
				return err
			}
			u.CreatedAt = fromMicros(at)
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// fillInternalDue sets when each open incident's next internal update is
// due, and whether it is overdue: an interval of its severity after its
// latest stakeholder notice or internal update. The cadence starts with
// R19's notice (or a first internal update): before it, what is owed is
// that notice, which the severity decision sends.
func (tx *tx) fillInternalDue(ctx context.Context, byID map[string]*herald.Incident, in string, args []any) error {
	open := false
	for _, inc := range byID {
		open = open || inc.State != herald.Resolved
	}
	if !open {
		return nil
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	last := map[string]time.Time{}
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, max(created_at) FROM internal_updates WHERE incident_id IN (`+in+`) GROUP BY incident_id`, args...)
	if err != nil {
		return fmt.Errorf("read internal updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return fmt.Errorf("read internal updates: %w", err)
		}
		last[id] = fromMicros(at)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, inc := range byID {
		since, ok := last[id]
		if inc.State == herald.Resolved || !ok {
			continue
		}
		inc.NextInternalUpdateDue = settings.Playbook.Internal.Due(inc.Severity, since)
		inc.InternalUpdateOverdue = inc.NextInternalUpdateDue != nil && tx.now.After(*inc.NextInternalUpdateDue)
	}
	return nil
}

// remindInternalUpdates reminds the communications role of each open
// incident's next internal update, as remindUpdates does for public ones:
// before it is due, at the due time, every interval while overdue, and
// the incident lead too once it is long overdue. Sending an update moves
// the due time; reminders of the old one no longer go
// (internalUpdateStillDue).
func (tx *tx) remindInternalUpdates(ctx context.Context, s herald.Settings) error {
	iu := s.Playbook.Internal
	if iu.Reminders.Off {
		return nil
	}
	var sevs []any
	ph := []string{}
	for _, sev := range herald.Severities {
		if iu.IntervalFor(sev) > 0 {
			sevs = append(sevs, string(sev))
			ph = append(ph, fmt.Sprintf("$%d", len(sevs)+1))
		}
	}
	if len(sevs) == 0 {
		return nil
	}
	// Open incidents of a severity with an internal cadence: few, and the
	// state index finds them.
	ids, err := tx.ids(ctx, "read open incidents", `SELECT id FROM incidents WHERE state <> $1 AND severity IN (`+strings.Join(ph, ", ")+`) ORDER BY number`,
		append([]any{string(herald.Resolved)}, sevs...)...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		inc, err := tx.incident(ctx, id)
		if err != nil {
			return err
		}
		due := inc.NextInternalUpdateDue
		if due == nil {
			continue
		}
		stage, n, withLead, ok := iu.Reminders.At(tx.now, *due, iu.IntervalFor(inc.Severity))
		if !ok {
			continue
		}
		notice := herald.InternalUpdateDueNotice(inc.Reference, inc.Title, stage, *due, tx.now, tx.db.links.InternalUpdate(inc.Reference))
		if err := tx.remindOfUpdate(ctx, inc, herald.PromptInternalUpdateDue, stage, n, withLead, *due, notice); err != nil {
			return err
		}
	}
	return nil
}

// internalUpdateStillDue reports whether the internal update a reminder
// was made for is still owed: the incident is open and its next internal
// update is still due at that time.
func (tx *tx) internalUpdateStillDue(ctx context.Context, incidentID, occurrence string) (bool, error) {
	at, err := occurrenceTime(occurrence)
	if err != nil {
		return false, nil // a key this release does not read: do not send it
	}
	inc, err := tx.incident(ctx, incidentID)
	if herald.ErrorCode(err) == herald.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return inc.NextInternalUpdateDue != nil && inc.NextInternalUpdateDue.Equal(at), nil
}
