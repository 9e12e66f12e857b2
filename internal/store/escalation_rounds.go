package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// ackExpirySQL is when an acknowledgement made now ($1) ends: now plus the
// page's policy's ack_expiry, or NULL (never) when the policy has none.
// It is part of the acknowledging UPDATE, so acknowledging stays one
// statement.
const ackExpirySQL = `(SELECT CASE WHEN ep.ack_expiry_s > 0 THEN $1 + ep.ack_expiry_s * 1000000 END
	FROM services s JOIN escalation_policies ep ON ep.id = s.escalation_policy_id WHERE s.id = pages.service_id)`

// dueWake finds the earliest acknowledged page whose acknowledgement ends
// now (a snooze, or the policy's ack_expiry), or of one page only. On
// PostgreSQL the row is picked with SKIP LOCKED, as escalation steps are.
func (tx *tx) dueWake(ctx context.Context, only string) (pageID string, due int64, err error) {
	q := `SELECT id, next_escalation_at FROM pages WHERE status = 'acknowledged' AND next_escalation_at <= $1`
	args := []any{micros(tx.now)}
	if only != "" {
		q += ` AND id = $2`
		args = append(args, only)
	}
	err = tx.QueryRowContext(ctx, q+` ORDER BY next_escalation_at LIMIT 1`+tx.db.skipLocked(), args...).Scan(&pageID, &due)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("due acknowledgements: %w", err)
	}
	return pageID, due, nil
}

