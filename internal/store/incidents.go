package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

const incidentColumns = `id, number, reference, title, summary, severity, state, confidential, services, tenants,
	version, declared_by, declared_at, updated_at, resolved_at, chat_url, bridge_url, impact_started_at`

func scanIncident(row interface{ Scan(...any) error }) (*herald.Incident, error) {
	var inc herald.Incident
	var services, tenants string
	var declared, updated int64
	var resolved, impact sql.NullInt64
	err := row.Scan(&inc.ID, &inc.Number, &inc.Reference, &inc.Title, &inc.Summary, &inc.Severity, &inc.State,
		&inc.Confidential, &services, &tenants, &inc.Version, &inc.DeclaredBy, &declared, &updated, &resolved, &inc.ChatURL, &inc.BridgeURL, &impact)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(services), &inc.Services); err != nil {
		return nil, fmt.Errorf("decode services: %w", err)
	}
	if err := json.Unmarshal([]byte(tenants), &inc.Tenants); err != nil {
		return nil, fmt.Errorf("decode tenants: %w", err)
	}
	inc.DeclaredAt, inc.UpdatedAt, inc.ResolvedAt = fromMicros(declared), fromMicros(updated), fromNullMicros(resolved)
	inc.ImpactStartedAt = fromNullMicros(impact)
	inc.Labels, inc.Roles = []string{}, []herald.RoleAssignment{}
	return &inc, nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// DeclareIncident opens an incident in Investigating.
