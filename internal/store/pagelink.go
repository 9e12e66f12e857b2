package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// Pages and incidents (issue 11, item 14): a page is linked to an
// incident when the incident is declared from it or when someone attaches
// it later; the link is pages.incident_id, the same column role pages
// (R01) carry, so acknowledgements and escalation steps of every linked
// page reach the incident's timeline by the same paths.

// linkDeclared links the pages a declaration names to the new incident,
// in the declaring transaction: the links exist if and only if the
// incident does.
func (tx *tx) linkDeclared(ctx context.Context, actor herald.Actor, inc *herald.Incident, pageIDs []string) error {
	seen := map[string]bool{}
	for _, id := range pageIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.linkPage(ctx, actor, inc, id, true); err != nil {
			if herald.ErrorCode(err) == herald.ENotFound {
				return &herald.Error{Code: herald.EInvalid, Message: "no page " + id, Fields: map[string]string{"pages": "no page " + id}}
			}
			return err
		}
	}
	return nil
}

// linkPage links a page to an incident and says so on both: the page's
// log, and the incident's timeline with where the page stands (who
// acknowledged it after how long). A page linked to another incident
// stays there until it is detached.
func (tx *tx) linkPage(ctx context.Context, actor herald.Actor, inc *herald.Incident, pageID string, declared bool) (*herald.Page, error) {
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return nil, err
	}
	if p.IncidentID == inc.ID {
		return p, nil
	}
	if p.IncidentID != "" {
		other := p.IncidentID
		if o, err := tx.incident(ctx, p.IncidentID); err == nil {
			other = o.Reference
		}
		return nil, herald.Errorf(herald.EConflict, "the page is linked to %s; detach it from there first", other)
	}
	res, err := tx.ExecContext(ctx, `UPDATE pages SET incident_id = $1 WHERE id = $2 AND incident_id IS NULL`, inc.ID, p.ID)
	if err != nil {
		return nil, fmt.Errorf("link page: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, herald.Errorf(herald.EConflict, "the page was linked to another incident meanwhile; reload it")
	}
	p.IncidentID = inc.ID
	svc := p.ServiceID
	if err := tx.QueryRowContext(ctx, `SELECT name FROM services WHERE id = $1`, p.ServiceID).Scan(&svc); err != nil {
		return nil, fmt.Errorf("read the page's service: %w", err)
	}
	who := actorName(actor)
	verb, log := "linked", who+" linked the page to "+inc.Reference
	text := fmt.Sprintf("%s linked page %q of %s (%s)", who, p.Summary, svc, p.Status)
	if declared {
		verb, log = "declared", who+" declared "+inc.Reference+" from the page"
		text = fmt.Sprintf("%s declared the incident from page %q of %s (%s)", who, p.Summary, svc, p.Status)
	}
	data := map[string]any{"page_id": p.ID, "action": verb, "service": svc, "summary": p.Summary, "status": p.Status}
	if p.AckedAt != nil {
		took := p.AckedAt.Sub(p.FirstSeen).Round(time.Second)
		text += fmt.Sprintf(", acknowledged by %s after %s", p.AckedBy, took)
		data["acknowledged_by"], data["time_to_acknowledge_s"] = p.AckedBy, int(took.Seconds())
	}
	if p.Muted {
		text += ", muted by a maintenance"
		data["during_maintenance"] = p.DuringMaintenance
	}
	if err := tx.pageLog(ctx, p.ID, "linked", log); err != nil {
		return nil, err
	}
	return p, tx.appendEntry(ctx, inc.ID, actor, herald.EntryPage, text, data)
}

func actorName(a herald.Actor) string {
	if a.User.Name == "" {
		return "Herald"
	}
	return a.User.Name
}

// LinkPage attaches a page to an incident (issue 11, item 14).
func (db *PagingService) LinkPage(ctx context.Context, actor herald.Actor, id string, in herald.PageLinkInput) (*herald.Page, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, in.Incident)
		if herald.ErrorCode(err) == herald.ENotFound {
			return &herald.Error{Code: herald.EInvalid, Message: "no incident " + in.Incident, Fields: map[string]string{"incident": "no such incident"}}
		}
		if err != nil {
			return err
		}
		// R63: a real page linked to a practice would be held at the
		// sandbox's edge; a page of a practice is its own already.
		if run, err := tx.practiceRunOf(ctx, inc.ID); err != nil || run != "" {
			if err != nil {
				return err
			}
			return &herald.Error{Code: herald.EUnprocessable, Message: inc.Reference + " is a practice incident: a real page cannot join it",
				Fields: map[string]string{"incident": "is a practice incident"}}
		}
		_, err = tx.linkPage(ctx, actor, inc, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}

