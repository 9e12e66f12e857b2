package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/heraldhq/herald"
)

// EditStatusIncident corrects an open status incident's title and affected
// components (R22). The correction waits on the status incident (pending)
// until the next update publishes it, as the practice says ("published with
// the next update"): it does not change the public page, so the status
// version is not bumped. The internal incident's timeline records it now.
func (db *StatusPageService) EditStatusIncident(ctx context.Context, actor herald.Actor, id string, in herald.StatusIncidentEdit) (*herald.StatusIncident, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var s *herald.StatusIncident
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if s, err = tx.statusIncident(ctx, id); err != nil {
			return err
		}
		if s.Status == herald.Resolved {
			return herald.Errorf(herald.EUnprocessable, "the status incident is resolved: its title and components are corrected only while it is open (R22)")
		}
		comps, err := tx.components(ctx)
		if err != nil {
			return err
		}
		byID := map[string]herald.Component{}
		for _, c := range comps {
			byID[c.ID] = c
		}
		var notes []string
		if in.Name != "" {
			s.PendingName = in.Name
			if in.Name == s.Name {
				s.PendingName = "" // back to the published title: nothing pending
			} else {
				notes = append(notes, fmt.Sprintf("title %q (was %q)", in.Name, s.Name))
			}
		}
		if in.Components != nil {
			if err := herald.CheckComponents(byID, *in.Components); err != nil {
				return err
			}
			current := make([]string, 0, len(s.Components))
			for cid := range s.Components {
				current = append(current, cid)
			}
			sort.Strings(current)
			s.PendingComponents = *in.Components
			if slices.Equal(current, *in.Components) {
				s.PendingComponents = nil
			} else {
				names := []string{}
				for _, cid := range *in.Components {
					names = append(names, byID[cid].Name)
				}
				text := "no components"
				if len(names) > 0 {
					text = "components " + strings.Join(names, ", ")
				}
				notes = append(notes, text)
			}
		}
		var pending sql.NullString
		if s.PendingComponents != nil {
			b, _ := json.Marshal(s.PendingComponents)
			pending = sql.NullString{String: string(b), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_incidents SET pending_name = $1, pending_components = $2 WHERE id = $3`,
			s.PendingName, pending, s.ID); err != nil {
			return fmt.Errorf("edit status incident: %w", err)
		}
		if s.IncidentID != "" && len(notes) > 0 {
			text := "Status page correction, published with the next update: " + strings.Join(notes, "; ")
			data := map[string]any{"status_incident_id": s.ID, "pending_name": s.PendingName, "pending_components": s.PendingComponents}
			if err := tx.appendEntry(ctx, s.IncidentID, actor, herald.EntryNote, text, data); err != nil {
				return err
			}
		}
		return nil
	})
	return s, err
}

// applyPendingEdit publishes a pending correction (R22) as part of the
// update in: the title changes, components no longer listed leave the
// incident (returned as changes to operational, for the update's record)
// and listed ones join it. A joining component the update gives no status
// takes the worst status of the incident's components (degraded performance
// when it has none). It returns the new title when it changed.
func (tx *tx) applyPendingEdit(ctx context.Context, s *herald.StatusIncident, in *herald.StatusUpdateInput) (string, []herald.ComponentChange, error) {
	if s.PendingName == "" && s.PendingComponents == nil {
		return "", nil, nil
	}
	renamed := ""
	if s.PendingName != "" && s.PendingName != s.Name {
		renamed = s.PendingName
		s.Name = s.PendingName
	}
	var removed []herald.ComponentChange
	if s.PendingComponents != nil {
		comps, err := tx.components(ctx)
		if err != nil {
			return "", nil, err
		}
		byID := map[string]herald.Component{}
		for _, c := range comps {
			byID[c.ID] = c
		}
		keep := map[string]bool{}
		for _, cid := range s.PendingComponents {
			keep[cid] = true
		}
		worst := herald.Operational
		for _, st := range s.Components {
			worst = herald.Worst(worst, st)
		}
		if worst == herald.Operational {
			worst = herald.DegradedPerformance
		}
		ids := make([]string, 0, len(s.Components))
		for cid := range s.Components {
			ids = append(ids, cid)
		}
		sort.Strings(ids)
		for _, cid := range ids {
			if keep[cid] || in.Components[cid] != "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM status_incident_components WHERE status_incident_id = $1 AND component_id = $2`, s.ID, cid); err != nil {
				return "", nil, fmt.Errorf("remove incident component: %w", err)
			}
			removed = append(removed, herald.ComponentChange{ID: cid, Name: byID[cid].Name, OldStatus: s.Components[cid], NewStatus: herald.Operational})
			delete(s.Components, cid)
		}
		add := map[string]herald.ComponentStatus{}
		for cid, st := range in.Components {
			add[cid] = st
		}
		for _, cid := range s.PendingComponents {
			if _, had := s.Components[cid]; !had && add[cid] == "" {
				if _, ok := byID[cid]; ok { // deleted since: nothing to add
					add[cid] = worst
				}
			}
		}
		in.Components = add
	}
	s.PendingName, s.PendingComponents = "", nil
	if _, err := tx.ExecContext(ctx, `UPDATE status_incidents SET name = $1, pending_name = '', pending_components = NULL WHERE id = $2`, s.Name, s.ID); err != nil {
		return "", nil, fmt.Errorf("publish status incident edit: %w", err)
	}
	return renamed, removed, nil
}
