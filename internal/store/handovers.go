package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Handovers (R60, handover.go). The playbook's rule draftHandovers looks,
// on every tick, at the shifts of the handing-over rotations that ended in
// the last herald.HandoverLookback and drafts a record for each (once: the
// table is unique per schedule and shift end), then reminds the outgoing
// person of a record not submitted, and later their manager. A draft is
// made of sections, each from its own builder (handoverSections), so a
// section is one function and one line in the list.

// HandoverService keeps handover records.
type HandoverService struct{ *core }

// handoverScope is what a section builder knows of the shift it drafts.
type handoverScope struct {
	settings herald.Settings
	schedule *herald.Schedule
	roles    []string
	outgoing string // user id
	incoming string // user id, '' when nobody is on call after the shift
	end      time.Time
	// nextEnd is when the incoming person's shift ends (end + 24h when
	// there is nobody).
	nextEnd time.Time
}

// sectionBuilder drafts one section. A nil build leaves the section empty
// and marked pending: its work is on another branch.
type sectionBuilder struct {
	key, title string
	build      func(tx *tx, ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error)
}

// handoverSections are a draft's sections in order.
var handoverSections = []sectionBuilder{
	{herald.SectionIncidents, "Ongoing incidents", (*tx).handoverIncidents},
	{herald.SectionNoticeThreads, "Open customer-notice threads", (*tx).handoverThreads},
	{herald.SectionApprovals, "Customer messages awaiting approval or sending (R44)", (*tx).handoverApprovals},
	{herald.SectionContactRequests, "Open contact requests (they stay with their owner)", (*tx).handoverRequests},
	{herald.SectionTickets, "Support tickets to take over (R20)", (*tx).handoverTickets},
	{herald.SectionMaintenances, "Maintenances starting in the next shift", (*tx).handoverMaintenances},
	{herald.SectionOverrides, "Overrides in the next 24 hours", (*tx).handoverOverrides},
	{herald.SectionGaps, "Gaps in the next 24 hours (nobody on call)", (*tx).handoverGaps},
}

// handoverReassigners move a section's items marked Reassign to the
// incoming person on submit; a section without one moves nothing.
var handoverReassigners = map[string]func(tx *tx, ctx context.Context, actor herald.Actor, h *herald.Handover, it herald.HandoverItem) ([]string, error){
	herald.SectionIncidents:     (*tx).reassignIncident,
	herald.SectionNoticeThreads: (*tx).reassignThread,
}

func (tx *tx) draftSections(ctx context.Context, sc *handoverScope) ([]herald.HandoverSection, error) {
	out := make([]herald.HandoverSection, 0, len(handoverSections))
	for _, b := range handoverSections {
		sec := herald.HandoverSection{Key: b.key, Title: b.title, Items: []herald.HandoverItem{}, Pending: b.build == nil}
		if b.build != nil {
			items, err := b.build(tx, ctx, sc)
			if err != nil {
				return nil, fmt.Errorf("draft %s: %w", b.key, err)
			}
			if items != nil {
				sec.Items = items
			}
		}
		out = append(out, sec)
	}
	return out, nil
}

func ptrTime(t time.Time) *time.Time { return &t }

// handoverIncidents lists the ongoing incidents with their next update
// due; those where the outgoing person holds a role of the rotation move
// on submit.
func (tx *tx) handoverIncidents(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	ids, err := tx.ids(ctx, "read ongoing incidents", `SELECT id FROM incidents WHERE state <> $1 ORDER BY number`, herald.Resolved)
	if err != nil {
		return nil, err
	}
	var out []herald.HandoverItem
	for _, id := range ids {
		inc, err := tx.incident(ctx, id)
		if err != nil {
			return nil, err
		}
		it := herald.HandoverItem{Ref: inc.Reference, Title: inc.Title,
			Detail: fmt.Sprintf("%s, %s", inc.Severity, inc.State), Due: inc.NextUpdateDue}
		switch {
		case inc.NextUpdateDue != nil:
			it.Detail += "; next public update due"
		case inc.NextInternalUpdateDue != nil:
			it.Detail += "; next internal update due"
			it.Due = inc.NextInternalUpdateDue
		}
		var held []string
		for _, role := range sc.roles {
			if a, ok := inc.Role(role); ok {
				if it.OwnerID == "" || a.UserID == sc.outgoing {
					it.OwnerID, it.Owner = a.UserID, a.UserName
				}
				if a.UserID == sc.outgoing {
					held = append(held, sc.settings.RoleName(role))
				}
			}
		}
		if len(held) > 0 {
			it.Detail += "; you are the " + strings.Join(held, " and ")
			it.Movable = sc.incoming != "" && sc.incoming != sc.outgoing
			it.Reassign = it.Movable
		}
		out = append(out, it)
	}
	return out, nil
}

