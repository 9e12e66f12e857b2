package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
)

// Approvals of customer messages (noticeapproval.go, R44; migration 0032).
// A request stores the exact text composed for the thread and its hash;
// an approval is a decision on that row, and SendNotice sends a text whose
// class needs one only when an approved row of the thread has the same
// hash, in the same transaction that marks the row sent. A new request on
// the thread voids the earlier pending or approved ones: the writer
// edited the text, and the approver must read it again.

const approvalSelect = `SELECT a.id, a.thread_id, COALESCE(t.incident_id, ''), COALESCE(i.reference, ''), t.source_kind, t.source_id, tn.name,
	a.class, a.template, a.subject, a.body, a.hash, a.status, a.requested_by, a.requested_by_name, a.requested_at,
	a.decided_by, a.decided_by_name, a.decided_at, a.reason, a.message_id
	FROM notice_approvals a JOIN notice_threads t ON t.id = a.thread_id JOIN tenants tn ON tn.id = t.tenant_id
	LEFT JOIN incidents i ON i.id = t.incident_id`

func scanApproval(row interface{ Scan(...any) error }) (herald.NoticeApproval, error) {
	var a herald.NoticeApproval
	var kind, source string
	var requested int64
	var decided sql.NullInt64
	err := row.Scan(&a.ID, &a.ThreadID, &a.IncidentID, &a.Reference, &kind, &source, &a.TenantName, &a.Class, &a.Template, &a.Subject, &a.Body, &a.Hash,
		&a.Status, &a.RequestedBy, &a.RequestedByName, &requested, &a.DecidedBy, &a.DecidedByName, &decided, &a.Reason, &a.MessageID)
	if kind == "maintenance" {
		a.MaintenanceID = source
	}
	a.RequestedAt, a.DecidedAt = fromMicros(requested), fromNullMicros(decided)
	return a, err
}

// approvals reads the approvals a condition on a (and t) selects, with
// who may approve each in words.
func (tx *tx) approvals(ctx context.Context, order, where string, args ...any) ([]herald.NoticeApproval, error) {
	rows, err := tx.QueryContext(ctx, approvalSelect+` WHERE `+where+` ORDER BY a.requested_at `+order+`, a.id `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("read notice approvals: %w", err)
	}
	out := []herald.NoticeApproval{}
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read notice approvals: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Approvers = approversWords(s, out[i])
	}
	return out, nil
}

func (tx *tx) approval(ctx context.Context, id string) (herald.NoticeApproval, error) {
	list, err := tx.approvals(ctx, "", `a.id = $1`, strings.TrimSpace(id))
	if err != nil {
		return herald.NoticeApproval{}, err
	}
	if len(list) == 0 {
		// An emergency maintenance's notice text (emergency_approvals.go).
		if a, ok, err := tx.emergencyApproval(ctx, id); ok || err != nil {
			return a, err
		}
		return herald.NoticeApproval{}, herald.Errorf(herald.ENotFound, "no notice approval %q", id)
	}
	return list[0], nil
}