func (db *IncidentService) DeclareIncident(ctx context.Context, actor herald.Actor, in herald.DeclareInput) (*herald.Incident, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var inc *herald.Incident
	err := db.write(ctx, func(tx *tx) error {
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var number int64
		// A counter row rather than a sequence: numbers have no gaps (a
		// rolled-back declaration gives its number back), and the row lock
		// orders concurrent declarations across instances.
		if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'incident_number' RETURNING value`).Scan(&number); err != nil {
			return fmt.Errorf("next incident number: %w", err)
		}
		inc = &herald.Incident{
			ID: newID(), Number: number, Reference: settings.ReferencePrefix + "-" + strconv.FormatInt(number, 10),
			Title: in.Title, Summary: in.Summary, Severity: in.Severity, State: herald.Investigating,
			Confidential: in.Confidential, Services: in.Services, Tenants: in.Tenants,
			Version: 1, DeclaredBy: actor.User.Name, DeclaredAt: tx.now, UpdatedAt: tx.now,
			Labels: []string{}, Roles: []herald.RoleAssignment{}, ChatURL: in.ChatURL, BridgeURL: in.BridgeURL,
			ImpactStartedAt: in.ImpactStartedAt,
		}
		if inc.BridgeURL == "" {
			inc.BridgeURL = settings.Chat.Bridge.Link(inc) // every incident gets a call bridge when one is set
		}
		if err := herald.CheckImpactStart(inc.ImpactStartedAt, tx.now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO incidents (`+incidentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16, $17)`,
			inc.ID, inc.Number, inc.Reference, inc.Title, inc.Summary, inc.Severity, inc.State, inc.Confidential,
			jsonList(inc.Services), jsonList(inc.Tenants), inc.Version, inc.DeclaredBy, micros(tx.now), micros(tx.now), inc.ChatURL, inc.BridgeURL,
			nullMicros(inc.ImpactStartedAt))
		if err != nil {
			return fmt.Errorf("insert incident: %w", mapErr(err))
		}
		if len(in.Labels) > 0 {
			if _, err := tx.applyLabels(ctx, actor, inc, in.Labels, nil); err != nil {
				return err
			}
		}
		text := fmt.Sprintf("%s declared %s (%s): %s", actor.User.Name, inc.Reference, inc.Severity, inc.Title)
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryDeclared, text, map[string]any{
			"severity": inc.Severity, "title": inc.Title, "summary": inc.Summary,
		}); err != nil {
			return err
		}
		if err := tx.linkDeclared(ctx, actor, inc, in.Pages); err != nil {
			return err
		}
		return tx.pageRoles(ctx, actor, inc, settings)
	})
	if err != nil {
		return nil, err
	}
	db.kick() // roles may have been paged
	return inc, nil
}

var referenceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*-([0-9]+)$`)

// Incident finds an incident by id, number ("42") or reference ("INC-42").
func (db *IncidentService) Incident(ctx context.Context, ref string) (*herald.Incident, error) {
	var inc *herald.Incident
	err := db.read(ctx, func(tx *tx) (err error) {
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		if inc.Warnings, err = tx.incidentWarnings(ctx, inc.ID); err != nil {
			return err
		}
		t, err := tx.incidentTickets(ctx, inc)
		inc.Tickets = &t
		return err
	})
	return inc, err
}

func (tx *tx) incident(ctx context.Context, ref string) (*herald.Incident, error) {
	ref = strings.TrimSpace(ref)
	var row *sql.Row
	if m := referenceRE.FindStringSubmatch(ref); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		row = tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE number = $1`, n)
	} else if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		row = tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE number = $1`, n)
	} else {
		row = tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = $1`, ref)
	}
	inc, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no incident %q", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("read incident: %w", err)
	}
	if err := tx.fillIncidents(ctx, []*herald.Incident{inc}); err != nil {
		return nil, err
	}
	return inc, nil
}

// fillIncidents loads labels and roles for a page of incidents in two
// queries, whatever the page size.
func (tx *tx) fillIncidents(ctx context.Context, incs []*herald.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	byID := make(map[string]*herald.Incident, len(incs))
	ids := make([]string, len(incs))
	for i, inc := range incs {
		byID[inc.ID] = inc
		ids[i] = inc.ID
	}
	in, args := inList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, name FROM incident_labels WHERE incident_id IN (`+in+`) ORDER BY incident_id, name`, args...)
	if err != nil {
		return fmt.Errorf("read labels: %w", err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("read labels: %w", err)
		}
		byID[id].Labels = append(byID[id].Labels, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read labels: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT r.incident_id, r.role, r.user_id, u.name, r.assigned_at
		FROM incident_roles r JOIN users u ON u.id = r.user_id WHERE r.incident_id IN (`+in+`) ORDER BY r.incident_id, r.assigned_at`, args...)
	if err != nil {
		return fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a herald.RoleAssignment
		var at int64
		if err := rows.Scan(&id, &a.Role, &a.UserID, &a.UserName, &at); err != nil {
			return fmt.Errorf("read roles: %w", err)
		}
		a.AssignedAt = fromMicros(at)
		byID[id].Roles = append(byID[id].Roles, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.fillUpdatesDue(ctx, byID, in, args); err != nil {
		return err
	}
	return tx.fillInternalDue(ctx, byID, in, args)
}

// fillUpdatesDue sets when each incident's next public update is due, and
// whether it is overdue (R13), from its open status incident.
func (tx *tx) fillUpdatesDue(ctx context.Context, byID map[string]*herald.Incident, in string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, id, next_update_due FROM status_incidents
		WHERE incident_id IN (`+in+`) AND resolved_at IS NULL`, args...)
	if err != nil {
		return fmt.Errorf("read updates due: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sid string
		var due sql.NullInt64
		if err := rows.Scan(&id, &sid, &due); err != nil {
			return fmt.Errorf("read updates due: %w", err)
		}
		inc := byID[id]
		inc.StatusIncidentID, inc.NextUpdateDue = sid, fromNullMicros(due)
		inc.Overdue = inc.NextUpdateDue != nil && tx.now.After(*inc.NextUpdateDue)
	}
	return rows.Err()
}

// Incidents lists incidents newest first. Paging is by number ("before"),
// which stays correct while new incidents are declared, unlike an offset.
func (db *IncidentService) Incidents(ctx context.Context, f herald.ListFilter) ([]*herald.Incident, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if f.Active != nil {
		if *f.Active {
			add("state <> ?", herald.Resolved)
		} else {
			add("state = ?", herald.Resolved)
		}
	}
	if f.Severity != "" {
		add("severity = ?", f.Severity)
	}
	if f.Before > 0 {
		add("number < ?", f.Before)
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += ` ORDER BY number DESC LIMIT $` + strconv.Itoa(len(args))
	var out []*herald.Incident
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("list incidents: %w", err)
		}
		defer rows.Close()
		out = []*herald.Incident{}
		for rows.Next() {
			inc, err := scanIncident(rows)
			if err != nil {
				return fmt.Errorf("list incidents: %w", err)
			}
			out = append(out, inc)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list incidents: %w", err)
		}
		rows.Close()
		return tx.fillIncidents(ctx, out)
	})
	return out, err
}

