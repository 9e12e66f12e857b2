package config

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Problem is one thing wrong with a document, at its place
// ("schedules[2].layers[0].users[1]").
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Problems are every problem found in a document: nothing is applied
// while there is one.
type Problems []Problem

func (p Problems) Error() string {
	var b strings.Builder
	if len(p) == 1 {
		return p[0].Path + ": " + p[0].Message
	}
	fmt.Fprintf(&b, "the document has %d problems:", len(p))
	for _, x := range p {
		b.WriteString("\n  " + x.Path + ": " + x.Message)
	}
	return b.String()
}

func (p *Problems) add(path, format string, args ...any) {
	*p = append(*p, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Secret reports whether a contact method or channel kind's target is a
// secret (a URL that lets whoever holds it post): those are named by an
// environment variable in a file, never written in it.
func Secret(kind string) bool {
	return kind == "webhook" || kind == "slack" || kind == "teams" || kind == "mattermost"
}

// ContactKinds and ChannelKinds are the kinds a document may name.
var (
	ContactKinds = []string{"email", "sms", "voice", "webhook", "slack", "teams", "mattermost"}
	ChannelKinds = []string{"email", "webhook", "slack", "teams", "mattermost"}
)

// FormatDuration writes a duration the way a document does: "15m",
// "1h30m", "12h", "0s".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s")
	}
	return b.String()
}

// Minutes parses a duration that must be whole minutes between lo and hi.
func Minutes(s string, lo, hi time.Duration) (int, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write it like 15m or 1h30m)", s)
	}
	if d%time.Minute != 0 || d < lo || d > hi {
		return 0, fmt.Errorf("%s must be whole minutes from %s to %s", s, FormatDuration(lo), FormatDuration(hi))
	}
	return int(d / time.Minute), nil
}

// Options say how a document is compared with Herald.
type Options struct {
	// Prune deletes what a list present in the document does not name.
	Prune bool
	// Keep is an e-mail address prune never deletes: the person applying.
	Keep string
}

