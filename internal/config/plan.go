package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The kinds of thing a plan changes, in the order an apply creates them
// (a thing after what it refers to); deletes go in the reverse order.
const (
	KindUser      = "user"
	KindTeam      = "team"
	KindSchedule  = "schedule"
	KindPolicy    = "escalation_policy"
	KindComponent = "component"
	KindService   = "service"
	KindChannel   = "stakeholder_channel"
	KindSetting   = "setting"
)

// Actions of a change.
const (
	Create = "create"
	Update = "update"
	Delete = "delete"
)

// FieldChange is one field of a thing, before and after. Secrets are shown
// by the variable that holds them, never by value.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Change is what the apply does to one thing.
type Change struct {
	Action string        `json:"action"` // create, update or delete
	Kind   string        `json:"kind"`
	Name   string        `json:"name"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// Plan is every change that makes Herald match a document: empty when it
// matches already. Applied says whether it was carried out.
type Plan struct {
	Changes []Change `json:"changes"`
	Applied bool     `json:"applied"`
}

// Counts says how many things the plan creates, updates and deletes.
func (p Plan) Counts() (create, update, del int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			create++
		case Update:
			update++
		case Delete:
			del++
		}
	}
	return
}

// Write shows the plan to a person: one line per thing, its fields below.
func (p Plan) Write(w io.Writer) {
	if len(p.Changes) == 0 {
		fmt.Fprintln(w, "No changes: Herald matches the document.")
		return
	}
	sign := map[string]string{Create: "+", Update: "~", Delete: "-"}
	for _, c := range p.Changes {
		fmt.Fprintf(w, "%s %s %s %s\n", sign[c.Action], c.Action, strings.ReplaceAll(c.Kind, "_", " "), c.Name)
		for _, f := range c.Fields {
			switch c.Action {
			case Create:
				fmt.Fprintf(w, "    %s: %s\n", f.Field, show(f.New))
			default:
				fmt.Fprintf(w, "    %s: %s -> %s\n", f.Field, show(f.Old), show(f.New))
			}
		}
	}
	cr, up, de := p.Counts()
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to delete.\n", cr, up, de)
}

func show(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// field is one compared field of a thing: cmp decides whether it changed,
// shown is what a person reads (a secret by its variable, never its value).
type field struct{ name, cmp, shown string }

// Diff says what makes Herald (cur, as Export reads it with secrets
// revealed) match want, both in canonical form (Check). A list absent
// from want leaves its kind alone; with o.Prune, what a present list does
// not name is deleted.
func Diff(cur, want *Document, o Options) Plan {
	p := Plan{Changes: []Change{}}
	type thing struct {
		key    string
		fields []field
	}
	kind := func(k string, present bool, curs, wants []thing) {
		if !present {
			return
		}
		byKey := map[string]thing{}
		for _, c := range curs {
			byKey[c.key] = c
		}
		for _, w := range wants {
			c, ok := byKey[w.key]
			if !ok {
				ch := Change{Action: Create, Kind: k, Name: w.key}
				for _, f := range w.fields {
					if f.cmp != "" {
						ch.Fields = append(ch.Fields, FieldChange{Field: f.name, New: f.shown})
					}
				}
				p.Changes = append(p.Changes, ch)
				continue
			}
			if fs := changed(c.fields, w.fields); len(fs) > 0 {
				p.Changes = append(p.Changes, Change{Action: Update, Kind: k, Name: w.key, Fields: fs})
			}
		}
	}
	users := func(d *Document) (out []thing) {
		for _, u := range d.Users {
			out = append(out, thing{u.Email, userFields(u)})
		}
		return
	}
	teams := func(d *Document) (out []thing) {
		for _, t := range d.Teams {
			out = append(out, thing{t.Name, []field{list("members", t.Members)}})
		}
		return
	}
	schedules := func(d *Document) (out []thing) {
		for _, s := range d.Schedules {
			out = append(out, thing{s.Name, scheduleFields(s)})
		}
		return
	}
	policies := func(d *Document) (out []thing) {
		for _, x := range d.EscalationPolicies {
			out = append(out, thing{x.Name, policyFields(x)})
		}
		return
	}
	components := func(d *Document) (out []thing) {
		for _, c := range d.Components {
			out = append(out, thing{c.Name, []field{plain("description", c.Description), plain("group", c.Group)}})
		}
		return
	}
	services := func(d *Document) (out []thing) {
		for _, s := range d.Services {
			g := "off"
			if s.Grouping != nil && s.Grouping.Threshold > 0 {
				g = fmt.Sprintf("%d within %s", s.Grouping.Threshold, s.Grouping.Window)
			}
			out = append(out, thing{s.Name, []field{plain("team", s.Team), plain("description", s.Description),
				plain("escalation_policy", s.Policy), list("components", s.Components), plain("grouping", g)}})
		}
		return
	}
	kind(KindUser, want.Users != nil, users(cur), users(want))
	kind(KindTeam, want.Teams != nil, teams(cur), teams(want))
	kind(KindSchedule, want.Schedules != nil, schedules(cur), schedules(want))
	kind(KindPolicy, want.EscalationPolicies != nil, policies(cur), policies(want))
	kind(KindComponent, want.Components != nil, components(cur), components(want))
	kind(KindService, want.Services != nil, services(cur), services(want))

	// Channels are matched by name, and then by kind and target: a
	// channel added before it had a name gets the document's.
	if want.StakeholderChannels != nil {
		match := MatchChannels(cur.StakeholderChannels, want.StakeholderChannels)
		for i, w := range want.StakeholderChannels {
			j, ok := match[i]
			if !ok {
				ch := Change{Action: Create, Kind: KindChannel, Name: w.Name}
				for _, f := range channelFields(w) {
					if f.cmp != "" {
						ch.Fields = append(ch.Fields, FieldChange{Field: f.name, New: f.shown})
					}
				}
				p.Changes = append(p.Changes, ch)
				continue
			}
			c := cur.StakeholderChannels[j]
			fs := changed(channelFields(c), channelFields(w))
			if c.Name != w.Name {
				fs = append([]FieldChange{{Field: "name", Old: c.Name, New: w.Name}}, fs...)
			}
			if len(fs) > 0 {
				p.Changes = append(p.Changes, Change{Action: Update, Kind: KindChannel, Name: w.Name, Fields: fs})
			}
		}
		if o.Prune {
			used := map[int]bool{}
			for _, j := range match {
				used[j] = true
			}
			for j := len(cur.StakeholderChannels) - 1; j >= 0; j-- {
				if !used[j] {
					p.Changes = append(p.Changes, Change{Action: Delete, Kind: KindChannel, Name: cur.StakeholderChannels[j].Name})
				}
			}
		}
	}

	keys := make([]string, 0, len(want.Settings))
	for k := range want.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		old, nw := CanonicalJSON(cur.Settings[k]), CanonicalJSON(want.Settings[k])
		if old != nw {
			p.Changes = append(p.Changes, Change{Action: Update, Kind: KindSetting, Name: k, Fields: []FieldChange{{Field: k, Old: old, New: nw}}})
		}
	}

	if o.Prune {
		del := func(k string, present bool, curs, wants []thing) {
			if !present {
				return
			}
			keep := map[string]bool{}
			for _, w := range wants {
				keep[w.key] = true
			}
			for _, c := range slices.Backward(curs) {
				if !keep[c.key] && !(k == KindUser && c.key == lower(o.Keep)) {
					p.Changes = append(p.Changes, Change{Action: Delete, Kind: k, Name: c.key})
				}
			}
		}
		for _, k := range []struct {
			kind    string
			present bool
			curs    []thing
			wants   []thing
		}{
			{KindService, want.Services != nil, services(cur), services(want)},
			{KindComponent, want.Components != nil, components(cur), components(want)},
			{KindPolicy, want.EscalationPolicies != nil, policies(cur), policies(want)},
			{KindSchedule, want.Schedules != nil, schedules(cur), schedules(want)},
			{KindTeam, want.Teams != nil, teams(cur), teams(want)},
			{KindUser, want.Users != nil, users(cur), users(want)},
		} {
			del(k.kind, k.present, k.curs, k.wants)
		}
	}
	return p
}

// MatchChannels pairs each wanted channel (by index) with Herald's (by
// index): by name first, then by kind and target.
func MatchChannels(cur, want []Channel) map[int]int {
	out := map[int]int{}
	used := map[int]bool{}
	for i, w := range want {
		for j, c := range cur {
			if !used[j] && c.Name != "" && c.Name == w.Name {
				out[i], used[j] = j, true
				break
			}
		}
	}
	for i, w := range want {
		if _, ok := out[i]; ok {
			continue
		}
		for j, c := range cur {
			if !used[j] && c.Kind == w.Kind && c.Target == w.Target && !slices.ContainsFunc(want, func(x Channel) bool { return x.Name == c.Name && c.Name != "" }) {
				out[i], used[j] = j, true
				break
			}
		}
	}
	return out
}

func changed(old, nw []field) []FieldChange {
	var out []FieldChange
	o := map[string]field{}
	for _, f := range old {
		o[f.name] = f
	}
	n := map[string]bool{}
	for _, f := range nw {
		n[f.name] = true
		if of := o[f.name]; of.cmp != f.cmp {
			out = append(out, FieldChange{Field: f.name, Old: of.shown, New: f.shown})
		}
	}
	for _, f := range old { // a layer or level the document no longer has
		if !n[f.name] && f.cmp != "" {
			out = append(out, FieldChange{Field: f.name, Old: f.shown})
		}
	}
	return out
}

func plain(name, v string) field { return field{name, v, v} }

// list compares a list as a set: its order in the document does not
// matter.
func list(name string, v []string) field {
	s := slices.Clone(v)
	sort.Strings(s)
	s = slices.Compact(s)
	j := strings.Join(s, ", ")
	return field{name, j, j}
}

// ContactShown is how a contact is shown: a secret by its variable.
func ContactShown(kind, target, env string) string {
	switch {
	case env != "":
		return kind + ":$" + env
	case Secret(kind):
		return kind + ":(secret)"
	}
	return kind + ":" + target
}

func userFields(u User) []field {
	var cmp, shown, rcmp, rshown []string
	for _, c := range u.Contacts {
		cmp = append(cmp, c.Kind+":"+c.Target)
		shown = append(shown, ContactShown(c.Kind, c.Target, c.TargetEnv))
	}
	for _, r := range u.Rules {
		i, ok := u.RuleContact(r)
		if !ok {
			continue
		}
		c := u.Contacts[i]
		rcmp = append(rcmp, c.Kind+":"+c.Target+" after "+strconv.Itoa(r.DelayMinutes)+"m")
		rshown = append(rshown, ContactShown(c.Kind, c.Target, c.TargetEnv)+" after "+strconv.Itoa(r.DelayMinutes)+"m")
	}
	manager := ""
	if u.Manager {
		manager = "yes"
	}
	return []field{plain("name", u.Name), plain("role", u.Role), plain("manager", manager), set("contacts", cmp, shown), set("rules", rcmp, rshown)}
}

// set is list with what is shown kept beside what is compared.
func set(name string, cmp, shown []string) field {
	idx := make([]int, len(cmp))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return cmp[idx[a]] < cmp[idx[b]] })
	var c, s []string
	for _, i := range idx {
		c = append(c, cmp[i])
		s = append(s, shown[i])
	}
	return field{name, strings.Join(c, ", "), strings.Join(s, ", ")}
}

func scheduleFields(s Schedule) []field {
	fs := []field{plain("team", s.Team), plain("time_zone", s.TimeZone)}
	for i, l := range s.Layers {
		how := l.Rotation + " at " + l.HandoffTime
		if l.Rotation == "custom" {
			how = "custom every " + l.Length
		}
		fs = append(fs, plain(fmt.Sprintf("layers[%d]", i), fmt.Sprintf("%s: %s from %s: %s", l.Name, how, l.Start.UTC().Format(time.RFC3339), strings.Join(l.Users, ", "))))
	}
	fs = append(fs, list("shadows", s.Shadows))
	var os []string
	for _, o := range s.Overrides {
		os = append(os, fmt.Sprintf("%s %s to %s", o.User, o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339)))
	}
	return append(fs, list("overrides", os))
}

func policyFields(x Policy) []field {
	fs := []field{plain("team", x.Team)}
	for i, l := range x.Levels {
		var ts []string
		for _, t := range l.Targets {
			switch {
			case t.User != "":
				ts = append(ts, "user "+t.User)
			case t.Schedule != "":
				ts = append(ts, "schedule "+t.Schedule)
			case t.Colleague != "":
				ts = append(ts, "colleague on "+t.Colleague)
			case t.Managers:
				ts = append(ts, "managers")
			}
		}
		fs = append(fs, plain(fmt.Sprintf("levels[%d]", i), l.Timeout+": "+strings.Join(ts, ", ")))
	}
	repeat, from := "", ""
	if x.Repeat > 0 {
		repeat = strconv.Itoa(x.Repeat)
	}
	if x.RepeatFromLevel > 1 {
		from = strconv.Itoa(x.RepeatFromLevel)
	}
	return append(fs, plain("repeat", repeat), plain("repeat_from_level", from), plain("ack_expiry", x.AckExpiry))
}

func channelFields(c Channel) []field {
	return []field{
		{"target", c.Kind + ":" + c.Target, ContactShown(c.Kind, c.Target, c.TargetEnv)},
		list("components", c.Components),
	}
}

// CanonicalJSON writes a value as compact JSON with sorted keys, so two
// settings values compare equal when they mean the same.
func CanonicalJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var x any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&x) != nil {
		return string(b)
	}
	b, _ = json.Marshal(x) // maps marshal with sorted keys
	return string(b)
}
