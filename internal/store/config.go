package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
)

// Configuration as code (internal/config): the configuration Herald holds,
// read as a document (ExportConfig), compared with a document (PlanConfig)
// and made to match it (ApplyConfig). The comparison and the apply run in
// one write transaction, so a plan is exactly what the apply would do (a
// plan is an apply rolled back) and an apply changes everything or nothing.

// ExportConfig reads the configuration as a document. Secrets are not in
// it: each webhook, Slack or Teams URL is named by an environment variable
// (target_env) the document's reader must set to apply it.
func (db *DB) ExportConfig(ctx context.Context) (*config.Document, error) {
	var d *config.Document
	err := db.read(ctx, func(tx *tx) error {
		st, err := tx.configState(ctx)
		if err != nil {
			return err
		}
		if err := refuseDangling(st.dangling); err != nil {
			return err
		}
		d = hideSecrets(st.doc)
		return nil
	})
	return d, err
}

// PlanConfig says what ApplyConfig would change, changing nothing. The
// document is validated as the apply would validate it.
func (db *DB) PlanConfig(ctx context.Context, actor herald.Actor, doc *config.Document, prune bool) (config.Plan, error) {
	return db.applyConfig(ctx, actor, doc, prune, false)
}

// ApplyConfig makes the configuration match the document in one
// transaction, and returns what it changed.
func (db *DB) ApplyConfig(ctx context.Context, actor herald.Actor, doc *config.Document, prune bool) (config.Plan, error) {
	return db.applyConfig(ctx, actor, doc, prune, true)
}

// errPlanOnly rolls back the transaction of a plan.
var errPlanOnly = errors.New("plan only")

func (db *DB) applyConfig(ctx context.Context, actor herald.Actor, doc *config.Document, prune, commit bool) (config.Plan, error) {
	if doc == nil {
		return config.Plan{}, herald.Errorf(herald.EInvalid, "no document")
	}
	var plan config.Plan
	err := db.write(ctx, func(tx *tx) error {
		st, err := tx.configState(ctx)
		if err != nil {
			return err
		}
		want := *doc
		// An override that has ended is history, not configuration.
		want.Schedules = slices.Clone(doc.Schedules)
		for i := range want.Schedules {
			s := &want.Schedules[i]
			s.Overrides = slices.DeleteFunc(slices.Clone(s.Overrides), func(o config.Override) bool { return !o.End.IsZero() && !o.End.After(tx.now) })
		}
		o := config.Options{Prune: prune, Keep: actor.User.Email}
		if err := config.Check(st.doc, &want, o); err != nil {
			return problemsError(err)
		}
		plan = config.Diff(st.doc, &want, o)
		before, err := tx.lastComponentChange(ctx, "")
		if err != nil {
			return err
		}
		if err := tx.carryOut(ctx, actor, st, &want, plan); err != nil {
			return err
		}
		// Components change here without a proposal (R21): the document
		// was reviewed in its repository; the record says it was applied.
		if err := tx.markComponentChanges(ctx, before, "apply", "", ""); err != nil {
			return err
		}
		// What the document left alone may refer to what it deleted: read
		// everything again and refuse a reference to nothing.
		after, err := tx.configState(ctx)
		if err != nil {
			return err
		}
		if err := refuseDangling(after.dangling); err != nil {
			return err
		}
		if !commit {
			return errPlanOnly
		}
		plan.Applied = true
		return nil
	})
	if errors.Is(err, errPlanOnly) {
		err = nil
	}
	if err == nil && plan.Applied {
		db.knownKeys.Clear() // services' policies and grouping may have changed
	}
	return plan, err
}

func problemsError(err error) error {
	var ps config.Problems
	if !errors.As(err, &ps) {
		return err
	}
	fields := map[string]string{}
	for _, p := range ps {
		fields[p.Path] = p.Message
	}
	return &herald.Error{Code: herald.EInvalid, Message: ps.Error(), Fields: fields}
}

// configState is the configuration as a document with secrets revealed
// (what a plan compares), with the ids behind its names.
type configState struct {
	doc        *config.Document
	users      map[string]string // e-mail -> id
	teams      map[string]string
	schedules  map[string]string
	policies   map[string]string
	services   map[string]string
	components map[string]string // name -> id, groups included
	groups     map[string]bool   // names of groups
	channels   []string          // ids, as doc.StakeholderChannels
	contacts   map[string][]string
	dangling   config.Problems
}

// refuseDangling turns references to things that are gone into one
// EUnprocessable error naming each.
func refuseDangling(ps config.Problems) error {
	if len(ps) == 0 {
		return nil
	}
	err := problemsError(ps).(*herald.Error)
	err.Code = herald.EUnprocessable
	return err
}

