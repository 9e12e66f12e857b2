package pagerduty

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// converter holds what the parts of the account need from each other:
// users by id (Herald names them by e-mail), teams, schedules and policies
// by id (Herald names them by name), and the warnings so far.
type converter struct {
	now       time.Time
	emails    map[string]string // user id -> e-mail
	teams     map[string]string // team id -> name
	schedules map[string]string // schedule id -> name, only those imported
	policies  map[string]string // policy id -> name, only those imported
	importer.Warnings
	names map[string]bool // kind + "\x00" + name, taken
}

// unique returns the name a thing of a kind gets in the document. Herald
// names schedules, policies, services and teams uniquely; PagerDuty does
// not, so a second one of a name gets its PagerDuty id in brackets.
func (c *converter) unique(kind, name, id string) string {
	if !c.names[kind+"\x00"+name] {
		c.names[kind+"\x00"+name] = true
		return name
	}
	renamed := name + " (" + id + ")"
	c.Warnf("%s %q: another %s has the name: this one is named %q", kind, name, kind, renamed)
	c.names[kind+"\x00"+renamed] = true
	return renamed
}

// convert maps what was read onto a document. Everything Herald cannot
// hold is a warning; nothing is left out without one.
func convert(a *account, now time.Time) (*config.Document, []string) {
	c := &converter{now: now, emails: map[string]string{}, teams: map[string]string{},
		schedules: map[string]string{}, policies: map[string]string{}, names: map[string]bool{}}
	doc := &config.Document{Version: config.Version}
	for _, u := range a.users {
		if u.Email == "" {
			c.Warnf("user %q has no e-mail address: not imported", u.Name)
			continue
		}
		c.emails[u.ID] = u.Email
	}
	for _, u := range a.users {
		if u.Email != "" {
			doc.Users = append(doc.Users, c.user(u, a.contacts[u.ID], a.rules[u.ID]))
		}
	}
	for _, t := range a.teams {
		t.Name = c.unique("team", t.Name, t.ID)
		c.teams[t.ID] = t.Name
		doc.Teams = append(doc.Teams, c.team(t, a.members[t.ID]))
	}
	for _, s := range a.schedules {
		s.Name = c.unique("schedule", s.Name, s.ID)
		if sc, ok := c.schedule(s, a.overrides[s.ID]); ok {
			c.schedules[s.ID] = sc.Name
			doc.Schedules = append(doc.Schedules, sc)
		}
	}
	for _, p := range a.policies {
		p.Name = c.unique("escalation policy", p.Name, p.ID)
		if pc, ok := c.policy(p, a.roundRobin[p.ID]); ok {
			c.policies[p.ID] = pc.Name
			doc.EscalationPolicies = append(doc.EscalationPolicies, pc)
		}
	}
	for _, s := range a.services {
		s.Name = c.unique("service", s.Name, s.ID)
		doc.Services = append(doc.Services, c.service(s))
	}
	return doc, c.Warnings
}

// role maps PagerDuty's account roles onto Herald's three: who may change
// configuration, who responds, who only looks.
func role(r string) string {
	switch r {
	case "owner", "admin":
		return "admin"
	case "observer", "read_only_user", "read_only_limited_user", "restricted_access":
		return "viewer"
	}
	return "responder" // user, limited_user
}

func (c *converter) user(u pd.User, methods []pd.ContactMethod, rules []pd.NotificationRule) config.User {
	out := config.User{Email: u.Email, Name: u.Name, Role: role(u.Role)}
	refs := map[string]string{} // contact method id -> "kind:target"
	for _, m := range methods {
		var kind, target string
		switch strings.TrimSuffix(m.Type, "_reference") {
		case "email_contact_method":
			kind, target = "email", m.Address
		case "sms_contact_method":
			kind, target = "sms", phone(m)
		case "phone_contact_method":
			kind, target = "voice", phone(m)
		default:
			c.Warnf("user %s: contact method %q (%s) has no Herald kind: not imported", u.Email, m.Label, m.Type)
			continue
		}
		if m.Blacklisted {
			c.Warnf("user %s: %s contact %q is blocked in PagerDuty (it bounced or was reported): imported, check that it works", u.Email, kind, target)
		}
		ref := kind + ":" + target
		refs[m.ID] = ref
		if !slices.ContainsFunc(out.Contacts, func(x config.Contact) bool { return x.Kind == kind && x.Target == target }) {
			out.Contacts = append(out.Contacts, config.Contact{Kind: kind, Target: target})
		}
	}
	for _, r := range rules {
		if r.Urgency != "" && r.Urgency != "high" {
			c.Warnf("user %s: a %s-urgency notification rule is not imported: Herald has one urgency", u.Email, r.Urgency)
			continue
		}
		ref, ok := refs[r.ContactMethod.ID]
		if !ok {
			c.Warnf("user %s: the notification rule after %d minutes uses a contact method that was not imported (%s): not imported", u.Email, r.StartDelayInMinutes, strings.TrimSuffix(r.ContactMethod.Type, "_reference"))
			continue
		}
		rule := config.Rule{Contact: ref, DelayMinutes: int(r.StartDelayInMinutes)}
		if !slices.Contains(out.Rules, rule) {
			out.Rules = append(out.Rules, rule)
		}
	}
	return out
}