// approversWords says who may approve a, for people to read.
func approversWords(s herald.Settings, a herald.NoticeApproval) string {
	switch {
	case a.Class == herald.ClassSecurity:
		return "a member of the " + orDefault(s.Approvals.SecurityTeam, "(unnamed)") + " team (approvals.security_team)"
	case a.IncidentID != "":
		return "the incident lead or an engineer of " + a.Reference
	}
	return "an engineering manager"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// noticeClass is the class of a message on th: the writer's (security,
// or the thread's own) or the thread's.
func (tx *tx) noticeClass(ctx context.Context, th herald.NoticeThread, given herald.NoticeClass) (herald.NoticeClass, error) {
	var m *herald.Maintenance
	if th.SourceKind == "maintenance" {
		var err error
		if m, err = tx.maintenance(ctx, th.SourceID); err != nil {
			return "", err
		}
	}
	return herald.CheckNoticeClass(given, herald.DefaultNoticeClass(th, m))
}

// approverIDs are the people who may approve a message of class on th:
// the security team's members for security; else the incident's lead and
// engineers, or on a maintenance's thread (no incident roles) the
// engineering managers, who approve maintenances already (R33). A setting
// or a team that leaves nobody is an EUnprocessable error saying what to
// fix.
func (tx *tx) approverIDs(ctx context.Context, s herald.Settings, th herald.NoticeThread, class herald.NoticeClass) ([]string, error) {
	var ids []string
	switch {
	case class == herald.ClassSecurity:
		name := s.Approvals.SecurityTeam
		if name == "" {
			return nil, &herald.Error{Code: herald.EUnprocessable, Message: "R44: security messages need the security team's approval, and no team is named: an admin sets approvals.security_team",
				Fields: map[string]string{"approvals.security_team": "is not set"}}
		}
		team, err := tx.team(ctx, name)
		if herald.ErrorCode(err) == herald.ENotFound {
			return nil, &herald.Error{Code: herald.EUnprocessable, Message: fmt.Sprintf("R44: security messages need the security team's approval, and there is no team %q (approvals.security_team): an admin creates it", name),
				Fields: map[string]string{"approvals.security_team": "names no team"}}
		}
		if err != nil {
			return nil, err
		}
		for _, m := range team.Members {
			ids = append(ids, m.UserID)
		}
	case th.IncidentID != "":
		inc, err := tx.incident(ctx, th.IncidentID)
		if err != nil {
			return nil, err
		}
		for _, r := range inc.Roles {
			if (r.Role == herald.RoleIncidentLead || r.Role == herald.RoleEngineerOnCall) && r.UserID != "" {
				ids = append(ids, r.UserID)
			}
		}
	default:
		var err error
		if ids, err = tx.ids(ctx, "read managers", `SELECT id FROM users WHERE manager = $1 ORDER BY name`, true); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// RequestNoticeApproval asks for the approval of a notice's exact text.
func (db *NoticeService) RequestNoticeApproval(ctx context.Context, actor herald.Actor, threadID string, in herald.NoticeSendInput) (herald.NoticeApproval, error) {
	if err := in.Normalize(); err != nil {
		return herald.NoticeApproval{}, err
	}
	if in.ApprovalID != "" {
		return herald.NoticeApproval{}, herald.FieldErrors{"approval_id": "is for sending an approved text; ask with a template or a body"}.Err()
	}
	var a herald.NoticeApproval
	err := db.write(ctx, func(tx *tx) error {
		s, th, err := tx.threadToWrite(ctx, actor, threadID)
		if err != nil {
			return err
		}
		if actor.User.ID == "" {
			return herald.Errorf(herald.EForbidden, "asking for an approval needs a person: an API token acts for nobody")
		}
		class, err := tx.noticeClass(ctx, th, in.Class)
		if err != nil {
			return err
		}
		if s.Approvals.Mode(class) == herald.ReviewModeOff {
			return &herald.Error{Code: herald.EUnprocessable, Message: fmt.Sprintf("reviews of %s messages are off (approvals.review.%s): send it", class, class),
				Fields: map[string]string{"class": "needs no review"}}
		}
		body, err := tx.composeNotice(ctx, s, th, actor, in)
		if err != nil {
			return err
		}
		// The guard reads the text now, so nobody approves a text that
		// cannot go; it reads it again when it is sent.
		if _, err := tx.guardPublic(ctx, actor, in.OverrideGuard, in.OverrideGuardReason, [2]string{"body", body}); err != nil {
			return err
		}
		ids, err := tx.approverIDs(ctx, s, th, class)
		if err != nil {
			return err
		}
		others := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == actor.User.ID })
		a = herald.NoticeApproval{ID: newID(), ThreadID: th.ID, IncidentID: th.IncidentID, TenantName: th.TenantName, Class: class, Template: in.Template,
			Subject: th.Subject, Body: body, Hash: herald.NoticeTextHash(th.Subject, body), Status: herald.ApprovalPending,
			RequestedBy: actor.User.ID, RequestedByName: actor.User.Name, RequestedAt: tx.now}
		if th.SourceKind == "maintenance" {
			a.MaintenanceID = th.SourceID
		}
		if th.IncidentID != "" {
			inc, err := tx.incident(ctx, th.IncidentID)
			if err != nil {
				return err
			}
			a.Reference = inc.Reference
		}
		a.Approvers = approversWords(s, a)
		if len(others) == 0 {
			return herald.Errorf(herald.EUnprocessable, "R44: nobody but you can approve it (%s), and nobody approves their own text", a.Approvers)
		}
		r, err := tx.ExecContext(ctx, `UPDATE notice_approvals SET status = 'void', decided_at = $2 WHERE thread_id = $1 AND status IN ('pending', 'approved')`,
			th.ID, micros(tx.now))
		if err != nil {
			return fmt.Errorf("void earlier approvals: %w", err)
		}
		voided, _ := r.RowsAffected()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_approvals (id, thread_id, class, template, subject, body, hash, status, requested_by, requested_by_name, requested_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)`,
			a.ID, a.ThreadID, a.Class, a.Template, a.Subject, a.Body, a.Hash, a.RequestedBy, a.RequestedByName, micros(tx.now)); err != nil {
			return fmt.Errorf("record approval request: %w", err)
		}
		// A FedRAMP tenant's name stays out of the prompt (R46); an
		// incident's prompts are restricted when they are prepared, a
		// maintenance's here.
		var compliance string
		if err := tx.QueryRowContext(ctx, `SELECT compliance FROM tenants WHERE id = $1`, th.TenantID).Scan(&compliance); err != nil {
			return fmt.Errorf("read tenant: %w", err)
		}
		url := tx.db.links.Console() + "/approvals/" + a.ID
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptNoticeApproval, IncidentID: th.IncidentID, Occurrence: a.ID,
			Notice: herald.NoticeApprovalPrompt(a, url, compliance == string(herald.ComplianceFedRAMP))}, others...)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("Approval of a %s message to %s asked by %s (R44): %s approves it", class, th.TenantName, actor.User.Name, a.Approvers)
		if voided > 0 {
			text += "; the earlier text of the thread is void"
		}
		return tx.approvalEntry(ctx, th, actor, text+promptedText(prompted, unreachable, "asked"), a, "requested")
	})
	if err == nil {
		db.log.Info("notice approval requested", "approval", a.ID, "thread", threadID, "class", a.Class, "by", actor.User.ID)
	}
	return a, err
}

// approvalEntry records an approval's event on the incident's timeline.
// A maintenance's thread has no timeline: its approvals are read on the
// thread (NoticeThread.Approvals).
func (tx *tx) approvalEntry(ctx context.Context, th herald.NoticeThread, actor herald.Actor, text string, a herald.NoticeApproval, event string) error {
	if th.IncidentID == "" {
		return nil
	}
	return tx.appendEntry(ctx, th.IncidentID, actor, herald.EntryNotice, text,
		map[string]any{"thread_id": th.ID, "approval_id": a.ID, "approval": event, "class": a.Class, "hash": a.Hash})
}

// ApproveNotice approves a text.
func (db *NoticeService) ApproveNotice(ctx context.Context, actor herald.Actor, id string, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	return db.decide(ctx, actor, id, in, herald.ApprovalApproved)
}

// RejectNotice rejects a text, with a reason.
func (db *NoticeService) RejectNotice(ctx context.Context, actor herald.Actor, id string, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	return db.decide(ctx, actor, id, in, herald.ApprovalRejected)
}

func (db *NoticeService) decide(ctx context.Context, actor herald.Actor, id string, in herald.NoticeDecisionInput, status string) (herald.NoticeApproval, error) {
	if err := in.Normalize(status == herald.ApprovalRejected); err != nil {
		return herald.NoticeApproval{}, err
	}
	var a herald.NoticeApproval
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if a, err = tx.approval(ctx, id); err != nil {
			return err
		}
		if a.Status != herald.ApprovalPending {
			return herald.Errorf(herald.EConflict, "this text is %s already; only a pending one is approved or rejected", a.Status)
		}
		if in.Hash != "" && in.Hash != a.Hash {
			return herald.Errorf(herald.EConflict, "R44: this is not the text you read (its hash differs): read it again")
		}
		if actor.User.ID == "" || actor.User.ID == a.RequestedBy {
			return herald.Errorf(herald.EForbidden, "R44: nobody approves or rejects their own text; %s does", a.Approvers)
		}
		if a.ThreadID == "" {
			return tx.decideEmergencyNotice(ctx, actor, &a, in, status)
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		th, err := tx.thread(ctx, s.Notices, a.ThreadID)
		if err != nil {
			return err
		}
		ids, err := tx.approverIDs(ctx, s, th, a.Class)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, actor.User.ID) {
			return herald.Errorf(herald.EForbidden, "R44: %s approves or rejects this %s message; %s is not one", a.Approvers, a.Class, actor.User.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notice_approvals SET status = $2, decided_by = $3, decided_by_name = $4, decided_at = $5, reason = $6 WHERE id = $1`,
			a.ID, status, actor.User.ID, actor.User.Name, micros(tx.now), in.Reason); err != nil {
			return fmt.Errorf("decide approval: %w", err)
		}
		a.Status, a.DecidedBy, a.DecidedByName, a.DecidedAt, a.Reason = status, actor.User.ID, actor.User.Name, &tx.now, in.Reason
		text := fmt.Sprintf("%s approved the %s message to %s asked by %s (R44)", actor.User.Name, a.Class, a.TenantName, a.RequestedByName)
		if status == herald.ApprovalRejected {
			text = fmt.Sprintf("%s rejected the %s message to %s asked by %s (R44): %s", actor.User.Name, a.Class, a.TenantName, a.RequestedByName, in.Reason)
		} else if in.Reason != "" {
			text += ": " + in.Reason
		}
		return tx.approvalEntry(ctx, th, actor, text, a, status)
	})
	if err == nil {
		db.log.Info("notice approval decided", "approval", id, "status", status, "by", actor.User.ID)
	}
	return a, err
}