// handoverThreads lists the open customer-notice threads (their incident
// not resolved, their maintenance not over) with the next notice due;
// the outgoing person's move on submit.
func (tx *tx) handoverThreads(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.subject, tn.name, t.owner_id, u.name, t.next_notice_due, COALESCE(i.number, 0)
		FROM notice_threads t JOIN users u ON u.id = t.owner_id JOIN tenants tn ON tn.id = t.tenant_id
		LEFT JOIN incidents i ON t.source_kind = 'incident' AND i.id = t.source_id
		LEFT JOIN maintenances m ON t.source_kind = 'maintenance' AND m.id = t.source_id
		WHERE (t.source_kind = 'incident' AND i.state <> $1) OR (t.source_kind = 'maintenance' AND m.status IN ($2, $3))
		ORDER BY t.next_notice_due IS NULL, t.next_notice_due, t.created_at, t.id`,
		herald.Resolved, herald.MaintenanceScheduled, herald.MaintenanceInProgress)
	if err != nil {
		return nil, fmt.Errorf("read open notice threads: %w", err)
	}
	defer rows.Close()
	var out []herald.HandoverItem
	for rows.Next() {
		var it herald.HandoverItem
		var tenant string
		var due sql.NullInt64
		var number int64
		if err := rows.Scan(&it.Ref, &it.Title, &tenant, &it.OwnerID, &it.Owner, &due, &number); err != nil {
			return nil, err
		}
		it.Detail = tenant
		if number > 0 {
			it.Detail += ", " + sc.settings.ReferencePrefix + "-" + fmt.Sprint(number)
		}
		it.Due = fromNullMicros(due)
		if it.OwnerID == sc.outgoing {
			it.Movable = sc.incoming != "" && sc.incoming != sc.outgoing
			it.Reassign = it.Movable
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// handoverApprovals lists the customer messages waiting for an approval,
// and those approved and not yet sent: the next shift decides or sends
// them. They follow their thread, so they never move by themselves.
func (tx *tx) handoverApprovals(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	list, err := tx.approvals(ctx, "", `a.status IN ($1, $2)`, herald.ApprovalPending, herald.ApprovalApproved)
	if err != nil {
		return nil, err
	}
	// And the words of emergency maintenance notices waiting for the
	// security team (R33): approved ones are sent at once, so only those.
	words, err := tx.emergencyApprovals(ctx, sc.settings, `a.status = $1`, herald.ApprovalPending)
	if err != nil {
		return nil, err
	}
	list = append(list, words...)
	out := make([]herald.HandoverItem, 0, len(list))
	for _, a := range list {
		it := herald.HandoverItem{Ref: a.ID, Title: string(a.Class) + " message to " + a.TenantName + ": " + a.Subject,
			OwnerID: a.RequestedBy, Owner: a.RequestedByName}
		if a.Status == herald.ApprovalPending {
			it.Detail = "awaiting approval by " + a.Approvers
		} else {
			it.Detail = "approved by " + a.DecidedByName + ", not sent yet"
		}
		if a.Reference != "" {
			it.Detail += ", " + a.Reference
		}
		out = append(out, it)
	}
	return out, nil
}

// handoverTickets lists, for each ongoing incident, the support tickets its
// last sweep found without the incident's tag and that no tagging since
// has tagged, and a sweep that failed or has not finished: the next shift
// tags them or sweeps again (R20).
func (tx *tx) handoverTickets(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	ids, err := tx.ids(ctx, "read ongoing incidents", `SELECT id FROM incidents WHERE state <> $1 ORDER BY number`, herald.Resolved)
	if err != nil {
		return nil, err
	}
	var out []herald.HandoverItem
	for _, id := range ids {
		rows, err := tx.QueryContext(ctx, `SELECT `+sweepColumns+` FROM ticket_sweeps WHERE incident_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20`, id)
		if err != nil {
			return nil, fmt.Errorf("read ticket sweeps: %w", err)
		}
		var sweeps []herald.TicketSweep // newest first
		for rows.Next() {
			sw, err := scanSweep(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			sweeps = append(sweeps, sw)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(sweeps) == 0 {
			continue
		}
		var ref string
		if err := tx.QueryRowContext(ctx, `SELECT number FROM incidents WHERE id = $1`, id).Scan(&ref); err != nil {
			return nil, fmt.Errorf("read incident: %w", err)
		}
		ref = sc.settings.ReferencePrefix + "-" + ref
		tagged := map[string]bool{}
		for i, sw := range sweeps {
			if sw.State == herald.SweepQueued || sw.State == herald.SweepRunning || sw.State == herald.SweepFailed {
				if i == 0 || sw.Kind == herald.SweepSearch {
					out = append(out, herald.HandoverItem{Ref: sw.ID, Title: "Ticket " + sw.Kind + " of " + ref + " is " + sw.State,
						Detail: sw.LastError})
				}
				continue
			}
			for _, t := range sw.Tagged {
				tagged[t] = true
			}
			if sw.Kind != herald.SweepSearch {
				continue
			}
			// The newest finished search says what is left untagged.
			for _, t := range sw.Found {
				if !tagged[t.ID] {
					out = append(out, herald.HandoverItem{Ref: t.ID, Title: t.Subject, Detail: "not tagged " + sw.Tag + " yet (" + ref + ")"})
				}
			}
			break
		}
	}
	return out, nil
}

// handoverRequests lists the open contact requests. They are never moved:
// a request stays with whoever took it on (R61).
func (tx *tx) handoverRequests(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.reason, c.from_team, c.owner_id, u.name, c.due_at FROM contact_requests c JOIN users u ON u.id = c.owner_id
		WHERE c.status = $1 ORDER BY c.due_at IS NULL, c.due_at, c.created_at, c.id`, herald.RequestOpen)
	if err != nil {
		return nil, fmt.Errorf("read open contact requests: %w", err)
	}
	defer rows.Close()
	var out []herald.HandoverItem
	for rows.Next() {
		var it herald.HandoverItem
		var from string
		var due sql.NullInt64
		if err := rows.Scan(&it.Ref, &it.Title, &from, &it.OwnerID, &it.Owner, &due); err != nil {
			return nil, err
		}
		it.Detail, it.Due = "from "+from, fromNullMicros(due)
		out = append(out, it)
	}
	return out, rows.Err()
}

