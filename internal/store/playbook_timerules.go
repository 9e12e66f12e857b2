package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The playbook's time rules: monitoring that ends or recurs (R16), the
// communications role engaged in time (R52), the director told of an S1 not
// mitigated within the hour (R53). Each runs on the playbook loop from the
// injected clock; what a rule does to an incident beyond a prompt (a state
// change, a page, a timeline entry) it does once, guarded by a row of
// playbook_once that several instances cannot both insert.

// Keys of playbook_once.
const (
	onceRecurred   = "R16/recurred" // occurrence: the monitoring period's start
	onceMonitorEnd = "R16/over"     // occurrence: the period's end
	onceEngaged    = "R52"          // one per incident
	onceDirector   = "R53"          // one per incident
)

// once records that rule acted on an incident for occurrence, and reports
// whether this call was the first. Call it before acting: on PostgreSQL a
// second instance waits here for the first to commit and then finds the row.
func (tx *tx) once(ctx context.Context, rule, incidentID, occurrence string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO playbook_once (rule, incident_id, occurrence, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (rule, incident_id, occurrence) DO NOTHING`, rule, incidentID, occurrence, micros(tx.now))
	if err != nil {
		return false, fmt.Errorf("record %s: %w", rule, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// monitoringPeriod is how long monitoring lasts unless an update set its
// own (R16). The one place the rules read the setting.
func monitoringPeriod(s herald.Settings) time.Duration {
	return s.MonitoringPeriod()
}

// stateEntry is one state change from an incident's timeline.
type stateEntry struct {
	at                   time.Time
	from, to, transition string
}

// stateChanges reads an incident's state changes, oldest first.
func (tx *tx) stateChanges(ctx context.Context, incidentID string) ([]stateEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at, COALESCE(data, '') FROM timeline WHERE incident_id = $1 AND kind = $2 ORDER BY id`, incidentID, herald.EntryStateChange)
	if err != nil {
		return nil, fmt.Errorf("read state changes: %w", err)
	}
	defer rows.Close()
	var out []stateEntry
	for rows.Next() {
		var at int64
		var data string
		if err := rows.Scan(&at, &data); err != nil {
			return nil, err
		}
		var d struct {
			From       string `json:"from"`
			To         string `json:"to"`
			Transition string `json:"transition"`
		}
		_ = json.Unmarshal([]byte(data), &d) // an entry without data is no move
		out = append(out, stateEntry{fromMicros(at), d.From, d.To, d.Transition})
	}
	return out, rows.Err()
}

// monitoring is an incident's current monitoring period (R16).
type monitoring struct {
	since, until time.Time
	// public says the open status incident shows Monitoring.
	public bool
	// recurred says how the problem came back since the period began;
	// empty when it did not. pageID is the page that said so, if one did.
	recurred, pageID string
}

