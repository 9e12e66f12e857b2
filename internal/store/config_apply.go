package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
)

// at names the place in the document an error comes from.
func at(path string, err error) error {
	if err == nil {
		return nil
	}
	var he *herald.Error
	if errors.As(err, &he) {
		fields := map[string]string{}
		for k, v := range he.Fields {
			fields[path+"."+k] = v
		}
		if len(fields) == 0 {
			fields[path] = he.Message
		}
		return &herald.Error{Code: he.Code, Message: path + ": " + he.Message, Fields: fields}
	}
	if isForeignKey(err) {
		msg := "Herald's records (pages, incidents, deliveries, tokens) still refer to it, so it cannot be deleted"
		return &herald.Error{Code: herald.EUnprocessable, Message: path + ": " + msg, Fields: map[string]string{path: msg}}
	}
	return fmt.Errorf("%s: %w", path, err)
}

func (tx *tx) exec(ctx context.Context, path, q string, args ...any) error {
	_, err := tx.ExecContext(ctx, q, args...)
	return at(path, err)
}

func nullID(id string) sql.NullString { return sql.NullString{String: id, Valid: id != ""} }

// carryOut makes Herald match want, following plan (what Diff found): the
// things it creates and updates in the order they refer to each other,
// then the deletes.
func (tx *tx) carryOut(ctx context.Context, actor herald.Actor, st *configState, want *config.Document, plan config.Plan) error {
	acts := map[string]map[string]string{}
	for _, c := range plan.Changes {
		if acts[c.Kind] == nil {
			acts[c.Kind] = map[string]string{}
		}
		acts[c.Kind][c.Name] = c.Action
	}
	if err := tx.applyUsers(ctx, st, want, acts[config.KindUser]); err != nil {
		return err
	}
	for i, t := range want.Teams {
		act, path := acts[config.KindTeam][t.Name], fmt.Sprintf("teams[%d]", i)
		if act == "" {
			continue
		}
		fe := herald.FieldErrors{}
		members := tx.resolveUsers(ctx, "members", t.Members, fe)
		if err := fe.Err(); err != nil {
			return at(path, err)
		}
		if act == config.Create {
			id, err := tx.createTeam(ctx, t.Name, members)
			if err != nil {
				return at(path, err)
			}
			st.teams[t.Name] = id
		} else if err := tx.setTeamMembers(ctx, st.teams[t.Name], members); err != nil {
			return at(path, err)
		}
	}
	if err := tx.applySchedules(ctx, actor, st, want, acts[config.KindSchedule]); err != nil {
		return err
	}
	if err := tx.applyPolicies(ctx, st, want, acts[config.KindPolicy]); err != nil {
		return err
	}
	if err := tx.applyComponents(ctx, actor, st, want, acts[config.KindComponent]); err != nil {
		return err
	}
	if err := tx.applyServices(ctx, st, want, acts[config.KindService]); err != nil {
		return err
	}
	if err := tx.applyChannels(ctx, st, want, acts[config.KindChannel]); err != nil {
		return err
	}
	if len(acts[config.KindSetting]) > 0 {
		merged := map[string]any{}
		for k, v := range st.doc.Settings {
			merged[k] = v
		}
		for k, v := range want.Settings {
			merged[k] = v
		}
		b, err := json.Marshal(merged)
		if err != nil {
			return at("settings", err)
		}
		s := herald.DefaultSettings()
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields() // a misspelt key inside a setting must not configure nothing
		if err := dec.Decode(&s); err != nil {
			return at("settings", herald.Errorf(herald.EInvalid, "%v", err))
		}
		s.Upgrade()
		if err := s.Validate(); err != nil {
			return at("settings", err)
		}
		if err := tx.saveSettings(ctx, s); err != nil {
			return at("settings", err)
		}
	}
	return tx.applyDeletes(ctx, actor, st, want, plan)
}