// UpdateIncident changes an incident's fields and state. It refuses a write
// based on a stale read (EConflict, with the current incident), an illegal
// state move (EUnprocessable), and a severity change by someone the
// organisation's rules do not allow (R51). Each change is a timeline entry.
func (db *IncidentService) UpdateIncident(ctx context.Context, actor herald.Actor, ref string, in herald.UpdateInput) (*herald.Incident, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var inc *herald.Incident
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		if in.Version != inc.Version {
			return &herald.Error{Code: herald.EConflict, Current: inc,
				Message: fmt.Sprintf("%s changed since you read it (you sent version %d, it is now at %d): read it again and re-apply your change", inc.Reference, in.Version, inc.Version)}
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		type entry struct {
			kind, text string
			data       map[string]any
		}
		var entries []entry
		var changed []string

		if in.Severity != nil && *in.Severity != inc.Severity {
			if in.SeverityReason == "" {
				return &herald.Error{Code: herald.EInvalid, Message: "a severity change needs a reason", Fields: map[string]string{"severity_reason": "is required when severity changes"}}
			}
			if err := settings.CheckAuthority(herald.DecisionSeverity, inc, &actor.User); err != nil {
				return err
			}
			entries = append(entries, entry{herald.EntrySeverityChange,
				fmt.Sprintf("Severity changed from %s to %s: %s", inc.Severity, *in.Severity, in.SeverityReason),
				map[string]any{"from": inc.Severity, "to": *in.Severity, "reason": in.SeverityReason}})
			inc.Severity = *in.Severity
		}
		if in.State != nil {
			if err := herald.CheckTransition(inc.State, *in.State); err != nil {
				return err
			}
			from := inc.State
			if *in.State == herald.Resolved {
				if err := tx.checkResolvingChange(ctx, actor, &settings, inc); err != nil {
					return err // R16: skipping or shortening monitoring is the lead's call
				}
			}
			inc.State = *in.State
			kind := herald.TransitionKind(from, inc.State)
			switch kind {
			case "resolved":
				t := tx.now
				inc.ResolvedAt = &t
			case "reopened":
				inc.ResolvedAt = nil
			}
			entries = append(entries, entry{herald.EntryStateChange,
				fmt.Sprintf("State changed from %s to %s", from.Title(), inc.State.Title()),
				map[string]any{"from": from, "to": inc.State, "transition": kind}})
		}
		setText := func(field string, p *string, dst *string) {
			if p != nil && *p != *dst {
				*dst = *p
				changed = append(changed, field)
			}
		}
		setText("title", in.Title, &inc.Title)
		setText("summary", in.Summary, &inc.Summary)
		setList := func(field string, p *[]string, dst *[]string) {
			if p != nil && jsonList(*p) != jsonList(*dst) {
				*dst = *p
				changed = append(changed, field)
			}
		}
		setList("services", in.Services, &inc.Services)
		setList("tenants", in.Tenants, &inc.Tenants)
		if in.Confidential != nil && *in.Confidential != inc.Confidential {
			inc.Confidential = *in.Confidential
			changed = append(changed, "confidential")
		}
		setText("chat_url", in.ChatURL, &inc.ChatURL)
		setText("bridge_url", in.BridgeURL, &inc.BridgeURL)
		if in.ImpactStartedAt != nil && (inc.ImpactStartedAt == nil || !in.ImpactStartedAt.Equal(*inc.ImpactStartedAt)) {
			if err := herald.CheckImpactStart(in.ImpactStartedAt, inc.DeclaredAt); err != nil {
				return err
			}
			inc.ImpactStartedAt = in.ImpactStartedAt
			changed = append(changed, "impact_started_at")
		}
		if len(changed) > 0 {
			entries = append(entries, entry{herald.EntryUpdate, "Changed " + strings.Join(changed, ", "),
				map[string]any{"fields": changed, "title": inc.Title, "summary": inc.Summary, "services": inc.Services, "tenants": inc.Tenants, "confidential": inc.Confidential}})
		}
		if len(entries) == 0 {
			return herald.Errorf(herald.EUnprocessable, "nothing changed: %s already has those values", inc.Reference)
		}
		if in.Note != "" {
			entries = append(entries, entry{herald.EntryNote, in.Note, nil})
		}
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET title = $1, summary = $2, severity = $3, state = $4, confidential = $5,
			services = $6, tenants = $7, version = version + 1, updated_at = $8, resolved_at = $9, chat_url = $12, bridge_url = $13, impact_started_at = $14
			WHERE id = $10 AND version = $11`,
			inc.Title, inc.Summary, inc.Severity, inc.State, inc.Confidential, jsonList(inc.Services), jsonList(inc.Tenants),
			micros(tx.now), nullMicros(inc.ResolvedAt), inc.ID, inc.Version, inc.ChatURL, inc.BridgeURL, nullMicros(inc.ImpactStartedAt))
		if err != nil {
			return fmt.Errorf("update incident: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return herald.Errorf(herald.EConflict, "%s changed while this change was being made: read it again", inc.Reference)
		}
		inc.Version++
		inc.UpdatedAt = tx.now
		for _, e := range entries {
			if err := tx.appendEntry(ctx, inc.ID, actor, e.kind, e.text, e.data); err != nil {
				return err
			}
		}
		if inc.State == herald.Resolved && in.State != nil {
			return tx.scheduleReviews(ctx, actor, inc, settings)
		}
		if in.Severity != nil && inc.State.Active() {
			// A severity raised to one that pages roles pages those not yet
			// paged or held (R01).
			return tx.pageRoles(ctx, actor, inc, settings)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inc, nil
}

// touch marks an incident as changed by something outside its own fields
// (roles, labels, follow-ups) without bumping the version a PATCH checks:
// assigning a role must not make an unrelated edit of the summary stale.
func (tx *tx) touch(ctx context.Context, inc *herald.Incident) error {
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET updated_at = $1 WHERE id = $2`, micros(tx.now), inc.ID); err != nil {
		return fmt.Errorf("touch incident: %w", err)
	}
	inc.UpdatedAt = tx.now
	return nil
}

