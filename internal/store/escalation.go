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

// RunEscalations pages whoever is due: for each triggered page whose next
// escalation time has come, the next level of its service's policy (after
// the last, the first again while repeats are left). After downtime it
// takes each overdue step at once and then keeps the normal timeouts, rather
// than paging every level in one burst. Each step is a conditional update on
// the page row, so several instances take each step once. It returns how
// many steps it took.
func (db *DB) RunEscalations(ctx context.Context) (int, error) {
	return runSteps(ctx, db.EscalationStep)
}

// runSteps calls step until it has nothing to do or fails, and returns how
// many steps it took.
func runSteps(ctx context.Context, step func(context.Context) (bool, error)) (int, error) {
	steps := 0
	for {
		did, err := step(ctx)
		if err != nil || !did {
			return steps, err
		}
		steps++
	}
}

// EscalationStep takes the earliest due escalation step, if any, and says
// whether it took one. On PostgreSQL the page row is picked with SKIP
// LOCKED, so several callers at once take different steps.
func (db *DB) EscalationStep(ctx context.Context) (bool, error) {
	did := false
	err := db.write(ctx, func(tx *tx) error {
		var pageID, serviceID string
		var level, loops int
		var due int64
		err := tx.QueryRowContext(ctx, `SELECT id, service_id, level, loops, next_escalation_at FROM pages
			WHERE status = 'triggered' AND next_escalation_at <= $1 ORDER BY next_escalation_at LIMIT 1`+db.skipLocked(), micros(tx.now)).
			Scan(&pageID, &serviceID, &level, &loops, &due)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("due escalations: %w", err)
		}
		did = true
		var policyID string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(escalation_policy_id, '') FROM services WHERE id = $1`, serviceID).Scan(&policyID); err != nil {
			return err
		}
		if policyID == "" {
			if err := tx.setEscalation(ctx, pageID, level, loops, nil, due); err != nil {
				return err
			}
			return tx.pageLog(ctx, pageID, "unrouted", "Nobody paged: the service has no escalation policy")
		}
		pol, err := tx.escalationPolicy(ctx, policyID)
		if err != nil {
			return err
		}
		next, nextLoops := level+1, loops
		if next >= len(pol.Levels) {
			if loops >= pol.Repeat {
				if err := tx.setEscalation(ctx, pageID, level, loops, nil, due); err != nil {
					return err
				}
				return tx.pageLog(ctx, pageID, "exhausted", "Every level was paged and nobody acknowledged")
			}
			next, nextLoops = 0, loops+1
		}
		// The next step is counted from when this one was due, so a short
		// delay (a restart) does not stretch the cadence; after a long one it
		// is counted from now.
		dueAt := fromMicros(due)
		nextAt := dueAt.Add(time.Duration(pol.Levels[next].TimeoutMinutes) * time.Minute)
		if !nextAt.After(tx.now) {
			nextAt = tx.now.Add(time.Duration(pol.Levels[next].TimeoutMinutes) * time.Minute)
		}
		if err := tx.setEscalation(ctx, pageID, next, nextLoops, &nextAt, due); err != nil {
			return err
		}
		return tx.notifyLevel(ctx, pageID, pol.Levels[next], next, nextLoops)
	})
	if errors.Is(err, errRaced) {
		return true, nil // another instance took this step; look again
	}
	return did, err
}

// setEscalation moves a page to a level, if it still is where the caller
// read it (another instance may have moved it since).
func (tx *tx) setEscalation(ctx context.Context, pageID string, level, loops int, next *time.Time, wasDue int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE pages SET level = $1, loops = $2, next_escalation_at = $3
		WHERE id = $4 AND status = 'triggered' AND next_escalation_at = $5`, level, loops, nullMicros(next), pageID, wasDue)
	if err != nil {
		return fmt.Errorf("escalate: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRaced
	}
	return nil
}

var errRaced = errors.New("escalation taken by another instance")

// notifyLevel records a notification for everyone a level reaches: its
// users, whoever is on call on its schedules, and those schedules' shadows
// (R03). The unique key makes a repeated step notify nobody twice.
func (tx *tx) notifyLevel(ctx context.Context, pageID string, l herald.EscalationLevel, level, loop int) error {
	var targets []who
	for _, t := range l.Targets {
		switch t.Type {
		case "user":
			targets = append(targets, who{t.ID, false})
		case "schedule":
			s, err := tx.schedule(ctx, t.ID, tx.now)
			if err != nil {
				continue
			}
			if oc, ok := s.OnCallAt(tx.now); ok {
				targets = append(targets, who{oc.UserID, false})
				for _, sh := range oc.Shadows {
					if sh != oc.UserID {
						targets = append(targets, who{sh, true})
					}
				}
			}
		}
	}
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return err
	}
	if p.IncidentID != "" {
		if targets, err = tx.coverEngaged(ctx, p, targets); err != nil {
			return err
		}
	}
	var names []string
	for _, w := range targets {
		id := newID()
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, page_id, user_id, level, loop, shadow, status, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (page_id, user_id, level, loop) DO NOTHING`,
			id, pageID, w.id, level, loop, w.shadow, micros(tx.now))
		if err != nil {
			return fmt.Errorf("record notification: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := tx.planDeliveries(ctx, id, w.id); err != nil {
			return err
		}
		var name string
		tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, w.id).Scan(&name)
		if w.shadow {
			name += " (shadow)"
		}
		names = append(names, name)
	}
	text := fmt.Sprintf("Level %d: nobody is on call", level+1)
	if len(names) > 0 {
		text = fmt.Sprintf("Level %d: paged %s", level+1, strings.Join(names, ", "))
	}
	if p.IncidentID != "" {
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := tx.appendEntry(ctx, p.IncidentID, herald.Actor{}, herald.EntryNote, "Page for the "+settings.RoleName(p.IncidentRole)+", "+strings.ToLower(text[:1])+text[1:],
			map[string]any{"page_id": pageID, "level": level + 1}); err != nil {
			return err
		}
	}
	return tx.pageLog(ctx, pageID, "escalated", text)
}

// who is a person a level reaches.
type who struct {
	id     string
	shadow bool
}

// coverEngaged applies the concurrent-incident policy (R06): a responder
// who already holds a role on another active incident is not paged for a
// second one; the cover service (the support manager on call) is paged to
// find someone instead. Without a cover service, or when nobody is free and
// there is no cover, the responders are paged anyway: nobody is better
// than no one.
func (tx *tx) coverEngaged(ctx context.Context, p *herald.Page, targets []who) ([]who, error) {
	var free []who
	var engaged []string
	for _, w := range targets {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT i.reference FROM incident_roles r JOIN incidents i ON i.id = r.incident_id
			WHERE r.user_id = $1 AND i.state <> 'resolved' AND i.id <> $2 LIMIT 1`, w.id, p.IncidentID).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) || w.shadow {
			free = append(free, w)
			continue
		}
		if err != nil {
			return nil, err
		}
		var name string
		tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, w.id).Scan(&name)
		engaged = append(engaged, name+" (on "+other+")")
	}
	if len(engaged) == 0 {
		return targets, nil
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	if settings.CoverService == "" {
		return targets, nil
	}
	svc, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, settings.CoverService))
	if err != nil {
		return targets, nil
	}
	inc, err := tx.incident(ctx, p.IncidentID)
	if err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("Cover needed: %s needs a %s; %s already engaged", inc.Reference, settings.RoleName(p.IncidentRole), strings.Join(engaged, ", "))
	dedup := coverDedupKey(inc.ID, p.IncidentRole)
	var exists int
	tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE service_id = $1 AND dedup_key = $2 AND status <> 'resolved'`, svc.ID, dedup).Scan(&exists)
	if exists == 0 {
		coverID, err := tx.newPage(ctx, svc.ID, dedup, summary, "critical", "incident "+inc.Reference, nil, inc.ID, p.IncidentRole)
		if err != nil {
			return nil, err
		}
		if err := tx.newAlert(ctx, svc.ID, coverID, dedup); err != nil {
			return nil, err
		}
		if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryNote, summary+": paging "+svc.Name, map[string]any{"page_id": coverID}); err != nil {
			return nil, err
		}
	}
	return free, nil
}

// coverDedupKey keys the page that asks the cover service to find someone
// for a role (R06).
func coverDedupKey(incidentID, role string) string {
	return "incident/" + incidentID + "/" + role + "/cover"
}

// isCoverPage reports whether p asks for cover rather than pages a role:
// whoever acknowledges it finds someone, and does not take the role.
func isCoverPage(p *herald.Page) bool {
	return p.IncidentID != "" && p.DedupKey == coverDedupKey(p.IncidentID, p.IncidentRole)
}

// Notification is one person to notify about one page.
type Notification struct {
	ID     string `json:"id"`
	PageID string `json:"page_id"`
	UserID string `json:"user_id"`
	Level  int    `json:"level"`
	Loop   int    `json:"loop"`
	Shadow bool   `json:"shadow"`
	Status string `json:"status"`
}

// Notifications lists a page's notifications in the order they were made.
func (db *DB) Notifications(ctx context.Context, pageID string) ([]Notification, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, page_id, user_id, level, loop, shadow, status FROM notifications WHERE page_id = $1 ORDER BY due_at, id`, pageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.PageID, &n.UserID, &n.Level, &n.Loop, &n.Shadow, &n.Status); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// EscalatePage pages a chosen level of the policy now (the source's
// "Escalate, select Level 2"), from where escalation carries on. An
// acknowledged page is triggered again: escalating means the current
// responder needs someone else.
func (db *DB) EscalatePage(ctx context.Context, actor herald.Actor, id string, level int) (*herald.Page, error) {
	err := db.write(ctx, func(tx *tx) error {
		p, err := tx.page(ctx, id)
		if err != nil {
			return err
		}
		if p.Status == herald.PageResolved {
			return herald.Errorf(herald.EUnprocessable, "the page is resolved; page again instead")
		}
		if err := tx.refuseShadow(ctx, p, actor, "escalate"); err != nil {
			return err
		}
		var policyID string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(escalation_policy_id, '') FROM services WHERE id = $1`, p.ServiceID).Scan(&policyID); err != nil {
			return err
		}
		if policyID == "" {
			return herald.Errorf(herald.EUnprocessable, "the page's service has no escalation policy")
		}
		pol, err := tx.escalationPolicy(ctx, policyID)
		if err != nil {
			return err
		}
		if level < 1 || level > len(pol.Levels) {
			return &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("level must be between 1 and %d", len(pol.Levels)), Fields: map[string]string{"level": "no such level"}}
		}
		// The step taken next pages level (1-based), so set the page just
		// before it, due now, in a round of its own so nobody is skipped as
		// "already notified".
		_, err = tx.ExecContext(ctx, `UPDATE pages SET status = 'triggered', acked_at = NULL, acked_by = '', level = $1, loops = loops + 1, next_escalation_at = $2 WHERE id = $3`,
			level-2, micros(tx.now), p.ID)
		if err != nil {
			return fmt.Errorf("escalate: %w", err)
		}
		return tx.pageLog(ctx, p.ID, "escalated", fmt.Sprintf("%s escalated to level %d", actor.User.Name, level))
	})
	if err != nil {
		return nil, err
	}
	if _, err := db.RunEscalations(ctx); err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}
