package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
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

// doctorTeams warns of every Teams contact method and channel whose URL is
// an old Office 365 connector's: Microsoft retired them, and each must be
// replaced by a Workflow's URL before it stops. The URL is a secret: the
// finding names its owner, never the URL.
func (tx *tx) doctorTeams(ctx context.Context, add func(kind, severity, fix, format string, args ...any)) error {
	const fix = "In Teams, make a Workflow from the template \"Post to a channel when a webhook request is received\", then replace the URL with the Workflow's (docs/CHATOPS.md, Teams)."
	rows, err := tx.QueryContext(ctx, `SELECT u.email, m.target FROM contact_methods m JOIN users u ON u.id = m.user_id WHERE m.kind = 'teams' ORDER BY u.email`)
	if err != nil {
		return fmt.Errorf("list Teams contact methods: %w", err)
	}
	var users []string
	for rows.Next() {
		var email, target string
		if err := rows.Scan(&email, &target); err != nil {
			rows.Close()
			return fmt.Errorf("list Teams contact methods: %w", err)
		}
		if herald.TeamsURLWarning("teams", target) != "" {
			users = append(users, email)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list Teams contact methods: %w", err)
	}
	for _, email := range users {
		add(herald.FindingTeamsConnector, herald.SeverityWarning, fix, "The Teams contact method of %s uses an old Office 365 connector URL (webhook.office.com), which Microsoft retired", email)
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, internal, target FROM subscribers WHERE kind = 'teams' AND unsubscribed_at IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("list Teams channels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, target string
		var internal bool
		if err := rows.Scan(&id, &internal, &target); err != nil {
			return fmt.Errorf("list Teams channels: %w", err)
		}
		if herald.TeamsURLWarning("teams", target) == "" {
			continue
		}
		what := "status page subscriber"
		if internal {
			what = "stakeholder channel"
		}
		add(herald.FindingTeamsConnector, herald.SeverityWarning, fix, "The Teams %s %s uses an old Office 365 connector URL (webhook.office.com), which Microsoft retired", what, id)
	}
	return rows.Err()
}