// handoverMaintenances lists the maintenances (emergency ones too) that
// start during the next shift.
func (tx *tx) handoverMaintenances(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, kind, scheduled_for, scheduled_until FROM maintenances
		WHERE status = $1 AND scheduled_for >= $2 AND scheduled_for < $3 ORDER BY scheduled_for, id`,
		herald.MaintenanceScheduled, micros(sc.end), micros(sc.nextEnd))
	if err != nil {
		return nil, fmt.Errorf("read maintenances: %w", err)
	}
	defer rows.Close()
	var out []herald.HandoverItem
	for rows.Next() {
		var it herald.HandoverItem
		var from, to int64
		if err := rows.Scan(&it.Ref, &it.Title, &it.Detail, &from, &to); err != nil {
			return nil, err
		}
		it.Detail = herald.MaintenanceKind(it.Detail).Title()
		it.Start, it.End = ptrTime(fromMicros(from)), ptrTime(fromMicros(to))
		out = append(out, it)
	}
	return out, rows.Err()
}

// handoverOverrides lists the schedule's overrides in the 24 hours after
// the shift.
func (tx *tx) handoverOverrides(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	until := sc.end.Add(24 * time.Hour)
	var out []herald.HandoverItem
	for _, o := range sc.schedule.Overrides {
		if !o.Start.Before(until) || !o.End.After(sc.end) {
			continue
		}
		u, err := tx.user(ctx, o.UserID)
		if err != nil {
			return nil, err
		}
		out = append(out, herald.HandoverItem{Ref: o.ID, Title: u.Name + " on call instead", OwnerID: u.ID, Owner: u.Name,
			Start: ptrTime(o.Start), End: ptrTime(o.End)})
	}
	return out, nil
}

// handoverGaps lists the stretches of the 24 hours after the shift when
// nobody is on call on the schedule.
func (tx *tx) handoverGaps(ctx context.Context, sc *handoverScope) ([]herald.HandoverItem, error) {
	until := sc.end.Add(24 * time.Hour)
	shifts, err := sc.schedule.Shifts(sc.end, until)
	if err != nil {
		return nil, err
	}
	var out []herald.HandoverItem
	gap := func(from, to time.Time) {
		if to.After(from) {
			out = append(out, herald.HandoverItem{Ref: from.UTC().Format(time.RFC3339), Title: "Nobody on call on " + sc.schedule.Name,
				Start: ptrTime(from), End: ptrTime(to)})
		}
	}
	at := sc.end
	for _, s := range shifts {
		gap(at, s.Start)
		at = s.End
	}
	gap(at, until)
	return out, nil
}

// handoverRotations says which schedule each handing-over role uses: the
// one named in the settings, or those of the first escalation level of
// the role's service.
func (tx *tx) handoverRotations(ctx context.Context, s herald.Settings) ([]herald.HandoverRotation, error) {
	var out []herald.HandoverRotation
	for _, role := range herald.HandoverRoles {
		if ref := s.Handover.Rotations[role]; ref != "" {
			sch, err := tx.schedule(ctx, ref, tx.now)
			if herald.ErrorCode(err) == herald.ENotFound {
				out = append(out, herald.HandoverRotation{Role: role, Source: "settings", Problem: "schedule " + ref + " does not exist (settings handover.rotations)"})
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, herald.HandoverRotation{Role: role, ScheduleID: sch.ID, ScheduleName: sch.Name, Source: "settings"})
			continue
		}
		ref := s.RoleServices[role]
		if ref == "" {
			out = append(out, herald.HandoverRotation{Role: role, Source: "service",
				Problem: "no rotation: set handover.rotations." + role + " or bind the role to a service (role_services)"})
			continue
		}
		var policyID sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT escalation_policy_id FROM services WHERE id = $1 OR name = $1`, ref).Scan(&policyID)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !policyID.Valid) || (err == nil && policyID.String == "") {
			out = append(out, herald.HandoverRotation{Role: role, Source: "service", Problem: "service " + ref + " does not exist or has no escalation policy"})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the role's service: %w", err)
		}
		p, err := tx.escalationPolicy(ctx, policyID.String)
		if err != nil {
			return nil, err
		}
		found := false
		if len(p.Levels) > 0 {
			for _, t := range p.Levels[0].Targets {
				if t.Type != herald.TargetSchedule {
					continue
				}
				sch, err := tx.schedule(ctx, t.ID, tx.now)
				if err != nil {
					continue
				}
				found = true
				out = append(out, herald.HandoverRotation{Role: role, ScheduleID: sch.ID, ScheduleName: sch.Name, Source: "service"})
			}
		}
		if !found {
			out = append(out, herald.HandoverRotation{Role: role, Source: "service",
				Problem: "the first level of " + p.Name + " (service " + ref + ") names no schedule"})
		}
	}
	return out, nil
}

// rotationRoles groups the rotations by schedule: schedule id -> roles.
func rotationRoles(rots []herald.HandoverRotation) (ids []string, roles map[string][]string) {
	roles = map[string][]string{}
	for _, r := range rots {
		if r.ScheduleID == "" {
			continue
		}
		if _, ok := roles[r.ScheduleID]; !ok {
			ids = append(ids, r.ScheduleID)
		}
		if !slices.Contains(roles[r.ScheduleID], r.Role) {
			roles[r.ScheduleID] = append(roles[r.ScheduleID], r.Role)
		}
	}
	return ids, roles
}

// HandoverRotations says which schedule each role hands over on.
func (db *HandoverService) HandoverRotations(ctx context.Context) ([]herald.HandoverRotation, error) {
	var out []herald.HandoverRotation
	err := db.read(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		out, err = tx.handoverRotations(ctx, s)
		return err
	})
	return out, err
}

