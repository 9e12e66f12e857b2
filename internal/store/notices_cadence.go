package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The customer cadence (customercadence.go; R43, R47). SendNotice sets a
// thread's next_notice_due; two playbook rules keep to it: the owner is
// reminded as that time comes and passes (the incident lead too once it is
// long overdue), and asked for a summary when hours have passed since the
// last substantial notice. A notice is substantial when its writer says so,
// or else when it was filled in from a template (herald.NoticeSendInput's
// IsSubstantial); the flag is kept on the message.

// openThreadsWhere selects the threads whose incident or maintenance is
// still going: a resolved incident or a completed or cancelled maintenance
// owes its tenants no more notices. It joins i (incidents) and mt
// (maintenances) and takes the resolved state as $1.
const openThreadsFrom = ` FROM notice_threads t JOIN tenants tn ON tn.id = t.tenant_id
	LEFT JOIN incidents i ON t.source_kind = 'incident' AND i.id = t.source_id
	LEFT JOIN maintenances mt ON t.source_kind = 'maintenance' AND mt.id = t.source_id
	WHERE ((t.source_kind = 'incident' AND i.state <> $1) OR (t.source_kind = 'maintenance' AND mt.status NOT IN ('completed', 'cancelled')))`

// cadenceThread is what the cadence rules read of an open thread.
type cadenceThread struct {
	id, incidentID, owner, tenant, subject, hours string
	due, lastOut, lastSubstantial, first          sql.NullInt64
}

