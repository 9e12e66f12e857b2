package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The security team's approval of an emergency maintenance's notices (R33
// with R44; migration 0040). Every emergency maintenance is security work,
// so what it tells the tenants by itself is a security message: the
// engineering manager approves the work, the security team approves the
// words, and the notices go at once after.
//
// When an event happens (the manager's approval, a reschedule, the
// cancellation, the completion), the event's text is rendered once with
// {tenant} and {affected} as placeholders, and a member of the security
// team is asked to approve that exact text (its hash binds the approval).
// The approval is read, approved and rejected through the approvals of
// customer messages (notice_approvals.go: the API, the CLI and the
// console's Approvals screen list both kinds); it has no thread. Approving
// queues one notice per linked tenant, the text with the tenant's name and
// "yes" or "no" filled in, in the approver's transaction. Nothing about the
// maintenance itself waits for this: it starts and completes as the
// manager's approval and automation say.
//
// A text not yet sent gives way to newer news: an edit of the maintenance's
// name, description or times voids it and asks again for the new text (the
// planned notice then carries the new window; a reschedule after the
// tenants were told asks for a rescheduled notice), and the cancellation or
// the completion voids what is still waiting. A rejection holds the
// notices; an edit of the maintenance asks again.

// emergencyNoticeBatch is how many linked tenants are read and queued at
// a time: memory stays flat however many tenants there are.
const emergencyNoticeBatch = 100

const emergencyApprovalSelect = `SELECT a.id, a.maintenance_id, mt.name, a.event, a.subject, a.body, a.hash, a.status, a.requested_by, a.requested_by_name,
	a.requested_at, a.decided_by, a.decided_by_name, a.decided_at, a.reason
	FROM emergency_notice_approvals a JOIN maintenances mt ON mt.id = a.maintenance_id`

// emergencyApprovals reads the approvals a condition on a selects, oldest
// first, with who may approve them in words.
func (tx *tx) emergencyApprovals(ctx context.Context, s herald.Settings, where string, args ...any) ([]herald.NoticeApproval, error) {
	rows, err := tx.QueryContext(ctx, emergencyApprovalSelect+` WHERE `+where+` ORDER BY a.requested_at, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read emergency notice approvals: %w", err)
	}
	defer rows.Close()
	out := []herald.NoticeApproval{}
	for rows.Next() {
		var a herald.NoticeApproval
		var name string
		var requested int64
		var decided sql.NullInt64
		if err := rows.Scan(&a.ID, &a.MaintenanceID, &name, &a.Event, &a.Subject, &a.Body, &a.Hash, &a.Status, &a.RequestedBy, &a.RequestedByName,
			&requested, &a.DecidedBy, &a.DecidedByName, &decided, &a.Reason); err != nil {
			return nil, fmt.Errorf("read emergency notice approvals: %w", err)
		}
		a.Class, a.Template = herald.ClassSecurity, "emergency_maintenance_"+a.Event
		a.TenantName = "each tenant linked to " + name
		a.RequestedAt, a.DecidedAt = fromMicros(requested), fromNullMicros(decided)
		a.Approvers = approversWords(s, a)
		out = append(out, a)
	}
	return out, rows.Err()
}

// emergencyApproval reads one approval; ok is false when there is none.
func (tx *tx) emergencyApproval(ctx context.Context, id string) (a herald.NoticeApproval, ok bool, err error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return a, false, err
	}
	list, err := tx.emergencyApprovals(ctx, s, `a.id = $1`, strings.TrimSpace(id))
	if err != nil || len(list) == 0 {
		return a, false, err
	}
	return list[0], true, nil
}

// requestEmergencyNotice asks the security team to approve the text of an
// emergency maintenance's event, at when it happened. by is who caused
// the event; the automation (no person) asks in the name of the manager
// who approved the work. A maintenance linked to no tenant has nobody to
// tell, and asks nothing. A missing security team does not stop the work:
// the request waits, unprompted, and the refusal to approve it names what
// an admin must fix.
func (tx *tx) requestEmergencyNotice(ctx context.Context, m *herald.Maintenance, event string, by herald.Actor, at time.Time) error {
	var linked int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM maintenance_tenants l JOIN tenants t ON t.id = l.tenant_id
		WHERE l.maintenance_id = $1 AND t.deleted_at IS NULL`, m.ID).Scan(&linked); err != nil {
		return fmt.Errorf("count linked tenants: %w", err)
	}
	if linked == 0 {
		return nil
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	n := herald.EmergencyMaintenanceNoticeText(s.Page.Name, event, m, at)
	a := herald.NoticeApproval{ID: newID(), MaintenanceID: m.ID, Event: event, Class: herald.ClassSecurity, Template: "emergency_maintenance_" + event,
		TenantName: "each tenant linked to " + m.Name, Subject: n.Subject, Body: n.Body, Hash: herald.NoticeTextHash(n.Subject, n.Body),
		Status: herald.ApprovalPending, RequestedBy: by.User.ID, RequestedByName: by.User.Name, RequestedAt: tx.now}
	if a.RequestedBy == "" && m.Approval != nil {
		a.RequestedBy, a.RequestedByName = m.Approval.By, m.Approval.ByName
	}
	a.Approvers = approversWords(s, a)
	if _, err := tx.ExecContext(ctx, `INSERT INTO emergency_notice_approvals (id, maintenance_id, event, event_at, subject, body, hash, status, requested_by, requested_by_name, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)`,
		a.ID, m.ID, event, micros(at), a.Subject, a.Body, a.Hash, a.RequestedBy, a.RequestedByName, micros(tx.now)); err != nil {
		return fmt.Errorf("ask for the emergency notice's approval: %w", err)
	}
	ids, err := tx.approverIDs(ctx, s, herald.NoticeThread{}, herald.ClassSecurity)
	if err != nil {
		if herald.ErrorCode(err) != herald.EUnprocessable {
			return err
		}
		tx.db.log.Warn("emergency maintenance notice waits for a security team that is missing", "maintenance", m.ID, "approval", a.ID, "err", err)
		return nil
	}
	others := slices.DeleteFunc(ids, func(id string) bool { return id == a.RequestedBy })
	url := tx.db.links.Console() + "/approvals/" + a.ID
	if _, _, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptNoticeApproval, Occurrence: a.ID,
		Notice: herald.NoticeApprovalPrompt(a, url, false)}, others...); err != nil {
		return err
	}
	return nil
}