// UnlinkPage detaches a page from its incident; the timeline keeps the
// record. A role page stays: the incident paged it.
func (db *PagingService) UnlinkPage(ctx context.Context, actor herald.Actor, id string) (*herald.Page, error) {
	err := db.write(ctx, func(tx *tx) error {
		p, err := tx.page(ctx, id)
		if err != nil {
			return err
		}
		if p.IncidentID == "" {
			return herald.Errorf(herald.EUnprocessable, "the page is not linked to an incident")
		}
		inc, err := tx.incident(ctx, p.IncidentID)
		if err != nil {
			return err
		}
		if p.IncidentRole != "" {
			return herald.Errorf(herald.EUnprocessable, "%s paged this page for a role; it stays with the incident", inc.Reference)
		}
		res, err := tx.ExecContext(ctx, `UPDATE pages SET incident_id = NULL WHERE id = $1 AND incident_id = $2`, p.ID, inc.ID)
		if err != nil {
			return fmt.Errorf("detach page: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.EConflict, "the page changed meanwhile; reload it")
		}
		who := actorName(actor)
		if err := tx.pageLog(ctx, p.ID, "detached", who+" detached the page from "+inc.Reference); err != nil {
			return err
		}
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryPage, fmt.Sprintf("%s detached page %q (%s)", who, p.Summary, p.Status),
			map[string]any{"page_id": p.ID, "action": "detached", "summary": p.Summary, "status": p.Status})
	})
	if err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}

// IncidentPages lists the pages linked to an incident, oldest first, with
// their acknowledgement and escalation steps.
func (db *IncidentService) IncidentPages(ctx context.Context, ref string) ([]herald.LinkedPage, error) {
	var out []herald.LinkedPage
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.linkedPages(ctx, inc.ID)
		return err
	})
	return out, err
}

// linkedPages reads an incident's pages and their escalation steps in two
// queries.
func (tx *tx) linkedPages(ctx context.Context, incidentID string) ([]herald.LinkedPage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, s.name, p.summary, p.status, p.incident_role, p.first_seen, p.acked_at, p.acked_by, p.resolved_at,
		COALESCE(p.maintenance_id, ''), p.muted
		FROM pages p JOIN services s ON s.id = p.service_id WHERE p.incident_id = $1 ORDER BY p.first_seen, p.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read linked pages: %w", err)
	}
	out := []herald.LinkedPage{}
	byID := map[string]int{}
	for rows.Next() {
		var p herald.LinkedPage
		var first int64
		var acked, resolved sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Service, &p.Summary, &p.Status, &p.Role, &first, &acked, &p.AckedBy, &resolved, &p.DuringMaintenance, &p.Muted); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read linked pages: %w", err)
		}
		p.FirstSeen, p.AckedAt, p.ResolvedAt = fromMicros(first), fromNullMicros(acked), fromNullMicros(resolved)
		if p.AckedAt != nil {
			s := int(p.AckedAt.Sub(p.FirstSeen).Round(time.Second).Seconds())
			p.TimeToAcknowledgeS = &s
		}
		p.Escalations = []herald.PageLogEntry{}
		byID[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	in, args := inList(ids)
	rows, err = tx.QueryContext(ctx, `SELECT page_id, at, kind, text FROM page_log WHERE page_id IN (`+in+`) AND kind IN ('escalated', 'exhausted') ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read escalations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at int64
		var e herald.PageLogEntry
		if err := rows.Scan(&id, &at, &e.Kind, &e.Text); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out[byID[id]].Escalations = append(out[byID[id]].Escalations, e)
	}
	return out, rows.Err()
}

// monitoringAck records on the incident's timeline that monitoring
// acknowledged a linked page, as a person's acknowledgement is recorded.
func (tx *tx) monitoringAck(ctx context.Context, pageID, by string) error {
	p, err := tx.page(ctx, pageID)
	if err != nil || p.IncidentID == "" || p.AckedAt == nil || micros(*p.AckedAt) != micros(tx.now) || p.AckedBy != by {
		return err
	}
	took := tx.now.Sub(p.FirstSeen).Round(time.Second)
	return tx.appendEntry(ctx, p.IncidentID, herald.Actor{}, herald.EntryRoleChange, fmt.Sprintf("%s acknowledged the page %q after %s", by, p.Summary, took),
		map[string]any{"page_id": p.ID, "role": p.IncidentRole, "time_to_acknowledge_s": int(took.Seconds())})
}

// pageLabel names a page on its incident's timeline: by the role it
// pages, or by its summary.
func pageLabel(s herald.Settings, p *herald.Page) string {
	if p.IncidentRole == "" {
		return fmt.Sprintf("the page %q", p.Summary)
	}
	return "the page as " + s.RoleName(p.IncidentRole)
}

// Maintenances mute paging (issue 11, item 15): a page whose service runs
// on a component under a maintenance in progress with mute_paging on is
// opened muted. It records the maintenance, notifies nobody and does not
// escalate; when the maintenance ends, a page still triggered starts
// escalating then (an alert still firing after the window pages), unless
// another maintenance in progress mutes the service too.

// mutingMaintenance returns the maintenance muting the service's paging,
// if any: one row read by its key (paging_mutes, kept by recomputeMutes).
func (tx *tx) mutingMaintenance(ctx context.Context, serviceID string) (id, name string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT maintenance_id, name FROM paging_mutes WHERE service_id = $1`, serviceID).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("find a muting maintenance: %w", err)
	}
	return id, name, nil
}