// cadenceThreads reads the open threads a further condition selects ($2...).
func (tx *tx) cadenceThreads(ctx context.Context, where string, args ...any) ([]cadenceThread, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, COALESCE(t.incident_id, ''), t.owner_id, tn.name, t.subject, tn.business_hours, t.next_notice_due,
		(SELECT max(m.created_at) FROM notice_messages m WHERE m.thread_id = t.id AND m.direction = 'out'),
		(SELECT max(m.created_at) FROM notice_messages m WHERE m.thread_id = t.id AND m.direction = 'out' AND m.substantial = $2),
		t.first_sent_at`+openThreadsFrom+` AND `+where+` ORDER BY t.id`, append([]any{herald.Resolved, true}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read notice threads of the cadence: %w", err)
	}
	defer rows.Close()
	var out []cadenceThread
	for rows.Next() {
		var c cadenceThread
		if err := rows.Scan(&c.id, &c.incidentID, &c.owner, &c.tenant, &c.subject, &c.hours, &c.due, &c.lastOut, &c.lastSubstantial, &c.first); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (c cadenceThread) businessHours() herald.BusinessHours {
	var h herald.BusinessHours
	_ = json.Unmarshal([]byte(c.hours), &h) // unreadable hours count as none: every hour is outside
	return h
}

// threadSeverity is the severity that sets a thread's cadence: its
// incident's, or for a maintenance's thread one that is not S1.
func (tx *tx) threadSeverity(ctx context.Context, incidentID string) (herald.Severity, error) {
	if incidentID == "" {
		return herald.S4, nil
	}
	inc, err := tx.incident(ctx, incidentID)
	if err != nil {
		return "", err
	}
	return inc.Severity, nil
}

// remindNoticesDue reminds each open thread's owner of its next notice
// (R43): before next_notice_due, at it, and every reminders.every while
// it is overdue, the incident lead too from reminders.lead_after. A
// reminder is made once per thread, due time and stage; sending a notice
// moves the due time, and the reminders of the old one no longer go
// (noticeStillDue).
func (tx *tx) remindNoticesDue(ctx context.Context, s herald.Settings) error {
	r := s.Notices.Cadence.Reminders
	if r.Off {
		return nil
	}
	list, err := tx.cadenceThreads(ctx, `t.next_notice_due IS NOT NULL AND t.next_notice_due <= $3`, micros(tx.now.Add(time.Duration(r.Before))))
	if err != nil {
		return err
	}
	for _, c := range list {
		due := fromMicros(c.due.Int64)
		last := due
		if c.lastOut.Valid {
			last = fromMicros(c.lastOut.Int64)
		}
		stage, n, withLead, ok := r.At(tx.now, due, due.Sub(last))
		if !ok {
			continue
		}
		users := []string{c.owner}
		if withLead && c.incidentID != "" {
			inc, err := tx.incident(ctx, c.incidentID)
			if err != nil {
				return err
			}
			if l, ok := inc.Role(herald.RoleIncidentLead); ok {
				users = append(users, l.UserID)
			}
		}
		url := tx.db.links.Console() + "/notices/" + c.id
		notice := herald.CustomerNoticeDueNotice(c.tenant, c.subject, stage, due, tx.now, url)
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptCustomerNoticeDue, IncidentID: c.incidentID,
			Occurrence: occurrenceAt(due, c.id, stage, fmt.Sprint(n)), Notice: notice}, users...)
		if err != nil {
			return err
		}
		if stage == herald.UpdateDueSoon || c.incidentID == "" || len(prompted)+len(unreachable) == 0 {
			continue // the early reminder is not news on the timeline
		}
		if err := tx.appendEntry(ctx, c.incidentID, herald.Actor{}, herald.EntryPrompt, notice.Subject+" (R43)"+promptedText(prompted, unreachable, "reminded"),
			map[string]any{"prompt": herald.PromptCustomerNoticeDue, "thread_id": c.id, "stage": stage, "due_at": due}); err != nil {
			return err
		}
	}
	return nil
}

// remindNoticeSummaries asks each open thread's owner for a summary when
// notices.cadence.summary_after has passed since the last substantial
// notice (or the first notice, when none was): once per such gap, and
// only within the tenant's business hours unless the incident is an S1,
// so the night's summary is asked for when the tenant's day starts (R47).
func (tx *tx) remindNoticeSummaries(ctx context.Context, s herald.Settings) error {
	after := time.Duration(s.Notices.Cadence.SummaryAfter)
	if after <= 0 {
		return nil
	}
	list, err := tx.cadenceThreads(ctx, `t.first_sent_at IS NOT NULL AND t.first_sent_at <= $3`, micros(tx.now.Add(-after)))
	if err != nil {
		return err
	}
	for _, c := range list {
		last := fromMicros(c.first.Int64)
		if c.lastSubstantial.Valid {
			last = fromMicros(c.lastSubstantial.Int64)
		}
		if tx.now.Sub(last) < after {
			continue
		}
		sev, err := tx.threadSeverity(ctx, c.incidentID)
		if err != nil {
			return err
		}
		if sev != herald.S1 && !c.businessHours().Contains(tx.now) {
			continue
		}
		since, err := tx.summarySince(ctx, c.incidentID, last)
		if err != nil {
			return err
		}
		url := tx.db.links.Console() + "/notices/" + c.id
		notice := herald.CustomerSummaryNotice(c.tenant, c.subject, last, tx.now, since, url)
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptCustomerSummaryDue, IncidentID: c.incidentID,
			Occurrence: occurrenceAt(last, c.id, "summary"), Notice: notice}, c.owner)
		if err != nil {
			return err
		}
		if c.incidentID == "" || len(prompted)+len(unreachable) == 0 {
			continue
		}
		if err := tx.appendEntry(ctx, c.incidentID, herald.Actor{}, herald.EntryPrompt, notice.Subject+" (R47)"+promptedText(prompted, unreachable, "asked"),
			map[string]any{"prompt": herald.PromptCustomerSummaryDue, "thread_id": c.id, "last_substantial_at": last}); err != nil {
			return err
		}
	}
	return nil
}

// summarySince counts what the incident's timeline holds after at: its
// entries (the playbook's reminders left out) and state changes.
func (tx *tx) summarySince(ctx context.Context, incidentID string, at time.Time) (herald.CustomerSummarySince, error) {
	var out herald.CustomerSummarySince
	if incidentID == "" {
		return out, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN kind = $3 THEN 1 ELSE 0 END), 0) FROM timeline
		WHERE incident_id = $1 AND at > $2 AND kind <> $4`, incidentID, micros(at), herald.EntryStateChange, herald.EntryPrompt).Scan(&out.Entries, &out.StateChanges)
	if err != nil {
		return out, fmt.Errorf("read the timeline since the last substantial notice: %w", err)
	}
	inc, err := tx.incident(ctx, incidentID)
	if err != nil {
		return out, err
	}
	out.State = inc.State.Title()
	return out, nil
}

