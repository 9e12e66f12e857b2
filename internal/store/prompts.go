package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The playbook's prompts: what Herald tells a person so the practice is
// kept (an update is due, monitoring is over, a review is near). A rule
// (playbookRules) looks at what is due and calls tx.prompt, which records
// the prompt once per person and occurrence and queues it to every usable
// contact method of the person, on the outbox's prompt lane. Rules run on
// every tick of the playbook loop, on every instance: the unique key of a
// prompt is what makes each go once.

// promptSpec is one prompt to make.
type promptSpec struct {
	Kind       string // herald.Prompt...
	IncidentID string // '' when it is about no one incident
	// Occurrence makes the prompt once: the same kind, incident and
	// occurrence prompt a person only the first time ("2026-11-30T10:20:00Z/due").
	Occurrence string
	Notice     herald.Notice
}

// prompt records p for each user once and queues its deliveries. It
// returns the names of the people newly prompted, and of those it could not
// reach (no usable contact method), for the timeline.
func (tx *tx) prompt(ctx context.Context, p promptSpec, userIDs ...string) (prompted, unreachable []string, err error) {
	seen := map[string]bool{}
	for _, uid := range userIDs {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		id := newID()
		res, err := tx.ExecContext(ctx, `INSERT INTO prompts (id, kind, incident_id, occurrence, user_id, subject, body, url, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (kind, incident_id, occurrence, user_id) DO NOTHING`,
			id, p.Kind, p.IncidentID, p.Occurrence, uid, p.Notice.Subject, p.Notice.Body, p.Notice.URL, micros(tx.now))
		if err != nil {
			return nil, nil, fmt.Errorf("record prompt: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, uid).Scan(&name); err != nil {
			return nil, nil, fmt.Errorf("read user: %w", err)
		}
		methods, _, err := tx.reachOf(ctx, uid)
		if err != nil {
			return nil, nil, err
		}
		plan := herald.Fallback(methods, tx.db.unsendable, nil)
		if len(plan) == 0 {
			unreachable = append(unreachable, name)
			continue
		}
		for _, d := range plan {
			if _, err := tx.ExecContext(ctx, `INSERT INTO prompt_deliveries (id, prompt_id, contact_method_id, status, due_at) VALUES ($1, $2, $3, 'pending', $4)`,
				id+"-"+d.MethodID, id, d.MethodID, micros(tx.now)); err != nil {
				return nil, nil, fmt.Errorf("queue prompt: %w", err)
			}
		}
		prompted = append(prompted, name)
	}
	return prompted, unreachable, nil
}

// PromptNotice is what a prompt delivery is about.
type PromptNotice struct {
	herald.Notice
	Kind       string
	IncidentID string
}

// preparePrompt reads what a prompt delivery needs, and cancels it (true)
// when what it prompts for is no longer so: the update it reminds of was
// published, the incident resolved. A prompt only goes while it is true.
func (tx *tx) preparePrompt(ctx context.Context, o *Outgoing) (bool, error) {
	n := &PromptNotice{}
	var sealed, occurrence, target string
	err := tx.QueryRowContext(ctx, `SELECT m.kind, m.target, m.secret_enc, p.kind, p.incident_id, p.occurrence, p.subject, p.body, p.url, m.target_enc
		FROM prompt_deliveries d JOIN contact_methods m ON m.id = d.contact_method_id JOIN prompts p ON p.id = d.prompt_id WHERE d.id = $1`, o.ID).
		Scan(&o.Kind, &o.Target, &sealed, &n.Kind, &n.IncidentID, &occurrence, &n.Subject, &n.Body, &n.URL, &target)
	if err != nil {
		return false, dbErr("read prompt delivery", err)
	}
	n.Event = "prompt." + n.Kind
	o.Prompt = n
	if check := promptChecks[n.Kind]; check != nil {
		current, err := check(tx, ctx, n.IncidentID, occurrence)
		if err != nil {
			return false, dbErr("check the prompt", err)
		}
		if !current {
			_, err := tx.ExecContext(ctx, `UPDATE prompt_deliveries SET status = 'cancelled', claimed_until = NULL, last_error = $1 WHERE id = $2`,
				"no longer due", o.ID)
			return true, dbErr("cancel prompt", err)
		}
	}
	if o.Restricted, err = tx.incidentRestriction(ctx, n.IncidentID); err != nil {
		return false, dbErr("the incident's tenants", err)
	}
	if o.Secret, err = tx.db.open(sealed); err != nil {
		return false, fmt.Errorf("open the signing secret: %w", err)
	}
	if o.Target, err = tx.db.openTarget(o.Target, target); err != nil {
		return false, err
	}
	return false, nil
}

// promptChecks say, per kind, whether a prompt still holds when it is
// about to go (see preparePrompt). A kind without one always goes.
var promptChecks = map[string]func(tx *tx, ctx context.Context, incidentID, occurrence string) (bool, error){
	herald.PromptUpdateDue:                (*tx).updateStillDue,
	herald.PromptInternalUpdateDue:        (*tx).internalUpdateStillDue,
	herald.PromptReviewDue:                (*tx).reviewStillDue,
	herald.PromptFollowUpOverdue:          (*tx).followUpStillOverdue,
	herald.PromptMonitoringOver:           (*tx).monitoringStillOver,
	herald.PromptCommunicationsNotEngaged: (*tx).communicationsStillMissing,
	herald.PromptNoDirector:               (*tx).stillUnmitigated,
	herald.PromptNoticeUnanswered:         (*tx).noticeStillUnanswered,
	herald.PromptNoticeCheck:              (*tx).noticeIncidentOpen,
	herald.PromptNoticeApproval:           (*tx).approvalStillPending,
	herald.PromptCustomerNoticeDue:        (*tx).noticeStillDue,
	herald.PromptCustomerSummaryDue:       (*tx).summaryStillDue,
	herald.PromptHandoverDue:              (*tx).handoverStillMissing,
	herald.PromptHandoverMissing:          (*tx).handoverStillMissing,
	herald.PromptOnCallChange:             (*tx).onCallStillIncoming,
}

// playbookRule is one rule of the playbook that may prompt someone. run
// looks at what is due at tx.now and prompts; it must be safe to run again
// at once and on several instances (tx.prompt makes each prompt once).
type playbookRule struct {
	name string
	run  func(tx *tx, ctx context.Context, s herald.Settings) error
}

// playbookRules are run in order on each tick of the playbook loop.
var playbookRules = []playbookRule{
	{"update reminders", (*tx).remindUpdates},
	{"internal update reminders", (*tx).remindInternalUpdates},
	{"review reminders", (*tx).remindReviews},
	{"monitoring (R16)", (*tx).watchMonitoring},
	{"communications engaged (R52)", (*tx).checkCommunicationsEngaged},
	{"director escalation (R53)", (*tx).escalateToDirector},
	{"unanswered customer replies (R48)", (*tx).remindNoticeReplies},
	{"customer notice checks (R48)", (*tx).remindNoticeChecks},
	{"customer notices due (R43)", (*tx).remindNoticesDue},
	{"customer summaries (R47)", (*tx).remindNoticeSummaries},
	{"handovers (R60)", (*tx).draftHandovers},
	{"on-call change notices", (*tx).tellIncomingOnCall},
	{"practice runs (R63)", (*tx).playPractice},
}

// PlaybookStep runs every playbook rule once, each in its own transaction:
// a rule that fails is reported and the others still run.
func (db *Work) PlaybookStep(ctx context.Context) (bool, error) {
	var errs []error
	for _, r := range playbookRules {
		err := db.write(ctx, func(tx *tx) error {
			s, err := tx.settings(ctx)
			if err != nil {
				return err
			}
			return r.run(tx, ctx, s)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
		}
	}
	return false, errors.Join(errs...)
}

// RunPlaybook runs the playbook's rules once; for tests and tools.
func (db *Work) RunPlaybook(ctx context.Context) error {
	_, err := db.PlaybookStep(ctx)
	return err
}

// Prompts lists the prompts made for an incident, oldest first.
func (db *IncidentService) Prompts(ctx context.Context, ref string) ([]herald.Prompt, error) {
	var out []herald.Prompt
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.kind, p.occurrence, p.user_id, u.name, p.subject, p.created_at,
			(SELECT count(*) FROM prompt_deliveries d WHERE d.prompt_id = p.id AND d.status = 'sent')
			FROM prompts p JOIN users u ON u.id = p.user_id WHERE p.incident_id = $1 ORDER BY p.created_at, p.id`, inc.ID)
		if err != nil {
			return fmt.Errorf("read prompts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p herald.Prompt
			var at int64
			if err := rows.Scan(&p.ID, &p.Kind, &p.Occurrence, &p.UserID, &p.UserName, &p.Subject, &at, &p.Delivered); err != nil {
				return err
			}
			p.IncidentID, p.CreatedAt = inc.ID, fromMicros(at)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// occurrenceAt names a due time in a prompt's occurrence key.
func occurrenceAt(t time.Time, rest ...string) string {
	return strings.Join(append([]string{t.UTC().Format(time.RFC3339Nano)}, rest...), "/")
}

// occurrenceTime reads the due time back from an occurrence key.
func occurrenceTime(occurrence string) (time.Time, error) {
	head, _, _ := strings.Cut(occurrence, "/")
	return time.Parse(time.RFC3339Nano, head)
}
