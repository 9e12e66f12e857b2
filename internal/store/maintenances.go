package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/heraldhq/herald"
)

const maintenanceColumns = `id, name, body, status, scheduled_for, scheduled_until, auto_transition, started_at, completed_at, created_at, updated_at`

// maintenanceSelect is what a read of a maintenance row takes: its columns
// and how its last automatic step went.
const maintenanceSelect = maintenanceColumns + `, step_attempts, step_error, mute_paging, ` + maintenanceKindColumns

func scanMaintenance(row interface{ Scan(...any) error }) (*herald.Maintenance, error) {
	var m herald.Maintenance
	var from, until, created, updated int64
	var started, completed sql.NullInt64
	var k maintenanceKindRow
	if err := row.Scan(&m.ID, &m.Name, &m.Body, &m.Status, &from, &until, &m.AutoTransition, &started, &completed, &created, &updated, &m.StepAttempts, &m.StepError, &m.MutePaging,
		&m.Kind, &m.Security, &k.by, &k.byName, &k.at, &k.comment); err != nil {
		return nil, err
	}
	k.apply(&m)
	m.ScheduledFor, m.ScheduledUntil = fromMicros(from), fromMicros(until)
	m.StartedAt, m.CompletedAt = fromNullMicros(started), fromNullMicros(completed)
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	m.Components, m.Reminders, m.Updates = []string{}, []herald.Reminder{}, []herald.MaintenanceUpdate{}
	return &m, nil
}