func (tx *tx) configState(ctx context.Context) (*configState, error) {
	st := &configState{doc: &config.Document{Version: config.Version}, users: map[string]string{}, teams: map[string]string{}, schedules: map[string]string{},
		policies: map[string]string{}, services: map[string]string{}, components: map[string]string{}, groups: map[string]bool{}, contacts: map[string][]string{}}
	d := st.doc
	emailOf := map[string]string{}
	where := func(path, kind, id string) {
		st.dangling = append(st.dangling, config.Problem{Path: path, Message: "refers to a " + kind + " that no longer exists (" + id + ")"})
	}
	email := func(path, id string) string {
		if e, ok := emailOf[id]; ok {
			return e
		}
		where(path, "user", id)
		return id
	}

	// Users, their contacts and rules.
	rows, err := tx.QueryContext(ctx, `SELECT id, name, email, manager, role FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	index := map[string]int{}
	for rows.Next() {
		var id string
		var u config.User
		if err := rows.Scan(&id, &u.Name, &u.Email, &u.Manager, &u.Role); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read users: %w", err)
		}
		emailOf[id] = u.Email
		if u.Email == adminEmail {
			continue
		}
		st.users[u.Email] = id
		index[id] = len(d.Users)
		d.Users = append(d.Users, u)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	contactOf := map[string]string{} // method id -> "kind:target"
	rows, err = tx.QueryContext(ctx, `SELECT id, user_id, kind, target, target_enc FROM contact_methods ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read contact methods: %w", err)
	}
	for rows.Next() {
		var id, user, sealed string
		var c config.Contact
		if err := rows.Scan(&id, &user, &c.Kind, &c.Target, &sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read contact methods: %w", err)
		}
		// The plan compares URLs: opened here, hidden again on the way
		// out (hideSecrets, config.ContactShown).
		if c.Target, err = tx.db.openTarget(c.Target, sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read contact methods: %w", err)
		}
		i, ok := index[user]
		if !ok {
			continue
		}
		contactOf[id] = c.Kind + ":" + c.Target
		d.Users[i].Contacts = append(d.Users[i].Contacts, c)
		st.contacts[d.Users[i].Email] = append(st.contacts[d.Users[i].Email], id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read contact methods: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT user_id, contact_method_id, delay_s FROM notification_rules ORDER BY delay_s, id`)
	if err != nil {
		return nil, fmt.Errorf("read notification rules: %w", err)
	}
	for rows.Next() {
		var user, method string
		var delay int
		if err := rows.Scan(&user, &method, &delay); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read notification rules: %w", err)
		}
		if i, ok := index[user]; ok && contactOf[method] != "" {
			d.Users[i].Rules = append(d.Users[i].Rules, config.Rule{Contact: contactOf[method], DelayMinutes: delay / 60})
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read notification rules: %w", err)
	}

	// Teams.
	teamName := map[string]string{}
	rows, err = tx.QueryContext(ctx, `SELECT id, name FROM teams ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	for rows.Next() {
		var id string
		var t config.Team
		if err := rows.Scan(&id, &t.Name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read teams: %w", err)
		}
		teamName[id], st.teams[t.Name] = t.Name, id
		d.Teams = append(d.Teams, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	for i := range d.Teams {
		ids, err := tx.ids(ctx, "read team members", `SELECT user_id FROM team_members WHERE team_id = $1`, st.teams[d.Teams[i].Name])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			d.Teams[i].Members = append(d.Teams[i].Members, email(fmt.Sprintf("teams[%s].members", d.Teams[i].Name), id))
		}
		sort.Strings(d.Teams[i].Members)
	}
	teamOf := func(table string) (map[string]string, error) {
		rows, err := tx.QueryContext(ctx, `SELECT id, team_id FROM `+table+` WHERE team_id IS NOT NULL`)
		if err != nil {
			return nil, fmt.Errorf("read teams of %s: %w", table, err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var id, team string
			if err := rows.Scan(&id, &team); err != nil {
				return nil, err
			}
			out[id] = teamName[team]
		}
		return out, rows.Err()
	}

	// Schedules.
	schedules, err := tx.schedules(ctx)
	if err != nil {
		return nil, err
	}
	scheduleName := map[string]string{}
	for _, s := range schedules {
		scheduleName[s.ID] = s.Name
	}
	teams, err := teamOf("schedules")
	if err != nil {
		return nil, err
	}
	for _, s := range schedules {
		st.schedules[s.Name] = s.ID
		at := "schedules[" + s.Name + "]"
		cs := config.Schedule{Name: s.Name, Team: teams[s.ID], TimeZone: s.TimeZone}
		for j, l := range s.Layers {
			cl := config.Layer{Name: l.Name, Rotation: l.Rotation, Start: l.Start.UTC()}
			if l.Rotation == herald.RotationCustom {
				cl.Length = config.FormatDuration(time.Duration(l.LengthHours) * time.Hour)
			} else {
				cl.HandoffTime = l.HandoffTime
			}
			for _, u := range l.Users {
				cl.Users = append(cl.Users, email(fmt.Sprintf("%s.layers[%d].users", at, j), u))
			}
			cs.Layers = append(cs.Layers, cl)
		}
		for _, u := range s.Shadows {
			cs.Shadows = append(cs.Shadows, email(at+".shadows", u))
		}
		sort.Strings(cs.Shadows)
		for _, o := range s.Overrides {
			cs.Overrides = append(cs.Overrides, config.Override{User: email(at+".overrides", o.UserID), Start: o.Start.UTC(), End: o.End.UTC()})
		}
		d.Schedules = append(d.Schedules, cs)
	}
	schedule := func(path, id string) string {
		if n, ok := scheduleName[id]; ok {
			return n
		}
		where(path, "schedule", id)
		return id
	}

	// Escalation policies.
	ids, err := tx.ids(ctx, "list escalation policies", `SELECT id FROM escalation_policies ORDER BY name`)
	if err != nil {
		return nil, err
	}
	if teams, err = teamOf("escalation_policies"); err != nil {
		return nil, err
	}
	policyName := map[string]string{}
	for _, id := range ids {
		p, err := tx.escalationPolicy(ctx, id)
		if err != nil {
			return nil, err
		}
		policyName[p.ID], st.policies[p.Name] = p.Name, p.ID
		at := "escalation_policies[" + p.Name + "]"
		cp := config.Policy{Name: p.Name, Team: teams[p.ID], Repeat: p.Repeat, RepeatFromLevel: p.RepeatFromLevel}
		if cp.RepeatFromLevel == 1 {
			cp.RepeatFromLevel = 0
		}
		if p.AckExpiry > 0 {
			cp.AckExpiry = config.FormatDuration(time.Duration(p.AckExpiry))
		}
		for j, l := range p.Levels {
			cl := config.Level{Timeout: config.FormatDuration(time.Duration(l.TimeoutMinutes) * time.Minute)}
			path := fmt.Sprintf("%s.levels[%d]", at, j)
			for _, t := range l.Targets {
				switch t.Type {
				case herald.TargetUser:
					cl.Targets = append(cl.Targets, config.Target{User: email(path, t.ID)})
				case herald.TargetSchedule:
					cl.Targets = append(cl.Targets, config.Target{Schedule: schedule(path, t.ID)})
				case herald.TargetColleague:
					cl.Targets = append(cl.Targets, config.Target{Colleague: schedule(path, t.ID)})
				case herald.TargetManagers:
					cl.Targets = append(cl.Targets, config.Target{Managers: true})
				}
			}
			cp.Levels = append(cp.Levels, cl)
		}
		d.EscalationPolicies = append(d.EscalationPolicies, cp)
	}

	// Components (groups are named by their members).
	comps, err := tx.components(ctx)
	if err != nil {
		return nil, err
	}
	componentName := map[string]string{}
	for _, c := range comps {
		componentName[c.ID], st.components[c.Name] = c.Name, c.ID
		if c.Group {
			st.groups[c.Name] = true
		}
	}
	for _, c := range comps {
		if !c.Group {
			d.Components = append(d.Components, config.Component{Name: c.Name, Description: c.Description, Group: componentName[c.GroupID]})
		}
	}

	// Services.
	if teams, err = teamOf("services"); err != nil {
		return nil, err
	}
	svcs, err := func() ([]*herald.Service, error) {
		rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY name`)
		if err != nil {
			return nil, fmt.Errorf("list services: %w", err)
		}
		defer rows.Close()
		var out []*herald.Service
		for rows.Next() {
			s, err := scanService(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}()
	if err != nil {
		return nil, err
	}
	svcComponents := map[string][]string{}
	rows, err = tx.QueryContext(ctx, `SELECT sc.service_id, c.name FROM service_components sc JOIN components c ON c.id = sc.component_id WHERE c.deleted_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("read service components: %w", err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		svcComponents[id] = append(svcComponents[id], name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read service components: %w", err)
	}
	serviceName := map[string]string{}
	for _, s := range svcs {
		serviceName[s.ID], st.services[s.Name] = s.Name, s.ID
		cs := config.Service{Name: s.Name, Team: teams[s.ID], Description: s.Description, Components: svcComponents[s.ID],
			Grouping: &config.Grouping{Threshold: s.Grouping.Threshold, Window: config.FormatDuration(time.Duration(s.Grouping.WindowMinutes) * time.Minute)}}
		sort.Strings(cs.Components)
		if s.EscalationPolicyID != "" {
			cs.Policy = policyName[s.EscalationPolicyID]
		}
		d.Services = append(d.Services, cs)
	}

	// Stakeholder channels: one without a name (added before names) is
	// given one, its address or its kind and number.
	rows, err = tx.QueryContext(ctx, `SELECT id, name, kind, target, components, target_enc FROM subscribers WHERE internal = $1 AND unsubscribed_at IS NULL ORDER BY created_at, id`, true)
	if err != nil {
		return nil, fmt.Errorf("read stakeholder channels: %w", err)
	}
	n := map[string]int{}
	for rows.Next() {
		var id, comps, sealed string
		var c config.Channel
		if err := rows.Scan(&id, &c.Name, &c.Kind, &c.Target, &comps, &sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read stakeholder channels: %w", err)
		}
		if c.Target, err = tx.db.openTarget(c.Target, sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read stakeholder channel %s: %w", c.Name, err)
		}
		n[c.Kind]++
		if c.Name == "" {
			c.Name = c.Kind + "-" + strconv.Itoa(n[c.Kind])
			if c.Kind == "email" {
				c.Name = c.Target
			}
		}
		var cids []string
		if err := json.Unmarshal([]byte(comps), &cids); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read stakeholder channel %s components: %w", c.Name, err)
		}
		for _, cid := range cids {
			if name, ok := componentName[cid]; ok {
				c.Components = append(c.Components, name)
			}
		}
		sort.Strings(c.Components)
		st.channels = append(st.channels, id)
		d.StakeholderChannels = append(d.StakeholderChannels, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read stakeholder channels: %w", err)
	}

	// Settings, with the ids they may hold written as names.
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	name := func(ref string) string {
		for _, m := range []map[string]string{emailOf, scheduleName, serviceName} {
			if v, ok := m[ref]; ok {
				return v
			}
		}
		return ref
	}
	s.Paging.Fallback, s.CoverService = name(s.Paging.Fallback), name(s.CoverService)
	for k, v := range s.RoleServices {
		s.RoleServices[k] = name(v)
	}
	for k, v := range s.Handover.Rotations {
		s.Handover.Rotations[k] = name(v)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	if err := json.Unmarshal(b, &d.Settings); err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	emptyLists(d)
	return st, nil
}

// emptyLists makes every list of a read document present: Herald holding
// no services is "services: []", which a plan compares as such.
func emptyLists(d *config.Document) {
	if d.Users == nil {
		d.Users = []config.User{}
	}
	if d.Teams == nil {
		d.Teams = []config.Team{}
	}
	if d.Schedules == nil {
		d.Schedules = []config.Schedule{}
	}
	if d.EscalationPolicies == nil {
		d.EscalationPolicies = []config.Policy{}
	}
	if d.Components == nil {
		d.Components = []config.Component{}
	}
	if d.Services == nil {
		d.Services = []config.Service{}
	}
	if d.StakeholderChannels == nil {
		d.StakeholderChannels = []config.Channel{}
	}
}

// hideSecrets returns the document to write out: each secret target
// replaced by an environment variable named after its owner, which the
// reader sets to apply the document.
func hideSecrets(in *config.Document) *config.Document {
	d := *in
	d.Users = slices.Clone(in.Users)
	for i := range d.Users {
		u := &d.Users[i]
		u.Contacts = slices.Clone(u.Contacts)
		u.Rules = slices.Clone(u.Rules)
		env := map[string]string{} // "kind:target" -> variable
		n := map[string]int{}
		for j := range u.Contacts {
			c := &u.Contacts[j]
			if !config.Secret(c.Kind) {
				continue
			}
			n[c.Kind]++
			name := "HERALD_" + envPart(u.Email) + "_" + envPart(c.Kind)
			if n[c.Kind] > 1 {
				name += "_" + strconv.Itoa(n[c.Kind])
			}
			env[c.Kind+":"+c.Target] = name
			c.Target, c.TargetEnv = "", name
		}
		for j := range u.Rules {
			if name, ok := env[u.Rules[j].Contact]; ok {
				kind, _, _ := strings.Cut(u.Rules[j].Contact, ":")
				u.Rules[j].Contact = kind + ":$" + name
			}
		}
	}
	d.StakeholderChannels = slices.Clone(in.StakeholderChannels)
	for i := range d.StakeholderChannels {
		c := &d.StakeholderChannels[i]
		if config.Secret(c.Kind) {
			c.Target, c.TargetEnv = "", "HERALD_CHANNEL_"+envPart(c.Name)
		}
	}
	return &d
}

// envPart makes a name fit an environment variable: ADA_EXAMPLE_COM.
func envPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "_")
}

// isForeignKey says whether err is a foreign key violation: what deleting
// a thing Herald's history still refers to meets.
func isForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return true
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
