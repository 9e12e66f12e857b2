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

// Who may do what (R10, R17, R51, R55, R56): qualifications, approvals of
// decisions, and the status page drafts that wait for the decision.

// qualifications reads a user's qualifications by name.
func (tx *tx) qualifications(ctx context.Context, userID string) ([]herald.Qualification, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, since, granted_by, granted_at FROM user_qualifications WHERE user_id = $1 ORDER BY name`, userID)
	if err != nil {
		return nil, fmt.Errorf("read qualifications: %w", err)
	}
	defer rows.Close()
	out := []herald.Qualification{}
	for rows.Next() {
		var q herald.Qualification
		var at int64
		if err := rows.Scan(&q.Name, &q.Since, &q.GrantedBy, &at); err != nil {
			return nil, fmt.Errorf("read qualifications: %w", err)
		}
		q.GrantedAt = fromMicros(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// Qualifications lists what a user is trained for, with dates (R56).
func (db *PeopleService) Qualifications(ctx context.Context, userRef string) ([]herald.Qualification, error) {
	var out []herald.Qualification
	err := db.read(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		out, err = tx.qualifications(ctx, u.ID)
		return err
	})
	return out, err
}

// SetQualification records (or re-dates) a user's qualification.
func (db *PeopleService) SetQualification(ctx context.Context, actor herald.Actor, userRef, name string, in herald.QualificationInput) (herald.Qualification, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if err := herald.CheckQualificationName(name); err != nil {
		return herald.Qualification{}, err
	}
	var q herald.Qualification
	err := db.write(ctx, func(tx *tx) error {
		if err := in.Normalize(tx.now); err != nil {
			return err
		}
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		q = herald.Qualification{Name: name, Since: in.Since, GrantedBy: actor.User.Name, GrantedAt: tx.now}
		_, err = tx.ExecContext(ctx, `INSERT INTO user_qualifications (user_id, name, since, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (user_id, name) DO UPDATE SET since = excluded.since, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
			u.ID, q.Name, q.Since, q.GrantedBy, micros(tx.now))
		if err != nil {
			return fmt.Errorf("set qualification: %w", err)
		}
		return nil
	})
	return q, err
}

// RemoveQualification removes a user's qualification.
func (db *PeopleService) RemoveQualification(ctx context.Context, actor herald.Actor, userRef, name string) error {
	return db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM user_qualifications WHERE user_id = $1 AND name = $2`, u.ID, strings.ToLower(strings.TrimSpace(name)))
		if err != nil {
			return fmt.Errorf("remove qualification: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "%s has no qualification %q", u.Name, name)
		}
		return nil
	})
}

// checkDecider is Settings.CheckDecider with the user's qualifications.
func (tx *tx) checkDecider(ctx context.Context, s *herald.Settings, kind string, inc *herald.Incident, u *herald.User) error {
	var quals []herald.Qualification
	if rule, ok := s.DecisionAuthority[kind]; ok && rule.Qualification != "" {
		var err error
		if quals, err = tx.qualifications(ctx, u.ID); err != nil {
			return err
		}
	}
	return s.CheckDecider(kind, inc, u, quals, tx.now)
}

// afterDecision does what a recorded decision sets off: a failover makes
// failing back a tracked follow-up, owned by its decider (R56).
func (tx *tx) afterDecision(ctx context.Context, actor herald.Actor, inc *herald.Incident, d herald.Decision) error {
	if d.Kind != herald.DecisionFailover {
		return nil
	}
	f := herald.FollowUp{ID: newID(), IncidentID: inc.ID, Title: "Manual failback", Owner: d.DecidedByName, CreatedAt: tx.now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO follow_ups (`+followUpColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.ID, f.IncidentID, f.Title, f.Owner, f.DueDate, f.Link, false, micros(f.CreatedAt), nullMicros(nil)); err != nil {
		return fmt.Errorf("insert follow-up: %w", err)
	}
	return tx.appendEntry(ctx, inc.ID, actor, herald.EntryFollowUp, "Follow-up added: Manual failback (owner "+f.Owner+"): failing back after a failover is manual (R56)", f)
}

// decisions reads an incident's decisions with their approvals.
func (tx *tx) decisions(ctx context.Context, incidentID string) ([]herald.DecisionStatus, error) {
	entries, err := tx.timeline(ctx, incidentID, "")
	if err != nil {
		return nil, err
	}
	out := []herald.DecisionStatus{}
	at := map[int64]int{}
	for _, e := range entries {
		switch e.Kind {
		case herald.EntryDecision:
			var d herald.Decision
			if err := json.Unmarshal(e.Data, &d); err != nil {
				continue // an entry written before decisions had data
			}
			at[e.ID] = len(out)
			out = append(out, herald.DecisionStatus{Entry: e, Decision: d, Approvals: []herald.DecisionApproval{}, Complete: d.Awaits == ""})
		case herald.EntryApproval:
			var a herald.DecisionApproval
			if json.Unmarshal(e.Data, &a) != nil {
				continue
			}
			if i, ok := at[a.DecisionID]; ok {
				out[i].Approvals = append(out[i].Approvals, a)
				out[i].Complete = true
			}
		}
	}
	return out, nil
}

