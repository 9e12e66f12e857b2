package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// The sandbox's edge (R63). Every message Herald sends is a row of the
// outbox, and every row is claimed (outbox.go claim) before it goes: this
// is the one place all of them pass, so this is where a practice is kept in
// its sandbox, whatever feature queued the row. A row of a practice run
// goes only to the run's participants (pages, prompts) and sandbox
// subscribers (updates, stakeholder channels); customer notices never go
// (no customer is in a sandbox); a sandbox subscriber hears nothing but its
// run. Anything else is cancelled with the reason on the row and a line on
// the run's timeline; what goes is marked herald.PracticeMark.

// practiceGuard checks a prepared row; it returns true when the row was
// cancelled (it is not sent).
func (tx *tx) practiceGuard(ctx context.Context, o *Outgoing) (bool, error) {
	var run, why string
	var err error
	switch {
	case o.Page != nil:
		if run, err = tx.practiceRunOf(ctx, o.Page.Page.IncidentID); err != nil || run == "" {
			return false, dbErr("the page's practice run", err)
		}
		ok, err := tx.practiceParticipant(ctx, run, o.Page.userID)
		if err != nil {
			return false, dbErr("the run's participants", err)
		}
		if !ok {
			why = o.Page.UserName + " is not a participant"
		}
		o.Page.Page.Summary = herald.MarkPractice(o.Page.Page.Summary)
	case o.Prompt != nil:
		if run, err = tx.practiceRunOf(ctx, o.Prompt.IncidentID); err != nil || run == "" {
			return false, dbErr("the prompt's practice run", err)
		}
		var userID, name string
		if err := tx.QueryRowContext(ctx, `SELECT p.user_id, u.name FROM prompt_deliveries d JOIN prompts p ON p.id = d.prompt_id JOIN users u ON u.id = p.user_id WHERE d.id = $1`, o.ID).
			Scan(&userID, &name); err != nil {
			return false, dbErr("the prompt's person", err)
		}
		ok, err := tx.practiceParticipant(ctx, run, userID)
		if err != nil {
			return false, dbErr("the run's participants", err)
		}
		if !ok {
			why = name + " is not a participant"
		}
		o.Prompt.Subject, o.Prompt.Body = herald.MarkPractice(o.Prompt.Subject), herald.MarkPractice(o.Prompt.Body)
	case o.Broadcast != nil:
		var incidentID, subRun string
		if err := tx.QueryRowContext(ctx, `SELECT b.incident_id, s.practice_run_id FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
			JOIN subscribers s ON s.id = d.subscriber_id WHERE d.id = $1`, o.ID).Scan(&incidentID, &subRun); err != nil {
			return false, dbErr("the broadcast's practice run", err)
		}
		if run, err = tx.practiceRunOf(ctx, incidentID); err != nil {
			return false, dbErr("the broadcast's practice run", err)
		}
		if run == subRun {
			if run == "" {
				return false, nil
			}
			o.Broadcast.Subject, o.Broadcast.Body = herald.MarkPractice(o.Broadcast.Subject), herald.MarkPractice(o.Broadcast.Body)
			o.Practice = run
			return false, nil
		}
		if run == "" {
			// A real broadcast never reaches a sandbox subscriber.
			return true, tx.holdBack(ctx, o, subRun, "a sandbox subscriber hears only its practice run")
		}
		why = o.Kind + " " + o.Target + " is not a sandbox subscriber of the run"
	case o.Notice != nil:
		var incidentID string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(t.incident_id, '') FROM notice_deliveries d JOIN notice_messages m ON m.id = d.message_id
			JOIN notice_threads t ON t.id = m.thread_id WHERE d.id = $1`, o.ID).Scan(&incidentID); err != nil {
			return false, dbErr("the notice's incident", err)
		}
		if run, err = tx.practiceRunOf(ctx, incidentID); err != nil || run == "" {
			return false, dbErr("the notice's practice run", err)
		}
		why = "customers are never told of a practice"
	case o.Chat != nil:
		return tx.chatGuard(ctx, o)
	default:
		// Tenant notices are about maintenances and sign-in mails about
		// private pages: neither can belong to a practice.
		return false, nil
	}
	if why == "" {
		o.Practice = run
		return false, nil
	}
	return true, tx.holdBack(ctx, o, run, why)
}

// holdBack cancels a row at the sandbox's edge and says so on the run's
// timeline.
func (tx *tx) holdBack(ctx context.Context, o *Outgoing, run, why string) error {
	msg := "practice: " + why
	if _, err := tx.ExecContext(ctx, `UPDATE `+o.Lane.table()+` SET status = 'cancelled', claimed_until = NULL, last_error = $1 WHERE id = $2`, msg, o.ID); err != nil {
		return dbErr("hold back a practice delivery", err)
	}
	err := tx.practiceEvent(ctx, run, -1, herald.PracticeHeld, "", fmt.Sprintf("Held back a %s message (%s): %s", o.Lane, o.Kind, why))
	return dbErr("record what was held back", err)
}
