// Package opsgenie reads an Opsgenie account through its REST API (v2, and
// v1 for services) and turns it into Herald's configuration document:
// users with their contact methods, teams with their members, schedules
// from their rotations and overrides, escalations as escalation policies,
// and services with the escalation their team routes to. What Herald
// cannot represent is never dropped silently: each such thing becomes a
// warning that names it.
package opsgenie

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// Options say where Opsgenie is and how to read it.
type Options struct {
	URL  string // the API, DefaultURL when empty (the EU region has its own)
	Key  string // an API integration's key; sent only to URL's host
	HTTP *http.Client
	// Now is the moment overrides and rotation ends are judged past or
	// future by; time.Now when nil.
	Now func() time.Time
}

// The API's objects, with the fields the import reads.
type (
	ref struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
	}
	user struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		FullName string `json:"fullName"`
		Role     struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"role"`
	}
	contact struct {
		ID     string `json:"id"`
		Method string `json:"method"` // email, sms, voice, mobile
		To     string `json:"to"`
		Status struct {
			Enabled bool `json:"enabled"`
		} `json:"status"`
	}
	team struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Members     []struct {
			User ref    `json:"user"`
			Role string `json:"role"`
		} `json:"members"`
	}
	routingRule struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		IsDefault bool   `json:"isDefault"`
		Order     int    `json:"order"`
		Notify    ref    `json:"notify"`
	}
	restriction struct {
		Type string `json:"type"` // time-of-day, weekday-and-time-of-day
	}
	rotation struct {
		ID              string       `json:"id"`
		Name            string       `json:"name"`
		StartDate       time.Time    `json:"startDate"`
		EndDate         *time.Time   `json:"endDate"`
		Type            string       `json:"type"` // hourly, daily, weekly
		Length          int          `json:"length"`
		Participants    []ref        `json:"participants"`
		TimeRestriction *restriction `json:"timeRestriction"`
	}
	schedule struct {
		ID        string     `json:"id"`
		Name      string     `json:"name"`
		Timezone  string     `json:"timezone"`
		Enabled   bool       `json:"enabled"`
		OwnerTeam *ref       `json:"ownerTeam"`
		Rotations []rotation `json:"rotations"`
	}
	override struct {
		Alias     string    `json:"alias"`
		User      ref       `json:"user"`
		StartDate time.Time `json:"startDate"`
		EndDate   time.Time `json:"endDate"`
		Rotations []ref     `json:"rotations"`
	}
	rule struct {
		Condition  string `json:"condition"`
		NotifyType string `json:"notifyType"`
		Delay      struct {
			TimeAmount int    `json:"timeAmount"`
			TimeUnit   string `json:"timeUnit"`
		} `json:"delay"`
		Recipient ref `json:"recipient"`
	}
	escalation struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		OwnerTeam *ref   `json:"ownerTeam"`
		Rules     []rule `json:"rules"`
		Repeat    *struct {
			WaitInterval         int  `json:"waitInterval"`
			Count                int  `json:"count"`
			ResetRecipientStates bool `json:"resetRecipientStates"`
			CloseAlertAfterAll   bool `json:"closeAlertAfterAll"`
		} `json:"repeat"`
	}
	service struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		TeamID      string `json:"teamId"`
	}
)

// snapshot is everything read from Opsgenie, before conversion.
type snapshot struct {
	users       []user
	contacts    map[string][]contact // by user id
	teams       []team               // with members
	routing     map[string][]routingRule
	schedules   []schedule
	overrides   map[string][]override // by schedule id
	escalations []escalation
	services    []service
}

// Import reads Opsgenie and returns the document and the warnings about
// what it could not carry over.
func Import(ctx context.Context, o Options) (*config.Document, []string, error) {
	c, err := newClient(o.URL, o.Key, o.HTTP)
	if err != nil {
		return nil, nil, err
	}
	s, err := read(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	doc, warns := convert(s, now())
	return doc, warns, nil
}

func read(ctx context.Context, c *client) (snapshot, error) {
	s := snapshot{contacts: map[string][]contact{}, routing: map[string][]routingRule{}, overrides: map[string][]override{}}
	var err error
	if s.users, err = list[user](ctx, c, "/v2/users?limit=100&offset=0", "users"); err != nil {
		return s, err
	}
	for _, u := range s.users {
		if s.contacts[u.ID], err = one[[]contact](ctx, c, "/v2/users/"+url.PathEscape(u.ID)+"/contacts", "contacts of "+u.Username); err != nil {
			return s, err
		}
	}
	teams, err := list[team](ctx, c, "/v2/teams", "teams")
	if err != nil {
		return s, err
	}
	for _, t := range teams {
		full, err := one[team](ctx, c, "/v2/teams/"+url.PathEscape(t.ID), "team "+t.Name)
		if err != nil {
			return s, err
		}
		s.teams = append(s.teams, full)
		if s.routing[t.ID], err = one[[]routingRule](ctx, c, "/v2/teams/"+url.PathEscape(t.ID)+"/routing-rules", "routing rules of team "+t.Name); err != nil {
			return s, err
		}
	}
	if s.schedules, err = list[schedule](ctx, c, "/v2/schedules?expand=rotation", "schedules"); err != nil {
		return s, err
	}
	for _, sc := range s.schedules {
		if s.overrides[sc.ID], err = one[[]override](ctx, c, "/v2/schedules/"+url.PathEscape(sc.ID)+"/overrides", "overrides of schedule "+sc.Name); err != nil {
			return s, err
		}
	}
	if s.escalations, err = list[escalation](ctx, c, "/v2/escalations", "escalations"); err != nil {
		return s, err
	}
	if s.services, err = list[service](ctx, c, "/v1/services?limit=100&offset=0", "services"); err != nil {
		return s, err
	}
	return s, nil
}

// converter holds the lookups a conversion needs and collects warnings.
type converter struct {
	now         time.Time
	users       map[string]string   // username (lower case) -> e-mail, for imported users
	byID        map[string]string   // user id -> e-mail
	teamNames   map[string]string   // team id -> name
	members     map[string][]string // team id -> e-mails
	admins      map[string][]string // team id -> e-mails of its admins
	schedules   map[string]string   // schedule id -> imported name
	escalations map[string]string   // escalation id -> imported policy name
	importer.Warnings
}

// person is the e-mail of a user reference, or "" with a warning.
func (c *converter) person(r ref, where string) string {
	if e, ok := c.byID[r.ID]; ok && r.ID != "" {
		return e
	}
	if e, ok := c.users[strings.ToLower(r.Username)]; ok {
		return e
	}
	c.Warnf("%s: user %s is not among the users imported; left out", where, orID(r.Username, r.ID))
	return ""
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func convert(s snapshot, now time.Time) (*config.Document, []string) {
	c := &converter{now: now, users: map[string]string{}, byID: map[string]string{}, teamNames: map[string]string{},
		members: map[string][]string{}, admins: map[string][]string{}, schedules: map[string]string{}, escalations: map[string]string{}}
	doc := &config.Document{Version: config.Version}

	for _, u := range s.users {
		email := strings.TrimSpace(u.Username)
		if !strings.Contains(email, "@") {
			c.Warnf("user %q (%s) has no e-mail address as username, which Herald knows people by; left out", u.FullName, u.ID)
			continue
		}
		c.users[strings.ToLower(email)] = email
		c.byID[u.ID] = email
		name := u.FullName
		if name == "" {
			name = email
		}
		role := "responder"
		switch strings.ToLower(u.Role.Name) {
		case "owner", "admin":
			role = "admin"
		case "stakeholder":
			role = "viewer"
		case "user", "":
		default:
			c.Warnf("user %s: the custom role %q has no Herald equivalent; imported as a responder", email, u.Role.Name)
		}
		out := config.User{Email: email, Name: name, Role: role}
		for _, m := range s.contacts[u.ID] {
			where := fmt.Sprintf("user %s, %s contact %s", email, m.Method, m.To)
			if !m.Status.Enabled {
				c.Warnf("%s: disabled in Opsgenie; left out", where)
				continue
			}
			switch m.Method {
			case "email":
				out.Contacts = append(out.Contacts, config.Contact{Kind: "email", Target: m.To})
			case "sms", "voice":
				out.Contacts = append(out.Contacts, config.Contact{Kind: m.Method, Target: phone(m.To)})
			case "mobile":
				c.Warnf("%s: Opsgenie's mobile app has no Herald equivalent; left out", where)
			default:
				c.Warnf("%s: the method %q has no Herald equivalent; left out", where, m.Method)
			}
		}
		doc.Users = append(doc.Users, out)
	}
	if len(doc.Users) > 0 {
		c.Warnf("notification rules (which contact Opsgenie uses when) are not imported: set them in Herald for each person")
	}

	teamNames := importer.UniqueNames{}
	for _, t := range s.teams {
		name := teamNames.Take(t.Name, "team", &c.Warnings)
		c.teamNames[t.ID] = name
		out := config.Team{Name: name}
		for _, m := range t.Members {
			e := c.person(m.User, fmt.Sprintf("team %q", name))
			if e == "" {
				continue
			}
			out.Members = append(out.Members, e)
			if m.Role == "admin" {
				c.admins[t.ID] = append(c.admins[t.ID], e)
			}
		}
		c.members[t.ID] = out.Members
		doc.Teams = append(doc.Teams, out)
	}

	c.convertSchedules(s, doc)
	c.convertEscalations(s, doc)
	c.convertServices(s, doc)
	return doc, c.Warnings
}

// phone turns Opsgenie's "countrycode-number" ("49-15112345678") into the
// international form Herald takes ("+4915112345678").
func phone(to string) string {
	to = strings.TrimSpace(to)
	if strings.HasPrefix(to, "+") {
		return "+" + strings.NewReplacer("-", "", " ", "").Replace(to[1:])
	}
	return "+" + strings.NewReplacer("-", "", " ", "").Replace(to)
}

func (c *converter) teamName(r *ref) string {
	if r == nil {
		return ""
	}
	if n := c.teamNames[r.ID]; n != "" {
		return n
	}
	return ""
}

// defaultLastMinutes is the timeout of an escalation's last level when
// Opsgenie has no repeat to say how long it waits: how long Herald waits
// before its fallback.
const defaultLastMinutes = 30

func delayMinutes(r rule) int {
	switch r.Delay.TimeUnit {
	case "hours":
		return r.Delay.TimeAmount * 60
	case "days":
		return r.Delay.TimeAmount * 24 * 60
	}
	return r.Delay.TimeAmount
}

// convertEscalations makes a policy of each escalation. Opsgenie times
// each rule from the alert's creation; Herald times each level from the
// one before, so rules with the same delay share a level and a level's
// timeout is the difference to the next delay.
func (c *converter) convertEscalations(s snapshot, doc *config.Document) {
	names := importer.UniqueNames{}
	for _, e := range s.escalations {
		name := names.Take(e.Name, "escalation", &c.Warnings)
		where := fmt.Sprintf("escalation %q", name)
		rules := slices.Clone(e.Rules)
		slices.SortStableFunc(rules, func(a, b rule) int { return delayMinutes(a) - delayMinutes(b) })
		var delays []int
		var targets [][]config.Target
		for i, r := range rules {
			at := fmt.Sprintf("%s, rule %d (%s %s)", where, i+1, r.Recipient.Type, orID(r.Recipient.Name, orID(r.Recipient.Username, r.Recipient.ID)))
			if r.Condition == "if-not-closed" {
				c.Warnf("%s: \"if not closed\" is not in Herald, which escalates while nobody acknowledges; imported as \"if not acknowledged\"", at)
			}
			got := c.recipient(r, at)
			if len(got) == 0 {
				continue
			}
			d := delayMinutes(r)
			if n := len(delays); n > 0 && delays[n-1] == d {
				targets[n-1] = append(targets[n-1], got...)
				continue
			}
			delays = append(delays, d)
			targets = append(targets, got)
		}
		if len(delays) == 0 {
			c.Warnf("%s pages nobody Herald can page; left out (services routed to it get no policy)", where)
			continue
		}
		if delays[0] > 0 {
			c.Warnf("%s: its first rule waits %s after the alert, and Herald pages the first level at once; the wait is left out", where, importer.Minutes(delays[0]))
		}
		p := config.Policy{Name: name, Team: c.teamName(e.OwnerTeam)}
		last := defaultLastMinutes
		if e.Repeat != nil && e.Repeat.Count > 0 {
			p.Repeat = e.Repeat.Count
			if p.Repeat > 10 {
				c.Warnf("%s: repeats %d times, and Herald repeats a policy at most 10 times; 10 are imported", where, e.Repeat.Count)
				p.Repeat = 10
			}
			if e.Repeat.WaitInterval > 0 {
				last = e.Repeat.WaitInterval
			}
			if e.Repeat.ResetRecipientStates || e.Repeat.CloseAlertAfterAll {
				c.Warnf("%s: resetting recipients' states and closing the alert after the repeats are not in Herald; left out", where)
			}
		}
		for i := range delays {
			m := last
			if i+1 < len(delays) {
				m = delays[i+1] - delays[i]
			}
			if m > importer.MaxLevelMinutes {
				c.Warnf("%s: level %d waits %s, longer than the 24h a Herald level may wait; shortened to 24h", where, i+1, importer.Minutes(m))
				m = importer.MaxLevelMinutes
			}
			m = max(m, 1)
			p.Levels = append(p.Levels, config.Level{Timeout: importer.Minutes(m), Targets: targets[i]})
		}
		importer.TrimLevels(&p, where, &c.Warnings)
		c.escalations[e.ID] = name
		doc.EscalationPolicies = append(doc.EscalationPolicies, p)
	}
}

// recipient is whom one rule pages, in Herald's targets.
func (c *converter) recipient(r rule, at string) []config.Target {
	switch r.Recipient.Type {
	case "user":
		if e := c.person(r.Recipient, at); e != "" {
			return []config.Target{{User: e}}
		}
	case "schedule":
		name, ok := c.schedules[r.Recipient.ID]
		if !ok {
			c.Warnf("%s: the schedule was not imported (see the warnings about it); left out", at)
			return nil
		}
		if r.NotifyType == "next" || r.NotifyType == "previous" {
			c.Warnf("%s: paging the %s person in the rotation is not in Herald; whoever is on call is paged", at, r.NotifyType)
		}
		return []config.Target{{Schedule: name}}
	case "team":
		members := c.members[r.Recipient.ID]
		how := "its members"
		switch r.NotifyType {
		case "admins":
			members, how = c.admins[r.Recipient.ID], "its admins"
		case "random":
			how = "all its members (Opsgenie picks one at random)"
		case "default", "":
			how = "its members (Opsgenie follows the team's own routing)"
		}
		if len(members) == 0 {
			c.Warnf("%s: Herald pages people and schedules, not teams, and the team has nobody to page; left out", at)
			return nil
		}
		c.Warnf("%s: Herald pages people and schedules, not teams: the team is paged as %s at the time of the import (%d)", at, how, len(members))
		var out []config.Target
		for _, e := range members {
			out = append(out, config.Target{User: e})
		}
		return out
	default:
		c.Warnf("%s: a recipient of type %q has no Herald equivalent; left out", at, r.Recipient.Type)
	}
	return nil
}

// convertServices makes a Herald service of each Opsgenie service. An
// Opsgenie service belongs to a team, and the team's default routing rule
// says which escalation its alerts go to: that is the service's policy.
func (c *converter) convertServices(s snapshot, doc *config.Document) {
	defaults := map[string]string{} // team id -> policy name
	for _, t := range s.teams {
		rules := slices.Clone(s.routing[t.ID])
		slices.SortStableFunc(rules, func(a, b routingRule) int { return a.Order - b.Order })
		where := fmt.Sprintf("team %q", c.teamNames[t.ID])
		for i, r := range rules {
			isDefault := r.IsDefault || (i == len(rules)-1 && !slices.ContainsFunc(rules, func(r routingRule) bool { return r.IsDefault }))
			if !isDefault {
				c.Warnf("%s: the routing rule %q (to %s %s) is not imported: a Herald service has one policy; make a service of its own for those alerts", where, r.Name, r.Notify.Type, orID(r.Notify.Name, r.Notify.ID))
				continue
			}
			switch r.Notify.Type {
			case "escalation":
				if n := c.escalations[r.Notify.ID]; n != "" {
					defaults[t.ID] = n
				} else {
					c.Warnf("%s: its default routing rule goes to escalation %s, which was not imported; its services get no policy", where, orID(r.Notify.Name, r.Notify.ID))
				}
			case "schedule":
				c.Warnf("%s: its default routing rule pages schedule %s directly; Herald routes through a policy, so its services get none: make a policy with one level for the schedule", where, orID(r.Notify.Name, r.Notify.ID))
			default:
				c.Warnf("%s: its default routing rule notifies %s; its services get no policy", where, orID(r.Notify.Type, "nobody"))
			}
		}
	}
	names := importer.UniqueNames{}
	for _, sv := range s.services {
		name := names.Take(sv.Name, "service", &c.Warnings)
		out := config.Service{Name: name, Description: sv.Description, Team: c.teamNames[sv.TeamID], Policy: defaults[sv.TeamID]}
		if out.Policy == "" {
			c.Warnf("service %q: no escalation reached through its team's routing; imported without a policy (Herald logs its pages as unrouted)", name)
		}
		doc.Services = append(doc.Services, out)
	}
}