// AssignRole gives an incident role to a user, replacing whoever held it;
// the timeline records the hand-over.
func (db *IncidentService) AssignRole(ctx context.Context, actor herald.Actor, ref, role string, in herald.RoleInput) (*herald.Incident, error) {
	var inc *herald.Incident
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if !settings.HasRole(role) {
			return herald.Errorf(herald.ENotFound, "no incident role %q; the roles are %s", role, roleKeys(settings))
		}
		if strings.TrimSpace(in.User) == "" {
			return &herald.Error{Code: herald.EInvalid, Message: "user is required", Fields: map[string]string{"user": "a user id or e-mail address"}}
		}
		u, err := tx.user(ctx, in.User)
		if err != nil {
			return err
		}
		prev, had := inc.Role(role)
		if had && prev.UserID == u.ID {
			return herald.Errorf(herald.EUnprocessable, "%s is already the %s of %s", u.Name, settings.RoleName(role), inc.Reference)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id, role) DO UPDATE SET user_id = excluded.user_id, assigned_at = excluded.assigned_at`,
			inc.ID, role, u.ID, micros(tx.now))
		if err != nil {
			return fmt.Errorf("assign role: %w", err)
		}
		text := fmt.Sprintf("%s is now the %s", u.Name, settings.RoleName(role))
		data := map[string]any{"role": role, "user_id": u.ID, "user": u.Name}
		if had {
			text += fmt.Sprintf(", taking over from %s", prev.UserName)
			data["previous_user_id"], data["previous_user"] = prev.UserID, prev.UserName
		}
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryRoleChange, text, data); err != nil {
			return err
		}
		if err := tx.touch(ctx, inc); err != nil {
			return err
		}
		inc.Roles = replaceRole(inc.Roles, herald.RoleAssignment{Role: role, UserID: u.ID, UserName: u.Name, AssignedAt: tx.now})
		return nil
	})
	return inc, err
}

// UnassignRole leaves an incident role empty.
func (db *IncidentService) UnassignRole(ctx context.Context, actor herald.Actor, ref, role string) (*herald.Incident, error) {
	var inc *herald.Incident
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		prev, had := inc.Role(role)
		if !had {
			return herald.Errorf(herald.ENotFound, "nobody holds the %s role on %s", role, inc.Reference)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_roles WHERE incident_id = $1 AND role = $2`, inc.ID, role); err != nil {
			return fmt.Errorf("unassign role: %w", err)
		}
		text := fmt.Sprintf("%s is no longer the %s", prev.UserName, settings.RoleName(role))
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryRoleChange, text, map[string]any{"role": role, "previous_user_id": prev.UserID, "previous_user": prev.UserName}); err != nil {
			return err
		}
		inc.Roles = replaceRole(inc.Roles, herald.RoleAssignment{Role: role})
		return tx.touch(ctx, inc)
	})
	return inc, err
}

