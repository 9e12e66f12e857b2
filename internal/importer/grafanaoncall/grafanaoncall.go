// Package grafanaoncall reads a Grafana OnCall (OSS) instance through its
// public HTTP API v1 and turns it into Herald's configuration document:
// users, teams, schedules from their on-call shifts, escalation chains as
// escalation policies, and integrations as services. What Herald cannot
// represent is never dropped silently: each such thing becomes a warning
// that names it, so the person importing knows what to set up by hand.
package grafanaoncall

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// Options say where OnCall is and how to read it.
type Options struct {
	URL   string // the OnCall instance (self-hosted), e.g. https://oncall.example.com
	Token string // an OnCall API token; sent only to URL's host
	HTTP  *http.Client
	// Now is the moment overrides are judged past or future by; time.Now
	// when nil.
	Now func() time.Time
}

// The API's objects, with the fields the import reads.
type (
	user struct {
		ID       string   `json:"id"`
		Email    string   `json:"email"`
		Username string   `json:"username"`
		Name     string   `json:"name"`
		Role     string   `json:"role"`
		Teams    []string `json:"teams"`
	}
	team struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	schedule struct {
		ID               string   `json:"id"`
		Name             string   `json:"name"`
		Type             string   `json:"type"` // web, calendar, ical
		TeamID           *string  `json:"team_id"`
		TimeZone         string   `json:"time_zone"`
		Shifts           []string `json:"shifts"`
		ICalURLPrimary   *string  `json:"ical_url_primary"`
		ICalURLOverrides *string  `json:"ical_url_overrides"`
	}
	shift struct {
		ID                   string     `json:"id"`
		Name                 string     `json:"name"`
		Type                 string     `json:"type"` // single_event, recurrent_event, rolling_users, override
		Schedule             *string    `json:"schedule"`
		TimeZone             *string    `json:"time_zone"`
		Level                int        `json:"level"`
		Start                string     `json:"start"`
		Duration             int64      `json:"duration"` // seconds
		Frequency            *string    `json:"frequency"`
		Interval             *int       `json:"interval"`
		Until                *string    `json:"until"`
		ByDay                []string   `json:"by_day"`
		ByMonth              []int      `json:"by_month"`
		ByMonthday           []int      `json:"by_monthday"`
		Users                []string   `json:"users"`
		RollingUsers         [][]string `json:"rolling_users"`
		StartRotationFromIdx *int       `json:"start_rotation_from_user_index"`
	}
	chain struct {
		ID     string  `json:"id"`
		Name   string  `json:"name"`
		TeamID *string `json:"team_id"`
	}
	step struct {
		ID                  string   `json:"id"`
		ChainID             string   `json:"escalation_chain_id"`
		Position            int      `json:"position"`
		Type                string   `json:"type"`
		Duration            *int     `json:"duration"` // seconds, for wait
		Important           bool     `json:"important"`
		PersonsToNotify     []string `json:"persons_to_notify"`
		PersonsNextEachTime []string `json:"persons_to_notify_next_each_time"`
		Schedule            *string  `json:"notify_on_call_from_schedule"`
		TeamMembers         *string  `json:"notify_to_team_members"`
	}
	integration struct {
		ID           string  `json:"id"`
		Name         string  `json:"name"`
		Description  *string `json:"description_short"`
		TeamID       *string `json:"team_id"`
		Type         string  `json:"type"`
		DefaultRoute *struct {
			ID      string  `json:"id"`
			ChainID *string `json:"escalation_chain_id"`
		} `json:"default_route"`
	}
	route struct {
		ID            string  `json:"id"`
		IntegrationID string  `json:"integration_id"`
		ChainID       *string `json:"escalation_chain_id"`
		RoutingRegex  string  `json:"routing_regex"`
		Position      int     `json:"position"`
		IsLast        bool    `json:"is_the_last_route"`
	}
)

// snapshot is everything read from OnCall, before conversion.
type snapshot struct {
	users        []user
	teams        []team
	schedules    []schedule
	shifts       []shift
	chains       []chain
	steps        []step
	integrations []integration
	routes       []route
}