func (tx *tx) applyUsers(ctx context.Context, st *configState, want *config.Document, acts map[string]string) error {
	cur := map[string]config.User{}
	for _, u := range st.doc.Users {
		cur[u.Email] = u
	}
	for i, u := range want.Users {
		act, path := acts[u.Email], fmt.Sprintf("users[%d]", i)
		if act == "" {
			continue
		}
		in := herald.UserInput{Name: u.Name, Email: u.Email, Manager: u.Manager, Role: herald.APIRole(u.Role)}
		if err := in.Normalize(); err != nil {
			return at(path, err)
		}
		id := st.users[u.Email]
		if act == config.Create {
			id = newID()
			_, err := tx.ExecContext(ctx, `INSERT INTO users (id, name, email, manager, created_at, role) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, in.Name, in.Email, in.Manager, micros(tx.now), in.Role)
			if err := conflictAs(err, "insert user", "a user with e-mail %s exists already", in.Email); err != nil {
				return at(path, err)
			}
			st.users[u.Email] = id
		} else {
			old := cur[u.Email]
			if err := tx.exec(ctx, path, `UPDATE users SET name = $1, manager = $2 WHERE id = $3`, in.Name, in.Manager, id); err != nil {
				return err
			}
			if old.Role != u.Role {
				if err := tx.changeRole(ctx, herald.User{ID: id, Name: in.Name, Role: herald.APIRole(old.Role)}, in.Role); err != nil {
					return at(path+".role", err)
				}
				if err := tx.exec(ctx, path, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
					return err
				}
			}
		}
		if err := tx.syncContacts(ctx, path, id, cur[u.Email], st.contacts[u.Email], u); err != nil {
			return err
		}
	}
	return nil
}

// syncContacts makes a user's contact methods and rules match the
// document. A method kept (same kind and target) or re-aimed (same kind,
// new target) keeps its id and its history; rules are written anew.
func (tx *tx) syncContacts(ctx context.Context, path, userID string, cur config.User, curIDs []string, u config.User) error {
	ids := make([]string, len(u.Contacts))
	used := map[int]bool{}
	for i, c := range u.Contacts {
		for j, h := range cur.Contacts {
			if !used[j] && h.Kind == c.Kind && h.Target == c.Target {
				ids[i], used[j] = curIDs[j], true
				break
			}
		}
	}
	for i, c := range u.Contacts {
		if ids[i] != "" {
			continue
		}
		cpath := fmt.Sprintf("%s.contacts[%d]", path, i)
		in := herald.ContactMethodInput{Kind: c.Kind, Target: c.Target}
		if err := in.Normalize(); err != nil {
			return at(cpath, err)
		}
		if err := tx.db.checkOutbound(ctx, in.Kind, "target", in.Target); err != nil {
			return at(cpath, err)
		}
		for j, h := range cur.Contacts {
			if !used[j] && h.Kind == c.Kind {
				st, err := tx.db.storeTarget(in.Kind, in.Target)
				if err != nil {
					return at(cpath, err)
				}
				if err := tx.exec(ctx, cpath, `UPDATE contact_methods SET target = $1, failures = 0, failing = $2, target_enc = $4 WHERE id = $3`, st.shown, false, curIDs[j], st.sealed); err != nil {
					return err
				}
				ids[i], used[j] = curIDs[j], true
				break
			}
		}
		if ids[i] == "" {
			m, err := tx.createContactMethod(ctx, userID, in)
			if err != nil {
				return at(cpath, err)
			}
			ids[i] = m.ID
		}
	}
	if err := tx.exec(ctx, path+".rules", `DELETE FROM notification_rules WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for j, h := range cur.Contacts {
		if used[j] {
			continue
		}
		if err := tx.exec(ctx, path+".contacts", `DELETE FROM contact_methods WHERE id = $1`, curIDs[j]); err != nil {
			return at(path+".contacts: removing "+config.ContactShown(h.Kind, h.Target, ""), err)
		}
	}
	seen := map[string]bool{}
	for j, r := range u.Rules {
		i, ok := u.RuleContact(r)
		key := fmt.Sprintf("%s/%d", ids[i], r.DelayMinutes)
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		if err := tx.exec(ctx, fmt.Sprintf("%s.rules[%d]", path, j), `INSERT INTO notification_rules (id, user_id, contact_method_id, delay_s) VALUES ($1, $2, $3, $4)`,
			newID(), userID, ids[i], r.DelayMinutes*60); err != nil {
			return err
		}
	}
	return nil
}

func (tx *tx) applySchedules(ctx context.Context, actor herald.Actor, st *configState, want *config.Document, acts map[string]string) error {
	for i, s := range want.Schedules {
		act, path := acts[s.Name], fmt.Sprintf("schedules[%d]", i)
		if act == "" {
			continue
		}
		in := herald.ScheduleInput{Name: s.Name, TimeZone: s.TimeZone, Shadows: append([]string{}, s.Shadows...)}
		for _, l := range s.Layers {
			hl := herald.Layer{Name: l.Name, Rotation: l.Rotation, HandoffTime: l.HandoffTime, Start: l.Start, Users: append([]string{}, l.Users...)}
			if l.Rotation == herald.RotationCustom {
				d, _ := time.ParseDuration(l.Length)
				hl.LengthHours, hl.HandoffTime = int(d/time.Hour), ""
			}
			in.Layers = append(in.Layers, hl)
		}
		if err := tx.normalizeSchedule(ctx, &in); err != nil {
			return at(path, err)
		}
		team, err := tx.teamID(ctx, s.Team)
		if err != nil {
			return at(path+".team", err)
		}
		layers, _ := json.Marshal(in.Layers)
		shadows, _ := json.Marshal(in.Shadows)
		id := st.schedules[s.Name]
		if act == config.Create {
			id = newID()
			_, err = tx.ExecContext(ctx, `INSERT INTO schedules (id, name, time_zone, layers, shadows, created_at, updated_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
				id, in.Name, in.TimeZone, string(layers), string(shadows), micros(tx.now), team)
			if err := conflictAs(err, "insert schedule", "a schedule named %q exists already", in.Name); err != nil {
				return at(path, err)
			}
			st.schedules[s.Name] = id
		} else if err := tx.exec(ctx, path, `UPDATE schedules SET time_zone = $1, layers = $2, shadows = $3, team_id = $4, updated_at = $5 WHERE id = $6`,
			in.TimeZone, string(layers), string(shadows), team, micros(tx.now), id); err != nil {
			return err
		}
		// Overrides: those that have not ended are the document's.
		cur, err := tx.schedule(ctx, id, tx.now)
		if err != nil {
			return at(path, err)
		}
		type window struct {
			user       string
			start, end int64
		}
		have := map[window]string{}
		for _, o := range cur.Overrides {
			have[window{o.UserID, micros(o.Start), micros(o.End)}] = o.ID
		}
		for k, o := range s.Overrides {
			opath := fmt.Sprintf("%s.overrides[%d]", path, k)
			u, err := tx.user(ctx, o.User)
			if err != nil {
				return at(opath+".user", err)
			}
			w := window{u.ID, micros(o.Start), micros(o.End)}
			if _, ok := have[w]; ok {
				delete(have, w)
				continue
			}
			fe := herald.FieldErrors{}
			herald.CheckTimeRange(fe, "start", o.Start)
			herald.CheckTimeRange(fe, "end", o.End)
			if err := fe.Err(); err != nil {
				return at(opath, err)
			}
			if err := tx.exec(ctx, opath, `INSERT INTO schedule_overrides (id, schedule_id, user_id, start_at, end_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				newID(), id, u.ID, w.start, w.end, actor.User.Name, micros(tx.now)); err != nil {
				return err
			}
		}
		for _, oid := range have {
			if err := tx.exec(ctx, path+".overrides", `DELETE FROM schedule_overrides WHERE id = $1`, oid); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *tx) applyPolicies(ctx context.Context, st *configState, want *config.Document, acts map[string]string) error {
	for i, p := range want.EscalationPolicies {
		act, path := acts[p.Name], fmt.Sprintf("escalation_policies[%d]", i)
		if act == "" {
			continue
		}
		in := herald.EscalationPolicyInput{Name: p.Name, Repeat: p.Repeat, RepeatFromLevel: p.RepeatFromLevel}
		if p.AckExpiry != "" {
			d, _ := time.ParseDuration(p.AckExpiry)
			in.AckExpiry = herald.Duration(d)
		}
		for j, l := range p.Levels {
			m, _ := config.Minutes(l.Timeout, time.Minute, 24*time.Hour)
			hl := herald.EscalationLevel{TimeoutMinutes: m}
			for k, t := range l.Targets {
				tpath := fmt.Sprintf("%s.levels[%d].targets[%d]", path, j, k)
				switch {
				case t.User != "":
					u, err := tx.user(ctx, t.User)
					if err != nil {
						return at(tpath+".user", err)
					}
					hl.Targets = append(hl.Targets, herald.Target{Type: herald.TargetUser, ID: u.ID})
				case t.Schedule != "" || t.Colleague != "":
					typ, name := herald.TargetSchedule, t.Schedule
					if t.Colleague != "" {
						typ, name = herald.TargetColleague, t.Colleague
					}
					s, err := tx.schedule(ctx, name, tx.now)
					if err != nil {
						return at(tpath, err)
					}
					hl.Targets = append(hl.Targets, herald.Target{Type: typ, ID: s.ID})
				case t.Managers:
					hl.Targets = append(hl.Targets, herald.Target{Type: herald.TargetManagers})
				}
			}
			in.Levels = append(in.Levels, hl)
		}
		if err := in.Normalize(); err != nil {
			return at(path, err)
		}
		team, err := tx.teamID(ctx, p.Team)
		if err != nil {
			return at(path+".team", err)
		}
		levels, _ := json.Marshal(in.Levels)
		expiry := int64(time.Duration(in.AckExpiry) / time.Second)
		if act == config.Create {
			id := newID()
			_, err := tx.ExecContext(ctx, `INSERT INTO escalation_policies (id, name, levels, repeat, repeat_from, ack_expiry_s, created_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				id, in.Name, string(levels), in.Repeat, in.RepeatFromLevel, expiry, micros(tx.now), team)
			if err := conflictAs(err, "insert escalation policy", "an escalation policy named %q exists already", in.Name); err != nil {
				return at(path, err)
			}
			st.policies[p.Name] = id
		} else if err := tx.exec(ctx, path, `UPDATE escalation_policies SET levels = $1, repeat = $2, repeat_from = $3, ack_expiry_s = $4, team_id = $5 WHERE id = $6`,
			string(levels), in.Repeat, in.RepeatFromLevel, expiry, team, st.policies[p.Name]); err != nil {
			return err
		}
	}
	return nil
}

func (tx *tx) applyComponents(ctx context.Context, actor herald.Actor, st *configState, want *config.Document, acts map[string]string) error {
	changed := false
	for i, c := range want.Components {
		act, path := acts[c.Name], fmt.Sprintf("components[%d]", i)
		if act == "" {
			continue
		}
		if st.groups[c.Name] {
			return at(path+".name", herald.Errorf(herald.EInvalid, "%s is a group on the status page; a group is named by its components' group", c.Name))
		}
		in := herald.ComponentInput{Name: &c.Name, Description: &c.Description}
		if err := in.Normalize(true); err != nil {
			return at(path, err)
		}
		group := ""
		if c.Group != "" {
			var err error
			if group, err = tx.groupFor(ctx, actor, c.Group); err != nil {
				return at(path+".group", err)
			}
			st.components[c.Group], st.groups[c.Group] = group, true
		}
		if act == config.Create {
			hc := herald.Component{ID: newID(), Name: *in.Name, Description: *in.Description, GroupID: group, Position: i, Status: herald.Operational}
			if err := tx.insertComponent(ctx, actor, hc); err != nil {
				return at(path, err)
			}
			st.components[c.Name] = hc.ID
			continue
		}
		id := st.components[c.Name]
		if err := tx.exec(ctx, path, `UPDATE components SET description = $1, group_id = $2, updated_at = $3 WHERE id = $4`, *in.Description, nullID(group), micros(tx.now), id); err != nil {
			return err
		}
		if err := tx.recordComponentChange(ctx, actor, id, "updated", c); err != nil {
			return at(path, err)
		}
		changed = true
	}
	if changed {
		return tx.recomputeComponents(ctx)
	}
	return nil
}

func (tx *tx) componentIDs(path string, st *configState, names []string) ([]string, error) {
	ids := []string{}
	for k, n := range names {
		id, ok := st.components[n]
		if !ok || st.groups[n] {
			return nil, at(fmt.Sprintf("%s.components[%d]", path, k), herald.Errorf(herald.EInvalid, "no component %q", n))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (tx *tx) applyServices(ctx context.Context, st *configState, want *config.Document, acts map[string]string) error {
	for i, s := range want.Services {
		act, path := acts[s.Name], fmt.Sprintf("services[%d]", i)
		if act == "" {
			continue
		}
		window, _ := config.Minutes(s.Grouping.Window, 0, 24*time.Hour)
		in := herald.ServiceInput{Name: s.Name, Description: s.Description, Grouping: &herald.Grouping{Threshold: s.Grouping.Threshold, WindowMinutes: window}}
		if err := in.Normalize(); err != nil {
			return at(path, err)
		}
		policy := ""
		if s.Policy != "" {
			p, err := tx.escalationPolicy(ctx, s.Policy)
			if err != nil {
				return at(path+".escalation_policy", err)
			}
			policy = p.ID
		}
		team, err := tx.teamID(ctx, s.Team)
		if err != nil {
			return at(path+".team", err)
		}
		comps, err := tx.componentIDs(path, st, s.Components)
		if err != nil {
			return err
		}
		id := st.services[s.Name]
		if act == config.Create {
			id = newID()
			_, err := tx.ExecContext(ctx, `INSERT INTO services (id, name, description, escalation_policy_id, integration_key, group_threshold, group_window_s, created_at, team_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, in.Name, in.Description, nullID(policy), newIntegrationKey(), in.Grouping.Threshold, in.Grouping.WindowMinutes*60, micros(tx.now), team)
			if err := conflictAs(err, "insert service", "a service named %q exists already", in.Name); err != nil {
				return at(path, err)
			}
			st.services[s.Name] = id
		} else if err := tx.exec(ctx, path, `UPDATE services SET description = $1, escalation_policy_id = $2, group_threshold = $3, group_window_s = $4, team_id = $5 WHERE id = $6`,
			in.Description, nullID(policy), in.Grouping.Threshold, in.Grouping.WindowMinutes*60, team, id); err != nil {
			return err
		}
		if err := tx.setServiceComponents(ctx, id, comps); err != nil {
			return at(path+".components", err)
		}
	}
	return nil
}

func (tx *tx) applyChannels(ctx context.Context, st *configState, want *config.Document, acts map[string]string) error {
	match := config.MatchChannels(st.doc.StakeholderChannels, want.StakeholderChannels)
	for i, c := range want.StakeholderChannels {
		act, path := acts[c.Name], fmt.Sprintf("stakeholder_channels[%d]", i)
		if act == "" {
			continue
		}
		var in herald.SubscriberInput
		switch c.Kind {
		case "email":
			in.Email = c.Target
		case "webhook":
			in.WebhookURL = c.Target
		case "slack":
			in.SlackURL = c.Target
		case "teams":
			in.TeamsURL = c.Target
		case "mattermost":
			in.MattermostURL = c.Target
		}
		kind, target, err := in.Normalize()
		if err != nil {
			return at(path, err)
		}
		if err := tx.db.checkOutbound(ctx, kind, "target", target); err != nil {
			return at(path, err)
		}
		ids, err := tx.componentIDs(path, st, c.Components)
		if err != nil {
			return err
		}
		comps, _ := json.Marshal(ids)
		j, ok := match[i]
		if ok && st.doc.StakeholderChannels[j].Kind == kind {
			t, err := tx.db.storeTarget(kind, target)
			if err != nil {
				return at(path, err)
			}
			if err := tx.exec(ctx, path, `UPDATE subscribers SET name = $1, target = $2, components = $3, target_enc = $5, target_hash = $6 WHERE id = $4`,
				c.Name, t.shown, string(comps), st.channels[j], t.sealed, t.hash); err != nil {
				return err
			}
			continue
		}
		if ok { // another kind: a new channel in its place
			if err := tx.exec(ctx, path, `UPDATE subscribers SET unsubscribed_at = $1 WHERE id = $2`, micros(tx.now), st.channels[j]); err != nil {
				return err
			}
		}
		if _, err := tx.addStakeholderChannel(ctx, kind, target, c.Name, string(comps)); err != nil {
			return at(path, err)
		}
	}
	return nil
}

// applyDeletes deletes what the plan deletes (with prune), in the plan's
// order: what refers to others first.
func (tx *tx) applyDeletes(ctx context.Context, actor herald.Actor, st *configState, want *config.Document, plan config.Plan) error {
	deletedComponent := false
	for _, c := range plan.Changes {
		if c.Action != config.Delete {
			continue
		}
		path := c.Kind + " " + c.Name
		var qs []string
		var id string
		switch c.Kind {
		case config.KindChannel:
			for j, ch := range st.doc.StakeholderChannels {
				if ch.Name == c.Name {
					id = st.channels[j]
				}
			}
			if err := tx.exec(ctx, path, `UPDATE subscribers SET unsubscribed_at = $1 WHERE id = $2`, micros(tx.now), id); err != nil {
				return err
			}
		case config.KindService:
			id = st.services[c.Name]
			qs = []string{`DELETE FROM service_components WHERE service_id = $1`, `DELETE FROM paging_mutes WHERE service_id = $1`, `DELETE FROM services WHERE id = $1`}
		case config.KindComponent:
			if err := tx.deleteComponent(ctx, actor, st.components[c.Name]); err != nil {
				return at(path, err)
			}
			deletedComponent = true
		case config.KindPolicy:
			id = st.policies[c.Name]
			qs = []string{`DELETE FROM escalation_policies WHERE id = $1`}
		case config.KindSchedule:
			id = st.schedules[c.Name]
			qs = []string{`DELETE FROM shift_offers WHERE schedule_id = $1`, `DELETE FROM schedule_overrides WHERE schedule_id = $1`, `DELETE FROM schedules WHERE id = $1`}
		case config.KindTeam:
			if err := tx.deleteTeam(ctx, st.teams[c.Name]); err != nil {
				return at(path, err)
			}
		case config.KindUser:
			id = st.users[c.Name]
			qs = []string{`DELETE FROM team_members WHERE user_id = $1`, `DELETE FROM calendar_feeds WHERE user_id = $1`, `DELETE FROM notification_rules WHERE user_id = $1`,
				`DELETE FROM contact_methods WHERE user_id = $1`, `DELETE FROM users WHERE id = $1`}
		}
		for _, q := range qs {
			if err := tx.exec(ctx, path, q, id); err != nil {
				return err
			}
		}
	}
	if !deletedComponent {
		return nil
	}
	// A group left without components goes with its last one, unless the
	// document still names it.
	named := map[string]bool{}
	for _, c := range want.Components {
		named[c.Group] = true
	}
	for name := range st.groups {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM components WHERE group_id = $1 AND deleted_at IS NULL`, st.components[name]).Scan(&n); err != nil {
			return fmt.Errorf("count group members: %w", err)
		}
		if n == 0 && !named[name] {
			if err := tx.deleteComponent(ctx, actor, st.components[name]); err != nil {
				return at("component group "+name, err)
			}
		}
	}
	return tx.recomputeComponents(ctx)
}