// wake triggers an acknowledged page again, in one conditional update:
// after a snooze escalation starts again from level 1; after an expired
// acknowledgement the level acknowledged is paged again. Either way it is
// a fresh escalation (a new round, with the policy's repeats), due now, so
// the loop's next step pages at once, and a crash between the two loses
// nothing.
func (tx *tx) wake(ctx context.Context, pageID string, due int64) error {
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return err
	}
	level := max(p.Level-1, -1)
	text := fmt.Sprintf("Acknowledgement by %s expired with the page unresolved: triggered again, level %d is paged again", p.AckedBy, max(p.Level, 0)+1)
	if p.SnoozedUntil != nil {
		level = -1
		text = fmt.Sprintf("Snooze by %s ended: triggered again, escalation starts again from level 1", p.AckedBy)
	}
	res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'triggered', acked_at = NULL, acked_by = '', snoozed_until = NULL,
		level = $1, loops = loops + 1, loop_base = loops + 1, next_escalation_at = $2, step_attempts = 0, step_error = ''
		WHERE id = $3 AND status = 'acknowledged' AND next_escalation_at = $4`, level, micros(tx.now), pageID, due)
	if err != nil {
		return fmt.Errorf("trigger again: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRaced
	}
	if err := tx.pageLog(ctx, pageID, "retriggered", text); err != nil {
		return err
	}
	if p.IncidentID == "" {
		return nil
	}
	return tx.appendEntry(ctx, p.IncidentID, herald.Actor{}, herald.EntryNote, "Page "+p.Summary+": "+text, map[string]any{"page_id": p.ID})
}

// SnoozePage acknowledges a page until a time (herald.SnoozeInput): it
// stops escalating, and when the snooze ends the escalation loop triggers
// it again and escalation starts again from level 1. A triggered page's
// snooze is its acknowledgement (the incident's timeline records it and
// its time to acknowledge); an acknowledged or snoozed page gets a new
// end. A shadow cannot snooze (R03), nor can anyone snooze a resolved page.
func (db *PagingService) SnoozePage(ctx context.Context, actor herald.Actor, id string, in herald.SnoozeInput) (*herald.Page, error) {
	err := db.writePaging(ctx, func(tx *tx) error {
		end, err := in.End(tx.now)
		if err != nil {
			return err
		}
		p, err := tx.page(ctx, id)
		if err != nil {
			return err
		}
		if p.Status == herald.PageResolved {
			return herald.Errorf(herald.EUnprocessable, "the page is resolved; there is nothing to snooze")
		}
		if err := tx.refuseShadow(ctx, p, actor, "snooze"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'acknowledged', acked_at = $1, acked_by = $2, snoozed_until = $3, next_escalation_at = $3
			WHERE id = $4 AND status = $5`, micros(tx.now), actor.User.Name, micros(end), p.ID, string(p.Status))
		if err != nil {
			return fmt.Errorf("snooze: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.EConflict, "the page changed meanwhile; look again")
		}
		if err := tx.pageLog(ctx, p.ID, "snoozed", fmt.Sprintf("Snoozed by %s until %s: acknowledged until then, then triggered again from level 1",
			actor.User.Name, end.UTC().Format("2006-01-02 15:04 UTC"))); err != nil {
			return err
		}
		if p.Status == herald.PageTriggered {
			return tx.incidentAck(ctx, actor, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}

// managers are the ids of every user marked as a manager: "all of
// management" (R07), by name.
func (tx *tx) managers(ctx context.Context) ([]string, error) {
	return tx.ids(ctx, "list managers", `SELECT id FROM users WHERE manager ORDER BY name, id`)
}

// colleague finds another engineer in the time zone of a schedule (R07,
// herald.Colleague): not whoever is on call on it now, and nobody the page
// notified already. gap is set when there is nobody.
func (tx *tx) colleague(ctx context.Context, pageID, scheduleID string) (id string, gap *gapNote, err error) {
	s, err := tx.schedule(ctx, scheduleID, tx.now)
	if herald.ErrorCode(err) == herald.ENotFound {
		return "", &gapNote{herald.GapNobodyOnCall, "schedule " + scheduleID + " does not exist"}, nil
	}
	if err != nil {
		return "", nil, err
	}
	all, err := tx.schedules(ctx)
	if err != nil {
		return "", nil, err
	}
	skip := map[string]bool{}
	if oc, ok := s.OnCallAt(tx.now); ok {
		skip[oc.UserID] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id FROM notifications WHERE page_id = $1 AND NOT shadow`, pageID)
	if err != nil {
		return "", nil, fmt.Errorf("read notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return "", nil, err
		}
		skip[u] = true
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	id, ok := herald.Colleague(s, all, tx.now, skip)
	if !ok {
		return "", &gapNote{herald.GapNobodyOnCall, "no other engineer in the time zone of " + s.Name + " (" + s.TimeZone + ")"}, nil
	}
	return id, nil, nil
}

// levelTargets adds the people a colleague or managers target reaches to
// a level's targets, and the gap when it reaches nobody.
func (tx *tx) levelTargets(ctx context.Context, pageID string, t herald.Target) ([]who, []gapNote, error) {
	switch t.Type {
	case herald.TargetManagers:
		ids, err := tx.managers(ctx)
		if err != nil {
			return nil, nil, err
		}
		if len(ids) == 0 {
			return nil, []gapNote{{herald.GapNobodyOnCall, "nobody is marked as a manager (management is paged as a group)"}}, nil
		}
		out := make([]who, len(ids))
		for i, id := range ids {
			out[i] = who{id, false}
		}
		return out, nil, nil
	case herald.TargetColleague:
		id, gap, err := tx.colleague(ctx, pageID, strings.TrimSpace(t.ID))
		if err != nil || gap != nil {
			return nil, gapsOf(gap), err
		}
		return []who{{id, false}}, nil, nil
	}
	return nil, nil, nil
}

func gapsOf(g *gapNote) []gapNote {
	if g == nil {
		return nil
	}
	return []gapNote{*g}
}

// doctorManagers counts the managers as people paging reaches when a
// policy pages all managers, and finds such a policy with nobody marked as
// a manager (its level reaches nobody).
func (tx *tx) doctorManagers(ctx context.Context, pol targets, pageable map[string]bool, add func(kind, severity, fix, format string, args ...any)) error {
	if !pol.managers {
		return nil
	}
	ids, err := tx.managers(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		pageable[id] = true
	}
	if len(ids) == 0 {
		add(herald.FindingNoManagers, herald.SeverityError, "Mark the managers: herald user set-manager USER yes, or the manager checkbox on their page in the console.",
			"An escalation policy pages all managers, but nobody is marked as a manager: that level reaches nobody")
	}
	return nil
}
