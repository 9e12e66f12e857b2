package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"

	"github.com/heraldhq/herald"
)

func (c *Console) pagesRoutes() []route {
	return []route{
		{method: "GET", path: "/app/pages", role: herald.RoleViewer, serve: c.pages},
		{method: "GET", path: "/app/pages/{id}", role: herald.RoleViewer, serve: c.page},
		{method: "POST", path: "/app/pages/{id}/acknowledge", role: herald.RoleResponder, serve: c.pageAction},
		{method: "POST", path: "/app/pages/{id}/escalate", role: herald.RoleResponder, serve: c.pageAction},
		{method: "POST", path: "/app/pages/{id}/resolve", role: herald.RoleResponder, serve: c.pageAction},
		{method: "POST", path: "/app/pages/{id}/snooze", role: herald.RoleResponder, serve: c.pageAction},
	}
}

// pagesPerScreen is how many pages the list shows at a time.
const pagesPerScreen = 50

type pagesView struct {
	Pages    []pageRow
	Services []*herald.Service
	// The filters as chosen; Older is the link to the next screen ("":
	// this is the last).
	Status, Service string
	Statuses        []herald.PageStatus
	Older           string
	Paged           bool
}

type pageRow struct {
	*herald.Page
	Service string
	// LevelN is the level paged last, counted from 1 as people (and
	// "escalate to") count them; 0 before the first.
	LevelN int
}

func (c *Console) pages(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx, q := r.Context(), r.URL.Query()
	services, err := c.cfg.Services.Paging.Services(ctx)
	if err != nil {
		return err
	}
	svcNames := map[string]string{}
	for _, s := range services {
		svcNames[s.ID] = s.Name
	}
	v := pagesView{Services: services, Status: q.Get("status"), Service: q.Get("service"), Statuses: herald.PageStatuses, Paged: q.Get("before") != ""}
	list, err := c.cfg.Services.Paging.PageList(ctx, herald.PageFilter{ServiceID: v.Service, Status: herald.PageStatus(v.Status), Before: q.Get("before"), Limit: pagesPerScreen + 1})
	if err != nil {
		return err
	}
	if len(list) > pagesPerScreen {
		list = list[:pagesPerScreen]
		next := url.Values{"before": {list[len(list)-1].ID}}
		if v.Status != "" {
			next.Set("status", v.Status)
		}
		if v.Service != "" {
			next.Set("service", v.Service)
		}
		v.Older = "/app/pages?" + next.Encode()
	}
	for _, p := range list {
		v.Pages = append(v.Pages, pageRow{Page: p, Service: svcNames[p.ServiceID], LevelN: p.Level + 1})
	}
	c.render(w, r, http.StatusOK, "pages", a, v)
	return nil
}

type pageView struct {
	Page          *herald.Page
	LevelN        int // from 1; 0 before the first level is paged
	Service       *herald.Service
	IncidentRef   string
	Log           []herald.PageLogEntry
	Notifications []notificationRow
	// Levels are the choices of "escalate to": the policy's levels.
	Levels []levelRow
	Error  string
	// Link is the page's incident and maintenance part (pagelink.go).
	Link *pageLinkView
}

type notificationRow struct {
	herald.Notification
	LevelN     int // from 1
	RoundN     int // from 1: escalating by hand starts a round
	Who        string
	Deliveries []deliveryRow
}

type deliveryRow struct {
	herald.DeliveryRecord
	// Method is the contact method's kind ("email", "sms"); its address
	// is not shown here.
	Method string
}

func (c *Console) page(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadPage(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "page", a, v)
	return nil
}

func (c *Console) loadPage(ctx context.Context, id string) (*pageView, error) {
	s := c.cfg.Services
	p, err := s.Paging.Page(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &pageView{Page: p, LevelN: p.Level + 1}
	if v.Service, err = s.Paging.Service(ctx, p.ServiceID); err != nil {
		return nil, err
	}
	v.Service.IntegrationKey = "" // never on this screen
	if p.IncidentID != "" {
		if inc, err := s.Incidents.Incident(ctx, p.IncidentID); err == nil {
			v.IncidentRef = inc.Reference
		}
	}
	if v.Log, err = s.Paging.PageLog(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Link, err = c.pageLink(ctx, p); err != nil {
		return nil, err
	}
	names, _, err := c.userNames(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := s.Paging.Notifications(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ds, err := s.Paging.Deliveries(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	methods := map[string]string{} // contact method id -> kind
	seen := map[string]bool{}
	for _, n := range ns {
		if seen[n.UserID] {
			continue
		}
		seen[n.UserID] = true
		ms, err := s.People.ContactMethods(ctx, n.UserID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			methods[m.ID] = m.Kind
		}
	}
	byNotification := map[string][]deliveryRow{}
	for _, d := range ds {
		byNotification[d.NotificationID] = append(byNotification[d.NotificationID], deliveryRow{DeliveryRecord: d, Method: orUnknown(methods[d.ContactMethodID], d.ContactMethodID)})
	}
	for _, n := range ns {
		v.Notifications = append(v.Notifications, notificationRow{Notification: n, LevelN: n.Level + 1, RoundN: n.Loop + 1, Who: orUnknown(names[n.UserID], n.UserID), Deliveries: byNotification[n.ID]})
	}
	if v.Service.EscalationPolicyID != "" {
		pol, err := s.Paging.EscalationPolicy(ctx, v.Service.EscalationPolicyID)
		if err != nil {
			return nil, err
		}
		schedules, err := s.Schedules.Schedules(ctx)
		if err != nil {
			return nil, err
		}
		schedNames := map[string]string{}
		for _, sc := range schedules {
			schedNames[sc.ID] = sc.Name
		}
		v.Levels = describeLevels(pol, names, schedNames)
	}
	return v, nil
}

// pageAction acknowledges, escalates or resolves a page as the signed-in
// person. A refusal of the request itself (a level that does not exist, a
// resolved page) shows the page again with the reason; anything else
// (a shadow refused, R03) is the error page's.
func (c *Console) pageAction(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx, id, s := r.Context(), r.PathValue("id"), c.cfg.Services.Paging
	var err error
	var flash string
	switch path.Base(r.URL.Path) {
	case "acknowledge":
		_, err = s.AcknowledgePage(ctx, a, id)
		flash = "Page acknowledged: escalation stopped."
	case "resolve":
		_, err = s.ResolvePage(ctx, a, id)
		flash = "Page resolved."
	case "snooze":
		var p *herald.Page
		if p, err = s.SnoozePage(ctx, a, id, snoozeForm(r)); err == nil {
			flash = "Page snoozed until " + p.SnoozedUntil.UTC().Format("2006-01-02 15:04 UTC") + ": then it is triggered again from level 1."
		}
	default:
		level, cerr := strconv.Atoi(r.PostFormValue("level"))
		if cerr != nil {
			err = &herald.Error{Code: herald.EInvalid, Message: "choose the level to escalate to", Fields: map[string]string{"level": "a level number"}}
			break
		}
		_, err = s.EscalatePage(ctx, a, id, level)
		flash = fmt.Sprintf("Escalated to level %d.", level)
	}
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) || (he.Code != herald.EInvalid && he.Code != herald.EUnprocessable && he.Code != herald.EConflict) {
			return err
		}
		v, lerr := c.loadPage(ctx, id)
		if lerr != nil {
			return lerr
		}
		v.Error = he.Message
		c.render(w, r, httpStatus(he.Code), "page", a, v)
		return nil
	}
	redirect(w, r, "/app/pages/"+url.PathEscape(id), flash)
	return nil
}