// monitoringOf finds an incident's monitoring period. The internal state
// and the public one move separately (only a published update moves the
// public one, R12), so the period is the later of the two starts, and ends
// when both have ended: the internal one after the setting, the public one
// at its monitoring_until (the lead may have set its length). ok is false
// when the incident is in neither, or a recurrence already returned this
// period to managing.
func (tx *tx) monitoringOf(ctx context.Context, inc *herald.Incident, s herald.Settings) (m monitoring, ok bool, err error) {
	if inc.State == herald.Resolved {
		return m, false, nil
	}
	changes, err := tx.stateChanges(ctx, inc.ID)
	if err != nil {
		return m, false, err
	}
	found := false
	widen := func(since, until time.Time) {
		if !found || since.After(m.since) {
			m.since = since
		}
		if !found || until.After(m.until) {
			m.until = until
		}
		found = true
	}
	if inc.State == herald.Monitoring {
		since := inc.UpdatedAt
		for _, c := range changes {
			if c.to == string(herald.Monitoring) {
				since = c.at
			}
		}
		widen(since, since.Add(monitoringPeriod(s)))
	}
	// The public face: the run of Monitoring updates the status incident
	// ends with, and the moves back published since.
	type update struct {
		status herald.State
		at     time.Time
	}
	var updates []update
	var statusID string
	var status herald.State
	var until sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, status, monitoring_until FROM status_incidents WHERE incident_id = $1 AND resolved_at IS NULL`, inc.ID).
		Scan(&statusID, &status, &until)
	if err != nil && err != sql.ErrNoRows {
		return m, false, fmt.Errorf("read status incident: %w", err)
	}
	if err == nil {
		rows, err := tx.QueryContext(ctx, `SELECT status, created_at FROM status_updates WHERE status_incident_id = $1 ORDER BY created_at, id`, statusID)
		if err != nil {
			return m, false, fmt.Errorf("read status updates: %w", err)
		}
		for rows.Next() {
			var u update
			var at int64
			if err := rows.Scan(&u.status, &at); err != nil {
				rows.Close()
				return m, false, err
			}
			u.at = fromMicros(at)
			updates = append(updates, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return m, false, err
		}
		if status == herald.Monitoring && len(updates) > 0 {
			i := len(updates) - 1
			for i > 0 && updates[i-1].status == herald.Monitoring {
				i--
			}
			since := updates[i].at
			end := since.Add(monitoringPeriod(s))
			if until.Valid {
				end = fromMicros(until.Int64)
			}
			widen(since, end)
			m.public = true
		}
	}
	if !found {
		return m, false, nil
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(at) FROM playbook_once WHERE incident_id = $1 AND rule = $2`, inc.ID, onceRecurred).Scan(&last); err != nil {
		return m, false, fmt.Errorf("read recurrences: %w", err)
	}
	if last.Valid && !fromMicros(last.Int64).Before(m.since) {
		return m, false, nil // returned to managing; a new period starts when monitoring does again
	}

	// What would say the problem is back, since the period began: a state
	// moved back by a person, inside or on the status page...
	for _, c := range changes {
		if !c.at.Before(m.since) && c.transition == "recurred" {
			m.recurred = fmt.Sprintf("the state was moved back from %s to %s", herald.State(c.from).Title(), herald.State(c.to).Title())
		}
	}
	for i, u := range updates {
		if i > 0 && updates[i-1].status == herald.Monitoring && !u.at.Before(m.since) && (u.status == herald.Investigating || u.status == herald.Identified) {
			m.recurred = "the status page was moved back to " + u.status.Title()
		}
	}
	// ... or a new page on one of the incident's services. Herald's own
	// pages for the incident (its roles, cover, the director) are not one.
	if m.recurred == "" && len(inc.Services) > 0 {
		in, args := inList(inc.Services)
		n := len(args)
		var pageID, service, summary string
		err := tx.QueryRowContext(ctx, `SELECT p.id, s.name, p.summary FROM pages p JOIN services s ON s.id = p.service_id
			WHERE (s.name IN (`+in+`) OR s.id IN (`+in+`)) AND p.first_seen >= $`+fmt.Sprint(n+1)+` AND p.dedup_key NOT LIKE 'incident/%'
			ORDER BY p.first_seen, p.id LIMIT 1`, append(args, micros(m.since))...).Scan(&pageID, &service, &summary)
		if err != nil && err != sql.ErrNoRows {
			return m, false, fmt.Errorf("read pages: %w", err)
		}
		if err == nil {
			m.recurred, m.pageID = fmt.Sprintf("%s paged again (%s)", service, summary), pageID
		}
	}
	return m, true, nil
}