// voidEmergencyNotices voids the texts of m not sent yet (pending, or
// approved and not yet queued) and returns their events, oldest first.
func (tx *tx) voidEmergencyNotices(ctx context.Context, m *herald.Maintenance) ([]string, error) {
	events, err := tx.ids(ctx, "read waiting emergency notices",
		`SELECT event FROM emergency_notice_approvals WHERE maintenance_id = $1 AND status IN ('pending', 'approved') ORDER BY requested_at, id`, m.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE emergency_notice_approvals SET status = 'void', decided_at = $2 WHERE maintenance_id = $1 AND status IN ('pending', 'approved')`,
		m.ID, micros(tx.now)); err != nil {
		return nil, fmt.Errorf("void emergency notices: %w", err)
	}
	return slices.Compact(events), nil
}

// emergencyNoticeSent reports whether a notice of one of events went to
// m's tenants (its text was approved and queued).
func (tx *tx) emergencyNoticeSent(ctx context.Context, m *herald.Maintenance, events ...string) (bool, error) {
	for _, e := range events {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM emergency_notice_approvals WHERE maintenance_id = $1 AND event = $2 AND status = 'sent'`,
			m.ID, e).Scan(&n); err != nil {
			return false, fmt.Errorf("read emergency notices: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// emergencyEdited applies an edit of an approved emergency maintenance to
// its notices: a change of name, description or times voids each text not
// sent yet (or rejected) and asks again for it as it now reads, and moving the window
// after the tenants were told of it asks for a rescheduled notice, once
// per change.
func (tx *tx) emergencyEdited(ctx context.Context, actor herald.Actor, was, m *herald.Maintenance) error {
	if m.Kind != herald.KindEmergency || m.Approval == nil {
		return nil
	}
	moved := !was.ScheduledFor.Equal(m.ScheduledFor) || !was.ScheduledUntil.Equal(m.ScheduledUntil)
	if !moved && was.Name == m.Name && was.Body == m.Body {
		return nil
	}
	events, err := tx.voidEmergencyNotices(ctx, m)
	if err != nil {
		return err
	}
	// A text the security team rejected is asked again as it now reads.
	rejected, err := tx.ids(ctx, "read rejected emergency notices", `SELECT a.event FROM emergency_notice_approvals a
		WHERE a.maintenance_id = $1 AND a.status = 'rejected' AND NOT EXISTS (SELECT 1 FROM emergency_notice_approvals b
			WHERE b.maintenance_id = a.maintenance_id AND b.event = a.event AND b.requested_at > a.requested_at) ORDER BY a.requested_at`, m.ID)
	if err != nil {
		return err
	}
	for _, e := range rejected {
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if moved && !slices.Contains(events, herald.TenantNoticeApproved) && !slices.Contains(events, herald.TenantNoticeRescheduled) {
		told, err := tx.emergencyNoticeSent(ctx, m, herald.TenantNoticeApproved, herald.TenantNoticeRescheduled)
		if err != nil {
			return err
		}
		if told {
			events = append(events, herald.TenantNoticeRescheduled)
		}
	}
	for _, e := range events {
		at := tx.now
		if e == herald.TenantNoticeApproved {
			at = m.Approval.At
		}
		if err := tx.requestEmergencyNotice(ctx, m, e, actor, at); err != nil {
			return err
		}
	}
	return nil
}

// emergencyEnded asks for the notice of an approved emergency
// maintenance's end (completed or cancelled): news not sent yet is void,
// and a cancellation is told only to tenants who were told of the work.
func (tx *tx) emergencyEnded(ctx context.Context, actor herald.Actor, m *herald.Maintenance, to herald.MaintenanceStatus) error {
	if m.Kind != herald.KindEmergency || m.Approval == nil {
		return nil
	}
	if _, err := tx.voidEmergencyNotices(ctx, m); err != nil {
		return err
	}
	event := herald.TenantNoticeCompleted
	if to == herald.MaintenanceCancelled {
		event = herald.TenantNoticeCancelled
		told, err := tx.emergencyNoticeSent(ctx, m, herald.TenantNoticeApproved, herald.TenantNoticeRescheduled)
		if err != nil || !told {
			return err
		}
	}
	return tx.requestEmergencyNotice(ctx, m, event, actor, tx.now)
}

// decideEmergencyNotice is a security team member's decision on an
// emergency maintenance's text (the requester was refused already). An
// approval queues the tenants' notices at once.
func (tx *tx) decideEmergencyNotice(ctx context.Context, actor herald.Actor, a *herald.NoticeApproval, in herald.NoticeDecisionInput, status string) error {
	s, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	ids, err := tx.approverIDs(ctx, s, herald.NoticeThread{}, herald.ClassSecurity)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, actor.User.ID) {
		return herald.Errorf(herald.EForbidden, "R44: %s approves or rejects this security message; %s is not one", a.Approvers, actor.User.Name)
	}
	if herald.NoticeTextHash(a.Subject, a.Body) != a.Hash {
		return herald.Errorf(herald.EConflict, "R44: the stored text no longer matches its hash; ask again")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE emergency_notice_approvals SET status = $2, decided_by = $3, decided_by_name = $4, decided_at = $5, reason = $6 WHERE id = $1`,
		a.ID, status, actor.User.ID, actor.User.Name, micros(tx.now), in.Reason); err != nil {
		return fmt.Errorf("decide emergency notice: %w", err)
	}
	a.Status, a.DecidedBy, a.DecidedByName, a.DecidedAt, a.Reason = status, actor.User.ID, actor.User.Name, &tx.now, in.Reason
	if status != herald.ApprovalApproved {
		return nil
	}
	m, err := tx.maintenance(ctx, a.MaintenanceID)
	if err != nil {
		return err
	}
	if err := tx.queueTenantNotices(ctx, m, *a); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE emergency_notice_approvals SET status = 'sent' WHERE id = $1`, a.ID); err != nil {
		return fmt.Errorf("mark emergency notice sent: %w", err)
	}
	a.Status = herald.ApprovalSent
	return nil
}

// queueTenantNotices queues the approved text of an emergency maintenance's
// event to each tenant it is linked to (R33): to the first operational
// address, copying the others and the account manager, on the outbox's
// notice lane, with the tenant's name and whether it is affected filled
// in. A tenant is affected when a component serving it is part of the work
// (or the work names no components). A tenant without an operational
// address gets a failed row saying so: the security work does not wait.
//
// The tenants are read and queued emergencyNoticeBatch at a time, in order
// of id, inside the one transaction: every tenant is told or none is, and
// memory does not grow with the number of tenants.
func (tx *tx) queueTenantNotices(ctx context.Context, m *herald.Maintenance, a herald.NoticeApproval) error {
	cols := strings.Fields(strings.ReplaceAll(tenantColumns, ",", " "))
	for i, c := range cols {
		cols[i] = "t." + c
	}
	q := `SELECT ` + strings.Join(cols, ", ") + ` FROM maintenance_tenants l JOIN tenants t ON t.id = l.tenant_id
		WHERE l.maintenance_id = $1 AND t.deleted_at IS NULL AND t.id > $2 ORDER BY t.id LIMIT ` + fmt.Sprint(emergencyNoticeBatch)
	text := herald.Notice{Subject: a.Subject, Body: a.Body}
	after := ""
	for {
		tenants, err := tx.queryTenants(ctx, q, m.ID, after)
		if err != nil {
			return err
		}
		for _, t := range tenants {
			affected := len(m.Components) == 0 || slices.ContainsFunc(t.Components, func(c string) bool { return slices.Contains(m.Components, c) })
			n := herald.FillEmergencyNotice(text, t.Name, affected)
			to, cc, rerr := t.NoticeRecipients()
			status, lastErr := "pending", ""
			if rerr != nil {
				status, lastErr = "failed", rerr.Error()
			}
			ccJSON, _ := json.Marshal(orEmpty(cc))
			if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_notices (id, maintenance_id, tenant_id, event, affected, recipient, cc, subject, body, created_at, status, due_at, last_error, approval_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $12, $13) ON CONFLICT (maintenance_id, tenant_id, event, approval_id) DO NOTHING`,
				newID(), m.ID, t.ID, a.Event, affected, to, string(ccJSON), n.Subject, n.Body, micros(tx.now), status, lastErr, a.ID); err != nil {
				return fmt.Errorf("queue tenant notice: %w", err)
			}
		}
		if len(tenants) < emergencyNoticeBatch {
			break
		}
		after = tenants[len(tenants)-1].ID
	}
	tx.db.kickBulk()
	return nil
}

// emergencyApprovalStillPending: a security team member's prompt goes only
// while the text waits for a decision.
func (tx *tx) emergencyApprovalStillPending(ctx context.Context, id string) (bool, error) {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM emergency_notice_approvals WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return status == herald.ApprovalPending, err
}