// Decisions lists an incident's decisions with their approvals.
func (db *IncidentService) Decisions(ctx context.Context, ref string) ([]herald.DecisionStatus, error) {
	var out []herald.DecisionStatus
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.decisions(ctx, inc.ID)
		return err
	})
	return out, err
}

// ApproveDecision records the caller's approval of (or concurrence with) a
// decision.
func (db *IncidentService) ApproveDecision(ctx context.Context, actor herald.Actor, ref string, decisionID int64, in herald.ApprovalInput) (herald.DecisionStatus, error) {
	if err := in.Normalize(); err != nil {
		return herald.DecisionStatus{}, err
	}
	var st herald.DecisionStatus
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		all, err := tx.decisions(ctx, inc.ID)
		if err != nil {
			return err
		}
		i := -1
		for j := range all {
			if all[j].Entry.ID == decisionID {
				i = j
			}
		}
		if i < 0 {
			return herald.Errorf(herald.ENotFound, "no decision %d on %s", decisionID, inc.Reference)
		}
		st = all[i]
		d := st.Decision
		if d.Awaits == "" {
			return herald.Errorf(herald.EUnprocessable, "%s needed no approval when it was recorded", herald.DecisionWhat(d.Kind))
		}
		if st.Complete {
			return herald.Errorf(herald.EConflict, "%s is already approved by %s", herald.DecisionWhat(d.Kind), st.Approvals[0].ByName)
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		quals, err := tx.qualifications(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		if err := settings.CheckApproval(d, inc, &actor.User, quals, tx.now); err != nil {
			return err
		}
		a := herald.DecisionApproval{DecisionID: decisionID, By: actor.User.ID, ByName: actor.User.Name, At: tx.now, Comment: in.Comment}
		verb := "Approved"
		if strings.HasPrefix(d.Awaits, "the concurrence") {
			verb = "Concurred with"
		}
		text := fmt.Sprintf("%s %s's decision (%s): %s", verb, d.DecidedByName, d.Kind, d.What)
		if a.Comment != "" {
			text += ". " + a.Comment
		}
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryApproval, text, a); err != nil {
			return err
		}
		st.Approvals = append(st.Approvals, a)
		st.Complete = true
		return tx.touch(ctx, inc)
	})
	return st, err
}

// hasDecision reports whether a decision of kind is recorded on incidentID
// at or after since (micros; 0 for any time).
func (tx *tx) hasDecision(ctx context.Context, incidentID, kind string, since int64) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM timeline WHERE incident_id = $1 AND kind = $2 AND at >= $3`, incidentID, herald.EntryDecision, since)
	if err != nil {
		return false, fmt.Errorf("read decisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data sql.NullString
		if err := rows.Scan(&data); err != nil {
			return false, fmt.Errorf("read decisions: %w", err)
		}
		var d herald.Decision
		if data.Valid && json.Unmarshal([]byte(data.String), &d) == nil && d.Kind == kind {
			return true, nil
		}
	}
	return false, rows.Err()
}

// requireStatusDecision refuses the first public update for inc until the
// status page decision is recorded (R10).
func (tx *tx) requireStatusDecision(ctx context.Context, inc *herald.Incident) error {
	ok, err := tx.hasDecision(ctx, inc.ID, herald.DecisionStatusPage, 0)
	if err != nil || ok {
		return err
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	return settings.StatusDecisionNeeded(inc)
}

// requireAllClear refuses to resolve status incident s of inc until the
// incident lead's all-clear is recorded (R17), unless the setting is off.
// An all-clear counts when it is no older than the last update that said
// the incident was investigating or identified again.
func (tx *tx) requireAllClear(ctx context.Context, s *herald.StatusIncident, inc *herald.Incident) error {
	settings, err := tx.settings(ctx)
	if err != nil || !settings.RequireAllClear {
		return err
	}
	var since sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(created_at) FROM status_updates WHERE status_incident_id = $1 AND status IN ($2, $3)`,
		s.ID, herald.Investigating, herald.Identified).Scan(&since); err != nil {
		return fmt.Errorf("read status updates: %w", err)
	}
	ok, err := tx.hasDecision(ctx, inc.ID, herald.DecisionAllClear, since.Int64)
	if err != nil || ok {
		return err
	}
	return settings.AllClearNeeded(inc)
}