// CreateMaintenance schedules a maintenance (R30). Automation is on unless
// the input turns it off; reminders are times before the start.
func (db *MaintenanceService) CreateMaintenance(ctx context.Context, actor herald.Actor, in herald.MaintenanceInput) (*herald.Maintenance, error) {
	if err := in.Normalize(true); err != nil {
		return nil, err
	}
	var m *herald.Maintenance
	err := db.write(ctx, func(tx *tx) error {
		if err := tx.checkComponents(ctx, in.Components); err != nil {
			return err
		}
		guard, err := tx.guardPublic(ctx, actor, in.OverrideGuard, in.OverrideGuardReason, [2]string{"name", *in.Name}, [2]string{"body", deref(in.Body)})
		if err != nil {
			return err
		}
		m = &herald.Maintenance{ID: newID(), Name: *in.Name, Status: herald.MaintenanceScheduled,
			ScheduledFor: *in.ScheduledFor, ScheduledUntil: *in.ScheduledUntil, AutoTransition: true, CreatedAt: tx.now, UpdatedAt: tx.now}
		if in.Body != nil {
			m.Body = *in.Body
		}
		if in.AutoTransition != nil {
			m.AutoTransition = *in.AutoTransition
		}
		if !m.ScheduledUntil.After(tx.now) {
			return &herald.Error{Code: herald.EInvalid, Message: "the window has already ended", Fields: map[string]string{"scheduled_until": "must be in the future"}}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO maintenances (`+maintenanceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $8)`,
			m.ID, m.Name, m.Body, m.Status, micros(m.ScheduledFor), micros(m.ScheduledUntil), m.AutoTransition, micros(tx.now))
		if err != nil {
			return fmt.Errorf("insert maintenance: %w", err)
		}
		if err := tx.recordMaintenanceGuard(ctx, m.ID, guard); err != nil {
			return err
		}
		if err := tx.setMaintenanceKind(ctx, m, *in.Kind, in.Security != nil && *in.Security); err != nil {
			return err
		}
		if in.Components != nil {
			for _, cid := range *in.Components {
				if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_components (maintenance_id, component_id) VALUES ($1, $2)`, m.ID, cid); err != nil {
					return fmt.Errorf("maintenance component: %w", err)
				}
			}
		}
		if in.Reminders != nil {
			if err := tx.setReminders(ctx, m, *in.Reminders); err != nil {
				return err
			}
		}
		m.MutePaging = true // the column's default
		if err := tx.setMutePaging(ctx, m, in.MutePaging); err != nil {
			return err
		}
		if err := tx.maintenanceEvent(ctx, actor, m, herald.EventScheduled, m.Body); err != nil {
			return err
		}
		if err := tx.recordMaintenanceUpdateGuard(ctx, m.ID, m.Body, guard); err != nil {
			return err
		}
		return tx.bumpStatusVersion(ctx)
	})
	if err != nil {
		return nil, err
	}
	return db.Maintenance(ctx, m.ID)
}

func (tx *tx) checkComponents(ctx context.Context, ids *[]string) error {
	if ids == nil {
		return nil
	}
	fe := herald.FieldErrors{}
	for _, id := range *ids {
		c, err := tx.component(ctx, id)
		if herald.ErrorCode(err) == herald.ENotFound {
			fe.Add("components", "no component "+id)
			continue
		}
		if err != nil {
			return err
		}
		if c.Group {
			fe.Add("components", c.Name+" is a group: name its components")
		}
	}
	return fe.Err()
}

func (tx *tx) setReminders(ctx context.Context, m *herald.Maintenance, rs []herald.Duration) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM maintenance_reminders WHERE maintenance_id = $1 AND fired_at IS NULL`, m.ID); err != nil {
		return fmt.Errorf("reset reminders: %w", err)
	}
	for _, r := range rs {
		due := m.ScheduledFor.Add(-time.Duration(r))
		_, err := tx.ExecContext(ctx, `INSERT INTO maintenance_reminders (maintenance_id, before_s, due_at) VALUES ($1, $2, $3)
			ON CONFLICT (maintenance_id, before_s) DO NOTHING`, m.ID, int64(time.Duration(r)/time.Second), micros(due))
		if err != nil {
			return fmt.Errorf("set reminder: %w", err)
		}
	}
	return nil
}

// maintenanceEvent records one event of a maintenance as an update. These
// rows are also what the broadcast to subscribers will be built from.
func (tx *tx) maintenanceEvent(ctx context.Context, actor herald.Actor, m *herald.Maintenance, event, body string) error {
	return tx.maintenanceEventTo(ctx, actor, m, event, body, nil)
}

// maintenanceEventTo is maintenanceEvent with channels unchecked by the
// person posting it (R11).
func (tx *tx) maintenanceEventTo(ctx context.Context, actor herald.Actor, m *herald.Maintenance, event, body string, channels map[string]bool) error {
	name := actor.User.Name
	if name == "" {
		name = "Herald"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO maintenance_updates (id, maintenance_id, event, status, body, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		newID(), m.ID, event, m.Status, body, name, micros(tx.now))
	if err != nil {
		return fmt.Errorf("maintenance update: %w", err)
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	// A reminder and a manual update with the same text are one e-mail
	// (R31): they share a broadcast key, made from the text as a reader
	// compares it (case, spacing and punctuation aside), so one that
	// differs only in those is the same notice. A manual update that takes
	// a pending reminder's place is handled in PostMaintenanceUpdate.
	dedup := ""
	if event == herald.EventReminder || event == herald.EventUpdate {
		dedup = "maintenance|" + m.ID + "|" + noticeKey(body)
	}
	comps, err := tx.maintenanceComponents(ctx, m.ID)
	if err != nil {
		return err
	}
	notice := herald.MaintenanceNotice(settings.Page.Name, event, m, body, tx.db.links.Maintenance(m.ID))
	if err := tx.broadcast(ctx, notice, comps, channels, "", dedup); err != nil {
		return err
	}
	return tx.broadcastToTenantPages(ctx, notice, channels, dedup, "", m.ID, comps) // and to the tenants' private pages
}

// noticeKey is a notice's text as a reader compares two of them: lower
// case, with every run of spaces and punctuation one space.
func noticeKey(body string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(body) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}

func (tx *tx) maintenanceComponents(ctx context.Context, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT component_id FROM maintenance_components WHERE maintenance_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateMaintenance changes a maintenance: a new window reschedules it
// (R31), and auto_transition false turns automation off for good (R30).
func (db *MaintenanceService) UpdateMaintenance(ctx context.Context, actor herald.Actor, id string, in herald.MaintenanceInput) (*herald.Maintenance, error) {
	if err := in.Normalize(false); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		if !m.Active() {
			return herald.Errorf(herald.EUnprocessable, "the maintenance is %s; it can no longer change", m.Status.Title())
		}
		was := *m
		if in.AutoTransition != nil && *in.AutoTransition && !m.AutoTransition {
			return herald.Errorf(herald.EUnprocessable, "automation was turned off for this maintenance and cannot be turned on again: start, update and finish it by hand")
		}
		if in.AutoTransition != nil && !*in.AutoTransition && m.AutoTransition {
			m.AutoTransition = false
			if err := tx.maintenanceEvent(ctx, actor, m, herald.EventUpdate, "Automation turned off: updates and the finish are manual from now on."); err != nil {
				return err
			}
		}
		var edited [][2]string
		if in.Name != nil && *in.Name != m.Name {
			edited = append(edited, [2]string{"name", *in.Name})
		}
		if in.Body != nil && *in.Body != m.Body {
			edited = append(edited, [2]string{"body", *in.Body})
		}
		guard, err := tx.guardPublic(ctx, actor, in.OverrideGuard, in.OverrideGuardReason, edited...)
		if err != nil {
			return err
		}
		if err := tx.recordMaintenanceGuard(ctx, m.ID, guard); err != nil {
			return err
		}
		if in.Name != nil {
			m.Name = *in.Name
		}
		if in.Body != nil {
			m.Body = *in.Body
		}
		if err := tx.changeMaintenanceKind(ctx, m, in.Kind, in.Security); err != nil {
			return err
		}
		rescheduled := false
		if in.ScheduledFor != nil && !in.ScheduledFor.Equal(m.ScheduledFor) {
			if m.Status != herald.MaintenanceScheduled {
				return herald.Errorf(herald.EUnprocessable, "a maintenance in progress keeps its start; change scheduled_until to extend it")
			}
			m.ScheduledFor, rescheduled = *in.ScheduledFor, true
		}
		if in.ScheduledUntil != nil && !in.ScheduledUntil.Equal(m.ScheduledUntil) {
			m.ScheduledUntil, rescheduled = *in.ScheduledUntil, true
		}
		if !m.ScheduledUntil.After(m.ScheduledFor) {
			return &herald.Error{Code: herald.EInvalid, Message: "scheduled_until must be after scheduled_for", Fields: map[string]string{"scheduled_until": "must be after scheduled_for"}}
		}
		if rescheduled && !m.ScheduledUntil.After(tx.now) {
			return &herald.Error{Code: herald.EInvalid, Message: "the new window has already ended", Fields: map[string]string{"scheduled_until": "must be in the future"}}
		}
		if in.Components != nil {
			if err := tx.checkComponents(ctx, in.Components); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM maintenance_components WHERE maintenance_id = $1`, m.ID); err != nil {
				return err
			}
			for _, cid := range *in.Components {
				if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_components (maintenance_id, component_id) VALUES ($1, $2)`, m.ID, cid); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE maintenances SET name = $1, body = $2, scheduled_for = $3, scheduled_until = $4, auto_transition = $5, updated_at = $6 WHERE id = $7`,
			m.Name, m.Body, micros(m.ScheduledFor), micros(m.ScheduledUntil), m.AutoTransition, micros(tx.now), m.ID)
		if err != nil {
			return fmt.Errorf("update maintenance: %w", err)
		}
		if err := tx.maintenanceEdited(ctx, m, in.MutePaging); err != nil {
			return err
		}
		reminders := in.Reminders
		if reminders == nil && rescheduled {
			// Unfired reminders keep their offsets and move with the start.
			var keep []herald.Duration
			for _, r := range m.Reminders {
				if r.FiredAt == nil {
					keep = append(keep, r.Before)
				}
			}
			reminders = &keep
		}
		if reminders != nil {
			if err := tx.setReminders(ctx, m, *reminders); err != nil {
				return err
			}
		}
		if rescheduled {
			text := fmt.Sprintf("Rescheduled to %s - %s UTC.", m.ScheduledFor.Format("2006-01-02 15:04"), m.ScheduledUntil.Format("2006-01-02 15:04"))
			if err := tx.maintenanceEvent(ctx, actor, m, herald.EventRescheduled, text); err != nil {
				return err
			}
		}
		if err := tx.emergencyEdited(ctx, actor, &was, m); err != nil {
			return err
		}
		if err := tx.recomputeComponents(ctx); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Maintenance(ctx, id)
}

// PostMaintenanceUpdate posts an update; with a status it also starts,
// completes or cancels the maintenance by hand. Starting and completing are
// the automation's while it is on, so by hand they need it off first (R30):
// hand and machine never both take the same step. An update without a
// status leaves a scheduled maintenance scheduled and may replace a pending
// reminder (R31, replaceReminders).
func (db *MaintenanceService) PostMaintenanceUpdate(ctx context.Context, actor herald.Actor, id string, in herald.MaintenanceUpdateInput) (*herald.Maintenance, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		if !m.Active() {
			return herald.Errorf(herald.EUnprocessable, "the maintenance is %s; post a new one instead", m.Status.Title())
		}
		if m.AutoTransition && (in.Status == herald.MaintenanceInProgress || in.Status == herald.MaintenanceCompleted) {
			verb := "start"
			if in.Status == herald.MaintenanceCompleted {
				verb = "complete"
			}
			return herald.Errorf(herald.EUnprocessable, "R30: automation is on for this maintenance, so Herald starts and completes it on time; "+
				"turn automation off first (auto_transition false, for good), then %s it by hand", verb)
		}
		guard, err := tx.guardPublic(ctx, actor, in.OverrideGuard, in.OverrideGuardReason, [2]string{"body", in.Body})
		if err != nil {
			return err
		}
		event := herald.EventUpdate
		switch in.Status {
		case "":
			if err := tx.replaceReminders(ctx, m, in.Channels); err != nil {
				return err
			}
		case herald.MaintenanceInProgress:
			if m.Status != herald.MaintenanceScheduled {
				return herald.Errorf(herald.EUnprocessable, "the maintenance is already in progress")
			}
			if m.AwaitsApproval() {
				return emergencyNotApproved(m)
			}
			event = herald.EventStarted
		case herald.MaintenanceCompleted:
			if m.Status != herald.MaintenanceInProgress {
				return herald.Errorf(herald.EUnprocessable, "only a maintenance in progress can complete; cancel a scheduled one instead")
			}
			event = herald.EventCompleted
		case herald.MaintenanceCancelled:
			if m.Status != herald.MaintenanceScheduled {
				return herald.Errorf(herald.EUnprocessable, "a maintenance in progress completes rather than cancels")
			}
			event = herald.EventCancelled
		}
		if err := tx.moveMaintenance(ctx, actor, m, in.Status, event, in.Body, in.Channels); err != nil {
			return err
		}
		return tx.recordMaintenanceUpdateGuard(ctx, m.ID, in.Body, guard)
	})
	if err != nil {
		return nil, err
	}
	return db.Maintenance(ctx, id)
}

// replaceReminders applies R31 to a manual update of a scheduled
// maintenance: subscribers get one notice, not the update and then a
// reminder. A pending reminder is replaced by the update when the update
// comes within the reminder's own lead time before it (a 24h reminder by
// an update less than 24 hours before it is due, a 1h reminder by one
// less than an hour before; one already due but not yet sent too): it is
// marked sent and never goes out, and like a sent reminder it does not
// come back when the maintenance is rescheduled. An update that unchecks a channel replaces nothing,
// since the subscribers of that channel still need the reminder.
func (tx *tx) replaceReminders(ctx context.Context, m *herald.Maintenance, channels map[string]bool) error {
	if m.Status != herald.MaintenanceScheduled {
		return nil
	}
	for _, on := range channels {
		if !on {
			return nil
		}
	}
	for _, r := range m.Reminders {
		if r.FiredAt != nil || !tx.now.After(r.DueAt.Add(-time.Duration(r.Before))) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE maintenance_reminders SET fired_at = $1 WHERE maintenance_id = $2 AND before_s = $3 AND fired_at IS NULL`,
			micros(tx.now), m.ID, int64(time.Duration(r.Before)/time.Second)); err != nil {
			return fmt.Errorf("replace reminder: %w", err)
		}
	}
	return nil
}

// moveMaintenance records an event and, with a status, moves the
// maintenance and its components.
func (tx *tx) moveMaintenance(ctx context.Context, actor herald.Actor, m *herald.Maintenance, to herald.MaintenanceStatus, event, body string, channels map[string]bool) error {
	if to != "" {
		m.Status = to
		var started, completed any = nil, nil
		switch to {
		case herald.MaintenanceInProgress:
			started = micros(tx.now)
		case herald.MaintenanceCompleted, herald.MaintenanceCancelled:
			completed = micros(tx.now)
		}
		_, err := tx.ExecContext(ctx, `UPDATE maintenances SET status = $1, updated_at = $2,
			started_at = COALESCE($3, started_at), completed_at = COALESCE($4, completed_at) WHERE id = $5`,
			to, micros(tx.now), started, completed, m.ID)
		if err != nil {
			return fmt.Errorf("move maintenance: %w", err)
		}
		if err := tx.maintenanceMoved(ctx, m); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET updated_at = $1 WHERE id = $2`, micros(tx.now), m.ID); err != nil {
		return err
	}
	if err := tx.maintenanceEventTo(ctx, actor, m, event, body, channels); err != nil {
		return err
	}
	if to == herald.MaintenanceCompleted || to == herald.MaintenanceCancelled {
		if err := tx.emergencyEnded(ctx, actor, m, to); err != nil {
			return err
		}
	}
	return tx.recomputeComponents(ctx)
}

// Maintenance reads one maintenance with its components, reminders and
// updates.
func (db *MaintenanceService) Maintenance(ctx context.Context, id string) (*herald.Maintenance, error) {
	var m *herald.Maintenance
	err := db.read(ctx, func(tx *tx) (err error) {
		m, err = tx.maintenance(ctx, id)
		return err
	})
	return m, err
}

func (tx *tx) maintenance(ctx context.Context, id string) (*herald.Maintenance, error) {
	m, err := scanMaintenance(tx.QueryRowContext(ctx, `SELECT `+maintenanceSelect+` FROM maintenances WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no maintenance %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read maintenance: %w", err)
	}
	if err := tx.fillMaintenances(ctx, []*herald.Maintenance{m}); err != nil {
		return nil, err
	}
	return m, tx.fillMaintenanceTenants(ctx, m)
}

// Maintenances lists maintenances by start, newest first.
func (db *MaintenanceService) Maintenances(ctx context.Context, limit int) ([]*herald.Maintenance, error) {
	var out []*herald.Maintenance
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+maintenanceSelect+` FROM maintenances ORDER BY scheduled_for DESC, id DESC LIMIT $1`, limit)
		if err != nil {
			return fmt.Errorf("list maintenances: %w", err)
		}
		out = []*herald.Maintenance{}
		for rows.Next() {
			m, err := scanMaintenance(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list maintenances: %w", err)
			}
			out = append(out, m)
		}
		rows.Close()
		return tx.fillMaintenances(ctx, out)
	})
	return out, err
}

// fillMaintenances loads components, reminders and updates for a list of
// maintenances in three queries, whatever its length: the status page
// loads every maintenance on each rebuild.
func (tx *tx) fillMaintenances(ctx context.Context, list []*herald.Maintenance) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]*herald.Maintenance, len(list))
	ids := make([]string, len(list))
	for i, m := range list {
		m.URL = tx.db.links.Maintenance(m.ID)
		byID[m.ID] = m
		ids[i] = m.ID
	}
	in, args := inList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT maintenance_id, component_id FROM maintenance_components WHERE maintenance_id IN (`+in+`) ORDER BY component_id`, args...)
	if err != nil {
		return fmt.Errorf("read maintenance components: %w", err)
	}
	for rows.Next() {
		var mid, c string
		if err := rows.Scan(&mid, &c); err != nil {
			rows.Close()
			return err
		}
		byID[mid].Components = append(byID[mid].Components, c)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT maintenance_id, before_s, due_at, fired_at FROM maintenance_reminders WHERE maintenance_id IN (`+in+`) ORDER BY due_at`, args...)
	if err != nil {
		return fmt.Errorf("read reminders: %w", err)
	}
	for rows.Next() {
		var mid string
		var before, due int64
		var fired sql.NullInt64
		if err := rows.Scan(&mid, &before, &due, &fired); err != nil {
			rows.Close()
			return err
		}
		byID[mid].Reminders = append(byID[mid].Reminders, herald.Reminder{Before: herald.Duration(time.Duration(before) * time.Second), DueAt: fromMicros(due), FiredAt: fromNullMicros(fired)})
	}
	rows.Close()
	if err := tx.readMaintenanceGuards(ctx, byID, in, args); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT maintenance_id, id, event, status, body, actor, created_at, guard_override FROM maintenance_updates WHERE maintenance_id IN (`+in+`) ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return fmt.Errorf("read maintenance updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mid, guard string
		var u herald.MaintenanceUpdate
		var at int64
		if err := rows.Scan(&mid, &u.ID, &u.Event, &u.Status, &u.Body, &u.Actor, &at, &guard); err != nil {
			return err
		}
		u.GuardOverride = tx.readGuardOverride(guard, u.ID)
		u.CreatedAt = fromMicros(at)
		byID[mid].Updates = append(byID[mid].Updates, u)
	}
	return rows.Err()
}