// recomputeMutes rebuilds paging_mutes from the maintenances in progress
// with mute_paging on, their components and the services running on them:
// each service muted by the maintenance that started first. The tables are
// small, so it is rebuilt whole after every change that can alter it. On
// PostgreSQL the rebuilds take turns (a transaction-scoped lock), and each
// statement after the lock sees the changes committed before it, so two
// changes at once cannot leave a stale row.
func (tx *tx) recomputeMutes(ctx context.Context) error {
	if tx.db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261)`); err != nil {
			return fmt.Errorf("lock paging mutes: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM paging_mutes`); err != nil {
		return fmt.Errorf("reset paging mutes: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO paging_mutes (service_id, maintenance_id, name)
		SELECT service_id, id, name FROM (
			SELECT sc.service_id, m.id, m.name, ROW_NUMBER() OVER (PARTITION BY sc.service_id ORDER BY m.started_at, m.id) AS n
			FROM service_components sc
			JOIN maintenance_components mc ON mc.component_id = sc.component_id
			JOIN maintenances m ON m.id = mc.maintenance_id
			WHERE m.status = 'in_progress' AND m.mute_paging = $1) x
		WHERE n = 1`, true)
	if err != nil {
		return fmt.Errorf("compute paging mutes: %w", err)
	}
	return nil
}

// The page log's words for a muted page. The PostgreSQL batch path builds
// the same text in SQL from these parts.
const (
	mutedLog1 = `Muted: maintenance "`
	mutedLog2 = `" (`
	mutedLog3 = `) is in progress on this service's components; nobody is notified until it ends`
)

func mutedLog(id, name string) string { return mutedLog1 + name + mutedLog2 + id + mutedLog3 }

// releaseMuted ends a maintenance's hold on its pages, when it ends or
// stops muting: each page still triggered starts escalating now (or stays
// muted by another maintenance in progress on its service); acknowledged
// and resolved ones just lose the mark. Every page keeps
// during_maintenance.
func (tx *tx) releaseMuted(ctx context.Context, m *herald.Maintenance, why string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, service_id, status FROM pages WHERE maintenance_id = $1 AND muted = $2`, m.ID, true)
	if err != nil {
		return fmt.Errorf("read muted pages: %w", err)
	}
	type muted struct{ id, service, status string }
	var list []muted
	for rows.Next() {
		var p muted
		if err := rows.Scan(&p.id, &p.service, &p.status); err != nil {
			rows.Close()
			return err
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	woke := false
	for _, p := range list {
		if p.status == string(herald.PageTriggered) {
			other, name, err := tx.mutingMaintenance(ctx, p.service)
			if err != nil {
				return err
			}
			if other != "" && other != m.ID {
				if _, err := tx.ExecContext(ctx, `UPDATE pages SET maintenance_id = $1 WHERE id = $2`, other, p.id); err != nil {
					return err
				}
				if err := tx.pageLog(ctx, p.id, "muted", fmt.Sprintf("Maintenance %q %s; still muted: %s", m.Name, why, mutedLog(other, name))); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE pages SET muted = $1, next_escalation_at = $2 WHERE id = $3 AND status = 'triggered'`, false, micros(tx.now), p.id); err != nil {
				return fmt.Errorf("unmute page: %w", err)
			}
			if err := tx.pageLog(ctx, p.id, "unmuted", fmt.Sprintf("Maintenance %q %s and the page is still open: escalation begins", m.Name, why)); err != nil {
				return err
			}
			woke = true
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET muted = $1 WHERE id = $2`, false, p.id); err != nil {
			return err
		}
	}
	if woke {
		tx.db.kick() // at worst early: a rolled-back release leaves nothing due
	}
	return nil
}

// setMutePaging sets a new maintenance's mute_paging (on by default).
func (tx *tx) setMutePaging(ctx context.Context, m *herald.Maintenance, mute *bool) error {
	if mute == nil || *mute == m.MutePaging {
		return nil
	}
	m.MutePaging = *mute
	if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET mute_paging = $1 WHERE id = $2`, *mute, m.ID); err != nil {
		return fmt.Errorf("set mute_paging: %w", err)
	}
	return nil
}