const draftColumns = `d.id, d.incident_id, i.reference, d.input, d.text, d.state, d.drafted_by, d.drafted_by_name, d.created_at, d.settled_by_name, d.settled_at, COALESCE(d.status_incident_id, '')`

func scanDraft(row interface{ Scan(...any) error }) (herald.StatusDraft, error) {
	var d herald.StatusDraft
	var input string
	var created int64
	var settled sql.NullInt64
	if err := row.Scan(&d.ID, &d.IncidentID, &d.Reference, &input, &d.Text, &d.State, &d.DraftedBy, &d.DraftedByName, &created, &d.SettledByName, &settled, &d.StatusIncidentID); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(input), &d.Input); err != nil {
		return d, fmt.Errorf("decode status draft %s: %w", d.ID, err)
	}
	d.ShowInput()
	d.CreatedAt, d.SettledAt = fromMicros(created), fromNullMicros(settled)
	return d, nil
}

func (tx *tx) statusDraft(ctx context.Context, id string) (herald.StatusDraft, error) {
	d, err := scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM status_drafts d JOIN incidents i ON i.id = d.incident_id WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, herald.Errorf(herald.ENotFound, "no status page draft %q", id)
	}
	return d, err
}

// DraftStatusIncident saves a first public update as a draft (R10).
func (db *StatusPageService) DraftStatusIncident(ctx context.Context, actor herald.Actor, in herald.StatusIncidentInput) (herald.StatusDraft, error) {
	if strings.TrimSpace(in.IncidentID) == "" {
		return herald.StatusDraft{}, &herald.Error{Code: herald.EInvalid, Message: "a draft is for an incident: incident_id is required",
			Fields: map[string]string{"incident_id": "is required"}}
	}
	// The draft is checked as the publication will be: what cannot be
	// published is refused now, not when the lead approves it.
	p, err := db.CreateStatusIncident(ctx, actor, in, true)
	if err != nil {
		return herald.StatusDraft{}, err
	}
	// The dry run shows the content guard's findings (R45); a draft is
	// refused for them as the publication would be.
	if len(p.Findings) > 0 && !in.OverrideGuard {
		return herald.StatusDraft{}, herald.GuardError(p.Findings)
	}
	// The input is kept as given (normalising twice would refuse the
	// "auto" impact it fills in); approving normalises it once.
	var d herald.StatusDraft
	err = db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, in.IncidentID)
		if err != nil {
			return err
		}
		in.IncidentID = inc.ID
		input, _ := json.Marshal(in)
		// The dry run's link names a status incident that was rolled back:
		// the text is shown without it, and publishing adds the real one.
		text := p.Text
		if p.Notice.URL != "" {
			text = strings.TrimSpace(strings.ReplaceAll(text, p.Notice.URL, ""))
		}
		d = herald.StatusDraft{ID: newID(), IncidentID: inc.ID, Reference: inc.Reference, Input: in, Text: text, State: herald.DraftPending,
			DraftedBy: actor.User.ID, DraftedByName: actor.User.Name, CreatedAt: tx.now}
		d.ShowInput()
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_drafts (id, incident_id, input, text, state, drafted_by, drafted_by_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, d.IncidentID, string(input), d.Text, d.State, d.DraftedBy, d.DraftedByName, micros(tx.now)); err != nil {
			return fmt.Errorf("insert status draft: %w", err)
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		text = fmt.Sprintf("Status page draft by %s, waiting for the decision of %s (R10): %s", actor.User.Name, decidersOf(&settings), in.Name)
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, text, map[string]any{"status_draft_id": d.ID}); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return d, err
}

// decidersOf names who decides on the status page, for the timeline.
func decidersOf(s *herald.Settings) string {
	rule := s.DecisionAuthority[herald.DecisionStatusPage]
	if len(rule.Roles) == 0 {
		return "a responder"
	}
	names := make([]string, len(rule.Roles))
	for i, r := range rule.Roles {
		names[i] = s.RoleName(r)
	}
	return "the " + strings.Join(names, " or ")
}