// NoticeApproval reads one approval.
func (db *NoticeService) NoticeApproval(ctx context.Context, id string) (herald.NoticeApproval, error) {
	var a herald.NoticeApproval
	err := db.read(ctx, func(tx *tx) error {
		var err error
		a, err = tx.approval(ctx, id)
		return err
	})
	return a, err
}

// PendingApprovals lists every approval waiting, oldest first.
func (db *NoticeService) PendingApprovals(ctx context.Context) ([]herald.NoticeApproval, error) {
	var out []herald.NoticeApproval
	err := db.read(ctx, func(tx *tx) error {
		var err error
		if out, err = tx.approvals(ctx, "", `a.status = 'pending'`); err != nil {
			return err
		}
		// With the emergency maintenances' notice texts, oldest first.
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		more, err := tx.emergencyApprovals(ctx, s, `a.status = 'pending'`)
		if err != nil || len(more) == 0 {
			return err
		}
		out = append(out, more...)
		slices.SortStableFunc(out, func(x, y herald.NoticeApproval) int { return x.RequestedAt.Compare(y.RequestedAt) })
		return nil
	})
	return out, err
}

// IncidentPendingApprovals lists the approvals of an incident's threads
// waiting, oldest first.
func (db *NoticeService) IncidentPendingApprovals(ctx context.Context, ref string) ([]herald.NoticeApproval, error) {
	var out []herald.NoticeApproval
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.approvals(ctx, "", `a.status = 'pending' AND t.incident_id = $1`, inc.ID)
		return err
	})
	return out, err
}