// threadOfOccurrence reads the due time and the thread of a cadence
// prompt's occurrence key ("<time>/<thread>/...").
func threadOfOccurrence(occurrence string) (time.Time, string, bool) {
	at, err := occurrenceTime(occurrence)
	parts := strings.Split(occurrence, "/")
	if err != nil || len(parts) < 2 {
		return time.Time{}, "", false
	}
	return at, parts[1], true
}

// noticeStillDue: a reminder of a notice goes only while its thread is
// open and still owes that notice at that time.
func (tx *tx) noticeStillDue(ctx context.Context, _ string, occurrence string) (bool, error) {
	at, threadID, ok := threadOfOccurrence(occurrence)
	if !ok {
		return false, nil // a key this release does not read: do not send it
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*)`+openThreadsFrom+` AND t.id = $2 AND t.next_notice_due = $3`, herald.Resolved, threadID, micros(at)).Scan(&n)
	return n > 0, err
}

// summaryStillDue: a summary prompt goes only while its thread is open
// and no substantial notice went after the one it counted from.
func (tx *tx) summaryStillDue(ctx context.Context, _ string, occurrence string) (bool, error) {
	at, threadID, ok := threadOfOccurrence(occurrence)
	if !ok {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*)`+openThreadsFrom+` AND t.id = $2 AND NOT EXISTS (SELECT 1 FROM notice_messages m
		WHERE m.thread_id = t.id AND m.direction = 'out' AND m.substantial = $3 AND m.created_at > $4)`, herald.Resolved, threadID, true, micros(at)).Scan(&n)
	return n > 0, err
}

// noticeCadenceOf is what a notice about to go on a thread says of the
// cadence: whether it is substantial, and the warnings (R43).
func (tx *tx) noticeCadenceOf(ctx context.Context, th herald.NoticeThread, in herald.NoticeSendInput) (bool, []string, error) {
	substantial := in.IsSubstantial()
	sev, err := tx.threadSeverity(ctx, th.IncidentID)
	if err != nil {
		return false, nil, err
	}
	var hours string
	if err := tx.QueryRowContext(ctx, `SELECT business_hours FROM tenants WHERE id = $1`, th.TenantID).Scan(&hours); err != nil {
		return false, nil, fmt.Errorf("read the tenant's business hours: %w", err)
	}
	return substantial, herald.CustomerNoticeWarnings(tx.now, sev, cadenceThread{hours: hours}.businessHours(), substantial), nil
}

// markNoticeCadence records on a message just written whether it was
// substantial, and puts the warnings on the answer.
func (tx *tx) markNoticeCadence(ctx context.Context, th herald.NoticeThread, m *herald.NoticeMessage, in herald.NoticeSendInput) error {
	substantial, warnings, err := tx.noticeCadenceOf(ctx, th, in)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notice_messages SET substantial = $2 WHERE id = $1`, m.ID, substantial); err != nil {
		return fmt.Errorf("record the notice: %w", err)
	}
	m.Substantial, m.Warnings = substantial, warnings
	return nil
}

// noticeDueWords fills in NoticeDue of threads whose incident or
// maintenance is still going.
func (tx *tx) noticeDueWords(ctx context.Context, threads []herald.NoticeThread) error {
	open := map[string]bool{}
	for i := range threads {
		th := &threads[i]
		if th.NextNoticeDue == nil {
			continue
		}
		key := th.SourceKind + "/" + th.SourceID
		isOpen, seen := open[key]
		if !seen {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*)`+openThreadsFrom+` AND t.id = $2`, herald.Resolved, th.ID).Scan(&n)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read the thread's source: %w", err)
			}
			isOpen = n > 0
			open[key] = isOpen
		}
		if isOpen {
			th.NoticeDue = herald.NoticeDueWords(th.NextNoticeDue, tx.now)
		}
	}
	return nil
}
