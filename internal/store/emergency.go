package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// Maintenance kinds and emergency maintenance (R32, R33, R34; migration
// 0030): the kind of a maintenance, the window warnings of a scheduled
// one, an engineering manager's approval of an emergency one, the notices
// that tell its tenants, and the handover prompt to the next on-call
// shifts.

const maintenanceKindColumns = `kind, security, approved_by, approved_by_name, approved_at, approval_comment`

// maintenanceKindRow is the approval as a maintenance row holds it.
type maintenanceKindRow struct {
	by, byName, comment string
	at                  sql.NullInt64
}

func (k maintenanceKindRow) apply(m *herald.Maintenance) {
	if k.at.Valid {
		m.Approval = &herald.MaintenanceApproval{By: k.by, ByName: k.byName, At: fromMicros(k.at.Int64), Comment: k.comment}
	}
}

// setMaintenanceKind writes a new maintenance's kind (checked by
// MaintenanceInput.Normalize).
func (tx *tx) setMaintenanceKind(ctx context.Context, m *herald.Maintenance, kind herald.MaintenanceKind, security bool) error {
	m.Kind, m.Security = kind, security
	_, err := tx.ExecContext(ctx, `UPDATE maintenances SET kind = $1, security = $2 WHERE id = $3`, kind, security, m.ID)
	if err != nil {
		return fmt.Errorf("set maintenance kind: %w", err)
	}
	return nil
}

// changeMaintenanceKind applies an edit's kind and security flag (nil:
// unchanged) under R32. An approved emergency maintenance keeps both: the
// manager approved that work, not another.
func (tx *tx) changeMaintenanceKind(ctx context.Context, m *herald.Maintenance, kind *herald.MaintenanceKind, security *bool) error {
	k, sec := m.Kind, m.Security
	if kind != nil {
		k = *kind
	}
	if security != nil {
		sec = *security
	}
	if k == m.Kind && sec == m.Security {
		return nil
	}
	if m.Approval != nil {
		return &herald.Error{Code: herald.EUnprocessable, Message: "an approved emergency maintenance keeps its kind (R33): cancel it and schedule another",
			Fields: map[string]string{"kind": "cannot change after the approval"}}
	}
	if m.Status != herald.MaintenanceScheduled {
		return &herald.Error{Code: herald.EUnprocessable, Message: "a maintenance in progress keeps its kind",
			Fields: map[string]string{"kind": "cannot change once started"}}
	}
	fe := herald.FieldErrors{}
	herald.CheckMaintenanceKind(fe, k, sec)
	if err := fe.Err(); err != nil {
		return err
	}
	return tx.setMaintenanceKind(ctx, m, k, sec)
}

// emergencyNotApproved is R33's refusal to start an emergency maintenance
// no engineering manager has approved.
func emergencyNotApproved(m *herald.Maintenance) error {
	return herald.Errorf(herald.EUnprocessable, "R33: %s is emergency maintenance and needs an engineering manager's approval before it starts; ask a manager to approve it", m.Name)
}