// maintenanceEdited applies an edit's mute_paging and, for a maintenance
// in progress, what its edit changes in paging (its components, its name
// or the setting): turning muting off releases its pages at once.
func (tx *tx) maintenanceEdited(ctx context.Context, m *herald.Maintenance, mute *bool) error {
	wasMuting := m.MutePaging
	if err := tx.setMutePaging(ctx, m, mute); err != nil {
		return err
	}
	if m.Status != herald.MaintenanceInProgress {
		return nil
	}
	if err := tx.recomputeMutes(ctx); err != nil {
		return err
	}
	if wasMuting && !m.MutePaging {
		return tx.releaseMuted(ctx, m, "stopped muting paging")
	}
	return nil
}

// maintenanceMoved follows a maintenance's start or end in paging: who is
// muted now, and the pages it muted released once it ends.
func (tx *tx) maintenanceMoved(ctx context.Context, m *herald.Maintenance) error {
	if err := tx.recomputeMutes(ctx); err != nil {
		return err
	}
	if m.Status == herald.MaintenanceCompleted || m.Status == herald.MaintenanceCancelled {
		return tx.releaseMuted(ctx, m, "ended")
	}
	return nil
}

// Services name the components they run on (service_components), which is
// how a maintenance of a component reaches its services' paging.

// SetServiceComponents replaces the components a service runs on.
func (db *PagingService) SetServiceComponents(ctx context.Context, ref string, in herald.ServiceComponentsInput) (*herald.Service, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var id string
	err := db.write(ctx, func(tx *tx) error {
		s, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, ref))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "no service %q", ref)
		}
		if err != nil {
			return err
		}
		id = s.ID
		return tx.setServiceComponents(ctx, s.ID, in.Components)
	})
	if err != nil {
		return nil, err
	}
	return db.Service(ctx, id)
}

func (tx *tx) setServiceComponents(ctx context.Context, serviceID string, ids []string) error {
	if err := tx.checkComponents(ctx, &ids); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM service_components WHERE service_id = $1`, serviceID); err != nil {
		return fmt.Errorf("reset service components: %w", err)
	}
	for _, c := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_components (service_id, component_id) VALUES ($1, $2)`, serviceID, c); err != nil {
			return fmt.Errorf("service component: %w", err)
		}
	}
	return tx.recomputeMutes(ctx)
}

// fillServiceComponents sets each service's components, in one query.
func (db *core) fillServiceComponents(ctx context.Context, list []*herald.Service) error {
	byID := map[string]*herald.Service{}
	for _, s := range list {
		s.Components = []string{}
		byID[s.ID] = s
	}
	if len(list) == 0 {
		return nil
	}
	// A component removed from the status page no longer counts.
	rows, err := db.r.QueryContext(ctx, `SELECT sc.service_id, sc.component_id FROM service_components sc
		JOIN components c ON c.id = sc.component_id WHERE c.deleted_at IS NULL ORDER BY sc.service_id, sc.component_id`)
	if err != nil {
		return fmt.Errorf("read service components: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid, cid string
		if err := rows.Scan(&sid, &cid); err != nil {
			return err
		}
		if s := byID[sid]; s != nil {
			s.Components = append(s.Components, cid)
		}
	}
	return rows.Err()
}
