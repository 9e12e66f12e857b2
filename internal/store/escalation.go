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
func (db *Work) RunEscalations(ctx context.Context) (int, error) {
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
// LOCKED, so several callers at once take different steps. A step that
// fails is recorded on its page (attempts, last error, retried with
// backoff) and counts as taken: one broken page never holds up the others.
func (db *Work) EscalationStep(ctx context.Context) (bool, error) {
	return db.escalationStep(ctx, "")
}

// escalationStep takes the due step of one page (only), or of the
// earliest due page.
func (db *core) escalationStep(ctx context.Context, only string) (bool, error) {
	var pageID string
	var due int64
	var steps int
	err := db.writePaging(ctx, func(tx *tx) error {
		q := `SELECT id, level, loops, loop_base, next_escalation_at, step_attempts FROM pages
			WHERE status = 'triggered' AND next_escalation_at <= $1`
		args := []any{micros(tx.now)}
		if only != "" {
			q += ` AND id = $2`
			args = append(args, only)
		}
		var level, loops, base int
		err := tx.QueryRowContext(ctx, q+` ORDER BY next_escalation_at LIMIT 1`+db.skipLocked(), args...).Scan(&pageID, &level, &loops, &base, &due, &steps)
		if errors.Is(err, sql.ErrNoRows) {
			// No escalation is due: an acknowledgement that ends (a
			// snooze, ack_expiry) triggers its page again, whose first
			// step is then due at once.
			if pageID, due, err = tx.dueWake(ctx, only); err != nil || pageID == "" {
				return err
			}
			return recovered(func() error { return tx.wake(ctx, pageID, due) })
		}
		if err != nil {
			return fmt.Errorf("due escalations: %w", err)
		}
		return recovered(func() error { return tx.escalate(ctx, pageID, level, loops, base, due) })
	})
	switch {
	case err == nil && pageID != "":
		signal(db.wakeDeliveries)
	case errors.Is(err, errRaced):
		return true, nil // another instance took this step; look again
	case err != nil && pageID != "" && ctx.Err() == nil:
		return true, db.stepFailed(ctx, pageID, due, steps+1, err)
	}
	return pageID != "", err
}

// escalate takes a page's due step: the next level of its policy. Rounds
// are counted from base, the round the page's current escalation began in
// (a page triggered again begins a fresh one).
func (tx *tx) escalate(ctx context.Context, pageID string, level, loops, base int, due int64) error {
	var policyID string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(s.escalation_policy_id, '') FROM services s JOIN pages p ON p.service_id = s.id WHERE p.id = $1`, pageID).Scan(&policyID); err != nil {
		return fmt.Errorf("read the page's service: %w", err)
	}
	if policyID == "" {
		if err := tx.setEscalation(ctx, pageID, level, loops, nil, due); err != nil {
			return err
		}
		return tx.unrouted(ctx, pageID)
	}
	pol, err := tx.escalationPolicy(ctx, policyID)
	if err != nil {
		return fmt.Errorf("read the escalation policy: %w", err)
	}
	step := pol.NextStep(level, loops-base, fromMicros(due), tx.now)
	step.Loop += base
	if step.Exhausted {
		if err := tx.setEscalation(ctx, pageID, level, loops, nil, due); err != nil {
			return err
		}
		return tx.pageLog(ctx, pageID, "exhausted", "Every level was paged and nobody acknowledged")
	}
	if err := tx.setEscalation(ctx, pageID, step.Level, step.Loop, &step.NextAt, due); err != nil {
		return err
	}
	return tx.notifyLevel(ctx, pageID, pol.Levels[step.Level], step.Level, step.Loop)
}

// recovered runs fn and turns a panic into an error, so that a row the code
// cannot handle fails on its own row instead of taking the process down
// (and, the row being due again after a restart, taking it down again).
func recovered(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn()
}

// stepFailed records a failed escalation step on its page and schedules it
// again with backoff. The page log says so once, on the first failure.
func (db *core) stepFailed(ctx context.Context, pageID string, due int64, attempt int, stepErr error) error {
	return db.rowFailed(ctx, db.writePaging, "escalation of page", pageID, attempt, stepErr, func(tx *tx, msg string, retryAt time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE pages SET step_attempts = $1, step_error = $2, next_escalation_at = $3
			WHERE id = $4 AND status IN ('triggered', 'acknowledged') AND next_escalation_at = $5`, attempt, msg, micros(retryAt), pageID, due)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || attempt > 1 {
			return nil
		}
		return tx.pageLog(ctx, pageID, "escalation_failed", "Escalation failed and is retried: "+msg)
	})
}

// rowFailed records a failed step of background work on the row that
// caused it: save writes the attempt, the error (cleaned, so any database
// takes it) and when to try again (herald.RetryAfter). Only a failure to
// record it is returned: the loop moves on to the other rows.
func (db *core) rowFailed(ctx context.Context, write func(context.Context, func(*tx) error) error, what, id string, attempt int, stepErr error,
	save func(tx *tx, msg string, retryAt time.Time) error) error {
	msg := cleanText(stepErr.Error(), 500)
	db.log.Warn("step failed; retrying with backoff", "step", what, "id", id, "attempt", attempt, "err", msg)
	err := write(ctx, func(tx *tx) error { return save(tx, msg, tx.now.Add(herald.RetryAfter(attempt))) })
	if err != nil {
		return fmt.Errorf("record the failed %s %s: %w (the step failed with: %v)", what, id, err, stepErr)
	}
	return nil
}

