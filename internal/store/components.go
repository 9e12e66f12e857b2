package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/heraldhq/herald"
)

const componentColumns = `id, name, description, COALESCE(group_id, ''), is_group, position, status, created_at, updated_at`

func scanComponent(row interface{ Scan(...any) error }) (herald.Component, error) {
	var c herald.Component
	var created, updated int64
	err := row.Scan(&c.ID, &c.Name, &c.Description, &c.GroupID, &c.Group, &c.Position, &c.Status, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// Components lists the status page's components and groups in page order:
// each group followed by its members.
func (db *StatusPageService) Components(ctx context.Context) ([]herald.Component, error) {
	var out []herald.Component
	err := db.read(ctx, func(tx *tx) (err error) {
		out, err = tx.components(ctx)
		return err
	})
	return out, err
}

func (tx *tx) components(ctx context.Context) ([]herald.Component, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+componentColumns+` FROM components WHERE deleted_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	defer rows.Close()
	var all []herald.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, fmt.Errorf("list components: %w", err)
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return pageOrder(all), nil
}

// pageOrder sorts top-level components and groups by position then name,
// and places each group's members right after it.
func pageOrder(all []herald.Component) []herald.Component {
	less := func(a, b herald.Component) bool {
		if a.Position != b.Position {
			return a.Position < b.Position
		}
		return a.Name < b.Name
	}
	sort.Slice(all, func(i, j int) bool { return less(all[i], all[j]) })
	members := map[string][]herald.Component{}
	var top []herald.Component
	for _, c := range all {
		if c.GroupID != "" {
			members[c.GroupID] = append(members[c.GroupID], c)
		} else {
			top = append(top, c)
		}
	}
	out := make([]herald.Component, 0, len(all))
	for _, c := range top {
		out = append(out, c)
		out = append(out, members[c.ID]...)
	}
	return out
}

func (tx *tx) component(ctx context.Context, id string) (herald.Component, error) {
	c, err := scanComponent(tx.QueryRowContext(ctx, `SELECT `+componentColumns+` FROM components WHERE id = $1 AND deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, herald.Errorf(herald.ENotFound, "no component %q", id)
	}
	if err != nil {
		return c, fmt.Errorf("read component: %w", err)
	}
	return c, nil
}

// groupFor finds the group named by id or name, creating a group of that
// name when there is none.
func (tx *tx) groupFor(ctx context.Context, actor herald.Actor, ref string) (string, error) {
	var id string
	var isGroup bool
	err := tx.QueryRowContext(ctx, `SELECT id, is_group FROM components WHERE (id = $1 OR (name = $1 AND is_group = $2)) AND deleted_at IS NULL ORDER BY is_group DESC LIMIT 1`, ref, true).Scan(&id, &isGroup)
	if err == nil {
		if !isGroup {
			return "", &herald.Error{Code: herald.EInvalid, Message: "group " + ref + " is a component, not a group", Fields: map[string]string{"group": "names a component, not a group"}}
		}
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find group: %w", err)
	}
	g := herald.Component{ID: newID(), Name: ref, Group: true, Status: herald.Operational}
	if err := tx.insertComponent(ctx, actor, g); err != nil {
		return "", err
	}
	return g.ID, nil
}

func (tx *tx) insertComponent(ctx context.Context, actor herald.Actor, c herald.Component) error {
	var group sql.NullString
	if c.GroupID != "" {
		group = sql.NullString{String: c.GroupID, Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO components (id, name, description, group_id, is_group, position, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, c.ID, c.Name, c.Description, group, c.Group, c.Position, herald.Operational, micros(tx.now))
	if err != nil {
		return fmt.Errorf("insert component: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO component_history (component_id, status, at) VALUES ($1, $2, $3)`, c.ID, herald.Operational, micros(tx.now)); err != nil {
		return fmt.Errorf("component history: %w", err)
	}
	return tx.recordComponentChange(ctx, actor, c.ID, "created", c)
}

// recordComponentChange keeps who changed the set of components and how
// (R21): the page's structure is reviewed like code.
func (tx *tx) recordComponentChange(ctx context.Context, actor herald.Actor, id, action string, data any) error {
	b, _ := json.Marshal(data)
	_, err := tx.ExecContext(ctx, `INSERT INTO component_changes (component_id, action, actor, at, data) VALUES ($1, $2, $3, $4, $5)`,
		id, action, actor.User.Name, micros(tx.now), string(b))
	if err != nil {
		return fmt.Errorf("record component change: %w", err)
	}
	return tx.bumpStatusVersion(ctx)
}

// CreateComponent adds a component to the status page, in a group when one
// is named (created if missing).
func (db *StatusPageService) CreateComponent(ctx context.Context, actor herald.Actor, in herald.ComponentInput) (herald.Component, error) {
	if err := in.Normalize(true); err != nil {
		return herald.Component{}, err
	}
	var c herald.Component
	err := db.write(ctx, func(tx *tx) (err error) {
		if err := tx.requireDirectComponentChange(ctx, actor, "adding a component"); err != nil {
			return err
		}
		c, err = tx.createComponent(ctx, actor, in)
		return err
	})
	return c, err
}

// createComponent is CreateComponent in the caller's transaction (an
// approved proposal applies through it, R21).
func (tx *tx) createComponent(ctx context.Context, actor herald.Actor, in herald.ComponentInput) (herald.Component, error) {
	c := herald.Component{ID: newID(), Name: *in.Name, Status: herald.Operational, CreatedAt: tx.now, UpdatedAt: tx.now}
	err := func() error {
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.Position != nil {
			c.Position = *in.Position
		}
		if in.Group != nil && *in.Group != "" {
			var err error
			if c.GroupID, err = tx.groupFor(ctx, actor, *in.Group); err != nil {
				return err
			}
		}
		return tx.insertComponent(ctx, actor, c)
	}()
	return c, err
}

// UpdateComponent renames, describes, moves or regroups a component. Its
// status is not set here: it follows from incidents and maintenances (R12).
func (db *StatusPageService) UpdateComponent(ctx context.Context, actor herald.Actor, id string, in herald.ComponentInput) (herald.Component, error) {
	if err := in.Normalize(false); err != nil {
		return herald.Component{}, err
	}
	var c herald.Component
	err := db.write(ctx, func(tx *tx) (err error) {
		if err := tx.requireDirectComponentChange(ctx, actor, "changing a component"); err != nil {
			return err
		}
		c, err = tx.updateComponent(ctx, actor, id, in)
		return err
	})
	return c, err
}

// updateComponent is UpdateComponent in the caller's transaction (an
// approved proposal applies through it, R21).
func (tx *tx) updateComponent(ctx context.Context, actor herald.Actor, id string, in herald.ComponentInput) (herald.Component, error) {
	var c herald.Component
	err := func() error {
		var err error
		if c, err = tx.component(ctx, id); err != nil {
			return err
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.Position != nil {
			c.Position = *in.Position
		}
		if in.Group != nil {
			if c.Group && *in.Group != "" {
				return herald.Errorf(herald.EUnprocessable, "a group cannot be put in another group: the page has two levels")
			}
			c.GroupID = ""
			if *in.Group != "" {
				if c.GroupID, err = tx.groupFor(ctx, actor, *in.Group); err != nil {
					return err
				}
			}
		}
		var group sql.NullString
		if c.GroupID != "" {
			group = sql.NullString{String: c.GroupID, Valid: true}
		}
		c.UpdatedAt = tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE components SET name = $1, description = $2, position = $3, group_id = $4, updated_at = $5 WHERE id = $6`,
			c.Name, c.Description, c.Position, group, micros(tx.now), c.ID); err != nil {
			return fmt.Errorf("update component: %w", err)
		}
		if err := tx.recordComponentChange(ctx, actor, c.ID, "updated", in); err != nil {
			return err
		}
		return tx.recomputeComponents(ctx)
	}()
	return c, err
}

// DeleteComponent removes a component from the page. One that an open
// incident or maintenance still affects, or a group with members, stays.
func (db *StatusPageService) DeleteComponent(ctx context.Context, actor herald.Actor, id string) error {
	return db.write(ctx, func(tx *tx) error {
		if err := tx.requireDirectComponentChange(ctx, actor, "removing a component"); err != nil {
			return err
		}
		return tx.deleteComponent(ctx, actor, id)
	})
}

func (tx *tx) deleteComponent(ctx context.Context, actor herald.Actor, id string) error {
	c, err := tx.component(ctx, id)
	if err != nil {
		return err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM components WHERE group_id = $1 AND deleted_at IS NULL) +
		(SELECT count(*) FROM status_incident_components sc JOIN status_incidents s ON s.id = sc.status_incident_id WHERE sc.component_id = $1 AND s.status <> 'resolved') +
		(SELECT count(*) FROM maintenance_components mc JOIN maintenances m ON m.id = mc.maintenance_id WHERE mc.component_id = $1 AND m.status IN ('scheduled', 'in_progress'))`, c.ID).Scan(&n)
	if err != nil {
		return fmt.Errorf("check component use: %w", err)
	}
	if n > 0 {
		return herald.Errorf(herald.EUnprocessable, "%s is still in use (group members, an open incident or a planned maintenance)", c.Name)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE components SET deleted_at = $1 WHERE id = $2`, micros(tx.now), c.ID); err != nil {
		return fmt.Errorf("delete component: %w", err)
	}
	return tx.recordComponentChange(ctx, actor, c.ID, "deleted", c)
}

// ComponentChanges lists the recorded changes to components, newest first
// (R21).
func (db *StatusPageService) ComponentChanges(ctx context.Context, limit int) ([]herald.ComponentLogEntry, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT component_id, action, actor, at, data, via, approved_by, proposal_id FROM component_changes ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("component changes: %w", err)
	}
	defer rows.Close()
	out := []herald.ComponentLogEntry{}
	for rows.Next() {
		var c herald.ComponentLogEntry
		var at int64
		var data string
		if err := rows.Scan(&c.ComponentID, &c.Action, &c.Actor, &at, &data, &c.Via, &c.ApprovedBy, &c.ProposalID); err != nil {
			return nil, fmt.Errorf("component changes: %w", err)
		}
		c.At, c.Data = fromMicros(at), json.RawMessage(data)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (tx *tx) bumpStatusVersion(ctx context.Context) error {
	if _, err := tx.ExecContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'status_version'`); err != nil {
		return fmt.Errorf("bump status version: %w", err)
	}
	tx.statusChanged = true
	return nil
}

// StatusVersion changes whenever anything the public status page shows
// changes. Every instance polls it to know when to rebuild its page: cheap,
// and the same on both databases.
func (db *StatusPageService) StatusVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.r.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'status_version'`).Scan(&v)
	return v, err
}

// LocalStatusChanges counts the commits made through this DB (this
// process: API writes and background steps alike) that changed what the
// public status page shows. Changes made by other processes show in
// StatusVersion only.
func (db *StatusPageService) LocalStatusChanges() uint64 { return db.statusChanges.Load() }

// OnStatusChange has fn called after each commit through this DB that
// changed what the public status page shows, before the method that
// committed returns. The page cache re-renders there, so that whoever made
// a change (an API request, the worker) sees it on their next read of the
// page, while readers never wait. fn must not write through db. One
// function at a time: a second call replaces the first; nil removes it.
func (db *StatusPageService) OnStatusChange(fn func()) {
	if fn == nil {
		db.statusHook.Store(nil)
		return
	}
	db.statusHook.Store(&fn)
}

// recomputeComponents derives every component's shown status from what
// affects it now: the worst of its open incidents and maintenances in
// progress, and for a group the worst of its members. Resolving one
// incident thus never hides another that is still open. Changes are
// recorded in the history that uptime is computed from.
func (tx *tx) recomputeComponents(ctx context.Context) error {
	comps, err := tx.components(ctx)
	if err != nil {
		return err
	}
	derived := map[string]herald.ComponentStatus{}
	rows, err := tx.QueryContext(ctx, `SELECT sc.component_id, sc.status FROM status_incident_components sc
		JOIN status_incidents s ON s.id = sc.status_incident_id WHERE s.status <> 'resolved'
		UNION ALL
		SELECT mc.component_id, 'under_maintenance' FROM maintenance_components mc
		JOIN maintenances m ON m.id = mc.maintenance_id WHERE m.status = 'in_progress'`)
	if err != nil {
		return fmt.Errorf("derive component status: %w", err)
	}
	for rows.Next() {
		var id string
		var st herald.ComponentStatus
		if err := rows.Scan(&id, &st); err != nil {
			rows.Close()
			return fmt.Errorf("derive component status: %w", err)
		}
		derived[id] = herald.Worst(herald.Worst(herald.Operational, derived[id]), st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range comps {
		if c.GroupID != "" {
			derived[c.GroupID] = herald.Worst(herald.Worst(herald.Operational, derived[c.GroupID]), derived[c.ID])
		}
	}
	for _, c := range comps {
		want := herald.Worst(herald.Operational, derived[c.ID])
		if want == c.Status {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE components SET status = $1, updated_at = $2 WHERE id = $3`, want, micros(tx.now), c.ID); err != nil {
			return fmt.Errorf("set component status: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO component_history (component_id, status, at) VALUES ($1, $2, $3)`, c.ID, want, micros(tx.now)); err != nil {
			return fmt.Errorf("component history: %w", err)
		}
	}
	return tx.bumpStatusVersion(ctx)
}

// ComponentHistory returns, per component, its status at since and every
// change after it, oldest first: what uptime is computed from.
func (db *StatusPageService) ComponentHistory(ctx context.Context, since time.Time) (map[string][]herald.StatusPoint, error) {
	out := map[string][]herald.StatusPoint{}
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT component_id, status, at FROM component_history
			WHERE id IN (SELECT MAX(id) FROM component_history WHERE at < $1 GROUP BY component_id)
			UNION ALL
			SELECT component_id, status, at FROM component_history WHERE at >= $1
			ORDER BY 1, 3`, micros(since))
		if err != nil {
			return fmt.Errorf("component history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var p herald.StatusPoint
			var at int64
			if err := rows.Scan(&id, &p.Status, &at); err != nil {
				return fmt.Errorf("component history: %w", err)
			}
			p.At = fromMicros(at)
			out[id] = append(out[id], p)
		}
		return rows.Err()
	})
	return out, err
}