// draftHandovers is R60's playbook rule: a record for every shift of the
// handing-over rotations that ended within the lookback, then reminders
// of those not submitted.
func (tx *tx) draftHandovers(ctx context.Context, s herald.Settings) error {
	if s.Handover.Off {
		return nil
	}
	rots, err := tx.handoverRotations(ctx, s)
	if err != nil {
		return err
	}
	ids, roles := rotationRoles(rots)
	from := tx.now.Add(-herald.HandoverLookback)
	for _, id := range ids {
		// A week before the window, so the first shift's start is its own
		// (a longer shift starts at the week's edge).
		sch, err := tx.schedule(ctx, id, from.Add(-7*24*time.Hour))
		if err != nil {
			return err
		}
		shifts, err := sch.Shifts(from.Add(-7*24*time.Hour), tx.now.Add(time.Minute))
		if err != nil {
			continue // a schedule that cannot be evaluated drafts nothing; paging says so
		}
		for _, sh := range shifts {
			// A shift ending before the window's end handed over then
			// (Shifts merges a person's consecutive stretches).
			if sh.End.After(tx.now) || !sh.End.After(from) {
				continue
			}
			if _, err := tx.draftHandover(ctx, s, sch, roles[id], sh); err != nil {
				return err
			}
		}
	}
	return tx.remindHandovers(ctx, s)
}

// draftHandover makes the record of one shift, or refreshes one drafted
// before the shift ended (keeping the person's edits). It returns the id.
func (tx *tx) draftHandover(ctx context.Context, s herald.Settings, sch *herald.Schedule, roles []string, sh herald.Shift) (string, error) {
	var id string
	var drafted int64
	var submitted sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, drafted_at, submitted_at FROM handovers WHERE schedule_id = $1 AND shift_end = $2`,
		sch.ID, micros(sh.End)).Scan(&id, &drafted, &submitted)
	switch {
	case err == nil:
		if submitted.Valid || !fromMicros(drafted).Before(sh.End) || tx.now.Before(sh.End) {
			return id, nil
		}
		h, err := tx.handover(ctx, id)
		if err != nil {
			return "", err
		}
		return id, tx.redraft(ctx, s, &h)
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("read handover: %w", err)
	}
	sc := tx.scope(s, sch, roles, sh.UserID, sh.End)
	sections, err := tx.draftSections(ctx, sc)
	if err != nil {
		return "", err
	}
	id = newID()
	rs, _ := json.Marshal(roles)
	secs, _ := json.Marshal(sections)
	res, err := tx.ExecContext(ctx, `INSERT INTO handovers (id, schedule_id, roles, user_id, incoming_id, shift_start, shift_end, sections, drafted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (schedule_id, shift_end) DO NOTHING`,
		id, sch.ID, string(rs), sh.UserID, sc.incoming, micros(sh.Start), micros(sh.End), string(secs), micros(tx.now))
	if err != nil {
		return "", fmt.Errorf("record handover: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		err := tx.QueryRowContext(ctx, `SELECT id FROM handovers WHERE schedule_id = $1 AND shift_end = $2`, sch.ID, micros(sh.End)).Scan(&id)
		return id, err
	}
	return id, nil
}

// scope says who hands over to whom at end.
func (tx *tx) scope(s herald.Settings, sch *herald.Schedule, roles []string, outgoing string, end time.Time) *handoverScope {
	sc := &handoverScope{settings: s, schedule: sch, roles: roles, outgoing: outgoing, end: end, nextEnd: end.Add(24 * time.Hour)}
	if oc, ok := sch.OnCallAt(end); ok {
		sc.incoming = oc.UserID
		if next, err := sch.Shifts(end, end.Add(30*24*time.Hour)); err == nil && len(next) > 0 && next[0].Start.Equal(end) {
			sc.nextEnd = next[0].End
		}
	}
	return sc
}

// redraft drafts h's sections again from what Herald knows now, keeping
// the outgoing person's notes and choices.
func (tx *tx) redraft(ctx context.Context, s herald.Settings, h *herald.Handover) error {
	sch, err := tx.schedule(ctx, h.ScheduleID, h.ShiftEnd.Add(-7*24*time.Hour))
	if err != nil {
		return err
	}
	sc := tx.scope(s, sch, h.Roles, h.UserID, h.ShiftEnd)
	sections, err := tx.draftSections(ctx, sc)
	if err != nil {
		return err
	}
	old := *h
	h.Sections, h.IncomingID, h.DraftedAt = sections, sc.incoming, tx.now
	h.KeepEdits(&old)
	secs, _ := json.Marshal(h.Sections)
	_, err = tx.ExecContext(ctx, `UPDATE handovers SET sections = $1, incoming_id = $2, drafted_at = $3 WHERE id = $4`,
		string(secs), h.IncomingID, micros(tx.now), h.ID)
	if err != nil {
		return fmt.Errorf("redraft handover: %w", err)
	}
	return nil
}

// remindHandovers prompts the outgoing person of each handover not
// submitted handover.remind_after after the shift, and their manager
// handover.manager_after after it: once each (the prompt's key).
func (tx *tx) remindHandovers(ctx context.Context, s herald.Settings) error {
	remind, manager := time.Duration(s.Handover.RemindAfter), time.Duration(s.Handover.ManagerAfter)
	rows, err := tx.QueryContext(ctx, `SELECT h.id, h.user_id, u.name, h.shift_end, COALESCE(sc.name, h.schedule_id) FROM handovers h
		JOIN users u ON u.id = h.user_id LEFT JOIN schedules sc ON sc.id = h.schedule_id
		WHERE h.submitted_at IS NULL AND h.shift_end <= $1 AND h.shift_end > $2 ORDER BY h.shift_end, h.id`,
		micros(tx.now.Add(-remind)), micros(tx.now.Add(-herald.HandoverLookback-manager)))
	if err != nil {
		return fmt.Errorf("read handovers due: %w", err)
	}
	type due struct {
		id, user, name, schedule string
		end                      time.Time
	}
	var list []due
	for rows.Next() {
		var d due
		var end int64
		if err := rows.Scan(&d.id, &d.user, &d.name, &end, &d.schedule); err != nil {
			rows.Close()
			return err
		}
		d.end = fromMicros(end)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range list {
		url := tx.db.links.Console() + "/handovers/" + d.id
		spec := promptSpec{Kind: herald.PromptHandoverDue, Occurrence: d.id, Notice: herald.HandoverDueNotice(d.schedule, d.end, url)}
		if _, _, err := tx.prompt(ctx, spec, d.user); err != nil {
			return err
		}
		if tx.now.Before(d.end.Add(manager)) {
			continue
		}
		managers, err := tx.managersOf(ctx, d.user)
		if err != nil {
			return err
		}
		spec = promptSpec{Kind: herald.PromptHandoverMissing, Occurrence: d.id, Notice: herald.HandoverMissingNotice(d.name, d.schedule, d.end, url)}
		if _, _, err := tx.prompt(ctx, spec, managers...); err != nil {
			return err
		}
	}
	return nil
}

// managersOf is who is told of a person's missing handover. Herald has no
// reporting line: it is the engineering managers (users marked manager)
// of the person's teams, or, when none of their teams has one, the admins.
func (tx *tx) managersOf(ctx context.Context, userID string) ([]string, error) {
	ids, err := tx.ids(ctx, "read managers", `SELECT DISTINCT u.id FROM users u JOIN team_members m ON m.user_id = u.id
		WHERE u.manager = $1 AND u.id <> $2 AND m.team_id IN (SELECT team_id FROM team_members WHERE user_id = $2) ORDER BY u.id`, true, userID)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	return tx.ids(ctx, "read admins", `SELECT id FROM users WHERE role = $1 AND id <> $2 ORDER BY id`, herald.RoleAdmin, userID)
}

// handoverStillMissing: a handover reminder goes only while the handover
// is not submitted.
func (tx *tx) handoverStillMissing(ctx context.Context, _, occurrence string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM handovers WHERE id = $1 AND submitted_at IS NULL`, occurrence).Scan(&n)
	return n > 0, err
}