// phone writes a number in international form: PagerDuty keeps the country
// code apart from the number.
func phone(m pd.ContactMethod) string {
	n := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(m.Address)
	if strings.HasPrefix(n, "+") || m.CountryCode == 0 {
		return n
	}
	return "+" + strconv.Itoa(m.CountryCode) + n
}

func (c *converter) team(t pd.Team, members []pd.Member) config.Team {
	out := config.Team{Name: t.Name}
	roles := 0
	for _, m := range members {
		email, ok := c.emails[m.User.ID]
		if !ok {
			c.Warnf("team %q: member %q is not among the users read: left out", t.Name, m.User.Summary)
			continue
		}
		out.Members = append(out.Members, email)
		if m.Role != "" && m.Role != "responder" {
			roles++
		}
	}
	if roles > 0 {
		c.Warnf("team %q: team roles (manager, observer) are not imported: its members are plain members (%d had a role)", t.Name, roles)
	}
	return out
}

// teamOf names the first team of a schedule, policy or service; Herald
// gives each one team.
func (c *converter) teamOf(what string, refs []string, summaries []string) string {
	if len(refs) == 0 {
		return ""
	}
	if len(refs) > 1 {
		c.Warnf("%s belongs to %d teams in PagerDuty: Herald keeps the first, %q", what, len(refs), c.teamName(refs[0], summaries[0]))
	}
	return c.teamName(refs[0], summaries[0])
}

func (c *converter) teamName(id, summary string) string {
	if n, ok := c.teams[id]; ok {
		return n
	}
	return summary
}

func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, s)
}

// schedule maps a schedule. PagerDuty lists its layers from the highest
// (the one that wins) down; Herald lists them from the lowest up, the
// later winning, so the order is reversed.
func (c *converter) schedule(s pd.Schedule, overrides []pd.Override) (config.Schedule, bool) {
	what := fmt.Sprintf("schedule %q", s.Name)
	out := config.Schedule{Name: s.Name, TimeZone: s.TimeZone}
	var ids, sums []string
	for _, t := range s.Teams {
		ids, sums = append(ids, t.ID), append(sums, t.Summary)
	}
	out.Team = c.teamOf(what, ids, sums)
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || s.TimeZone == "" {
		c.Warnf("%s: time zone %q is not one Herald knows: written as UTC, hand-off times are given in UTC", what, s.TimeZone)
		out.TimeZone, loc = "UTC", time.UTC
	}
	for i := len(s.ScheduleLayers) - 1; i >= 0; i-- {
		if l, ok := c.layer(what, s.ScheduleLayers[i], loc); ok {
			out.Layers = append(out.Layers, l)
		}
	}
	if len(out.Layers) == 0 {
		c.Warnf("%s has no layer Herald can hold: not imported, nor the policy targets naming it", what)
		return out, false
	}
	for _, o := range overrides {
		email, ok := c.emails[o.User.ID]
		start, err1 := parseTime(o.Start)
		end, err2 := parseTime(o.End)
		switch {
		case !ok:
			c.Warnf("%s: override %s to %s for %q, who is not among the users read: not imported", what, o.Start, o.End, o.User.Summary)
		case err1 != nil || err2 != nil:
			c.Warnf("%s: override %s to %s has a time that does not parse: not imported", what, o.Start, o.End)
		default:
			out.Overrides = append(out.Overrides, config.Override{User: email, Start: start, End: end})
		}
	}
	return out, true
}

const (
	day  = 24 * time.Hour
	week = 7 * day
	// Herald's custom rotations run from one hour to four weeks, in whole hours.
	minCustom = time.Hour
	maxCustom = 4 * week
)