func replaceRole(roles []herald.RoleAssignment, a herald.RoleAssignment) []herald.RoleAssignment {
	out := []herald.RoleAssignment{}
	for _, r := range roles {
		if r.Role != a.Role {
			out = append(out, r)
		}
	}
	if a.UserID != "" {
		out = append(out, a)
	}
	return out
}

func roleKeys(s herald.Settings) string {
	keys := make([]string, len(s.IncidentRoles))
	for i, r := range s.IncidentRoles {
		keys[i] = r.Key
	}
	return strings.Join(keys, ", ")
}

// Label adds and removes labels on an incident. Adding a scoped label
// replaces the label that held its scope.
func (db *IncidentService) Label(ctx context.Context, actor herald.Actor, ref string, in herald.LabelInput) (*herald.Incident, error) {
	add, err := herald.NormalizeLabels(in.Add)
	if err != nil {
		return nil, &herald.Error{Code: herald.EInvalid, Message: err.Error(), Fields: map[string]string{"add": err.Error()}}
	}
	var remove []string
	for _, s := range in.Remove {
		l, err := herald.ParseLabel(s)
		if err != nil {
			return nil, &herald.Error{Code: herald.EInvalid, Message: err.Error(), Fields: map[string]string{"remove": err.Error()}}
		}
		remove = append(remove, l.Name)
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil, herald.Errorf(herald.EInvalid, "nothing to do: give labels to add or remove")
	}
	var inc *herald.Incident
	err = db.write(ctx, func(tx *tx) error {
		var err error
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		changed, err := tx.applyLabels(ctx, actor, inc, add, remove)
		if err != nil {
			return err
		}
		if !changed {
			return herald.Errorf(herald.EUnprocessable, "nothing changed: %s already has those labels", inc.Reference)
		}
		return tx.touch(ctx, inc)
	})
	return inc, err
}

// applyLabels writes label changes and their timeline entry, and reports
// whether anything changed.
func (tx *tx) applyLabels(ctx context.Context, actor herald.Actor, inc *herald.Incident, add, remove []string) (bool, error) {
	current := map[string]string{} // slot -> name
	for _, name := range inc.Labels {
		l, _ := herald.ParseLabel(name)
		current[l.Key()] = l.Name
	}
	var added, removed []string
	for _, name := range remove {
		l, _ := herald.ParseLabel(name)
		if current[l.Key()] != l.Name {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_labels WHERE incident_id = $1 AND slot = $2`, inc.ID, l.Key()); err != nil {
			return false, fmt.Errorf("remove label: %w", err)
		}
		delete(current, l.Key())
		removed = append(removed, l.Name)
	}
	for _, name := range add {
		l, _ := herald.ParseLabel(name)
		old, had := current[l.Key()]
		if had && old == l.Name {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_labels (incident_id, slot, name) VALUES ($1, $2, $3)
			ON CONFLICT (incident_id, slot) DO UPDATE SET name = excluded.name`, inc.ID, l.Key(), l.Name)
		if err != nil {
			return false, fmt.Errorf("add label: %w", err)
		}
		if had {
			removed = append(removed, old)
		}
		current[l.Key()] = l.Name
		added = append(added, l.Name)
	}
	if len(added) == 0 && len(removed) == 0 {
		return false, nil
	}
	inc.Labels = inc.Labels[:0]
	for _, name := range current {
		inc.Labels = append(inc.Labels, name)
	}
	slices.Sort(inc.Labels)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	text := "Labels: " + strings.Join(parts, "; ")
	return true, tx.appendEntry(ctx, inc.ID, actor, herald.EntryLabel, text, map[string]any{"added": orEmpty(added), "removed": orEmpty(removed)})
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// inList makes the placeholders ($1, $2, ...) and arguments of an IN list.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	return strings.Join(marks, ", "), args
}