const handoverColumns = `h.id, h.schedule_id, COALESCE(sc.name, ''), h.roles, h.user_id, u.name, h.incoming_id, COALESCE(iu.name, ''),
	h.shift_start, h.shift_end, h.note, h.sections, h.reassigned, h.drafted_at, h.submitted_at, h.acknowledged_at,
	COALESCE(h.acknowledged_by, ''), COALESCE(au.name, '')`

const handoverFrom = ` FROM handovers h JOIN users u ON u.id = h.user_id LEFT JOIN schedules sc ON sc.id = h.schedule_id
	LEFT JOIN users iu ON iu.id = h.incoming_id LEFT JOIN users au ON au.id = h.acknowledged_by`

func scanHandover(row interface{ Scan(...any) error }) (herald.Handover, error) {
	var h herald.Handover
	var roles, sections, reassigned string
	var start, end, drafted int64
	var submitted, acked sql.NullInt64
	err := row.Scan(&h.ID, &h.ScheduleID, &h.ScheduleName, &roles, &h.UserID, &h.UserName, &h.IncomingID, &h.IncomingName,
		&start, &end, &h.Note, &sections, &reassigned, &drafted, &submitted, &acked, &h.AcknowledgedBy, &h.AcknowledgedByName)
	if err != nil {
		return h, err
	}
	if h.ScheduleName == "" {
		h.ScheduleName = "(deleted schedule)"
	}
	h.ShiftStart, h.ShiftEnd, h.DraftedAt = fromMicros(start), fromMicros(end), fromMicros(drafted)
	h.SubmittedAt, h.AcknowledgedAt = fromNullMicros(submitted), fromNullMicros(acked)
	for _, j := range []struct {
		s string
		v any
	}{{roles, &h.Roles}, {sections, &h.Sections}, {reassigned, &h.Reassigned}} {
		if err := json.Unmarshal([]byte(j.s), j.v); err != nil {
			return h, fmt.Errorf("handover %s: %w", h.ID, err)
		}
	}
	if h.Reassigned == nil {
		h.Reassigned = []string{}
	}
	switch {
	case h.AcknowledgedAt != nil:
		h.Status = herald.HandoverAcknowledged
	case h.SubmittedAt != nil:
		h.Status = herald.HandoverSubmitted
	default:
		h.Status = herald.HandoverDraft
	}
	return h, nil
}