// layer maps one layer. PagerDuty hands off every
// rotation_turn_length_seconds counted from rotation_virtual_start, which
// is when the first user's first turn begins; Herald's layer Start is that
// same moment, and its daily and weekly hand-offs fall at Start's local
// time (and weekday).
func (c *converter) layer(schedule string, l pd.ScheduleLayer, loc *time.Location) (config.Layer, bool) {
	what := fmt.Sprintf("%s, layer %q", schedule, l.Name)
	out := config.Layer{Name: l.Name}
	if l.End != "" {
		end, err := parseTime(l.End)
		if err != nil {
			c.Warnf("%s: its end %q does not parse: not imported", what, l.End)
			return out, false
		}
		if !end.After(c.now) {
			c.Warnf("%s ended at %s: not imported", what, end.Format(time.RFC3339))
			return out, false
		}
		c.Warnf("%s ends at %s in PagerDuty; Herald layers do not end: remove it then", what, end.Format(time.RFC3339))
	}
	virtual, err := parseTime(l.RotationVirtualStart)
	if err != nil {
		c.Warnf("%s: rotation_virtual_start %q does not parse: not imported", what, l.RotationVirtualStart)
		return out, false
	}
	out.Start = virtual.In(loc)
	if start, err := parseTime(l.Start); err == nil && !start.Equal(virtual) && (start.After(c.now) || virtual.After(c.now)) {
		c.Warnf("%s begins at %s in PagerDuty; Herald begins it at its rotation's start, %s", what, start.Format(time.RFC3339), virtual.Format(time.RFC3339))
	}
	turn := time.Duration(l.RotationTurnLengthSeconds) * time.Second
	switch turn {
	case day, week:
		out.Rotation = "daily"
		if turn == week {
			out.Rotation = "weekly"
		}
		out.HandoffTime = out.Start.Format("15:04")
		if out.Start.Second() != 0 || out.Start.Nanosecond() != 0 {
			c.Warnf("%s hands off at %s; Herald hands off on the minute, at %s", what, out.Start.Format("15:04:05"), out.HandoffTime)
		}
	default:
		out.Rotation = "custom"
		length := turn.Round(time.Hour)
		length = min(max(length, minCustom), maxCustom)
		if length != turn {
			c.Warnf("%s: turns of %s; Herald's custom rotations are whole hours from 1h to 672h: written as %s", what, turn, importer.Duration(length))
		}
		out.Length = importer.Duration(length)
		if turn%day == 0 {
			c.Warnf("%s: turns of %d days hand off every %s of elapsed time in Herald, so the hand-off moves by an hour when the clocks change", what, turn/day, importer.Duration(turn))
		}
	}
	for _, r := range l.Restrictions {
		c.Warnf("%s: %s; Herald has no restrictions, so the layer's person is on call around the clock", what, restriction(r))
	}
	for _, u := range l.Users {
		email, ok := c.emails[u.User.ID]
		if !ok {
			c.Warnf("%s: %q is not among the users read: left out of the rotation", what, u.User.Summary)
			continue
		}
		out.Users = append(out.Users, email)
	}
	if len(out.Users) == 0 {
		c.Warnf("%s has nobody in it: not imported", what)
		return out, false
	}
	return out, true
}

// restriction says in words what a restriction limits the layer to.
func restriction(r pd.Restriction) string {
	d := importer.Duration(time.Duration(r.DurationSeconds) * time.Second)
	if r.Type == "weekly_restriction" {
		wd := time.Weekday(r.StartDayOfWeek % 7).String() // ISO 8601: 1 is Monday, 7 Sunday
		return fmt.Sprintf("on call only from %s %s for %s each week (a weekly restriction)", wd, r.StartTimeOfDay, d)
	}
	return fmt.Sprintf("on call only from %s for %s each day (a daily restriction)", r.StartTimeOfDay, d)
}

// Herald's bounds on a policy: level timeouts and repeats.
const (
	maxTimeoutMinutes = importer.MaxLevelMinutes
	maxRepeat         = 10
)

