package store

import (
	"context"
	"database/sql"
	"errors"
)

// IncidentFacts are what a Microsoft Teams card shows of a message's
// incident in its FactSet: severity, state and who holds which role.
type IncidentFacts struct {
	ID, Reference, Title string
	Severity, State      string
	// Roles are "role: name", in role order.
	Roles []RoleHolder
}

// RoleHolder is one incident role and the person holding it.
type RoleHolder struct {
	Role, Name string
}

// prepareTeams reads the incident a Teams message is about, for its card.
// A restricted message (R46) gets nothing: its card carries only the
// reference and the links.
func (tx *tx) prepareTeams(ctx context.Context, o *Outgoing) error {
	if o.Restricted != nil {
		return nil
	}
	id := o.incidentID
	switch {
	case o.Page != nil:
		id = o.Page.Page.IncidentID
	case o.Prompt != nil:
		id = o.Prompt.IncidentID
	}
	if id == "" {
		return nil
	}
	f := &IncidentFacts{ID: id}
	err := tx.QueryRowContext(ctx, `SELECT reference, title, severity, state FROM incidents WHERE id = $1`, id).
		Scan(&f.Reference, &f.Title, &f.Severity, &f.State)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return dbErr("the incident of a Teams card", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.role, u.name FROM incident_roles r JOIN users u ON u.id = r.user_id
		WHERE r.incident_id = $1 ORDER BY r.role`, id)
	if err != nil {
		return dbErr("the incident's roles", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h RoleHolder
		if err := rows.Scan(&h.Role, &h.Name); err != nil {
			return dbErr("the incident's roles", err)
		}
		f.Roles = append(f.Roles, h)
	}
	if err := rows.Err(); err != nil {
		return dbErr("the incident's roles", err)
	}
	o.Incident = f
	return nil
}