// fillMaintenanceTenants adds what one maintenance's read shows beyond the
// status page's: R34's window warnings and the tenant notices.
func (tx *tx) fillMaintenanceTenants(ctx context.Context, m *herald.Maintenance) error {
	tenants, err := tx.linkedTenants(ctx, "maintenance_tenants", "maintenance_id", m.ID)
	if err != nil {
		return err
	}
	m.Warnings = herald.WindowWarnings(m.Kind, m.ScheduledFor, m.ScheduledUntil, tenants)
	rows, err := tx.QueryContext(ctx, `SELECT n.id, n.tenant_id, t.name, n.event, n.affected, n.recipient, n.cc, n.subject, n.status, n.last_error, n.created_at, n.sent_at
		FROM tenant_notices n JOIN tenants t ON t.id = n.tenant_id WHERE n.maintenance_id = $1 ORDER BY n.created_at, t.name`, m.ID)
	if err != nil {
		return fmt.Errorf("read tenant notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n herald.MaintenanceTenantNotice
		var cc string
		var at int64
		var sent sql.NullInt64
		if err := rows.Scan(&n.ID, &n.TenantID, &n.TenantName, &n.Event, &n.Affected, &n.To, &cc, &n.Subject, &n.Status, &n.LastError, &at, &sent); err != nil {
			return fmt.Errorf("read tenant notices: %w", err)
		}
		if err := json.Unmarshal([]byte(cc), &n.Cc); err != nil {
			return fmt.Errorf("decode tenant notice cc: %w", err)
		}
		n.CreatedAt, n.SentAt = fromMicros(at), fromNullMicros(sent)
		m.TenantNotices = append(m.TenantNotices, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if m.Kind != herald.KindEmergency {
		return nil
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	m.NoticeApprovals, err = tx.emergencyApprovals(ctx, s, `a.maintenance_id = $1`, m.ID)
	return err
}

// ApproveMaintenance records an engineering manager's approval of an
// emergency maintenance (R33). The approval is the decision of kind
// emergency_maintenance taken on the maintenance: R33 asks for a manager
// whatever the settings say, and the organisation's rule for that decision
// (decision_authority: a qualification, say) applies as well. Approving
// asks for the notice to each linked tenant and prompts the next on-call
// shifts, in the same transaction. The notice asks the security team to
// approve its text first (emergency_approvals.go): the maintenance does
// not wait for that, the notices do.
func (db *MaintenanceService) ApproveMaintenance(ctx context.Context, actor herald.Actor, id string, in herald.ApprovalInput) (*herald.Maintenance, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		if m.Kind != herald.KindEmergency {
			return herald.Errorf(herald.EUnprocessable, "%s is %s maintenance: only emergency maintenance is approved (R33)", m.Name, m.Kind.Title())
		}
		if m.Approval != nil {
			return herald.Errorf(herald.EConflict, "%s was approved already by %s", m.Name, m.Approval.ByName)
		}
		if !m.Active() {
			return herald.Errorf(herald.EUnprocessable, "the maintenance is %s; it can no longer be approved", m.Status.Title())
		}
		if !actor.User.Manager {
			return herald.Errorf(herald.EForbidden, "R33: emergency maintenance is approved by an engineering manager or above; %s is not marked as one", actor.User.Name)
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := tx.checkDecider(ctx, &settings, herald.DecisionEmergencyMaintenance, &herald.Incident{}, &actor.User); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET approved_by = $1, approved_by_name = $2, approved_at = $3, approval_comment = $4, updated_at = $3 WHERE id = $5`,
			actor.User.ID, actor.User.Name, micros(tx.now), in.Comment, m.ID); err != nil {
			return fmt.Errorf("approve maintenance: %w", err)
		}
		m.Approval = &herald.MaintenanceApproval{By: actor.User.ID, ByName: actor.User.Name, At: tx.now, Comment: in.Comment}
		if err := tx.requestEmergencyNotice(ctx, m, herald.TenantNoticeApproved, actor, tx.now); err != nil {
			return err
		}
		return tx.promptHandover(ctx, m)
	})
	if err != nil {
		return nil, err
	}
	db.log.Info("emergency maintenance approved", "maintenance", id, "by", actor.User.ID)
	return db.Maintenance(ctx, id)
}

// handoverHorizon is how far ahead the next shift of a schedule is looked
// for.
const handoverHorizon = 31 * 24 * time.Hour

// promptHandover tells the person of each on-call schedule's next shift of
// an approved emergency maintenance, through the playbook's prompts (R33):
// a handover item, so that whoever takes over knows what is running.
func (tx *tx) promptHandover(ctx context.Context, m *herald.Maintenance) error {
	schedules, err := tx.schedules(ctx)
	if err != nil {
		return err
	}
	for _, s := range schedules {
		shifts, err := s.Shifts(tx.now, tx.now.Add(handoverHorizon))
		if err != nil {
			tx.db.log.Warn("handover: schedule shifts unreadable", "schedule", s.ID, "err", err)
			continue
		}
		for _, sh := range shifts {
			if !sh.Start.After(tx.now) || sh.UserID == "" {
				continue // the shift on call now
			}
			n := herald.MaintenanceHandoverNotice(m, m.Approval.ByName, sh.Start, tx.db.links.Maintenance(m.ID))
			if _, _, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptMaintenanceHandover, Occurrence: "maintenance/" + m.ID + "/approved", Notice: n}, sh.UserID); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// TenantNoticeOut is what a tenant notice delivery carries: the notice and
// the copies.
type TenantNoticeOut struct {
	herald.Notice
	Cc []string
}

// prepareTenantNotice reads what a tenant notice delivery needs.
func (tx *tx) prepareTenantNotice(ctx context.Context, o *Outgoing) error {
	n := &TenantNoticeOut{}
	var cc string
	if err := tx.QueryRowContext(ctx, `SELECT recipient, cc, event, subject, body FROM tenant_notices WHERE id = $1`, o.ID).
		Scan(&o.Target, &cc, &n.Event, &n.Subject, &n.Body); err != nil {
		return dbErr("read tenant notice", err)
	}
	n.Event = "maintenance.emergency." + n.Event
	o.Kind, o.TenantNotice = "email", n
	return json.Unmarshal([]byte(cc), &n.Cc)
}