func (c *converter) policy(p pd.EscalationPolicy, roundRobin []bool) (config.Policy, bool) {
	what := fmt.Sprintf("escalation policy %q", p.Name)
	out := config.Policy{Name: p.Name, Repeat: int(p.NumLoops)}
	var ids, sums []string
	for _, t := range p.Teams {
		ids, sums = append(ids, t.ID), append(sums, "")
	}
	out.Team = c.teamOf(what, ids, sums)
	if out.Repeat > maxRepeat {
		c.Warnf("%s repeats %d times; Herald repeats at most %d: written as %d", what, out.Repeat, maxRepeat, maxRepeat)
		out.Repeat = maxRepeat
	}
	for i, r := range p.EscalationRules {
		lw := fmt.Sprintf("%s, level %d", what, i+1)
		minutes := int(r.Delay)
		if minutes < 1 || minutes > maxTimeoutMinutes {
			clamped := min(max(minutes, 1), maxTimeoutMinutes)
			c.Warnf("%s: escalates after %d minutes; Herald's timeouts run from 1m to 24h: written as %s", lw, minutes, importer.Duration(time.Duration(clamped)*time.Minute))
			minutes = clamped
		}
		level := config.Level{Timeout: importer.Duration(time.Duration(minutes) * time.Minute)}
		if i < len(roundRobin) && roundRobin[i] {
			c.Warnf("%s gives an incident to its targets in turn (round robin); Herald pages every target of a level", lw)
		}
		for _, t := range r.Targets {
			switch strings.TrimSuffix(t.Type, "_reference") {
			case "user":
				if email, ok := c.emails[t.ID]; ok {
					level.Targets = append(level.Targets, config.Target{User: email})
					continue
				}
				c.Warnf("%s: user %q is not among the users read: left out", lw, t.Summary)
			case "schedule":
				if name, ok := c.schedules[t.ID]; ok {
					level.Targets = append(level.Targets, config.Target{Schedule: name})
					continue
				}
				c.Warnf("%s: schedule %q was not imported: left out", lw, t.Summary)
			default:
				c.Warnf("%s: target %q (%s) has no Herald kind: left out", lw, t.Summary, t.Type)
			}
		}
		if len(level.Targets) == 0 {
			c.Warnf("%s pages nobody Herald knows: the level is left out", lw)
			continue
		}
		out.Levels = append(out.Levels, level)
	}
	if len(out.Levels) == 0 {
		c.Warnf("%s has no level left: not imported, and services using it have no policy", what)
		return out, false
	}
	return out, true
}

func (c *converter) service(s pd.Service) config.Service {
	what := fmt.Sprintf("service %q", s.Name)
	out := config.Service{Name: s.Name, Description: s.Description}
	var ids, sums []string
	for _, t := range s.Teams {
		ids, sums = append(ids, t.ID), append(sums, t.Summary)
	}
	out.Team = c.teamOf(what, ids, sums)
	if id := s.EscalationPolicy.ID; id != "" {
		if name, ok := c.policies[id]; ok {
			out.Policy = name
		} else {
			c.Warnf("%s: its escalation policy %q was not imported: the service has none", what, s.EscalationPolicy.Summary)
		}
	}
	if s.Status == "disabled" {
		c.Warnf("%s is disabled in PagerDuty; Herald's services are always on: imported as on", what)
	}
	if s.AcknowledgementTimeout != nil && *s.AcknowledgementTimeout > 0 {
		c.Warnf("%s: an acknowledgement lapses after %s in PagerDuty: not imported (a Herald policy's ack_expiry does this for every service using the policy)", what, importer.Duration(time.Duration(*s.AcknowledgementTimeout)*time.Second))
	}
	if s.AutoResolveTimeout != nil && *s.AutoResolveTimeout > 0 {
		c.Warnf("%s: incidents resolve themselves after %s in PagerDuty: not imported", what, importer.Duration(time.Duration(*s.AutoResolveTimeout)*time.Second))
	}
	if u := s.IncidentUrgencyRule; u != nil && !(u.Type == "constant" && u.Urgency == "high") {
		c.Warnf("%s: urgency rules (%s) and support hours are not imported: Herald pages with one urgency", what, u.Type)
	}
	if g := s.AlertGroupingParameters; (g != nil && g.Type != "") || s.AlertGrouping != "" {
		kind := s.AlertGrouping
		if g != nil && g.Type != "" {
			kind = g.Type
		}
		c.Warnf("%s: alert grouping (%s) is not imported: set the service's grouping in Herald if it needs one", what, kind)
	}
	if p := s.AutoPauseNotificationsParameters; p != nil && p.Enabled {
		c.Warnf("%s: auto-pausing notifications for transient alerts is not imported", what)
	}
	if n := len(s.Integrations); n > 0 {
		c.Warnf("%s: its integrations (%d) send to PagerDuty; point them at the integration key Herald makes for the service", what, n)
	}
	return out
}
