package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// guardOverrideJSON is how an update's override of the content guard (R45)
// is stored: ” when there was none.
func guardOverrideJSON(o *herald.GuardOverride) string {
	if o == nil {
		return ""
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// readGuardOverride reads a stored override; one that cannot be read is
// logged and left out, so the update still shows.
func (tx *tx) readGuardOverride(data, updateID string) *herald.GuardOverride {
	if data == "" {
		return nil
	}
	var o herald.GuardOverride
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		tx.db.log.Warn("guard override unreadable; shown without it", "update", updateID, "err", err)
		return nil
	}
	return &o
}

// guardPublic runs the content guard (R45) on the fields of a public text
// about to be written: findings refuse it (422 naming each and its place)
// unless the input overrides the guard, which needs a responder or above;
// the override is returned for the caller to record.
func (tx *tx) guardPublic(ctx context.Context, actor herald.Actor, override bool, reason string, fields ...[2]string) (*herald.GuardOverride, error) {
	settings, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	fs := herald.GuardFields(settings.PublicGuard(tx.db.links.Base()), fields...)
	if len(fs) == 0 {
		return nil, nil
	}
	if !override {
		return nil, herald.GuardError(fs)
	}
	if !actor.Role.Allows(herald.RoleResponder) {
		return nil, herald.Errorf(herald.EForbidden, "overriding the content guard needs the responder role or above")
	}
	return &herald.GuardOverride{Reason: reason, Findings: fs}, nil
}

// recordMaintenanceGuard keeps an override of the guard on a maintenance's
// own text.
func (tx *tx) recordMaintenanceGuard(ctx context.Context, id string, o *herald.GuardOverride) error {
	if o == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET guard_override = $1 WHERE id = $2`, guardOverrideJSON(o), id); err != nil {
		return fmt.Errorf("record guard override: %w", err)
	}
	return nil
}

// recordMaintenanceUpdateGuard keeps an override of the guard on the update
// this transaction just posted with body.
func (tx *tx) recordMaintenanceUpdateGuard(ctx context.Context, id, body string, o *herald.GuardOverride) error {
	if o == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE maintenance_updates SET guard_override = $1 WHERE maintenance_id = $2 AND created_at = $3 AND body = $4`,
		guardOverrideJSON(o), id, micros(tx.now), body); err != nil {
		return fmt.Errorf("record guard override: %w", err)
	}
	return nil
}

// readMaintenanceGuards fills in the overrides of the guard on maintenances.
func (tx *tx) readMaintenanceGuards(ctx context.Context, byID map[string]*herald.Maintenance, in string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, guard_override FROM maintenances WHERE guard_override <> '' AND id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("read guard overrides: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return err
		}
		if m := byID[id]; m != nil {
			m.GuardOverride = tx.readGuardOverride(data, id)
		}
	}
	return rows.Err()
}