// Check validates want against itself and against cur (what Herald holds
// now, as Export reads it) and writes want in its canonical form (defaults
// filled in, durations and e-mail addresses written one way), so that Diff
// compares like with like. Every problem is returned, each at its place.
func Check(cur, want *Document, o Options) error {
	var p Problems
	if want.Version != Version {
		p.add("version", "version %d is not one this Herald reads (write version: %d)", want.Version, Version)
	}
	// What a reference may name: the document's own things, and Herald's
	// when the kind is not pruned (a kind the document leaves out is left
	// alone, so Herald's stay).
	users := names(len(want.Users), func(i int) string { return lower(want.Users[i].Email) })
	teams := names(len(want.Teams), func(i int) string { return strings.TrimSpace(want.Teams[i].Name) })
	schedules := names(len(want.Schedules), func(i int) string { return strings.TrimSpace(want.Schedules[i].Name) })
	policies := names(len(want.EscalationPolicies), func(i int) string { return strings.TrimSpace(want.EscalationPolicies[i].Name) })
	components := names(len(want.Components), func(i int) string { return strings.TrimSpace(want.Components[i].Name) })
	keepHerald := func(list bool) bool { return !o.Prune || !list }
	if keepHerald(want.Users != nil) {
		for _, u := range cur.Users {
			users[u.Email] = true
		}
	}
	if o.Keep != "" {
		users[lower(o.Keep)] = true
	}
	if keepHerald(want.Teams != nil) {
		for _, t := range cur.Teams {
			teams[t.Name] = true
		}
	}
	if keepHerald(want.Schedules != nil) {
		for _, s := range cur.Schedules {
			schedules[s.Name] = true
		}
	}
	if keepHerald(want.EscalationPolicies != nil) {
		for _, x := range cur.EscalationPolicies {
			policies[x.Name] = true
		}
	}
	if keepHerald(want.Components != nil) {
		for _, c := range cur.Components {
			components[c.Name] = true
		}
	}
	where := "in the document or in Herald"
	if o.Prune {
		where = "in the document (or in Herald, where the document leaves the kind out)"
	}
	refUser := func(path, email string) string {
		email = lower(email)
		if email == "" {
			p.add(path, "an e-mail address is required")
		} else if !users[email] {
			p.add(path, "no user %s %s", email, where)
		}
		return email
	}
	ref := func(set map[string]bool, kind, path, name string) string {
		name = strings.TrimSpace(name)
		if name != "" && !set[name] {
			p.add(path, "no %s %q %s", kind, name, where)
		}
		return name
	}
	dup := func(seen map[string]string, path, key, what string) {
		if key == "" {
			return
		}
		if first, ok := seen[key]; ok {
			p.add(path, "%s %s is listed twice (first at %s)", what, key, first)
		}
		seen[key] = path
	}

	seen := map[string]string{}
	for i := range want.Users {
		u := &want.Users[i]
		at := fmt.Sprintf("users[%d]", i)
		u.Email, u.Name, u.Role = lower(u.Email), strings.TrimSpace(u.Name), lower(u.Role)
		if u.Email == "" || !strings.Contains(u.Email, "@") {
			p.add(at+".email", "an e-mail address like ada@example.com is required")
		}
		dup(seen, at+".email", u.Email, "user")
		if u.Name == "" {
			p.add(at+".name", "is required")
		}
		if u.Role == "" {
			u.Role = "responder"
		}
		if !slices.Contains([]string{"viewer", "responder", "admin"}, u.Role) {
			p.add(at+".role", "must be viewer, responder or admin")
		}
		for j := range u.Contacts {
			c := &u.Contacts[j]
			cat := fmt.Sprintf("%s.contacts[%d]", at, j)
			c.Kind, c.Target, c.TargetEnv = lower(c.Kind), strings.TrimSpace(c.Target), strings.TrimSpace(c.TargetEnv)
			if !slices.Contains(ContactKinds, c.Kind) {
				p.add(cat+".kind", "must be one of %s", strings.Join(ContactKinds, ", "))
			}
			checkTarget(&p, cat, c.Target, c.TargetEnv)
		}
		for j := range u.Rules {
			r := &u.Rules[j]
			rat := fmt.Sprintf("%s.rules[%d]", at, j)
			if _, ok := u.RuleContact(*r); !ok {
				p.add(rat+".contact", "%q is none of the user's contacts (write kind:target or kind:$TARGET_ENV)", r.Contact)
			}
			if r.DelayMinutes < 0 || r.DelayMinutes > 24*60 {
				p.add(rat+".delay_minutes", "must be between 0 and 1440")
			}
		}
	}

	seen = map[string]string{}
	for i := range want.Teams {
		t := &want.Teams[i]
		at := fmt.Sprintf("teams[%d]", i)
		t.Name = required(&p, at+".name", t.Name)
		dup(seen, at+".name", t.Name, "team")
		for j := range t.Members {
			t.Members[j] = refUser(fmt.Sprintf("%s.members[%d]", at, j), t.Members[j])
		}
	}

	seen = map[string]string{}
	for i := range want.Schedules {
		s := &want.Schedules[i]
		at := fmt.Sprintf("schedules[%d]", i)
		s.Name = required(&p, at+".name", s.Name)
		dup(seen, at+".name", s.Name, "schedule")
		s.Team = ref(teams, "team", at+".team", s.Team)
		if s.TimeZone = strings.TrimSpace(s.TimeZone); s.TimeZone == "" {
			s.TimeZone = "UTC"
		}
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			p.add(at+".time_zone", "%q is not a known time zone (use names like Europe/Berlin)", s.TimeZone)
		}
		if len(s.Layers) == 0 {
			p.add(at+".layers", "at least one layer is needed")
		}
		for j := range s.Layers {
			l := &s.Layers[j]
			lat := fmt.Sprintf("%s.layers[%d]", at, j)
			if l.Name = strings.TrimSpace(l.Name); l.Name == "" {
				l.Name = "Layer " + strconv.Itoa(j+1)
			}
			switch l.Rotation = lower(l.Rotation); l.Rotation {
			case "daily", "weekly":
				if l.HandoffTime == "" {
					l.HandoffTime = "09:00"
				}
				if _, err := time.Parse("15:04", l.HandoffTime); err != nil {
					p.add(lat+".handoff_time", "must be HH:MM, like 09:00")
				}
				if l.Length != "" {
					p.add(lat+".length", "is for custom rotations; daily and weekly hand off at handoff_time")
				}
			case "custom":
				if l.HandoffTime != "" {
					p.add(lat+".handoff_time", "is for daily and weekly rotations; a custom one hands off every length")
				}
				d, err := time.ParseDuration(l.Length)
				if err != nil || d%time.Hour != 0 || d < time.Hour || d > 672*time.Hour {
					p.add(lat+".length", "must be whole hours from 1h to 672h, like 12h")
				} else {
					l.Length = FormatDuration(d)
				}
			default:
				p.add(lat+".rotation", "must be daily, weekly or custom")
			}
			if l.Start.IsZero() {
				p.add(lat+".start", "is required (a time like 2026-01-05T09:00:00Z)")
			}
			l.Start = l.Start.UTC()
			if len(l.Users) == 0 {
				p.add(lat+".users", "at least one user is needed")
			}
			for k := range l.Users {
				l.Users[k] = refUser(fmt.Sprintf("%s.users[%d]", lat, k), l.Users[k])
			}
		}
		for k := range s.Shadows {
			s.Shadows[k] = refUser(fmt.Sprintf("%s.shadows[%d]", at, k), s.Shadows[k])
		}
		for k := range s.Overrides {
			x := &s.Overrides[k]
			oat := fmt.Sprintf("%s.overrides[%d]", at, k)
			x.User = refUser(oat+".user", x.User)
			x.Start, x.End = x.Start.UTC(), x.End.UTC()
			if x.Start.IsZero() || !x.End.After(x.Start) {
				p.add(oat, "start and end are required, end after start")
			}
		}
	}

	seen = map[string]string{}
	for i := range want.EscalationPolicies {
		x := &want.EscalationPolicies[i]
		at := fmt.Sprintf("escalation_policies[%d]", i)
		x.Name = required(&p, at+".name", x.Name)
		dup(seen, at+".name", x.Name, "escalation policy")
		x.Team = ref(teams, "team", at+".team", x.Team)
		if len(x.Levels) == 0 || len(x.Levels) > 20 {
			p.add(at+".levels", "between 1 and 20 levels")
		}
		for j := range x.Levels {
			l := &x.Levels[j]
			lat := fmt.Sprintf("%s.levels[%d]", at, j)
			if m, err := Minutes(l.Timeout, time.Minute, 24*time.Hour); err != nil {
				p.add(lat+".timeout", "%v", err)
			} else {
				l.Timeout = FormatDuration(time.Duration(m) * time.Minute)
			}
			if len(l.Targets) == 0 {
				p.add(lat+".targets", "at least one target")
			}
			for k := range l.Targets {
				t := &l.Targets[k]
				tat := fmt.Sprintf("%s.targets[%d]", lat, k)
				set := 0
				for _, v := range []bool{t.User != "", t.Schedule != "", t.Colleague != "", t.Managers} {
					if v {
						set++
					}
				}
				if set != 1 {
					p.add(tat, "give exactly one of user, schedule, colleague, managers")
				}
				if t.User != "" {
					t.User = refUser(tat+".user", t.User)
				}
				t.Schedule = ref(schedules, "schedule", tat+".schedule", t.Schedule)
				t.Colleague = ref(schedules, "schedule", tat+".colleague", t.Colleague)
			}
		}
		if x.Repeat < 0 || x.Repeat > 10 {
			p.add(at+".repeat", "between 0 and 10")
		}
		if x.RepeatFromLevel < 0 || x.RepeatFromLevel > max(len(x.Levels), 1) {
			p.add(at+".repeat_from_level", "a level of the policy, from 1 to %d", max(len(x.Levels), 1))
		}
		if x.RepeatFromLevel == 1 {
			x.RepeatFromLevel = 0 // the same: rounds start at the first level
		}
		if x.AckExpiry != "" {
			d, err := time.ParseDuration(strings.TrimSpace(x.AckExpiry))
			switch {
			case err != nil || (d != 0 && (d < time.Minute || d > 24*time.Hour || d%time.Second != 0)):
				p.add(at+".ack_expiry", "off (0s), or whole seconds from 1m to 24h, like 30m")
			case d == 0:
				x.AckExpiry = ""
			default:
				x.AckExpiry = FormatDuration(d)
			}
		}
	}

	seen = map[string]string{}
	for i := range want.Components {
		c := &want.Components[i]
		at := fmt.Sprintf("components[%d]", i)
		c.Name = required(&p, at+".name", c.Name)
		c.Description, c.Group = strings.TrimSpace(c.Description), strings.TrimSpace(c.Group)
		dup(seen, at+".name", c.Name, "component")
		if c.Group != "" && c.Group == c.Name {
			p.add(at+".group", "a component cannot be its own group")
		}
	}

	seen = map[string]string{}
	for i := range want.Services {
		s := &want.Services[i]
		at := fmt.Sprintf("services[%d]", i)
		s.Name = required(&p, at+".name", s.Name)
		s.Description = strings.TrimSpace(s.Description)
		dup(seen, at+".name", s.Name, "service")
		s.Team = ref(teams, "team", at+".team", s.Team)
		s.Policy = ref(policies, "escalation policy", at+".escalation_policy", s.Policy)
		for k := range s.Components {
			s.Components[k] = ref(components, "component", fmt.Sprintf("%s.components[%d]", at, k), s.Components[k])
		}
		if s.Grouping == nil {
			s.Grouping = &Grouping{Threshold: 3, Window: "5m"}
		}
		if s.Grouping.Threshold < 0 || s.Grouping.Threshold > 1000 {
			p.add(at+".grouping.threshold", "0 (off) to 1000")
		}
		if m, err := Minutes(s.Grouping.Window, 0, 24*time.Hour); err != nil {
			p.add(at+".grouping.window", "%v", err)
		} else {
			s.Grouping.Window = FormatDuration(time.Duration(m) * time.Minute)
		}
	}

	seen = map[string]string{}
	for i := range want.StakeholderChannels {
		c := &want.StakeholderChannels[i]
		at := fmt.Sprintf("stakeholder_channels[%d]", i)
		c.Name = required(&p, at+".name", c.Name)
		dup(seen, at+".name", c.Name, "stakeholder channel")
		c.Kind, c.Target, c.TargetEnv = lower(c.Kind), strings.TrimSpace(c.Target), strings.TrimSpace(c.TargetEnv)
		if !slices.Contains(ChannelKinds, c.Kind) {
			p.add(at+".kind", "must be one of %s", strings.Join(ChannelKinds, ", "))
		}
		checkTarget(&p, at, c.Target, c.TargetEnv)
		for k := range c.Components {
			c.Components[k] = ref(components, "component", fmt.Sprintf("%s.components[%d]", at, k), c.Components[k])
		}
	}

	keys := make([]string, 0, len(want.Settings))
	for k := range want.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := cur.Settings[k]; !ok {
			p.add("settings."+k, "no such setting (herald settings get lists them)")
		}
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

func checkTarget(p *Problems, at, target, env string) {
	switch {
	case target == "" && env != "":
		p.add(at+".target_env", "%s was not resolved: herald apply reads it from its environment", env)
	case target == "":
		p.add(at+".target", "target or target_env is required")
	}
}

// RuleContact finds the contact a rule names: "kind:target" or
// "kind:$TARGET_ENV".
func (u *User) RuleContact(r Rule) (int, bool) {
	kind, v, _ := strings.Cut(strings.TrimSpace(r.Contact), ":")
	kind, v = lower(kind), strings.TrimSpace(v)
	for i, c := range u.Contacts {
		if c.Kind != kind {
			continue
		}
		if env, ok := strings.CutPrefix(v, "$"); ok && env != "" && env == c.TargetEnv {
			return i, true
		}
		if v != "" && v == c.Target && !strings.HasPrefix(v, "$") {
			return i, true
		}
	}
	return 0, false
}

func required(p *Problems, path, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		p.add(path, "is required")
	}
	return v
}

func names(n int, key func(int) string) map[string]bool {
	m := map[string]bool{}
	for i := range n {
		if k := key(i); k != "" {
			m[k] = true
		}
	}
	return m
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
