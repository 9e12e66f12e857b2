package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// errDryRun rolls back a transaction that only previewed its change.
var errDryRun = errors.New("dry run")

// CreateStatusIncident publishes a new incident on the status page with its
// first update. Linked to an internal incident, it labels that incident
// Incident-Comms::Status-Page and says so on its timeline (R18). With
// dryRun it returns the checks and the preview and publishes nothing.
func (db *StatusPageService) CreateStatusIncident(ctx context.Context, actor herald.Actor, in herald.StatusIncidentInput, dryRun bool) (herald.Preview, error) {
	if err := in.Normalize(); err != nil {
		return herald.Preview{}, err
	}
	var p herald.Preview
	err := db.write(ctx, func(tx *tx) (err error) {
		p, err = tx.createStatusIncident(ctx, actor, in, dryRun)
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return p, err
}

// createStatusIncident is CreateStatusIncident in the caller's
// transaction (approving a draft publishes through it too); a dry run
// returns errDryRun, which rolls the transaction back.
func (tx *tx) createStatusIncident(ctx context.Context, actor herald.Actor, in herald.StatusIncidentInput, dryRun bool) (herald.Preview, error) {
	db := tx.db
	var p herald.Preview
	s := &herald.StatusIncident{ID: newID(), Name: in.Name, Status: herald.Investigating, Impact: in.Impact,
		Components: map[string]herald.ComponentStatus{}, CreatedAt: tx.now, UpdatedAt: tx.now}
	var internal *herald.Incident
	if in.IncidentID != "" {
		var err error
		if internal, err = tx.incident(ctx, in.IncidentID); err != nil {
			if herald.ErrorCode(err) == herald.ENotFound {
				return p, &herald.Error{Code: herald.EInvalid, Message: err.(*herald.Error).Message, Fields: map[string]string{"incident_id": "no such incident"}}
			}
			return p, err
		}
		if run, err := tx.practiceRunOf(ctx, internal.ID); err != nil || run != "" {
			if err != nil {
				return p, err
			}
			// R63: a practice publishes on its sandbox page only.
			return p, &herald.Error{Code: herald.EUnprocessable, Message: internal.Reference + " is a practice incident: its updates go on the run's sandbox page, never the public one",
				Fields: map[string]string{"incident_id": "is a practice incident"}}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM status_incidents WHERE incident_id = $1`, internal.ID).Scan(&n); err != nil {
			return p, err
		}
		if n > 0 {
			return p, herald.Errorf(herald.EConflict, "%s already has a status page incident", internal.Reference)
		}
		if !dryRun {
			// R10: a preview is for anyone; publishing needs the decision.
			if err := tx.requireStatusDecision(ctx, internal); err != nil {
				return p, err
			}
		}
		s.IncidentID = internal.ID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO status_incidents (id, incident_id, name, status, impact, postmortem_url, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '', $6, $6)`, s.ID, sql.NullString{String: s.IncidentID, Valid: s.IncidentID != ""}, s.Name, s.Status, "none", micros(tx.now))
	if err != nil {
		return p, fmt.Errorf("insert status incident: %w", err)
	}
	if p, err = tx.publish(ctx, actor, s, in.StatusUpdateInput, in.Impact == "auto", internal, dryRun); err != nil {
		return p, err
	}
	if internal != nil && !dryRun {
		if _, err := tx.applyLabels(ctx, actor, internal, []string{herald.LabelStatusPage}, nil); err != nil {
			return p, err
		}
		text := fmt.Sprintf("Published on the status page: %s (%s)", s.Name, db.links.StatusIncident(s.ID))
		if err := tx.appendEntry(ctx, internal.ID, actor, herald.EntryNote, text, map[string]any{"status_incident_id": s.ID}); err != nil {
			return p, err
		}
	}
	if dryRun {
		return p, errDryRun
	}
	return p, nil
}

// PublishUpdate publishes an update on a status incident: the only way its
// state and its components' status change (R12). Resolving sets its
// components back to operational (what else still affects them keeps them
// as they are) and needs no component list (R17). With dryRun nothing is
// published.
func (db *StatusPageService) PublishUpdate(ctx context.Context, actor herald.Actor, id string, in herald.StatusUpdateInput, dryRun bool) (herald.Preview, error) {
	if err := in.Normalize(); err != nil {
		return herald.Preview{}, err
	}
	var p herald.Preview
	err := db.write(ctx, func(tx *tx) error {
		s, err := tx.statusIncident(ctx, id)
		if err != nil {
			return err
		}
		// An update may keep the state (most do); a move must be legal.
		if s.Status != in.Status {
			if err := herald.CheckTransition(s.Status, in.Status); err != nil {
				return err
			}
		}
		var internal *herald.Incident
		if s.IncidentID != "" {
			if internal, err = tx.incident(ctx, s.IncidentID); err != nil {
				return err
			}
		}
		if internal != nil && !dryRun && in.Status == herald.Resolved && s.Status != herald.Resolved {
			// R17: resolving needs the incident lead's all-clear.
			if err := tx.requireAllClear(ctx, s, internal); err != nil {
				return err
			}
		}
		if p, err = tx.publish(ctx, actor, s, in, false, internal, dryRun); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return p, err
}

// publish writes one update of s: checks the text (R14), moves the state
// and the components, sets when the next update is due (R13), and derives
// the components' shown status again. The content guard (R45) refuses
// internal details unless overridden; a dry run shows them as checks.
func (tx *tx) publish(ctx context.Context, actor herald.Actor, s *herald.StatusIncident, in herald.StatusUpdateInput, autoImpact bool, internal *herald.Incident, dryRun bool) (herald.Preview, error) {
	if in.OverrideGuard && !actor.Role.Allows(herald.RoleResponder) {
		return herald.Preview{}, herald.Errorf(herald.EForbidden, "overriding the content guard needs the responder role or above")
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return herald.Preview{}, err
	}
	if !dryRun { // a preview is for anyone (as for R10, R17)
		if err := tx.checkMonitoringChange(ctx, actor, &settings, s, in, internal); err != nil {
			return herald.Preview{}, err // R16: the lead's call
		}
	}
	renamed, removed, err := tx.applyPendingEdit(ctx, s, &in)
	if err != nil {
		return herald.Preview{}, err
	}
	comps, err := tx.components(ctx)
	if err != nil {
		return herald.Preview{}, err
	}
	plan, err := herald.PlanPublish(herald.PublishInput{Incident: s, Update: in, Components: comps, Settings: settings,
		Severity: severityOf(s, internal), Link: tx.db.links.StatusIncident(s.ID), AutoImpact: autoImpact, Now: tx.now,
		GuardName: len(s.Updates) == 0 || renamed != "", DryRun: dryRun})
	p := herald.Preview{Checks: plan.Checks, Findings: plan.Findings, Text: plan.Text, Notice: plan.Notice}
	if err != nil {
		return p, err
	}

	// Write it.
	for _, cid := range plan.Order {
		_, err := tx.ExecContext(ctx, `INSERT INTO status_incident_components (status_incident_id, component_id, status) VALUES ($1, $2, $3)
			ON CONFLICT (status_incident_id, component_id) DO UPDATE SET status = excluded.status`, s.ID, cid, plan.Components[cid])
		if err != nil {
			return p, fmt.Errorf("set incident component: %w", err)
		}
	}
	from := s.Status
	s.Components, s.Status, s.Impact, s.UpdatedAt = plan.Components, plan.Status, plan.Impact, tx.now
	s.ResolvedAt, s.MonitoringUntil, s.NextUpdateDue = plan.ResolvedAt, plan.MonitoringUntil, plan.NextUpdateDue
	s.Overdue = false // an update was just published
	overridden := plan.Overridden
	u := herald.StatusUpdate{ID: newID(), Status: s.Status, Body: plan.Text, Components: plan.Changes, CreatedAt: tx.now, Actor: actor.User.Name,
		ChecksOverridden: overridden, NextUpdateIn: in.NextUpdateIn, Channels: in.Channels, Name: renamed, GuardOverride: plan.GuardOverride}
	u.Components = append(u.Components, removed...)
	if u.Components == nil {
		u.Components = []herald.ComponentChange{}
	}
	compJSON, _ := json.Marshal(u.Components)
	chanJSON, _ := json.Marshal(orEmptyMap(in.Channels))
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_updates (id, status_incident_id, status, body, components, actor, checks_overridden, next_update_in, channels, created_at, name, guard_override)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, u.ID, s.ID, u.Status, u.Body, string(compJSON), u.Actor, overridden, in.NextUpdateIn, string(chanJSON), micros(tx.now), u.Name, guardOverrideJSON(u.GuardOverride)); err != nil {
		return p, fmt.Errorf("insert status update: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE status_incidents SET status = $1, impact = $2, updated_at = $3, resolved_at = $4, next_update_due = $5, monitoring_until = $6 WHERE id = $7`,
		s.Status, s.Impact, micros(tx.now), nullMicros(s.ResolvedAt), nullMicros(s.NextUpdateDue), nullMicros(s.MonitoringUntil), s.ID); err != nil {
		return p, fmt.Errorf("update status incident: %w", err)
	}
	s.Updates = append([]herald.StatusUpdate{u}, s.Updates...)
	if internal != nil {
		text := fmt.Sprintf("Status page update (%s): %s", s.Status.Title(), u.Body)
		if from != s.Status && len(s.Updates) > 1 {
			text = fmt.Sprintf("Status page moved from %s to %s: %s", from.Title(), s.Status.Title(), u.Body)
		}
		data := map[string]any{"status_incident_id": s.ID, "update_id": u.ID, "checks_overridden": overridden}
		if err := tx.appendEntry(ctx, internal.ID, actor, herald.EntryNote, text, data); err != nil {
			return p, err
		}
		if u.GuardOverride != nil {
			data := map[string]any{"status_incident_id": s.ID, "update_id": u.ID, "guard_override": u.GuardOverride}
			if err := tx.appendEntry(ctx, internal.ID, actor, herald.EntryNote, herald.GuardOverrideText(actor.User.Name, u.GuardOverride), data); err != nil {
				return p, err
			}
		}
	}
	if err := tx.recomputeComponents(ctx); err != nil {
		return p, err
	}
	s.URL = tx.db.links.StatusIncident(s.ID)
	// Tell the subscribers of the affected components, on every channel
	// the publisher did not uncheck (R11).
	if err := tx.broadcast(ctx, plan.Notice, plan.Order, in.Channels, "", ""); err != nil {
		return p, err
	}
	if err := tx.broadcastToTenantPages(ctx, plan.Notice, in.Channels, "", s.IncidentID, "", plan.Order); err != nil {
		return p, err // and to the subscribers of the tenants' private pages
	}
	p.Incident = s
	return p, nil
}

func orEmptyMap(m map[string]bool) map[string]bool {
	if m == nil {
		return map[string]bool{}
	}
	return m
}

// severityOf is the severity that sets a status incident's cadence: its
// internal incident's, or one read from its impact.
func severityOf(s *herald.StatusIncident, internal *herald.Incident) herald.Severity {
	if internal != nil {
		return internal.Severity
	}
	switch s.Impact {
	case herald.ImpactCritical:
		return herald.S1
	case herald.ImpactMajor:
		return herald.S2
	case herald.ImpactMinor:
		return herald.S3
	}
	return herald.S4
}

// SetPostmortem adds the post-mortem link to a resolved status incident
// (R17).
func (db *StatusPageService) SetPostmortem(ctx context.Context, actor herald.Actor, id, link string) (*herald.StatusIncident, error) {
	link = strings.TrimSpace(link)
	if err := herald.CheckLink(link); err != nil {
		return nil, &herald.Error{Code: herald.EInvalid, Message: "postmortem_url " + err.(*herald.Error).Message, Fields: map[string]string{"postmortem_url": err.(*herald.Error).Message}}
	}
	var s *herald.StatusIncident
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if s, err = tx.statusIncident(ctx, id); err != nil {
			return err
		}
		if s.Status != herald.Resolved {
			return herald.Errorf(herald.EUnprocessable, "the post-mortem link is added once the incident is resolved")
		}
		if s.IncidentID != "" {
			if err := tx.postmortemReview(ctx, actor, s.IncidentID, link); err != nil { // R54
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_incidents SET postmortem_url = $1, updated_at = $2 WHERE id = $3`, link, micros(tx.now), s.ID); err != nil {
			return fmt.Errorf("set post-mortem: %w", err)
		}
		s.PostmortemURL, s.UpdatedAt = link, tx.now
		if s.IncidentID != "" {
			if err := tx.appendEntry(ctx, s.IncidentID, actor, herald.EntryNote, "Post-mortem linked on the status page: "+link, nil); err != nil {
				return err
			}
		}
		return tx.bumpStatusVersion(ctx)
	})
	return s, err
}

const statusIncidentColumns = `id, COALESCE(incident_id, ''), name, status, impact, postmortem_url, created_at, updated_at, resolved_at, next_update_due, monitoring_until, pending_name, pending_components`

func scanStatusIncident(row interface{ Scan(...any) error }) (*herald.StatusIncident, error) {
	var s herald.StatusIncident
	var created, updated int64
	var resolved, due, monitoring sql.NullInt64
	var pending sql.NullString
	if err := row.Scan(&s.ID, &s.IncidentID, &s.Name, &s.Status, &s.Impact, &s.PostmortemURL, &created, &updated, &resolved, &due, &monitoring, &s.PendingName, &pending); err != nil {
		return nil, err
	}
	if pending.Valid && json.Unmarshal([]byte(pending.String), &s.PendingComponents) == nil && s.PendingComponents == nil {
		s.PendingComponents = []string{}
	}
	s.MonitoringUntil = fromNullMicros(monitoring)
	s.CreatedAt, s.UpdatedAt, s.ResolvedAt, s.NextUpdateDue = fromMicros(created), fromMicros(updated), fromNullMicros(resolved), fromNullMicros(due)
	s.Components = map[string]herald.ComponentStatus{}
	s.Updates = []herald.StatusUpdate{}
	return &s, nil
}

// StatusIncident reads one status incident with its updates.
func (db *StatusPageService) StatusIncident(ctx context.Context, id string) (*herald.StatusIncident, error) {
	var s *herald.StatusIncident
	err := db.read(ctx, func(tx *tx) (err error) {
		s, err = tx.statusIncident(ctx, id)
		return err
	})
	return s, err
}

func (tx *tx) statusIncident(ctx context.Context, id string) (*herald.StatusIncident, error) {
	s, err := scanStatusIncident(tx.QueryRowContext(ctx, `SELECT `+statusIncidentColumns+` FROM status_incidents WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no status incident %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read status incident: %w", err)
	}
	list := []*herald.StatusIncident{s}
	if err := tx.fillStatusIncidents(ctx, list, `WHERE status_incident_id = $1`, s.ID); err != nil {
		return nil, err
	}
	s.URL = tx.db.links.StatusIncident(s.ID)
	return s, nil
}

// StatusIncidents lists status incidents, newest first.
func (db *StatusPageService) StatusIncidents(ctx context.Context, limit int) ([]*herald.StatusIncident, error) {
	var out []*herald.StatusIncident
	err := db.read(ctx, func(tx *tx) (err error) {
		out, err = tx.statusIncidents(ctx, limit)
		return err
	})
	return out, err
}

func (tx *tx) statusIncidents(ctx context.Context, limit int) ([]*herald.StatusIncident, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+statusIncidentColumns+` FROM status_incidents ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list status incidents: %w", err)
	}
	out := []*herald.StatusIncident{}
	for rows.Next() {
		s, err := scanStatusIncident(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list status incidents: %w", err)
		}
		s.URL = tx.db.links.StatusIncident(s.ID)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	oldest := micros(out[len(out)-1].CreatedAt)
	return out, tx.fillStatusIncidents(ctx, out, `WHERE status_incident_id IN (SELECT id FROM status_incidents WHERE created_at >= $1)`, oldest)
}

// fillStatusIncidents loads components and updates for the listed
// incidents; where selects the rows (with one argument).
func (tx *tx) fillStatusIncidents(ctx context.Context, list []*herald.StatusIncident, where string, arg any) error {
	byID := map[string]*herald.StatusIncident{}
	for _, s := range list {
		byID[s.ID] = s
		s.Overdue = s.ResolvedAt == nil && s.NextUpdateDue != nil && tx.now.After(*s.NextUpdateDue)
	}
	rows, err := tx.QueryContext(ctx, `SELECT status_incident_id, component_id, status FROM status_incident_components `+where, arg)
	if err != nil {
		return fmt.Errorf("read incident components: %w", err)
	}
	for rows.Next() {
		var sid, cid string
		var st herald.ComponentStatus
		if err := rows.Scan(&sid, &cid, &st); err != nil {
			rows.Close()
			return err
		}
		if s := byID[sid]; s != nil {
			s.Components[cid] = st
		}
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT status_incident_id, id, status, body, components, actor, checks_overridden, next_update_in, channels, created_at, name, guard_override
		FROM status_updates `+where+` ORDER BY created_at DESC, id DESC`, arg)
	if err != nil {
		return fmt.Errorf("read status updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid, comps, chans, guard string
		var u herald.StatusUpdate
		var at int64
		if err := rows.Scan(&sid, &u.ID, &u.Status, &u.Body, &comps, &u.Actor, &u.ChecksOverridden, &u.NextUpdateIn, &chans, &at, &u.Name, &guard); err != nil {
			return fmt.Errorf("read status updates: %w", err)
		}
		u.GuardOverride = tx.readGuardOverride(guard, u.ID)
		u.CreatedAt = fromMicros(at)
		// A part of an update that cannot be read is left out, not the page:
		// the status page must render during an outage whatever one row
		// holds.
		if err := json.Unmarshal([]byte(comps), &u.Components); err != nil {
			tx.db.log.Warn("status update components unreadable; shown without them", "update", u.ID, "err", err)
			u.Components = []herald.ComponentChange{}
		}
		if err := json.Unmarshal([]byte(chans), &u.Channels); err != nil {
			tx.db.log.Warn("status update channels unreadable; shown without them", "update", u.ID, "err", err)
			u.Channels = nil
		}
		if s := byID[sid]; s != nil {
			s.Updates = append(s.Updates, u)
		}
	}
	return rows.Err()
}