// watchMonitoring applies R16 to every incident in monitoring: a recurrence
// returns it to managing (the internal state back to Identified; the public
// state changes only with a published update, R12) and prompts the lead and
// the communications role; a period that ends without one prompts the lead
// to resolve.
func (tx *tx) watchMonitoring(ctx context.Context, s herald.Settings) error {
	ids, err := tx.ids(ctx, "read incidents due", `SELECT id FROM incidents WHERE state = 'monitoring'
		UNION SELECT incident_id FROM status_incidents WHERE resolved_at IS NULL AND status = 'monitoring' AND incident_id IS NOT NULL`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		inc, err := tx.incident(ctx, id)
		if err != nil {
			return err
		}
		m, ok, err := tx.monitoringOf(ctx, inc, s)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if m.recurred != "" {
			err = tx.recur(ctx, inc, m)
		} else if !tx.now.Before(m.until) {
			err = tx.monitoringOver(ctx, inc, m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// recur returns an incident whose problem came back to managing, once per
// monitoring period.
func (tx *tx) recur(ctx context.Context, inc *herald.Incident, m monitoring) error {
	if first, err := tx.once(ctx, onceRecurred, inc.ID, occurrenceAt(m.since)); err != nil || !first {
		return err
	}
	data := map[string]any{"rule": "R16", "cause": m.recurred}
	if m.pageID != "" {
		data["page_id"] = m.pageID
	}
	if inc.State == herald.Monitoring {
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND state = $4`,
			herald.Identified, micros(tx.now), inc.ID, herald.Monitoring)
		if err != nil {
			return fmt.Errorf("return to managing: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			d := map[string]any{"from": herald.Monitoring, "to": herald.Identified, "transition": "recurred"}
			for k, v := range data {
				d[k] = v
			}
			text := fmt.Sprintf("State changed from Monitoring to Identified: recurrence during monitoring (%s)", m.recurred)
			if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryStateChange, text, d); err != nil {
				return err
			}
		}
	}
	users := []string{}
	for _, role := range []string{herald.RoleIncidentLead, herald.RoleCommunications} {
		if a, ok := inc.Role(role); ok {
			users = append(users, a.UserID)
		}
	}
	if len(users) == 0 {
		users = append(users, remindee(inc))
	}
	notice := herald.RecurredNotice(inc.Reference, inc.Title, m.recurred, m.public, tx.db.links.Incident(inc.Reference))
	prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptRecurred, IncidentID: inc.ID, Occurrence: occurrenceAt(m.since), Notice: notice}, users...)
	if err != nil {
		return err
	}
	text := "Recurrence during monitoring (" + m.recurred + "): the incident is managed again"
	if m.public {
		text += "; the status page still says Monitoring, so a public update is due"
	}
	data["prompt"] = herald.PromptRecurred
	return tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryPrompt, text+promptedText(prompted, unreachable, "told"), data)
}

// monitoringOver prompts the incident lead (the engineer, or
// communications, when nobody leads) to resolve, once per period's end.
func (tx *tx) monitoringOver(ctx context.Context, inc *herald.Incident, m monitoring) error {
	occurrence := occurrenceAt(m.until, "over")
	if first, err := tx.once(ctx, onceMonitorEnd, inc.ID, occurrence); err != nil || !first {
		return err
	}
	notice := herald.MonitoringOverNotice(inc.Reference, inc.Title, m.since, m.until, tx.db.links.Incident(inc.Reference))
	prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptMonitoringOver, IncidentID: inc.ID, Occurrence: occurrence, Notice: notice}, leadOf(inc))
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Monitoring ended at %s UTC without recurrence: ready to resolve", m.until.UTC().Format("15:04"))
	return tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryPrompt, text+promptedText(prompted, unreachable, "prompted"),
		map[string]any{"rule": "R16", "prompt": herald.PromptMonitoringOver, "monitoring_since": m.since, "monitoring_until": m.until})
}

// monitoringStillOver says whether a prompt to resolve still holds: the
// incident is open, in the same period, and nothing came back.
func (tx *tx) monitoringStillOver(ctx context.Context, incidentID, occurrence string) (bool, error) {
	at, err := occurrenceTime(occurrence)
	if err != nil {
		return false, nil
	}
	inc, err := tx.incident(ctx, incidentID)
	if err != nil {
		return false, nil
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return false, err
	}
	m, ok, err := tx.monitoringOf(ctx, inc, s)
	if err != nil {
		return false, err
	}
	return ok && m.recurred == "" && m.until.Equal(at), nil
}

// leadOf is who answers for an incident when the lead is prompted: the
// incident lead, or the engineer on call when there is none (as for R10),
// or the communications role. Empty when nobody holds a role.
func leadOf(inc *herald.Incident) string {
	for _, role := range []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall, herald.RoleCommunications} {
		if a, ok := inc.Role(role); ok {
			return a.UserID
		}
	}
	return ""
}

// promptedText ends a timeline entry with who was prompted.
func promptedText(prompted, unreachable []string, verb string) string {
	var b strings.Builder
	if len(prompted) > 0 {
		b.WriteString("; " + verb + " " + strings.Join(prompted, ", "))
	}
	if len(unreachable) > 0 {
		b.WriteString("; could not reach " + strings.Join(unreachable, ", ") + " (no usable contact method)")
	}
	if len(prompted)+len(unreachable) == 0 {
		b.WriteString("; nobody holds a role to be " + verb)
	}
	return b.String()
}

// impactClock is when an incident's clock for R52 and R53 starts: the start
// of customer impact (the declaration unless an earlier start was
// recorded), or when the incident reached one of sevs, if that was later
// (an S3 raised to S1 has the hour from then).
func (tx *tx) impactClock(ctx context.Context, inc *herald.Incident, sevs ...herald.Severity) (time.Time, error) {
	at := inc.DeclaredAt
	if inc.ImpactStartedAt != nil {
		at = *inc.ImpactStartedAt
	}
	rows, err := tx.QueryContext(ctx, `SELECT at, COALESCE(data, '') FROM timeline WHERE incident_id = $1 AND kind = $2 ORDER BY id`, inc.ID, herald.EntrySeverityChange)
	if err != nil {
		return time.Time{}, fmt.Errorf("read severity changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var when int64
		var data string
		if err := rows.Scan(&when, &data); err != nil {
			return time.Time{}, err
		}
		var d struct{ From, To herald.Severity }
		_ = json.Unmarshal([]byte(data), &d)
		if slices.Contains(sevs, d.To) && !slices.Contains(sevs, d.From) && fromMicros(when).After(at) {
			at = fromMicros(when)
		}
	}
	return at, rows.Err()
}

// dueIncidents lists the open incidents of sevs whose clock may have run
// for d, that rule has not acted on.
func (tx *tx) dueIncidents(ctx context.Context, rule string, d time.Duration, sevs ...herald.Severity) ([]string, error) {
	in, args := inList(severityStrings(sevs))
	n := len(args)
	return tx.ids(ctx, "read incidents due", `SELECT i.id FROM incidents i WHERE i.state <> 'resolved' AND i.severity IN (`+in+`)
		AND COALESCE(i.impact_started_at, i.declared_at) <= $`+fmt.Sprint(n+1)+`
		AND NOT EXISTS (SELECT 1 FROM playbook_once o WHERE o.incident_id = i.id AND o.rule = $`+fmt.Sprint(n+2)+`)
		ORDER BY i.number`, append(args, micros(tx.now.Add(-d)), rule)...)
}

func severityStrings(sevs []herald.Severity) []string {
	out := make([]string, len(sevs))
	for i, s := range sevs {
		out[i] = string(s)
	}
	return out
}

// communicationsEngagedAt is when the communications role was first
// engaged in an incident: its page acknowledged, or its holder acting on
// the incident (taking the role, an update, a note) once they held it.
// Nil when it is not.
func (tx *tx) communicationsEngagedAt(ctx context.Context, inc *herald.Incident) (*time.Time, error) {
	var acked sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT min(acked_at) FROM pages WHERE incident_id = $1 AND incident_role = $2 AND dedup_key <> $3 AND acked_at IS NOT NULL`,
		inc.ID, herald.RoleCommunications, coverDedupKey(inc.ID, herald.RoleCommunications)).Scan(&acked)
	if err != nil {
		return nil, fmt.Errorf("read communications page: %w", err)
	}
	var at *time.Time
	if acked.Valid {
		t := fromMicros(acked.Int64)
		at = &t
	}
	if a, ok := inc.Role(herald.RoleCommunications); ok {
		var acted sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(at) FROM timeline WHERE incident_id = $1 AND actor_id = $2`, inc.ID, a.UserID).Scan(&acted); err != nil {
			return nil, fmt.Errorf("read the timeline: %w", err)
		}
		if acted.Valid {
			t := fromMicros(acted.Int64)
			if t.Before(a.AssignedAt) {
				t = a.AssignedAt
			}
			if at == nil || t.Before(*at) {
				at = &t
			}
		}
	}
	return at, nil
}

// checkCommunicationsEngaged applies R52: at S1 and S2 the communications
// role is engaged within the setting's time of the start of impact, or the
// incident lead is prompted and the timeline says so. The communications
// page is left alone: its policy keeps escalating it.
func (tx *tx) checkCommunicationsEngaged(ctx context.Context, s herald.Settings) error {
	within := time.Duration(s.Playbook.Engagement.CommunicationsWithin)
	if within <= 0 {
		return nil
	}
	sevs := []herald.Severity{herald.S1, herald.S2}
	ids, err := tx.dueIncidents(ctx, onceEngaged, within, sevs...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		inc, err := tx.incident(ctx, id)
		if err != nil {
			return err
		}
		start, err := tx.impactClock(ctx, inc, sevs...)
		if err != nil {
			return err
		}
		deadline := start.Add(within)
		engaged, err := tx.communicationsEngagedAt(ctx, inc)
		if err != nil {
			return err
		}
		if engaged == nil && tx.now.Before(deadline) {
			continue // still time
		}
		// Engaged, in time or not, or not engaged at the deadline: decided.
		if first, err := tx.once(ctx, onceEngaged, inc.ID, ""); err != nil || !first {
			if err != nil {
				return err
			}
			continue
		}
		name := s.RoleName(herald.RoleCommunications)
		data := map[string]any{"rule": "R52", "impact_started_at": start, "deadline": deadline}
		switch {
		case engaged != nil && !engaged.After(deadline):
			continue // in time: nothing to say
		case engaged != nil:
			data["late_by_s"] = int(engaged.Sub(deadline).Seconds())
			text := fmt.Sprintf("The %s was engaged %s after the start of impact, later than the %s R52 gives", name,
				engaged.Sub(start).Round(time.Second), within)
			if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryNote, text, data); err != nil {
				return err
			}
			continue
		}
		notice := herald.CommunicationsNotEngagedNotice(inc.Reference, inc.Title, inc.Severity, within, start, tx.db.links.Incident(inc.Reference))
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptCommunicationsNotEngaged, IncidentID: inc.ID, Occurrence: occurrenceAt(deadline), Notice: notice}, leadOf(inc))
		if err != nil {
			return err
		}
		data["prompt"] = herald.PromptCommunicationsNotEngaged
		text := fmt.Sprintf("No %s engaged %s after the start of impact (R52); their page keeps escalating", name, within)
		if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryPrompt, text+promptedText(prompted, unreachable, "prompted"), data); err != nil {
			return err
		}
	}
	return nil
}

// communicationsStillMissing says whether the prompt that nobody is
// engaged as communications still holds when it is about to go.
func (tx *tx) communicationsStillMissing(ctx context.Context, incidentID, _ string) (bool, error) {
	inc, err := tx.incident(ctx, incidentID)
	if err != nil || inc.State == herald.Resolved {
		return false, nil
	}
	at, err := tx.communicationsEngagedAt(ctx, inc)
	return at == nil, err
}

// mitigated reports whether an incident is marked mitigated: by label, or
// by a recorded decision (R53).
func (tx *tx) mitigated(ctx context.Context, inc *herald.Incident) (bool, error) {
	if slices.ContainsFunc(inc.Labels, herald.IsMitigatedLabel) {
		return true, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(data, '') FROM timeline WHERE incident_id = $1 AND kind = $2`, inc.ID, herald.EntryDecision)
	if err != nil {
		return false, fmt.Errorf("read decisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return false, err
		}
		var d herald.Decision
		if json.Unmarshal([]byte(data), &d) == nil && d.Mitigated() {
			return true, nil
		}
	}
	return false, rows.Err()
}

// escalateToDirector applies R53: an S1 not mitigated within the setting's
// time of the start of impact pages the director's service, once, through
// the paging path every page takes; without one the timeline says nobody
// could be escalated to and the incident lead is prompted instead. The
// timeline entry carries {"rule": "R53"} for the lead's checklist.
func (tx *tx) escalateToDirector(ctx context.Context, s herald.Settings) error {
	after := time.Duration(s.Playbook.Engagement.DirectorAfter)
	if after <= 0 {
		return nil
	}
	ids, err := tx.dueIncidents(ctx, onceDirector, after, herald.S1)
	if err != nil {
		return err
	}
	for _, id := range ids {
		inc, err := tx.incident(ctx, id)
		if err != nil {
			return err
		}
		start, err := tx.impactClock(ctx, inc, herald.S1)
		if err != nil {
			return err
		}
		if tx.now.Before(start.Add(after)) {
			continue
		}
		if done, err := tx.mitigated(ctx, inc); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		if first, err := tx.once(ctx, onceDirector, inc.ID, ""); err != nil || !first {
			if err != nil {
				return err
			}
			continue
		}
		if err := tx.pageDirector(ctx, inc, s.Playbook.Engagement.DirectorService, after, start); err != nil {
			return err
		}
	}
	return nil
}

// pageDirector opens the director's page for inc on the service ref names,
// as a page of the incident that is no role's (so acknowledging it gives
// nobody a role), or records why it could not and prompts the lead.
func (tx *tx) pageDirector(ctx context.Context, inc *herald.Incident, ref string, after time.Duration, start time.Time) error {
	data := map[string]any{"rule": "R53", "impact_started_at": start}
	why := "no director service is set (settings playbook.engagement.director_service)"
	if ref != "" {
		svc, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, ref))
		switch {
		case err == sql.ErrNoRows:
			why = "the director service " + ref + " does not exist (settings playbook.engagement.director_service)"
		case err != nil:
			return fmt.Errorf("read the director service: %w", err)
		default:
			dedup := "incident/" + inc.ID + "/director"
			pageID, err := tx.newPage(ctx, svc.ID, dedup, herald.DirectorPageSummary(inc.Reference, inc.Title, after), "critical", "incident "+inc.Reference, nil, inc.ID, "")
			if err != nil {
				return err
			}
			if err := tx.newAlert(ctx, svc.ID, pageID, dedup); err != nil {
				return err
			}
			data["escalated"], data["page_id"], data["service"] = true, pageID, svc.Name
			text := fmt.Sprintf("Not mitigated %s after the start of impact: escalating to the director through %s (R53)", after, svc.Name)
			return tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryNote, text, data)
		}
	}
	notice := herald.NoDirectorNotice(inc.Reference, inc.Title, why, after, tx.db.links.Incident(inc.Reference))
	prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptNoDirector, IncidentID: inc.ID, Occurrence: occurrenceAt(start.Add(after)), Notice: notice}, leadOf(inc))
	if err != nil {
		return err
	}
	data["escalated"], data["prompt"] = false, herald.PromptNoDirector
	text := fmt.Sprintf("Not mitigated %s after the start of impact, and nobody could be escalated to: %s (R53)", after, why)
	return tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryPrompt, text+promptedText(prompted, unreachable, "prompted"), data)
}

// stillUnmitigated says whether the prompt to tell the director still
// holds: the incident is open and not mitigated.
func (tx *tx) stillUnmitigated(ctx context.Context, incidentID, _ string) (bool, error) {
	inc, err := tx.incident(ctx, incidentID)
	if err != nil || inc.State == herald.Resolved {
		return false, nil
	}
	done, err := tx.mitigated(ctx, inc)
	return !done, err
}