// Import reads OnCall and returns the document and the warnings about what
// it could not carry over.
func Import(ctx context.Context, o Options) (*config.Document, []string, error) {
	c, err := newClient(o.URL, o.Token, o.HTTP)
	if err != nil {
		return nil, nil, err
	}
	var s snapshot
	if s.users, err = list[user](ctx, c, "users"); err != nil {
		return nil, nil, err
	}
	if s.teams, err = list[team](ctx, c, "teams"); err != nil {
		return nil, nil, err
	}
	if s.schedules, err = list[schedule](ctx, c, "schedules"); err != nil {
		return nil, nil, err
	}
	if s.shifts, err = list[shift](ctx, c, "on_call_shifts"); err != nil {
		return nil, nil, err
	}
	if s.chains, err = list[chain](ctx, c, "escalation_chains"); err != nil {
		return nil, nil, err
	}
	if s.steps, err = list[step](ctx, c, "escalation_policies"); err != nil {
		return nil, nil, err
	}
	if s.integrations, err = list[integration](ctx, c, "integrations"); err != nil {
		return nil, nil, err
	}
	if s.routes, err = list[route](ctx, c, "routes"); err != nil {
		return nil, nil, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	doc, warns := convert(s, now())
	return doc, warns, nil
}

// converter holds the lookups a conversion needs and collects warnings.
type converter struct {
	now       time.Time
	emails    map[string]string // user id -> e-mail
	teamNames map[string]string // team id -> name
	members   map[string][]string
	schedules map[string]string // schedule id -> imported name
	chains    map[string]string // chain id -> imported policy name
	chainName map[string]string // chain id -> its name, imported or not
	importer.Warnings
}

func (c *converter) team(id *string) string {
	if id == nil {
		return ""
	}
	return c.teamNames[*id]
}

// email is the e-mail of a user id, or "" with a warning naming where it
// was wanted.
func (c *converter) email(id, where string) string {
	if e, ok := c.emails[id]; ok {
		return e
	}
	c.Warnf("%s: user %s is not among the users read (or has no e-mail address); left out", where, id)
	return ""
}

func convert(s snapshot, now time.Time) (*config.Document, []string) {
	c := &converter{now: now, emails: map[string]string{}, teamNames: map[string]string{}, members: map[string][]string{},
		schedules: map[string]string{}, chains: map[string]string{}, chainName: map[string]string{}}
	doc := &config.Document{Version: config.Version}

	for _, u := range s.users {
		if u.Email == "" {
			c.Warnf("user %s (%s) has no e-mail address, which Herald knows people by; left out", u.Username, u.ID)
			continue
		}
		c.emails[u.ID] = u.Email
		name := u.Name
		if name == "" {
			name = u.Username
		}
		if name == "" {
			name = u.Email
		}
		role := "responder"
		switch u.Role {
		case "admin":
			role = "admin"
		case "viewer", "observer":
			role = "viewer"
		case "editor", "user", "":
		default:
			c.Warnf("user %s: OnCall role %q has no Herald equivalent; imported as a responder", u.Email, u.Role)
		}
		doc.Users = append(doc.Users, config.User{Email: u.Email, Name: name, Role: role,
			Contacts: []config.Contact{{Kind: "email", Target: u.Email}}})
	}
	if len(doc.Users) > 0 {
		c.Warnf("personal notification rules, phone numbers and Slack or Telegram accounts are not in OnCall's public API: each user is imported with their e-mail address only; add phone numbers and rules in Herald")
	}

	teamNames := importer.UniqueNames{}
	for _, t := range s.teams {
		c.teamNames[t.ID] = teamNames.Take(t.Name, "team", &c.Warnings)
	}
	for _, u := range s.users {
		if c.emails[u.ID] == "" {
			continue
		}
		for _, t := range u.Teams {
			c.members[t] = append(c.members[t], c.emails[u.ID])
		}
	}
	for _, t := range s.teams {
		doc.Teams = append(doc.Teams, config.Team{Name: c.teamNames[t.ID], Members: c.members[t.ID]})
	}

	c.convertSchedules(s, doc)
	c.convertChains(s, doc)
	c.convertIntegrations(s, doc)
	return doc, c.Warnings
}

// levelMinutes turns a wait in seconds into a level timeout Herald accepts
// (whole minutes, 1 to 1440), warning when it has to change it.
func (c *converter) levelMinutes(seconds int, where string) int {
	m := (seconds + 59) / 60
	switch {
	case m < 1:
		m = 1
	case m > importer.MaxLevelMinutes:
		c.Warnf("%s: a wait of %s is longer than the 24h a Herald level may wait; shortened to 24h", where, time.Duration(seconds)*time.Second)
		return importer.MaxLevelMinutes
	}
	if m*60 != seconds && seconds > 0 {
		c.Warnf("%s: a wait of %ds is rounded up to %d minutes", where, seconds, m)
	}
	return m
}

// lastLevelMinutes is the timeout of a chain's last level, which OnCall
// has no wait for: how long Herald waits before its fallback.
const lastLevelMinutes = 30

func (c *converter) convertChains(s snapshot, doc *config.Document) {
	names := importer.UniqueNames{}
	steps := map[string][]step{}
	for _, st := range s.steps {
		steps[st.ChainID] = append(steps[st.ChainID], st)
	}
	for _, ch := range s.chains {
		name := names.Take(ch.Name, "escalation chain", &c.Warnings)
		c.chainName[ch.ID] = name
		where := fmt.Sprintf("escalation chain %q", name)
		list := steps[ch.ID]
		slices.SortStableFunc(list, func(a, b step) int { return a.Position - b.Position })
		p := config.Policy{Name: name, Team: c.team(ch.TeamID)}
		var cur []config.Target
		var levels []int // timeout minutes per level
		var targets [][]config.Target
		addUser := func(id, at string) {
			if e := c.email(id, at); e != "" {
				cur = append(cur, config.Target{User: e})
			}
		}
		for i, st := range list {
			at := fmt.Sprintf("%s, step %d (%s)", where, i+1, st.Type)
			if st.Important {
				c.Warnf("%s: \"important\" notifications are not distinguished in Herald; imported as a normal step", at)
			}
			switch st.Type {
			case "wait":
				secs := 0
				if st.Duration != nil {
					secs = *st.Duration
				}
				switch {
				case len(cur) > 0:
					levels = append(levels, c.levelMinutes(secs, at))
					targets = append(targets, cur)
					cur = nil
				case len(levels) > 0:
					levels[len(levels)-1] = min(importer.MaxLevelMinutes, levels[len(levels)-1]+c.levelMinutes(secs, at))
				default:
					c.Warnf("%s: a wait before anyone is notified cannot be represented (Herald pages the first level at once); left out", at)
				}
			case "notify_persons":
				for _, id := range st.PersonsToNotify {
					addUser(id, at)
				}
			case "notify_person_next_each_time":
				c.Warnf("%s: round robin (one person each time) is not in Herald; every person listed is paged at this level", at)
				for _, id := range st.PersonsNextEachTime {
					addUser(id, at)
				}
			case "notify_on_call_from_schedule":
				if st.Schedule == nil {
					c.Warnf("%s: names no schedule; left out", at)
				} else if name, ok := c.schedules[*st.Schedule]; ok {
					cur = append(cur, config.Target{Schedule: name})
				} else {
					c.Warnf("%s: schedule %s was not imported (see the warnings about it); left out", at, *st.Schedule)
				}
			case "notify_team_members":
				if st.TeamMembers == nil || c.teamNames[*st.TeamMembers] == "" {
					c.Warnf("%s: names no team that was read; left out", at)
					break
				}
				c.Warnf("%s: Herald pages people and schedules, not teams: the team %q is paged as its %d members at the time of the import", at, c.teamNames[*st.TeamMembers], len(c.members[*st.TeamMembers]))
				for _, e := range c.members[*st.TeamMembers] {
					cur = append(cur, config.Target{User: e})
				}
			case "repeat_escalation":
				// OnCall repeats the chain from its start, five times at most.
				p.Repeat = 5
				if i < len(list)-1 {
					c.Warnf("%s: Herald repeats a policy after its last level; the %d steps after the repeat are imported as further levels, repeated with the others", at, len(list)-1-i)
				}
			default:
				c.Warnf("%s: has no Herald equivalent (Herald's levels page people and schedules); left out", at)
			}
		}
		if len(cur) > 0 {
			levels = append(levels, lastLevelMinutes)
			targets = append(targets, cur)
		}
		if len(levels) == 0 {
			c.Warnf("%s pages nobody Herald can page; left out (services routed to it get no policy)", where)
			continue
		}
		for i := range levels {
			p.Levels = append(p.Levels, config.Level{Timeout: importer.Minutes(levels[i]), Targets: targets[i]})
		}
		importer.TrimLevels(&p, where, &c.Warnings)
		c.chains[ch.ID] = name
		doc.EscalationPolicies = append(doc.EscalationPolicies, p)
	}
}

func (c *converter) convertIntegrations(s snapshot, doc *config.Document) {
	names := importer.UniqueNames{}
	routes := map[string][]route{}
	for _, r := range s.routes {
		routes[r.IntegrationID] = append(routes[r.IntegrationID], r)
	}
	for _, in := range s.integrations {
		name := names.Take(in.Name, "integration", &c.Warnings)
		svc := config.Service{Name: name, Team: c.team(in.TeamID)}
		if in.Description != nil {
			svc.Description = *in.Description
		}
		where := fmt.Sprintf("integration %q", name)
		var defChain *string
		var defID string
		if in.DefaultRoute != nil {
			defChain, defID = in.DefaultRoute.ChainID, in.DefaultRoute.ID
		}
		for _, r := range routes[in.ID] {
			if r.IsLast && defChain == nil {
				defChain, defID = r.ChainID, r.ID
			}
		}
		switch {
		case defChain == nil:
			c.Warnf("%s: its default route has no escalation chain; the service is imported without a policy (Herald logs its pages as unrouted)", where)
		case c.chains[*defChain] == "":
			c.Warnf("%s: its escalation chain %s was not imported; the service is imported without a policy", where, c.chainLabel(*defChain))
		default:
			svc.Policy = c.chains[*defChain]
		}
		for _, r := range routes[in.ID] {
			if r.ID == defID || r.IsLast {
				continue
			}
			target := "no escalation chain"
			if r.ChainID != nil {
				target = "escalation chain " + c.chainLabel(*r.ChainID)
			}
			c.Warnf("%s: the route matching %q (to %s) is not imported: a Herald service has one policy; make a service of its own for those alerts", where, r.RoutingRegex, target)
		}
		doc.Services = append(doc.Services, svc)
	}
}

// chainLabel names a chain in a warning: by name when it was read, else by id.
func (c *converter) chainLabel(id string) string {
	if n := c.chainName[id]; n != "" {
		return fmt.Sprintf("%q", n)
	}
	return id
}