// approvedText applies R44 to a notice about to be sent on th: in.ApprovalID
// names the approved text to send, else the text composed must match an
// approved one of the thread when its class needs it. It returns the
// approval the send uses (nil: none), the body to send, and the template.
func (tx *tx) approvedText(ctx context.Context, s herald.Settings, th herald.NoticeThread, actor herald.Actor, in herald.NoticeSendInput) (*herald.NoticeApproval, string, string, error) {
	if in.ApprovalID != "" {
		a, err := tx.approval(ctx, in.ApprovalID)
		if herald.ErrorCode(err) == herald.ENotFound || (err == nil && a.ThreadID != th.ID) {
			return nil, "", "", &herald.Error{Code: herald.ENotFound, Message: "no approval " + in.ApprovalID + " on this thread", Fields: map[string]string{"approval_id": "is not an approval of this thread"}}
		}
		if err != nil {
			return nil, "", "", err
		}
		if a.Status != herald.ApprovalApproved || a.Subject != th.Subject || herald.NoticeTextHash(a.Subject, a.Body) != a.Hash {
			return nil, "", "", &herald.Error{Code: herald.EApprovalRequired, Message: fmt.Sprintf("R44: this text is %s, not approved: it cannot be sent", a.Status),
				Fields: map[string]string{"approval_id": "is " + a.Status}}
		}
		return &a, a.Body, a.Template, nil
	}
	class, err := tx.noticeClass(ctx, th, in.Class)
	if err != nil {
		return nil, "", "", err
	}
	body, err := tx.composeNotice(ctx, s, th, actor, in)
	if err != nil {
		return nil, "", "", err
	}
	hash := herald.NoticeTextHash(th.Subject, body)
	list, err := tx.approvals(ctx, "DESC", `a.thread_id = $1 AND a.hash = $2 AND a.status = 'approved'`, th.ID, hash)
	if err != nil {
		return nil, "", "", err
	}
	for _, a := range list {
		if a.Class == class || a.Class == herald.ClassSecurity {
			return &a, body, in.Template, nil
		}
	}
	if s.Approvals.Mode(class) != herald.ReviewModeRequired {
		return nil, body, in.Template, nil
	}
	who := "the security team"
	if class != herald.ClassSecurity {
		who = "a reviewer (approvals.review." + string(class) + " is required)"
	}
	return nil, "", "", &herald.Error{Code: herald.EApprovalRequired,
		Message: fmt.Sprintf("R44: this %s message to %s needs the approval of %s for its exact text before it is sent, and this text has none: ask for one (an edit after an approval needs a new one)", class, th.TenantName, who),
		Fields:  map[string]string{"approval": "no approval of this exact text"}}
}

// markApprovalSent records that the approved text went out as message.
func (tx *tx) markApprovalSent(ctx context.Context, a *herald.NoticeApproval, messageID string) error {
	if a == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notice_approvals SET status = 'sent', message_id = $2 WHERE id = $1`, a.ID, messageID); err != nil {
		return fmt.Errorf("mark approval sent: %w", err)
	}
	return nil
}

// approvalStillPending: an approver's prompt goes only while the text
// waits for a decision.
func (tx *tx) approvalStillPending(ctx context.Context, _ string, occurrence string) (bool, error) {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM notice_approvals WHERE id = $1`, occurrence).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return tx.emergencyApprovalStillPending(ctx, occurrence)
	}
	return status == herald.ApprovalPending, err
}