// setEscalation moves a page to a level, if it still is where the caller
// read it (another instance may have moved it since).
func (tx *tx) setEscalation(ctx context.Context, pageID string, level, loops int, next *time.Time, wasDue int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE pages SET level = $1, loops = $2, next_escalation_at = $3, step_attempts = 0, step_error = ''
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
// (R03). The unique key makes a repeated step notify nobody twice. What
// leaves a gap (nobody on call, someone without a working contact method)
// is logged, shown and counted; a level that reaches nobody falls through
// at once (fallThrough) rather than after its timeout.
func (tx *tx) notifyLevel(ctx context.Context, pageID string, l herald.EscalationLevel, level, loop int) error {
	var targets []who
	var gaps []gapNote
	for _, t := range l.Targets {
		switch t.Type {
		case "user":
			targets = append(targets, who{t.ID, false})
		case "schedule":
			s, err := tx.schedule(ctx, t.ID, tx.now)
			if err != nil {
				if herald.ErrorCode(err) != herald.ENotFound {
					return err
				}
				gaps = append(gaps, gapNote{herald.GapNobodyOnCall, "schedule " + t.ID + " does not exist"})
				continue
			}
			oc, ok := s.OnCallAt(tx.now)
			if !ok {
				gaps = append(gaps, gapNote{herald.GapNobodyOnCall, "nobody is on call on " + s.Name})
				continue
			}
			targets = append(targets, who{oc.UserID, false})
			for _, sh := range oc.Shadows {
				if sh != oc.UserID {
					targets = append(targets, who{sh, true})
				}
			}
		default:
			more, gs, err := tx.levelTargets(ctx, pageID, t)
			if err != nil {
				return err
			}
			targets, gaps = append(targets, more...), append(gaps, gs...)
		}
	}
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return err
	}
	covered := false
	if p.IncidentID != "" && p.IncidentRole != "" { // a role page (R06), not an alert linked later nor the director's (R53)
		free, err := tx.coverEngaged(ctx, p, targets)
		if err != nil {
			return err
		}
		// Engaged responders left out: the cover service finds someone.
		covered, targets = len(free) < len(targets), free
	}
	reached, names, unreachable, err := tx.notifyPeople(ctx, pageID, targets, level, loop)
	if err != nil {
		return err
	}
	gaps = append(gaps, unreachable...)
	text := fmt.Sprintf("Level %d: nobody paged", level+1)
	if len(names) > 0 {
		text = fmt.Sprintf("Level %d: paged %s", level+1, strings.Join(names, ", "))
	}
	if err := tx.pageLog(ctx, pageID, "escalated", text); err != nil {
		return err
	}
	for i := range gaps {
		gaps[i].text = fmt.Sprintf("Level %d: %s", level+1, gaps[i].text)
	}
	if err := tx.gaps(ctx, pageID, gaps); err != nil {
		return err
	}
	if !reached && !covered {
		then, err := tx.fallThrough(ctx, p, level, loop)
		if err != nil {
			return err
		}
		g := gapNote{herald.GapLevelUnreached, fmt.Sprintf("Level %d reached nobody: %s", level+1, then)}
		if err := tx.gaps(ctx, pageID, []gapNote{g}); err != nil {
			return err
		}
		gaps = append(gaps, g)
	}
	return tx.levelOnTimeline(ctx, p, text, len(names) > 0, gaps)
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
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, w.id).Scan(&name); err != nil {
			return nil, err
		}
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
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE service_id = $1 AND dedup_key = $2 AND status <> 'resolved'`, svc.ID, dedup).Scan(&exists); err != nil {
		return nil, err
	}
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

// Notifications lists a page's notifications in the order they were made.
func (db *PagingService) Notifications(ctx context.Context, pageID string) ([]herald.Notification, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, page_id, user_id, level, loop, shadow, status FROM notifications WHERE page_id = $1 ORDER BY due_at, id`, pageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.Notification{}
	for rows.Next() {
		var n herald.Notification
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
func (db *PagingService) EscalatePage(ctx context.Context, actor herald.Actor, id string, level int) (*herald.Page, error) {
	err := db.writePaging(ctx, func(tx *tx) error {
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
		// Escalating by hand also ends a maintenance's mute of the page.
		_, err = tx.ExecContext(ctx, `UPDATE pages SET status = 'triggered', acked_at = NULL, acked_by = '', snoozed_until = NULL, level = $1, loops = loops + 1, next_escalation_at = $2, muted = $4 WHERE id = $3`,
			level-2, micros(tx.now), p.ID, false)
		if err != nil {
			return fmt.Errorf("escalate: %w", err)
		}
		return tx.pageLog(ctx, p.ID, "escalated", fmt.Sprintf("%s escalated to level %d", actor.User.Name, level))
	})
	if err != nil {
		return nil, err
	}
	// Only this page's step: a failure on another page is not this
	// caller's, and this page's own failure is recorded on it.
	if _, err := db.escalationStep(ctx, id); err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}