// StatusDrafts lists an incident's drafts, or every pending draft.
func (db *StatusPageService) StatusDrafts(ctx context.Context, ref string) ([]herald.StatusDraft, error) {
	out := []herald.StatusDraft{}
	err := db.read(ctx, func(tx *tx) error {
		q, arg := `SELECT `+draftColumns+` FROM status_drafts d JOIN incidents i ON i.id = d.incident_id WHERE d.state = $1`, any(herald.DraftPending)
		if ref != "" {
			inc, err := tx.incident(ctx, ref)
			if err != nil {
				return err
			}
			q, arg = `SELECT `+draftColumns+` FROM status_drafts d JOIN incidents i ON i.id = d.incident_id WHERE d.incident_id = $1`, inc.ID
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY d.created_at DESC, d.id DESC LIMIT 200`, arg)
		if err != nil {
			return fmt.Errorf("list status drafts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDraft(rows)
			if err != nil {
				return fmt.Errorf("list status drafts: %w", err)
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// settleDraft marks a pending draft settled; a draft settled meanwhile is
// a conflict.
func (tx *tx) settleDraft(ctx context.Context, actor herald.Actor, d *herald.StatusDraft, state, statusIncidentID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE status_drafts SET state = $1, settled_by_name = $2, settled_at = $3, status_incident_id = $4 WHERE id = $5 AND state = $6`,
		state, actor.User.Name, micros(tx.now), sql.NullString{String: statusIncidentID, Valid: statusIncidentID != ""}, d.ID, herald.DraftPending)
	if err != nil {
		return fmt.Errorf("settle status draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return herald.Errorf(herald.EConflict, "the draft is %s already", d.State)
	}
	t := tx.now
	d.State, d.SettledByName, d.SettledAt, d.StatusIncidentID = state, actor.User.Name, &t, statusIncidentID
	return nil
}

// ApproveStatusDraft records the decision and publishes the draft.
func (db *StatusPageService) ApproveStatusDraft(ctx context.Context, actor herald.Actor, id string) (herald.Preview, error) {
	var p herald.Preview
	err := db.write(ctx, func(tx *tx) error {
		d, err := tx.statusDraft(ctx, id)
		if err != nil {
			return err
		}
		if d.State != herald.DraftPending {
			return herald.Errorf(herald.EConflict, "the draft is %s already", d.State)
		}
		inc, err := tx.incident(ctx, d.IncidentID)
		if err != nil {
			return err
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := tx.checkDecider(ctx, &settings, herald.DecisionStatusPage, inc, &actor.User); err != nil {
			return err
		}
		decided, err := tx.hasDecision(ctx, inc.ID, herald.DecisionStatusPage, 0)
		if err != nil {
			return err
		}
		if !decided {
			dec := herald.Decision{Kind: herald.DecisionStatusPage, What: "Status page needed: publish " + d.Input.Name,
				Rationale: "approved the draft by " + d.DraftedByName + " as written", DecidedBy: actor.User.ID, DecidedByName: actor.User.Name}
			text := fmt.Sprintf("Decision (%s): %s. Rationale: %s", actor.User.Name, dec.What, dec.Rationale)
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryDecision, text, dec); err != nil {
				return err
			}
		}
		in := d.Input
		if err := in.Normalize(); err != nil {
			return err
		}
		if p, err = tx.createStatusIncident(ctx, actor, in, false); err != nil {
			return err
		}
		if err := tx.settleDraft(ctx, actor, &d, herald.DraftPublished, p.Incident.ID); err != nil {
			return err
		}
		text := fmt.Sprintf("%s approved the status page draft by %s; published as drafted: %s", actor.User.Name, d.DraftedByName, d.Input.Name)
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, text, map[string]any{"status_draft_id": d.ID, "status_incident_id": p.Incident.ID})
	})
	return p, err
}

// DiscardStatusDraft drops a pending draft.
func (db *StatusPageService) DiscardStatusDraft(ctx context.Context, actor herald.Actor, id string) (herald.StatusDraft, error) {
	var d herald.StatusDraft
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if d, err = tx.statusDraft(ctx, id); err != nil {
			return err
		}
		if d.State != herald.DraftPending {
			return herald.Errorf(herald.EConflict, "the draft is %s already", d.State)
		}
		inc, err := tx.incident(ctx, d.IncidentID)
		if err != nil {
			return err
		}
		if d.DraftedBy != actor.User.ID {
			settings, err := tx.settings(ctx)
			if err != nil {
				return err
			}
			if err := tx.checkDecider(ctx, &settings, herald.DecisionStatusPage, inc, &actor.User); err != nil {
				var he *herald.Error
				if errors.As(err, &he) {
					return herald.Errorf(herald.EForbidden, "a draft is discarded by its author or by whoever may approve it: %s", he.Message)
				}
				return err
			}
		}
		if err := tx.settleDraft(ctx, actor, &d, herald.DraftDiscarded, ""); err != nil {
			return err
		}
		text := fmt.Sprintf("%s discarded the status page draft by %s: %s", actor.User.Name, d.DraftedByName, d.Input.Name)
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, text, map[string]any{"status_draft_id": d.ID}); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return d, err
}
