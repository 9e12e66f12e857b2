package console

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

func (c *Console) nowRoutes() []route {
	return []route{
		{method: "GET", path: links.Console, role: herald.RoleViewer, serve: c.now},
	}
}

// nowView is the "Now" screen: what is on fire, who is paged, who is on
// call, what maintenance runs.
type nowView struct {
	Incidents []nowIncident
	Pages     []nowPage
	// MoreIncidents and MorePages say the screen shows the newest nowRows
	// of more: the lists link to the rest.
	MoreIncidents, MorePages bool
	OnCall                   []nowOnCall
	Maintenances             []*herald.Maintenance
	// Requests are the open contact requests (R61), by due time.
	Requests []herald.ContactRequest
}

type nowIncident struct {
	*herald.Incident
	// NextUpdateDue is when the linked status incident's next public update
	// is due (R13); nil without a status incident or once it is resolved.
	NextUpdateDue *time.Time
	// StatusIncidentID links the incident's status incident, if any.
	StatusIncidentID string
}

type nowPage struct {
	*herald.Page
	Service  string
	Notified []string
}

type nowOnCall struct {
	Schedule *herald.Schedule
	// Who is on call now ("" when nobody is); Until when that changes.
	Who   string
	Until time.Time
	// Override says they are there by an override.
	Override bool
}

// now is the front page. It refreshes itself: the script asks for
// ?live=1 every 15 s and swaps the "live" part in; without JavaScript a
// refresh tag reloads the page every 30 s.
func (c *Console) now(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadNow(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "now", a, v)
	return nil
}

// nowRows is how many incidents and pages Now shows: enough for a bad
// night, few enough that the screen stays fast and readable on a phone;
// the incident and page lists have the rest.
const nowRows = 50

func (c *Console) loadNow(ctx context.Context) (*nowView, error) {
	s, now := c.cfg.Services, c.cfg.Clock.Now()
	active := true
	incs, err := s.Incidents.Incidents(ctx, herald.ListFilter{Active: &active, Limit: nowRows + 1})
	if err != nil {
		return nil, err
	}
	v := &nowView{}
	if len(incs) > nowRows {
		incs, v.MoreIncidents = incs[:nowRows], true
	}
	sis, err := s.StatusPage.StatusIncidents(ctx, 200)
	if err != nil {
		return nil, err
	}
	linked := map[string]*herald.StatusIncident{}
	for _, si := range sis {
		if si.IncidentID != "" && si.Status != herald.Resolved {
			linked[si.IncidentID] = si
		}
	}
	for _, inc := range incs {
		ni := nowIncident{Incident: inc}
		if si := linked[inc.ID]; si != nil {
			ni.NextUpdateDue, ni.StatusIncidentID = si.NextUpdateDue, si.ID
		}
		v.Incidents = append(v.Incidents, ni)
	}
	users, err := s.People.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	services, err := s.Paging.Services(ctx)
	if err != nil {
		return nil, err
	}
	svcNames := map[string]string{}
	for _, sv := range services {
		svcNames[sv.ID] = sv.Name
	}
	// One query for the open pages and who was notified for each (asking
	// per page cost more than the rest of the screen).
	open, err := s.Paging.OpenPages(ctx, nowRows+1)
	if err != nil {
		return nil, err
	}
	if len(open) > nowRows {
		open, v.MorePages = open[:nowRows], true
	}
	for _, p := range open {
		np := nowPage{Page: p.Page, Service: svcNames[p.ServiceID]}
		for _, id := range p.Notified {
			np.Notified = append(np.Notified, names[id])
		}
		v.Pages = append(v.Pages, np)
	}
	schedules, err := s.Schedules.Schedules(ctx)
	if err != nil {
		return nil, err
	}
	for _, sch := range schedules {
		oc := nowOnCall{Schedule: sch}
		if on, ok := sch.OnCallAt(now); ok {
			oc.Who, oc.Until, oc.Override = names[on.UserID], on.Until, on.Override
		}
		v.OnCall = append(v.OnCall, oc)
	}
	ms, err := s.Maintenances.Maintenances(ctx, 200)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		switch {
		case m.Status == herald.MaintenanceInProgress,
			m.Status == herald.MaintenanceScheduled && m.ScheduledFor.Before(now.Add(7*24*time.Hour)):
			v.Maintenances = append(v.Maintenances, m)
		}
	}
	sort.Slice(v.Maintenances, func(i, j int) bool { return v.Maintenances[i].ScheduledFor.Before(v.Maintenances[j].ScheduledFor) })
	if v.Requests, err = s.Requests.ContactRequests(ctx, herald.ContactRequestFilter{Status: herald.RequestOpen, Limit: nowRows}); err != nil {
		return nil, err
	}
	return v, nil
}