func (tx *tx) handover(ctx context.Context, id string) (herald.Handover, error) {
	h, err := scanHandover(tx.QueryRowContext(ctx, `SELECT `+handoverColumns+handoverFrom+` WHERE h.id = $1`, strings.TrimSpace(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return h, herald.Errorf(herald.ENotFound, "no handover %q", id)
	}
	if err != nil {
		return h, fmt.Errorf("read handover: %w", err)
	}
	return h, nil
}

// rotationMembers are the people of a schedule: everyone in its layers
// and in its overrides, past and future.
func (tx *tx) rotationMembers(ctx context.Context, scheduleID string) (map[string]bool, error) {
	out := map[string]bool{}
	sch, err := tx.schedule(ctx, scheduleID, time.Time{})
	if herald.ErrorCode(err) == herald.ENotFound {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, l := range sch.Layers {
		for _, u := range l.Users {
			out[u] = true
		}
	}
	for _, o := range sch.Overrides {
		out[o.UserID] = true
	}
	return out, nil
}

// canRead: a handover is confidential to its rotation (and the two
// people it is between) and the admins.
func canRead(a herald.Actor, h *herald.Handover, members map[string]bool) bool {
	id := a.User.ID
	return a.Role == herald.RoleAdmin || (id != "" && (members[id] || id == h.UserID || id == h.IncomingID))
}

// readable loads a handover the actor may read: ENotFound otherwise, so
// nobody outside the rotation learns that it exists.
func (tx *tx) readable(ctx context.Context, a herald.Actor, id string) (herald.Handover, error) {
	h, err := tx.handover(ctx, id)
	if err != nil {
		return h, err
	}
	members, err := tx.rotationMembers(ctx, h.ScheduleID)
	if err != nil {
		return h, err
	}
	if !canRead(a, &h, members) {
		return herald.Handover{}, herald.Errorf(herald.ENotFound, "no handover %q", id)
	}
	return h, nil
}

// Handovers lists the handovers the actor may read, newest shift first.
// The filter, and for anyone but an admin the rotations they belong to,
// are in the query, so the limit counts what they may read.
func (db *HandoverService) Handovers(ctx context.Context, a herald.Actor, f herald.HandoverFilter) ([]herald.Handover, error) {
	if f.Status != "" && !slices.Contains(herald.HandoverStatuses, f.Status) {
		return nil, &herald.Error{Code: herald.EInvalid, Message: "status: must be draft, submitted or acknowledged",
			Fields: map[string]string{"status": "must be draft, submitted or acknowledged"}}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	out := []herald.Handover{}
	if a.Role != herald.RoleAdmin && a.User.ID == "" {
		return out, nil
	}
	err := db.read(ctx, func(tx *tx) error {
		var where []string
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		switch f.Status {
		case herald.HandoverDraft:
			where = append(where, `h.submitted_at IS NULL`)
		case herald.HandoverSubmitted:
			where = append(where, `h.submitted_at IS NOT NULL AND h.acknowledged_at IS NULL`)
		case herald.HandoverAcknowledged:
			where = append(where, `h.acknowledged_at IS NOT NULL`)
		}
		if f.Mine {
			me := arg(a.User.ID)
			where = append(where, `(h.user_id = `+me+` OR h.incoming_id = `+me+`)`)
		}
		if a.Role != herald.RoleAdmin {
			ids, err := tx.ids(ctx, "list schedules", `SELECT id FROM schedules ORDER BY id`)
			if err != nil {
				return err
			}
			me := arg(a.User.ID)
			cond := []string{`h.user_id = ` + me, `h.incoming_id = ` + me}
			for _, id := range ids {
				m, err := tx.rotationMembers(ctx, id)
				if err != nil {
					return err
				}
				if m[a.User.ID] {
					cond = append(cond, `h.schedule_id = `+arg(id))
				}
			}
			where = append(where, `(`+strings.Join(cond, ` OR `)+`)`)
		}
		q := `SELECT ` + handoverColumns + handoverFrom
		if len(where) > 0 {
			q += ` WHERE ` + strings.Join(where, ` AND `)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY h.shift_end DESC, h.id LIMIT `+arg(f.Limit), args...)
		if err != nil {
			return fmt.Errorf("list handovers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHandover(rows)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// Handover reads one handover the actor may read.
func (db *HandoverService) Handover(ctx context.Context, a herald.Actor, id string) (herald.Handover, error) {
	var h herald.Handover
	err := db.read(ctx, func(tx *tx) (err error) {
		h, err = tx.readable(ctx, a, id)
		return err
	})
	return h, err
}

// StartHandover drafts the actor's current shift's handover before the
// shift ends; it is drafted again when the shift ends, with the edits kept.
func (db *HandoverService) StartHandover(ctx context.Context, a herald.Actor, in herald.HandoverStart) (herald.Handover, error) {
	var h herald.Handover
	if a.User.ID == "" {
		return h, herald.Errorf(herald.EForbidden, "a handover is written by a person: an API token acts for nobody")
	}
	if strings.TrimSpace(in.Schedule) == "" {
		return h, &herald.Error{Code: herald.EInvalid, Message: "schedule: is required", Fields: map[string]string{"schedule": "is required"}}
	}
	err := db.write(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		sch, err := tx.schedule(ctx, in.Schedule, tx.now.Add(-7*24*time.Hour))
		if err != nil {
			return err
		}
		rots, err := tx.handoverRotations(ctx, s)
		if err != nil {
			return err
		}
		_, roles := rotationRoles(rots)
		if len(roles[sch.ID]) == 0 {
			return &herald.Error{Code: herald.EUnprocessable, Message: sch.Name + " is not the rotation of a role that hands over",
				Fields: map[string]string{"schedule": "not a handover rotation (settings handover.rotations, or the roles' services)"}}
		}
		shifts, err := sch.Shifts(tx.now.Add(-7*24*time.Hour), tx.now.Add(30*24*time.Hour))
		if err != nil {
			return err
		}
		var cur *herald.Shift
		for i := range shifts {
			if !shifts[i].Start.After(tx.now) && shifts[i].End.After(tx.now) && shifts[i].UserID == a.User.ID {
				cur = &shifts[i]
			}
		}
		if cur == nil {
			return &herald.Error{Code: herald.EUnprocessable, Message: "you are not on call on " + sch.Name + " now",
				Fields: map[string]string{"schedule": "you are not on call on it now"}}
		}
		id, err := tx.draftHandover(ctx, s, sch, roles[sch.ID], *cur)
		if err != nil {
			return err
		}
		h, err = tx.handover(ctx, id)
		return err
	})
	return h, err
}

// editable loads a draft the actor (its outgoing person) may change.
func (tx *tx) editable(ctx context.Context, a herald.Actor, id string) (herald.Handover, error) {
	h, err := tx.readable(ctx, a, id)
	if err != nil {
		return h, err
	}
	if a.User.ID != h.UserID {
		return h, herald.Errorf(herald.EForbidden, "only the outgoing person, %s, edits and submits this handover", h.UserName)
	}
	if h.SubmittedAt != nil {
		return h, herald.Errorf(herald.EConflict, "the handover was submitted at %s", h.SubmittedAt.Format(time.RFC3339))
	}
	return h, nil
}

func (tx *tx) saveDraft(ctx context.Context, h *herald.Handover) error {
	secs, _ := json.Marshal(h.Sections)
	_, err := tx.ExecContext(ctx, `UPDATE handovers SET note = $1, sections = $2 WHERE id = $3`, h.Note, string(secs), h.ID)
	if err != nil {
		return fmt.Errorf("save handover: %w", err)
	}
	return nil
}

// SaveHandover stores the outgoing person's edits of a draft.
func (db *HandoverService) SaveHandover(ctx context.Context, a herald.Actor, id string, in herald.HandoverEdit) (herald.Handover, error) {
	var h herald.Handover
	err := db.write(ctx, func(tx *tx) (err error) {
		if h, err = tx.editable(ctx, a, id); err != nil {
			return err
		}
		if err := in.Apply(&h); err != nil {
			return err
		}
		return tx.saveDraft(ctx, &h)
	})
	return h, err
}

// SubmitHandover applies the edit and submits the handover once its shift
// has ended, then moves what is handed over to the incoming person.
func (db *HandoverService) SubmitHandover(ctx context.Context, a herald.Actor, id string, in herald.HandoverEdit) (herald.Handover, error) {
	var h herald.Handover
	err := db.write(ctx, func(tx *tx) (err error) {
		if h, err = tx.editable(ctx, a, id); err != nil {
			return err
		}
		if tx.now.Before(h.ShiftEnd) {
			return &herald.Error{Code: herald.EUnprocessable,
				Message: "the shift has not ended: a handover is submitted after its shift ends (" + h.ShiftEnd.Format(time.RFC3339) + ")",
				Fields:  map[string]string{"shift_end": "the shift ends at " + h.ShiftEnd.Format(time.RFC3339) + "; submit after it"}}
		}
		if h.DraftedAt.Before(h.ShiftEnd) {
			// Drafted early: draft again from how things stand at the end.
			s, err := tx.settings(ctx)
			if err != nil {
				return err
			}
			if err := tx.redraft(ctx, s, &h); err != nil {
				return err
			}
		}
		if err := in.Apply(&h); err != nil {
			return err
		}
		moved := []string{}
		if h.IncomingID != "" && h.IncomingID != h.UserID {
			for _, sec := range h.Sections {
				move := handoverReassigners[sec.Key]
				for _, it := range sec.Items {
					if !it.Reassign || move == nil {
						continue
					}
					done, err := move(tx, ctx, a, &h, it)
					if err != nil {
						return err
					}
					moved = append(moved, done...)
				}
			}
		}
		h.Reassigned = moved
		if err := tx.saveDraft(ctx, &h); err != nil {
			return err
		}
		rs, _ := json.Marshal(moved)
		if _, err := tx.ExecContext(ctx, `UPDATE handovers SET submitted_at = $1, reassigned = $2 WHERE id = $3`, micros(tx.now), string(rs), h.ID); err != nil {
			return fmt.Errorf("submit handover: %w", err)
		}
		h.SubmittedAt, h.Status = ptrTime(tx.now), herald.HandoverSubmitted
		return nil
	})
	return h, err
}

// reassignIncident moves the rotation's roles the outgoing person still
// holds on an incident to the incoming person, with a timeline entry each.
func (tx *tx) reassignIncident(ctx context.Context, a herald.Actor, h *herald.Handover, it herald.HandoverItem) ([]string, error) {
	inc, err := tx.incident(ctx, it.Ref)
	if herald.ErrorCode(err) == herald.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !inc.State.Active() {
		return nil, nil
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, role := range h.Roles {
		if cur, ok := inc.Role(role); !ok || cur.UserID != h.UserID {
			continue // somebody else holds it now: left as it is
		}
		if err := tx.moveRole(ctx, a, inc, role, h.IncomingID, h.IncomingName, h.UserID, h.UserName,
			fmt.Sprintf("%s is now the %s, taking over from %s at the end of the shift (handover)", h.IncomingName, s.RoleName(role), h.UserName),
			map[string]any{"handover_id": h.ID}); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s %s to %s", inc.Reference, s.RoleName(role), h.IncomingName))
	}
	return out, nil
}

// moveRole gives role on inc to a person, with a role-change entry.
func (tx *tx) moveRole(ctx context.Context, a herald.Actor, inc *herald.Incident, role, toID, toName, fromID, fromName, text string, extra map[string]any) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (incident_id, role) DO UPDATE SET user_id = excluded.user_id, assigned_at = excluded.assigned_at`,
		inc.ID, role, toID, micros(tx.now)); err != nil {
		return fmt.Errorf("assign role: %w", err)
	}
	data := map[string]any{"role": role, "user_id": toID, "user": toName, "previous_user_id": fromID, "previous_user": fromName}
	for k, v := range extra {
		data[k] = v
	}
	if err := tx.appendEntry(ctx, inc.ID, a, herald.EntryRoleChange, text, data); err != nil {
		return err
	}
	return tx.touch(ctx, inc)
}

// reassignThread gives an open notice thread the outgoing person still
// owns to the incoming person; its incident's timeline says so.
func (tx *tx) reassignThread(ctx context.Context, a herald.Actor, h *herald.Handover, it herald.HandoverItem) ([]string, error) {
	var incidentID sql.NullString
	res, err := tx.ExecContext(ctx, `UPDATE notice_threads SET owner_id = $1 WHERE id = $2 AND owner_id = $3`, h.IncomingID, it.Ref, h.UserID)
	if err != nil {
		return nil, fmt.Errorf("reassign notice thread: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT incident_id FROM notice_threads WHERE id = $1`, it.Ref).Scan(&incidentID); err != nil {
		return nil, err
	}
	if incidentID.Valid && incidentID.String != "" {
		text := fmt.Sprintf("Customer notice thread %q now owned by %s, taking over from %s at the end of the shift (handover)", it.Title, h.IncomingName, h.UserName)
		if err := tx.appendEntry(ctx, incidentID.String, a, herald.EntryNotice, text,
			map[string]any{"thread_id": it.Ref, "owner_id": h.IncomingID, "previous_owner_id": h.UserID, "handover_id": h.ID}); err != nil {
			return nil, err
		}
	}
	return []string{fmt.Sprintf("notice thread %q to %s", it.Title, h.IncomingName)}, nil
}

// AcknowledgeHandover records the incoming person's receipt of a
// submitted handover. When nobody was on call after the shift, anyone of
// the rotation but the outgoing person may.
func (db *HandoverService) AcknowledgeHandover(ctx context.Context, a herald.Actor, id string) (herald.Handover, error) {
	var h herald.Handover
	err := db.write(ctx, func(tx *tx) (err error) {
		if h, err = tx.readable(ctx, a, id); err != nil {
			return err
		}
		if h.SubmittedAt == nil {
			return &herald.Error{Code: herald.EUnprocessable, Message: "the handover is not submitted yet",
				Fields: map[string]string{"status": "draft: the outgoing person submits it first"}}
		}
		if h.AcknowledgedAt != nil {
			return herald.Errorf(herald.EConflict, "%s acknowledged it at %s", h.AcknowledgedByName, h.AcknowledgedAt.Format(time.RFC3339))
		}
		switch {
		case h.IncomingID != "" && a.User.ID != h.IncomingID:
			return herald.Errorf(herald.EForbidden, "only the incoming person, %s, acknowledges this handover", h.IncomingName)
		case h.IncomingID == "" && (a.User.ID == "" || a.User.ID == h.UserID):
			return herald.Errorf(herald.EForbidden, "someone of the rotation other than the outgoing person acknowledges this handover")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE handovers SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3`, micros(tx.now), a.User.ID, h.ID); err != nil {
			return fmt.Errorf("acknowledge handover: %w", err)
		}
		h.AcknowledgedAt, h.AcknowledgedBy, h.AcknowledgedByName, h.Status = ptrTime(tx.now), a.User.ID, a.User.Name, herald.HandoverAcknowledged
		return nil
	})
	return h, err
}

// HandOverRole is the live handover during an incident: the role's holder
// (or an admin) gives it to another person; the timeline records both
// people and the note.
func (db *HandoverService) HandOverRole(ctx context.Context, a herald.Actor, ref, role string, in herald.RoleHandoverInput) (*herald.Incident, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var inc *herald.Incident
	err := db.write(ctx, func(tx *tx) (err error) {
		if inc, err = tx.incident(ctx, ref); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if !s.HasRole(role) {
			return herald.Errorf(herald.ENotFound, "no incident role %q; the roles are %s", role, roleKeys(s))
		}
		if !inc.State.Active() {
			return &herald.Error{Code: herald.EUnprocessable, Message: inc.Reference + " is resolved: a live handover is for an incident under way",
				Fields: map[string]string{"state": "resolved"}}
		}
		cur, held := inc.Role(role)
		if !held {
			return &herald.Error{Code: herald.EUnprocessable, Message: "nobody holds the " + s.RoleName(role) + " role on " + inc.Reference + ": assign it instead",
				Fields: map[string]string{"role": "nobody holds it"}}
		}
		if a.User.ID != cur.UserID && a.Role != herald.RoleAdmin {
			return herald.Errorf(herald.EForbidden, "only the %s, %s, or an admin hands the role over", s.RoleName(role), cur.UserName)
		}
		to, err := tx.user(ctx, in.To)
		if herald.ErrorCode(err) == herald.ENotFound {
			return &herald.Error{Code: herald.EUnprocessable, Message: "to: no user " + quoteRef(in.To), Fields: map[string]string{"to": "no such user"}}
		}
		if err != nil {
			return err
		}
		if to.ID == cur.UserID {
			return &herald.Error{Code: herald.EUnprocessable, Message: to.Name + " already holds the role",
				Fields: map[string]string{"to": "already holds the role"}}
		}
		text := fmt.Sprintf("Live handover: %s handed the %s role over to %s: %s", cur.UserName, s.RoleName(role), to.Name, in.Note)
		if err := tx.moveRole(ctx, a, inc, role, to.ID, to.Name, cur.UserID, cur.UserName, text, map[string]any{"handover": "live", "note": in.Note}); err != nil {
			return err
		}
		inc.Roles = replaceRole(inc.Roles, herald.RoleAssignment{Role: role, UserID: to.ID, UserName: to.Name, AssignedAt: tx.now})
		return nil
	})
	return inc, err
}

func quoteRef(s string) string { return fmt.Sprintf("%q", s) }
