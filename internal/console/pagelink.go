package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
)

// Pages and incidents on the page screen (issue 11, item 14): declare an
// incident from the page, attach the page to an incident, detach it; and
// the maintenance that muted the page (item 15).
func (c *Console) pagelinkRoutes() []route {
	return []route{
		{method: "POST", path: "/app/pages/{id}/declare", role: herald.RoleResponder, serve: c.declareFromPage},
		{method: "POST", path: "/app/pages/{id}/attach", role: herald.RoleResponder, serve: c.attachPage},
		{method: "POST", path: "/app/pages/{id}/detach", role: herald.RoleResponder, serve: c.detachPage},
	}
}

// pageLinkView is what the page screen shows and offers about incidents
// and maintenances.
type pageLinkView struct {
	// Incidents are the active incidents a page can be attached to.
	Incidents []*herald.Incident
	// Maintenance is the one the page arrived during, when it muted it.
	Maintenance *herald.Maintenance
	Sevs        []herald.Severity
	// Form is the form that failed ("declare" or "attach"), with the
	// person's input and the refusal.
	Form    string
	Input   url.Values
	Problem *herald.Error
}

// Val is a field's input as sent, or def before any was.
func (v *pageLinkView) Val(form, field, def string) string {
	if v.Form == form && v.Input != nil {
		return v.Input.Get(field)
	}
	return def
}

// Failed is the refusal of form, nil when it did not fail.
func (v *pageLinkView) Failed(form string) *herald.Error {
	if v.Form == form {
		return v.Problem
	}
	return nil
}

// mutePaging reads the maintenance form's "mute paging" checkbox; a form
// without it (mute_paging_shown unset) leaves the setting as it is.
func mutePaging(r *http.Request) *bool {
	if r.PostFormValue("mute_paging_shown") == "" {
		return nil
	}
	on := r.PostFormValue("mute_paging") == "on"
	return &on
}

func (c *Console) pageLink(ctx context.Context, p *herald.Page) (*pageLinkView, error) {
	s := c.cfg.Services
	v := &pageLinkView{Sevs: herald.Severities}
	if p.DuringMaintenance != "" {
		m, err := s.Maintenances.Maintenance(ctx, p.DuringMaintenance)
		if err != nil && herald.ErrorCode(err) != herald.ENotFound {
			return nil, err
		}
		v.Maintenance = m
	}
	if p.IncidentID == "" {
		active := true
		list, err := s.Incidents.Incidents(ctx, herald.ListFilter{Active: &active, Limit: 100})
		if err != nil {
			return nil, err
		}
		v.Incidents = list
	}
	return v, nil
}

// pageLinkDone redirects back to the page, or shows the page again with
// the refusal and the person's input when the request itself was refused.
func (c *Console) pageLinkDone(w http.ResponseWriter, r *http.Request, a herald.Actor, form string, err error, to, flash string) error {
	if err == nil {
		redirect(w, r, to, flash)
		return nil
	}
	var he *herald.Error
	if !errors.As(err, &he) || (he.Code != herald.EInvalid && he.Code != herald.EUnprocessable && he.Code != herald.EConflict) {
		return err
	}
	v, lerr := c.loadPage(r.Context(), r.PathValue("id"))
	if lerr != nil {
		return lerr
	}
	v.Link.Form, v.Link.Input, v.Link.Problem = form, r.PostForm, he
	_, status, _ := httperr.Of(he)
	c.render(w, r, status, "page", a, v)
	return nil
}

func (c *Console) declareFromPage(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	if _, err := c.cfg.Services.Paging.Page(r.Context(), id); err != nil {
		return err
	}
	in := herald.DeclareInput{Title: r.PostFormValue("title"), Severity: herald.Severity(r.PostFormValue("severity")),
		Summary: r.PostFormValue("summary"), Pages: []string{id}}
	inc, err := c.cfg.Services.Incidents.DeclareIncident(r.Context(), a, in)
	if err != nil {
		return c.pageLinkDone(w, r, a, "declare", err, "", "")
	}
	return c.pageLinkDone(w, r, a, "declare", nil, incidentPath(inc.Reference), inc.Reference+" declared from the page.")
}

func (c *Console) attachPage(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	p, err := c.cfg.Services.Paging.LinkPage(r.Context(), a, id, herald.PageLinkInput{Incident: r.PostFormValue("incident")})
	flash := ""
	if err == nil {
		flash = "Page attached to the incident."
		if inc, ierr := c.cfg.Services.Incidents.Incident(r.Context(), p.IncidentID); ierr == nil {
			flash = "Page attached to " + inc.Reference + "."
		}
	}
	return c.pageLinkDone(w, r, a, "attach", err, "/app/pages/"+url.PathEscape(id), flash)
}

func (c *Console) detachPage(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	_, err := c.cfg.Services.Paging.UnlinkPage(r.Context(), a, id)
	return c.pageLinkDone(w, r, a, "detach", err, "/app/pages/"+url.PathEscape(id), "Page detached from its incident.")
}