// RunMaintenanceAutomation does what is due at now: fires reminders, starts
// maintenances whose window opened and completes those whose window closed,
// for maintenances with automation on. It catches up on everything that
// fell due while Herald was down, in order (a window missed entirely starts
// and completes). Each step is a conditional update, so several instances
// running it at once do each step once. It returns how many steps it took.
func (db *Work) RunMaintenanceAutomation(ctx context.Context) (int, error) {
	return runSteps(ctx, db.MaintenanceStep)
}

// MaintenanceStep takes the single earliest due step, if any. A step that
// fails is recorded on its maintenance (attempts, last error) and tried
// again with backoff; meanwhile the other maintenances' steps go on.
func (db *Work) MaintenanceStep(ctx context.Context) (bool, error) {
	did := false
	var mid string
	var attempts int
	err := db.write(ctx, func(tx *tx) error {
		now := micros(tx.now)
		// Reminders first: a reminder due before the start goes out before it.
		var before int64
		err := tx.QueryRowContext(ctx, `SELECT r.maintenance_id, r.before_s, m.step_attempts FROM maintenance_reminders r
			JOIN maintenances m ON m.id = r.maintenance_id
			WHERE r.fired_at IS NULL AND r.due_at <= $1 AND m.status = 'scheduled' AND (m.step_retry_at IS NULL OR m.step_retry_at <= $1)
			ORDER BY r.due_at LIMIT 1`, now).Scan(&mid, &before, &attempts)
		if err == nil {
			res, err := tx.ExecContext(ctx, `UPDATE maintenance_reminders SET fired_at = $1 WHERE maintenance_id = $2 AND before_s = $3 AND fired_at IS NULL`, now, mid, before)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			m, err := tx.maintenance(ctx, mid)
			if err != nil {
				return err
			}
			did = true
			text := fmt.Sprintf("Reminder: %s starts %s UTC.", m.Name, m.ScheduledFor.Format("2006-01-02 15:04"))
			if err := tx.maintenanceEvent(ctx, herald.Actor{}, m, herald.EventReminder, text); err != nil {
				return err
			}
			return tx.stepDone(ctx, m)
		} else if !errors.Is(err, sql.ErrNoRows) {
			mid = ""
			return fmt.Errorf("due reminders: %w", err)
		}

		var status herald.MaintenanceStatus
		err = tx.QueryRowContext(ctx, `SELECT id, status, step_attempts FROM maintenances WHERE auto_transition = $1 AND (
			(status = 'scheduled' AND scheduled_for <= $2 AND (kind <> 'emergency' OR approved_at IS NOT NULL)) OR (status = 'in_progress' AND scheduled_until <= $2))
			AND (step_retry_at IS NULL OR step_retry_at <= $2)
			ORDER BY CASE WHEN status = 'scheduled' THEN scheduled_for ELSE scheduled_until END LIMIT 1`, true, now).Scan(&mid, &status, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			mid = ""
			return nil
		}
		if err != nil {
			mid = ""
			return fmt.Errorf("due maintenances: %w", err)
		}
		to, event, text := herald.MaintenanceInProgress, herald.EventStarted, "The maintenance has started."
		if status == herald.MaintenanceInProgress {
			to, event, text = herald.MaintenanceCompleted, herald.EventCompleted, "The maintenance is complete."
		}
		res, err := tx.ExecContext(ctx, `UPDATE maintenances SET updated_at = updated_at WHERE id = $1 AND status = $2 AND auto_transition = $3`, mid, status, true)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance took it
		}
		m, err := tx.maintenance(ctx, mid)
		if err != nil {
			return err
		}
		did = true
		// Reminders not yet sent for a maintenance that has started are moot.
		if _, err := tx.ExecContext(ctx, `UPDATE maintenance_reminders SET fired_at = $1 WHERE maintenance_id = $2 AND fired_at IS NULL`, now, mid); err != nil {
			return err
		}
		if err := tx.moveMaintenance(ctx, herald.Actor{}, m, to, event, text, nil); err != nil {
			return err
		}
		return tx.stepDone(ctx, m)
	})
	if err != nil && mid != "" && ctx.Err() == nil {
		return true, db.maintenanceStepFailed(ctx, mid, attempts+1, err)
	}
	return did, err
}

// stepDone clears a maintenance's record of failed steps.
func (tx *tx) stepDone(ctx context.Context, m *herald.Maintenance) error {
	if m.StepAttempts == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE maintenances SET step_attempts = 0, step_error = '', step_retry_at = NULL WHERE id = $1`, m.ID)
	return err
}

// maintenanceStepFailed records a failed step on its maintenance and holds
// the maintenance's steps back for the backoff.
func (db *core) maintenanceStepFailed(ctx context.Context, id string, attempt int, stepErr error) error {
	return db.rowFailed(ctx, db.write, "step of maintenance", id, attempt, stepErr, func(tx *tx, msg string, retryAt time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE maintenances SET step_attempts = $1, step_error = $2, step_retry_at = $3 WHERE id = $4`,
			attempt, msg, micros(retryAt), id)
		return err
	})
}
